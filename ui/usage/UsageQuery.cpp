// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsageQuery.h"

#include "gateway/storage/UsageStatsRepository.h"

#include <QTimeZone>

#include <algorithm>

namespace tarn::ui {

using namespace tarn::gateway;

UsageRange usageRangeFor(UsageRangePreset preset, const QDateTime &now)
{
    switch (preset) {
    case UsageRangePreset::Day: return {now.addSecs(-24 * 3600), QDateTime()};
    case UsageRangePreset::Week: return {now.addDays(-7), QDateTime()};
    case UsageRangePreset::Month: return {now.addDays(-30), QDateTime()};
    case UsageRangePreset::All:
    case UsageRangePreset::Custom: break;
    }
    return {};
}

QDateTime usageBucketStart(const QDateTime &at, UsageGranularity granularity)
{
    const QDateTime utc = at.toUTC();
    const QDate day = utc.date();
    switch (granularity) {
    case UsageGranularity::Hour: return QDateTime(day, QTime(utc.time().hour(), 0), QTimeZone::utc());
    case UsageGranularity::Day: break;
    case UsageGranularity::Week: return QDateTime(day.addDays(1 - day.dayOfWeek()), QTime(0, 0), QTimeZone::utc());
    case UsageGranularity::Month: return QDateTime(QDate(day.year(), day.month(), 1), QTime(0, 0), QTimeZone::utc());
    }
    return QDateTime(day, QTime(0, 0), QTimeZone::utc());
}

QDateTime nextUsageBucket(const QDateTime &bucket, UsageGranularity granularity)
{
    switch (granularity) {
    case UsageGranularity::Hour: return bucket.addSecs(3600);
    case UsageGranularity::Day: return bucket.addDays(1);
    case UsageGranularity::Week: return bucket.addDays(7);
    case UsageGranularity::Month: return bucket.addMonths(1);
    }
    return bucket.addSecs(3600);
}

namespace {

// How many buckets [from, to) spans, counted without building them (a range of years in hours
// would be tens of thousands).
qint64 bucketCount(const QDateTime &from, const QDateTime &to, UsageGranularity granularity)
{
    if (!from.isValid() || !to.isValid() || to <= from)
        return 1;
    const QDateTime first = usageBucketStart(from, granularity);
    const QDateTime last = usageBucketStart(to.addMSecs(-1), granularity);
    switch (granularity) {
    case UsageGranularity::Hour: return first.secsTo(last) / 3600 + 1;
    case UsageGranularity::Day: return first.daysTo(last) + 1;
    case UsageGranularity::Week: return first.daysTo(last) / 7 + 1;
    case UsageGranularity::Month:
        return (last.date().year() - first.date().year()) * 12 + last.date().month() - first.date().month() + 1;
    }
    return 1;
}

UsageGranularity coarser(UsageGranularity granularity)
{
    return granularity == UsageGranularity::Month ? granularity : UsageGranularity(int(granularity) + 1);
}

} // namespace

QList<QDateTime> usageBuckets(const QDateTime &from, const QDateTime &to, UsageGranularity granularity)
{
    QList<QDateTime> buckets;
    if (!from.isValid() || !to.isValid())
        return buckets;
    for (QDateTime at = usageBucketStart(from, granularity); at < to; at = nextUsageBucket(at, granularity))
        buckets.append(at);
    if (buckets.isEmpty())
        buckets.append(usageBucketStart(from, granularity));
    return buckets;
}

UsageGranularity fittingGranularity(const QDateTime &from, const QDateTime &to, UsageGranularity asked)
{
    UsageGranularity granularity = asked;
    while (granularity != UsageGranularity::Month && bucketCount(from, to, granularity) > MaxChartBuckets)
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
        data.query.granularity = fittingGranularity(from, to, query.granularity);
    auto keep = [&data](const auto &result, auto &target) {
        if (result.ok())
            target = result.value();
        else if (data.error.isEmpty())
            data.error = result.error().message;
    };
    keep(stats.series(query.range, data.query.granularity, query.grouping), data.series);
    // An open start is known only from the data: coarsen and read again if it spans too much.
    while (!from.isValid() && !data.series.isEmpty()) {
        const QDateTime first = data.series.first().bucketStart;
        const UsageGranularity fitting = fittingGranularity(first, to, data.query.granularity);
        if (fitting == data.query.granularity) {
            from = first;
            break;
        }
        data.query.granularity = fitting;
        data.series.clear();
        keep(stats.series(query.range, fitting, query.grouping), data.series);
    }
    if (from.isValid()) {
        // Rows stamped after now (a clock ahead) still get their bar.
        QDateTime end = to;
        for (const UsagePoint &point : data.series)
            end = std::max(end, nextUsageBucket(point.bucketStart, data.query.granularity));
        data.buckets = usageBuckets(from, end, data.query.granularity);
    }
    keep(stats.shares(query.range, UsageGrouping::Model), data.byModel);
    keep(stats.shares(query.range, UsageGrouping::Channel), data.byChannel);
    keep(stats.heatmap(query.range), data.heatmap);
    keep(stats.channelQuality(query.range), data.quality);
    return data;
}

QString usageSeriesCsv(const UsageData &data)
{
    const QString group = data.query.grouping == UsageGrouping::Model ? QStringLiteral("model")
                                                                       : QStringLiteral("channel");
    // reasoning_tokens is part of completion_tokens, as cached_tokens is part of prompt_tokens.
    QString csv = QStringLiteral("bucket_start,%1,requests,errors,prompt_tokens,completion_tokens,"
                                 "cached_tokens,reasoning_tokens,cost_usd\n").arg(group);
    auto quoted = [](QString text) -> QString {
        if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
            return text;
        text.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + text + QLatin1Char('"');
    };
    for (const UsagePoint &point : data.series) {
        const UsageTotals &t = point.totals;
        csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                   .arg(point.bucketStart.toUTC().toString(Qt::ISODate), quoted(point.series))
                   .arg(t.requests).arg(t.errors).arg(t.promptTokens).arg(t.completionTokens).arg(t.cachedTokens)
                   .arg(t.reasoningTokens).arg(t.costUsd, 0, 'f', 6);
    }
    return csv;
}

} // namespace tarn::ui
