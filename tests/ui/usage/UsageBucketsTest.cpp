// SPDX-License-Identifier: GPL-3.0-or-later
// The Usage charts draw one bar per bucket of the whole range, under unique labels, with a bounded
// number of bars, scaled axes and a colour per name (issue 11 review, items 1-6).
#include "ui/NumberFormat.h"
#include "ui/usage/UsageCharts.h"
#include "ui/usage/UsagePage.h"

#include "gateway/storage/UsageRepository.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UsageRows.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QLabel>
#include <QPieSeries>
#include <QSet>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTimeZone>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using namespace tarn::ui;
using tarn::test::usageRow;

namespace {

QDateTime hourStart(const QDateTime &at)
{
    const QDateTime utc = at.toUTC();
    return QDateTime(utc.date(), QTime(utc.time().hour(), 0), QTimeZone::utc());
}

const QTimeZone kSystem = QTimeZone::systemTimeZone();

TEST(UsageBucketLabels, LastDayHasTwentyFiveUniqueHoursEndingNow)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<QDateTime> buckets = usageBuckets(now.addSecs(-24 * 3600), now, UsageGranularity::Hour, kSystem);
    ASSERT_EQ(buckets.size(), 25);
    EXPECT_EQ(buckets.last(), hourStart(now));
    const QStringList labels = usageBucketLabels(buckets, UsageGranularity::Hour, kSystem);
    EXPECT_EQ(QSet<QString>(labels.begin(), labels.end()).size(), 25) << labels.join(u' ').toStdString();
    // The same hour yesterday and today differ by their weekday.
    EXPECT_EQ(labels.last(), QLocale::c().toString(hourStart(now).toLocalTime(), QStringLiteral("ddd HH:00")));
}

TEST(UsageBucketLabels, UniqueOverAWeekOfHoursAndYearsOfDaysAndWeeks)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto unique = [](const QStringList &labels) { return int(QSet<QString>(labels.begin(), labels.end()).size()); };
    const QList<QDateTime> week = usageBuckets(now.addDays(-7), now, UsageGranularity::Hour, kSystem);
    EXPECT_EQ(week.size(), 169);
    EXPECT_EQ(unique(usageBucketLabels(week, UsageGranularity::Hour, kSystem)), 169);
    const QList<QDateTime> days = usageBuckets(now.addDays(-400), now, UsageGranularity::Day, kSystem);
    const QStringList dayLabels = usageBucketLabels(days, UsageGranularity::Day, kSystem);
    EXPECT_EQ(unique(dayLabels), days.size());
    EXPECT_EQ(dayLabels.last(), now.toTimeZone(kSystem).date().toString(QStringLiteral("yyyy-MM-dd")));
    // Week 1 of 2027 starts on 2026-12-28: named by its ISO year, not the calendar one.
    const QList<QDateTime> weeks = usageBuckets(QDateTime(QDate(2025, 12, 1), QTime(0, 0), QTimeZone::utc()),
                                                QDateTime(QDate(2027, 2, 1), QTime(0, 0), QTimeZone::utc()),
                                                UsageGranularity::Week, kSystem);
    EXPECT_EQ(unique(usageBucketLabels(weeks, UsageGranularity::Week, kSystem)), weeks.size());
    EXPECT_TRUE(usageBucketLabels(weeks, UsageGranularity::Week, kSystem).contains(QStringLiteral("W1 2027")));
}

TEST(UsageBuckets, FinerGranularityIsCoarsenedPastTwoHundredBuckets)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    EXPECT_EQ(fittingGranularity(now.addDays(-7), now, UsageGranularity::Hour, kSystem), UsageGranularity::Hour);
    EXPECT_EQ(fittingGranularity(now.addDays(-30), now, UsageGranularity::Hour, kSystem), UsageGranularity::Day);
    EXPECT_EQ(fittingGranularity(now.addDays(-3 * 365), now, UsageGranularity::Hour, kSystem), UsageGranularity::Week);
    EXPECT_EQ(fittingGranularity(now.addDays(-10 * 365), now, UsageGranularity::Day, kSystem), UsageGranularity::Month);
}

