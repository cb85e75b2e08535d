// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn key create|list|revoke`.
#include "gateway/cli/CliSupport.h"

#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"

#include <QJsonArray>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

int createKey(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("name")}, {QStringLiteral("models")},
                                                  {QStringLiteral("expires")}, {QStringLiteral("quota")}});
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
    if (flags->has(QStringLiteral("quota"))) {
        bool ok = false;
        key.quotaTokens = flags->value(QStringLiteral("quota")).toLongLong(&ok);
        if (!ok || key.quotaTokens < 0)
            return usageError(ctx, QStringLiteral("--quota must be a whole number of tokens >= 0"));
    }

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
                {QStringLiteral("quota_tokens"), k.quotaTokens},
                {QStringLiteral("revoked"), k.revoked},
                {QStringLiteral("status"), keyStatus(k)},
                {QStringLiteral("created_at"), QJsonValue::fromVariant(jsonTime(k.createdAt))},
                {QStringLiteral("last_used_at"), QJsonValue::fromVariant(jsonTime(k.lastUsedAt))},
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
                     k.models.isEmpty() ? QStringLiteral("(all)") : k.models.join(u','), formatTime(k.expiresAt),
                     formatTime(k.createdAt), formatTime(k.lastUsedAt)});
    }
    ctx.out << formatTable({QStringLiteral("NAME"), QStringLiteral("PREFIX"), QStringLiteral("STATUS"),
                            QStringLiteral("MODELS"), QStringLiteral("EXPIRES"), QStringLiteral("CREATED"),
                            QStringLiteral("LAST-USED")},
                           rows);
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
    if (command == u"revoke")
        return revokeKey(ctx, args.mid(1));
    if (command.isEmpty())
        return usageError(ctx, QStringLiteral("'tarn key' needs a subcommand (create, list, revoke)"));
    return usageError(ctx, QStringLiteral("unknown key subcommand '%1' (expected create, list or revoke)").arg(command));
}

} // namespace tarn::gateway::cli
