// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn export` / `tarn import`: the whole configuration as one JSON document.
#include "gateway/cli/ChannelParams.h"
#include "gateway/cli/CliSupport.h"

#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/PoolRepository.h"
#include "gateway/storage/SettingsRepository.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <climits>

namespace tarn::gateway::cli {

namespace {

// 2: channel budgets, prices, failover statuses, test model, json_mode and max_output_tokens;
// pools. 3: channel params and strip_betas. 4: openai_api ("chat" or "responses"). Older files
// still import (the new fields take their defaults: chat, since Chat Completions was all they knew).
// 5: client key limits (tokens_per_day, tokens_per_month for quota_tokens, rpm), hash_scheme and
// key_salt. An older Tarn must not read a version 5 file: it would take salted hashes for plain ones.
constexpr int kFormatVersion = 5;

// What an import file holds once parsed and validated, before anything is written.
struct ImportedConfig
{
    QList<Channel> channels;
    QList<ClientKey> keys;
    QByteArray keySalt; // the exporting install's salt (with --secrets); empty = none in the file
    QMap<QString, QString> settings;
    QMap<QString, PoolSettings> pools;
};

// A whole number >= 0 at object[name]; absent is 0.
Result<qint64> countField(const QJsonObject &object, const QString &name, const QString &where)
{
    const QJsonValue value = object.value(name);
    if (value.isUndefined() || value.isNull())
        return qint64(0);
    if (!value.isDouble() || value.toDouble() < 0 || value.toDouble() != double(value.toInteger()))
        return Error::invalid(QStringLiteral("%1.%2 must be a whole number >= 0").arg(where, name));
    return value.toInteger();
}

Result<double> priceField(const QJsonObject &object, const QString &name, const QString &where)
{
    const QJsonValue value = object.value(name);
    if (value.isUndefined() || value.isNull())
        return 0.0;
    if (!value.isDouble() || value.toDouble() < 0)
        return Error::invalid(QStringLiteral("%1.%2 must be a number >= 0").arg(where, name));
    return value.toDouble();
}

// budget, price, failover_on and test_model (format version 2).
Status routingFromJson(const QJsonObject &o, const QString &where, Channel &c)
{
    const QJsonObject budget = o.value(QStringLiteral("budget")).toObject();
    const QString budgetWhere = where + QStringLiteral(".budget");
    for (const auto &[name, target] : {std::pair{QStringLiteral("rpm"), &c.budget.requestsPerMinute},
                                       std::pair{QStringLiteral("tpm"), &c.budget.tokensPerMinute},
                                       std::pair{QStringLiteral("tokens_per_day"), &c.budget.tokensPerDay},
                                       std::pair{QStringLiteral("tokens_per_month"), &c.budget.tokensPerMonth}}) {
        Result<qint64> value = countField(budget, name, budgetWhere);
        if (!value)
            return value.error();
        *target = *value;
    }
    const QJsonObject price = o.value(QStringLiteral("price")).toObject();
    const QString priceWhere = where + QStringLiteral(".price");
    for (const auto &[name, target] : {std::pair{QStringLiteral("input"), &c.price.inputPerMillion},
                                       std::pair{QStringLiteral("output"), &c.price.outputPerMillion},
                                       std::pair{QStringLiteral("cached"), &c.price.cachedPerMillion}}) {
        Result<double> value = priceField(price, name, priceWhere);
        if (!value)
            return value.error();
        *target = *value;
    }
    const QJsonValue failover = o.value(QStringLiteral("failover_on"));
    if (!failover.isUndefined() && !failover.isNull() && !failover.isArray())
        return Error::invalid(QStringLiteral("%1.failover_on must be an array of HTTP statuses").arg(where));
    for (const QJsonValue &status : failover.toArray()) {
        if (!status.isDouble())
            return Error::invalid(QStringLiteral("%1.failover_on must be an array of HTTP statuses").arg(where));
        c.failoverStatuses.append(status.toInt());
    }
    c.testModel = o.value(QStringLiteral("test_model")).toString();
    return {};
}

Result<QMap<QString, PoolSettings>> poolsFromJson(const QJsonValue &value)
{
    QMap<QString, PoolSettings> pools;
    if (value.isUndefined() || value.isNull())
        return pools;
    if (!value.isObject())
        return Error::invalid(QStringLiteral("pools must be an object of model -> {strategy, sticky}"));
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QJsonObject o = it.value().toObject();
        PoolSettings settings;
        if (const QJsonValue strategy = o.value(QStringLiteral("strategy")); !strategy.isUndefined()) {
            const std::optional<RoutingStrategy> parsed = routingStrategyFromName(strategy.toString());
            if (!parsed) {
                return Error::invalid(QStringLiteral("pools.%1.strategy must be weighted, latency or cheapest, got '%2'")
                                          .arg(it.key(), strategy.toString()));
            }
            settings.strategy = *parsed;
        }
        settings.sticky = o.value(QStringLiteral("sticky")).toBool(true);
        pools.insert(it.key(), settings);
    }
    return pools;
}

Result<QStringList> stringArray(const QJsonValue &value, const QString &where)
{
    if (value.isUndefined() || value.isNull())
        return QStringList();
    if (!value.isArray())
        return Error::invalid(QStringLiteral("%1 must be an array of strings").arg(where));
    QStringList list;
    for (const QJsonValue &v : value.toArray()) {
        if (!v.isString())
            return Error::invalid(QStringLiteral("%1 must be an array of strings").arg(where));
        list.append(v.toString());
    }
    return list;
}

Result<QMap<QString, QString>> stringMap(const QJsonValue &value, const QString &where)
{
    QMap<QString, QString> map;
    if (value.isUndefined() || value.isNull())
        return map;
    if (!value.isObject())
        return Error::invalid(QStringLiteral("%1 must be an object of strings").arg(where));
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isString())
            return Error::invalid(QStringLiteral("%1.%2 must be a string").arg(where, it.key()));
        map.insert(it.key(), it.value().toString());
    }
    return map;
}

