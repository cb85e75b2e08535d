// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayStatusTracker.h"

#include <QCoreApplication>
#include <QLocale>

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

bool canServe(HealthState state)
{
    return state == HealthState::Healthy;
}

} // namespace

TrayStatusTracker::TrayStatusTracker(std::chrono::seconds rateLimit)
    : m_rateLimit(rateLimit)
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
    QString reason = channel.reason;
    if (reason.isEmpty()) {
        for (const gateway::KeyStatus &key : channel.keys) {
            if (!key.reason.isEmpty()) {
                reason = key.reason;
                break;
            }
        }
    }
    switch (state) {
    case HealthState::Healthy:
        return tr("healthy");
    case HealthState::Cooling:
        if (channel.cooldownUntil.isValid()) {
            return tr("cooling until %1")
                .arg(QLocale().toString(channel.cooldownUntil.toLocalTime().time(), QLocale::ShortFormat));
        }
        return tr("cooling");
    case HealthState::Open:
        return tr("circuit open");
    case HealthState::Disabled:
        return reason.isEmpty() ? tr("disabled") : tr("disabled: %1").arg(reason);
    }
    return {};
}

QList<TrayNotification> TrayStatusTracker::update(const gateway::RouterStatus &status,
                                                  const QHash<QString, QStringList> &pools, const QDateTime &now)
{
    QHash<QString, HealthState> states;
    QHash<QString, const ChannelStatus *> byName;
    for (const ChannelStatus &channel : status.channels) {
        states.insert(channel.name, effectiveState(channel));
        byName.insert(channel.name, &channel);
    }
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

    QList<TrayNotification> raised;
    if (m_hasBaseline) {
        for (const ChannelStatus &channel : status.channels) {
            const HealthState before = m_states.value(channel.name, HealthState::Healthy);
            const HealthState after = states.value(channel.name);
            if (before == after)
                continue;
            if (after == HealthState::Disabled) {
                if (allow(TrayNotification::Kind::ChannelDisabled, channel.name, now)) {
                    raised.append({TrayNotification::Kind::ChannelDisabled, channel.name,
                                   tr("Channel %1 disabled").arg(channel.name),
                                   tr("Tarn stopped sending requests to %1 (%2). Test it on the Channels page "
                                      "to enable it again.").arg(channel.name, describe(channel))});
                }
            } else if (before == HealthState::Healthy
                       && (after == HealthState::Cooling || after == HealthState::Open)) {
                if (allow(TrayNotification::Kind::Failover, channel.name, now)) {
                    raised.append({TrayNotification::Kind::Failover, channel.name,
                                   tr("Traffic moved off %1").arg(channel.name),
                                   tr("%1 is %2; requests go to the other channels of its pools.")
                                       .arg(channel.name, describe(channel))});
                }
            }
        }
        QStringList models = poolCooling.keys();
        models.sort(); // a stable order for the notifications of one snapshot
        for (const QString &model : std::as_const(models)) {
            if (!poolCooling.value(model) || m_poolCooling.value(model))
                continue;
            if (allow(TrayNotification::Kind::PoolCooling, model, now)) {
                raised.append({TrayNotification::Kind::PoolCooling, model,
                               tr("No channel can serve %1").arg(model),
                               tr("Every channel serving %1 is cooling down or disabled; its requests fail "
                                  "until one recovers.").arg(model)});
            }
        }
    }
    m_hasBaseline = true;
    m_states = std::move(states);
    m_poolCooling = std::move(poolCooling);
    return raised;
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
