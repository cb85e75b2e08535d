// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayStatusTracker.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

namespace tarn::ui {

using gateway::ChannelStatus;
using gateway::HealthState;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("tarn::ui::TrayStatusTracker", text);
}

QString kindName(TrayNotification::Kind kind)
{
    switch (kind) {
    case TrayNotification::Kind::ChannelDisabled: return QStringLiteral("disabled");
    case TrayNotification::Kind::PoolCooling: return QStringLiteral("pool");
    case TrayNotification::Kind::Failover: return QStringLiteral("failover");
    }
    return {};
}

// The channel's own reason, else its first key's.
QString reasonOf(const ChannelStatus &channel)
{
    if (!channel.reason.isEmpty())
        return channel.reason;
    for (const gateway::KeyStatus &key : channel.keys) {
        if (!key.reason.isEmpty())
            return key.reason;
    }
    return {};
}

bool canServe(HealthState state)
{
    return state == HealthState::Healthy;
}

} // namespace

TrayStatusTracker::TrayStatusTracker(std::chrono::seconds rateLimit, std::chrono::seconds minInterval)
    : m_rateLimit(rateLimit)
    , m_minInterval(minInterval)
{
}

HealthState TrayStatusTracker::effectiveState(const ChannelStatus &channel)
{
    if (channel.state != HealthState::Healthy || channel.keys.isEmpty())
        return channel.state;
    bool anyHealthy = false;
    bool allDisabled = true;
    for (const gateway::KeyStatus &key : channel.keys) {
        anyHealthy = anyHealthy || key.state == HealthState::Healthy;
        allDisabled = allDisabled && key.state == HealthState::Disabled;
    }
    if (anyHealthy)
        return HealthState::Healthy;
    return allDisabled ? HealthState::Disabled : HealthState::Cooling;
}

TrayState TrayStatusTracker::overallState(const gateway::RouterStatus &status, bool paused, bool listening)
{
    if (!listening)
        return TrayState::Error;
    if (paused)
        return TrayState::Paused;
    if (status.channels.isEmpty())
        return TrayState::Degraded;
    int healthy = 0;
    int broken = 0; // disabled or circuit open: will not recover by waiting a little
    for (const ChannelStatus &channel : status.channels) {
        const HealthState state = effectiveState(channel);
        healthy += state == HealthState::Healthy ? 1 : 0;
        broken += (state == HealthState::Disabled || state == HealthState::Open) ? 1 : 0;
    }
    if (broken == status.channels.size())
        return TrayState::Error;
    return healthy == status.channels.size() ? TrayState::Serving : TrayState::Degraded;
}

QString TrayStatusTracker::describe(const ChannelStatus &channel)
{
    const HealthState state = effectiveState(channel);
    const QString reason = reasonOf(channel);
    switch (state) {
    case HealthState::Healthy:
        return tr("healthy");
    case HealthState::Cooling:
        if (channel.cooldownUntil.isValid()) {
            // As the Channels page writes it: hours and minutes.
            return tr("cooling until %1").arg(channel.cooldownUntil.toLocalTime().toString(QStringLiteral("HH:mm")));
        }
        return tr("cooling");
    case HealthState::Open:
        return tr("circuit open");
    case HealthState::Disabled:
        return reason.isEmpty() ? tr("disabled") : tr("disabled: %1").arg(reason);
    }
    return {};
}