Result<Channel> channelFromJson(const QJsonObject &o, const QString &where)
{
    Channel c;
    c.name = o.value(QStringLiteral("name")).toString();
    const std::optional<ChannelType> type = channelTypeFromName(o.value(QStringLiteral("type")).toString());
    if (!type)
        return Error::invalid(QStringLiteral("%1: unknown channel type '%2'").arg(where, o.value(QStringLiteral("type")).toString()));
    c.type = *type;
    const QJsonValue api = o.value(QStringLiteral("openai_api"));
    if (!api.isUndefined() && !api.isNull()) {
        const std::optional<OpenAiApi> parsed = api.isString() ? openAiApiFromName(api.toString()) : std::nullopt;
        if (!parsed)
            return Error::invalid(QStringLiteral("%1.openai_api must be \"chat\" or \"responses\"").arg(where));
        c.openAiApi = *parsed;
    }
    c.baseUrl = o.value(QStringLiteral("base_url")).toString();
    Result<QStringList> keys = stringArray(o.value(QStringLiteral("keys")), where + QStringLiteral(".keys"));
    Result<QStringList> models = stringArray(o.value(QStringLiteral("models")), where + QStringLiteral(".models"));
    Result<QMap<QString, QString>> map = stringMap(o.value(QStringLiteral("model_map")), where + QStringLiteral(".model_map"));
    Result<QMap<QString, QString>> headers = stringMap(o.value(QStringLiteral("extra_headers")), where + QStringLiteral(".extra_headers"));
    for (const Error *e : {keys ? nullptr : &keys.error(), models ? nullptr : &models.error(), map ? nullptr : &map.error(),
                           headers ? nullptr : &headers.error()}) {
        if (e)
            return *e;
    }
    for (const QString &key : *keys) {
        if (SecretVault::isReference(key))
            return Error::invalid(QStringLiteral("%1.keys holds a stored reference, not a key (export with --secrets to carry keys)").arg(where));
    }
    c.keys = *keys;
    c.models = *models;
    c.modelMap = *map;
    c.extraHeaders = *headers;
    const QJsonValue weight = o.value(QStringLiteral("weight"));
    const QJsonValue priority = o.value(QStringLiteral("priority"));
    if ((!weight.isUndefined() && !weight.isDouble()) || (!priority.isUndefined() && !priority.isDouble()))
        return Error::invalid(QStringLiteral("%1: priority and weight must be numbers").arg(where));
    c.priority = priority.toInt(0);
    c.weight = weight.toDouble(1.0);
    c.enabled = o.value(QStringLiteral("enabled")).toBool(true);
    c.capabilities = capabilitiesFromJson(o.value(QStringLiteral("capabilities")).toObject());
    c.proxy = o.value(QStringLiteral("proxy")).toString();
    if (Status s = routingFromJson(o, where, c); !s)
        return s.error();
    if (Status s = channelParamsFromJson(o, where, c); !s)
        return s.error();
    if (Status s = validateChannel(c); !s)
        return Error::invalid(where + QStringLiteral(": ") + s.error().message);
    return c;
}

