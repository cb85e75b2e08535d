// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overview/OverviewData.h"

#include "gateway/storage/UsageStatsRepository.h"

namespace tarn::ui {

using namespace tarn::gateway;

OverviewData loadOverview(Database &database, const QDateTime &now, const QTimeZone &zone)
{
    OverviewData data;
    UsageStatsRepository stats(database);
    // "Today" is the user's day, so it starts at their midnight; the week is the same 7 days as
    // the Usage page's "Last 7 days" (whole days, today included), so the two pages agree.
    const QDate localToday = now.toTimeZone(zone).date();
    const QDateTime todayStart = usageDayStart(localToday, zone);
    QDateTime hourStart = now.toUTC();
    hourStart.setTime(QTime(hourStart.time().hour(), 0));
    data.hourlyFrom = hourStart.addSecs(-23 * 3600);

    const UsageRange today{todayStart, QDateTime()};
    const UsageRange week{usageDayStart(localToday.addDays(-6), zone), QDateTime()};
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