std::optional<TrayNotification> TrayStatusTracker::update(const gateway::RouterStatus &status,
                                                         const QHash<QString, QStringList> &pools,
                                                         const QDateTime &now)
{
    QHash<QString, HealthState> states;
    for (const ChannelStatus &channel : status.channels)
        states.insert(channel.name, effectiveState(channel));
    QHash<QString, bool> poolCooling;
    for (auto it = pools.cbegin(); it != pools.cend(); ++it) {
        bool any = false;
        bool allDown = true;
        for (const QString &name : it.value()) {
            if (!states.contains(name))
                continue;
            any = true;
            allDown = allDown && !canServe(states.value(name));
        }
        poolCooling.insert(it.key(), any && allDown);
    }
    // Where a channel's requests go now: the healthy channels sharing a pool with it.
    const auto takenOverBy = [&](const QString &name) {
        QStringList others;
        for (auto it = pools.cbegin(); it != pools.cend(); ++it) {
            if (!it.value().contains(name))
                continue;
            for (const QString &other : it.value()) {
                if (other != name && canServe(states.value(other, HealthState::Disabled)) && !others.contains(other))
                    others.append(other);
            }
        }
        others.sort();
        return others;
    };

    if (m_hasBaseline) {
        for (const ChannelStatus &channel : status.channels) {
            const HealthState before = m_states.value(channel.name, HealthState::Healthy);
            const HealthState after = states.value(channel.name);
            if (before == after)
                continue;
            const QStringList others = takenOverBy(channel.name);
            const QString where = others.isEmpty() ? tr("no other channel can take its requests")
                                                   : tr("requests go to %1").arg(others.join(QStringLiteral(", ")));
            if (after == HealthState::Disabled) {
                if (allow(TrayNotification::Kind::ChannelDisabled, channel.name, now)) {
                    m_pending.append({TrayNotification::Kind::ChannelDisabled, channel.name,
                                      tr("Channel %1 disabled").arg(channel.name),
                                      tr("Tarn stopped sending requests to %1 (%2); %3. Test it on the Channels "
                                         "page to enable it again.").arg(channel.name, describe(channel), where),
                                      reasonOf(channel).isEmpty()
                                          ? tr("%1 disabled").arg(channel.name)
                                          : tr("%1 disabled (%2)").arg(channel.name, reasonOf(channel))});
                }
            } else if (before == HealthState::Healthy
                       && (after == HealthState::Cooling || after == HealthState::Open)) {
                if (allow(TrayNotification::Kind::Failover, channel.name, now)) {
                    m_pending.append({TrayNotification::Kind::Failover, channel.name,
                                      tr("Traffic moved off %1").arg(channel.name),
                                      tr("%1 is %2; %3.").arg(channel.name, describe(channel), where),
                                      others.isEmpty()
                                          ? tr("%1 %2").arg(channel.name, describe(channel))
                                          : tr("traffic moved off %1 to %2").arg(channel.name, others.join(QStringLiteral(", ")))});
                }
            }
        }
        QStringList models = poolCooling.keys();
        models.sort(); // a stable order within one notification
        for (const QString &model : std::as_const(models)) {
            if (!poolCooling.value(model) || m_poolCooling.value(model))
                continue;
            if (allow(TrayNotification::Kind::PoolCooling, model, now)) {
                m_pending.append({TrayNotification::Kind::PoolCooling, model, tr("No channel can serve %1").arg(model),
                                  tr("Every channel serving %1 is cooling down or disabled; its requests fail "
                                     "until one recovers.").arg(model),
                                  model});
            }
        }
    }
    m_hasBaseline = true;
    m_states = std::move(states);
    m_poolCooling = std::move(poolCooling);

    if (m_pending.isEmpty())
        return std::nullopt;
    if (m_lastNotified.isValid() && m_lastNotified.secsTo(now) < m_minInterval.count())
        return std::nullopt; // merged into the next one
    // What healed while waiting is not news any more.
    m_pending.removeIf([this](const Event &event) {
        if (event.kind == TrayNotification::Kind::PoolCooling)
            return !m_poolCooling.value(event.subject);
        return canServe(m_states.value(event.subject, HealthState::Healthy));
    });
    if (m_pending.isEmpty())
        return std::nullopt;
    TrayNotification merged = merge();
    m_pending.clear();
    m_lastNotified = now;
    return merged;
}

TrayNotification TrayStatusTracker::merge() const
{
    // The most urgent first: a disabled channel, then a pool that cannot serve, then failover.
    QList<Event> events = m_pending;
    std::stable_sort(events.begin(), events.end(), [](const Event &a, const Event &b) {
        const auto rank = [](TrayNotification::Kind kind) {
            return kind == TrayNotification::Kind::ChannelDisabled ? 0 : kind == TrayNotification::Kind::PoolCooling ? 1 : 2;
        };
        return rank(a.kind) < rank(b.kind);
    });
    const Event &first = events.first();
    if (events.size() == 1)
        return {first.kind, first.subject, first.title, first.text};
    QStringList clauses;
    QStringList coolingPools;
    for (const Event &event : std::as_const(events)) {
        if (event.kind == TrayNotification::Kind::PoolCooling)
            coolingPools.append(event.clause);
        else
            clauses.append(event.clause);
    }
    if (!coolingPools.isEmpty()) {
        const QString pools = coolingPools.join(QStringLiteral(", "));
        clauses.append(coolingPools.size() == 1 ? tr("pool %1 has no channel that can serve").arg(pools)
                                                : tr("pools %1 now all cooling or disabled").arg(pools));
    }
    const QString title = tr("%1 (+%2 more)").arg(first.title).arg(events.size() - 1);
    return {first.kind, first.subject, title, clauses.join(QStringLiteral("; ")) + u'.'};
}

bool TrayStatusTracker::allow(TrayNotification::Kind kind, const QString &subject, const QDateTime &now)
{
    const QString key = kindName(kind) + u':' + subject;
    const QDateTime last = m_lastRaised.value(key);
    if (last.isValid() && last.secsTo(now) < m_rateLimit.count())
        return false;
    m_lastRaised.insert(key, now);
    return true;
}

} // namespace tarn::ui
