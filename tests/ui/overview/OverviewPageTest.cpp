// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overview/OverviewPage.h"
#include "tests/ui/support/UiWait.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStatsRepository.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UsageRows.h"
#include "ui/ShareChart.h"

#include <QChart>
#include <QChartView>
#include <QDir>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPieSeries>
#include <QSignalSpy>
#include <QTimer>
#include <QTableWidget>
#include <QTest>

#include <QCategoryAxis>
#include <QDateTimeAxis>

#include <gtest/gtest.h>

#include <algorithm>

using namespace tarn::gateway;
using tarn::ui::OverviewPage;

namespace {

UsageRecord row(const QDateTime &time, const QString &channel, const QString &model, int status, qint64 prompt,
                qint64 completion, qint64 cached)
{
    return tarn::test::usageRow(time, channel, model, status, prompt, completion, cached, 800, 300);
}

class OverviewPageTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        // Rows of today must stay today even when the test runs just after local midnight.
        const QDateTime todayStart = QDateTime(now.toLocalTime().date(), QTime(0, 0)).toUTC();
        recent = std::max(now.addSecs(-300), todayStart.addSecs(1));
        UsageRepository usage(fixture.database());
        ASSERT_TRUE(usage.insert({
            row(recent, QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 1000, 200, 100),
            row(recent, QStringLiteral("beta"), QStringLiteral("claude"), 200, 500, 100, 0),
            row(recent, QStringLiteral("beta"), QStringLiteral("claude"), 500, 0, 0, 0),
            row(now.addDays(-3), QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 2000, 400, 0),
            row(now.addDays(-10), QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 9000, 900, 0),
        }).ok());
        UsageStatsRepository stats(fixture.database());
        ASSERT_TRUE(stats.setPrice({QStringLiteral("gpt-4o"), 2.0, 8.0, 1.0}).ok());
    }

    QDateTime recent; // when today's seeded rows happened

    QString card(OverviewPage &page, const char *period, const char *metric)
    {
        auto *label = page.findChild<QLabel *>(QStringLiteral("overview_%1_%2").arg(QLatin1String(period), QLatin1String(metric)));
        return label ? label->text() : QStringLiteral("<missing>");
    }

    tarn::test::DesktopFixture fixture;
};

TEST_F(OverviewPageTest, CardsShowTodayAndTheLastSevenDays)
{
    OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));

    EXPECT_EQ(card(page, "today", "requests"), QStringLiteral("3"));
    EXPECT_EQ(card(page, "today", "tokensIn"), QStringLiteral("1,500"));
    EXPECT_EQ(card(page, "today", "tokensOut"), QStringLiteral("300"));
    EXPECT_EQ(card(page, "today", "tokensCached"), QStringLiteral("100"));
    EXPECT_EQ(card(page, "today", "success"), QStringLiteral("66.7 %"));
    // gpt-4o today: 900 uncached input at $2, 100 cached at $1, 200 output at $8 per million.
    EXPECT_EQ(card(page, "today", "cost"), QStringLiteral("< $0.01"));
    EXPECT_EQ(page.findChild<QLabel *>(QStringLiteral("overview_today_cost"))->toolTip(), QStringLiteral("$0.0035"));

    EXPECT_EQ(card(page, "week", "requests"), QStringLiteral("4"));
    EXPECT_EQ(card(page, "week", "tokensIn"), QStringLiteral("3,500"));
    EXPECT_EQ(card(page, "week", "tokensOut"), QStringLiteral("700"));
    EXPECT_EQ(card(page, "week", "success"), QStringLiteral("75.0 %"));
}

