// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsageCharts.h"

#include "ui/ChartAxis.h"
#include "ui/NumberFormat.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QCoreApplication>
#include <QCursor>
#include <QLocale>
#include <QPieLegendMarker>
#include <QPieSeries>
#include <QRegularExpression>
#include <QSet>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("tarn::ui::UsageCharts", text);
}

void clearChart(QChart *chart)
{
    chart->removeAllSeries();
    const auto axes = chart->axes();
    for (QAbstractAxis *axis : axes) {
        chart->removeAxis(axis);
        delete axis;
    }
}

QHash<qint64, int> indexOf(const QList<QDateTime> &buckets)
{
    QHash<qint64, int> index;
    for (int i = 0; i < buckets.size(); ++i)
        index.insert(buckets[i].toMSecsSinceEpoch(), i);
    return index;
}

// A point's bucket, or -1 when it falls outside the chart's buckets (never for a store answer).
int bucketIndex(const QHash<qint64, int> &index, const UsagePoint &point)
{
    return index.value(point.bucketStart.toMSecsSinceEpoch(), -1);
}

void attachAxes(QChart *chart, QAbstractBarSeries *series, const QStringList &labels, int maxLabels,
                double maximum, const QString &unit)
{
    chart->addSeries(series);
    auto *categories = new QBarCategoryAxis;
    categories->append(labels);
    // A label per bar while they fit standing up; past that Qt elides each to "⋮", so the bars'
    // own labels go, a second axis labels every few bars, the page says what the chart spans
    // under it (usageSpanText) and a bar's tooltip names its bucket.
    const bool crowded = labels.size() > maxLabels;
    if (crowded) {
        categories->setLabelsVisible(false);
        categories->setLineVisible(false);
    } else if (labels.size() > 8) {
        categories->setLabelsAngle(-90);
    }
    chart->addAxis(categories, Qt::AlignBottom);
    series->attachAxis(categories);
    if (crowded && maxLabels > 0) {
        // Too many bars for a label each: every step-th bar is labelled on a second axis under
        // them, at the bar's centre (bar i spans i-0.5..i+0.5), so 24 hours still read 00:00,
        // 04:00, … instead of nothing.
        // Lying flat, so few: standing, Qt elides them in the height it gives the axis. An hour
        // keeps only its time ("Mon 04:00" -> "04:00"; the line under the chart names the days)
        // unless that time is already shown (an axis drops a repeated label, and its tick).
        // A flat label takes about three standing ones' width: 7 across the page, 4 on a half.
        const int shownLabels = std::clamp(maxLabels >= 16 ? 7 : maxLabels / 3, 2, 7);
        const int step = int((labels.size() + shownLabels - 1) / shownLabels);
        auto *every = new QCategoryAxis;
        every->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        every->setGridLineVisible(false);
        every->setRange(-0.5, double(labels.size()) - 0.5);
        static const QRegularExpression trailingTime(QStringLiteral("^.+ (\\d\\d:\\d\\d)$"));
        for (int i = 0; i < labels.size(); i += step) {
            QString text = labels.at(i);
            if (const QRegularExpressionMatch time = trailingTime.match(text);
                time.hasMatch() && !every->categoriesLabels().contains(time.captured(1)))
                text = time.captured(1);
            every->append(text, i);
        }
        chart->addAxis(every, Qt::AlignBottom);
        series->attachAxis(every);
    }
    QAbstractAxis *values = createScaledAxis(maximum, unit);
    chart->addAxis(values, Qt::AlignLeft);
    series->attachAxis(values);
}

// Shows label: value for a hovered bar.
void showBarToolTips(QAbstractBarSeries *series, const QStringList &labels)
{
    QObject::connect(series, &QAbstractBarSeries::hovered, series, [labels](bool status, int at, QBarSet *set) {
        if (!status) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(), QStringLiteral("%1 · %2: %3").arg(labels.value(at), set->label(),
                                                                           formatCount(qint64(set->at(at)))));
    });
}

} // namespace

