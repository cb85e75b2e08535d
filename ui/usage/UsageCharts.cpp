// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsageCharts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QCoreApplication>
#include <QCursor>
#include <QLocale>
#include <QPieSeries>
#include <QStackedBarSeries>
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

QDateTime nextBucket(const QDateTime &bucket, UsageGranularity granularity)
{
    switch (granularity) {
    case UsageGranularity::Hour: return bucket.addSecs(3600);
    case UsageGranularity::Day: return bucket.addDays(1);
    case UsageGranularity::Week: return bucket.addDays(7);
    case UsageGranularity::Month: return bucket.addMonths(1);
    }
    return bucket.addSecs(3600);
}

// The buckets of the series in time order: the categories every bar chart of one query shares.
// The store leaves empty buckets out; they are put back so a quiet hour shows as a gap in time,
// unless that would make the chart unreadably wide (then only the buckets with traffic show).
QList<QDateTime> bucketsOf(const UsageData &data)
{
    constexpr int MaxFilledBuckets = 400;
    std::map<qint64, QDateTime> buckets;
    for (const UsagePoint &point : data.series)
        buckets.emplace(point.bucketStart.toMSecsSinceEpoch(), point.bucketStart.toUTC());
    QList<QDateTime> result;
    if (!buckets.empty()) {
        const QDateTime last = buckets.rbegin()->second;
        for (QDateTime at = buckets.begin()->second; at <= last && result.size() <= MaxFilledBuckets;
             at = nextBucket(at, data.query.granularity))
            result.append(at);
        // Buckets that do not fall on the step (a calendar quirk) would be lost: keep the sparse list then.
        bool aligned = result.size() <= MaxFilledBuckets;
        for (auto it = buckets.begin(); aligned && it != buckets.end(); ++it)
            aligned = result.contains(it->second);
        if (aligned)
            return result;
        result.clear();
    }
    for (const auto &entry : buckets)
        result.append(entry.second);
    return result;
}

QHash<qint64, int> indexOf(const QList<QDateTime> &buckets)
{
    QHash<qint64, int> index;
    for (int i = 0; i < buckets.size(); ++i)
        index.insert(buckets[i].toMSecsSinceEpoch(), i);
    return index;
}

void attachAxes(QChart *chart, QAbstractBarSeries *series, const QList<QDateTime> &buckets,
                UsageGranularity granularity, double maximum)
{
    chart->addSeries(series);
    QStringList labels;
    for (const QDateTime &bucket : buckets)
        labels.append(usageBucketLabel(bucket, granularity));
    auto *categories = new QBarCategoryAxis;
    categories->append(labels);
    // A label per bar: past a few bars they only fit standing up (flat, Qt elides them to "...").
    if (labels.size() > 8)
        categories->setLabelsAngle(-90);
    chart->addAxis(categories, Qt::AlignBottom);
    series->attachAxis(categories);
    auto *values = new QValueAxis;
    // Counts are whole numbers: small ranges get one tick per unit, larger ones "nice" steps.
    if (maximum < 5) {
        const double top = std::max(1.0, std::ceil(maximum));
        values->setRange(0, top);
        values->setTickCount(int(top) + 1);
    } else {
        values->setRange(0, maximum * 1.05);
        values->applyNiceNumbers();
    }
    values->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(values, Qt::AlignLeft);
    series->attachAxis(values);
}

} // namespace

QString usageBucketLabel(const QDateTime &bucketStart, UsageGranularity granularity)
{
    // Hours are shown in local time; days, weeks and months are UTC calendar buckets in the store,
    // so they keep their UTC date (a local date could name the day before).
    const QDateTime local = granularity == UsageGranularity::Hour ? bucketStart.toLocalTime() : bucketStart.toUTC();
    switch (granularity) {
    case UsageGranularity::Hour: return local.toString(QStringLiteral("HH:00"));
    case UsageGranularity::Day: return local.toString(QStringLiteral("MM-dd"));
    case UsageGranularity::Week: return QStringLiteral("W%1 %2").arg(local.date().weekNumber()).arg(local.date().year());
    case UsageGranularity::Month: return local.toString(QStringLiteral("yyyy-MM"));
    }
    return {};
}

