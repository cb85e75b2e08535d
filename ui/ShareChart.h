// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

namespace tarn::gateway {
struct RuntimeConfig;
}

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
// slot, and a collision goes to the later name in sort order, which takes the next free colour.
// Collisions are settled among names and known together: give every page the same known (the
// configuration's, colourNames) and a name has one colour everywhere, whatever else is on screen.
QHash<QString, QColor> usageColours(QStringList names, const QStringList &known = {});
// The names colours are shared out among: every configured channel, and every model they serve.
struct ColourNames
{
    QStringList channels;
    QStringList models;
    const QStringList &of(gateway::UsageGrouping grouping) const
    {
        return grouping == gateway::UsageGrouping::Channel ? channels : models;
    }
};
ColourNames colourNames(const gateway::RuntimeConfig &config);
// The "other" slice and bar: grey, never a name's colour.
QColor usageOtherColour();
// Where a pie writes each name's share: on its slice (a slice of 5 % or more; large pies), or after
// its name in the legend (small pies, where labels on thin slices run into each other).
enum class ShareLabels { OnSlices, InLegend };
// Tokens per name, as a pie: the legend names each slice in full, each name has its usageColours
// colour, names past the maxSlices largest share one grey "other" slice, and the shares are written
// where labels says. Replaces whatever the chart held.
void fillShareChart(QChart *chart, const QList<gateway::UsageShare> &shares, const QString &name, int maxSlices = 8,
                    ShareLabels labels = ShareLabels::OnSlices, const QStringList &known = {});

} // namespace tarn::ui
