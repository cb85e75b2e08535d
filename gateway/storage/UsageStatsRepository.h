// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/storage/UsageStats.h"

#include <QTimeZone>

namespace tarn::gateway {

class Database;

// The desktop's aggregates over the usage table: totals, time series, shares, heatmap, channel
// quality, the request log and model prices. Each call is one read (or write, for prices) on the
// caller's connection; the desktop calls them on DesktopService's thread, never the GUI thread.
// Every aggregate must stay under 300 ms with 1 M usage rows (bench/usage_stats_bench).
class UsageStatsRepository final
{
public:
    explicit UsageStatsRepository(Database &database) : m_db(database) {}

    Result<UsageTotals> totals(const UsageRange &range) const;
    // Buckets with no request are left out; points are ordered by bucket, then series. Days, weeks
    // and months are calendar ones of zone (the desktop passes the system zone: the user's days),
    // exact whatever its offset or daylight saving; hours are UTC hours in every zone.
    Result<QList<UsagePoint>> series(const UsageRange &range, UsageGranularity granularity, UsageGrouping grouping,
                                     const QTimeZone &zone = QTimeZone::utc()) const;
    // Ordered by tokens (prompt + completion), then requests, then name.
    Result<QList<UsageShare>> shares(const UsageRange &range, UsageGrouping grouping) const;
    // Weekdays and hours of zone.
    Result<UsageHeatmap> heatmap(const UsageRange &range, const QTimeZone &zone = QTimeZone::utc()) const;
    Result<QList<ChannelQuality>> channelQuality(const UsageRange &range) const;

    Result<QList<RequestLogRow>> requestLog(const RequestLogFilter &filter) const;
    // Distinct values the log's filters offer.
    Result<QStringList> knownModels() const;
    Result<QStringList> knownChannels() const;

    // Usage retention: deletes the usage rows (and their rollups) from before the UTC day that
    // holds `before`, in one write transaction; returns how many usage rows went. Whole days keep
    // the rollups exact. Whatever prunes usage must do it here, never with a bare DELETE.
    Result<qint64> pruneBefore(const QDateTime &before);

    Result<QList<ModelPrice>> prices() const;
    Status setPrice(const ModelPrice &price);
    Status removePrice(const QString &model);

private:
    Result<QStringList> distinctNames(const QString &sql, int watermarkUses, const QString &what) const;

    Database &m_db;
};

} // namespace tarn::gateway
