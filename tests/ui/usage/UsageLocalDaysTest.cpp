// SPDX-License-Identifier: GPL-3.0-or-later
// The Usage page's days are the user's (issue 11): a request at 00:30 on 1 December in UTC+8 is in
// the 1 December bar, a day of 25 hours is one bar, and UTC hours are named by their local time,
// half past in UTC+05:30. Rows go through the real store; the charts are read as a user sees them.
#include "ui/usage/UsageCharts.h"
#include "ui/usage/UsagePage.h"

#include "gateway/storage/UsageRepository.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UsageRows.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTimeZone>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using namespace tarn::ui;
using tarn::test::usageRow;

namespace {

const QTimeZone kShanghai(QByteArrayLiteral("Asia/Shanghai"));
const QTimeZone kBerlin(QByteArrayLiteral("Europe/Berlin"));
const QTimeZone kKolkata(QByteArrayLiteral("Asia/Kolkata"));

// Bar label -> requests, as the requests chart draws them.
QMap<QString, double> requestBars(const UsageData &data)
{
    QChart chart;
    fillRequestsChart(&chart, data, 16);
    QMap<QString, double> bars;
    if (chart.series().isEmpty())
        return bars;
    auto *series = qobject_cast<QAbstractBarSeries *>(chart.series().first());
    auto *axis = qobject_cast<QBarCategoryAxis *>(chart.axes(Qt::Horizontal).value(0));
    if (!series || !axis)
        return bars;
    const QStringList labels = axis->categories();
    for (int i = 0; i < labels.size(); ++i)
        bars.insert(labels[i], series->barSets().first()->at(i));
    return bars;
}

class UsageLocalDaysTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(fixture.isValid()); }

    void insert(const QList<QDateTime> &times)
    {
        QList<UsageRecord> rows;
        for (const QDateTime &time : times)
            rows.append(usageRow(time, QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 1000, 200, 0));
        ASSERT_TRUE(UsageRepository(fixture.database()).insert(rows).ok());
    }

    UsageData load(UsageRangePreset preset, UsageGranularity granularity, const QDateTime &now, const QTimeZone &zone)
    {
        UsageQuery query;
        query.range = usageRangeFor(preset, now, zone);
        query.granularity = granularity;
        query.zone = zone;
        return loadUsage(fixture.database(), query, now);
    }

    tarn::test::DesktopFixture fixture;
};

TEST_F(UsageLocalDaysTest, HalfPastMidnightInShanghaiIsInTheFirstOfDecembersBar)
{
    insert({QDateTime(QDate(2026, 12, 1), QTime(0, 30), kShanghai), QDateTime(QDate(2026, 11, 30), QTime(23, 30), kShanghai)});
    const QDateTime now(QDate(2026, 12, 1), QTime(8, 0), kShanghai);
    const UsageData data = load(UsageRangePreset::Week, UsageGranularity::Day, now, kShanghai);
    ASSERT_TRUE(data.error.isEmpty()) << data.error.toStdString();
    // Seven whole days, today included, from Shanghai's midnight.
    ASSERT_EQ(data.buckets.size(), 7);
    EXPECT_EQ(data.buckets.first(), QDateTime(QDate(2026, 11, 25), QTime(0, 0), kShanghai));
    const QMap<QString, double> bars = requestBars(data);
    EXPECT_EQ(bars.size(), 7);
    EXPECT_EQ(bars.value(QStringLiteral("12-01")), 1.0);
    EXPECT_EQ(bars.value(QStringLiteral("11-30")), 1.0);
    EXPECT_EQ(bars.lastKey(), QStringLiteral("12-01"));

    // In UTC both are on 30 November.
    const QMap<QString, double> utcBars = requestBars(load(UsageRangePreset::Week, UsageGranularity::Day, now, QTimeZone::utc()));
    EXPECT_EQ(utcBars.value(QStringLiteral("11-30")), 2.0);
    EXPECT_EQ(utcBars.value(QStringLiteral("12-01")), 0.0);
}

