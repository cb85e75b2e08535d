// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/NumberFormat.h"

#include <QCategoryAxis>

#include <algorithm>
#include <cmath>

// Header only: tarn_ui_common does not link Qt Charts; the pages that include this do.
namespace tarn::ui {

// Labels axis from 0 to at least maximum on round steps (1, 2, 2.5 or 5 × 10^n): "800k", "1.5M"
// (QValueAxis's "%d" prints 800000). Done in place, so a chart that refreshes keeps its axis: Qt
// Charts 6.4 did not lay out again an axis put in the place of a removed one while the chart was on
// screen, and the new, wider labels were cut to "…" (and drawn over the old ones).
inline void setScaledAxis(QCategoryAxis *axis, double maximum)
{
    double step = 1;
    if (maximum > 5) {
        const double raw = maximum / 5.0;
        const double power = std::pow(10.0, std::floor(std::log10(raw)));
        step = power * 10;
        for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
            if (power * factor >= raw) {
                step = power * factor;
                break;
            }
        }
    }
    const int ticks = std::max(1, int(std::ceil(std::max(maximum, 1.0) / step - 1e-9)));
    const QStringList old = axis->categoriesLabels();
    for (const QString &label : old)
        axis->remove(label);
    axis->setStartValue(0);
    axis->append(formatAxisValue(0), 0);
    for (int i = 1; i <= ticks; ++i)
        axis->append(formatAxisValue(step * i), step * i);
    axis->setRange(0, step * ticks);
}

// A new axis as setScaledAxis labels it; the unit goes in the axis title.
inline QCategoryAxis *createScaledAxis(double maximum, const QString &unit)
{
    auto *axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    // Four characters at most ("1.5M"): never cut to "…", which Qt Charts did under X11 when it
    // had measured the axis before its labels grew.
    axis->setTruncateLabels(false);
    setScaledAxis(axis, maximum);
    axis->setTitleText(unit);
    return axis;
}

} // namespace tarn::ui
