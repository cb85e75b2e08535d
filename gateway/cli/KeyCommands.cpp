// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn key create|list|limit|revoke`.
#include "gateway/cli/CliSupport.h"

#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"

#include <QJsonArray>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

const QList<FlagSpec> kLimitFlags = {{QStringLiteral("tokens-per-day")}, {QStringLiteral("tokens-per-month")},
                                     {QStringLiteral("rpm")}, {QStringLiteral("quota")}};

// Applies the limit flags that are given to limits (absent ones leave it as it is). --quota is
// the name --tokens-per-month had before limits were enforced.
Status applyLimitFlags(const ParsedFlags &flags, ClientKeyLimits &limits)
{
    if (flags.has(QStringLiteral("quota")) && flags.has(QStringLiteral("tokens-per-month")))
        return Error::invalid(QStringLiteral("--quota is the old name of --tokens-per-month: give one of them"));
    for (const auto &[flag, target] : {std::pair{QStringLiteral("tokens-per-day"), &limits.tokensPerDay},
                                       std::pair{QStringLiteral("tokens-per-month"), &limits.tokensPerMonth},
                                       std::pair{QStringLiteral("quota"), &limits.tokensPerMonth}}) {
        if (!flags.has(flag))
            continue;
        Result<qint64> value = parseCount(QStringLiteral("--") + flag, flags.value(flag));
        if (!value)
            return value.error();
        *target = *value;
    }
    if (flags.has(QStringLiteral("rpm"))) {
        Result<int> value = parseInt(QStringLiteral("--rpm"), flags.value(QStringLiteral("rpm")), 0);
        if (!value)
            return value.error();
        limits.requestsPerMinute = *value;
    }
    return {};
}

bool hasLimitFlag(const ParsedFlags &flags)
{
    for (const FlagSpec &spec : kLimitFlags) {
        if (flags.has(spec.name))
            return true;
    }
    return false;
}

// "100000/day, 2000000/month, 60/min", "-" when unlimited.
QString limitsText(const ClientKeyLimits &limits)
{
    QStringList parts;
    if (limits.tokensPerDay > 0)
        parts << QStringLiteral("%1/day").arg(limits.tokensPerDay);
    if (limits.tokensPerMonth > 0)
        parts << QStringLiteral("%1/month").arg(limits.tokensPerMonth);
    if (limits.requestsPerMinute > 0)
        parts << QStringLiteral("%1 req/min").arg(limits.requestsPerMinute);
    return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(", "));
}

int createKey(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, QList<FlagSpec>{{QStringLiteral("name")}, {QStringLiteral("models")},
                                                                 {QStringLiteral("expires")}}
                                                     + kLimitFlags);
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    if (Status s = requireFlags(*flags, {QStringLiteral("name")}); !s)
        return usageError(ctx, s.error().message);
    ClientKey key;
    key.name = flags->value(QStringLiteral("name")).trimmed();
    if (Status s = validateName(QStringLiteral("key"), key.name); !s)
        return usageError(ctx, s.error().message);
    key.models = splitList(flags->value(QStringLiteral("models")));
    if (flags->has(QStringLiteral("expires"))) {
        Result<QDateTime> expires = parseDateTime(QStringLiteral("--expires date"), flags->value(QStringLiteral("expires")));
        if (!expires)
            return usageError(ctx, expires.error().message);
        if (*expires <= QDateTime::currentDateTimeUtc())
            return usageError(ctx, QStringLiteral("--expires %1 is in the past").arg(flags->value(QStringLiteral("expires"))));
        key.expiresAt = *expires;
    }
    if (Status s = applyLimitFlags(*flags, key.limits); !s)
        return usageError(ctx, s.error().message);

    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<QString> plaintext = ClientKeyRepository(**db).create(key);
    if (!plaintext)
        return runtimeError(ctx, plaintext.error().message);
    ctx.out << *plaintext << Qt::endl;
    ctx.err << "Created key '" << key.name << "'. This is the only time it is shown: store it now. "
            << "Clients send it as 'Authorization: Bearer <key>'." << Qt::endl;
    return ExitOk;
}

QString keyStatus(const ClientKey &key)
{
    if (key.revoked)
        return QStringLiteral("revoked");
    if (key.isExpired(QDateTime::currentDateTimeUtc()))
        return QStringLiteral("expired");
    return QStringLiteral("active");
}

