// SPDX-License-Identifier: GPL-3.0-or-later
// Guards the upstream-answer classifier: any status, headers and body give a verdict that keeps its
// own contract (bounded retry time, short reason, a capability exactly for Unsupported, the status
// rules no body can override) and the same verdict twice.
// Input: <2 bytes status (big-endian, mod 1000)> <header lines "name: value\n"...> "\n\n" <body>;
// without a blank line the whole rest is the body.
#include "gateway/routing/AttemptVerdict.h"

#include <QTimeZone>

#include <cstdio>
#include <cstdlib>

using namespace tarn::gateway;

namespace {

constexpr qint64 kDayMs = 24LL * 60 * 60 * 1000;

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_verdict: %s\n", what);
    std::abort();
}

bool inRetryRange(qint64 ms)
{
    return ms >= -1 && ms <= kDayMs;
}

HeaderList parseHeaders(QByteArrayView block)
{
    HeaderList headers;
    for (const QByteArray &line : block.toByteArray().split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return headers;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const int status = ((int(data[0]) << 8) | int(data[1])) % 1000;
    const QByteArrayView rest(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    HeaderList headers;
    QByteArrayView body = rest;
    if (const qsizetype blank = rest.indexOf(QByteArrayView("\n\n")); blank >= 0) {
        headers = parseHeaders(rest.first(blank));
        body = rest.sliced(blank + 2);
    }
    const QDateTime now(QDate(2025, 1, 1), QTime(0, 0), QTimeZone::utc());

    const AttemptVerdict verdict = classifyUpstreamAnswer(status, headers, body, now);
    if (!inRetryRange(verdict.retryAfterMs))
        fail("retryAfterMs outside [-1, 24h]");
    if (verdict.capability.has_value() != (verdict.kind == VerdictKind::Unsupported))
        fail("a capability without Unsupported, or Unsupported without one");
    if (verdict.kind == VerdictKind::Success) {
        if (status < 200 || status >= 300)
            fail("Success for a non-2xx status");
    } else if (verdict.reason.isEmpty() || verdict.reason.size() > 300) {
        fail("a failure's reason is empty or longer than 300 characters");
    }
    if (status >= 200 && status < 300 && body.isEmpty() && verdict.kind != VerdictKind::Success)
        fail("an empty 2xx is not Success");
    if (status == 401 && verdict.kind != VerdictKind::InvalidKey)
        fail("401 is not InvalidKey");
    if (status == 402 && verdict.kind != VerdictKind::QuotaExhausted)
        fail("402 is not QuotaExhausted");
    if (status >= 500 && verdict.kind != VerdictKind::ServerError && verdict.kind != VerdictKind::QuotaExhausted)
        fail("5xx is neither ServerError nor QuotaExhausted");
    (void)verdictKindName(verdict.kind);

    const AttemptVerdict again = classifyUpstreamAnswer(status, headers, body, now);
    if (again.kind != verdict.kind || again.capability != verdict.capability
        || again.retryAfterMs != verdict.retryAfterMs || again.reason != verdict.reason)
        fail("the same answer classified twice gave different verdicts");

    if (!inRetryRange(retryAfterMs(headers, now)))
        fail("retryAfterMs(headers) outside [-1, 24h]");
    const RateLimitHeaders limits = parseRateLimitHeaders(headers, now);
    if (!inRetryRange(limits.resetRequestsMs) || !inRetryRange(limits.resetTokensMs))
        fail("a rate-limit reset outside [-1, 24h]");
    if (limits.limitRequests < -1 || limits.remainingRequests < -1 || limits.limitTokens < -1
        || limits.remainingTokens < -1)
        fail("a negative rate-limit counter");

    if (looksLikeTextualToolCall(body) && isEmptyOpenAiAnswer(body))
        fail("an answer both empty and carrying a textual tool call");
    return 0;
}
