// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QColor>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

// What the Overview and Usage pages draw alike: a colour per channel or model name, and the pie of
// tokens per name. Shared here so the two pages cannot drift apart (the reviewer caught the Overview
// pies in a blue ramp while the Usage page gave the same channels their own colours).
namespace tarn::ui {

// A colour per name, the same for a name in every chart and refresh: a hash of the name picks the
// slot, so a channel keeps its colour across charts, refreshes and ranges as far as the names on
// screen do not collide (then the later name in sort order takes the next free colour).
QHash<QString, QColor> usageColours(QStringList names);
// The "other" slice and bar: grey, never a name's colour.
QColor usageOtherColour();
// Where a pie writes each name's share: on its slice (a slice of 5 % or more; large pies), or after
// its name in the legend (small pies, where labels on thin slices run into each other).
enum class ShareLabels { OnSlices, InLegend };
// Tokens per name, as a pie: the legend names each slice in full, each name has its usageColours
// colour, names past the maxSlices largest share one grey "other" slice, and the shares are written
// where labels says. Replaces whatever the chart held.
void fillShareChart(QChart *chart, const QList<gateway::UsageShare> &shares, const QString &name, int maxSlices = 8,
                    ShareLabels labels = ShareLabels::OnSlices);

} // namespace tarn::ui
