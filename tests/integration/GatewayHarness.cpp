// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/integration/GatewayHarness.h"

#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/upstream/UpstreamClient.h"
#include "gateway/usage/UsageRecorder.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>

#include <algorithm>

#include <gtest/gtest.h>

namespace tarn::test {

using namespace tarn::gateway;

GatewayHarness::GatewayHarness(HttpLimits limits, UpstreamTimeouts timeouts)
    : m_limits(limits), m_timeouts(timeouts)
{
    UpstreamClient::globalInit();
    auto db = Database::open(m_dir.dbPath(), QStringLiteral("harness-%1").arg(reinterpret_cast<quintptr>(this)));
    if (!db)
        ADD_FAILURE() << db.error().message.toStdString();
    else
        m_db = std::move(db.value());
}

GatewayHarness::~GatewayHarness()
{
    stop();
}

Channel GatewayHarness::addChannel(const QString &name, const QString &baseUrl, const QStringList &models,
                                   int priority, const QMap<QString, QString> &modelMap, const QStringList &keys)
{
    Channel channel;
    channel.name = name;
    channel.type = ChannelType::OpenAI;
    channel.baseUrl = baseUrl;
    channel.keys = keys.isEmpty() ? QStringList{QStringLiteral("sk-%1").arg(name)} : keys;
    channel.models = models;
    channel.modelMap = modelMap;
    channel.priority = priority;
    return addChannel(std::move(channel));
}

Channel GatewayHarness::addChannel(Channel channel)
{
    if (channel.keys.isEmpty())
        channel.keys = {QStringLiteral("sk-%1").arg(channel.name)};
    auto id = ChannelRepository(*m_db).add(channel);
    EXPECT_TRUE(id.ok()) << (id ? "" : id.error().message.toStdString());
    if (id)
        channel.id = *id;
    return channel;
}

void GatewayHarness::updateChannel(const Channel &channel)
{
    const Status status = ChannelRepository(*m_db).update(channel);
    EXPECT_TRUE(status.ok()) << (status ? "" : status.error().message.toStdString());
    reloadConfig();
}

Channel GatewayHarness::storedChannel(const QString &name)
{
    auto channel = ChannelRepository(*m_db).findByName(name);
    return channel ? *channel : Channel{};
}

void GatewayHarness::setChannelEnabled(const QString &name, bool enabled)
{
    EXPECT_TRUE(ChannelRepository(*m_db).setEnabled(name, enabled).ok());
}

QString GatewayHarness::createKey(const QString &name, const QStringList &models, const QDateTime &expires)
{
    ClientKey key;
    key.name = name;
    key.models = models;
    key.expiresAt = expires;
    auto plain = ClientKeyRepository(*m_db).create(key);
    EXPECT_TRUE(plain.ok());
    return plain ? *plain : QString();
}

void GatewayHarness::setSetting(const QString &key, const QString &value)
{
    EXPECT_TRUE(SettingsRepository(*m_db).setValue(key, value).ok());
}

void GatewayHarness::reloadConfig()
{
    if (m_gateway) {
        EXPECT_TRUE(m_gateway->config().reload().ok());
    }
}

bool GatewayHarness::start()
{
    GatewayOptions options;
    options.dataDir = m_dir.path();
    options.listen = {{QStringLiteral("127.0.0.1"), 0}};
    options.workers = m_workers;
    options.limits = m_limits;
    options.timeouts = m_timeouts;
    options.configPollMs = 200;
    options.router = m_routerOptions;
    m_gateway = std::make_unique<Gateway>(options);
    const Status status = m_gateway->start();
    EXPECT_TRUE(status.ok()) << (status ? "" : status.error().message.toStdString());
    return status.ok();
}

void GatewayHarness::stop()
{
    if (m_gateway)
        m_gateway->stop(1000);
}

quint16 GatewayHarness::port() const
{
    return quint16(m_gateway->urls().value(0).port());
}

QString GatewayHarness::url(const QString &path) const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path);
}

QList<UsageRecord> GatewayHarness::usageRows()
{
    m_gateway->usage().flush();
    auto rows = UsageRepository(*m_db).recent(100000);
    EXPECT_TRUE(rows.ok());
    QList<UsageRecord> out = rows ? *rows : QList<UsageRecord>{};
    std::sort(out.begin(), out.end(), [](const UsageRecord &a, const UsageRecord &b) { return a.id < b.id; });
    return out;
}

QByteArray chatBody(const QString &model, bool stream, bool includeUsage)
{
    QJsonObject body{{QStringLiteral("model"), model},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), QStringLiteral("Say hello in five words")}}}}};
    if (stream)
        body.insert(u"stream", true);
    if (includeUsage)
        body.insert(u"stream_options", QJsonObject{{QStringLiteral("include_usage"), true}});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace tarn::test
