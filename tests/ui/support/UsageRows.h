// SPDX-License-Identifier: GPL-3.0-or-later
// Usage rows for the pages' widget tests to seed: one successful-looking OpenAI chat request on a
// named channel, with the counts a test asserts on and the rest filled in plausibly.
#pragma once

#include "gateway/core/UsageRecord.h"

namespace tarn::test {

// Channels "alpha", "beta" and any other name get ids 1, 2 and 3. Time to first byte is
// ttftMs, or half the latency when negative.
inline gateway::UsageRecord usageRow(const QDateTime &time, const QString &channel, const QString &model, int status,
                                     qint64 prompt, qint64 completion, qint64 cached, qint64 latencyMs = 800,
                                     qint64 ttftMs = -1, qint64 reasoning = 0)
{
    gateway::UsageRecord record;
    record.time = time;
    record.inboundFormat = QStringLiteral("openai");
    record.channelFormat = QStringLiteral("openai");
    record.endpoint = QStringLiteral("/v1/chat/completions");
    record.requestedModel = model;
    record.channelId = channel == QLatin1String("alpha") ? 1 : channel == QLatin1String("beta") ? 2 : 3;
    record.channelName = channel;
    record.upstreamModel = model;
    record.status = status;
    record.promptTokens = prompt;
    record.completionTokens = completion;
    record.cachedTokens = cached;
    record.reasoningTokens = reasoning;
    record.latencyMs = latencyMs;
    record.ttftMs = ttftMs >= 0 ? ttftMs : latencyMs / 2;
    record.attempts = 1;
    return record;
}

} // namespace tarn::test
