// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsagePage.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStatsRepository.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UsageRows.h"
#include "ui/usage/HeatmapWidget.h"
#include "ui/usage/PricesDialog.h"

#include <QBarSet>
#include <QLegend>
#include <QLegendMarker>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QDoubleSpinBox>
#include <QStyleOptionViewItem>
#include <QFile>
#include <QLabel>
#include <QPieSeries>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QToolButton>

#include <gtest/gtest.h>

#include <memory>

using namespace tarn::gateway;
using tarn::ui::UsagePage;

namespace {

using tarn::test::usageRow;

// Values of a bar chart's sets, by set label.
QMap<QString, QList<double>> barSets(UsagePage &page, const char *chart)
{
    QMap<QString, QList<double>> result;
    auto *view = page.findChild<QChartView *>(QLatin1String(chart));
    if (!view || view->chart()->series().isEmpty())
        return result;
    auto *series = qobject_cast<QAbstractBarSeries *>(view->chart()->series().first());
    if (!series)
        return result;
    const auto sets = series->barSets();
    for (QBarSet *set : sets) {
        QList<double> values;
        for (int i = 0; i < set->count(); ++i)
            values.append(set->at(i));
        result.insert(set->label(), values);
    }
    return result;
}

// The last n values (the chart spans the whole range; the seeded hours are at its end).
QList<double> tail(const QList<double> &values, int n)
{
    return values.mid(std::max(0, int(values.size()) - n));
}

class UsagePageTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QDateTime hour = now;
        hour.setTime(QTime(now.time().hour(), 0));
        bucketA = hour.addSecs(-2 * 3600);
        bucketB = hour.addSecs(-3600);
        const QDateTime a = bucketA.addSecs(600);
        const QDateTime b = bucketB.addSecs(600);
        UsageRepository usage(fixture.database());
        ASSERT_TRUE(usage.insert({
            usageRow(a, QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 1000, 200, 100, 800, -1, 80),
            usageRow(a, QStringLiteral("beta"), QStringLiteral("claude"), 200, 500, 100, 0, 1200),
            usageRow(b, QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 400, 100, 0, 800, -1, 30),
            usageRow(b, QStringLiteral("beta"), QStringLiteral("claude"), 502, 0, 0, 0, 1200),
            usageRow(now.addDays(-3), QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 2000, 400, 0, 800),
            usageRow(now.addDays(-40), QStringLiteral("gamma"), QStringLiteral("gemini"), 200, 100, 50, 0, 500),
        }).ok());
        ASSERT_TRUE(UsageStatsRepository(fixture.database()).setPrice({QStringLiteral("gpt-4o"), 2.0, 8.0, 1.0}).ok());
    }

    // Shows the page and waits for its first answer.
    void showPage(UsagePage &page)
    {
        QSignalSpy refreshed(&page, &UsagePage::refreshed);
        page.show();
        ASSERT_TRUE(refreshed.wait(10000));
    }

    // Runs change (which re-queries) and waits for the answer.
    template<typename F>
    void requery(UsagePage &page, F change)
    {
        QSignalSpy refreshed(&page, &UsagePage::refreshed);
        change();
        ASSERT_TRUE(refreshed.wait(10000));
    }

    tarn::test::DesktopFixture fixture;
    QDateTime bucketA;
    QDateTime bucketB;
};

