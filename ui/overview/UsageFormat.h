// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace tarn::ui {

// How the dashboard writes counts, costs and rates, so cards, tooltips and tests agree.
inline QString formatCount(qint64 value)
{
    if (value < 10000)
        return QString::number(value);
    if (value < 1000000)
        return QString::number(double(value) / 1000.0, 'f', 1) + QLatin1Char('k');
    return QString::number(double(value) / 1000000.0, 'f', 2) + QLatin1Char('M');
}

inline QString formatCost(double usd)
{
    return QLatin1Char('$') + QString::number(usd, 'f', usd < 1.0 ? 4 : 2);
}

inline QString formatRate(double rate)
{
    return QString::number(rate * 100.0, 'f', 1) + QStringLiteral(" %");
}

} // namespace tarn::ui