TEST_F(OverviewPageTest, HourlyChartHasTwentyFourPointsOfRequestsAndTokens)
{
    OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));

    auto *view = page.findChild<QChartView *>(QStringLiteral("overviewHourlyChart"));
    ASSERT_NE(view, nullptr);
    EXPECT_FALSE(view->accessibleName().isEmpty());
    const auto series = view->chart()->series();
    ASSERT_EQ(series.size(), 2);
    auto *requests = qobject_cast<QLineSeries *>(series[0]);
    auto *tokens = qobject_cast<QLineSeries *>(series[1]);
    ASSERT_TRUE(requests && tokens);
    EXPECT_EQ(requests->name(), QStringLiteral("Requests"));
    EXPECT_EQ(tokens->name(), QStringLiteral("Tokens"));
    ASSERT_EQ(requests->count(), 24);
    ASSERT_EQ(tokens->count(), 24);
    double requestSum = 0;
    double tokenSum = 0;
    for (int i = 0; i < 24; ++i) {
        requestSum += requests->at(i).y();
        tokenSum += tokens->at(i).y();
    }
    EXPECT_EQ(requestSum, 3.0); // the 3-day-old row is outside the last 24 h
    EXPECT_EQ(tokenSum, 1800.0);

    // The time axis spans 24 whole hours and ticks every 4 hours on the hour.
    auto *time = qobject_cast<QDateTimeAxis *>(view->chart()->axes(Qt::Horizontal).value(0));
    ASSERT_NE(time, nullptr);
    EXPECT_EQ(time->min().secsTo(time->max()), 24 * 3600);
    EXPECT_EQ(time->tickCount(), 7);
    EXPECT_EQ(time->min().time().minute(), 0);
    // Value axes are labelled in k / M, never a raw "%d".
    for (QAbstractAxis *axis : view->chart()->axes(Qt::Vertical)) {
        auto *scaled = qobject_cast<QCategoryAxis *>(axis);
        ASSERT_NE(scaled, nullptr);
        EXPECT_GE(scaled->max(), 1.0);
        EXPECT_FALSE(scaled->categoriesLabels().isEmpty());
    }
    auto *tokenAxis = qobject_cast<QCategoryAxis *>(view->chart()->axes(Qt::Vertical).value(1));
    ASSERT_NE(tokenAxis, nullptr);
    EXPECT_EQ(tokenAxis->titleText(), QStringLiteral("Tokens"));
    EXPECT_GE(tokenAxis->max(), 1800.0);
}

// A refresh with ten times the tokens relabels the same axes rather than replacing them: Qt Charts
// 6.4 cut the labels of an axis put in place of another on a shown chart to "…".
TEST_F(OverviewPageTest, ARefreshRelabelsTheHourlyChartsAxesInPlace)
{
    OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));
    auto *view = page.findChild<QChartView *>(QStringLiteral("overviewHourlyChart"));
    ASSERT_NE(view, nullptr);
    auto *tokenAxis = qobject_cast<QCategoryAxis *>(view->chart()->axes(Qt::Vertical).value(1));
    auto *tokens = qobject_cast<QLineSeries *>(view->chart()->series().value(1));
    ASSERT_TRUE(tokenAxis && tokens);
    EXPECT_LT(tokenAxis->max(), 5000.0);

    // In the hour of the seeded rows (now - 60 s was the hour before them in the first minutes of
    // an hour, and the axis then ended on 1.25M exactly, in steps of 250k).
    ASSERT_TRUE(UsageRepository(fixture.database())
                    .insert({row(recent, QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 1200000, 50000, 0)})
                    .ok());
    TARN_WAIT_TRUE((page.refresh(), tokenAxis->max() >= 1250000.0), 10000);
    EXPECT_EQ(view->chart()->axes(Qt::Vertical).value(1), tokenAxis);
    EXPECT_EQ(view->chart()->series().value(1), tokens);
    EXPECT_EQ(view->chart()->axes().size(), 3);
    EXPECT_EQ(view->chart()->series().size(), 2);
    // 1.25M and the seeded 1,800 of that hour: ticks of 500k up to 1.5M.
    EXPECT_EQ(tokenAxis->categoriesLabels(), (QStringList{QStringLiteral("0"), QStringLiteral("500k"), QStringLiteral("1M"),
                                                          QStringLiteral("1.5M")}));
}