TEST(NumberFormat, OneWayToWriteNumbers)
{
    EXPECT_EQ(formatCount(2331360), QStringLiteral("2,331,360"));
    EXPECT_EQ(formatTokens(9849811), QStringLiteral("9.85M"));
    EXPECT_EQ(formatTokens(1828690), QStringLiteral("1.83M"));
    EXPECT_EQ(formatTokens(15300), QStringLiteral("15.3k"));
    EXPECT_EQ(formatTokens(9999), QStringLiteral("9,999"));
    EXPECT_EQ(formatCost(12.345), QStringLiteral("$12.35"));
    EXPECT_EQ(formatCost(0), QStringLiteral("$0.00"));
    EXPECT_EQ(formatPercent(0.975), QStringLiteral("97.5 %"));
    EXPECT_EQ(formatAxisValue(800000), QStringLiteral("800k"));
    EXPECT_EQ(formatAxisValue(1500000), QStringLiteral("1.5M"));
    EXPECT_EQ(formatAxisValue(150000), QStringLiteral("150k"));
    EXPECT_EQ(formatAxisValue(2500), QStringLiteral("2,500"));
}

TEST(UsageColours, ANameKeepsItsColourWhenAnotherDropsOut)
{
    const QStringList names = {QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("gamma")};
    const QHash<QString, QColor> all = usageColours(names);
    QSet<QRgb> distinct;
    for (const QColor &colour : all)
        distinct.insert(colour.rgb());
    EXPECT_EQ(distinct.size(), 3);
    EXPECT_EQ(usageColours(names), all);
    // A name whose colour is its own (no collision on screen) keeps it whatever else drops out.
    for (const QString &gone : names) {
        QStringList rest = names;
        rest.removeOne(gone);
        const QHash<QString, QColor> fewer = usageColours(rest);
        for (const QString &name : rest) {
            if (all.value(name) == usageColours({name}).value(name)) {
                EXPECT_EQ(fewer.value(name), all.value(name)) << name.toStdString() << " without " << gone.toStdString();
            }
        }
    }
}

// Given the same known names (the configuration's), a name has one colour whatever subset a chart
// shows: the Overview's six-slice pie and the Usage page's tokens chart agreed only by luck before.
TEST(UsageColours, TheSameKnownNamesGiveEveryChartTheSameColours)
{
    const QStringList known = {QStringLiteral("anthropic"), QStringLiteral("openai"), QStringLiteral("openai-team"),
                               QStringLiteral("deepseek"), QStringLiteral("zhipu"), QStringLiteral("openrouter"),
                               QStringLiteral("ollama"), QStringLiteral("lmstudio"), QStringLiteral("vllm-box")};
    const QHash<QString, QColor> everything = usageColours(known);
    for (qsizetype drop = 0; drop < known.size(); ++drop) {
        QStringList shown = known.mid(0, drop) + known.mid(drop + 1, 3);
        const QHash<QString, QColor> subset = usageColours(shown, known);
        for (const QString &name : shown)
            EXPECT_EQ(subset.value(name), everything.value(name)) << name.toStdString();
    }
    QSet<QRgb> distinct;
    for (const QColor &colour : everything)
        distinct.insert(colour.rgb());
    EXPECT_EQ(distinct.size(), known.size()); // nine names, twelve colours: none shared
}

class UsageBucketsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        now = QDateTime::currentDateTimeUtc();
        // One request in the current hour (the one the duplicate "HH:00" label used to drop), a
        // big one yesterday and one three days ago.
        ASSERT_TRUE(UsageRepository(fixture.database())
                        .insert({
                            // Not before the hour began: in its first minute now - 60 s is the hour before.
                            usageRow(std::max(now.addSecs(-60), hourStart(now)), QStringLiteral("alpha"),
                                     QStringLiteral("gpt-4o"), 200, 1000, 200, 0),
                            usageRow(now.addSecs(-20 * 3600), QStringLiteral("beta"), QStringLiteral("claude"), 200,
                                     600000, 200000, 0),
                            usageRow(now.addDays(-3), QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 100, 10, 0),
                        })
                        .ok());
    }

    void show(UsagePage &page)
    {
        QSignalSpy refreshed(&page, &UsagePage::refreshed);
        page.show();
        ASSERT_TRUE(refreshed.wait(10000));
    }

    template<typename F>
    void requery(UsagePage &page, F change)
    {
        QSignalSpy refreshed(&page, &UsagePage::refreshed);
        change();
        ASSERT_TRUE(refreshed.wait(10000));
    }

    static QChart *chart(UsagePage &page, const char *name)
    {
        auto *view = page.findChild<QChartView *>(QLatin1String(name));
        return view ? view->chart() : nullptr;
    }

    // The bar chart's category axis and its bar count (every set has one value per bar).
    static std::pair<QBarCategoryAxis *, int> bars(QChart *chart)
    {
        if (!chart || chart->series().isEmpty())
            return {nullptr, -1};
        auto *series = qobject_cast<QAbstractBarSeries *>(chart->series().first());
        const auto axes = chart->axes(Qt::Horizontal);
        auto *axis = axes.isEmpty() ? nullptr : qobject_cast<QBarCategoryAxis *>(axes.first());
        int count = -1;
        for (QBarSet *set : series->barSets()) {
            EXPECT_TRUE(count < 0 || count == set->count());
            count = set->count();
        }
        return {axis, count};
    }

    tarn::test::DesktopFixture fixture;
    QDateTime now;
};

TEST_F(UsageBucketsTest, LastDayDrawsEveryHourIncludingTheCurrentOne)
{
    UsagePage page(fixture.service());
    show(page);
    for (const char *name : {"usageTokensChart", "usageSplitChart", "usageRequestsChart"}) {
        const auto [axis, count] = bars(chart(page, name));
        ASSERT_NE(axis, nullptr) << name;
        EXPECT_EQ(count, 25) << name;
        EXPECT_EQ(axis->count(), count) << name;
        EXPECT_EQ(axis->categories().last(),
                  QLocale::c().toString(hourStart(now).toLocalTime(), QStringLiteral("ddd HH:00")));
    }
    auto *series = qobject_cast<QAbstractBarSeries *>(chart(page, "usageTokensChart")->series().first());
    for (QBarSet *set : series->barSets()) {
        if (set->label() == QStringLiteral("alpha")) {
            EXPECT_EQ(set->at(24), 1200.0);
        }
    }
    // 25 standing labels do not fit (Qt elides them to "Sun …"): a line under each chart names the
    // span instead (an axis title without labels was elided to "…"), and a hovered bar its time.
    for (const auto &[name, spanName] : {std::pair{"usageTokensChart", "usageTokensSpan"},
                                         std::pair{"usageRequestsChart", "usageRequestsSpan"},
                                         std::pair{"usageSplitChart", "usageSplitSpan"}}) {
        auto *axis = bars(chart(page, name)).first;
        ASSERT_NE(axis, nullptr) << name;
        EXPECT_FALSE(axis->labelsVisible()) << name;
        EXPECT_TRUE(axis->titleText().isEmpty()) << name;
        // Every few bars are still labelled, on a second axis under them, starting at the first bar.
        const auto horizontal = chart(page, name)->axes(Qt::Horizontal);
        ASSERT_EQ(horizontal.size(), 2) << name;
        auto *every = qobject_cast<QCategoryAxis *>(horizontal.at(1));
        ASSERT_NE(every, nullptr) << name;
        EXPECT_TRUE(every->isVisible() && every->labelsVisible()) << name;
        ASSERT_GE(every->count(), 3) << name;
        EXPECT_LT(every->count(), axis->count()) << name;
        EXPECT_LE(every->count(), 7) << name;
        const int step = int(every->endValue(every->categoriesLabels().at(1)));
        for (int i = 0; i < every->count(); ++i) {
            const QString label = every->categoriesLabels().at(i);
            EXPECT_EQ(every->endValue(label), double(i * step)) << name;
            // The bar's own label, or its time alone ("Sun 04:00" -> "04:00").
            const QString full = axis->categories().at(i * step);
            EXPECT_TRUE(label == full || full.endsWith(u' ' + label)) << name << ": " << label.toStdString()
                                                                      << " for " << full.toStdString();
        }
        auto *span = page.findChild<QLabel *>(QLatin1String(spanName));
        ASSERT_NE(span, nullptr) << spanName;
        EXPECT_TRUE(span->isVisible()) << spanName;
        EXPECT_EQ(span->text(), axis->categories().first() + QStringLiteral(" – ") + axis->categories().last());
        // The whole text fits: the label is as wide as its text needs.
        EXPECT_GE(span->width(), span->fontMetrics().horizontalAdvance(span->text())) << spanName;
    }
}

