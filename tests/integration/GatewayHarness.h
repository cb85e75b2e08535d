// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/Gateway.h"
#include "gateway/core/Channel.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/storage/Database.h"
#include "tests/support/TempDataDir.h"

#include <memory>

namespace tarn::test {

// A real Tarn gateway on 127.0.0.1:0 over a temporary data dir, plus direct access to its
// database for arranging channels and reading usage rows.
class GatewayHarness
{
public:
    explicit GatewayHarness(gateway::HttpLimits limits = {}, gateway::UpstreamTimeouts timeouts = {});
    ~GatewayHarness();

    // Adds an OpenAI channel pointing at baseUrl; its key is "sk-NAME" unless keys are given.
    gateway::Channel addChannel(const QString &name, const QString &baseUrl, const QStringList &models,
                                int priority = 0, const QMap<QString, QString> &modelMap = {},
                                const QStringList &keys = {});
    // Adds a channel as given (weight, budget, capabilities, …); returns it with its id.
    gateway::Channel addChannel(gateway::Channel channel);
    // Stores the channel with channel.id as given and applies it now (once started).
    void updateChannel(const gateway::Channel &channel);
    // The stored channel (with its disabled keys and learned capabilities); empty when none.
    gateway::Channel storedChannel(const QString &name);
    void setChannelEnabled(const QString &name, bool enabled);
    QString createKey(const QString &name, const QStringList &models = {}, const QDateTime &expires = {});
    void setSetting(const QString &key, const QString &value);
    // Applies configuration changes now instead of waiting for the poll.
    void reloadConfig();

    void setWorkers(int workers) { m_workers = workers; } // before start(); default 2
    // Before start(): the router's clock and seed (see tests/support/FakeClock.h).
    void setRouterOptions(gateway::RouterOptions options) { m_routerOptions = std::move(options); }
    bool start();
    void stop();
    QString url(const QString &path) const; // "http://127.0.0.1:PORT" + path
    quint16 port() const;

    // Usage rows committed so far (flushes the writer first).
    QList<gateway::UsageRecord> usageRows();
    gateway::Gateway &gateway() { return *m_gateway; }
    gateway::Database &database() { return *m_db; }
    const TempDataDir &dataDir() const { return m_dir; }

private:
    TempDataDir m_dir;
    gateway::HttpLimits m_limits;
    gateway::UpstreamTimeouts m_timeouts;
    int m_workers = 2;
    gateway::RouterOptions m_routerOptions;
    std::unique_ptr<gateway::Database> m_db;
    std::unique_ptr<gateway::Gateway> m_gateway;
};

// Small JSON request bodies.
QByteArray chatBody(const QString &model, bool stream = false, bool includeUsage = false);

} // namespace tarn::test
