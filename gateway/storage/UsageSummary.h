// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace tarn::gateway {

// Totals for one channel or one model over a period.
struct UsageSummaryRow
{
    QString name;              // channel name or requested model; empty = none
    qint64 requests = 0;
    qint64 errors = 0;         // status >= 400, or 0 (the client went away first)
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 cachedTokens = 0;
    double avgLatencyMs = 0;

    friend bool operator==(const UsageSummaryRow &, const UsageSummaryRow &) = default;
};

// Usage since a point in time, per channel and per model (rows ordered by requests, then name).
struct UsageSummary
{
    QDateTime since;
    QList<UsageSummaryRow> channels;
    QList<UsageSummaryRow> models;
    UsageSummaryRow total;
};

// One channel's requests and tokens (prompt + completion) over a period, for budgets.
struct ChannelUsageTotals
{
    qint64 requests = 0;
    qint64 tokens = 0;

    friend bool operator==(const ChannelUsageTotals &, const ChannelUsageTotals &) = default;
};

} // namespace tarn::gateway
