// SPDX-License-Identifier: GPL-3.0-or-later
// What each provider's error answers mean for routing, from recorded-shape bodies in
// tests/data/errors; what the rate-limit headers say; and the tool-call look-alikes in 2xx answers.
#include "gateway/routing/AttemptVerdict.h"

#include <QFile>
#include <QTimeZone>

#include <gtest/gtest.h>

#include <optional>

using namespace tarn::gateway;

namespace {

const QDateTime kNow(QDate(2025, 1, 1), QTime(0, 0), QTimeZone::utc());

QByteArray fixture(const char *name)
{
    QFile file(QStringLiteral(TARN_ERROR_FIXTURES_DIR "/%1.json").arg(QLatin1StringView(name)));
    EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << name;
    return file.readAll();
}

struct Case
{
    const char *fixture;
    int status;
    VerdictKind kind;
    std::optional<Capability> capability = std::nullopt;
    qint64 retryAfterMs = -1;
    const char *reasonContains = "";
    HeaderList headers = {};
};

void expectCases(std::initializer_list<Case> cases)
{
    for (const Case &c : cases) {
        SCOPED_TRACE(c.fixture);
        const AttemptVerdict v = classifyUpstreamAnswer(c.status, c.headers, fixture(c.fixture), kNow);
        EXPECT_STREQ(verdictKindName(v.kind), verdictKindName(c.kind));
        EXPECT_EQ(v.capability, c.capability);
        EXPECT_EQ(v.retryAfterMs, c.retryAfterMs);
        EXPECT_TRUE(v.reason.contains(QString::fromUtf8(c.reasonContains))) << v.reason.toStdString();
        EXPECT_LE(v.reason.size(), 300);
    }
}

TEST(AttemptVerdictOpenAi, ClassifiesEachErrorShape)
{
    expectCases({
        {"openai-rate-limit", 429, VerdictKind::RateLimited, {}, 20000, "Rate limit reached for gpt-4o",
         {{"x-ratelimit-reset-requests", "120ms"}, {"x-ratelimit-reset-tokens", "20s"}}},
        {"openai-insufficient-quota", 429, VerdictKind::QuotaExhausted, {}, -1, "You exceeded your current quota"},
        {"openai-invalid-key", 401, VerdictKind::InvalidKey, {}, -1, "Incorrect API key provided"},
        {"openai-context-length", 400, VerdictKind::ContextTooLong, {}, -1, "maximum context length is 128000"},
        {"openai-tools-unsupported", 400, VerdictKind::Unsupported, Capability::Tools, -1, "'tools' is not supported"},
        {"openai-image-unsupported", 400, VerdictKind::Unsupported, Capability::Vision, -1, "image_url is only supported"},
        {"openai-json-mode-unsupported", 400, VerdictKind::Unsupported, Capability::JsonMode, -1, "'response_format'"},
    });
}

TEST(AttemptVerdictOpenAi, MalformedToolsAreTheClientsFault)
{
    expectCases({
        {"openai-invalid-schema", 400, VerdictKind::ClientError, {}, -1, "Invalid schema for function 'get_weather'"},
        {"openai-tool-name-too-long", 400, VerdictKind::ClientError, {}, -1, "string too long"},
    });
}

TEST(AttemptVerdictAnthropic, ClassifiesEachErrorShape)
{
    expectCases({
        {"anthropic-rate-limit", 429, VerdictKind::RateLimited, {}, 30000, "exceed the rate limit",
         {{"retry-after", "30"}}},
        {"anthropic-overloaded", 529, VerdictKind::ServerError, {}, -1, "Overloaded"},
        {"anthropic-auth", 401, VerdictKind::InvalidKey, {}, -1, "invalid x-api-key"},
        {"anthropic-permission", 403, VerdictKind::InvalidKey, {}, -1, "does not have permission"},
        {"anthropic-prompt-too-long", 400, VerdictKind::ContextTooLong, {}, -1, "prompt is too long"},
        {"anthropic-credit-balance", 400, VerdictKind::QuotaExhausted, {}, -1, "credit balance is too low"},
        {"anthropic-api-error", 500, VerdictKind::ServerError, {}, -1, "Internal server error"},
    });
}

TEST(AttemptVerdictGemini, ClassifiesEachErrorShapeAndReadsRetryInfo)
{
    expectCases({
        {"gemini-resource-exhausted", 429, VerdictKind::RateLimited, {}, 58000, "You exceeded your current quota"},
        {"gemini-per-day-quota", 429, VerdictKind::QuotaExhausted, {}, 3600500, "limit: 250"},
        {"gemini-api-key-invalid", 400, VerdictKind::InvalidKey, {}, -1, "API key not valid"},
        {"gemini-permission-denied", 403, VerdictKind::InvalidKey, {}, -1, "has been suspended"},
        {"gemini-too-many-tokens", 400, VerdictKind::ContextTooLong, {}, -1, "exceeds the maximum number of tokens"},
        {"gemini-function-calling-not-enabled", 400, VerdictKind::Unsupported, Capability::Tools, -1,
         "Function calling is not enabled"},
        {"gemini-unavailable", 503, VerdictKind::ServerError, {}, -1, "The model is overloaded"},
    });
}

TEST(AttemptVerdictGemini, ReadsAnErrorWrappedInAnArray)
{
    const AttemptVerdict v = classifyUpstreamAnswer(
        429, {}, "[{\"error\":{\"code\":429,\"message\":\"Resource exhausted.\",\"status\":\"RESOURCE_EXHAUSTED\"}}]", kNow);
    EXPECT_EQ(v.kind, VerdictKind::RateLimited);
    EXPECT_EQ(v.reason, QStringLiteral("Resource exhausted."));
}

TEST(AttemptVerdictZhipu, ClassifiesBusinessCodes)
{
    expectCases({
        {"zhipu-1113-balance", 429, VerdictKind::QuotaExhausted, {}, -1, "余额不足"},
        {"zhipu-1302-concurrency", 429, VerdictKind::RateLimited, {}, -1, "并发数过高"},
        {"zhipu-1305-flow-limit", 429, VerdictKind::RateLimited, {}, -1, "访问量过大"},
        // Reset given in Beijing time: 10:00 +08:00 is two hours after kNow.
        {"zhipu-1308-usage-limit", 429, VerdictKind::QuotaExhausted, {}, 2 * 3600 * 1000, "Usage limit reached"},
        {"zhipu-1261-prompt-too-long", 400, VerdictKind::ContextTooLong, {}, -1, "Prompt exceeds max length"},
        {"zhipu-1002-auth", 401, VerdictKind::InvalidKey, {}, -1, "Authorization Token"},
    });
}

TEST(AttemptVerdictZhipu, TheCodeDecidesWhenAnErrorComesWithA200)
{
    const AttemptVerdict v = classifyUpstreamAnswer(200, {}, fixture("zhipu-1113-balance"), kNow);
    EXPECT_EQ(v.kind, VerdictKind::QuotaExhausted);
}

TEST(AttemptVerdictMiniMax, ABaseRespErrorInA200IsAFailure)
{
    expectCases({
        {"minimax-1008-balance", 200, VerdictKind::QuotaExhausted, {}, -1, "insufficient balance"},
        {"minimax-1002-rate", 200, VerdictKind::RateLimited, {}, -1, "rate limit exceeded"},
        {"minimax-2049-key", 200, VerdictKind::InvalidKey, {}, -1, "invalid api key"},
        {"minimax-1039-token-limit", 200, VerdictKind::ContextTooLong, {}, -1, "token limit"},
        {"minimax-1013-server", 200, VerdictKind::ServerError, {}, -1, "internal service error"},
    });
}

TEST(AttemptVerdictMiniMax, StatusCodeZeroIsSuccess)
{
    const AttemptVerdict v = classifyUpstreamAnswer(
        200, {}, R"({"id":"1","choices":[{"message":{"role":"assistant","content":"hi"}}],"base_resp":{"status_code":0,"status_msg":""}})",
        kNow);
    EXPECT_EQ(v.kind, VerdictKind::Success);
    EXPECT_FALSE(v.retryable());
}

TEST(AttemptVerdictDashScope, ClassifiesCompatibleAndNativeShapes)
{
    expectCases({
        {"dashscope-arrearage", 400, VerdictKind::QuotaExhausted, {}, -1, "good standing"},
        {"dashscope-throttling-rate", 429, VerdictKind::RateLimited, {}, -1, "Requests rate limit exceeded"},
        {"dashscope-limit-requests", 429, VerdictKind::RateLimited, {}, -1, "requests list"},
        {"dashscope-allocation-quota-native", 429, VerdictKind::RateLimited, {}, -1, "Allocated quota exceeded"},
        {"dashscope-free-quota-native", 429, VerdictKind::QuotaExhausted, {}, -1, "Free allocated quota exceeded"},
        {"dashscope-invalid-key-native", 401, VerdictKind::InvalidKey, {}, -1, "Invalid API-key provided"},
        {"dashscope-data-inspection", 400, VerdictKind::ClientError, {}, -1, "inappropriate content"},
        {"dashscope-input-length", 400, VerdictKind::ContextTooLong, {}, -1, "Range of input length"},
    });
}

TEST(AttemptVerdictVolcanoArk, ClassifiesDottedCodes)
{
    expectCases({
        {"ark-rate-limit", 429, VerdictKind::RateLimited, {}, -1, "TPM limit"},
        {"ark-quota-exceeded", 429, VerdictKind::QuotaExhausted, {}, -1, "quota limit of your account"},
        {"ark-account-overdue", 403, VerdictKind::QuotaExhausted, {}, -1, "overdue balance"},
        {"ark-auth", 401, VerdictKind::InvalidKey, {}, -1, "missing or invalid"},
        {"ark-model-not-found", 404, VerdictKind::ClientError, {}, -1, "does not exist"},
        {"ark-server-overloaded", 429, VerdictKind::ServerError, {}, -1, "server overload"},
    });
}

TEST(AttemptVerdictDeepSeek, ClassifiesEachErrorShape)
{
    expectCases({
        {"deepseek-insufficient-balance", 402, VerdictKind::QuotaExhausted, {}, -1, "Insufficient Balance"},
        {"deepseek-overloaded", 503, VerdictKind::ServerError, {}, -1, "Server overloaded"},
        {"deepseek-context", 400, VerdictKind::ContextTooLong, {}, -1, "maximum context length is 131072"},
        {"deepseek-image", 400, VerdictKind::Unsupported, Capability::Vision, -1, "unknown variant `image_url`"},
        {"deepseek-rate-limit", 429, VerdictKind::RateLimited, {}, -1, "Rate Limit Reached"},
    });
}

TEST(AttemptVerdictMoonshot, ClassifiesErrorTypes)
{
    expectCases({
        {"moonshot-quota", 429, VerdictKind::QuotaExhausted, {}, -1, "suspended"},
        {"moonshot-rate", 429, VerdictKind::RateLimited, {}, -1, "max RPM"},
        {"moonshot-overloaded", 429, VerdictKind::ServerError, {}, -1, "engine is currently overloaded"},
        {"moonshot-auth", 401, VerdictKind::InvalidKey, {}, -1, "Invalid Authentication"},
        {"moonshot-token-limit", 400, VerdictKind::ContextTooLong, {}, -1, "exceeded model token limit"},
    });
}

TEST(AttemptVerdictPrecedence, StatusDecidesWhatTheWordsMayChange)
{
    const auto kindOf = [](int status, const char *body) {
        return classifyUpstreamAnswer(status, {}, QByteArrayView(body), kNow).kind;
    };
    EXPECT_EQ(kindOf(200, R"({"id":"x","choices":[]})"), VerdictKind::Success);
    EXPECT_EQ(kindOf(204, ""), VerdictKind::Success);
    EXPECT_EQ(kindOf(200, R"({"error":null,"choices":[]})"), VerdictKind::Success);
    EXPECT_EQ(kindOf(200, R"({"error":{"message":"something broke upstream"}})"), VerdictKind::ServerError);
    EXPECT_EQ(kindOf(500, R"({"error":{"message":"Your account balance is insufficient: 余额不足"}})"),
              VerdictKind::QuotaExhausted);
    EXPECT_EQ(kindOf(502, R"({"error":{"message":"invalid api key"}})"), VerdictKind::ServerError);
    EXPECT_EQ(kindOf(401, R"({"error":{"message":"whatever"}})"), VerdictKind::InvalidKey);
    EXPECT_EQ(kindOf(403, R"({"error":{"message":"Your API key has been revoked"}})"), VerdictKind::InvalidKey);
    EXPECT_EQ(kindOf(403, R"({"error":{"message":"账户已欠费"}})"), VerdictKind::QuotaExhausted);
    EXPECT_EQ(kindOf(403, R"({"error":{"message":"Country, region, or territory not supported"}})"),
              VerdictKind::ClientError);
    EXPECT_EQ(kindOf(408, ""), VerdictKind::ServerError);
    EXPECT_EQ(kindOf(404, R"({"error":{"message":"The model `gpt-9` does not exist"}})"), VerdictKind::ClientError);
    EXPECT_EQ(kindOf(404, R"({"error":{"message":"No endpoints found that support tool use."}})"),
              VerdictKind::Unsupported);
    EXPECT_EQ(kindOf(413, R"({"error":{"message":"prompt is too long"}})"), VerdictKind::ClientError);
    EXPECT_EQ(kindOf(429, ""), VerdictKind::RateLimited);
    EXPECT_EQ(kindOf(400, R"({"error":{"message":"请求频率过高，已限流"}})"), VerdictKind::RateLimited);
    EXPECT_EQ(kindOf(400, R"({"error":{"message":"无效的API Key"}})"), VerdictKind::InvalidKey);
    EXPECT_EQ(kindOf(400, R"({"error":{"message":"当前模型不支持图片输入"}})"), VerdictKind::Unsupported);
    EXPECT_EQ(kindOf(400, R"({"error":{"message":"Missing required parameter: 'messages'."}})"),
              VerdictKind::ClientError);
    EXPECT_EQ(kindOf(0, ""), VerdictKind::ServerError);
    EXPECT_EQ(kindOf(302, "<html>moved</html>"), VerdictKind::ServerError);
}

TEST(AttemptVerdictRobustness, GarbageAndTruncatedBodiesFallBackOnTheStatus)
{
    const QByteArray truncated = fixture("openai-insufficient-quota").left(20);
    EXPECT_EQ(classifyUpstreamAnswer(429, {}, truncated, kNow).kind, VerdictKind::RateLimited);
    EXPECT_EQ(classifyUpstreamAnswer(200, {}, truncated, kNow).kind, VerdictKind::Success);
    EXPECT_EQ(classifyUpstreamAnswer(400, {}, "\x00\x01\xff{{{[[", kNow).kind, VerdictKind::ClientError);
    EXPECT_EQ(classifyUpstreamAnswer(503, {}, "<html><body>502 Bad Gateway</body></html>", kNow).kind,
              VerdictKind::ServerError);
    // Words still count in a non-JSON body or one of an unknown shape.
    EXPECT_EQ(classifyUpstreamAnswer(400, {}, "Error: insufficient balance", kNow).kind, VerdictKind::QuotaExhausted);
    const AttemptVerdict detail = classifyUpstreamAnswer(
        400, {}, R"({"detail":"Input is too long for the model's context window"})", kNow);
    EXPECT_EQ(detail.kind, VerdictKind::ContextTooLong);
    EXPECT_TRUE(detail.reason.contains(u"Input is too long"));

    const AttemptVerdict nonUtf8 = classifyUpstreamAnswer(401, {}, "\xc3\x28\xa0\xa1 bad key \xf0\x28\x8c\x28", kNow);
    EXPECT_EQ(nonUtf8.kind, VerdictKind::InvalidKey);
    EXPECT_FALSE(nonUtf8.reason.isEmpty());

    const AttemptVerdict empty = classifyUpstreamAnswer(500, {}, "", kNow);
    EXPECT_EQ(empty.kind, VerdictKind::ServerError);
    EXPECT_EQ(empty.reason, QStringLiteral("HTTP 500"));
}

TEST(AttemptVerdictRobustness, DuplicateKeysDeepNestingAndWrongTypes)
{
    const AttemptVerdict duplicate = classifyUpstreamAnswer(
        429, {}, R"({"error":{"type":"rate_limit_error","type":"insufficient_quota","message":1}})", kNow);
    EXPECT_TRUE(duplicate.kind == VerdictKind::RateLimited || duplicate.kind == VerdictKind::QuotaExhausted);
    EXPECT_EQ(classifyUpstreamAnswer(400, {}, R"({"error":{"message":["a"],"code":{"x":1}}})", kNow).kind,
              VerdictKind::ClientError);
    const QByteArray deep = QByteArray(5000, '[') + QByteArray(5000, ']');
    EXPECT_EQ(classifyUpstreamAnswer(500, {}, deep, kNow).kind, VerdictKind::ServerError);
    EXPECT_EQ(classifyUpstreamAnswer(200, {}, deep, kNow).kind, VerdictKind::Success);
    EXPECT_EQ(classifyUpstreamAnswer(200, {}, R"({"error":"quota exceeded: 余额不足"})", kNow).kind,
              VerdictKind::QuotaExhausted);
}

TEST(AttemptVerdictRobustness, HugeBodiesAreBoundedAndTheReasonIsShort)
{
    QByteArray huge = R"({"error":{"message":")" + QByteArray(2 * 1024 * 1024, 'x') + R"("}})";
    const AttemptVerdict v = classifyUpstreamAnswer(400, {}, huge, kNow);
    EXPECT_EQ(v.kind, VerdictKind::ClientError);
    EXPECT_LE(v.reason.size(), 300);

    const QByteArray longMessage = R"({"error":{"type":"rate_limit_error","message":")" + QByteArray(5000, 'y') + R"("}})";
    const AttemptVerdict l = classifyUpstreamAnswer(429, {}, longMessage, kNow);
    EXPECT_EQ(l.kind, VerdictKind::RateLimited);
    EXPECT_EQ(l.reason.size(), 300);
    EXPECT_TRUE(l.reason.endsWith(QChar(0x2026)));
}

TEST(AttemptVerdict, KindNames)
{
    EXPECT_STREQ(verdictKindName(VerdictKind::Success), "success");
    EXPECT_STREQ(verdictKindName(VerdictKind::RateLimited), "rate_limited");
    EXPECT_STREQ(verdictKindName(VerdictKind::QuotaExhausted), "quota_exhausted");
    EXPECT_STREQ(verdictKindName(VerdictKind::InvalidKey), "invalid_key");
    EXPECT_STREQ(verdictKindName(VerdictKind::Unsupported), "unsupported");
    EXPECT_STREQ(verdictKindName(VerdictKind::ContextTooLong), "context_too_long");
    EXPECT_STREQ(verdictKindName(VerdictKind::ServerError), "server_error");
    EXPECT_STREQ(verdictKindName(VerdictKind::ClientError), "client_error");
}

// ---- headers ----

TEST(RetryAfterHeaders, ReadsEveryFormat)
{
    EXPECT_EQ(retryAfterMs({}, kNow), -1);
    EXPECT_EQ(retryAfterMs({{"Retry-After", "30"}}, kNow), 30000);
    EXPECT_EQ(retryAfterMs({{"retry-after", "1.5"}}, kNow), 1500);
    EXPECT_EQ(retryAfterMs({{"Retry-After", "Wed, 01 Jan 2025 00:02:00 GMT"}}, kNow), 120000);
    EXPECT_EQ(retryAfterMs({{"Retry-After", "Wednesday, 01-Jan-25 00:00:10 GMT"}}, kNow), 10000);
    EXPECT_EQ(retryAfterMs({{"Retry-After", "Wed Jan  1 00:00:05 2025"}}, kNow), 5000);
    EXPECT_EQ(retryAfterMs({{"retry-after-ms", "250"}}, kNow), 250);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset-requests", "1m30.5s"}}, kNow), 90500);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset-tokens", "6m0s"}}, kNow), 360000);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset-tokens", "20ms"}}, kNow), 20);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset-tokens", "0.5s"}}, kNow), 500);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset-requests", "1h2m3s"}}, kNow), 3723000);
    EXPECT_EQ(retryAfterMs({{"anthropic-ratelimit-tokens-reset", "2025-01-01T00:00:42Z"}}, kNow), 42000);
    EXPECT_EQ(retryAfterMs({{"anthropic-ratelimit-requests-reset", "2025-01-01T08:00:01.250+08:00"}}, kNow), 1250);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset", "1735689660"}}, kNow), 60000);   // epoch seconds
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset", "1735689605000"}}, kNow), 5000); // epoch ms
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset", "12"}}, kNow), 12000);           // delta seconds
}

