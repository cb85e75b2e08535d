// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QString>
#include <QTimeZone>

namespace tarn::gateway {
class Database;
}

namespace tarn::ui {

// The range presets of the Usage page.
enum class UsageRangePreset { Day, Week, Month, All, Custom };

// What the Usage page asks for: one range, one bucket size, one grouping, in the user's time zone.
struct UsageQuery
{
    gateway::UsageRange range;
    gateway::UsageGranularity granularity = gateway::UsageGranularity::Hour;
    gateway::UsageGrouping grouping = gateway::UsageGrouping::Channel;
    // Days, weeks and months are this zone's calendar ones, and every time shown is in it.
    QTimeZone zone = QTimeZone::systemTimeZone();
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
    // Every bucket of the range in time order (their first instants), quiet ones included: the categories
    // every bar chart of the query shares. Empty when the range is open and holds no usage.
    QList<QDateTime> buckets;
};

// More bars than this per chart are unreadable and slow to build on the GUI thread: a finer bucket
// size is coarsened to the next one until the range fits.
constexpr int MaxChartBuckets = 200;

// The first instant of the bucket holding at: the UTC hour, or zone's day, ISO week (Monday) or
// month, as the store buckets them (UsageStatsRepository::series).
QDateTime usageBucketStart(const QDateTime &at, gateway::UsageGranularity granularity, const QTimeZone &zone);
QDateTime nextUsageBucket(const QDateTime &bucket, gateway::UsageGranularity granularity, const QTimeZone &zone);
// The buckets covering [from, to), from the one holding from.
QList<QDateTime> usageBuckets(const QDateTime &from, const QDateTime &to, gateway::UsageGranularity granularity,
                              const QTimeZone &zone);
// The finest granularity, no finer than asked, that covers [from, to) in at most MaxChartBuckets.
gateway::UsageGranularity fittingGranularity(const QDateTime &from, const QDateTime &to,
                                             gateway::UsageGranularity asked, const QTimeZone &zone);

// The range a preset stands for at now: the last 24 hours, or the last 7 or 30 of zone's days
// with today (from local midnight, so the first day's bar is a whole day). Custom has no meaning
// here and gives an open range.
gateway::UsageRange usageRangeFor(UsageRangePreset preset, const QDateTime &now, const QTimeZone &zone);

// Runs on the DesktopService thread. An open end of the range ends at now, an open start at the
// first bucket with usage.
UsageData loadUsage(gateway::Database &database, const UsageQuery &query,
                    const QDateTime &now = QDateTime::currentDateTimeUtc());

// The series as CSV (one line per bucket and series), for "Export CSV". Bucket starts are ISO
// times with their UTC offset, in the query's zone, which the header names.
QString usageSeriesCsv(const UsageData &data);

} // namespace tarn::ui