// The greyed From/To fields show the preset's range, so Custom starts from what was on screen.
TEST_F(UsageBucketsTest, RangeFieldsFollowThePreset)
{
    UsagePage page(fixture.service());
    show(page);
    auto *from = page.findChild<QDateTimeEdit *>(QStringLiteral("usageFromEdit"));
    auto *to = page.findChild<QDateTimeEdit *>(QStringLiteral("usageToEdit"));
    ASSERT_NE(from, nullptr);
    ASSERT_NE(to, nullptr);
    const QDateTime now = QDateTime::currentDateTime();
    // Last 24 hours (the default): a day back from now, give or take the seconds the test took.
    EXPECT_LE(std::abs(from->dateTime().secsTo(now.addDays(-1))), 120) << from->dateTime().toString().toStdString();
    EXPECT_LE(std::abs(to->dateTime().secsTo(now)), 120) << to->dateTime().toString().toStdString();

    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    requery(page, [range] { range->setCurrentIndex(1); }); // Last 7 days: whole days, today included
    EXPECT_EQ(from->dateTime(), QDateTime(QDate::currentDate().addDays(-6), QTime(0, 0)));
    EXPECT_FALSE(from->isEnabled());
    requery(page, [range] { range->setCurrentIndex(4); }); // Custom: the same range, now editable
    EXPECT_EQ(from->dateTime(), QDateTime(QDate::currentDate().addDays(-6), QTime(0, 0)));
    EXPECT_TRUE(from->isEnabled());
}

TEST_F(UsageBucketsTest, FewBarsCarryTheirLabelsAndNoSpanLine)
{
    UsagePage page(fixture.service());
    show(page);
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    requery(page, [range] { range->setCurrentIndex(1); }); // 7 days per day
    auto *axis = bars(chart(page, "usageRequestsChart")).first;
    ASSERT_NE(axis, nullptr);
    EXPECT_EQ(axis->count(), 7);
    EXPECT_TRUE(axis->labelsVisible());
    EXPECT_EQ(chart(page, "usageRequestsChart")->axes(Qt::Horizontal).size(), 1); // no second row of labels
    EXPECT_TRUE(page.findChild<QLabel *>(QStringLiteral("usageRequestsSpan"))->isHidden());
}

TEST_F(UsageBucketsTest, WeekPerHourKeepsEveryBar)
{
    UsagePage page(fixture.service());
    show(page);
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    auto *granularity = page.findChild<QComboBox *>(QStringLiteral("usageGranularityCombo"));
    requery(page, [range] { range->setCurrentIndex(1); });
    requery(page, [granularity] { granularity->setCurrentIndex(0); });
    EXPECT_EQ(page.data().query.granularity, UsageGranularity::Hour);
    // Every hour from the local midnight six days ago to the current one.
    const QDateTime weekStart = usageDayStart(now.toTimeZone(kSystem).date().addDays(-6), kSystem);
    const int hours = int(weekStart.secsTo(hourStart(now)) / 3600) + 1;
    const auto [axis, count] = bars(chart(page, "usageTokensChart"));
    ASSERT_NE(axis, nullptr);
    EXPECT_EQ(count, hours);
    EXPECT_EQ(axis->count(), hours);
    EXPECT_TRUE(page.findChild<QLabel *>(QStringLiteral("usageStatus"))->text().isEmpty());
}

