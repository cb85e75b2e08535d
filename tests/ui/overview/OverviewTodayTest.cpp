// SPDX-License-Identifier: GPL-3.0-or-later
// The Overview's "Today" and "Last 7 days" are the user's calendar days (issue 11), the same days
// the Usage page draws: a request at 00:30 on 1 December in UTC+8 is today on 1 December there.
#include "ui/overview/OverviewData.h"
#include "ui/overview/OverviewPage.h"

#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStats.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UsageRows.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTimeZone>

#include <gtest/gtest.h>

#include <algorithm>

using namespace tarn::gateway;
using tarn::test::usageRow;

namespace {

class OverviewTodayTest : public ::testing::Test
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

    tarn::test::DesktopFixture fixture;
};

TEST_F(OverviewTodayTest, TodayStartsAtTheZonesMidnight)
{
    const QTimeZone shanghai(QByteArrayLiteral("Asia/Shanghai"));
    insert({QDateTime(QDate(2026, 12, 1), QTime(0, 30), shanghai), QDateTime(QDate(2026, 11, 30), QTime(23, 30), shanghai),
            QDateTime(QDate(2026, 11, 25), QTime(0, 10), shanghai), QDateTime(QDate(2026, 11, 24), QTime(23, 50), shanghai)});
    const QDateTime now(QDate(2026, 12, 1), QTime(8, 0), shanghai);
    const tarn::ui::OverviewData data = tarn::ui::loadOverview(fixture.database(), now, shanghai);
    ASSERT_TRUE(data.error.isEmpty()) << data.error.toStdString();
    EXPECT_EQ(data.today.requests, 1);
    // 25 November to 1 December: seven whole days, as the Usage page's "Last 7 days".
    EXPECT_EQ(data.week.requests, 3);
    // In UTC that instant is 00:00 on 1 December: nothing yet today.
    EXPECT_EQ(tarn::ui::loadOverview(fixture.database(), now, QTimeZone::utc()).today.requests, 0);
}

TEST_F(OverviewTodayTest, TheCardsCountThePagesZonesDay)
{
    const QTimeZone kolkata(QByteArrayLiteral("Asia/Kolkata"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime todayStart = usageDayStart(now.toTimeZone(kolkata).date(), kolkata);
    insert({std::min(todayStart.addSecs(1), now), todayStart.addSecs(-1)});
    tarn::ui::OverviewPage page(fixture.service());
    page.setTimeZone(kolkata);
    QSignalSpy refreshed(&page, &tarn::ui::OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));
    EXPECT_EQ(page.findChild<QLabel *>(QStringLiteral("overview_today_requests"))->text(), QStringLiteral("1"));
    EXPECT_EQ(page.findChild<QLabel *>(QStringLiteral("overview_week_requests"))->text(), QStringLiteral("2"));
}

} // namespace
