// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/ChannelRepository.h"

#include "gateway/core/Logging.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

#include <cmath>

namespace tarn::gateway {

using namespace storage;

namespace {

const QString kColumns = QStringLiteral(
    "id, name, type, base_url, keys, models, model_map, priority, weight, enabled, capabilities, "
    "proxy, extra_headers, created_at, updated_at, budget, price, failover_on, test_model, params, strip_betas, openai_api");

QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString budgetJson(const ChannelBudget &b)
{
    return compactJson({{QStringLiteral("rpm"), b.requestsPerMinute},
                        {QStringLiteral("tpm"), b.tokensPerMinute},
                        {QStringLiteral("tokens_per_day"), b.tokensPerDay},
                        {QStringLiteral("tokens_per_month"), b.tokensPerMonth}});
}

qint64 nonNegative(const QJsonObject &object, const char *key)
{
    return std::max<qint64>(0, object.value(QLatin1String(key)).toInteger(0));
}

ChannelBudget budgetFromJson(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    return {nonNegative(o, "rpm"), nonNegative(o, "tpm"), nonNegative(o, "tokens_per_day"),
            nonNegative(o, "tokens_per_month")};
}

QString priceJson(const ChannelPrice &p)
{
    return compactJson({{QStringLiteral("input"), p.inputPerMillion},
                        {QStringLiteral("output"), p.outputPerMillion},
                        {QStringLiteral("cached"), p.cachedPerMillion}});
}

double price(const QJsonObject &object, const char *key)
{
    const double value = object.value(QLatin1String(key)).toDouble(0);
    return std::isfinite(value) && value > 0 ? value : 0;
}

ChannelPrice priceFromJson(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    return {price(o, "input"), price(o, "output"), price(o, "cached")};
}

QString statusesJson(const QList<int> &statuses)
{
    QJsonArray array;
    for (const int status : statuses)
        array.append(status);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QList<int> statusesFromJson(const QString &text)
{
    QList<int> statuses;
    for (const QJsonValue &v : QJsonDocument::fromJson(text.toUtf8()).array()) {
        if (v.isDouble())
            statuses.append(v.toInt());
    }
    return statuses;
}

QString paramsJson(const ParamOverrides &params)
{
    return compactJson(paramOverridesToJson(params));
}

ParamOverrides paramsFromJson(const QString &text)
{
    if (text.isEmpty() || text == u"{}")
        return {};
    return paramOverridesFromJson(QJsonDocument::fromJson(text.toUtf8()).object());
}

QString capabilitiesJson(const ChannelCapabilities &caps)
{
    return QString::fromUtf8(QJsonDocument(capabilitiesToJson(caps)).toJson(QJsonDocument::Compact));
}

Channel channelFromRow(const QSqlQuery &q)
{
    Channel c;
    c.id = q.value(0).toLongLong();
    c.name = q.value(1).toString();
    c.type = channelTypeFromName(q.value(2).toString()).value_or(ChannelType::OpenAI);
    c.baseUrl = q.value(3).toString();
    c.keys = fromJsonArray(q.value(4).toString());
    c.models = fromJsonArray(q.value(5).toString());
    c.modelMap = fromJsonObject(q.value(6).toString());
    c.priority = q.value(7).toInt();
    c.weight = q.value(8).toDouble();
    c.enabled = q.value(9).toInt() != 0;
    c.capabilities = capabilitiesFromJson(QJsonDocument::fromJson(q.value(10).toString().toUtf8()).object());
    c.proxy = q.value(11).toString();
    c.extraHeaders = fromJsonObject(q.value(12).toString());
    c.createdAt = fromDbTime(q.value(13));
    c.updatedAt = fromDbTime(q.value(14));
    c.budget = budgetFromJson(q.value(15).toString());
    c.price = priceFromJson(q.value(16).toString());
    c.failoverStatuses = statusesFromJson(q.value(17).toString());
    c.testModel = q.value(18).toString();
    c.params = paramsFromJson(q.value(19).toString());
    c.stripBetas = fromJsonArray(q.value(20).toString());
    // The column's CHECK admits only names openAiApiFromName knows; should anything else get in
    // (a hand-edited file), Chat Completions is what every OpenAI-compatible provider serves, and
    // a wrong guess shows as that channel's failing call rather than a channel list that will not load.
    c.openAiApi = openAiApiFromName(q.value(21).toString()).value_or(OpenAiApi::Chat);
    return c;
}

// Values for name .. extra_headers, budget .. openai_api, in column order.
QVariantList channelValues(const Channel &c)
{
    return {c.name, channelTypeName(c.type), c.baseUrl, toJsonArray(c.keys), toJsonArray(c.models),
            toJsonObject(c.modelMap), c.priority, c.weight, c.enabled ? 1 : 0,
            capabilitiesJson(c.capabilities), c.proxy, toJsonObject(c.extraHeaders),
            budgetJson(c.budget), priceJson(c.price), statusesJson(c.failoverStatuses), c.testModel,
            paramsJson(c.params), toJsonArray(c.stripBetas), openAiApiName(c.openAiApi)};
}

// Fills disabledKeys and learned of the channels from their tables: one query each, whatever
// the number of channels. onlyId > 0 reads just that channel's rows.
Status loadChannelState(Database &db, QList<Channel> &channels, qint64 onlyId)
{
    QHash<qint64, Channel *> byId;
    for (Channel &c : channels)
        byId.insert(c.id, &c);
    const QString filter = onlyId > 0 ? QStringLiteral(" WHERE channel_id = ?") : QString();
    const QVariantList bindings = onlyId > 0 ? QVariantList{onlyId} : QVariantList{};

    QSqlQuery q(db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT channel_id, key_id, disabled_reason FROM channel_key_state") + filter,
                           bindings, QStringLiteral("reading disabled keys"));
        !s)
        return s;
    while (q.next()) {
        if (Channel *c = byId.value(q.value(0).toLongLong()))
            c->disabledKeys.insert(q.value(1).toString(), q.value(2).toString());
    }
    if (Status s = execute(q, QStringLiteral("SELECT channel_id, model, capability, supported, reason, learned_at "
                                             "FROM learned_capabilities") + filter + QStringLiteral(" ORDER BY learned_at, model, capability"),
                           bindings, QStringLiteral("reading learned capabilities"));
        !s)
        return s;
    while (q.next()) {
        Channel *c = byId.value(q.value(0).toLongLong());
        const std::optional<Capability> capability = capabilityFromName(q.value(2).toString());
        if (!c || !capability)
            continue; // a capability a later Tarn knows: not ours to interpret
        c->learned.append({q.value(1).toString(), *capability, q.value(3).toInt() != 0, q.value(4).toString(),
                           fromDbTime(q.value(5))});
    }
    return {};
}

// Translates a foreign-key failure (no such channel) into NotFound.
Status withChannelNotFound(Status status, qint64 channelId)
{
    if (!status && status.error().message.contains(u"FOREIGN KEY constraint failed"))
        return Error::notFound(QStringLiteral("no channel with id %1").arg(channelId));
    return status;
}

Error notFound(const QString &name)
{
    return Error::notFound(QStringLiteral("no channel named '%1'").arg(name));
}

// Replaces the references in the channels' keys by the keys (outside any transaction: a keychain
// round trip must not hold a database snapshot). A key that cannot be read keeps its reference.
void resolveKeys(Database &db, QList<Channel> &channels)
{
    for (Channel &c : channels) {
        for (QString &key : c.keys) {
            if (!SecretVault::isReference(key))
                continue;
            Result<QString> plain = db.secrets().resolve(key);
            if (plain)
                key = *plain;
            else if (db.secrets().firstFailure(key))
                qCWarning(lcStorage).noquote() << QStringLiteral("channel '%1': %2").arg(c.name, plain.error().message);
        }
    }
}

// The stored references of a channel's keys.
Result<QStringList> storedReferences(Database &db, const QString &where, const QVariant &binding)
{
    QSqlQuery q(db.handle());
    if (Status s = execute(q, QStringLiteral("SELECT keys FROM channels WHERE ") + where, {binding},
                           QStringLiteral("reading stored keys"));
        !s)
        return s.error();
    return q.next() ? fromJsonArray(q.value(0).toString()) : QStringList();
}

// The references to store for keys: a reference is kept; a key the channel already had (known
// from previous, its stored references) keeps its reference; any other key goes to the vault now,
// and out again if the surrounding transaction rolls back. Runs inside a transaction.
Result<QStringList> referencesFor(Database &db, const QStringList &keys, const QStringList &previous)
{
    SecretVault &vault = db.secrets();
    QHash<QString, QString> known; // key -> its reference
    for (const QString &reference : previous) {
        if (!SecretVault::isReference(reference))
            continue;
        if (Result<QString> plain = vault.resolve(reference))
            known.insert(*plain, reference);
    }
    QStringList references;
    for (const QString &key : keys) {
        if (SecretVault::isReference(key)) {
            references.append(key);
        } else if (const auto it = known.constFind(key); it != known.cend()) {
            references.append(*it);
        } else {
            Result<QString> reference = vault.store(key);
            if (!reference)
                return Error{reference.error().code, QStringLiteral("cannot store the key: %1").arg(reference.error().message)};
            db.afterRollback([&vault, ref = *reference] { (void)vault.forget(ref); });
            known.insert(key, *reference);
            references.append(*reference);
        }
    }
    return references;
}

// The channel as stored: its keys as vault references (referencesFor).
Result<Channel> withReferences(Database &db, const Channel &channel, const QStringList &previous)
{
    Result<QStringList> references = referencesFor(db, channel.keys, previous);
    if (!references)
        return references.error();
    Channel stored = channel;
    stored.keys = std::move(*references);
    return stored;
}

// A write's failure, a clash with another channel's name said as such.
Status nameClashSaid(Status s, const QString &name)
{
    if (!s && s.error().code == ErrorCode::AlreadyExists)
        return Error{ErrorCode::AlreadyExists, QStringLiteral("a channel named '%1' already exists").arg(name)};
    return s;
}

// Deletes, once committed, the secrets of references no longer in use.
void forgetUnused(Database &db, const QStringList &previous, const QStringList &current)
{
    for (const QString &reference : previous) {
        if (!SecretVault::isReference(reference) || current.contains(reference))
            continue;
        db.afterCommit([&db, reference] {
            if (const Status s = db.secrets().forget(reference); !s)
                qCWarning(lcStorage).noquote() << "could not delete a key no longer used:" << s.error().message;
        });
    }
}

} // namespace

ChannelRepository::ChannelRepository(Database &db)
    : m_db(db)
{
}

Result<QList<Channel>> ChannelRepository::list(KeyAccess access) const
{
    QList<Channel> channels;
    // One snapshot: the state rows belong to the channels just read.
    const Status read = m_db.readTransaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        q.setForwardOnly(true);
        if (Status s = execute(q, QStringLiteral("SELECT %1 FROM channels ORDER BY priority DESC, name").arg(kColumns), {},
                               QStringLiteral("listing channels"));
            !s)
            return s;
        while (q.next())
            channels.append(channelFromRow(q));
        return loadChannelState(m_db, channels, 0);
    });
    if (!read)
        return read.error();
    if (access == KeyAccess::Resolve)
        resolveKeys(m_db, channels);
    return channels;
}

