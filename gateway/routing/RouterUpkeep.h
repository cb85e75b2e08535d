// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/RouterStatus.h"
#include "gateway/routing/ChannelProbe.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <functional>

class QTimer;

namespace tarn::gateway {

class ConfigStore;
class Database;
class Router;
class UpstreamClient;

// The router's housekeeping on the gateway's control thread (flush, retestDisabledKeys and
// testChannel may be called from any thread; they run there): writes what the router learned or
// disabled to the store, publishes its live state for other processes (the CLI) every second,
// seeds budgets from stored usage, and re-tests disabled keys so a fixed key serves again.
class RouterUpkeep final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RouterUpkeep)

public:
    RouterUpkeep(Router &router, ConfigStore &config, Database &database, QObject *parent = nullptr);
    ~RouterUpkeep() override;

    // Seeds budgets and starts the timers.
    void start(int publishIntervalMs = 1000);
    // Persists pending lessons and publishes the state now.
    void flush();
    // Tests every disabled key now (also run every routing.retest_interval_s).
    void retestDisabledKeys();
    // Tests every key of a channel (for the UI); channelTested follows.
    void testChannel(qint64 channelId, const QString &model = {});

Q_SIGNALS:
    void channelTested(qint64 channelId, const QList<tarn::gateway::ProbeResult> &results);
    void keyReenabled(qint64 channelId, const QString &keyId);

private:
    void persistPending();
    void reloadConfig();
    void publish();
    void onRetestTimer();
    void probe(const Channel &channel, const QString &key, const QString &model,
               std::function<void(const ProbeResult &)> done);

    Router &m_router;
    ConfigStore &m_config;
    Database &m_database;
    UpstreamClient *m_client = nullptr;
    QTimer *m_publishTimer = nullptr;
    QTimer *m_retestTimer = nullptr;
    QSet<QString> m_probing; // channel id + key id under test
    RouterStatus m_lastPublished;
};

} // namespace tarn::gateway
