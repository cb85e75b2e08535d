// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/ShareChart.h"
#include "ui/usage/UsageQuery.h"

#include <QColor>
#include <QHash>
#include <QString>
#include <QStringList>

class QChart;
class QTimeZone;

namespace tarn::ui {

// Fill the Usage page's charts from one query's aggregates. Each call replaces the chart's series
// and axes; with no usage the chart is left empty (the page says so). Bar charts have a bar per
// bucket of data.buckets; with more than maxLabels buckets the axis has no labels (the page shows
// usageSpanText under the chart, and a hovered bar's tooltip names its bucket).
// Unique bucket labels (the axis drops repeated ones, and their bars), in zone: hours by their
// local time, with the weekday or the date when the buckets span days, the year when they span
// years; days, weeks and months by their local date.
QStringList usageBucketLabels(const QList<QDateTime> &buckets, gateway::UsageGranularity granularity,
                              const QTimeZone &zone);
// What a bar chart of data with more than maxLabels bars spans ("Sun 21:00 – Mon 21:00"), for a
// label under it; empty when its bars carry their own labels.
QString usageSpanText(const UsageData &data, int maxLabels);
// Tokens (input + output) per bucket, one stacked set per channel or model.
void fillTokensChart(QChart *chart, const UsageData &data, int maxLabels = 16, const QStringList &known = {});
// Input (uncached), cached input, output without reasoning, and reasoning tokens per bucket: the
// last two together are the output tokens (reasoning is part of output).
void fillSplitChart(QChart *chart, const UsageData &data, int maxLabels = 16);
// The split chart's tooltip for a hovered bar (output parts say reasoning is part of output).
QString splitToolTip(const QString &label, double tokens, bool output);
// Requests and errors per bucket.
void fillRequestsChart(QChart *chart, const UsageData &data, int maxLabels = 16);

} // namespace tarn::ui
