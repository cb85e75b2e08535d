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
