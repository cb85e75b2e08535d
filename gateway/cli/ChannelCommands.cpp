// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn channel add|list|show|set|enable|disable|remove`.
#include "gateway/cli/CliSupport.h"

#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"

#include <QJsonArray>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

QList<FlagSpec> channelFlags(bool forSet)
{
    QList<FlagSpec> specs = {{QStringLiteral("name")}, {QStringLiteral("type")}, {QStringLiteral("base-url")},
                             {QStringLiteral("key"), Kind::Repeated}, {QStringLiteral("models")},
                             {QStringLiteral("map"), Kind::Repeated}, {QStringLiteral("priority")},
                             {QStringLiteral("weight")}, {QStringLiteral("disabled"), Kind::Switch},
                             {QStringLiteral("proxy")}, {QStringLiteral("header"), Kind::Repeated},
                             {QStringLiteral("tools")}, {QStringLiteral("vision")}, {QStringLiteral("context-tokens")}};
    if (forSet)
        specs.append({QStringLiteral("enabled"), Kind::Switch});
    return specs;
}

// Applies the flags that were given onto channel; flags not given leave fields unchanged.
Status applyChannelFlags(const ParsedFlags &f, Channel &c)
{
    if (f.has(QStringLiteral("name")))
        c.name = f.value(QStringLiteral("name")).trimmed();
    if (f.has(QStringLiteral("type"))) {
        const QString type = f.value(QStringLiteral("type"));
        const std::optional<ChannelType> parsed = channelTypeFromName(type);
        if (!parsed)
            return Error::invalid(QStringLiteral("unknown channel type '%1' (expected openai, anthropic or gemini)").arg(type));
        c.type = *parsed;
    }
    if (f.has(QStringLiteral("base-url")))
        c.baseUrl = f.value(QStringLiteral("base-url")).trimmed();
    if (f.has(QStringLiteral("key"))) {
        c.keys.clear();
        for (const QString &key : f.values(QStringLiteral("key"))) {
            if (key.trimmed().isEmpty())
                return Error::invalid(QStringLiteral("--key must not be empty"));
            c.keys.append(key.trimmed());
        }
    }
    if (f.has(QStringLiteral("models")))
        c.models = splitList(f.value(QStringLiteral("models")));
    if (f.has(QStringLiteral("map"))) {
        Result<QMap<QString, QString>> map = parsePairs(QStringLiteral("--map"), f.values(QStringLiteral("map")));
        if (!map)
            return map.error();
        c.modelMap = *map;
    }
    if (f.has(QStringLiteral("priority"))) {
        Result<int> priority = parseInt(QStringLiteral("--priority"), f.value(QStringLiteral("priority")), INT_MIN);
        if (!priority)
            return priority.error();
        c.priority = *priority;
    }
    if (f.has(QStringLiteral("weight"))) {
        bool ok = false;
        const double weight = f.value(QStringLiteral("weight")).trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(weight) || weight < 0)
            return Error::invalid(QStringLiteral("--weight must be a number >= 0, got '%1'").arg(f.value(QStringLiteral("weight"))));
        c.weight = weight;
    }
    if (f.has(QStringLiteral("enabled")) && f.has(QStringLiteral("disabled")))
        return Error::invalid(QStringLiteral("--enabled and --disabled contradict each other"));
    if (f.has(QStringLiteral("enabled")))
        c.enabled = true;
    if (f.has(QStringLiteral("disabled")))
        c.enabled = false;
    if (f.has(QStringLiteral("proxy")))
        c.proxy = f.value(QStringLiteral("proxy")).trimmed();
    if (f.has(QStringLiteral("header"))) {
        Result<QMap<QString, QString>> headers = parsePairs(QStringLiteral("--header"), f.values(QStringLiteral("header")));
        if (!headers)
            return headers.error();
        c.extraHeaders = *headers;
    }
    for (const auto &[flag, target] : {std::pair{QStringLiteral("tools"), &c.capabilities.tools},
                                       std::pair{QStringLiteral("vision"), &c.capabilities.vision}}) {
        if (f.has(flag)) {
            const std::optional<CapabilityMode> value = capabilityModeFromName(f.value(flag));
            if (!value)
                return Error::invalid(QStringLiteral("--%1 must be on, off or auto, got '%2'").arg(flag, f.value(flag)));
            *target = *value;
        }
    }
    if (f.has(QStringLiteral("context-tokens"))) {
        Result<int> tokens = parseInt(QStringLiteral("--context-tokens"), f.value(QStringLiteral("context-tokens")), 0);
        if (!tokens)
            return tokens.error();
        c.capabilities.contextTokens = *tokens;
    }
    return validateChannel(c);
}

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

