// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/UsageStatsRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"
#include "gateway/storage/UsageRollup.h"

#include <QHash>
#include <QSqlQuery>
#include <QTimeZone>

#include <algorithm>
#include <functional>

namespace tarn::gateway {

using namespace storage;

// How the aggregates stay fast, and how medians are computed: see UsageRollup.h.

namespace {

// Rows shaped like usage_hourly for a range: the rollup's whole hours, usage's edges, and usage
// rows newer than the rollup. Columns: hour, channel_id, channel_name, requested_model,
// upstream_model, requests, errors, prompt_tokens, completion_tokens, cached_tokens,
// reasoning_tokens. hour is "YYYY-MM-DDTHH" from the rollup and "YYYY-MM-DDTHH:MM" from usage: a
// local day can start inside a UTC hour (UTC+05:30), and the minute says on which side a row is.
// The rollup hours such a day start cuts (raggedHours, "YYYY-MM-DDTHH") are read from usage too.
// The unary + keeps SQLite on the index the part is written for (ts for the edges and the cut
// hours, the rowid for the newest rows).
QString hourlySourceSql(const QStringList &raggedHours)
{
    const QString columns = QStringLiteral(
        "substr(ts, 1, 16), channel_id, channel_name, requested_model, upstream_model, 1, "
        "status >= 400 OR status = 0, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens");
    const QString raw = QStringLiteral("SELECT %1 FROM usage WHERE ").arg(columns);
    QString with;
    QString notRagged;
    QString ragged;
    if (!raggedHours.isEmpty()) {
        // Hour keys are our own digits, never user text: written into the statement, since a
        // decade of days would pass SQLite's limit on bound parameters.
        QStringList rows;
        for (const QString &hour : raggedHours)
            rows.append(QStringLiteral("('%1', '%2')").arg(hour, nextHourKey(hour)));
        with = QStringLiteral("WITH ragged(hour, next_hour) AS (VALUES %1) ").arg(rows.join(u','));
        notRagged = QStringLiteral(" AND hour NOT IN (SELECT hour FROM ragged)");
        // ragged first: one index range on usage.ts per cut hour.
        ragged = QStringLiteral(" UNION ALL SELECT %1 FROM ragged CROSS JOIN usage "
                                "WHERE ts >= ragged.hour AND ts < ragged.next_hour AND +id <= ?")
                     .arg(columns);
    }
    return with
        + QStringLiteral("SELECT hour, channel_id, channel_name, requested_model, upstream_model, requests, errors, "
                         "prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens FROM usage_hourly "
                         "WHERE hour >= ? AND hour < ?%2 "
                         "UNION ALL %1 ts >= ? AND ts < ? AND +id <= ? "
                         "UNION ALL %1 ts >= ? AND ts < ? AND +id <= ? "
                         "UNION ALL %1 id > ? AND +ts >= ? AND +ts < ?")
              .arg(raw, notRagged)
        + ragged;
}

QVariantList hourlyBindings(const RangePlan &plan, qint64 watermark, bool ragged)
{
    QVariantList bindings{plan.rollupFrom, plan.rollupTo, plan.edge1From, plan.edge1To, watermark,
                          plan.edge2From, plan.edge2To, watermark, watermark, plan.from, plan.to};
    if (ragged)
        bindings.append(watermark);
    return bindings;
}

// Aggregate columns over the source aliased s, with model_prices joined as pu (upstream model)
// and pr (requested model): the upstream model's price when it has one, else the requested one's.
const QString kTotalsColumns = QStringLiteral(
    "sum(s.requests), sum(s.errors), sum(s.prompt_tokens), sum(s.completion_tokens), sum(s.cached_tokens), "
    "sum(s.reasoning_tokens), "
    "total((s.prompt_tokens - s.cached_tokens) * coalesce(pu.input_per_mtok, pr.input_per_mtok, 0) "
    "+ s.cached_tokens * coalesce(pu.cached_per_mtok, pr.cached_per_mtok, 0) "
    "+ s.completion_tokens * coalesce(pu.output_per_mtok, pr.output_per_mtok, 0)) / 1000000.0");
const QString kPriceJoins = QStringLiteral("LEFT JOIN model_prices pu ON pu.model = s.upstream_model "
                                           "LEFT JOIN model_prices pr ON pr.model = s.requested_model");

UsageTotals totalsFrom(const QSqlQuery &q, int first)
{
    UsageTotals t;
    t.requests = q.value(first).toLongLong();
    t.errors = q.value(first + 1).toLongLong();
    t.promptTokens = q.value(first + 2).toLongLong();
    t.completionTokens = q.value(first + 3).toLongLong();
    t.cachedTokens = q.value(first + 4).toLongLong();
    t.reasoningTokens = q.value(first + 5).toLongLong();
    t.costUsd = q.value(first + 6).toDouble();
    return t;
}

// Runs one aggregate over the hourly source in a read snapshot; each result row goes to row().
// raggedHours: rollup hours to read from usage instead (those inside the range's whole hours are).
Status readHourly(Database &db, const UsageRange &range, const QString &selectSql, const QString &tailSql,
                  const std::function<void(const QSqlQuery &)> &row, const QString &what,
                  const QStringList &raggedHours = {})
{
    catchUpUsageRollups(db);
    return db.readTransaction([&]() -> Status {
        const Result<qint64> watermark = usageRolledUpTo(db);
        if (!watermark)
            return watermark.error();
        const RangePlan plan = planRange(range, kHourMs, 13);
        QStringList ragged;
        for (const QString &hour : raggedHours)
            if (hour >= plan.rollupFrom && hour < plan.rollupTo)
                ragged.append(hour);
        QSqlQuery q(db.handle());
        q.setForwardOnly(true);
        if (Status s = execute(q, QStringLiteral("SELECT %1 FROM (%2) AS s %3 %4")
                                      .arg(selectSql, hourlySourceSql(ragged), kPriceJoins, tailSql),
                               hourlyBindings(plan, *watermark, !ragged.isEmpty()), what);
            !s)
            return s;
        while (q.next())
            row(q);
        return {};
    });
}

QString nameColumn(UsageGrouping grouping)
{
    return grouping == UsageGrouping::Channel ? QStringLiteral("s.channel_name") : QStringLiteral("s.requested_model");
}

QDateTime bucketTime(const QString &key)
{
    // Keys are "YYYY-MM-DDTHH", "YYYY-MM-DD" or "YYYY-MM" (UTC).
    const QDate date(key.left(4).toInt(), key.mid(5, 2).toInt(), key.size() >= 10 ? key.mid(8, 2).toInt() : 1);
    const int hour = key.size() >= 13 ? key.mid(11, 2).toInt() : 0;
    return QDateTime(date, QTime(hour, 0), QTimeZone::utc());
}

} // namespace

Result<UsageTotals> UsageStatsRepository::totals(const UsageRange &range) const
{
    UsageTotals totals;
    if (Status s = readHourly(m_db, range, kTotalsColumns, QString(), [&](const QSqlQuery &q) { totals = totalsFrom(q, 0); },
                              QStringLiteral("reading usage totals"));
        !s)
        return s.error();
    return totals;
}

Result<QList<UsagePoint>> UsageStatsRepository::series(const UsageRange &range, UsageGranularity granularity,
                                                       UsageGrouping grouping, const QTimeZone &zone) const
{
    const Result<LocalCalendar> calendar = localCalendar(m_db, range, granularity, zone);
    if (!calendar)
        return calendar.error();
    const QString date = calendar->dateSql.isEmpty() ? QStringLiteral("substr(s.hour, 1, 10)") : calendar->dateSql;
    QString bucket;
    switch (granularity) {
    case UsageGranularity::Hour: bucket = QStringLiteral("substr(s.hour, 1, 13)"); break;
    case UsageGranularity::Day: bucket = date; break;
    // The Monday on or before the day: back six days, then forward to the next Monday.
    case UsageGranularity::Week: bucket = QStringLiteral("date(%1, '-6 days', 'weekday 1')").arg(date); break;
    case UsageGranularity::Month: bucket = QStringLiteral("substr(%1, 1, 7)").arg(date); break;
    }
    // A UTC key is its own start; a local date starts at that zone's midnight.
    const bool local = !calendar->dateSql.isEmpty();
    const auto bucketStart = [&](const QString &key) {
        return local ? usageDayStart(QDate(key.left(4).toInt(), key.mid(5, 2).toInt(), key.size() >= 10 ? key.mid(8, 2).toInt() : 1), zone)
                     : bucketTime(key);
    };
    QList<UsagePoint> points;
    const Status s = readHourly(
        m_db, range, QStringLiteral("%1 AS bucket, %2 AS name, %3").arg(bucket, nameColumn(grouping), kTotalsColumns),
        QStringLiteral("GROUP BY 1, 2 ORDER BY 1, 2"),
        [&](const QSqlQuery &q) { points.append({bucketStart(q.value(0).toString()), q.value(1).toString(), totalsFrom(q, 2)}); },
        QStringLiteral("reading the usage series"), calendar->raggedHours);
    if (!s)
        return s.error();
    return points;
}

Result<QList<UsageShare>> UsageStatsRepository::shares(const UsageRange &range, UsageGrouping grouping) const
{
    QList<UsageShare> shares;
    const Status s = readHourly(
        m_db, range, QStringLiteral("%1 AS name, %2").arg(nameColumn(grouping), kTotalsColumns),
        QStringLiteral("GROUP BY 1 ORDER BY sum(s.prompt_tokens) + sum(s.completion_tokens) DESC, sum(s.requests) DESC, 1"),
        [&](const QSqlQuery &q) { shares.append({q.value(0).toString(), totalsFrom(q, 1)}); },
        QStringLiteral("reading usage shares"));
    if (!s)
        return s.error();
    return shares;
}

Result<UsageHeatmap> UsageStatsRepository::heatmap(const UsageRange &range, const QTimeZone &zone) const
{
    // Counted per UTC quarter hour, then placed at the slot's time in zone: exact in every time
    // zone (offsets are whole quarter hours), daylight saving included.
    catchUpUsageRollups(m_db);
    UsageHeatmap map{};
    const Status s = m_db.readTransaction([&]() -> Status {
        const Result<qint64> watermark = usageRolledUpTo(m_db);
        if (!watermark)
            return watermark.error();
        const RangePlan plan = planRange(range, kQuarterMs, 16);
        const QString raw = QStringLiteral("SELECT %1 AS slot, 1 AS requests FROM usage WHERE ").arg(quarterSlotSql());
        QSqlQuery q(m_db.handle());
        q.setForwardOnly(true);
        if (Status st = execute(q, QStringLiteral("SELECT slot, sum(requests) FROM ("
                                                  "SELECT slot, requests FROM usage_quarter_hourly WHERE slot >= ? AND slot < ? "
                                                  "UNION ALL %1 ts >= ? AND ts < ? AND +id <= ? "
                                                  "UNION ALL %1 ts >= ? AND ts < ? AND +id <= ? "
                                                  "UNION ALL %1 id > ? AND +ts >= ? AND +ts < ?) GROUP BY 1")
                                       .arg(raw),
                                {plan.rollupFrom, plan.rollupTo, plan.edge1From, plan.edge1To, *watermark, plan.edge2From,
                                 plan.edge2To, *watermark, *watermark, plan.from, plan.to},
                                QStringLiteral("reading the usage heatmap"));
            !st)
            return st;
        while (q.next()) {
            const QString slot = q.value(0).toString();
            const QDateTime local = bucketTime(slot).addSecs(slot.mid(14, 2).toInt() * 60).toTimeZone(zone);
            map[local.date().dayOfWeek() - 1][local.time().hour()] += q.value(1).toLongLong();
        }
        return {};
    });
    if (!s)
        return s.error();
    return map;
}

Result<QList<ChannelQuality>> UsageStatsRepository::channelQuality(const UsageRange &range) const
{
    QList<ChannelQuality> channels;
    QHash<qint64, qsizetype> index;
    const QString what = QStringLiteral("reading channel quality");
    // Counts from the hourly source; the newest name a channel had in the range names it.
    if (Status s = readHourly(
            m_db, range, QStringLiteral("s.channel_id, max(s.hour || ' ' || s.channel_name), sum(s.requests), sum(s.errors)"),
            QStringLiteral("WHERE s.channel_id != 0 GROUP BY 1 ORDER BY 1"),
            [&](const QSqlQuery &q) {
                ChannelQuality c;
                c.channelId = q.value(0).toLongLong();
                c.channelName = q.value(1).toString().section(u' ', 1);
                c.requests = q.value(2).toLongLong();
                c.errors = q.value(3).toLongLong();
                index.insert(c.channelId, channels.size());
                channels.append(c);
            },
            what);
        !s)
        return s.error();
    if (channels.isEmpty())
        return channels;

    // Medians: the daily histograms for whole days, usage for the edges and the newest rows.
    const Status s = m_db.readTransaction([&]() -> Status {
        const Result<qint64> watermark = usageRolledUpTo(m_db);
        if (!watermark)
            return watermark.error();
        const RangePlan plan = planRange(range, kDayMs, 10);
        const QString raw = QStringLiteral(
                                "SELECT channel_id, k.kind AS kind, CASE k.kind WHEN 0 THEN %1 ELSE %2 END AS bucket, 1 AS n "
                                "FROM usage CROSS JOIN (SELECT 0 AS kind UNION ALL SELECT 1) AS k "
                                "WHERE channel_id != 0 AND (k.kind = 0 OR ttft_ms >= 0) AND ")
                                .arg(latencyBucketSql(QStringLiteral("max(latency_ms, 0)")), latencyBucketSql(QStringLiteral("ttft_ms")));
        QSqlQuery q(m_db.handle());
        q.setForwardOnly(true);
        if (Status st = execute(q, QStringLiteral(
                                       "SELECT channel_id, kind, bucket, sum(n) FROM ("
                                       "SELECT channel_id, kind, bucket, n FROM usage_latency_daily WHERE day >= ? AND day < ? "
                                       "UNION ALL %1 ts >= ? AND ts < ? AND +id <= ? "
                                       "UNION ALL %1 ts >= ? AND ts < ? AND +id <= ? "
                                       "UNION ALL %1 id > ? AND +ts >= ? AND +ts < ?) "
                                       "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
                                       .arg(raw),
                                {plan.rollupFrom, plan.rollupTo, plan.edge1From, plan.edge1To, *watermark, plan.edge2From,
                                 plan.edge2To, *watermark, *watermark, plan.from, plan.to},
                                what);
            !st)
            return st;
        // Histograms arrive in bucket order per channel and kind; gather them, then walk to the
        // lower median (the ((n - 1) / 2)-th value, counting from 0).
        QHash<QPair<qint64, int>, QList<QPair<int, qint64>>> histograms;
        while (q.next())
            histograms[{q.value(0).toLongLong(), q.value(1).toInt()}].append({q.value(2).toInt(), q.value(3).toLongLong()});
        for (auto it = histograms.cbegin(); it != histograms.cend(); ++it) {
            const auto found = index.constFind(it.key().first);
            if (found == index.cend())
                continue;
            qint64 count = 0;
            for (const QPair<int, qint64> &bucket : it.value())
                count += bucket.second;
            qint64 seen = 0;
            qint64 median = -1;
            for (const auto &[bucket, n] : it.value()) {
                seen += n;
                if (seen > (count - 1) / 2) {
                    median = latencyBucketValue(bucket);
                    break;
                }
            }
            ChannelQuality &c = channels[*found];
            (it.key().second == 0 ? c.medianLatencyMs : c.medianTtftMs) = median;
        }
        return {};
    });
    if (!s)
        return s.error();
    return channels;
}

// The distinct non-empty values sql lists, over the rollups and the rows not rolled up yet; sql
// takes the watermark once per `?`.
Result<QStringList> UsageStatsRepository::distinctNames(const QString &sql, int watermarkUses, const QString &what) const
{
    catchUpUsageRollups(m_db);
    QStringList names;
    const Status s = m_db.readTransaction([&]() -> Status {
        const Result<qint64> watermark = usageRolledUpTo(m_db);
        if (!watermark)
            return watermark.error();
        QSqlQuery q(m_db.handle());
        q.setForwardOnly(true);
        if (Status st = execute(q, sql, QVariantList(watermarkUses, *watermark), what); !st)
            return st;
        while (q.next())
            if (const QString name = q.value(0).toString(); !name.isEmpty())
                names.append(name);
        return {};
    });
    if (!s)
        return s.error();
    return names;
}

Result<QStringList> UsageStatsRepository::knownModels() const
{
    return distinctNames(QStringLiteral("SELECT requested_model FROM usage_hourly UNION SELECT upstream_model FROM usage_hourly "
                                        "UNION SELECT requested_model FROM usage WHERE id > ? "
                                        "UNION SELECT upstream_model FROM usage WHERE id > ? ORDER BY 1"),
                         2, QStringLiteral("reading the models in usage"));
}

Result<QStringList> UsageStatsRepository::knownChannels() const
{
    return distinctNames(QStringLiteral("SELECT channel_name FROM usage_hourly "
                                        "UNION SELECT channel_name FROM usage WHERE id > ? ORDER BY 1"),
                         1, QStringLiteral("reading the channels in usage"));
}

Result<qint64> UsageStatsRepository::pruneBefore(const QDateTime &before)
{
    if (!before.isValid())
        return Error::invalid(QStringLiteral("pruning usage needs a date"));
    // Rolled up first, so the rollups hold exactly the rows usage keeps once both are cut at the
    // same day boundary.
    catchUpUsageRollups(m_db);
    const QString day = dbTimeFromMSecs(floorTo(before.toMSecsSinceEpoch(), kDayMs));
    const QString what = QStringLiteral("pruning usage");
    // A few thousand rows per transaction: one DELETE of a year of rows held the database's write
    // lock for seconds, and every writer (the usage recorder, the router's upkeep) waited behind it.
    // Until the rollups are cut below, a range reaching into the pruned days may briefly count rows
    // that are already gone from usage; nothing else reads them.
    constexpr int kChunk = 5000;
    qint64 removed = 0;
    for (;;) {
        qint64 chunk = 0;
        const Status s = m_db.transaction([&]() -> Status {
            QSqlQuery q(m_db.handle());
            if (Status st = execute(q, QStringLiteral("DELETE FROM usage WHERE rowid IN "
                                                      "(SELECT rowid FROM usage WHERE ts < ? LIMIT %1)").arg(kChunk),
                                    {day}, what);
                !st)
                return st;
            chunk = q.numRowsAffected();
            return {};
        });
        if (!s)
            return s.error();
        removed += chunk;
        if (chunk < kChunk)
            break;
    }
    const Status s = m_db.transaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        if (Status st = execute(q, QStringLiteral("DELETE FROM usage_hourly WHERE hour < ?"), {day.left(13)}, what); !st)
            return st;
        if (Status st = execute(q, QStringLiteral("DELETE FROM usage_quarter_hourly WHERE slot < ?"), {day.left(16)}, what); !st)
            return st;
        return execute(q, QStringLiteral("DELETE FROM usage_latency_daily WHERE day < ?"), {day.left(10)}, what);
    });
    if (!s)
        return s.error();
    return removed;
}

