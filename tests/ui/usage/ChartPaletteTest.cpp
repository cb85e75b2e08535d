// SPDX-License-Identifier: GPL-3.0-or-later
// Charts follow the palette (the OS theme): on a dark palette they were left white with black text.
#include "ui/overview/OverviewPage.h"
#include "ui/usage/UsagePage.h"

#include "tests/ui/support/UiWait.h"
#include "tests/ui/usage/OneRequestFixture.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

QPalette darkPalette()
{
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
    dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    dark.setColor(QPalette::Base, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::Text, QColor(0xf0, 0xf0, 0xf0));
    return dark;
}

// Every chart of page drawn in palette: background, title, and its axes' labels.
void expectChartsIn(QWidget *page, const QPalette &palette)
{
    const QList<QChartView *> views = page->findChildren<QChartView *>();
    ASSERT_FALSE(views.isEmpty());
    for (QChartView *view : views) {
        QChart *chart = view->chart();
        EXPECT_EQ(chart->backgroundBrush().color(), palette.color(QPalette::Base)) << qPrintable(view->objectName());
        EXPECT_EQ(chart->titleBrush().color(), palette.color(QPalette::Text)) << qPrintable(view->objectName());
        for (QAbstractAxis *axis : chart->axes())
            EXPECT_EQ(axis->labelsColor(), palette.color(QPalette::Text)) << qPrintable(view->objectName());
    }
}

using ChartPaletteTest = tarn::test::OneRequestFixture;

TEST_F(ChartPaletteTest, UsageChartsFollowAPaletteChange)
{
    tarn::ui::UsagePage page(fixture.service());
    QSignalSpy refreshed(&page, &tarn::ui::UsagePage::refreshed);
    page.resize(1000, 700);
    page.show();
    ASSERT_TRUE(refreshed.wait(10'000));
    expectChartsIn(&page, page.palette());
    page.setPalette(darkPalette());
    expectChartsIn(&page, darkPalette());
    // A refresh builds new axes: they come in the palette too.
    page.refresh();
    ASSERT_TRUE(refreshed.wait(10'000));
    expectChartsIn(&page, darkPalette());
}

TEST_F(ChartPaletteTest, OverviewChartsFollowAPaletteChange)
{
    tarn::ui::OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &tarn::ui::OverviewPage::refreshed);
    page.resize(1000, 700);
    page.show();
    ASSERT_TRUE(refreshed.wait(10'000));
    page.setPalette(darkPalette());
    expectChartsIn(&page, darkPalette());
    page.refresh();
    ASSERT_TRUE(refreshed.wait(10'000));
    expectChartsIn(&page, darkPalette());
}

} // namespace
