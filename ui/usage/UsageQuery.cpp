// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsageQuery.h"

#include "gateway/storage/UsageStatsRepository.h"

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

UsageData loadUsage(Database &database, const UsageQuery &query)
{
    UsageData data;
    data.query = query;
    UsageStatsRepository stats(database);
    auto keep = [&data](const auto &result, auto &target) {
        if (result.ok())
            target = result.value();
        else if (data.error.isEmpty())
            data.error = result.error().message;
    };
    keep(stats.series(query.range, query.granularity, query.grouping), data.series);
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