Result<QList<ModelPrice>> UsageStatsRepository::prices() const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT model, input_per_mtok, output_per_mtok, cached_per_mtok FROM model_prices "
                                             "ORDER BY model"),
                           {}, QStringLiteral("reading model prices"));
        !s)
        return s.error();
    QList<ModelPrice> prices;
    while (q.next())
        prices.append({q.value(0).toString(), q.value(1).toDouble(), q.value(2).toDouble(), q.value(3).toDouble()});
    return prices;
}

Status UsageStatsRepository::setPrice(const ModelPrice &price)
{
    if (price.model.trimmed().isEmpty())
        return Error::invalid(QStringLiteral("a price needs a model name"));
    // !(x >= 0) also refuses NaN.
    if (!(price.inputPerMTok >= 0) || !(price.outputPerMTok >= 0) || !(price.cachedPerMTok >= 0))
        return Error::invalid(QStringLiteral("prices cannot be negative (model %1)").arg(price.model));
    QSqlQuery q(m_db.handle());
    return execute(q, QStringLiteral("INSERT INTO model_prices (model, input_per_mtok, output_per_mtok, cached_per_mtok) "
                                     "VALUES (?, ?, ?, ?) ON CONFLICT (model) DO UPDATE SET "
                                     "input_per_mtok = excluded.input_per_mtok, output_per_mtok = excluded.output_per_mtok, "
                                     "cached_per_mtok = excluded.cached_per_mtok"),
                   {price.model.trimmed(), price.inputPerMTok, price.outputPerMTok, price.cachedPerMTok},
                   QStringLiteral("saving the price of %1").arg(price.model));
}

Status UsageStatsRepository::removePrice(const QString &model)
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("DELETE FROM model_prices WHERE model = ?"), {model},
                           QStringLiteral("removing the price of %1").arg(model));
        !s)
        return s;
    if (q.numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no price for model %1").arg(model));
    return {};
}

} // namespace tarn::gateway
