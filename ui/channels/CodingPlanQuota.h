// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace tarn::ui {

// One usage window of a coding plan: "5 h", 37 % used, resets at 14:20.
struct QuotaWindow
{
    QString label;         // "5 h", "week", "MCP calls (month)"
    qint64 minutes = 0;    // the window's length; 0 = unknown (sorted last)
    double usedPercent = 0;
    QDateTime resetsAt;    // invalid when the provider does not say
    QString counts;        // "26 of 100" when the provider gives counts
};

// What a coding-plan quota endpoint said: its windows, or why they cannot be read.
struct QuotaReading
{
    QList<QuotaWindow> windows; // shortest first
    QString error;              // empty when windows were read
};

// Readers of the coding-plan quota answers, each of the shape public usage monitors read
// (CodexBar-style menu-bar monitors, CC Switch-style switchers): nothing is guessed beyond them.
//   Kimi    GET api.kimi.com/coding/v1/usages: {"usage": {limit, used?, remaining, resetTime}
//           (the weekly tier), "limits": [{"window": {duration, timeUnit}, "detail": {limit,
//           used?, remaining, resetTime}}]}; numbers may be strings, times ISO-8601.
//   Zhipu / Z.ai GET …/api/monitor/usage/quota/limit: {"code", "msg", "data": {"limits":
//           [{"type": "TOKENS_LIMIT" | "TIME_LIMIT", "unit" (3 hours, 4 days, 5 months, 6 weeks),
//           "number", "percentage", "nextResetTime" (epoch ms), "usage"?, "currentValue"?}]}}.
//   MiniMax GET …/v1/api/openplatform/coding_plan/remains: {"model_remains": [{model_name,
//           start_time, end_time (epoch ms), remains_time (ms), current_interval_total_count,
//           current_interval_usage_count (what is LEFT, despite the name),
//           current_interval_remaining_percent?, current_weekly_…}], "base_resp": {status_code,
//           status_msg}}.
QuotaReading readKimiQuota(const QByteArray &body);
QuotaReading readZhipuQuota(const QByteArray &body);
QuotaReading readMiniMaxQuota(const QByteArray &body, const QDateTime &now);

// The Balance column's text: the shortest window, and the longest one beside it when there are
// several ("5 h: 37 % used · resets 14:20 · week 26 %").
QString quotaText(const QList<QuotaWindow> &windows, const QDateTime &now);
// The tooltip: one line per window with its counts and reset time.
QString quotaDetail(const QList<QuotaWindow> &windows);

} // namespace tarn::ui
