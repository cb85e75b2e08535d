// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QString>

namespace tarn::gateway {
class Database;
}

namespace tarn::ui {

// The range presets of the Usage page.
enum class UsageRangePreset { Day, Week, Month, All, Custom };

// What the Usage page asks for: one range, one bucket size, one grouping.
struct UsageQuery
{
    gateway::UsageRange range;
    gateway::UsageGranularity granularity = gateway::UsageGranularity::Hour;
    gateway::UsageGrouping grouping = gateway::UsageGrouping::Channel;
};

// Everything the Usage page's charts and table show for one query, all aggregates: the page never
// reads usage rows, so it costs the same with 1 M rows as with ten.
struct UsageData
{
    UsageQuery query;
    QList<gateway::UsagePoint> series; // grouped by query.grouping
    QList<gateway::UsageShare> byModel;
    QList<gateway::UsageShare> byChannel;
    gateway::UsageHeatmap heatmap{};
    QList<gateway::ChannelQuality> quality;
    QString error;
    // The bucket size asked for; query.granularity is the one shown, coarser when the asked one
    // would draw more than MaxChartBuckets bars.
    gateway::UsageGranularity requestedGranularity = gateway::UsageGranularity::Hour;
    // Every bucket of the range in time order (UTC starts), quiet ones included: the categories
    // every bar chart of the query shares. Empty when the range is open and holds no usage.
    QList<QDateTime> buckets;
};

// More bars than this per chart are unreadable and slow to build on the GUI thread: a finer bucket
// size is coarsened to the next one until the range fits.
constexpr int MaxChartBuckets = 200;

// The start (UTC) of the bucket holding at: the hour, the day, the ISO week's Monday, the month.
// The store buckets in UTC the same way.
QDateTime usageBucketStart(const QDateTime &at, gateway::UsageGranularity granularity);
QDateTime nextUsageBucket(const QDateTime &bucket, gateway::UsageGranularity granularity);
// The buckets covering [from, to), from the one holding from.
QList<QDateTime> usageBuckets(const QDateTime &from, const QDateTime &to, gateway::UsageGranularity granularity);
// The finest granularity, no finer than asked, that covers [from, to) in at most MaxChartBuckets.
gateway::UsageGranularity fittingGranularity(const QDateTime &from, const QDateTime &to,
                                             gateway::UsageGranularity asked);

// The range a preset stands for at now (UTC). Custom has no meaning here and gives an open range.
gateway::UsageRange usageRangeFor(UsageRangePreset preset, const QDateTime &now);

// Runs on the DesktopService thread. An open end of the range ends at now (UTC), an open start at
// the first bucket with usage.
UsageData loadUsage(gateway::Database &database, const UsageQuery &query,
                    const QDateTime &now = QDateTime::currentDateTimeUtc());

// The series as CSV (one line per bucket and series, UTC ISO times), for "Export CSV".
QString usageSeriesCsv(const UsageData &data);

} // namespace tarn::ui