Result<Channel> ChannelRepository::findByName(const QString &name, KeyAccess access) const
{
    QList<Channel> found;
    const Status read = m_db.readTransaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        q.setForwardOnly(true);
        if (Status s = execute(q, QStringLiteral("SELECT %1 FROM channels WHERE name = ?").arg(kColumns), {name},
                               QStringLiteral("reading channel '%1'").arg(name));
            !s)
            return s;
        if (!q.next())
            return notFound(name);
        found.append(channelFromRow(q));
        return loadChannelState(m_db, found, found.first().id);
    });
    if (!read)
        return read.error();
    if (access == KeyAccess::Resolve)
        resolveKeys(m_db, found);
    return found.first();
}

Result<qint64> ChannelRepository::add(const Channel &channel)
{
    qint64 id = 0;
    const Status added = m_db.transaction([&]() -> Status {
        const Result<Channel> stored = withReferences(m_db, channel, {});
        if (!stored)
            return stored.error();
        QSqlQuery q(m_db.handle());
        QVariantList values = channelValues(*stored);
        const QString now = nowDbTime();
        values << now << now;
        const Status s = execute(q, QStringLiteral("INSERT INTO channels (name, type, base_url, keys, models, model_map, priority, "
                                                   "weight, enabled, capabilities, proxy, extra_headers, budget, price, failover_on, "
                                                   "test_model, params, strip_betas, openai_api, created_at, updated_at) "
                                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                                 values, QStringLiteral("adding channel '%1'").arg(channel.name));
        if (!s)
            return nameClashSaid(s, channel.name);
        id = q.lastInsertId().toLongLong();
        return {};
    });
    if (!added)
        return added.error();
    return id;
}

Status ChannelRepository::update(const Channel &channel)
{
    return m_db.transaction([&]() -> Status {
        Result<QStringList> previous = storedReferences(m_db, QStringLiteral("id = ?"), channel.id);
        if (!previous)
            return previous.error();
        const Result<Channel> stored = withReferences(m_db, channel, *previous);
        if (!stored)
            return stored.error();
        QSqlQuery q(m_db.handle());
        QVariantList values = channelValues(*stored);
        values << nowDbTime() << channel.id;
        const Status s = execute(q, QStringLiteral("UPDATE channels SET name = ?, type = ?, base_url = ?, keys = ?, models = ?, "
                                                   "model_map = ?, priority = ?, weight = ?, enabled = ?, capabilities = ?, "
                                                   "proxy = ?, extra_headers = ?, budget = ?, price = ?, failover_on = ?, "
                                                   "test_model = ?, params = ?, strip_betas = ?, openai_api = ?, updated_at = ? "
                                                   "WHERE id = ?"),
                                 values, QStringLiteral("updating channel '%1'").arg(channel.name));
        if (!s)
            return nameClashSaid(s, channel.name);
        if (q.numRowsAffected() == 0)
            return Error::notFound(QStringLiteral("no channel with id %1").arg(channel.id));
        forgetUnused(m_db, *previous, stored->keys);

        // A key that is gone cannot be re-enabled: forget its state.
        QVariantList bindings{channel.id};
        QStringList placeholders;
        for (const QString &key : channel.keys) {
            bindings << keyId(key);
            placeholders << QStringLiteral("?");
        }
        return execute(q, QStringLiteral("DELETE FROM channel_key_state WHERE channel_id = ? AND key_id NOT IN (%1)")
                              .arg(placeholders.join(u',')),
                       bindings, QStringLiteral("updating the key state of channel '%1'").arg(channel.name));
    });
}

Status ChannelRepository::remove(const QString &name)
{
    return m_db.transaction([&]() -> Status {
        Result<QStringList> previous = storedReferences(m_db, QStringLiteral("name = ?"), name);
        if (!previous)
            return previous.error();
        QSqlQuery q(m_db.handle());
        // router_state has no foreign key (the gateway rewrites it wholesale); the other state
        // tables go with the channel by ON DELETE CASCADE.
        if (Status s = execute(q, QStringLiteral("DELETE FROM router_state WHERE channel_id IN "
                                                 "(SELECT id FROM channels WHERE name = ?)"),
                               {name}, QStringLiteral("removing channel '%1'").arg(name));
            !s)
            return s;
        if (Status s = execute(q, QStringLiteral("DELETE FROM channels WHERE name = ?"), {name},
                               QStringLiteral("removing channel '%1'").arg(name));
            !s)
            return s;
        if (q.numRowsAffected() == 0)
            return notFound(name);
        forgetUnused(m_db, *previous, {});
        return {};
    });
}

Status ChannelRepository::setEnabled(const QString &name, bool enabled)
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("UPDATE channels SET enabled = ?, updated_at = ? WHERE name = ?"),
                           {enabled ? 1 : 0, nowDbTime(), name}, QStringLiteral("changing channel '%1'").arg(name));
        !s)
        return s;
    if (q.numRowsAffected() == 0)
        return notFound(name);
    return {};
}

