// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/RouterStatus.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace tarn::ui {

// One model pool as the Overview shows it: the channels serving the model clients ask for, counted
// by their live state, and whether the pool can serve.
struct PoolHealth
{
    enum class State { AllGood, Degraded, Down };

    QString model;
    int healthy = 0;
    int cooling = 0;
    int open = 0;
    int disabled = 0;          // by the router (rejected keys) or by the user
    QDateTime coolingUntil;    // UTC; the soonest a cooling channel serves again (null: unknown or none)
    QDateTime openUntil;       // UTC; the soonest an open circuit lets a probe through
    State state = State::AllGood;
    QStringList members;       // "alpha: cooling until 14:05", one per channel, for the tooltip

    friend bool operator==(const PoolHealth &, const PoolHealth &) = default;
};

// Every pool some channel serves (a channel serving several models is in several pools), sorted by
// model. A pool is down when none of its enabled channels is healthy, degraded when one of them is
// not; a channel the user disabled is counted but degrades nothing, since that was a choice.
QList<PoolHealth> poolHealth(const gateway::RuntimeConfig &config, const gateway::RouterStatus &status);

// "2 healthy · 1 cooling until 14:05 · 1 circuit open", times in local time.
QString poolMembersText(const PoolHealth &pool);
QString poolStateText(PoolHealth::State state);

} // namespace tarn::ui
