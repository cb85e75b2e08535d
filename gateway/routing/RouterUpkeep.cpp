// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/routing/RouterUpkeep.h"

#include "gateway/config/ConfigStore.h"
#include "gateway/core/Logging.h"
#include "gateway/core/ThreadHop.h"
#include "gateway/routing/Router.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/RouterStateRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/upstream/UpstreamClient.h"

#include <QTimeZone>
#include <QThread>
#include <QTimer>

#include <memory>

namespace tarn::gateway {

RouterUpkeep::RouterUpkeep(Router &router, ConfigStore &config, Database &database, QObject *parent)
    : QObject(parent), m_router(router), m_config(config), m_database(database), m_client(new UpstreamClient(this))
{
}

RouterUpkeep::~RouterUpkeep() = default;

void RouterUpkeep::start(int publishIntervalMs)
{
    // Budgets count what was already spent today and this month, across restarts.
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_router.nowMs(), QTimeZone::utc());
    const QDateTime dayStart(now.date(), QTime(0, 0), QTimeZone::utc());
    const QDateTime monthStart(QDate(now.date().year(), now.date().month(), 1), QTime(0, 0), QTimeZone::utc());
    UsageRepository usage(m_database);
    const auto today = usage.channelTotalsSince(dayStart);
    const auto month = usage.channelTotalsSince(monthStart);
    if (today && month) {
        QHash<qint64, qint64> dayTokens, monthTokens;
        for (auto it = today->cbegin(); it != today->cend(); ++it)
            dayTokens.insert(it.key(), it->tokens);
        for (auto it = month->cbegin(); it != month->cend(); ++it)
            monthTokens.insert(it.key(), it->tokens);
        m_router.seedBudgetUsage(dayTokens, monthTokens);
    } else {
        qCWarning(lcRouting) << "cannot read stored usage for budgets:"
                             << (today ? month.error().message : today.error().message);
    }

    m_publishTimer = new QTimer(this);
    connect(m_publishTimer, &QTimer::timeout, this, &RouterUpkeep::flush);
    m_publishTimer->start(publishIntervalMs);
    m_retestTimer = new QTimer(this);
    connect(m_retestTimer, &QTimer::timeout, this, &RouterUpkeep::onRetestTimer);
    m_retestTimer->start(std::max(1, m_config.snapshot()->routing.retestIntervalS) * 1000);
    publish();
}

void RouterUpkeep::flush()
{
    if (QThread::currentThread() != thread()) { // Gateway::stop, from the thread that owns the gateway
        runOnThreadOf(this, [this] { flush(); });
        return;
    }
    persistPending();
    publish();
}

void RouterUpkeep::persistPending()
{
    const Router::PendingChanges changes = m_router.takePendingChanges(m_config.snapshot()->revision);
    if (changes.learned.isEmpty() && changes.disabledKeys.isEmpty())
        return;
    ChannelRepository channels(m_database);
    for (const auto &[channelId, lesson] : changes.learned) {
        if (const Status s = channels.recordLearned(channelId, lesson); !s)
            qCWarning(lcRouting) << "cannot store a learned capability:" << s.error().message;
    }
    for (const auto &[channelId, keyId, reason] : changes.disabledKeys) {
        if (const Status s = channels.setKeyDisabled(channelId, keyId, reason); !s)
            qCWarning(lcRouting) << "cannot store a disabled key:" << s.error().message;
    }
    // The revision moved: load it now rather than at the next poll, so the snapshot carries it.
    reloadConfig();
}

void RouterUpkeep::reloadConfig()
{
    if (const Status s = m_config.reload(); !s)
        qCWarning(lcRouting) << "configuration reload failed:" << s.error().message;
}

void RouterUpkeep::publish()
{
    const ConfigSnapshot config = m_config.snapshot();
    RouterStatus status = m_router.status(*config);
    // An idle gateway does not rewrite the same rows (a WAL commit) every second; a heartbeat a
    // minute keeps updated_at telling how fresh they are.
    const bool unchanged = status.channels == m_lastPublished.channels;
    if (unchanged && m_lastPublished.takenAt.isValid() && m_lastPublished.takenAt.secsTo(status.takenAt) < 60)
        return;
    if (const Status s = RouterStateRepository(m_database).save(status); !s) {
        qCWarning(lcRouting) << "cannot publish the router state:" << s.error().message;
        return;
    }
    m_lastPublished = std::move(status);
}

