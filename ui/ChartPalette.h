// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QPalette>
#include <QWidget>

namespace tarn::ui {

// Gives a chart the palette's colours (the OS theme): background, title, legend, axis labels,
// titles and grid; the series keep their own. A chart left to Qt's default theme stayed white on a
// dark desktop, and QChart::setTheme would repaint the series too (their colours are stable per
// name). Call it after the chart's axes are rebuilt and when the palette changes.
inline void applyChartPalette(QChart *chart, const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Text);
    QColor grid = palette.color(QPalette::Text);
    grid.setAlphaF(0.15);
    QColor line = palette.color(QPalette::Text);
    line.setAlphaF(0.4);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(line);
    }
}

// Every chart under parent, in parent's palette.
inline void applyChartPalette(QWidget *parent)
{
    for (QChartView *view : parent->findChildren<QChartView *>())
        applyChartPalette(view->chart(), parent->palette());
}

} // namespace tarn::ui
