// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLocale>
#include <QString>

#include <cmath>

// One way to write numbers on every page (Overview cards, Usage summary and tables, the request log,
// chart axes), so the same count never reads "2331360" on one page and "2,331,360" on the next.
// Header only: the pages link tarn_ui_common, which needs no new source for it.
namespace tarn::ui {

// A count in full, grouped the user's way ("2,331,360"; the C locale groups with commas too).
inline QString formatCount(qint64 value)
{
    QLocale locale;
    if (locale.language() == QLocale::C)
        locale = QLocale(QLocale::English, QLocale::UnitedStates);
    return locale.toString(value);
}

// A token count in short: below 10,000 in full, then "12.3k", "9.85M", "1.20B". Exact counts stay in
// tooltips and exports.
inline QString formatTokens(qint64 value)
{
    const double magnitude = std::abs(double(value));
    if (magnitude < 10000)
        return formatCount(value);
    if (magnitude < 1e6)
        return QString::number(double(value) / 1e3, 'f', 1) + QLatin1Char('k');
    if (magnitude < 1e9)
        return QString::number(double(value) / 1e6, 'f', 2) + QLatin1Char('M');
    return QString::number(double(value) / 1e9, 'f', 2) + QLatin1Char('B');
}

// An estimated cost in US dollars, two decimals; a cost too small to show as cents says so.
inline QString formatCost(double usd)
{
    if (usd > 0 && usd < 0.005)
        return QStringLiteral("< $0.01");
    return QLatin1Char('$') + QString::number(usd, 'f', 2);
}

// A rate in [0, 1] as a percentage with one decimal: "97.5 %".
inline QString formatPercent(double rate)
{
    return QString::number(rate * 100.0, 'f', 1) + QStringLiteral(" %");
}

// An axis tick: whole numbers up to 9,999, then k / M with at most one decimal ("800k", "1.5M").
inline QString formatAxisValue(double value)
{
    const auto trimmed = [](double v, QChar unit) -> QString {
        QString text = QString::number(v, 'f', 1);
        if (text.endsWith(QStringLiteral(".0")))
            text.chop(2);
        return text + unit;
    };
    if (std::abs(value) >= 1e6)
        return trimmed(value / 1e6, QLatin1Char('M'));
    if (std::abs(value) >= 1e4)
        return trimmed(value / 1e3, QLatin1Char('k'));
    return formatCount(qint64(std::llround(value)));
}

} // namespace tarn::ui
