// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/usage/UsageQuery.h"

#include <QString>

class QChart;

namespace tarn::ui {

// Fill the Usage page's charts from one query's aggregates. Each call replaces the chart's series
// and axes. Bucket labels are local time, in the format the granularity calls for.
QString usageBucketLabel(const QDateTime &bucketStart, gateway::UsageGranularity granularity);
// Tokens (input + output) per bucket, one stacked set per channel or model.
void fillTokensChart(QChart *chart, const UsageData &data);
// Input (uncached), cached input, output without reasoning, and reasoning tokens per bucket: the
// last two together are the output tokens (reasoning is part of output).
void fillSplitChart(QChart *chart, const UsageData &data);
// The split chart's tooltip for a hovered bar (output parts say reasoning is part of output).
QString splitToolTip(const QString &label, double tokens, bool output);
// Requests and errors per bucket.
void fillRequestsChart(QChart *chart, const UsageData &data);
// Tokens per name, as a pie.
void fillShareChart(QChart *chart, const QList<gateway::UsageShare> &shares, const QString &name);

} // namespace tarn::ui
