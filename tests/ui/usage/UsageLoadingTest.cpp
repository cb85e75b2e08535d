// SPDX-License-Identifier: GPL-3.0-or-later
// The Usage page before its first answer (the first roll-up of a large table takes seconds): a
// "Summarising usage…" message with an indeterminate progress bar instead of empty charts, gone
// once the answer is on screen and not back on later refreshes. And the split chart's tooltip,
// which says reasoning is part of output.
#include "ui/usage/UsageCharts.h"
#include "ui/usage/UsagePage.h"

#include "tests/ui/usage/OneRequestFixture.h"

#include <QChartView>
#include <QDir>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using tarn::ui::UsagePage;

namespace {

using UsageLoadingTest = tarn::test::OneRequestFixture;

TEST_F(UsageLoadingTest, SummarisingUntilTheFirstAnswerThenCharts)
{
    UsagePage page(fixture.service());
    QSignalSpy refreshed(&page, &UsagePage::refreshed);
    page.resize(1000, 700);
    page.show();
    // The query runs on the service's thread; its answer can only arrive through this thread's
    // event loop, which has not run yet: this is what the user sees while it works.
    auto *label = page.findChild<QLabel *>(QStringLiteral("usageLoadingLabel"));
    auto *bar = page.findChild<QProgressBar *>(QStringLiteral("usageLoadingBar"));
    auto *chart = page.findChild<QChartView *>(QStringLiteral("usageSplitChart"));
    ASSERT_NE(label, nullptr);
    ASSERT_NE(bar, nullptr);
    ASSERT_NE(chart, nullptr);
    EXPECT_TRUE(page.isLoading());
    EXPECT_TRUE(label->isVisible());
    EXPECT_EQ(label->text(), QStringLiteral("Summarising usage…"));
    EXPECT_TRUE(bar->isVisible());
    EXPECT_EQ(bar->minimum(), 0);
    EXPECT_EQ(bar->maximum(), 0); // indeterminate
    EXPECT_FALSE(chart->isVisible());
    auto *exportButton = page.findChild<QPushButton *>(QStringLiteral("usageExportButton"));
    ASSERT_NE(exportButton, nullptr);
    EXPECT_FALSE(exportButton->isEnabled()); // nothing to export yet
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(page.grab().save(dir.filePath(QStringLiteral("usage-page-loading.png"))));
    EXPECT_TRUE(page.isLoading()); // grabbing the picture did not let the answer in

    ASSERT_TRUE(refreshed.wait(10000));
    EXPECT_FALSE(page.isLoading());
    EXPECT_FALSE(label->isVisible());
    EXPECT_FALSE(bar->isVisible());
    EXPECT_TRUE(chart->isVisible());
    EXPECT_TRUE(exportButton->isEnabled());
    EXPECT_EQ(chart->chart()->series().size(), 1);

    // A later refresh keeps the charts up (its status line says it is loading).
    page.refresh();
    EXPECT_FALSE(page.isLoading());
    EXPECT_TRUE(chart->isVisible());
    ASSERT_TRUE(refreshed.wait(10000));
    EXPECT_TRUE(chart->isVisible());
}

TEST(UsageSplitToolTip, OutputPartsSayReasoningIsPartOfOutput)
{
    EXPECT_EQ(tarn::ui::splitToolTip(QStringLiteral("Reasoning"), 1500, true),
              QStringLiteral("Reasoning: %1 tokens, part of the output (output = answer + reasoning)")
                  .arg(QLocale().toString(qint64(1500))));
    EXPECT_EQ(tarn::ui::splitToolTip(QStringLiteral("Cached"), 7, false), QStringLiteral("Cached: 7 tokens"));
}

} // namespace
