// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/UsageRollup.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"
#include "gateway/storage/UsageStats.h"

#include <QSqlQuery>
#include <QThread>
#include <QTimeZone>

#include <algorithm>

namespace tarn::gateway::storage {

namespace {

constexpr int kExactBuckets = 32;
constexpr int kBucketsPerOctave = 16;
constexpr int kLastOctave = 20; // 2^21 ms (35 minutes) and more share the overflow bucket
constexpr int kOverflowBucket = kExactBuckets + (kLastOctave - 4) * kBucketsPerOctave;

const QString kEmptyFrom = QStringLiteral("1"); // with kEmptyTo: a text range no timestamp falls in
const QString kEmptyTo = QStringLiteral("0");
const QString kOpenTo = QStringLiteral("~");    // sorts after every timestamp

// A first catch-up over a million rows takes seconds; in chunks, the gateway's usage writer never
// waits that long for the lock.
constexpr qint64 kChunk = 50'000;
constexpr unsigned long kChunkPauseMs = 120;

} // namespace

QString quarterSlotSql()
{
    return QStringLiteral("substr(ts, 1, 14) || printf('%02d', CAST(substr(ts, 15, 2) AS INTEGER) / 15 * 15)");
}

QString latencyBucketSql(const QString &column)
{
    QString sql = QStringLiteral("CASE WHEN %1 < %2 THEN %1").arg(column).arg(kExactBuckets);
    for (int octave = 5; octave <= kLastOctave; ++octave) {
        const qint64 low = qint64(1) << octave;
        const qint64 width = qint64(1) << (octave - 4);
        sql += QStringLiteral(" WHEN %1 < %2 THEN %3 + (%1 - %4) / %5")
                   .arg(column)
                   .arg(low * 2)
                   .arg(kExactBuckets + (octave - 5) * kBucketsPerOctave)
                   .arg(low)
                   .arg(width);
    }
    return sql + QStringLiteral(" ELSE %1 END").arg(kOverflowBucket);
}

qint64 latencyBucketValue(int bucket)
{
    if (bucket < kExactBuckets)
        return bucket;
    if (bucket >= kOverflowBucket)
        return qint64(1) << (kLastOctave + 1);
    const int octave = 5 + (bucket - kExactBuckets) / kBucketsPerOctave;
    const qint64 width = qint64(1) << (octave - 4);
    return (qint64(1) << octave) + ((bucket - kExactBuckets) % kBucketsPerOctave) * width + (width - 1) / 2;
}

qint64 floorTo(qint64 ms, qint64 unit)
{
    return ms >= 0 ? ms / unit * unit : -((-ms + unit - 1) / unit) * unit;
}


RangePlan planRange(const UsageRange &range, qint64 unit, int keyLength)
{
    // Plain flags, not std::optional: GCC 12 warns (-Werror) about optionals it cannot follow here.
    RangePlan plan;
    const bool hasFrom = range.from.isValid();
    const bool hasTo = range.to.isValid();
    const qint64 lo = hasFrom ? range.from.toMSecsSinceEpoch() : 0;
    const qint64 hi = hasTo ? range.to.toMSecsSinceEpoch() : 0;
    plan.from = hasFrom ? dbTimeFromMSecs(lo) : QString();
    plan.to = hasTo ? dbTimeFromMSecs(hi) : kOpenTo;
    const qint64 wholeFrom = -floorTo(-lo, unit);
    const qint64 wholeTo = floorTo(hi, unit);
    plan.edge1From = plan.edge2From = kEmptyFrom;
    plan.edge1To = plan.edge2To = kEmptyTo;
    if (hasFrom && hasTo && wholeFrom >= wholeTo) {
        // Not one whole unit inside: usage answers all of it (under two units of rows).
        plan.rollupFrom = kEmptyFrom;
        plan.rollupTo = kEmptyTo;
        plan.edge1From = plan.from;
        plan.edge1To = plan.to;
        return plan;
    }
    plan.rollupFrom = hasFrom ? dbTimeFromMSecs(wholeFrom).left(keyLength) : QString();
    plan.rollupTo = hasTo ? dbTimeFromMSecs(wholeTo).left(keyLength) : kOpenTo;
    if (hasFrom) {
        plan.edge1From = plan.from;
        plan.edge1To = dbTimeFromMSecs(wholeFrom);
    }
    if (hasTo) {
        plan.edge2From = dbTimeFromMSecs(wholeTo);
        plan.edge2To = plan.to;
    }
    return plan;
}

// The UTC hour after an "YYYY-MM-DDTHH" key.
QString nextHourKey(const QString &hour)
{
    const QDateTime start(QDate::fromString(hour.left(10), Qt::ISODate), QTime(hour.mid(11, 2).toInt(), 0), QTimeZone::utc());
    return dbTimeFromMSecs(start.toMSecsSinceEpoch() + kHourMs).left(13);
}

Result<LocalCalendar> localCalendar(Database &db, const UsageRange &range, UsageGranularity granularity,
                                    const QTimeZone &zone)
{
    LocalCalendar calendar;
    if (granularity == UsageGranularity::Hour || !zone.isValid())
        return calendar;
    QDateTime from = range.from;
    QDateTime to = range.to;
    if (!from.isValid() || !to.isValid()) {
        QSqlQuery q(db.handle());
        q.setForwardOnly(true);
        if (Status s = execute(q, QStringLiteral("SELECT (SELECT min(ts) FROM usage), (SELECT max(ts) FROM usage)"), {},
                               QStringLiteral("reading the span of usage"));
            !s)
            return s.error();
        if (!q.next() || q.value(0).isNull())
            return calendar; // no usage: nothing to put in buckets
        if (!from.isValid())
            from = fromDbTime(q.value(0));
        if (!to.isValid())
            to = fromDbTime(q.value(1)).addSecs(1);
    }
    to = std::max(from, to);
    // The offset before the range, then each change inside it.
    QList<std::pair<QDateTime, int>> periods{{QDateTime(), zone.offsetFromUtc(from)}};
    const QTimeZone::OffsetDataList changes = zone.transitions(from, to);
    for (const QTimeZone::OffsetData &change : changes)
        periods.append({change.atUtc, change.offsetFromUtc});
    bool utc = true;
    bool wholeHours = true;
    for (const auto &[at, offset] : std::as_const(periods)) {
        utc = utc && offset == 0;
        wholeHours = wholeHours && offset % 3600 == 0 && (!at.isValid() || at.toMSecsSinceEpoch() % kHourMs == 0);
    }
    if (utc)
        return calendar;
    // Rollup keys are hours, usage's are minutes: both as a minute SQLite's date() reads.
    const QString minute = QStringLiteral("substr(s.hour || ':00', 1, 16)");
    const auto localDate = [&minute](int offset) {
        return QStringLiteral("date(%1, '%2%3 seconds')").arg(minute, offset >= 0 ? QStringLiteral("+") : QString()).arg(offset);
    };
    if (periods.size() == 1) {
        calendar.dateSql = localDate(periods.first().second);
    } else {
        calendar.dateSql = QStringLiteral("CASE");
        for (qsizetype i = 1; i < periods.size(); ++i)
            calendar.dateSql += QStringLiteral(" WHEN %1 < '%2' THEN %3")
                                    .arg(minute, dbTimeFromMSecs(periods[i].first.toMSecsSinceEpoch()).left(16),
                                         localDate(periods[i - 1].second));
        calendar.dateSql += QStringLiteral(" ELSE %1 END").arg(localDate(periods.last().second));
    }
    if (!wholeHours) {
        // A day starting inside a UTC hour (UTC+05:30: at 18:30) splits that hour's rollup row
        // between two days: the hour is read from usage, where each row has its minute.
        const QDate last = to.toTimeZone(zone).date();
        for (QDate day = from.toTimeZone(zone).date(); day <= last; day = day.addDays(1)) {
            if ((granularity == UsageGranularity::Week && day.dayOfWeek() != 1)
                || (granularity == UsageGranularity::Month && day.day() != 1))
                continue;
            const qint64 start = usageDayStart(day, zone).toMSecsSinceEpoch();
            if (start % kHourMs != 0)
                calendar.raggedHours.append(dbTimeFromMSecs(floorTo(start, kHourMs)).left(13));
        }
    }
    return calendar;
}

void catchUpUsageRollups(Database &db)
{
    bool more = true;
    while (more) {
        more = false;
        const Status rolled = db.transaction([&]() -> Status {
            const QString what = QStringLiteral("rolling up usage");
            QSqlQuery q(db.handle());
            if (Status s = execute(q, QStringLiteral("SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'usage_rollup_id'), "
                                                     "(SELECT coalesce(max(id), 0) FROM usage)"),
                                   {}, what);
                !s)
                return s;
            if (!q.next())
                return {};
            const qint64 done = q.value(0).toLongLong();
            const qint64 last = q.value(1).toLongLong();
            q.finish();
            if (last <= done)
                return {};
            const qint64 upTo = std::min(last, done + kChunk);
            more = upTo < last;
            if (Status s = execute(q, QStringLiteral(
                                          "INSERT INTO usage_hourly (hour, channel_id, channel_name, requested_model, upstream_model, "
                                          "requests, errors, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens) "
                                          "SELECT substr(ts, 1, 13), channel_id, channel_name, requested_model, upstream_model, count(*), "
                                          "sum(status >= 400 OR status = 0), sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens), "
                                          "sum(reasoning_tokens) "
                                          "FROM usage WHERE id > ? AND id <= ? GROUP BY 1, 2, 3, 4, 5 "
                                          "ON CONFLICT (hour, channel_id, channel_name, requested_model, upstream_model) DO UPDATE SET "
                                          "requests = requests + excluded.requests, errors = errors + excluded.errors, "
                                          "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
                                          "completion_tokens = completion_tokens + excluded.completion_tokens, "
                                          "cached_tokens = cached_tokens + excluded.cached_tokens, "
                                          "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens"),
                                   {done, upTo}, what);
                !s)
                return s;
            // CROSS JOIN keeps usage the outer loop: one pass yields both the latency and the ttft row.
            if (Status s = execute(q, QStringLiteral(
                                          "INSERT INTO usage_latency_daily (day, channel_id, kind, bucket, n) "
                                          "SELECT substr(ts, 1, 10), channel_id, k.kind, "
                                          "CASE k.kind WHEN 0 THEN %1 ELSE %2 END, count(*) "
                                          "FROM usage CROSS JOIN (SELECT 0 AS kind UNION ALL SELECT 1) AS k "
                                          "WHERE id > ? AND id <= ? AND channel_id != 0 AND (k.kind = 0 OR ttft_ms >= 0) "
                                          "GROUP BY 1, 2, 3, 4 "
                                          "ON CONFLICT (day, channel_id, kind, bucket) DO UPDATE SET n = n + excluded.n")
                                          .arg(latencyBucketSql(QStringLiteral("max(latency_ms, 0)")), latencyBucketSql(QStringLiteral("ttft_ms"))),
                                   {done, upTo}, what);
                !s)
                return s;
            if (Status s = execute(q, QStringLiteral(
                                          "INSERT INTO usage_quarter_hourly (slot, requests) SELECT %1, count(*) FROM usage "
                                          "WHERE id > ? AND id <= ? GROUP BY 1 "
                                          "ON CONFLICT (slot) DO UPDATE SET requests = requests + excluded.requests")
                                          .arg(quarterSlotSql()),
                                   {done, upTo}, what);
                !s)
                return s;
            return execute(q, QStringLiteral("UPDATE meta SET value = ? WHERE key = 'usage_rollup_id'"), {upTo}, what);
        });
        more = more && rolled.ok();
        // A pause between chunks: SQLite's busy handler retries after sleeps of up to 100 ms, so a
        // writer that found the lock taken needs a gap to get in before the next chunk takes it.
        if (more)
            QThread::msleep(kChunkPauseMs);
    }
}

Result<qint64> usageRolledUpTo(Database &db)
{
    QSqlQuery q(db.handle());
    if (Status s = execute(q, QStringLiteral("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'usage_rollup_id'"), {},
                           QStringLiteral("reading the usage rollup"));
        !s)
        return s.error();
    return q.next() ? q.value(0).toLongLong() : 0;
}

} // namespace tarn::gateway::storage

namespace tarn::gateway {

QDateTime usageDayStart(const QDate &date, const QTimeZone &zone)
{
    if (!zone.isValid())
        return QDateTime(date, QTime(0, 0), QTimeZone::utc());
    QDateTime start(date, QTime(0, 0), zone);
    const QDateTime shown = start.toTimeZone(zone);
    if (!start.isValid() || shown.date() != date || shown.time() != QTime(0, 0)) {
        // A clock change skipped midnight: the day starts where the change ends the day before.
        start = zone.nextTransition(QDateTime(date.addDays(-1), QTime(12, 0), zone)).atUtc;
    }
    // A midnight the clocks were set back to happens twice: the day starts at the first.
    if (const QDateTime hourBefore = start.addSecs(-3600); hourBefore.toTimeZone(zone).date() == date)
        start = hourBefore;
    return start.toUTC();
}

} // namespace tarn::gateway