void fillTokensChart(QChart *chart, const UsageData &data)
{
    clearChart(chart);
    const QList<QDateTime> buckets = bucketsOf(data);
    const QHash<qint64, int> index = indexOf(buckets);
    std::map<QString, QList<double>> groups; // sorted by name, so colours stay put between refreshes
    QList<double> totals(buckets.size(), 0.0);
    for (const UsagePoint &point : data.series) {
        QList<double> &values = groups[point.series];
        if (values.isEmpty())
            values.resize(buckets.size(), 0.0);
        const int at = index.value(point.bucketStart.toMSecsSinceEpoch());
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
        series->append(set);
    }
    if (kept.size() < bySize.size()) {
        auto *set = new QBarSet(tr("other"));
        set->append(other);
        series->append(set);
    }
    double maximum = 0;
    for (double total : totals)
        maximum = std::max(maximum, total);
    attachAxes(chart, series, buckets, data.query.granularity, maximum);
}

void fillSplitChart(QChart *chart, const UsageData &data)
{
    clearChart(chart);
    const QList<QDateTime> buckets = bucketsOf(data);
    const QHash<qint64, int> index = indexOf(buckets);
    QList<double> input(buckets.size(), 0.0), cached(buckets.size(), 0.0), answer(buckets.size(), 0.0),
        reasoning(buckets.size(), 0.0);
    for (const UsagePoint &point : data.series) {
        const int at = index.value(point.bucketStart.toMSecsSinceEpoch());
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
    // The legend has room for one word per set (longer labels are elided); the chart's title and
    // the tooltip of a hovered bar say that answer and reasoning make up the output.
    QObject::connect(series, &QAbstractBarSeries::hovered, series, [series](bool status, int at, QBarSet *set) {
        if (!status) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(), splitToolTip(set->label(), set->at(at), series->barSets().indexOf(set) >= 2));
    });
    attachAxes(chart, series, buckets, data.query.granularity, maximum);
}

QString splitToolTip(const QString &label, double tokens, bool output)
{
    const QString count = QLocale().toString(qint64(tokens));
    return output ? tr("%1: %2 tokens, part of the output (output = answer + reasoning)").arg(label, count)
                  : tr("%1: %2 tokens").arg(label, count);
}

void fillRequestsChart(QChart *chart, const UsageData &data)
{
    clearChart(chart);
    const QList<QDateTime> buckets = bucketsOf(data);
    const QHash<qint64, int> index = indexOf(buckets);
    QList<double> requests(buckets.size(), 0.0), errors(buckets.size(), 0.0);
    for (const UsagePoint &point : data.series) {
        const int at = index.value(point.bucketStart.toMSecsSinceEpoch());
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
    attachAxes(chart, series, buckets, data.query.granularity, maximum);
}

void fillShareChart(QChart *chart, const QList<UsageShare> &shares, const QString &name)
{
    clearChart(chart);
    auto *pie = new QPieSeries;
    pie->setName(name);
    // More than a handful of slices is unreadable: the rest go into one "other" slice.
    constexpr int MaxSlices = 8;
    qint64 other = 0;
    for (int i = 0; i < shares.size(); ++i) {
        const qint64 tokens = shares[i].totals.promptTokens + shares[i].totals.completionTokens;
        if (i < MaxSlices)
            pie->append(shares[i].name.isEmpty() ? tr("(none)") : shares[i].name, double(tokens));
        else
            other += tokens;
    }
    if (other > 0)
        pie->append(tr("other"), double(other));
    chart->addSeries(pie);
}

} // namespace tarn::ui