int addChannel(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, channelFlags(false));
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    if (Status s = requireFlags(*flags, {QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("base-url"),
                                         QStringLiteral("key"), QStringLiteral("models")});
        !s)
        return usageError(ctx, s.error().message);
    Channel channel;
    if (Status s = applyChannelFlags(*flags, channel); !s)
        return usageError(ctx, s.error().message);

    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<qint64> id = ChannelRepository(**db).add(channel);
    if (!id)
        return runtimeError(ctx, id.error().message);
    ctx.out << "Added channel '" << channel.name << "' (" << channelTypeName(channel.type) << ", "
            << channel.servedModels().size() << (channel.servedModels().size() == 1 ? " model" : " models") << ")."
            << Qt::endl;
    return ExitOk;
}

// Parses "NAME [flags]" for the commands that act on one existing channel.
Result<ParsedFlags> parseNamed(const QStringList &args, const QList<FlagSpec> &specs, const QString &command)
{
    Result<ParsedFlags> flags = parseFlags(args, specs);
    if (!flags)
        return flags;
    if (flags->positionals.isEmpty())
        return Error::invalid(QStringLiteral("'tarn channel %1' needs a channel name").arg(command));
    if (flags->positionals.size() > 1)
        return Error::invalid(QStringLiteral("unexpected argument '%1'").arg(flags->positionals.at(1)));
    return flags;
}

int setChannel(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseNamed(args, channelFlags(true), QStringLiteral("set"));
    if (!flags)
        return usageError(ctx, flags.error().message);
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    ChannelRepository repo(**db);
    Result<Channel> channel = repo.findByName(flags->positionals.first());
    if (!channel)
        return runtimeError(ctx, channel.error().message);
    if (Status s = applyChannelFlags(*flags, *channel); !s)
        return usageError(ctx, s.error().message);
    if (Status s = repo.update(*channel); !s)
        return runtimeError(ctx, s.error().message);
    ctx.out << "Updated channel '" << channel->name << "'." << Qt::endl;
    return ExitOk;
}

int listChannels(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("json"), Kind::Switch}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<QList<Channel>> channels = ChannelRepository(**db).list();
    if (!channels)
        return runtimeError(ctx, channels.error().message);

    if (flags->has(QStringLiteral("json"))) {
        QJsonArray array;
        for (const Channel &c : *channels)
            array.append(channelToJson(c, SecretMode::Mask));
        ctx.out << toJsonText(array);
        return ExitOk;
    }
    if (channels->isEmpty()) {
        ctx.out << "No channels. Add one with 'tarn channel add' (see 'tarn channel --help')." << Qt::endl;
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const Channel &c : *channels) {
        rows.append({c.name, channelTypeName(c.type), yesNo(c.enabled), QString::number(c.priority),
                     QString::number(c.weight), c.servedModels().join(u','), c.baseUrl});
    }
    ctx.out << formatTable({QStringLiteral("NAME"), QStringLiteral("TYPE"), QStringLiteral("ENABLED"),
                            QStringLiteral("PRIORITY"), QStringLiteral("WEIGHT"), QStringLiteral("MODELS"),
                            QStringLiteral("BASE-URL")},
                           rows, {3, 4});
    return ExitOk;
}

