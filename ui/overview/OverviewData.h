// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QDateTime>
#include <QString>
#include <QTimeZone>

namespace tarn::gateway {
class Database;
}

namespace tarn::ui {

// What one refresh of the Overview page reads, all aggregates (never rows), so the page costs the
// same with 1 M usage rows as with ten.
struct OverviewData
{
    gateway::UsageTotals today; // since the zone's midnight
    gateway::UsageTotals week;  // the zone's last 7 days, today included (the Usage page's "Last 7 days")
    QDateTime hourlyFrom;              // UTC start of the first of the 24 hourly buckets
    QList<gateway::UsagePoint> hourly; // grouped by channel; the page sums each bucket
    QList<gateway::UsageShare> byModel;
    QList<gateway::UsageShare> byChannel;
    QList<gateway::UsageShare> lastHourByModel; // requests per requested model: the pools' traffic
    QString error;
};

// Runs on the DesktopService thread. "Today" and the 7 days are zone's calendar days (the page
// passes the system zone: the user's days).
OverviewData loadOverview(gateway::Database &database, const QDateTime &now,
                          const QTimeZone &zone = QTimeZone::systemTimeZone());

} // namespace tarn::ui