int listKeys(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("json"), Kind::Switch}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<QList<ClientKey>> keys = ClientKeyRepository(**db).list();
    if (!keys)
        return runtimeError(ctx, keys.error().message);

    if (flags->has(QStringLiteral("json"))) {
        QJsonArray array;
        for (const ClientKey &k : *keys) {
            array.append(QJsonObject{
                {QStringLiteral("name"), k.name},
                {QStringLiteral("prefix"), k.prefix},
                {QStringLiteral("models"), QJsonArray::fromStringList(k.models)},
                {QStringLiteral("expires_at"), QJsonValue::fromVariant(jsonTime(k.expiresAt))},
                {QStringLiteral("tokens_per_day"), k.limits.tokensPerDay},
                {QStringLiteral("tokens_per_month"), k.limits.tokensPerMonth},
                {QStringLiteral("rpm"), k.limits.requestsPerMinute},
                {QStringLiteral("revoked"), k.revoked},
                {QStringLiteral("status"), keyStatus(k)},
                {QStringLiteral("created_at"), QJsonValue::fromVariant(jsonTime(k.createdAt))},
                {QStringLiteral("last_used_at"), QJsonValue::fromVariant(jsonTime(k.lastUsedAt))},
                {QStringLiteral("last_used_address"),
                 k.lastUsedAddress.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(k.lastUsedAddress)},
            });
        }
        ctx.out << toJsonText(array);
        return ExitOk;
    }
    if (keys->isEmpty()) {
        ctx.out << "No client keys. Create one with 'tarn key create --name NAME'." << Qt::endl;
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const ClientKey &k : *keys) {
        rows.append({k.name, k.prefix + QStringLiteral("…"), keyStatus(k),
                     k.models.isEmpty() ? QStringLiteral("(all)") : k.models.join(u','), limitsText(k.limits),
                     formatTime(k.expiresAt), formatTime(k.createdAt), formatTime(k.lastUsedAt),
                     k.lastUsedAddress.isEmpty() ? QStringLiteral("-") : k.lastUsedAddress});
    }
    ctx.out << formatTable({QStringLiteral("NAME"), QStringLiteral("PREFIX"), QStringLiteral("STATUS"),
                            QStringLiteral("MODELS"), QStringLiteral("LIMITS"), QStringLiteral("EXPIRES"),
                            QStringLiteral("CREATED"), QStringLiteral("LAST-USED"), QStringLiteral("LAST-ADDRESS")},
                           rows);
    return ExitOk;
}

// `tarn key limit NAME [--tokens-per-day N] [--tokens-per-month N] [--rpm N]`: changes the given
// limits, keeps the others.
int limitKey(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseWithPositionals(args, kLimitFlags, QStringLiteral("key limit"), {QStringLiteral("a key name")});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!hasLimitFlag(*flags))
        return usageError(ctx, QStringLiteral("'tarn key limit' needs at least one of --tokens-per-day, --tokens-per-month, --rpm"));
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    const QString name = flags->positionals.first();
    ClientKeyRepository keys(**db);
    Result<ClientKey> key = keys.findByName(name);
    if (!key)
        return runtimeError(ctx, key.error().message);
    ClientKeyLimits limits = key->limits;
    if (Status s = applyLimitFlags(*flags, limits); !s)
        return usageError(ctx, s.error().message);
    if (Status s = keys.setLimits(name, limits); !s)
        return runtimeError(ctx, s.error().message);
    ctx.out << "Limits of key '" << name << "': " << (limits.any() ? limitsText(limits) : QStringLiteral("none"))
            << "." << Qt::endl;
    return ExitOk;
}

int revokeKey(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (flags->positionals.size() != 1)
        return usageError(ctx, flags->positionals.isEmpty() ? QStringLiteral("'tarn key revoke' needs a key name")
                                                            : QStringLiteral("unexpected argument '%1'").arg(flags->positionals.at(1)));
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    const QString name = flags->positionals.first();
    if (Status s = ClientKeyRepository(**db).revoke(name); !s)
        return runtimeError(ctx, s.error().message);
    ctx.out << "Revoked key '" << name << "'." << Qt::endl;
    return ExitOk;
}

} // namespace

int runKeyCommand(Context &ctx, const QStringList &args)
{
    const QString command = args.value(0);
    if (command == u"create")
        return createKey(ctx, args.mid(1));
    if (command == u"list")
        return listKeys(ctx, args.mid(1));
    if (command == u"limit")
        return limitKey(ctx, args.mid(1));
    if (command == u"revoke")
        return revokeKey(ctx, args.mid(1));
    if (command.isEmpty())
        return usageError(ctx, QStringLiteral("'tarn key' needs a subcommand (create, list, limit, revoke)"));
    return usageError(ctx, QStringLiteral("unknown key subcommand '%1' (expected create, list, limit or revoke)").arg(command));
}

} // namespace tarn::gateway::cli
