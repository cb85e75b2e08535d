// SPDX-License-Identifier: GPL-3.0-or-later
// The router's outward side: its live state for the UI and the CLI, the lessons it hands to the
// store, and what the store and health tests tell it back. Decisions are in Router.cpp.
#include "gateway/routing/Router.h"

#include "gateway/routing/RouterState.h"

#include <QDateTime>
#include <QSet>
#include <QTimeZone>

#include <algorithm>

namespace tarn::gateway {

RouterStatus Router::status(const RuntimeConfig &config)
{
    RouterStatus out;
    std::lock_guard lock(m_mutex);
    const qint64 now = nowMs();
    out.takenAt = QDateTime::fromMSecsSinceEpoch(now, QTimeZone::utc());
    const auto time = [](qint64 ms) { return ms ? QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()) : QDateTime(); };
    for (const Channel &channel : config.channels) {
        ChannelRuntime &runtime = m_state->channel(channel);
        ChannelStatus s;
        s.channelId = channel.id;
        s.name = channel.name;
        s.latencyMs = runtime.latencyMs;
        s.errorRate = runtime.errorRate;
        s.requests = runtime.requests;
        s.effectiveWeight = channel.enabled ? channel.weight * m_state->budgetFactor(channel, runtime, now) : 0;
        s.learned = channel.learned;
        for (const ChannelRuntime::Lesson &l : runtime.learned) {
            if (!s.learned.contains(l.learned))
                s.learned.append(l.learned);
        }
        bool usableKey = false;
        QString firstRefusal; // why the first disabled key was disabled ("HTTP 401: …")
        const QStringList &ids = m_state->keyIds(channel, runtime);
        QSet<QString> listed; // a key given twice is one key (and one published row)
        for (const QString &id : ids) {
            if (listed.contains(id))
                continue;
            listed.insert(id);
            KeyRuntime &key = m_state->key(runtime, id);
            KeyStatus k;
            k.keyId = id;
            k.requests = key.requests;
            k.failures = key.failures;
            const Unavailability u = m_state->keyAvailability(channel, key, now, config.revision);
            if (!u.available()) {
                k.state = u.why == Unavailability::Why::KeyCooling ? HealthState::Cooling : HealthState::Disabled;
                k.cooldownUntil = time(u.untilMs);
                k.reason = u.text();
                if (u.why == Unavailability::Why::KeyDisabled && u.detail && firstRefusal.isEmpty())
                    firstRefusal = *u.detail;
            }
            usableKey = usableKey || u.available();
            s.keys.append(std::move(k));
        }
        if (!channel.enabled) {
            s.state = HealthState::Disabled;
            s.reason = QStringLiteral("disabled by the user");
        } else if (runtime.openUntilMs) {
            s.state = HealthState::Open;
            s.cooldownUntil = time(runtime.openUntilMs);
            s.reason = now < runtime.openUntilMs ? runtime.openReason
                : runtime.probeInFlight          ? QStringLiteral("half-open: a probe request is testing it")
                                                 : QStringLiteral("half-open: the next request tests it");
        } else if (const Unavailability u = m_state->channelAvailability(channel, runtime, now, nullptr); !u.available()) {
            s.state = HealthState::Cooling;
            s.cooldownUntil = time(u.untilMs);
            s.reason = u.text();
        } else if (!usableKey && !s.keys.isEmpty()) {
            const bool anyCooling = std::any_of(s.keys.cbegin(), s.keys.cend(),
                                                [](const KeyStatus &k) { return k.state == HealthState::Cooling; });
            s.state = anyCooling ? HealthState::Cooling : HealthState::Disabled;
            // Why the keys are out says more than that they are: a lone key's own reason ("HTTP
            // 401: Incorrect API key provided"), or the first one's after the count.
            if (anyCooling)
                s.reason = QStringLiteral("every key is cooling");
            else if (firstRefusal.isEmpty())
                s.reason = QStringLiteral("every key is disabled");
            else if (s.keys.size() == 1)
                s.reason = firstRefusal;
            else
                s.reason = QStringLiteral("every key is disabled (%1)").arg(firstRefusal);
            for (const KeyStatus &k : s.keys) {
                if (k.cooldownUntil.isValid() && (!s.cooldownUntil.isValid() || k.cooldownUntil < s.cooldownUntil))
                    s.cooldownUntil = k.cooldownUntil;
            }
        }
        out.channels.append(std::move(s));
    }
    return out;
}

Router::PendingChanges Router::takePendingChanges(qint64 currentRevision)
{
    std::lock_guard lock(m_mutex);
    PendingChanges changes;
    changes.learned = std::exchange(m_state->pendingLearned, {});
    changes.disabledKeys = std::exchange(m_state->pendingDisabled, {});
    for (const auto &[channelId, lesson] : std::as_const(changes.learned)) {
        const auto it = m_state->channels.find(channelId);
        if (it == m_state->channels.end())
            continue;
        for (ChannelRuntime::Lesson &l : it->second.learned) {
            if (l.handedOutAt < 0 && l.learned == lesson)
                l.handedOutAt = currentRevision;
        }
    }
    for (const auto &[channelId, keyId, reason] : std::as_const(changes.disabledKeys)) {
        const auto it = m_state->channels.find(channelId);
        if (it == m_state->channels.end())
            continue;
        if (const auto key = it->second.keys.find(keyId); key != it->second.keys.end() && key->disabled)
            key->disabledHandedOutAt = currentRevision;
    }
    return changes;
}

void Router::enableKey(qint64 channelId, const QString &keyId)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_state->channels.find(channelId);
    if (it == m_state->channels.end())
        return;
    if (const auto key = it->second.keys.find(keyId); key != it->second.keys.end()) {
        key->disabled = false;
        key->disabledReason.clear();
        key->coolUntilMs = 0;
        key->rateLimitStrikes = 0;
        key->quotaStrikes = 0;
    }
}

void Router::seedBudgetUsage(const QHash<qint64, qint64> &tokensToday, const QHash<qint64, qint64> &tokensThisMonth)
{
    std::lock_guard lock(m_mutex);
    const qint64 now = nowMs();
    QSet<qint64> ids;
    for (auto it = tokensToday.cbegin(); it != tokensToday.cend(); ++it)
        ids.insert(it.key());
    for (auto it = tokensThisMonth.cbegin(); it != tokensThisMonth.cend(); ++it)
        ids.insert(it.key());
    for (const qint64 id : ids)
        m_state->seed(id, now, tokensToday.value(id), tokensThisMonth.value(id));
}

QStringList Router::servedModels(const RuntimeConfig &config)
{
    QStringList models;
    for (const Channel &channel : config.channels) {
        if (!channel.enabled)
            continue;
        for (const QString &m : channel.servedModels()) {
            if (!models.contains(m))
                models.append(m);
        }
    }
    models.sort();
    return models;
}

} // namespace tarn::gateway