QStringList usageBucketLabels(const QList<QDateTime> &buckets, UsageGranularity granularity, const QTimeZone &zone)
{
    QStringList labels;
    if (buckets.isEmpty())
        return labels;
    // Every bucket is named in the user's zone: hours by their local time, days, weeks and months
    // by the local calendar the store bucketed them in.
    const auto shown = [&zone](const QDateTime &at) { return at.toTimeZone(zone); };
    const QDateTime first = shown(buckets.first());
    const QDateTime last = shown(buckets.last());
    const bool oneDay = first.date() == last.date();
    const bool underAWeek = first.date().daysTo(last.date()) < 7;
    const bool oneYear = first.date().year() == last.date().year();
    // A UTC hour starts at half past in UTC+05:30: its label says so.
    const QString hour = first.time().minute() == 0 && last.time().minute() == 0 ? QStringLiteral("HH:00")
                                                                                 : QStringLiteral("HH:mm");
    QString format;
    switch (granularity) {
    case UsageGranularity::Hour:
        format = oneDay ? hour
                        : underAWeek ? QStringLiteral("ddd ") + hour
                                     : oneYear ? QStringLiteral("MM-dd ") + hour : QStringLiteral("yyyy-MM-dd ") + hour;
        break;
    case UsageGranularity::Day: format = oneYear ? QStringLiteral("MM-dd") : QStringLiteral("yyyy-MM-dd"); break;
    case UsageGranularity::Week: break;
    case UsageGranularity::Month: format = QStringLiteral("yyyy-MM"); break;
    }
    QSet<QString> seen;
    for (const QDateTime &bucket : buckets) {
        const QDateTime at = shown(bucket);
        QString label;
        if (granularity == UsageGranularity::Week) {
            int year = 0;
            const int week = at.date().weekNumber(&year);
            label = QStringLiteral("W%1 %2").arg(week).arg(year);
        } else {
            label = QLocale::c().toString(at, format);
        }
        // The hour a clock is set back repeats its local name: the second one says so, since the
        // axis would drop a repeated category (and its bar) silently.
        while (seen.contains(label))
            label += QChar(0x2032); // ′
        seen.insert(label);
        labels.append(label);
    }
    return labels;
}

QString usageSpanText(const UsageData &data, int maxLabels)
{
    if (data.series.isEmpty() || data.buckets.size() <= maxLabels)
        return {};
    const QStringList labels = usageBucketLabels(data.buckets, data.query.granularity, data.query.zone);
    return tr("%1 – %2").arg(labels.first(), labels.last());
}

void fillTokensChart(QChart *chart, const UsageData &data, int maxLabels, const QStringList &known)
{
    clearChart(chart);
    if (data.series.isEmpty())
        return;
    const QList<QDateTime> &buckets = data.buckets;
    const QHash<qint64, int> index = indexOf(buckets);
    std::map<QString, QList<double>> groups; // sorted by name
    QList<double> totals(buckets.size(), 0.0);
    for (const UsagePoint &point : data.series) {
        const int at = bucketIndex(index, point);
        if (at < 0)
            continue;
        QList<double> &values = groups[point.series];
        if (values.isEmpty())
            values.resize(buckets.size(), 0.0);
        const double tokens = double(point.totals.promptTokens + point.totals.completionTokens);
        values[at] += tokens;
        totals[at] += tokens;
    }
    // More than a handful of stacked colours cannot be told apart: the smallest groups are summed
    // into one "other" set.
    constexpr int MaxGroups = 8;
    QList<std::pair<double, QString>> bySize;
    for (const auto &[name, values] : groups)
        bySize.append({-std::accumulate(values.begin(), values.end(), 0.0), name});
    std::sort(bySize.begin(), bySize.end());
    QStringList kept;
    for (int i = 0; i < bySize.size() && (i < MaxGroups - 1 || bySize.size() == MaxGroups); ++i)
        kept.append(bySize[i].second);
    const QHash<QString, QColor> colours = usageColours(kept, known);
    QList<double> other(buckets.size(), 0.0);
    auto *series = new QStackedBarSeries;
    series->setName(tr("Tokens"));
    for (const auto &[name, values] : groups) {
        if (!kept.contains(name)) {
            for (int i = 0; i < values.size(); ++i)
                other[i] += values[i];
            continue;
        }
        auto *set = new QBarSet(name.isEmpty() ? tr("(none)") : name);
        set->append(values);
        set->setColor(colours.value(name));
        series->append(set);
    }
    if (kept.size() < bySize.size()) {
        auto *set = new QBarSet(tr("other"));
        set->append(other);
        set->setColor(usageOtherColour());
        series->append(set);
    }
    double maximum = 0;
    for (double total : totals)
        maximum = std::max(maximum, total);
    const QStringList labels = usageBucketLabels(buckets, data.query.granularity, data.query.zone);
    showBarToolTips(series, labels);
    attachAxes(chart, series, labels, maxLabels, maximum, tr("tokens"));
}

