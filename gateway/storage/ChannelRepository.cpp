// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/ChannelRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

namespace tarn::gateway {

using namespace storage;

namespace {

const QString kColumns = QStringLiteral(
    "id, name, type, base_url, keys, models, model_map, priority, weight, enabled, capabilities, "
    "proxy, extra_headers, created_at, updated_at");

QString capabilitiesJson(const ChannelCapabilities &caps)
{
    const QJsonObject object{{QStringLiteral("tools"), capabilityModeName(caps.tools)},
                             {QStringLiteral("vision"), capabilityModeName(caps.vision)},
                             {QStringLiteral("json_mode"), capabilityModeName(caps.jsonMode)},
                             {QStringLiteral("context_tokens"), caps.contextTokens},
                             {QStringLiteral("max_output_tokens"), caps.maxOutputTokens}};
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Version 1 stored booleans with tools defaulting to true and vision to false: a stored default
// reads as auto, the other value as declared.
CapabilityMode modeFromJson(const QJsonValue &value, bool legacyDefault)
{
    if (value.isBool())
        return value.toBool() == legacyDefault ? CapabilityMode::Auto
                                               : (value.toBool() ? CapabilityMode::On : CapabilityMode::Off);
    return capabilityModeFromName(value.toString()).value_or(CapabilityMode::Auto);
}

ChannelCapabilities capabilitiesFromJson(const QString &text)
{
    const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
    ChannelCapabilities caps;
    caps.tools = modeFromJson(object.value(QStringLiteral("tools")), true);
    caps.vision = modeFromJson(object.value(QStringLiteral("vision")), false);
    caps.jsonMode = modeFromJson(object.value(QStringLiteral("json_mode")), true);
    caps.contextTokens = object.value(QStringLiteral("context_tokens")).toInt(0);
    caps.maxOutputTokens = object.value(QStringLiteral("max_output_tokens")).toInt(0);
    return caps;
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
    c.capabilities = capabilitiesFromJson(q.value(10).toString());
    c.proxy = q.value(11).toString();
    c.extraHeaders = fromJsonObject(q.value(12).toString());
    c.createdAt = fromDbTime(q.value(13));
    c.updatedAt = fromDbTime(q.value(14));
    return c;
}

// Values for name .. extra_headers, in column order.
QVariantList channelValues(const Channel &c)
{
    return {c.name, channelTypeName(c.type), c.baseUrl, toJsonArray(c.keys), toJsonArray(c.models),
            toJsonObject(c.modelMap), c.priority, c.weight, c.enabled ? 1 : 0,
            capabilitiesJson(c.capabilities), c.proxy, toJsonObject(c.extraHeaders)};
}

Error notFound(const QString &name)
{
    return Error::notFound(QStringLiteral("no channel named '%1'").arg(name));
}

} // namespace

ChannelRepository::ChannelRepository(Database &db)
    : m_db(db)
{
}

Result<QList<Channel>> ChannelRepository::list() const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT %1 FROM channels ORDER BY priority DESC, name").arg(kColumns), {},
                           QStringLiteral("listing channels"));
        !s)
        return s.error();
    QList<Channel> channels;
    while (q.next())
        channels.append(channelFromRow(q));
    return channels;
}

Result<Channel> ChannelRepository::findByName(const QString &name) const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT %1 FROM channels WHERE name = ?").arg(kColumns), {name},
                           QStringLiteral("reading channel '%1'").arg(name));
        !s)
        return s.error();
    if (!q.next())
        return notFound(name);
    return channelFromRow(q);
}

Result<qint64> ChannelRepository::add(const Channel &channel)
{
    QSqlQuery q(m_db.handle());
    QVariantList values = channelValues(channel);
    const QString now = nowDbTime();
    values << now << now;
    const Status s = execute(q, QStringLiteral("INSERT INTO channels (name, type, base_url, keys, models, model_map, priority, "
                                               "weight, enabled, capabilities, proxy, extra_headers, created_at, updated_at) "
                                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             values, QStringLiteral("adding channel '%1'").arg(channel.name));
    if (!s) {
        if (s.error().code == ErrorCode::AlreadyExists)
            return Error{ErrorCode::AlreadyExists, QStringLiteral("a channel named '%1' already exists").arg(channel.name)};
        return s.error();
    }
    return q.lastInsertId().toLongLong();
}

Status ChannelRepository::update(const Channel &channel)
{
    QSqlQuery q(m_db.handle());
    QVariantList values = channelValues(channel);
    values << nowDbTime() << channel.id;
    const Status s = execute(q, QStringLiteral("UPDATE channels SET name = ?, type = ?, base_url = ?, keys = ?, models = ?, "
                                               "model_map = ?, priority = ?, weight = ?, enabled = ?, capabilities = ?, "
                                               "proxy = ?, extra_headers = ?, updated_at = ? WHERE id = ?"),
                             values, QStringLiteral("updating channel '%1'").arg(channel.name));
    if (!s) {
        if (s.error().code == ErrorCode::AlreadyExists)
            return Error{ErrorCode::AlreadyExists, QStringLiteral("a channel named '%1' already exists").arg(channel.name)};
        return s;
    }
    if (q.numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no channel with id %1").arg(channel.id));
    return {};
}

Status ChannelRepository::remove(const QString &name)
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("DELETE FROM channels WHERE name = ?"), {name},
                           QStringLiteral("removing channel '%1'").arg(name));
        !s)
        return s;
    if (q.numRowsAffected() == 0)
        return notFound(name);
    return {};
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

} // namespace tarn::gateway