int showChannel(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseNamed(args, {{QStringLiteral("json"), Kind::Switch}}, QStringLiteral("show"));
    if (!flags)
        return usageError(ctx, flags.error().message);
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<Channel> found = ChannelRepository(**db).findByName(flags->positionals.first());
    if (!found)
        return runtimeError(ctx, found.error().message);
    const Channel &c = *found;
    if (flags->has(QStringLiteral("json"))) {
        ctx.out << toJsonText(channelToJson(c, SecretMode::Mask));
        return ExitOk;
    }
    QStringList keys;
    for (const QString &key : c.keys)
        keys << maskSecret(key);
    QStringList map;
    for (auto it = c.modelMap.cbegin(); it != c.modelMap.cend(); ++it)
        map << it.key() + u'=' + it.value();
    QStringList headers;
    for (auto it = c.extraHeaders.cbegin(); it != c.extraHeaders.cend(); ++it)
        headers << it.key() + u'=' + maskSecret(it.value());
    const QList<std::pair<QString, QString>> lines = {
        {QStringLiteral("name"), c.name},
        {QStringLiteral("type"), channelTypeName(c.type)},
        {QStringLiteral("enabled"), yesNo(c.enabled)},
        {QStringLiteral("base url"), c.baseUrl},
        {QStringLiteral("keys"), keys.join(QStringLiteral(", "))},
        {QStringLiteral("models"), c.models.join(QStringLiteral(", "))},
        {QStringLiteral("model map"), map.isEmpty() ? QStringLiteral("-") : map.join(QStringLiteral(", "))},
        {QStringLiteral("priority"), QString::number(c.priority)},
        {QStringLiteral("weight"), QString::number(c.weight)},
        {QStringLiteral("tools"), capabilityModeName(c.capabilities.tools)},
        {QStringLiteral("vision"), capabilityModeName(c.capabilities.vision)},
        {QStringLiteral("context tokens"), c.capabilities.contextTokens ? QString::number(c.capabilities.contextTokens)
                                                                        : QStringLiteral("unknown")},
        {QStringLiteral("proxy"), c.proxy.isEmpty() ? QStringLiteral("(from environment)") : c.proxy},
        {QStringLiteral("headers"), headers.isEmpty() ? QStringLiteral("-") : headers.join(QStringLiteral(", "))},
        {QStringLiteral("created"), formatTime(c.createdAt)},
        {QStringLiteral("updated"), formatTime(c.updatedAt)},
    };
    for (const auto &[label, value] : lines)
        ctx.out << QString(label + u':').leftJustified(16) << value << '\n';
    ctx.out.flush();
    return ExitOk;
}

int changeChannel(Context &ctx, const QString &command, const QStringList &args)
{
    Result<ParsedFlags> flags = parseNamed(args, {}, command);
    if (!flags)
        return usageError(ctx, flags.error().message);
    const QString name = flags->positionals.first();
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    ChannelRepository repo(**db);
    const Status s = command == u"remove" ? repo.remove(name) : repo.setEnabled(name, command == u"enable");
    if (!s)
        return runtimeError(ctx, s.error().message);
    const QString done = command == u"remove" ? QStringLiteral("Removed") : command == u"enable" ? QStringLiteral("Enabled")
                                                                                                  : QStringLiteral("Disabled");
    ctx.out << done << " channel '" << name << "'." << Qt::endl;
    return ExitOk;
}

} // namespace

int runChannelCommand(Context &ctx, const QStringList &args)
{
    const QString command = args.value(0);
    const QStringList rest = args.mid(1);
    if (command == u"add")
        return addChannel(ctx, rest);
    if (command == u"list")
        return listChannels(ctx, rest);
    if (command == u"show")
        return showChannel(ctx, rest);
    if (command == u"set")
        return setChannel(ctx, rest);
    if (command == u"enable" || command == u"disable" || command == u"remove")
        return changeChannel(ctx, command, rest);
    if (command.isEmpty())
        return usageError(ctx, QStringLiteral("'tarn channel' needs a subcommand (add, list, show, set, enable, disable, remove)"));
    return usageError(ctx, QStringLiteral("unknown channel subcommand '%1' (expected add, list, show, set, enable, disable or remove)")
                               .arg(command));
}

} // namespace tarn::gateway::cli
