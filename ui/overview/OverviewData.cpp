// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overview/OverviewData.h"

#include "gateway/storage/UsageStatsRepository.h"

namespace tarn::ui {

using namespace tarn::gateway;

OverviewData loadOverview(Database &database, const QDateTime &now)
{
    OverviewData data;
    UsageStatsRepository stats(database);
    // "Today" is the user's day, so it starts at local midnight.
    const QDateTime localNow = now.toLocalTime();
    const QDateTime todayStart = QDateTime(localNow.date(), QTime(0, 0)).toUTC();
    QDateTime hourStart = now.toUTC();
    hourStart.setTime(QTime(hourStart.time().hour(), 0));
    data.hourlyFrom = hourStart.addSecs(-23 * 3600);

    const UsageRange today{todayStart, QDateTime()};
    const UsageRange week{now.addDays(-7), QDateTime()};
    const UsageRange day{data.hourlyFrom, QDateTime()};

    auto keep = [&data](const auto &result, auto &target) {
        if (result.ok())
            target = result.value();
        else if (data.error.isEmpty())
            data.error = result.error().message;
    };
    keep(stats.totals(today), data.today);
    keep(stats.totals(week), data.week);
    keep(stats.series(day, UsageGranularity::Hour, UsageGrouping::Channel), data.hourly);
    keep(stats.shares(week, UsageGrouping::Model), data.byModel);
    keep(stats.shares(week, UsageGrouping::Channel), data.byChannel);
    keep(stats.shares(UsageRange{now.addSecs(-3600), QDateTime()}, UsageGrouping::Model), data.lastHourByModel);
    return data;
}

} // namespace tarn::ui