Result<ClientKey> keyFromJson(const QJsonObject &o, const QString &where)
{
    ClientKey k;
    k.name = o.value(QStringLiteral("name")).toString();
    if (Status s = validateName(QStringLiteral("key"), k.name); !s)
        return Error::invalid(where + QStringLiteral(": ") + s.error().message);
    Result<QStringList> models = stringArray(o.value(QStringLiteral("models")), where + QStringLiteral(".models"));
    if (!models)
        return models.error();
    k.models = *models;
    const QJsonValue expires = o.value(QStringLiteral("expires_at"));
    if (expires.isString()) {
        Result<QDateTime> time = parseDateTime(where + QStringLiteral(".expires_at"), expires.toString());
        if (!time)
            return time.error();
        k.expiresAt = *time;
    }
    // Files before version 5 had the never-enforced quota_tokens, which became tokens_per_month.
    k.limits.tokensPerMonth = o.value(QStringLiteral("tokens_per_month")).toInteger(o.value(QStringLiteral("quota_tokens")).toInteger(0));
    k.limits.tokensPerDay = o.value(QStringLiteral("tokens_per_day")).toInteger(0);
    k.limits.requestsPerMinute = int(std::clamp<qint64>(o.value(QStringLiteral("rpm")).toInteger(0), 0, INT_MAX));
    if (k.limits.tokensPerMonth < 0 || k.limits.tokensPerDay < 0)
        return Error::invalid(QStringLiteral("%1: token limits must be 0 (unlimited) or more").arg(where));
    bool knownScheme = true;
    k.hashScheme = keyHashSchemeFromName(o.value(QStringLiteral("hash_scheme")).toString(QStringLiteral("sha256")), &knownScheme);
    if (!knownScheme)
        return Error::invalid(QStringLiteral("%1.hash_scheme must be \"sha256\" or \"hmac-sha256\"").arg(where));
    k.revoked = o.value(QStringLiteral("revoked")).toBool(false);
    k.prefix = o.value(QStringLiteral("prefix")).toString();
    k.hash = o.value(QStringLiteral("key_hash")).toString().toLatin1();
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    if (!k.hash.isEmpty() && !hex.match(QString::fromLatin1(k.hash)).hasMatch())
        return Error::invalid(QStringLiteral("%1.key_hash is not a SHA-256 hex digest").arg(where));
    if (k.hash.isEmpty())
        k.hashScheme = KeyHashScheme::Sha256; // no hash: an existing key keeps its own
    if (const QJsonValue created = o.value(QStringLiteral("created_at")); created.isString())
        k.createdAt = parseDateTime(QString(), created.toString()).ok() ? *parseDateTime(QString(), created.toString()) : QDateTime();
    return k;
}

Result<ImportedConfig> parseConfig(const QByteArray &bytes, const QString &file)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (doc.isNull())
        return Error::invalid(QStringLiteral("%1 is not valid JSON: %2 at offset %3").arg(file, parseError.errorString()).arg(parseError.offset));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != u"tarn-config")
        return Error::invalid(QStringLiteral("%1 is not a Tarn configuration (no \"format\": \"tarn-config\")").arg(file));
    const int version = root.value(QStringLiteral("version")).toInt(0);
    if (version > kFormatVersion)
        return Error::invalid(QStringLiteral("%1 was written by a newer Tarn (format version %2; this build reads %3)").arg(file).arg(version).arg(kFormatVersion));
    if (version < 1)
        return Error::invalid(QStringLiteral("%1 has no valid \"version\"").arg(file));

    ImportedConfig config;
    const QJsonArray channels = root.value(QStringLiteral("channels")).toArray();
    for (qsizetype i = 0; i < channels.size(); ++i) {
        const QString where = QStringLiteral("channels[%1]").arg(i);
        Result<Channel> c = channelFromJson(channels.at(i).toObject(), where);
        if (!c)
            return c.error();
        for (const Channel &other : config.channels) {
            if (other.name == c->name)
                return Error::invalid(QStringLiteral("%1: channel '%2' appears twice").arg(where, c->name));
        }
        config.channels.append(*c);
    }
    const QJsonArray keys = root.value(QStringLiteral("client_keys")).toArray();
    for (qsizetype i = 0; i < keys.size(); ++i) {
        Result<ClientKey> k = keyFromJson(keys.at(i).toObject(), QStringLiteral("client_keys[%1]").arg(i));
        if (!k)
            return k.error();
        config.keys.append(*k);
    }
    if (const QJsonValue salt = root.value(QStringLiteral("key_salt")); salt.isString()) {
        static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
        if (!hex.match(salt.toString()).hasMatch())
            return Error::invalid(QStringLiteral("%1: key_salt is not 32 hex-encoded bytes").arg(file));
        config.keySalt = QByteArray::fromHex(salt.toString().toLatin1());
    }
    Result<QMap<QString, QString>> settings = stringMap(root.value(QStringLiteral("settings")), QStringLiteral("settings"));
    if (!settings)
        return settings.error();
    config.settings = *settings;
    Result<QMap<QString, PoolSettings>> pools = poolsFromJson(root.value(QStringLiteral("pools")));
    if (!pools)
        return pools.error();
    config.pools = *pools;
    return config;
}