TEST(RetryAfterHeaders, TakesTheLongestAndClamps)
{
    EXPECT_EQ(retryAfterMs({{"retry-after", "2"}, {"x-ratelimit-reset-tokens", "7s"}, {"retry-after-ms", "100"}}, kNow),
              7000);
    EXPECT_EQ(retryAfterMs({{"retry-after", "-5"}}, kNow), 0);
    EXPECT_EQ(retryAfterMs({{"retry-after", "Wed, 01 Jan 2020 00:00:00 GMT"}}, kNow), 0); // in the past
    EXPECT_EQ(retryAfterMs({{"retry-after", "999999999"}}, kNow), 24LL * 3600 * 1000);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset-requests", "9999h"}}, kNow), 24LL * 3600 * 1000);
    EXPECT_EQ(retryAfterMs({{"retry-after", "inf"}}, kNow), -1);
    EXPECT_EQ(retryAfterMs({{"retry-after", "nan"}}, kNow), -1);
    EXPECT_EQ(retryAfterMs({{"retry-after", "soon"}}, kNow), -1);
    EXPECT_EQ(retryAfterMs({{"retry-after", ""}}, kNow), -1);
    EXPECT_EQ(retryAfterMs({{"x-ratelimit-reset-tokens", "1m1"}}, kNow), -1);
}