TEST_F(UsageLocalDaysTest, BerlinsTwentyFiveHourDayIsOneBar)
{
    // 00:30 summer time and 23:30 winter time on 25 October 2026: 24 hours apart, the same day.
    insert({QDateTime(QDate(2026, 10, 25), QTime(0, 30), kBerlin), QDateTime(QDate(2026, 10, 25), QTime(23, 30), kBerlin),
            QDateTime(QDate(2026, 10, 26), QTime(0, 30), kBerlin)});
    UsageQuery query;
    query.range = {QDateTime(QDate(2026, 10, 24), QTime(0, 0), kBerlin), QDateTime(QDate(2026, 10, 27), QTime(0, 0), kBerlin)};
    query.granularity = UsageGranularity::Day;
    query.zone = kBerlin;
    const UsageData data = loadUsage(fixture.database(), query, QDateTime(QDate(2026, 11, 1), QTime(12, 0), kBerlin));
    ASSERT_EQ(data.buckets.size(), 3);
    EXPECT_EQ(data.buckets[0].secsTo(data.buckets[1]), 24 * 3600);
    EXPECT_EQ(data.buckets[1].secsTo(data.buckets[2]), 25 * 3600);
    const QMap<QString, double> bars = requestBars(data);
    EXPECT_EQ(bars, (QMap<QString, double>{{QStringLiteral("10-24"), 0.0}, {QStringLiteral("10-25"), 2.0},
                                           {QStringLiteral("10-26"), 1.0}}));
}

TEST_F(UsageLocalDaysTest, KolkataSplitsAUtcHourAtMidnightAndNamesHoursAtHalfPast)
{
    const auto utc = [](int day, int hour, int minute) {
        return QDateTime(QDate(2026, 11, day), QTime(hour, minute), QTimeZone::utc());
    };
    insert({utc(30, 18, 20), utc(30, 18, 40)}); // 23:50 on the 30th and 00:10 on 1 December
    const QDateTime now = utc(30, 20, 0);
    const QMap<QString, double> days = requestBars(load(UsageRangePreset::Week, UsageGranularity::Day, now, kKolkata));
    EXPECT_EQ(days.value(QStringLiteral("11-30")), 1.0);
    EXPECT_EQ(days.value(QStringLiteral("12-01")), 1.0);
    // Hours are UTC hours, named by their local time: 18:00 UTC is 23:30 in Kolkata.
    const UsageData hours = load(UsageRangePreset::Day, UsageGranularity::Hour, now, kKolkata);
    const QMap<QString, double> hourBars = requestBars(hours);
    EXPECT_EQ(hourBars.value(QStringLiteral("Mon 23:30")), 2.0) << QStringList(hourBars.keys()).join(u' ').toStdString();
    EXPECT_EQ(usageBucketLabels({utc(30, 18, 0), utc(30, 19, 0)}, UsageGranularity::Hour, kKolkata),
              (QStringList{QStringLiteral("Mon 23:30"), QStringLiteral("Tue 00:30")}));
}

TEST_F(UsageLocalDaysTest, ThePageShowsItsZonesDaysAndHeatmap)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    insert({now.addSecs(-60)});
    UsagePage page(fixture.service());
    page.setTimeZone(kKolkata);
    QSignalSpy refreshed(&page, &UsagePage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    refreshed.clear();
    range->setCurrentIndex(1); // last 7 days, per day
    ASSERT_TRUE(refreshed.wait(10000));
    auto *view = page.findChild<QChartView *>(QStringLiteral("usageRequestsChart"));
    auto *axis = qobject_cast<QBarCategoryAxis *>(view->chart()->axes(Qt::Horizontal).value(0));
    ASSERT_NE(axis, nullptr);
    const QDateTime local = now.addSecs(-60).toTimeZone(kKolkata);
    EXPECT_EQ(axis->categories().last(), local.date().toString(QStringLiteral("MM-dd")));
    auto *series = qobject_cast<QAbstractBarSeries *>(view->chart()->series().first());
    EXPECT_EQ(series->barSets().first()->at(axis->count() - 1), 1.0);
    EXPECT_EQ(page.data().heatmap[local.date().dayOfWeek() - 1][local.time().hour()], 1);
}

} // namespace