void fillSplitChart(QChart *chart, const UsageData &data, int maxLabels)
{
    clearChart(chart);
    if (data.series.isEmpty())
        return;
    const QList<QDateTime> &buckets = data.buckets;
    const QHash<qint64, int> index = indexOf(buckets);
    QList<double> input(buckets.size(), 0.0), cached(buckets.size(), 0.0), answer(buckets.size(), 0.0),
        reasoning(buckets.size(), 0.0);
    for (const UsagePoint &point : data.series) {
        const int at = bucketIndex(index, point);
        if (at < 0)
            continue;
        // Prompt tokens include the cached ones, and output tokens the reasoning ones (providers
        // count and bill thinking as output): the chart stacks each part apart, so a bar's height
        // is still input + output. A provider reporting more reasoning than output gets no
        // negative answer.
        input[at] += double(point.totals.promptTokens - point.totals.cachedTokens);
        cached[at] += double(point.totals.cachedTokens);
        const qint64 thinking = std::min(point.totals.reasoningTokens, point.totals.completionTokens);
        answer[at] += double(point.totals.completionTokens - thinking);
        reasoning[at] += double(thinking);
    }
    auto *series = new QStackedBarSeries;
    series->setName(tr("Token split"));
    double maximum = 0;
    for (int i = 0; i < buckets.size(); ++i)
        maximum = std::max(maximum, input[i] + cached[i] + answer[i] + reasoning[i]);
    const std::pair<const char *, const QList<double> *> sets[] = {
        {QT_TRANSLATE_NOOP("tarn::ui::UsageCharts", "Input"), &input},
        {QT_TRANSLATE_NOOP("tarn::ui::UsageCharts", "Cached"), &cached},
        {QT_TRANSLATE_NOOP("tarn::ui::UsageCharts", "Answer"), &answer},
        {QT_TRANSLATE_NOOP("tarn::ui::UsageCharts", "Reasoning"), &reasoning},
    };
    for (const auto &[label, values] : sets) {
        auto *set = new QBarSet(tr(label));
        set->append(*values);
        series->append(set);
    }
    const QStringList labels = usageBucketLabels(buckets, data.query.granularity, data.query.zone);
    // The legend has room for one word per set (longer labels are elided); the chart's title and
    // the tooltip of a hovered bar say that answer and reasoning make up the output.
    QObject::connect(series, &QAbstractBarSeries::hovered, series, [series, labels](bool status, int at, QBarSet *set) {
        if (!status) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(), labels.value(at) + QStringLiteral(" · ")
                                               + splitToolTip(set->label(), set->at(at), series->barSets().indexOf(set) >= 2));
    });
    attachAxes(chart, series, labels, maxLabels, maximum, tr("tokens"));
}

QString splitToolTip(const QString &label, double tokens, bool output)
{
    const QString count = formatCount(qint64(tokens));
    return output ? tr("%1: %2 tokens, part of the output (output = answer + reasoning)").arg(label, count)
                  : tr("%1: %2 tokens").arg(label, count);
}

void fillRequestsChart(QChart *chart, const UsageData &data, int maxLabels)
{
    clearChart(chart);
    if (data.series.isEmpty())
        return;
    const QList<QDateTime> &buckets = data.buckets;
    const QHash<qint64, int> index = indexOf(buckets);
    QList<double> requests(buckets.size(), 0.0), errors(buckets.size(), 0.0);
    for (const UsagePoint &point : data.series) {
        const int at = bucketIndex(index, point);
        if (at < 0)
            continue;
        requests[at] += double(point.totals.requests);
        errors[at] += double(point.totals.errors);
    }
    auto *series = new QBarSeries;
    series->setName(tr("Requests"));
    auto *requestSet = new QBarSet(tr("Requests"));
    requestSet->append(requests);
    auto *errorSet = new QBarSet(tr("Errors"));
    errorSet->append(errors);
    errorSet->setColor(QColor(0xc6, 0x28, 0x28));
    series->append(requestSet);
    series->append(errorSet);
    double maximum = 0;
    for (double value : requests)
        maximum = std::max(maximum, value);
    const QStringList labels = usageBucketLabels(buckets, data.query.granularity, data.query.zone);
    showBarToolTips(series, labels);
    attachAxes(chart, series, labels, maxLabels, maximum, tr("requests"));
}

} // namespace tarn::ui