TEST(RateLimitHeaders, ReadsOpenAiAndAnthropicCounters)
{
    const RateLimitHeaders openAi = parseRateLimitHeaders(
        {{"x-ratelimit-limit-requests", "500"}, {"x-ratelimit-remaining-requests", "499"},
         {"x-ratelimit-reset-requests", "120ms"}, {"x-ratelimit-limit-tokens", "30000"},
         {"x-ratelimit-remaining-tokens", "29000"}, {"x-ratelimit-reset-tokens", "2s"}},
        kNow);
    EXPECT_TRUE(openAi.any());
    EXPECT_EQ(openAi.limitRequests, 500);
    EXPECT_EQ(openAi.remainingRequests, 499);
    EXPECT_EQ(openAi.resetRequestsMs, 120);
    EXPECT_EQ(openAi.limitTokens, 30000);
    EXPECT_EQ(openAi.remainingTokens, 29000);
    EXPECT_EQ(openAi.resetTokensMs, 2000);

    const RateLimitHeaders anthropic = parseRateLimitHeaders(
        {{"anthropic-ratelimit-requests-limit", "50"}, {"anthropic-ratelimit-requests-remaining", "0"},
         {"anthropic-ratelimit-requests-reset", "2025-01-01T00:00:09Z"}, {"anthropic-ratelimit-tokens-limit", "40000"},
         {"anthropic-ratelimit-tokens-remaining", "12"}, {"anthropic-ratelimit-tokens-reset", "2025-01-01T00:01:00Z"}},
        kNow);
    EXPECT_EQ(anthropic.limitRequests, 50);
    EXPECT_EQ(anthropic.remainingRequests, 0);
    EXPECT_EQ(anthropic.resetRequestsMs, 9000);
    EXPECT_EQ(anthropic.limitTokens, 40000);
    EXPECT_EQ(anthropic.remainingTokens, 12);
    EXPECT_EQ(anthropic.resetTokensMs, 60000);

    const RateLimitHeaders copied = parseRateLimitHeaders(
        {{"X-RateLimit-Limit", "60"}, {"X-RateLimit-Remaining", "59"}, {"X-RateLimit-Reset", "1735689630"}}, kNow);
    EXPECT_EQ(copied.limitRequests, 60);
    EXPECT_EQ(copied.remainingRequests, 59);
    EXPECT_EQ(copied.resetRequestsMs, 30000);
}

