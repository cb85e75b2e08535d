// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Usage as JSON, the one shape `tarn usage --json` prints and the management API serves.
#include "gateway/core/Result.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/storage/UsageSummary.h"

#include <QDateTime>
#include <QJsonObject>

namespace tarn::gateway::cli {

// "30m", "24h", "7d", "2w", "90s" before now, or an ISO date; errors name the value as name says.
Result<QDateTime> parseSince(const QString &text, const QDateTime &now, const QString &name = QStringLiteral("--since"));
// {"since", "channels": [row…], "models": [row…], "total"}; a row is {"name", "requests", "errors",
// "prompt_tokens", "completion_tokens", "cached_tokens", "avg_latency_ms"} ("total" has no name).
QJsonObject usageSummaryJson(const QDateTime &since, const UsageSummary &summary);
// One request: {"id", "time", "inbound_format", "channel_format", "endpoint", "requested_model",
// "channel", "upstream_model", "status", "stream", "prompt_tokens", …, "attempts", "error"}.
QJsonObject usageRecordJson(const UsageRecord &record);

} // namespace tarn::gateway::cli
