// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overview/PoolHealth.h"

#include <QCoreApplication>
#include <QHash>
#include <QLocale>

#include <map>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("tarn::ui::PoolHealth", text);
}

QString localTime(const QDateTime &utc)
{
    return QLocale().toString(utc.toLocalTime().time(), QLocale::ShortFormat);
}

void keepSoonest(QDateTime &soonest, const QDateTime &candidate)
{
    if (candidate.isValid() && (!soonest.isValid() || candidate < soonest))
        soonest = candidate;
}

QString channelText(const ChannelStatus &channel)
{
    switch (channel.state) {
    case HealthState::Healthy:
        return tr("healthy");
    case HealthState::Cooling:
        return channel.cooldownUntil.isValid() ? tr("cooling until %1").arg(localTime(channel.cooldownUntil))
                                               : tr("cooling");
    case HealthState::Open:
        return tr("circuit open");
    case HealthState::Disabled:
        return channel.reason.isEmpty() ? tr("disabled") : tr("disabled: %1").arg(channel.reason);
    }
    return {};
}

} // namespace

QList<PoolHealth> poolHealth(const RuntimeConfig &config, const RouterStatus &status)
{
    QHash<qint64, const ChannelStatus *> live;
    for (const ChannelStatus &channel : status.channels)
        live.insert(channel.channelId, &channel);

    std::map<QString, PoolHealth> pools;
    std::map<QString, int> usable; // enabled channels per pool: the ones whose state counts
    for (const Channel &channel : config.channels) {
        ChannelStatus fallback;
        fallback.name = channel.name;
        if (!channel.enabled)
            fallback.state = HealthState::Disabled;
        // A channel the router has not reported yet (just added) is as good as new.
        const ChannelStatus &state = live.contains(channel.id) ? *live.value(channel.id) : fallback;
        for (const QString &model : channel.servedModels()) {
            PoolHealth &pool = pools[model];
            pool.model = model;
            pool.members.append(channel.name + QStringLiteral(": ") + channelText(state));
            switch (channel.enabled ? state.state : HealthState::Disabled) {
            case HealthState::Healthy: ++pool.healthy; break;
            case HealthState::Cooling: ++pool.cooling; keepSoonest(pool.coolingUntil, state.cooldownUntil); break;
            case HealthState::Open: ++pool.open; keepSoonest(pool.openUntil, state.cooldownUntil); break;
            case HealthState::Disabled: ++pool.disabled; break;
            }
            if (channel.enabled)
                ++usable[model];
        }
    }
    QList<PoolHealth> result;
    for (auto &[model, pool] : pools) {
        if (pool.healthy == 0)
            pool.state = PoolHealth::State::Down;
        else if (pool.healthy < usable[model])
            pool.state = PoolHealth::State::Degraded;
        result.append(pool);
    }
    return result;
}

QString poolMembersText(const PoolHealth &pool)
{
    QStringList parts;
    if (pool.healthy > 0)
        parts << tr("%1 healthy").arg(pool.healthy);
    if (pool.cooling > 0) {
        parts << (pool.coolingUntil.isValid() ? tr("%1 cooling until %2").arg(pool.cooling).arg(localTime(pool.coolingUntil))
                                              : tr("%1 cooling").arg(pool.cooling));
    }
    if (pool.open > 0)
        parts << tr("%1 circuit open").arg(pool.open);
    if (pool.disabled > 0)
        parts << tr("%1 disabled").arg(pool.disabled);
    return parts.join(QStringLiteral(" · "));
}

QString poolStateText(PoolHealth::State state)
{
    switch (state) {
    case PoolHealth::State::AllGood: return tr("all good");
    case PoolHealth::State::Degraded: return tr("degraded");
    case PoolHealth::State::Down: return tr("down");
    }
    return {};
}

} // namespace tarn::ui
