// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QString>

namespace tarn::gateway {
class Database;
}

namespace tarn::ui {

// The range presets of the Usage page.
enum class UsageRangePreset { Day, Week, Month, All, Custom };

// What the Usage page asks for: one range, one bucket size, one grouping.
struct UsageQuery
{
    gateway::UsageRange range;
    gateway::UsageGranularity granularity = gateway::UsageGranularity::Hour;
    gateway::UsageGrouping grouping = gateway::UsageGrouping::Channel;
};

// Everything the Usage page's charts and table show for one query, all aggregates: the page never
// reads usage rows, so it costs the same with 1 M rows as with ten.
struct UsageData
{
    UsageQuery query;
    QList<gateway::UsagePoint> series; // grouped by query.grouping
    QList<gateway::UsageShare> byModel;
    QList<gateway::UsageShare> byChannel;
    gateway::UsageHeatmap heatmap{};
    QList<gateway::ChannelQuality> quality;
    QString error;
};

// The range a preset stands for at now (UTC). Custom has no meaning here and gives an open range.
gateway::UsageRange usageRangeFor(UsageRangePreset preset, const QDateTime &now);

// Runs on the DesktopService thread.
UsageData loadUsage(gateway::Database &database, const UsageQuery &query);

// The series as CSV (one line per bucket and series, UTC ISO times), for "Export CSV".
QString usageSeriesCsv(const UsageData &data);

} // namespace tarn::ui
