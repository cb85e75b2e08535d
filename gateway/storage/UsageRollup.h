// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The rollups behind UsageStatsRepository and the helpers its queries share (storage-internal).
#include "gateway/core/Result.h"

#include "gateway/storage/UsageStats.h"

#include <QString>
#include <QStringList>

class QTimeZone;

namespace tarn::gateway {
class Database;
} // namespace tarn::gateway

namespace tarn::gateway::storage {

// How the aggregates stay under 300 ms with a million rows: they read rollups, not the usage
// table. usage_hourly holds the counts per UTC hour, channel and model pair; usage_latency_daily
// holds per UTC day and channel a histogram of latency and time to first byte;
// usage_quarter_hourly the requests per UTC quarter hour, for the heatmap. All include every
// usage row up to meta.usage_rollup_id, and each aggregate first rolls up the rows written since
// (short write transactions; no trigger on usage, so the request path costs what it did). A
// range's whole hours (days for the histograms, quarter hours for the heatmap) come from the
// rollups; its ragged edges and rows newer than the watermark come from usage itself, through the
// ts index or the rowid, so every answer is exact for the half-open range even when the catch-up
// could not run.
//
// Medians come from the histograms: 1 ms buckets below 32 ms, then 16 buckets per doubling, so a
// median is within about 3 % (the bucket's middle is reported).

inline constexpr qint64 kHourMs = 3'600'000;
inline constexpr qint64 kDayMs = 86'400'000;
inline constexpr qint64 kQuarterMs = 900'000;

// The UTC quarter hour a usage ts falls in, as "YYYY-MM-DDTHH:MM" (SQL over usage).
QString quarterSlotSql();
// The SQL for the latency histogram bucket of an integer column, and a bucket's middle in ms.
QString latencyBucketSql(const QString &column);
qint64 latencyBucketValue(int bucket);
qint64 floorTo(qint64 ms, qint64 unit);

// A range split into the whole units (hours or days) a rollup answers and the ragged edges usage
// answers. Texts are bound as-is; an empty edge is [kEmptyFrom, kEmptyTo).
struct RangePlan
{
    QString rollupFrom, rollupTo; // rollup keys (ts prefixes), half-open
    QString edge1From, edge1To;   // usage ts, half-open
    QString edge2From, edge2To;
    QString from, to;             // the whole range, as usage ts
};

RangePlan planRange(const UsageRange &range, qint64 unit, int keyLength);

// The UTC hour after an "YYYY-MM-DDTHH" key.
QString nextHourKey(const QString &hour);

// How a series puts the hourly source's rows into the calendar days of a time zone.
struct LocalCalendar
{
    QString dateSql;         // the local date ("YYYY-MM-DD") of the row s; empty: the zone is UTC throughout
    QStringList raggedHours; // rollup hours a bucket's start cuts (zones off whole hours), read from usage
};

// The zone's offsets over the range (over the stored usage where the range is open) as one SQL
// expression over s.hour: the offset in force at a row's minute, a daylight saving change
// included. A bucket is a local calendar date, never a fixed 24 hours from another, so a day of
// 23 or 25 hours is whole. Hour granularity needs none (hours are UTC hours).
Result<LocalCalendar> localCalendar(Database &db, const UsageRange &range, UsageGranularity granularity,
                                    const QTimeZone &zone);

// Rolls up the usage rows written since the last call, in chunks of 50 000 rows per write
// transaction. Best effort: when it cannot (the database is busy), the aggregates read those rows
// from usage instead.
void catchUpUsageRollups(Database &db);
// The last usage id the rollups include.
Result<qint64> usageRolledUpTo(Database &db);

} // namespace tarn::gateway::storage