TEST_F(UsagePageTest, TokensStackByChannelPerHourForTheLastDay)
{
    UsagePage page(fixture.service());
    showPage(page);
    const auto tokens = barSets(page, "usageTokensChart");
    EXPECT_EQ(tokens.keys(), (QStringList{QStringLiteral("alpha"), QStringLiteral("beta")}));
    EXPECT_EQ(tail(tokens.value(QStringLiteral("alpha")), 3), (QList<double>{1200, 500, 0}));
    EXPECT_EQ(tail(tokens.value(QStringLiteral("beta")), 3), (QList<double>{600, 0, 0}));

    const auto split = barSets(page, "usageSplitChart");
    EXPECT_EQ(tail(split.value(QStringLiteral("Input")), 3), (QList<double>{1400, 400, 0}));
    EXPECT_EQ(tail(split.value(QStringLiteral("Cached")), 3), (QList<double>{100, 0, 0}));
    // Reasoning is part of the output: the two stack to the output counts (300 and 100).
    EXPECT_EQ(tail(split.value(QStringLiteral("Answer")), 3), (QList<double>{220, 70, 0}));
    EXPECT_EQ(tail(split.value(QStringLiteral("Reasoning")), 3), (QList<double>{80, 30, 0}));
    EXPECT_EQ(split.keys().size(), 4);
    auto *splitView = page.findChild<QChartView *>(QStringLiteral("usageSplitChart"));
    ASSERT_NE(splitView, nullptr);
    EXPECT_EQ(splitView->chart()->title(), QStringLiteral("Token split (output = answer + reasoning)"));

    const auto requests = barSets(page, "usageRequestsChart");
    EXPECT_EQ(tail(requests.value(QStringLiteral("Requests")), 3), (QList<double>{2, 2, 0}));
    EXPECT_EQ(tail(requests.value(QStringLiteral("Errors")), 3), (QList<double>{0, 1, 0}));

    auto *view = page.findChild<QChartView *>(QStringLiteral("usageModelShareChart"));
    ASSERT_NE(view, nullptr);
    auto *pie = qobject_cast<QPieSeries *>(view->chart()->series().value(0));
    ASSERT_NE(pie, nullptr);
    ASSERT_EQ(pie->count(), 2);
    // The legend names each slice in full; the slice shows its share.
    const auto markers = view->chart()->legend()->markers(pie);
    ASSERT_EQ(markers.size(), 2);
    EXPECT_EQ(markers.at(0)->label(), QStringLiteral("gpt-4o"));
    EXPECT_EQ(pie->slices().at(0)->value(), 1700.0);
    EXPECT_EQ(pie->slices().at(0)->label(), QStringLiteral("73.9 %"));
    EXPECT_TRUE(pie->slices().at(0)->isLabelVisible());
    EXPECT_EQ(markers.at(1)->label(), QStringLiteral("claude"));
}

TEST_F(UsagePageTest, GroupingToggleStacksByModel)
{
    UsagePage page(fixture.service());
    showPage(page);
    auto *byModel = page.findChild<QToolButton *>(QStringLiteral("usageGroupByModel"));
    ASSERT_NE(byModel, nullptr);
    requery(page, [byModel] { QTest::mouseClick(byModel, Qt::LeftButton); });
    const auto tokens = barSets(page, "usageTokensChart");
    EXPECT_EQ(tokens.keys(), (QStringList{QStringLiteral("claude"), QStringLiteral("gpt-4o")}));
    EXPECT_EQ(tail(tokens.value(QStringLiteral("gpt-4o")), 3), (QList<double>{1200, 500, 0}));
}

TEST_F(UsagePageTest, RangeChangeRequeriesWithTheMatchingBucketSize)
{
    UsagePage page(fixture.service());
    showPage(page);
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    auto *granularity = page.findChild<QComboBox *>(QStringLiteral("usageGranularityCombo"));
    ASSERT_TRUE(range && granularity);

    requery(page, [range] { range->setCurrentIndex(1); }); // last 7 days
    EXPECT_EQ(granularity->currentText(), QStringLiteral("Day"));
    EXPECT_EQ(page.data().query.granularity, UsageGranularity::Day);
    double total = 0;
    const auto week = barSets(page, "usageTokensChart");
    for (const auto &values : week)
        for (double value : values)
            total += value;
    EXPECT_EQ(total, 4700.0); // the last day's 2300 and the 2400 of three days ago
    EXPECT_FALSE(week.contains(QStringLiteral("gamma")));
    // The chart spans the whole week, quiet days as empty buckets: 7 whole local days, today included.
    EXPECT_EQ(week.value(QStringLiteral("alpha")).size(), 7);

    requery(page, [range] { range->setCurrentIndex(3); }); // all
    EXPECT_TRUE(barSets(page, "usageTokensChart").contains(QStringLiteral("gamma")));
    EXPECT_EQ(page.data().query.granularity, UsageGranularity::Month);
}

TEST_F(UsagePageTest, CustomRangeReadsOnlyThatWindow)
{
    UsagePage page(fixture.service());
    showPage(page);
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    auto *from = page.findChild<QDateTimeEdit *>(QStringLiteral("usageFromEdit"));
    auto *to = page.findChild<QDateTimeEdit *>(QStringLiteral("usageToEdit"));
    ASSERT_TRUE(range && from && to);
    requery(page, [range] { range->setCurrentIndex(4); });
    EXPECT_TRUE(from->isEnabled());
    requery(page, [&] {
        from->setDateTime(bucketB.toLocalTime());
        to->setDateTime(bucketB.addSecs(3600).toLocalTime());
    });
    const auto tokens = barSets(page, "usageTokensChart");
    EXPECT_EQ(tokens.value(QStringLiteral("alpha")), (QList<double>{500}));
    EXPECT_EQ(barSets(page, "usageRequestsChart").value(QStringLiteral("Errors")), (QList<double>{1}));
}