Status applyConfig(Database &db, const ImportedConfig &config, int &added, int &updated)
{
    ChannelRepository channels(db);
    ClientKeyRepository keys(db);
    SettingsRepository settings(db);
    PoolRepository pools(db);
    return db.transaction([&]() -> Status {
        for (Channel c : config.channels) {
            Result<Channel> existing = channels.findByName(c.name);
            if (existing) {
                c.id = existing->id;
                if (c.keys.isEmpty())
                    c.keys = existing->keys; // exported without --secrets: keep the keys we have
                if (Status s = channels.update(c); !s)
                    return s;
                ++updated;
                continue;
            }
            if (existing.error().code != ErrorCode::NotFound)
                return existing.error();
            if (c.keys.isEmpty()) {
                return Error::invalid(QStringLiteral("channel '%1' is new here and the file has no API keys for it "
                                                     "(it was exported without --secrets); nothing was imported")
                                          .arg(c.name));
            }
            if (Result<qint64> id = channels.add(c); !id)
                return id.error();
            ++added;
        }
        // Salted hashes only work under the salt they were made with: it comes with them.
        const bool salted = std::any_of(config.keys.cbegin(), config.keys.cend(), [](const ClientKey &k) {
            return !k.hash.isEmpty() && k.hashScheme == KeyHashScheme::HmacSha256;
        });
        if (salted && config.keySalt.isEmpty())
            return Error::invalid(QStringLiteral("the file has salted client key hashes but no key_salt; nothing was imported"));
        if (salted) {
            if (Status s = keys.adoptSalt(config.keySalt); !s)
                return s;
        }
        for (const ClientKey &k : config.keys) {
            if (Status s = keys.importKey(k); !s)
                return s;
        }
        for (auto it = config.settings.cbegin(); it != config.settings.cend(); ++it) {
            if (Status s = settings.setValue(it.key(), it.value()); !s)
                return s;
        }
        for (auto it = config.pools.cbegin(); it != config.pools.cend(); ++it) {
            if (Status s = pools.set(it.key(), it.value()); !s)
                return s;
        }
        return {};
    });
}

} // namespace