TEST(RateLimitHeaders, AbsentOrBrokenValuesStayUnset)
{
    const RateLimitHeaders none = parseRateLimitHeaders({{"content-type", "application/json"}}, kNow);
    EXPECT_FALSE(none.any());
    EXPECT_EQ(none.limitRequests, -1);
    EXPECT_EQ(none.resetTokensMs, -1);
    const RateLimitHeaders broken = parseRateLimitHeaders(
        {{"x-ratelimit-remaining-requests", "-3"}, {"x-ratelimit-remaining-tokens", "lots"},
         {"x-ratelimit-reset-tokens", "99999999h"}},
        kNow);
    EXPECT_FALSE(broken.any());
    EXPECT_EQ(broken.resetTokensMs, 24LL * 3600 * 1000);
}

// ---- 2xx answers ----

QByteArray chatAnswer(const QByteArray &contentJson, const QByteArray &extraMessage = {}, int completionTokens = 9)
{
    return R"({"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":)"
        + contentJson + extraMessage + R"(},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":)"
        + QByteArray::number(completionTokens) + "}}";
}

TEST(TextualToolCall, RecognisesToolCallsWrittenAsText)
{
    EXPECT_TRUE(looksLikeTextualToolCall(
        chatAnswer(R"("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>")")));
    EXPECT_TRUE(looksLikeTextualToolCall(chatAnswer(R"("{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}")")));
    EXPECT_TRUE(looksLikeTextualToolCall(
        chatAnswer(R"("```json\n{\"name\": \"search\", \"parameters\": {\"q\": \"tarn\"}}\n```")")));
    EXPECT_TRUE(looksLikeTextualToolCall(chatAnswer(R"("<|tool_call|>search {\"q\":1}")")));
    EXPECT_TRUE(looksLikeTextualToolCall(
        chatAnswer(R"("  [{\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]  ")")));
    EXPECT_TRUE(looksLikeTextualToolCall(chatAnswer(R"([{"type":"text","text":"<tool_call>{\"name\":\"f\"}</tool_call>"}])")));
}

TEST(TextualToolCall, NormalAnswersAndRealToolCallsAreNotOne)
{
    EXPECT_FALSE(looksLikeTextualToolCall(chatAnswer(
        R"("To do that, call the function get_weather with a city name; the tool returns JSON with a name field.")")));
    EXPECT_FALSE(looksLikeTextualToolCall(chatAnswer(R"("{\"city\": \"Paris\", \"temperature\": 21}")")));
    EXPECT_FALSE(looksLikeTextualToolCall(chatAnswer(
        R"("Here is an example:\n```json\n{\"name\": \"x\", \"arguments\": {}}\n```\nThat is how the API looks.")")));
    EXPECT_FALSE(looksLikeTextualToolCall(chatAnswer(
        "null", R"(,"tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}])")));
    EXPECT_FALSE(looksLikeTextualToolCall(chatAnswer(R"("")")));
    EXPECT_FALSE(looksLikeTextualToolCall("not json"));
    EXPECT_FALSE(looksLikeTextualToolCall(R"({"choices":"nope"})"));
    EXPECT_FALSE(looksLikeTextualToolCall(""));
}

TEST(EmptyAnswer, NoContentNoToolCallNoTokens)
{
    EXPECT_TRUE(isEmptyOpenAiAnswer(chatAnswer(R"("")", {}, 0)));
    EXPECT_TRUE(isEmptyOpenAiAnswer(chatAnswer("null", {}, 0)));
    EXPECT_TRUE(isEmptyOpenAiAnswer(chatAnswer(R"("  \n ")", {}, 0)));
    EXPECT_TRUE(isEmptyOpenAiAnswer(R"({"id":"c","choices":[]})"));
    EXPECT_FALSE(isEmptyOpenAiAnswer(chatAnswer(R"("")", {}, 5)));
    EXPECT_FALSE(isEmptyOpenAiAnswer(chatAnswer(R"("hello")", {}, 0)));
    EXPECT_FALSE(isEmptyOpenAiAnswer(chatAnswer(
        "null", R"(,"tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}])", 0)));
    EXPECT_FALSE(isEmptyOpenAiAnswer(chatAnswer("null", R"(,"refusal":"I can't help with that.")", 0)));
    EXPECT_FALSE(isEmptyOpenAiAnswer("garbage"));
    EXPECT_FALSE(isEmptyOpenAiAnswer(R"({"error":{"message":"x"}})"));
}

} // namespace
