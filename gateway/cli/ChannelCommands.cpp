// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn channel add|list|show|set|enable|disable|remove` (test, reset-learned and enable-key are
// in ChannelStateCommands.cpp).
#include "gateway/cli/ChannelParams.h"
#include "gateway/cli/ChannelState.h"
#include "gateway/cli/CliSupport.h"
#include "gateway/core/ExtraHeaderRule.h"

#include "gateway/routing/ChannelProbe.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/RouterStateRepository.h"

#include <QJsonArray>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

QList<FlagSpec> channelFlags(bool forSet)
{
    QList<FlagSpec> specs = {{QStringLiteral("name")}, {QStringLiteral("type")}, {QStringLiteral("api")},
                             {QStringLiteral("base-url")},
                             {QStringLiteral("key"), Kind::Repeated}, {QStringLiteral("models")},
                             {QStringLiteral("map"), Kind::Repeated}, {QStringLiteral("priority")},
                             {QStringLiteral("weight")}, {QStringLiteral("disabled"), Kind::Switch},
                             {QStringLiteral("proxy")}, {QStringLiteral("header"), Kind::Repeated},
                             {QStringLiteral("tools")}, {QStringLiteral("vision")}, {QStringLiteral("json-mode")},
                             {QStringLiteral("context-tokens")}, {QStringLiteral("max-output-tokens")},
                             {QStringLiteral("rpm")}, {QStringLiteral("tpm")}, {QStringLiteral("tokens-per-day")},
                             {QStringLiteral("tokens-per-month")}, {QStringLiteral("price-in")},
                             {QStringLiteral("price-out")}, {QStringLiteral("price-cached")},
                             {QStringLiteral("failover-on")}, {QStringLiteral("test-model")}};
    if (forSet)
        specs.append({QStringLiteral("enabled"), Kind::Switch});
    return specs + paramFlags(forSet);
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
    if (f.has(QStringLiteral("api"))) {
        const QString api = f.value(QStringLiteral("api"));
        const std::optional<OpenAiApi> parsed = openAiApiFromName(api);
        if (!parsed)
            return Error::invalid(QStringLiteral("--api must be chat or responses, got '%1'").arg(api));
        c.openAiApi = *parsed;
    }
    // Said here in the flags' words; validateChannel says it again for import files.
    if (c.type != ChannelType::OpenAI && c.openAiApi == OpenAiApi::Responses) {
        return Error::invalid(QStringLiteral("--api responses is only for openai channels, and '%1' is %2 (%3)")
                                  .arg(c.name, channelTypeName(c.type),
                                       f.has(QStringLiteral("api")) ? QStringLiteral("leave --api out or give --api chat")
                                                                    : QStringLiteral("add --api chat to change its type")));
    }
    if (f.has(QStringLiteral("base-url")))
        c.baseUrl = f.value(QStringLiteral("base-url")).trimmed();
    if (f.has(QStringLiteral("key"))) {
        c.keys.clear();
        for (const QString &key : f.values(QStringLiteral("key"))) {
            if (key.trimmed().isEmpty())
                return Error::invalid(QStringLiteral("--key must not be empty"));
            if (SecretVault::isReference(key.trimmed()))
                return Error::invalid(QStringLiteral("--key takes the provider's key itself, not a stored reference"));
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
        // Said here in the flag's words; validateChannel says it again for import files.
        if (Status s = validateExtraHeaders(*headers); !s)
            return Error::invalid(QStringLiteral("--header: ") + s.error().message);
        c.extraHeaders = *headers;
    }
    for (const auto &[flag, target] : {std::pair{QStringLiteral("tools"), &c.capabilities.tools},
                                       std::pair{QStringLiteral("vision"), &c.capabilities.vision},
                                       std::pair{QStringLiteral("json-mode"), &c.capabilities.jsonMode}}) {
        if (f.has(flag)) {
            const std::optional<CapabilityMode> value = capabilityModeFromName(f.value(flag));
            if (!value)
                return Error::invalid(QStringLiteral("--%1 must be on, off or auto, got '%2'").arg(flag, f.value(flag)));
            *target = *value;
        }
    }
    for (const auto &[flag, target] : {std::pair{QStringLiteral("context-tokens"), &c.capabilities.contextTokens},
                                       std::pair{QStringLiteral("max-output-tokens"), &c.capabilities.maxOutputTokens}}) {
        if (f.has(flag)) {
            Result<int> tokens = parseInt(QStringLiteral("--") + flag, f.value(flag), 0);
            if (!tokens)
                return tokens.error();
            *target = *tokens;
        }
    }
    for (const auto &[flag, target] : {std::pair{QStringLiteral("rpm"), &c.budget.requestsPerMinute},
                                       std::pair{QStringLiteral("tpm"), &c.budget.tokensPerMinute},
                                       std::pair{QStringLiteral("tokens-per-day"), &c.budget.tokensPerDay},
                                       std::pair{QStringLiteral("tokens-per-month"), &c.budget.tokensPerMonth}}) {
        if (f.has(flag)) {
            Result<qint64> count = parseCount(QStringLiteral("--") + flag, f.value(flag));
            if (!count)
                return count.error();
            *target = *count;
        }
    }
    for (const auto &[flag, target] : {std::pair{QStringLiteral("price-in"), &c.price.inputPerMillion},
                                       std::pair{QStringLiteral("price-out"), &c.price.outputPerMillion},
                                       std::pair{QStringLiteral("price-cached"), &c.price.cachedPerMillion}}) {
        if (f.has(flag)) {
            Result<double> price = parsePrice(QStringLiteral("--") + flag, f.value(flag));
            if (!price)
                return price.error();
            *target = *price;
        }
    }
    if (f.has(QStringLiteral("failover-on"))) {
        Result<QList<int>> statuses = parseStatuses(QStringLiteral("--failover-on"), f.value(QStringLiteral("failover-on")));
        if (!statuses)
            return statuses.error();
        c.failoverStatuses = *statuses;
    }
    if (f.has(QStringLiteral("test-model")))
        c.testModel = f.value(QStringLiteral("test-model")).trimmed();
    if (Status s = applyParamFlags(f, c); !s)
        return s;
    return validateChannel(c);
}

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

QString budgetText(const ChannelBudget &b)
{
    if (!b.any())
        return QStringLiteral("none");
    QStringList parts;
    for (const auto &[value, label] : {std::pair{b.requestsPerMinute, "requests/min"}, std::pair{b.tokensPerMinute, "tokens/min"},
                                       std::pair{b.tokensPerDay, "tokens/day"}, std::pair{b.tokensPerMonth, "tokens/month"}}) {
        if (value > 0)
            parts << QStringLiteral("%1 %2").arg(value).arg(QLatin1String(label));
    }
    return parts.join(QStringLiteral(", "));
}

QString priceText(const ChannelPrice &p)
{
    if (p == ChannelPrice{})
        return QStringLiteral("unknown");
    return QStringLiteral("$%1 in, $%2 out, $%3 cached per 1M tokens")
        .arg(p.inputPerMillion).arg(p.outputPerMillion).arg(p.cachedPerMillion);
}

// Which API an OpenAI channel is called with, and the path that means; other types have one API.
QString apiText(const Channel &c)
{
    if (c.type != ChannelType::OpenAI)
        return QStringLiteral("-");
    return c.openAiApi == OpenAiApi::Responses ? QStringLiteral("responses (POST {base}/responses)")
                                               : QStringLiteral("chat (POST {base}/chat/completions)");
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
    return parseWithPositionals(args, specs, QStringLiteral("channel ") + command, {QStringLiteral("a channel name")});
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
    Result<RouterStatus> status = RouterStateRepository(**db).load();
    if (!status)
        return runtimeError(ctx, status.error().message);

    if (flags->has(QStringLiteral("json"))) {
        QJsonArray array;
        for (const Channel &c : *channels)
            array.append(channelStateJson(c, channelStateView(c, *status)));
        ctx.out << toJsonText(array);
        return ExitOk;
    }
    if (channels->isEmpty()) {
        ctx.out << "No channels. Add one with 'tarn channel add' (see 'tarn channel --help')." << Qt::endl;
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const Channel &c : *channels) {
        rows.append({c.name, channelTypeName(c.type), yesNo(c.enabled), healthStateName(channelStateView(c, *status).state),
                     QString::number(c.priority), QString::number(c.weight), c.servedModels().join(u','), c.baseUrl});
    }
    ctx.out << formatTable({QStringLiteral("NAME"), QStringLiteral("TYPE"), QStringLiteral("ENABLED"), QStringLiteral("STATE"),
                            QStringLiteral("PRIORITY"), QStringLiteral("WEIGHT"), QStringLiteral("MODELS"),
                            QStringLiteral("BASE-URL")},
                           rows, {4, 5});
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
    Result<RouterStatus> status = RouterStateRepository(**db).load();
    if (!status)
        return runtimeError(ctx, status.error().message);
    const Channel &c = *found;
    const ChannelStateView view = channelStateView(c, *status);
    if (flags->has(QStringLiteral("json"))) {
        ctx.out << toJsonText(channelStateJson(c, view));
        return ExitOk;
    }
    QStringList keys;
    for (const KeyStateView &k : view.keys) {
        keys << QStringLiteral("%1 %2 %3").arg(k.maskedKey, k.keyId,
                                               describeState(k.state, k.cooldownUntil, k.disabledReason));
    }
    QStringList map;
    for (auto it = c.modelMap.cbegin(); it != c.modelMap.cend(); ++it)
        map << it.key() + u'=' + it.value();
    QStringList headers;
    for (auto it = c.extraHeaders.cbegin(); it != c.extraHeaders.cend(); ++it)
        headers << it.key() + u'=' + maskSecret(it.value());
    QStringList failover;
    for (const int code : c.failoverStatuses)
        failover << QString::number(code);
    QStringList learned;
    for (const LearnedCapability &l : c.learned)
        learned << QStringLiteral("%1 %2 %3").arg(l.model, capabilityName(l.capability), l.supported ? QStringLiteral("yes") : QStringLiteral("no"));
    const QList<std::pair<QString, QString>> lines = {
        {QStringLiteral("name"), c.name},
        {QStringLiteral("type"), channelTypeName(c.type)},
        {QStringLiteral("api"), apiText(c)},
        {QStringLiteral("enabled"), yesNo(c.enabled)},
        {QStringLiteral("state"), describeState(view.state, view.cooldownUntil, view.reason)},
        {QStringLiteral("base url"), c.baseUrl},
        {QStringLiteral("keys"), keys.join(QStringLiteral(", "))},
        {QStringLiteral("models"), c.models.join(QStringLiteral(", "))},
        {QStringLiteral("model map"), map.isEmpty() ? QStringLiteral("-") : map.join(QStringLiteral(", "))},
        {QStringLiteral("priority"), QString::number(c.priority)},
        {QStringLiteral("weight"), QString::number(c.weight)},
        {QStringLiteral("tools"), capabilityModeName(c.capabilities.tools)},
        {QStringLiteral("vision"), capabilityModeName(c.capabilities.vision)},
        {QStringLiteral("json mode"), capabilityModeName(c.capabilities.jsonMode)},
        {QStringLiteral("context tokens"), c.capabilities.contextTokens ? QString::number(c.capabilities.contextTokens)
                                                                        : QStringLiteral("auto")},
        {QStringLiteral("max output"), c.capabilities.maxOutputTokens ? QString::number(c.capabilities.maxOutputTokens)
                                                                      : QStringLiteral("auto")},
        {QStringLiteral("budget"), budgetText(c.budget)},
        {QStringLiteral("price"), priceText(c.price)},
        {QStringLiteral("failover on"), failover.isEmpty() ? QStringLiteral("-") : failover.join(u',')},
        {QStringLiteral("test model"), ChannelProbe::probeModel(c, {})},
        {QStringLiteral("params"), paramsText(c.params)},
        {QStringLiteral("strip betas"), c.stripBetas.isEmpty() ? QStringLiteral("-") : c.stripBetas.join(QStringLiteral(", "))},
        {QStringLiteral("learned"), learned.isEmpty() ? QStringLiteral("-") : learned.join(QStringLiteral(", "))},
        {QStringLiteral("proxy"), c.proxy.isEmpty() ? QStringLiteral("(from environment)") : c.proxy},
        {QStringLiteral("headers"), headers.isEmpty() ? QStringLiteral("-") : headers.join(QStringLiteral(", "))},
        {QStringLiteral("created"), formatTime(c.createdAt)},
        {QStringLiteral("updated"), formatTime(c.updatedAt)},
    };
    for (const auto &[label, value] : lines)
        ctx.out << QString(label + u':').leftJustified(16) << value << '\n';
    if (view.published) {
        ctx.out << QString(QStringLiteral("routing:")).leftJustified(16)
                << QStringLiteral("effective weight %1, latency %2, errors %3 % (as of %4)")
                       .arg(view.effectiveWeight)
                       .arg(view.latencyMs >= 0 ? QStringLiteral("%1 ms").arg(qRound64(view.latencyMs)) : QStringLiteral("-"))
                       .arg(view.errorRate * 100, 0, 'f', 1)
                       .arg(formatTime(view.updatedAt))
                << '\n';
    }
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
    if (command == u"test")
        return runChannelTest(ctx, rest);
    if (command == u"reset-learned")
        return runChannelResetLearned(ctx, rest);
    if (command == u"enable-key")
        return runChannelEnableKey(ctx, rest);
    if (command.isEmpty()) {
        return usageError(ctx, QStringLiteral("'tarn channel' needs a subcommand (add, list, show, set, enable, disable, "
                                              "remove, test, reset-learned, enable-key)"));
    }
    return usageError(ctx, QStringLiteral("unknown channel subcommand '%1' (expected add, list, show, set, enable, disable, "
                                          "remove, test, reset-learned or enable-key)")
                               .arg(command));
}

} // namespace tarn::gateway::cli
