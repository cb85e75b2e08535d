// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace tarn::gateway {
class Database;
}

namespace tarn::ui {

// One channel of a pool as the routing page shows it.
struct PoolMemberView
{
    qint64 channelId = 0;
    QString name;
    int priority = 0;
    double weight = 1.0;
    QString upstreamModel;
};

// The channels of one priority tier, in the router's order.
struct PoolTierView
{
    int priority = 0;
    QList<PoolMemberView> members;
};

// The enabled channels serving model, grouped by priority, highest tier first: the same
// selection the router plans from (Channel::serves, enabled only).
QList<PoolTierView> poolTiers(const gateway::RuntimeConfig &config, const QString &model);

// What the routing page must rebuild for: the pool's members and their tiers (weights excluded,
// so a weight written by the page does not tear down the slider being dragged).
QString poolStructureKey(const QList<PoolTierView> &tiers);

// Where a channel row is dropped on the routing page: into the tier at index (tiers highest first),
// or, with newTier, into the gap before the tier at index (index == tiers.size(): below the last).
struct TierDrop
{
    int index = 0;
    bool newTier = false;

    friend bool operator==(const TierDrop &, const TierDrop &) = default;
};

// The priorities to write so that channelId lands where it was dropped: channel id -> new priority,
// empty when nothing changes. A new tier between two tiers whose priorities are adjacent integers
// has no number of its own, so the pool's tiers below the gap move down by one to make room.
QHash<qint64, int> prioritiesForDrop(const QList<PoolTierView> &tiers, qint64 channelId, TierDrop drop);

// The keyboard's move (Alt+Up / Alt+Down): one tier up (step < 0) or down; from the top or bottom
// tier, a channel sharing its tier gets a tier of its own beyond it. nullopt when it cannot move.
std::optional<TierDrop> tierStep(const QList<PoolTierView> &tiers, qint64 channelId, int step);

// Each weight's share of its tier (0..1), as the weighted strategy splits traffic when every
// channel is available; nullopt for weight 0, which the router keeps as a last resort.
QList<std::optional<double>> tierShares(const QList<double> &weights);

// "42 %"; shares are rounded to whole percents, as a slider cannot be set finer anyway.
QString percentText(double share);

// Requests of one pool in a time window, by the channel that served them.
struct ObservedShares
{
    qint64 total = 0;
    QHash<qint64, qint64> byChannel;
    QString error;

    std::optional<double> share(qint64 channelId) const
    {
        if (total <= 0)
            return std::nullopt;
        return double(byChannel.value(channelId)) / double(total);
    }
};

// Counts the pool's requests since `since` from the request log, newest first, page by page
// (runs on the desktop service's thread). Only requests that asked for model itself count, not
// those whose upstream model merely has the same name; requests that reached no channel don't.
ObservedShares observedShares(gateway::Database &database, const QString &model, const QDateTime &since);

} // namespace tarn::ui