TEST_F(OverviewPageTest, SharesByModelAndChannelCoverTheLastSevenDays)
{
    OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));

    auto slices = [&page](const char *name) {
        QStringList result;
        auto *view = page.findChild<QChartView *>(QLatin1String(name));
        if (!view || view->chart()->series().isEmpty())
            return result;
        auto *pie = qobject_cast<QPieSeries *>(view->chart()->series().first());
        const auto all = pie->slices();
        // The legend names the slice with its share (the small pie's slices carry no labels), and
        // the colour is the one the Usage page gives the same name among the same names.
        const auto markers = view->chart()->legend()->markers(pie);
        QStringList names;
        for (QLegendMarker *marker : markers)
            names.append(marker->label().section(QStringLiteral("  "), 0, 0));
        const QHash<QString, QColor> colours = tarn::ui::usageColours(names);
        for (int i = 0; i < all.size() && i < names.size(); ++i) {
            result.append(QStringLiteral("%1=%2%3%4")
                              .arg(markers[i]->label())
                              .arg(all[i]->value())
                              .arg(all[i]->isLabelVisible() ? QStringLiteral(" (labelled slice)") : QString(),
                                   all[i]->color() == colours.value(names[i])
                                       ? QString()
                                       : QStringLiteral(" (not the Usage page's colour)")));
        }
        return result;
    };
    EXPECT_EQ(slices("overviewModelShare"),
              (QStringList{QStringLiteral("gpt-4o  86 %=3600"), QStringLiteral("claude  14 %=600")}));
    EXPECT_EQ(slices("overviewChannelShare"),
              (QStringList{QStringLiteral("alpha  86 %=3600"), QStringLiteral("beta  14 %=600")}));
}

TEST_F(OverviewPageTest, PoolTableListsTheRoutersPools)
{
    Channel channel;
    channel.name = QStringLiteral("alpha");
    channel.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
    channel.keys = {QStringLiteral("sk-test")};
    channel.models = {QStringLiteral("gpt-4o")};
    ASSERT_TRUE(ChannelRepository(fixture.database()).add(channel).ok());
    fixture.service().applyConfiguration();

    OverviewPage page(fixture.service());
    page.show();
    auto *table = page.findChild<QTableWidget *>(QStringLiteral("overviewPoolTable"));
    ASSERT_NE(table, nullptr);
    TARN_WAIT_TRUE((page.refresh(), table->rowCount() == 1), 10000);
    EXPECT_EQ(table->item(0, 0)->text(), QStringLiteral("gpt-4o"));
    EXPECT_EQ(table->item(0, 1)->text(), QStringLiteral("1 healthy"));
    EXPECT_EQ(table->item(0, 2)->text(), QStringLiteral("all good"));
    EXPECT_EQ(table->item(0, 1)->toolTip(), QStringLiteral("alpha: healthy"));
}

TEST_F(OverviewPageTest, StopsRefreshingWhenHidden)
{
    OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));
    const auto polling = [&page] {
        const QList<QTimer *> timers = page.findChildren<QTimer *>();
        return std::any_of(timers.cbegin(), timers.cend(), [](const QTimer *timer) { return timer->isActive(); });
    };
    EXPECT_TRUE(polling()) << "a visible page polls the store";
    page.hide();
    refreshed.clear();
    // Hidden, the page stops polling the store; an explicit refresh still answers.
    EXPECT_FALSE(polling());
    page.refresh();
    ASSERT_TRUE(refreshed.wait(10000));
}

} // namespace

namespace {

// The main window opens at 1000 × 680; the page must not force it wider.
TEST_F(OverviewPageTest, FitsTheDefaultWindow)
{
    OverviewPage page(fixture.service());
    EXPECT_LE(page.minimumSizeHint().width(), 760) << page.minimumSizeHint().width();
    // Once the summary is shown, every part of the page is; the status bar takes some of the 680.
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));
    EXPECT_LE(page.minimumSizeHint().height(), 640) << page.minimumSizeHint().height();
}

} // namespace

namespace {

TEST_F(OverviewPageTest, SavesScreenshotForReview)
{
    OverviewPage page(fixture.service());
    page.resize(820, 640);
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(10000));
    // Charts lay out their axes and legends on the next turns of the event loop; the picture is
    // for a person to look at, so let them settle.
    QTest::qWait(300);
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(page.grab().save(dir.filePath(QStringLiteral("overview-page.png"))));
}

} // namespace