void RouterUpkeep::onRetestTimer()
{
    const int interval = m_config.snapshot()->routing.retestIntervalS;
    if (interval <= 0)
        return;
    m_retestTimer->setInterval(interval * 1000);
    retestDisabledKeys();
}

void RouterUpkeep::probe(const Channel &channel, const QString &key, const QString &model,
                         std::function<void(const ProbeResult &)> done)
{
    auto *probe = new ChannelProbe(*m_client, this);
    connect(probe, &ChannelProbe::finished, this, [probe, done = std::move(done)](const ProbeResult &result) {
        done(result);
        probe->deleteLater();
    });
    probe->start(channel, key, model);
}

void RouterUpkeep::retestDisabledKeys()
{
    if (QThread::currentThread() != thread()) {
        runOnThreadOf(this, [this] { retestDisabledKeys(); });
        return;
    }
    const ConfigSnapshot config = m_config.snapshot();
    const RouterStatus status = m_router.status(*config);
    for (const Channel &channel : config->channels) {
        if (!channel.enabled || !ChannelProbe::canProbe(channel))
            continue;
        QSet<QString> disabled;
        for (auto it = channel.disabledKeys.cbegin(); it != channel.disabledKeys.cend(); ++it)
            disabled.insert(it.key());
        for (const ChannelStatus &cs : status.channels) {
            if (cs.channelId != channel.id)
                continue;
            for (const KeyStatus &k : cs.keys) {
                if (k.state == HealthState::Disabled)
                    disabled.insert(k.keyId);
            }
        }
        for (const QString &key : channel.keys) {
            const QString id = keyId(key);
            const QString tag = QString::number(channel.id) + u'/' + id;
            if (!disabled.contains(id) || m_probing.contains(tag))
                continue;
            m_probing.insert(tag);
            const qint64 channelId = channel.id;
            probe(channel, key, {}, [this, channelId, id, tag](const ProbeResult &result) {
                m_probing.remove(tag);
                if (!result.passed) {
                    qCInfo(lcRouting) << "disabled key" << id << "still fails:" << result.error.left(200);
                    return;
                }
                qCInfo(lcRouting) << "key" << id << "passed its test; enabled again";
                m_router.enableKey(channelId, id);
                if (const Status s = ChannelRepository(m_database).clearKeyDisabled(channelId, id); !s)
                    qCWarning(lcRouting) << "cannot store the re-enabled key:" << s.error().message;
                reloadConfig();
                Q_EMIT keyReenabled(channelId, id);
            });
        }
    }
}

void RouterUpkeep::testChannel(qint64 channelId, const QString &model)
{
    if (QThread::currentThread() != thread()) { // channelTested follows either way
        QMetaObject::invokeMethod(this, [this, channelId, model] { testChannel(channelId, model); });
        return;
    }
    const ConfigSnapshot config = m_config.snapshot();
    const auto channel = std::find_if(config->channels.cbegin(), config->channels.cend(),
                                      [&](const Channel &c) { return c.id == channelId; });
    if (channel == config->channels.cend() || channel->keys.isEmpty()) {
        Q_EMIT channelTested(channelId, {});
        return;
    }
    auto results = std::make_shared<QList<ProbeResult>>();
    const qsizetype expected = channel->keys.size();
    for (const QString &key : channel->keys) {
        probe(*channel, key, model, [this, results, expected, channelId, config](const ProbeResult &result) {
            results->append(result);
            if (result.passed) {
                m_router.enableKey(channelId, result.keyId);
                if (const Status s = ChannelRepository(m_database).clearKeyDisabled(channelId, result.keyId); !s)
                    qCWarning(lcRouting) << "cannot store the re-enabled key:" << s.error().message;
            }
            if (results->size() == expected) {
                reloadConfig();
                Q_EMIT channelTested(channelId, *results);
            }
        });
    }
}

} // namespace tarn::gateway