TEST_F(UsagePageTest, StaleAnswerIsDropped)
{
    UsagePage page(fixture.service());
    showPage(page);
    auto *range = page.findChild<QComboBox *>(QStringLiteral("usageRangeCombo"));
    auto *byModel = page.findChild<QToolButton *>(QStringLiteral("usageGroupByModel"));
    QSignalSpy refreshed(&page, &UsagePage::refreshed);
    // Two queries in a row: only the second one's answer may reach the screen.
    QTest::mouseClick(byModel, Qt::LeftButton);
    range->setCurrentIndex(3);
    ASSERT_TRUE(refreshed.wait(10000));
    EXPECT_FALSE(refreshed.wait(300));
    EXPECT_EQ(refreshed.count(), 1);
    EXPECT_EQ(page.data().query.grouping, UsageGrouping::Model);
    EXPECT_FALSE(page.data().query.range.from.isValid());
    EXPECT_TRUE(barSets(page, "usageTokensChart").contains(QStringLiteral("gemini")));
}

TEST_F(UsagePageTest, HeatmapAndQualityTable)
{
    UsagePage page(fixture.service());
    showPage(page);
    auto *heatmap = page.findChild<tarn::ui::HeatmapWidget *>(QStringLiteral("usageHeatmap"));
    ASSERT_NE(heatmap, nullptr);
    qint64 sum = 0;
    for (const auto &day : heatmap->heatmap())
        for (qint64 count : day)
            sum += count;
    EXPECT_EQ(sum, 4);
    EXPECT_EQ(heatmap->maximum(), 2);

    auto *table = page.findChild<QTableWidget *>(QStringLiteral("usageQualityTable"));
    ASSERT_NE(table, nullptr);
    ASSERT_EQ(table->rowCount(), 2);
    QMap<QString, QStringList> rows;
    for (int r = 0; r < table->rowCount(); ++r)
        rows.insert(table->item(r, 0)->text(),
                    {table->item(r, 1)->text(), table->item(r, 2)->text(), table->item(r, 3)->text()});
    const QStringList alpha = rows.value(QStringLiteral("alpha"));
    ASSERT_EQ(alpha.size(), 3);
    EXPECT_EQ(alpha[0], QStringLiteral("2"));
    EXPECT_EQ(alpha[1], QStringLiteral("100.0 %"));
    // Medians come from latency histograms, within about 3 % of the true 800 ms.
    ASSERT_TRUE(alpha[2].endsWith(QStringLiteral(" ms"))) << alpha[2].toStdString();
    EXPECT_NEAR(alpha[2].chopped(3).toDouble(), 800.0, 800.0 * 0.03);
    EXPECT_EQ(rows.value(QStringLiteral("beta")).value(1), QStringLiteral("50.0 %"));
}

TEST_F(UsagePageTest, ExportsTheSeriesOnScreenAsCsv)
{
    UsagePage page(fixture.service());
    const QTimeZone shanghai(QByteArrayLiteral("Asia/Shanghai"));
    page.setTimeZone(shanghai);
    showPage(page);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("usage.csv"));
    QString error;
    ASSERT_TRUE(page.exportCsv(path, &error)) << error.toStdString();
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 5);
    // The header names the zone; times are the user's, with their offset.
    EXPECT_EQ(lines[0], QStringLiteral("bucket_start (Asia/Shanghai),channel,requests,errors,prompt_tokens,completion_tokens,"
                                       "cached_tokens,reasoning_tokens,cost_usd"));
    const QString startA = bucketA.toTimeZone(shanghai).toString(Qt::ISODate);
    EXPECT_TRUE(startA.endsWith(QStringLiteral(":00:00+08:00"))) << startA.toStdString();
    // gpt-4o on alpha in the first hour: 900 uncached input at $2, 100 cached at $1, 200 output at $8 per million.
    EXPECT_TRUE(lines.contains(QStringLiteral("%1,alpha,1,0,1000,200,100,80,0.003500").arg(startA)))
        << lines.join(QLatin1Char('\n')).toStdString();
    EXPECT_TRUE(lines.contains(QStringLiteral("%1,beta,1,1,0,0,0,0,0.000000").arg(bucketB.toTimeZone(shanghai).toString(Qt::ISODate))))
        << lines.join(QLatin1Char('\n')).toStdString();
    EXPECT_FALSE(page.exportCsv(dir.filePath(QStringLiteral("missing/dir/usage.csv"))));
}

} // namespace

