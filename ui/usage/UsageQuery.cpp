// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsageQuery.h"

#include "gateway/storage/UsageStatsRepository.h"

#include <QTimeZone>

#include <algorithm>

namespace tarn::ui {

using namespace tarn::gateway;

UsageRange usageRangeFor(UsageRangePreset preset, const QDateTime &now, const QTimeZone &zone)
{
    const QDate today = now.toTimeZone(zone).date();
    switch (preset) {
    case UsageRangePreset::Day: return {now.addSecs(-24 * 3600), QDateTime()};
    case UsageRangePreset::Week: return {usageDayStart(today.addDays(-6), zone), QDateTime()};
    case UsageRangePreset::Month: return {usageDayStart(today.addDays(-29), zone), QDateTime()};
    case UsageRangePreset::All:
    case UsageRangePreset::Custom: break;
    }
    return {};
}

QDateTime usageBucketStart(const QDateTime &at, UsageGranularity granularity, const QTimeZone &zone)
{
    if (granularity == UsageGranularity::Hour) {
        // Hours are UTC hours in every zone (the store's rollups are), named by their local time.
        const QDateTime utc = at.toUTC();
        return QDateTime(utc.date(), QTime(utc.time().hour(), 0), QTimeZone::utc());
    }
    const QDate day = at.toTimeZone(zone).date();
    switch (granularity) {
    case UsageGranularity::Hour:
    case UsageGranularity::Day: break;
    case UsageGranularity::Week: return usageDayStart(day.addDays(1 - day.dayOfWeek()), zone);
    case UsageGranularity::Month: return usageDayStart(QDate(day.year(), day.month(), 1), zone);
    }
    return usageDayStart(day, zone);
}

QDateTime nextUsageBucket(const QDateTime &bucket, UsageGranularity granularity, const QTimeZone &zone)
{
    // Calendar steps, not fixed seconds: a local day lasts 23 or 25 hours when the clocks change.
    const QDate day = bucket.toTimeZone(zone).date();
    switch (granularity) {
    case UsageGranularity::Hour: break;
    case UsageGranularity::Day: return usageDayStart(day.addDays(1), zone);
    case UsageGranularity::Week: return usageDayStart(day.addDays(7), zone);
    case UsageGranularity::Month: return usageDayStart(day.addMonths(1), zone);
    }
    return bucket.addSecs(3600);
}

namespace {

// How many buckets [from, to) spans, counted without building them (a range of years in hours
// would be tens of thousands).
qint64 bucketCount(const QDateTime &from, const QDateTime &to, UsageGranularity granularity, const QTimeZone &zone)
{
    if (!from.isValid() || !to.isValid() || to <= from)
        return 1;
    const QDateTime first = usageBucketStart(from, granularity, zone);
    const QDateTime last = usageBucketStart(to.addMSecs(-1), granularity, zone);
    const QDate firstDay = first.toTimeZone(zone).date();
    const QDate lastDay = last.toTimeZone(zone).date();
    switch (granularity) {
    case UsageGranularity::Hour: return first.secsTo(last) / 3600 + 1;
    case UsageGranularity::Day: return firstDay.daysTo(lastDay) + 1;
    case UsageGranularity::Week: return firstDay.daysTo(lastDay) / 7 + 1;
    case UsageGranularity::Month:
        return (lastDay.year() - firstDay.year()) * 12 + lastDay.month() - firstDay.month() + 1;
    }
    return 1;
}

UsageGranularity coarser(UsageGranularity granularity)
{
    return granularity == UsageGranularity::Month ? granularity : UsageGranularity(int(granularity) + 1);
}

} // namespace

QList<QDateTime> usageBuckets(const QDateTime &from, const QDateTime &to, UsageGranularity granularity,
                              const QTimeZone &zone)
{
    QList<QDateTime> buckets;
    if (!from.isValid() || !to.isValid())
        return buckets;
    for (QDateTime at = usageBucketStart(from, granularity, zone); at < to; at = nextUsageBucket(at, granularity, zone))
        buckets.append(at);
    if (buckets.isEmpty())
        buckets.append(usageBucketStart(from, granularity, zone));
    return buckets;
}

UsageGranularity fittingGranularity(const QDateTime &from, const QDateTime &to, UsageGranularity asked,
                                    const QTimeZone &zone)
{
    UsageGranularity granularity = asked;
    while (granularity != UsageGranularity::Month && bucketCount(from, to, granularity, zone) > MaxChartBuckets)
        granularity = coarser(granularity);
    return granularity;
}

UsageData loadUsage(Database &database, const UsageQuery &query, const QDateTime &now)
{
    UsageData data;
    data.query = query;
    data.requestedGranularity = query.granularity;
    UsageStatsRepository stats(database);
    // The chart spans the whole range asked for, not only the buckets with traffic.
    const QDateTime to = query.range.to.isValid() ? query.range.to.toUTC() : now.toUTC();
    QDateTime from = query.range.from.toUTC();
    if (from.isValid())
        data.query.granularity = fittingGranularity(from, to, query.granularity, query.zone);
    auto keep = [&data](const auto &result, auto &target) {
        if (result.ok())
            target = result.value();
        else if (data.error.isEmpty())
            data.error = result.error().message;
    };
    keep(stats.series(query.range, data.query.granularity, query.grouping, query.zone), data.series);
    // An open start is known only from the data: coarsen and read again if it spans too much.
    while (!from.isValid() && !data.series.isEmpty()) {
        const QDateTime first = data.series.first().bucketStart;
        const UsageGranularity fitting = fittingGranularity(first, to, data.query.granularity, query.zone);
        if (fitting == data.query.granularity) {
            from = first;
            break;
        }
        data.query.granularity = fitting;
        data.series.clear();
        keep(stats.series(query.range, fitting, query.grouping, query.zone), data.series);
    }
    if (from.isValid()) {
        // Rows stamped after now (a clock ahead) still get their bar.
        QDateTime end = to;
        for (const UsagePoint &point : data.series)
            end = std::max(end, nextUsageBucket(point.bucketStart, data.query.granularity, query.zone));
        data.buckets = usageBuckets(from, end, data.query.granularity, query.zone);
    }
    keep(stats.shares(query.range, UsageGrouping::Model), data.byModel);
    keep(stats.shares(query.range, UsageGrouping::Channel), data.byChannel);
    keep(stats.heatmap(query.range, query.zone), data.heatmap);
    keep(stats.channelQuality(query.range), data.quality);
    return data;
}

QString usageSeriesCsv(const UsageData &data)
{
    const QString group = data.query.grouping == UsageGrouping::Model ? QStringLiteral("model")
                                                                       : QStringLiteral("channel");
    auto quoted = [](QString text) -> QString {
        if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
            return text;
        text.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + text + QLatin1Char('"');
    };
    // reasoning_tokens is part of completion_tokens, as cached_tokens is part of prompt_tokens.
    // Bucket starts are the user's midnights (or hours): local times, with their offset so that a
    // spreadsheet elsewhere reads the same instant, under a header naming the zone.
    const QTimeZone &zone = data.query.zone;
    QString csv = QStringLiteral("bucket_start (%1),%2,requests,errors,prompt_tokens,completion_tokens,"
                                 "cached_tokens,reasoning_tokens,cost_usd\n")
                      .arg(quoted(QString::fromUtf8(zone.id())), group);
    for (const UsagePoint &point : data.series) {
        const UsageTotals &t = point.totals;
        csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                   .arg(point.bucketStart.toTimeZone(zone).toString(Qt::ISODate), quoted(point.series))
                   .arg(t.requests).arg(t.errors).arg(t.promptTokens).arg(t.completionTokens).arg(t.cachedTokens)
                   .arg(t.reasoningTokens).arg(t.costUsd, 0, 'f', 6);
    }
    return csv;
}

} // namespace tarn::ui
