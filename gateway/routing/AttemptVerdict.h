// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/HeaderList.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QString>

#include <optional>

namespace tarn::gateway {

// What one upstream answer means for routing. The classifier knows the error shapes of OpenAI,
// Anthropic, Gemini, Zhipu, MiniMax, Qwen/DashScope, Volcano Ark, DeepSeek and Moonshot; the
// router decides from the kind alone.
enum class VerdictKind {
    Success,        // 2xx
    RateLimited,    // 429 or a rate-limit error in another status: cool the key, try the next
    QuotaExhausted, // 402, insufficient balance/quota/usage limit (any status): cool the key long
    InvalidKey,     // 401/403 saying the key is invalid, revoked or unauthorised: disable the key
    Unsupported,    // the model rejected a capability the request used (tools, images, json mode)
    ContextTooLong, // the prompt (+ max tokens) exceeds the model's context
    ServerError,    // 5xx, 529, "overloaded": count toward the channel's breaker, try the next
    ClientError,    // anything else 4xx: the same request would fail everywhere; returned as is
};

const char *verdictKindName(VerdictKind kind); // "success", "rate_limited", …

struct AttemptVerdict
{
    VerdictKind kind = VerdictKind::Success;
    std::optional<Capability> capability; // for Unsupported: which one (Tools, Vision, JsonMode)
    qint64 retryAfterMs = -1;             // when the upstream said when to come back; -1 = it did not
    QString reason;                       // short human text (the upstream's message), unredacted

    bool retryable() const { return kind != VerdictKind::Success && kind != VerdictKind::ClientError; }
};

// Classifies a complete upstream answer (status, headers, body; the body may be cut short at a
// few KiB). `now` is for Retry-After given as an HTTP date and reset times given as timestamps.
// Never fails: unknown shapes fall back on the status alone.
AttemptVerdict classifyUpstreamAnswer(int status, const HeaderList &headers, QByteArrayView body,
                                      const QDateTime &now);

// When to come back, from whichever the upstream sent: Retry-After (seconds or HTTP date),
// retry-after-ms, x-ratelimit-reset-requests/-tokens ("1s", "6m0s", "20ms", seconds),
// anthropic-ratelimit-*-reset (RFC 3339), x-ratelimit-reset (epoch seconds or seconds).
// The longest of those present; -1 when none.
qint64 retryAfterMs(const HeaderList &headers, const QDateTime &now);

// The upstream's own rate-limit counters (OpenAI x-ratelimit-*, Anthropic anthropic-ratelimit-*,
// and the same names other providers copy); -1 where absent.
struct RateLimitHeaders
{
    qint64 limitRequests = -1;
    qint64 remainingRequests = -1;
    qint64 resetRequestsMs = -1;
    qint64 limitTokens = -1;
    qint64 remainingTokens = -1;
    qint64 resetTokensMs = -1;

    bool any() const { return remainingRequests >= 0 || remainingTokens >= 0; }
};
RateLimitHeaders parseRateLimitHeaders(const HeaderList &headers, const QDateTime &now);
// x-ratelimit-* (OpenAI and most compatible providers) or anthropic-ratelimit-*.
bool isRateLimitHeaderName(QByteArrayView name);

// A successful OpenAI chat answer to a request that offered tools, whose assistant message
// carries the tool call as plain text (`<tool_call>…`, a bare {"name":…,"arguments":…} object,
// ```json fences holding one, "<|tool_call|>" markers) instead of tool_calls: the channel's model
// does not really support tools.
bool looksLikeTextualToolCall(QByteArrayView openAiChatBody);

// An OpenAI chat answer with no content, no tool call and 0 completion tokens.
bool isEmptyOpenAiAnswer(QByteArrayView openAiChatBody);

} // namespace tarn::gateway