TEST_F(UsageBucketsTest, MonthPerHourIsShownPerDayAndSaysSo)
{
    UsagePage page(fixture.service());
    show(page);
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    auto *granularity = page.findChild<QComboBox *>(QStringLiteral("usageGranularityCombo"));
    requery(page, [range] { range->setCurrentIndex(2); });
    // The whole 30 days, not only the 2 days with usage: 30 whole local days, today included.
    EXPECT_EQ(bars(chart(page, "usageTokensChart")).second, 30);
    requery(page, [granularity] { granularity->setCurrentIndex(0); });
    EXPECT_EQ(page.data().requestedGranularity, UsageGranularity::Hour);
    EXPECT_EQ(page.data().query.granularity, UsageGranularity::Day);
    const auto [axis, count] = bars(chart(page, "usageTokensChart"));
    ASSERT_NE(axis, nullptr);
    EXPECT_EQ(count, 30);
    EXPECT_EQ(axis->count(), 30);
    EXPECT_EQ(page.findChild<QLabel *>(QStringLiteral("usageStatus"))->text(),
              QStringLiteral("Shown per day: too many hours for this range"));
    // "All" per hour: the open start is known from the data, and is coarsened the same way.
    requery(page, [range] { range->setCurrentIndex(3); });
    requery(page, [granularity] { granularity->setCurrentIndex(0); });
    EXPECT_LE(bars(chart(page, "usageTokensChart")).second, MaxChartBuckets);
}

TEST_F(UsageBucketsTest, EmptyRangeSaysSoInsteadOfBlankAxes)
{
    UsagePage page(fixture.service());
    show(page);
    auto *empty = page.findChild<QLabel *>(QStringLiteral("usageEmptyState"));
    ASSERT_NE(empty, nullptr);
    EXPECT_TRUE(empty->isHidden());
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    auto *from = page.findChild<QDateTimeEdit *>(QStringLiteral("usageFromEdit"));
    auto *to = page.findChild<QDateTimeEdit *>(QStringLiteral("usageToEdit"));
    requery(page, [range] { range->setCurrentIndex(4); });
    requery(page, [&] {
        from->setDateTime(now.addDays(-400).toLocalTime());
        to->setDateTime(now.addDays(-300).toLocalTime());
    });
    EXPECT_FALSE(empty->isHidden());
    EXPECT_EQ(empty->text(), QStringLiteral("No requests in this range"));
    EXPECT_TRUE(page.findChild<QWidget *>(QStringLiteral("usageScroll"))->isHidden());
}

TEST_F(UsageBucketsTest, ValueAxesAreScaledAndNamesKeepTheirColours)
{
    UsagePage page(fixture.service());
    show(page);
    const auto axes = chart(page, "usageTokensChart")->axes(Qt::Vertical);
    ASSERT_EQ(axes.size(), 1);
    auto *values = qobject_cast<QCategoryAxis *>(axes.first());
    ASSERT_NE(values, nullptr);
    EXPECT_EQ(values->titleText(), QStringLiteral("tokens"));
    EXPECT_TRUE(values->categoriesLabels().contains(QStringLiteral("800k"))) << values->categoriesLabels().join(u' ').toStdString();
    EXPECT_GE(values->max(), 800000.0);

    // beta's bars and beta's slice have the same colour.
    auto *series = qobject_cast<QAbstractBarSeries *>(chart(page, "usageTokensChart")->series().first());
    QColor barColour;
    for (QBarSet *set : series->barSets())
        if (set->label() == QStringLiteral("beta"))
            barColour = set->color();
    auto *pie = qobject_cast<QPieSeries *>(chart(page, "usageChannelShareChart")->series().first());
    ASSERT_NE(pie, nullptr);
    QColor sliceColour;
    for (QPieSlice *slice : pie->slices())
        if (slice->property("name").toString() == QStringLiteral("beta"))
            sliceColour = slice->color();
    EXPECT_TRUE(barColour.isValid());
    EXPECT_EQ(barColour.name().toStdString(), sliceColour.name().toStdString());

}

} // namespace
