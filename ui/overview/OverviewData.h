// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QDateTime>
#include <QString>

namespace tarn::gateway {
class Database;
}

namespace tarn::ui {

// What one refresh of the Overview page reads, all aggregates (never rows), so the page costs the
// same with 1 M usage rows as with ten.
struct OverviewData
{
    gateway::UsageTotals today;
    gateway::UsageTotals week;
    QDateTime hourlyFrom;              // UTC start of the first of the 24 hourly buckets
    QList<gateway::UsagePoint> hourly; // grouped by channel; the page sums each bucket
    QList<gateway::UsageShare> byModel;
    QList<gateway::UsageShare> byChannel;
    QList<gateway::UsageShare> lastHourByModel; // requests per requested model: the pools' traffic
    QString error;
};

// Runs on the DesktopService thread. now is UTC.
OverviewData loadOverview(gateway::Database &database, const QDateTime &now);

} // namespace tarn::ui