int runExportCommand(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("secrets"), FlagSpec::Kind::Switch}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (flags->positionals.size() > 1)
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.at(1)));
    const bool secrets = flags->has(QStringLiteral("secrets"));
    const QString file = flags->positionals.value(0);

    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    // Without --secrets no key is even read from the keychain.
    Result<QList<Channel>> channels = ChannelRepository(**db).list(secrets ? KeyAccess::Resolve : KeyAccess::References);
    Result<QList<ClientKey>> keys = ClientKeyRepository(**db).list();
    Result<QMap<QString, QString>> settings = SettingsRepository(**db).all();
    Result<QHash<QString, PoolSettings>> pools = PoolRepository(**db).list();
    for (const Error *e : {channels ? nullptr : &channels.error(), keys ? nullptr : &keys.error(),
                           settings ? nullptr : &settings.error(), pools ? nullptr : &pools.error()}) {
        if (e)
            return runtimeError(ctx, e->message);
    }

    QJsonArray channelArray;
    for (const Channel &c : *channels)
        channelArray.append(channelToJson(c, secrets ? SecretMode::Include : SecretMode::Omit));
    QJsonArray keyArray;
    bool anySalted = false;
    for (const ClientKey &k : *keys) {
        QJsonObject o{{QStringLiteral("name"), k.name},
                      {QStringLiteral("prefix"), k.prefix},
                      {QStringLiteral("models"), QJsonArray::fromStringList(k.models)},
                      {QStringLiteral("expires_at"), QJsonValue::fromVariant(jsonTime(k.expiresAt))},
                      {QStringLiteral("tokens_per_day"), k.limits.tokensPerDay},
                      {QStringLiteral("tokens_per_month"), k.limits.tokensPerMonth},
                      {QStringLiteral("rpm"), k.limits.requestsPerMinute},
                      {QStringLiteral("revoked"), k.revoked},
                      {QStringLiteral("created_at"), QJsonValue::fromVariant(jsonTime(k.createdAt))}};
        if (secrets) {
            o.insert(QStringLiteral("key_hash"), QString::fromLatin1(k.hash));
            o.insert(QStringLiteral("hash_scheme"), QString::fromLatin1(keyHashSchemeName(k.hashScheme)));
            anySalted = anySalted || k.hashScheme == KeyHashScheme::HmacSha256;
        }
        keyArray.append(o);
    }
    QJsonObject settingsObject;
    for (auto it = settings->cbegin(); it != settings->cend(); ++it)
        settingsObject.insert(it.key(), it.value());
    QJsonObject poolsObject;
    for (auto it = pools->cbegin(); it != pools->cend(); ++it) {
        poolsObject.insert(it.key(), QJsonObject{{QStringLiteral("strategy"), routingStrategyName(it.value().strategy)},
                                                 {QStringLiteral("sticky"), it.value().sticky}});
    }
    QJsonObject root{{QStringLiteral("format"), QStringLiteral("tarn-config")},
                           {QStringLiteral("version"), kFormatVersion},
                           {QStringLiteral("exported_at"), QJsonValue::fromVariant(jsonTime(QDateTime::currentDateTimeUtc()))},
                           {QStringLiteral("secrets"), secrets},
                           {QStringLiteral("channels"), channelArray},
                           {QStringLiteral("pools"), poolsObject},
                           {QStringLiteral("client_keys"), keyArray},
                           {QStringLiteral("settings"), settingsObject}};
    if (anySalted) { // the salted hashes are useless elsewhere without it
        Result<QByteArray> salt = ClientKeyRepository(**db).installSalt();
        if (!salt)
            return runtimeError(ctx, salt.error().message);
        root.insert(QStringLiteral("key_salt"), QString::fromLatin1(salt->toHex()));
    }
    const QByteArray json = QJsonDocument(root).toJson(QJsonDocument::Indented);
    if (file.isEmpty() || file == u"-") {
        ctx.out << QString::fromUtf8(json);
        ctx.out.flush();
        return ExitOk;
    }
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly))
        return runtimeError(ctx, QStringLiteral("cannot write %1: %2").arg(file, out.errorString()));
    if (secrets)
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(json);
    if (!out.commit())
        return runtimeError(ctx, QStringLiteral("cannot write %1: %2").arg(file, out.errorString()));
    ctx.out << "Exported " << channels->size() << " channels, " << keys->size() << " client keys and "
            << settings->size() << " settings to " << file << (secrets ? " (with secrets)." : " (without secrets).")
            << Qt::endl;
    return ExitOk;
}

int runImportCommand(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (flags->positionals.size() != 1)
        return usageError(ctx, flags->positionals.isEmpty() ? QStringLiteral("'tarn import' needs a FILE")
                                                            : QStringLiteral("unexpected argument '%1'").arg(flags->positionals.at(1)));
    const QString file = flags->positionals.first();
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return runtimeError(ctx, QStringLiteral("cannot read %1: %2").arg(file, in.errorString()));
    Result<ImportedConfig> config = parseConfig(in.readAll(), file);
    if (!config)
        return runtimeError(ctx, config.error().message);

    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    int added = 0;
    int updated = 0;
    if (Status s = applyConfig(**db, *config, added, updated); !s)
        return runtimeError(ctx, QStringLiteral("import failed, nothing was changed: %1").arg(s.error().message));
    ctx.out << "Imported " << config->channels.size() << " channels (" << added << " new, " << updated << " updated), "
            << config->keys.size() << " client keys and " << config->settings.size() << " settings." << Qt::endl;
    return ExitOk;
}

} // namespace tarn::gateway::cli