namespace {

TEST_F(UsagePageTest, SummaryTotalsTheRange)
{
    UsagePage page(fixture.service());
    showPage(page);
    auto *summary = page.findChild<QLabel *>(QStringLiteral("usageSummary"));
    ASSERT_NE(summary, nullptr);
    // gpt-4o: (900 + 400) uncached input at $2, 100 cached at $1, 300 output at $8 per million.
    EXPECT_EQ(summary->text().toStdString(), QStringLiteral("4 requests · 1,900 tokens in (100 cached) · 400 out (110 reasoning) · $0.01 estimated · "
                                              "75.0 % success").toStdString());
    EXPECT_TRUE(summary->toolTip().contains(QStringLiteral("$0.0051"))) << summary->toolTip().toStdString();
}

TEST_F(UsagePageTest, PricesDialogSavesToTheStoreAndCostsFollow)
{
    UsagePage page(fixture.service());
    showPage(page);
    tarn::ui::PricesDialog dialog(fixture.service(), &page);
    QSignalSpy loaded(&dialog, &tarn::ui::PricesDialog::loaded);
    ASSERT_TRUE(loaded.wait(10000));
    auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("pricesTable"));
    ASSERT_NE(table, nullptr);
    // The priced model, then the models seen in the usage without a price, flagged.
    ASSERT_EQ(table->rowCount(), 3);
    EXPECT_EQ(table->item(0, 0)->text(), QStringLiteral("gpt-4o"));
    int claude = -1;
    for (int row = 1; row < table->rowCount(); ++row) {
        EXPECT_EQ(table->item(row, 4)->text(), QStringLiteral("no price: cost estimates leave it out"));
        if (table->item(row, 0)->text() == QStringLiteral("claude"))
            claude = row;
    }
    ASSERT_GT(claude, 0);
    EXPECT_EQ(dialog.prices().size(), 1); // unpriced rows are not saved as free
    EXPECT_FALSE(table->wordWrap());
    // Prices are right-aligned, so their digits line up, in priced and unpriced rows alike.
    for (int row = 0; row < table->rowCount(); ++row)
        for (int column = 1; column <= 3; ++column)
            EXPECT_EQ(table->item(row, column)->textAlignment(), int(Qt::AlignRight | Qt::AlignVCenter)) << row << column;
    EXPECT_EQ(table->horizontalHeaderItem(1)->textAlignment(), int(Qt::AlignRight | Qt::AlignVCenter));
    // Every column is named, the notes' too (it was a blank header).
    for (int column = 0; column < table->columnCount(); ++column)
        EXPECT_FALSE(table->horizontalHeaderItem(column)->text().isEmpty()) << column;

    // Fill in claude's listed row, drop gpt-4o's.
    table->item(claude, 1)->setData(Qt::EditRole, 3.0);
    table->item(claude, 2)->setData(Qt::EditRole, 15.0);
    table->item(claude, 3)->setData(Qt::EditRole, 0.3);
    EXPECT_TRUE(table->item(claude, 4)->text().isEmpty());
    table->removeRow(0);
    QSignalSpy saved(&dialog, &tarn::ui::PricesDialog::saved);
    dialog.save();
    ASSERT_TRUE(saved.wait(10000));
    const auto stored = UsageStatsRepository(fixture.database()).prices();
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored.value(), (QList<ModelPrice>{{QStringLiteral("claude"), 3.0, 15.0, 0.3}}));

    requery(page, [&page] { page.refresh(); });
    // claude: 500 input at $3 and 100 output at $15 per million; gpt-4o has no price any more.
    EXPECT_TRUE(page.findChild<QLabel *>(QStringLiteral("usageSummary"))->toolTip().contains(QStringLiteral("$0.0030")));
}

