// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/routing/PoolView.h"

#include "gateway/storage/UsageStatsRepository.h"

#include <map>

namespace tarn::ui {

using namespace tarn::gateway;

QList<PoolTierView> poolTiers(const RuntimeConfig &config, const QString &model)
{
    std::map<int, PoolTierView, std::greater<int>> byPriority;
    for (const Channel &c : config.channels) {
        if (!c.enabled || !c.serves(model))
            continue;
        PoolTierView &tier = byPriority[c.priority];
        tier.priority = c.priority;
        tier.members.append({c.id, c.name, c.priority, c.weight, c.upstreamModel(model)});
    }
    QList<PoolTierView> tiers;
    for (auto &[priority, tier] : byPriority)
        tiers.append(tier);
    return tiers;
}

QString poolStructureKey(const QList<PoolTierView> &tiers)
{
    QString key;
    for (const PoolTierView &tier : tiers) {
        key += QString::number(tier.priority) + u':';
        for (const PoolMemberView &m : tier.members)
            key += QString::number(m.channelId) + u'/' + m.name + u'/' + m.upstreamModel + u',';
        key += u';';
    }
    return key;
}

namespace {

// Index of the tier holding channelId, or -1.
int tierOf(const QList<PoolTierView> &tiers, qint64 channelId)
{
    for (qsizetype t = 0; t < tiers.size(); ++t) {
        for (const PoolMemberView &m : tiers.at(t).members) {
            if (m.channelId == channelId)
                return int(t);
        }
    }
    return -1;
}

} // namespace

QHash<qint64, int> prioritiesForDrop(const QList<PoolTierView> &tiers, qint64 channelId, TierDrop drop)
{
    const int from = tierOf(tiers, channelId);
    const int count = int(tiers.size());
    if (from < 0 || drop.index < 0 || drop.index > count || (!drop.newTier && drop.index == count))
        return {};
    if (!drop.newTier) {
        if (drop.index == from)
            return {};
        return {{channelId, tiers.at(drop.index).priority}};
    }
    // Alone in its tier, a gap right above or below it is where it already is.
    if (tiers.at(from).members.size() == 1 && (drop.index == from || drop.index == from + 1))
        return {};
    if (drop.index == 0)
        return {{channelId, tiers.first().priority + 1}};
    if (drop.index == count)
        return {{channelId, tiers.last().priority - 1}};
    const int above = tiers.at(drop.index - 1).priority;
    const int below = tiers.at(drop.index).priority;
    if (above - below >= 2)
        return {{channelId, below + (above - below) / 2}};
    QHash<qint64, int> moves;
    for (qsizetype t = drop.index; t < tiers.size(); ++t) {
        for (const PoolMemberView &m : tiers.at(t).members)
            moves.insert(m.channelId, m.priority - 1);
    }
    moves.insert(channelId, below);
    return moves;
}

std::optional<TierDrop> tierStep(const QList<PoolTierView> &tiers, qint64 channelId, int step)
{
    const int from = tierOf(tiers, channelId);
    if (from < 0 || step == 0)
        return std::nullopt;
    const int to = from + (step < 0 ? -1 : 1);
    if (to >= 0 && to < tiers.size())
        return TierDrop{to, false};
    if (tiers.at(from).members.size() < 2)
        return std::nullopt;
    return TierDrop{to < 0 ? 0 : int(tiers.size()), true};
}

QList<std::optional<double>> tierShares(const QList<double> &weights)
{
    double total = 0;
    for (double w : weights)
        total += w > 0 ? w : 0;
    QList<std::optional<double>> shares;
    shares.reserve(weights.size());
    for (double w : weights) {
        if (w <= 0)
            shares.append(std::nullopt);
        else
            shares.append(w / total);
    }
    return shares;
}

QString percentText(double share)
{
    return QString::number(qRound(share * 100)) + QStringLiteral(" %");
}

ObservedShares observedShares(Database &database, const QString &model, const QDateTime &since)
{
    // A busy pool sees thousands of requests an hour; the cap keeps one refresh bounded.
    constexpr int kPageSize = 1000;
    constexpr int kMaxPages = 50;
    constexpr int kOutOfOrderSlackS = 15 * 60;
    ObservedShares result;
    const UsageStatsRepository repository(database);
    RequestLogFilter filter;
    filter.model = model;
    filter.limit = kPageSize;
    for (int page = 0; page < kMaxPages; ++page) {
        const Result<QList<RequestLogRow>> rows = repository.requestLog(filter);
        if (!rows) {
            result.error = rows.error().message;
            return result;
        }
        for (const RequestLogRow &row : *rows) {
            // Rows are ordered by id, written when a request ends, but stamped with its arrival: a
            // long request can sit among newer ones. Past the slack, nothing newer can follow.
            if (row.record.time < since.addSecs(-kOutOfOrderSlackS))
                return result;
            if (row.record.time < since || row.record.requestedModel != model || row.record.channelId == 0)
                continue;
            ++result.total;
            ++result.byChannel[row.record.channelId];
        }
        if (rows->size() < kPageSize)
            return result;
        filter.beforeId = rows->last().record.id;
    }
    return result;
}

} // namespace tarn::ui