Status ChannelRepository::setKeyDisabled(qint64 channelId, const QString &keyId, const QString &reason)
{
    QSqlQuery q(m_db.handle());
    return withChannelNotFound(
        execute(q, QStringLiteral("INSERT INTO channel_key_state (channel_id, key_id, disabled_reason, disabled_at) "
                                  "VALUES (?, ?, ?, ?) ON CONFLICT(channel_id, key_id) DO UPDATE SET "
                                  "disabled_reason = excluded.disabled_reason, disabled_at = excluded.disabled_at"),
                {channelId, keyId, reason, nowDbTime()}, QStringLiteral("disabling key %1").arg(keyId)),
        channelId);
}

Status ChannelRepository::clearKeyDisabled(qint64 channelId, const QString &keyId)
{
    QSqlQuery q(m_db.handle());
    if (keyId.isEmpty()) {
        return execute(q, QStringLiteral("DELETE FROM channel_key_state WHERE channel_id = ?"), {channelId},
                       QStringLiteral("re-enabling keys"));
    }
    return execute(q, QStringLiteral("DELETE FROM channel_key_state WHERE channel_id = ? AND key_id = ?"),
                   {channelId, keyId}, QStringLiteral("re-enabling key %1").arg(keyId));
}

Status ChannelRepository::recordLearned(qint64 channelId, const LearnedCapability &learned)
{
    QSqlQuery q(m_db.handle());
    const QVariant when = learned.learnedAt.isValid() ? toDbTime(learned.learnedAt) : QVariant(nowDbTime());
    return withChannelNotFound(
        execute(q, QStringLiteral("INSERT INTO learned_capabilities (channel_id, model, capability, supported, reason, "
                                  "learned_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(channel_id, model, capability) "
                                  "DO UPDATE SET supported = excluded.supported, reason = excluded.reason, "
                                  "learned_at = excluded.learned_at"),
                {channelId, learned.model, capabilityName(learned.capability), learned.supported ? 1 : 0,
                 learned.reason, when},
                QStringLiteral("recording a learned capability")),
        channelId);
}

Status ChannelRepository::clearLearned(qint64 channelId)
{
    QSqlQuery q(m_db.handle());
    return execute(q, QStringLiteral("DELETE FROM learned_capabilities WHERE channel_id = ?"), {channelId},
                   QStringLiteral("clearing learned capabilities"));
}

} // namespace tarn::gateway