TEST_F(UsagePageTest, PricesKeepFractionsOfACentAndRefuseNegativesAndDuplicates)
{
    tarn::ui::PricesDialog dialog(fixture.service());
    QSignalSpy loaded(&dialog, &tarn::ui::PricesDialog::loaded);
    ASSERT_TRUE(loaded.wait(10000));
    auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("pricesTable"));
    ASSERT_NE(table, nullptr);
    QAbstractItemDelegate *delegate = table->itemDelegateForColumn(1);
    ASSERT_NE(delegate, nullptr);
    const QModelIndex input = table->model()->index(0, 1);
    QStyleOptionViewItem option;
    std::unique_ptr<QWidget> editor(delegate->createEditor(table->viewport(), option, input));
    auto *spin = qobject_cast<QDoubleSpinBox *>(editor.get());
    ASSERT_NE(spin, nullptr);
    EXPECT_GE(spin->decimals(), 4);
    EXPECT_EQ(spin->minimum(), 0.0);
    spin->setValue(-1.0);
    EXPECT_EQ(spin->value(), 0.0);
    spin->setValue(0.028);
    delegate->setModelData(spin, table->model(), input);
    EXPECT_EQ(dialog.prices().value(0).inputPerMTok, 0.028);

    // The same model twice is refused inline, and nothing is written.
    dialog.addRow({QStringLiteral("gpt-4o"), 1.0, 2.0, 0.5});
    EXPECT_EQ(dialog.duplicateModels(), QStringList{QStringLiteral("gpt-4o")});
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("pricesStatus"));
    EXPECT_TRUE(status->text().contains(QStringLiteral("listed twice"))) << status->text().toStdString();
    QSignalSpy saved(&dialog, &tarn::ui::PricesDialog::saved);
    dialog.save();
    EXPECT_FALSE(saved.wait(300));
    EXPECT_EQ(UsageStatsRepository(fixture.database()).prices().value().value(0).inputPerMTok, 2.0);
    table->item(table->rowCount() - 1, 0)->setText(QStringLiteral("gpt-4o-mini"));
    EXPECT_TRUE(dialog.duplicateModels().isEmpty());
    EXPECT_TRUE(status->text().isEmpty());
    dialog.save();
    ASSERT_TRUE(saved.wait(10000));
    const auto stored = UsageStatsRepository(fixture.database()).prices();
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored.value().size(), 2);
    EXPECT_TRUE(stored.value().contains(ModelPrice{QStringLiteral("gpt-4o"), 0.028, 8.0, 1.0}));
}

} // namespace

namespace {

TEST_F(UsagePageTest, ManyModelsStackAsTheLargestSevenAndOther)
{
    QList<UsageRecord> rows;
    for (int i = 1; i <= 10; ++i)
        rows.append(usageRow(bucketB.addSecs(900), QStringLiteral("delta"), QStringLiteral("m%1").arg(i, 2, 10, QLatin1Char('0')),
                        200, i * 1000, 0, 0, 500));
    ASSERT_TRUE(UsageRepository(fixture.database()).insert(rows).ok());
    UsagePage page(fixture.service());
    showPage(page);
    auto *byModel = page.findChild<QToolButton *>(QStringLiteral("usageGroupByModel"));
    requery(page, [byModel] { QTest::mouseClick(byModel, Qt::LeftButton); });
    const auto tokens = barSets(page, "usageTokensChart");
    EXPECT_EQ(tokens.size(), 8);
    EXPECT_TRUE(tokens.contains(QStringLiteral("m10")));
    EXPECT_FALSE(tokens.contains(QStringLiteral("m01")));
    // Left out: gpt-4o (1200 + 500), claude (600), m01..m03 (6000), of which only bucket B holds the m's.
    EXPECT_EQ(tail(tokens.value(QStringLiteral("other")), 3), (QList<double>{1800, 6500, 0}));
}

} // namespace

namespace {

// The main window opens at 1000 × 680; the page must not force it wider.
TEST_F(UsagePageTest, FitsTheDefaultWindow)
{
    UsagePage page(fixture.service());
    EXPECT_LE(page.minimumSizeHint().width(), 760) << page.minimumSizeHint().width();
}

} // namespace

namespace {

TEST_F(UsagePageTest, SavesScreenshotForReview)
{
    UsagePage page(fixture.service());
    page.resize(820, 1400);
    showPage(page);
    // Charts lay out their axes and legends on the next turns of the event loop; the picture is
    // for a person to look at, so let them settle.
    QTest::qWait(300);
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(page.grab().save(dir.filePath(QStringLiteral("usage-page.png"))));
}

} // namespace
