// SPDX-License-Identifier: GPL-3.0-or-later
// The Gemini codec's whole answers and errors: read from a Gemini channel, written for a Gemini
// client.
#include "GeminiCodecTestSupport.h"

#include "gateway/formats/ErrorResponse.h"

using namespace tarn::gateway;
using namespace tarn::gateway::test;
using namespace Qt::StringLiterals;
using Kind = ir::Part::Kind;

namespace {

const GeminiCodec codec;

ir::Response decoded(std::string_view json)
{
    Result<ir::Response> result = codec.decodeResponse(json);
    EXPECT_TRUE(result.ok()) << (result.ok() ? std::string() : result.error().message.toStdString());
    return result.ok() ? std::move(result).value() : ir::Response();
}

TEST(GeminiResponseDecode, ReadsParallelCallsWithTheirSignature)
{
    const ir::Response response = decoded(geminiFixture("response_function_calls.json"));
    EXPECT_EQ(response.id, "_V2BapveKcPg8QGa35aRCw");
    EXPECT_EQ(response.model, "gemini-2.5-flash");
    EXPECT_EQ(response.stop, ir::StopReason::ToolUse);
    ASSERT_EQ(response.parts.size(), 2u);
    EXPECT_EQ(response.parts[0].kind, Kind::ToolCall);
    EXPECT_EQ(response.parts[0].name, "get_weather");
    EXPECT_EQ(response.parts[0].arguments, R"({"location":"Paris"})");
    EXPECT_EQ(response.parts[0].signature, "CiQBVKhc7nFQ2Ypb8NtzX1vQcQ+3kYxtWQHTrw==");
    EXPECT_EQ(response.parts[0].id.substr(0, 5), "call_");
    EXPECT_NE(response.parts[0].id, response.parts[1].id);
    EXPECT_TRUE(response.parts[1].signature.empty());
    EXPECT_TRUE(response.usage.reported);
    EXPECT_EQ(response.usage.input, 103);
    EXPECT_EQ(response.usage.output, 34 + 51); // thoughts are output too
    EXPECT_EQ(response.usage.reasoning, 51);
}

TEST(GeminiResponseDecode, ReadsThoughtsAndPutsTheTextsSignatureOnThem)
{
    const ir::Response response = decoded(geminiFixture("response_thinking_text.json"));
    ASSERT_EQ(response.parts.size(), 2u);
    EXPECT_EQ(response.parts[0].kind, Kind::Thinking);
    EXPECT_EQ(response.parts[0].text, "**Counting the letters**\n\nI spell the word out.");
    EXPECT_EQ(response.parts[0].signature, "Cq4CAdHtim9Zc1dM");
    EXPECT_EQ(response.parts[1].kind, Kind::Text);
    EXPECT_EQ(response.parts[1].text, "There are three r's in \"strawberry\".");
    EXPECT_EQ(response.stop, ir::StopReason::EndTurn);
    EXPECT_EQ(response.usage.cacheRead, 8);
    EXPECT_EQ(response.usage.output, 1056);
}

TEST(GeminiResponseDecode, ABlockedPromptIsAFilteredEmptyAnswer)
{
    const ir::Response response = decoded(geminiFixture("response_prompt_blocked.json"));
    EXPECT_EQ(response.stop, ir::StopReason::ContentFilter);
    EXPECT_TRUE(response.parts.empty());
    EXPECT_EQ(response.usage.input, 7);
}

TEST(GeminiResponseDecode, MapsFinishReasons)
{
    const auto stop = [](std::string_view reason, std::string_view parts = R"([{"text":"x"}])") {
        return decoded(R"({"candidates":[{"content":{"parts":)" + std::string(parts) + R"(,"role":"model"},"finishReason":")"
                       + std::string(reason) + R"("}]})").stop;
    };
    using ir::StopReason;
    EXPECT_EQ(stop("STOP"), StopReason::EndTurn);
    EXPECT_EQ(stop("MAX_TOKENS"), StopReason::MaxTokens);
    for (const char *filtered : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"})
        EXPECT_EQ(stop(filtered), StopReason::ContentFilter) << filtered;
    EXPECT_EQ(stop("MALFORMED_FUNCTION_CALL"), StopReason::EndTurn);
    EXPECT_EQ(stop("OTHER"), StopReason::Unknown);
    EXPECT_EQ(stop("MAX_TOKENS", R"([{"functionCall":{"name":"f"}}])"), StopReason::MaxTokens);
    EXPECT_EQ(decoded(R"({"candidates":[{"content":{"parts":[{"text":"x"}]}}]})").stop, StopReason::Unknown);
}

TEST(GeminiResponseDecode, JoinsTextPiecesAndSkipsWhatItCannotSay)
{
    const ir::Response response = decoded(R"({"candidates":[{"content":{"parts":[
        {"text":"a"},{"text":""},{"text":"b"},{"inlineData":{"mimeType":"image/png","data":"AA=="}},
        {"executableCode":{"code":"1"}},{"functionCall":{"args":{}}},{"functionCall":{"name":"f","args":"x"}},
        7,{"text":3},{"text":"c"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":"5"}})");
    ASSERT_EQ(response.parts.size(), 3u);
    EXPECT_EQ(response.parts[0].text, "ab");
    EXPECT_EQ(response.parts[1].arguments, "{}");
    EXPECT_EQ(response.parts[2].text, "c");
    EXPECT_EQ(response.stop, ir::StopReason::ToolUse);
    EXPECT_EQ(response.usage.input, 0);
}

TEST(GeminiResponseDecode, TranslatesTheFirstOfSeveralCandidates)
{
    const ir::Response response = decoded(R"({"candidates":[
        {"content":{"parts":[{"text":"B"}],"role":"model"},"finishReason":"MAX_TOKENS","index":1},
        {"content":{"parts":[{"text":"A"}],"role":"model"},"finishReason":"STOP","index":0}]})");
    ASSERT_EQ(response.parts.size(), 1u);
    EXPECT_EQ(response.parts[0].text, "A");
    EXPECT_EQ(response.stop, ir::StopReason::EndTurn);
    const std::vector<ir::StreamEvent> events = decodeStream({R"({"candidates":[{"content":{"parts":[{"text":"B"}]},"index":1},
        {"content":{"parts":[{"text":"A"}]},"finishReason":"STOP"}]})"});
    ASSERT_TRUE(wellOrdered(events));
    ASSERT_EQ(events.size(), 5u);
    EXPECT_EQ(events[2].text, "A");
}

TEST(GeminiResponseDecode, RejectsWhatIsNoAnswer)
{
    for (const char *body : {"", "{", "[]", "null", "{}", R"({"candidates":[]})", R"({"candidates":"x"})",
                             R"({"candidates":[1]})", R"({"usageMetadata":{"promptTokenCount":3}})",
                             R"({"error":{"code":500,"message":"Internal error","status":"INTERNAL"}})"})
        EXPECT_FALSE(codec.decodeResponse(body).ok()) << body;
}

TEST(GeminiResponseDecode, WrongTypedContentIsRefusedNotEmpty)
{
    for (const char *body : {R"({"candidates":[{"content":{"parts":"x"}}]})", R"({"candidates":[{"content":{"parts":{}}}]})",
                             R"({"candidates":[{"content":"x"}]})", R"({"candidates":[{"content":[]}]})"})
        EXPECT_FALSE(codec.decodeResponse(body).ok()) << body;
    // A candidate without content (a filtered answer) or content without parts is still an answer.
    EXPECT_EQ(decoded(R"({"candidates":[{"finishReason":"SAFETY","index":0}]})").stop, ir::StopReason::ContentFilter);
    EXPECT_TRUE(decoded(R"({"candidates":[{"content":{"role":"model"},"finishReason":"STOP"}]})").parts.empty());
    EXPECT_TRUE(decoded(R"({"candidates":[{"content":null,"finishReason":"STOP"}]})").parts.empty());
}

TEST(GeminiResponseDecode, UsageIsClampedAndSaturates)
{
    const ir::Response response = decoded(R"({"candidates":[{"content":{"parts":[{"text":"hi"}]}}],"usageMetadata":{)"
        R"("promptTokenCount":9223372036854775807,"toolUsePromptTokenCount":9223372036854775807,)"
        R"("candidatesTokenCount":18446744073709551615,"thoughtsTokenCount":-3,"cachedContentTokenCount":1e300}})");
    EXPECT_EQ(response.usage.input, ir::kMaxTokens);
    EXPECT_EQ(response.usage.output, ir::kMaxTokens);
    EXPECT_EQ(response.usage.reasoning, 0);
    EXPECT_EQ(response.usage.cacheRead, ir::kMaxTokens);
    ir::Response out;
    out.usage = {ir::kMaxTokens * 4, ir::kMaxTokens * 4, 0, 0, 0, true};
    const QJsonObject usage = jsonOf(codec.encodeResponse(out)).object()[u"usageMetadata"_s].toObject();
    EXPECT_EQ(usage[u"totalTokenCount"_s].toDouble(), double(ir::kMaxTokens));
    EXPECT_EQ(usage[u"promptTokenCount"_s].toDouble(), double(ir::kMaxTokens));
}

TEST(GeminiResponseEncode, WritesGooglesShape)
{
    ir::Response response;
    response.id = "resp-1";
    response.model = "claude-sonnet-4";
    ir::Part thinking;
    thinking.kind = Kind::Thinking;
    thinking.text = "Plan.";
    thinking.signature = "sig";
    ir::Part redacted;
    redacted.kind = Kind::RedactedThinking;
    redacted.text = "opaque";
    ir::Part answer;
    answer.text = "Checking.";
    ir::Part call;
    call.kind = Kind::ToolCall;
    call.id = "toolu_01";
    call.name = "get_weather";
    call.arguments = R"({"city": "Paris"})";
    ir::Part broken = call;
    broken.id.clear();
    broken.arguments = "{\"city\":";
    broken.signature = "c2ln";
    response.parts = {thinking, redacted, answer, call, broken};
    response.stop = ir::StopReason::ToolUse;
    response.usage = {100, 40, 60, 0, 15, true};
    EXPECT_TRUE(sameJson(codec.encodeResponse(response), R"({
      "candidates":[{"content":{"parts":[
          {"text":"Plan.","thought":true,"thoughtSignature":"sig"},
          {"text":"Checking."},
          {"functionCall":{"id":"toolu_01","name":"get_weather","args":{"city":"Paris"}}},
          {"functionCall":{"name":"get_weather","args":{}},"thoughtSignature":"c2ln"}],
        "role":"model"},"finishReason":"STOP","index":0}],
      "usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":25,"totalTokenCount":140,
                       "cachedContentTokenCount":60,"thoughtsTokenCount":15},
      "modelVersion":"claude-sonnet-4","responseId":"resp-1"})"));
}

TEST(GeminiResponseEncode, WritesAnEmptyTextForAnEmptyAnswerAndMapsStops)
{
    ir::Response response;
    response.stop = ir::StopReason::Refusal;
    EXPECT_TRUE(sameJson(codec.encodeResponse(response),
                         R"({"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"SAFETY","index":0}]})"));
    const auto reason = [&](ir::StopReason stop) {
        response.stop = stop;
        return jsonOf(codec.encodeResponse(response))["candidates"_L1][0]["finishReason"_L1].toString().toStdString();
    };
    EXPECT_EQ(reason(ir::StopReason::MaxTokens), "MAX_TOKENS");
    EXPECT_EQ(reason(ir::StopReason::ContentFilter), "SAFETY");
    EXPECT_EQ(reason(ir::StopReason::StopSequence), "STOP");
    EXPECT_EQ(reason(ir::StopReason::Unknown), "STOP");
    EXPECT_EQ(reason(ir::StopReason::EndTurn), "STOP");
}

TEST(GeminiResponseEncode, RoundTripsThroughTheDecoder)
{
    for (const char *fixture : {"response_function_calls.json", "response_thinking_text.json"}) {
        const ir::Response first = decoded(geminiFixture(fixture));
        const ir::Response second = decoded(codec.encodeResponse(first));
        ASSERT_EQ(second.parts.size(), first.parts.size()) << fixture;
        for (std::size_t i = 0; i < first.parts.size(); ++i) {
            EXPECT_EQ(second.parts[i].kind, first.parts[i].kind);
            EXPECT_EQ(second.parts[i].text, first.parts[i].text);
            EXPECT_EQ(second.parts[i].id, first.parts[i].id);
            EXPECT_EQ(second.parts[i].arguments, first.parts[i].arguments);
            EXPECT_EQ(second.parts[i].signature, first.parts[i].signature);
        }
        EXPECT_EQ(second.stop, first.stop);
        EXPECT_EQ(second.usage.input, first.usage.input);
        EXPECT_EQ(second.usage.output, first.usage.output);
        EXPECT_EQ(second.usage.reasoning, first.usage.reasoning);
        EXPECT_EQ(second.usage.cacheRead, first.usage.cacheRead);
        EXPECT_EQ(second.id, first.id);
        EXPECT_EQ(second.model, first.model);
    }
}

TEST(GeminiErrors, ReadsGooglesErrorBodies)
{
    const ir::ApiError quota = codec.decodeError(429, geminiFixture("error_rate_limit.json"));
    EXPECT_EQ(quota.status, 429);
    EXPECT_EQ(quota.kind, ir::ErrorKind::RateLimit);
    EXPECT_EQ(quota.code, "rate_limit_exceeded");
    EXPECT_EQ(quota.message.substr(0, 35), "You exceeded your current quota, pl");

    const ir::ApiError key = codec.decodeError(400, geminiFixture("error_api_key.json"));
    EXPECT_EQ(key.kind, ir::ErrorKind::Authentication);
    EXPECT_EQ(key.code, "invalid_api_key");
    EXPECT_EQ(key.message, "API key not valid. Please pass a valid API key.");

    const auto kind = [](int status, std::string_view statusText) {
        return codec.decodeError(status, R"({"error":{"code":)" + std::to_string(status) + R"(,"message":"m","status":")"
                                             + std::string(statusText) + R"("}})").kind;
    };
    using ir::ErrorKind;
    EXPECT_EQ(kind(400, "INVALID_ARGUMENT"), ErrorKind::InvalidRequest);
    EXPECT_EQ(kind(400, "FAILED_PRECONDITION"), ErrorKind::InvalidRequest);
    EXPECT_EQ(kind(401, "UNAUTHENTICATED"), ErrorKind::Authentication);
    EXPECT_EQ(kind(403, "PERMISSION_DENIED"), ErrorKind::Permission);
    EXPECT_EQ(kind(404, "NOT_FOUND"), ErrorKind::NotFound);
    EXPECT_EQ(kind(503, "UNAVAILABLE"), ErrorKind::Overloaded);
    EXPECT_EQ(kind(504, "DEADLINE_EXCEEDED"), ErrorKind::Timeout);
    EXPECT_EQ(kind(500, "INTERNAL"), ErrorKind::Server);
    // An HTTP error status decides over the status word (Google says INVALID_ARGUMENT for a 413).
    EXPECT_EQ(kind(500, "RESOURCE_EXHAUSTED"), ErrorKind::Server);
    EXPECT_EQ(kind(413, "INVALID_ARGUMENT"), ErrorKind::RequestTooLarge);
    EXPECT_EQ(kind(503, "SOMETHING_NEW"), ErrorKind::Overloaded);
    // Inside a 200 (a stream's in-band error) the word decides, else the body's code.
    const auto inBand = [](std::string_view body) { return codec.decodeError(200, body); };
    EXPECT_EQ(inBand(R"({"error":{"code":400,"message":"m","status":"RESOURCE_EXHAUSTED"}})").kind, ErrorKind::RateLimit);
    EXPECT_EQ(inBand(R"({"error":{"code":413,"message":"m","status":"SOMETHING_NEW"}})").kind, ErrorKind::RequestTooLarge);

    const ir::ApiError model = codec.decodeError(404, R"({"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta","status":"NOT_FOUND"}})");
    EXPECT_EQ(model.code, "model_not_found");
    const ir::ApiError tooLong = codec.decodeError(400, R"({"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}})");
    EXPECT_EQ(tooLong.code, "context_length_exceeded");
}

TEST(GeminiErrors, AnyOtherBodyIsJudgedByItsStatus)
{
    const ir::ApiError html = codec.decodeError(502, "  <html>Bad Gateway</html>\n");
    EXPECT_EQ(html.kind, ir::ErrorKind::Server);
    EXPECT_EQ(html.status, 502);
    EXPECT_EQ(html.message, "<html>Bad Gateway</html>");
    EXPECT_FALSE(codec.decodeError(429, "").message.empty());
    EXPECT_EQ(codec.decodeError(429, "").kind, ir::ErrorKind::RateLimit);
    EXPECT_EQ(codec.decodeError(503, R"({"error":{}})").kind, ir::ErrorKind::Overloaded);
    EXPECT_EQ(codec.decodeError(400, R"({"error":"bad thing"})").message, "bad thing");

    // Long messages are cut, and never inside a UTF-8 character.
    std::string message;
    while (message.size() < 5000)
        message += "é";
    const ir::ApiError cut = codec.decodeError(500, R"({"error":{"message":")" + message + R"("}})");
    EXPECT_LE(cut.message.size(), 2000u);
    EXPECT_GE(cut.message.size(), 1998u);
    EXPECT_EQ(cut.message.size() % 2, 0u);
    EXPECT_LE(codec.decodeError(500, std::string(10000, 'x')).message.size(), 2000u);
}

TEST(GeminiErrors, WritesTheSharedErrorBody)
{
    ir::ApiError error{429, ir::ErrorKind::RateLimit, "slow down", "rate_limit_exceeded"};
    const QByteArray expected = errorBody(ApiFormat::Gemini, error);
    EXPECT_EQ(codec.encodeError(error), std::string(expected.constData(), std::size_t(expected.size())));
    EXPECT_TRUE(sameJson(codec.encodeError(error), R"({"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}})"));
    // What Tarn writes, Tarn reads back.
    const ir::ApiError back = codec.decodeError(429, codec.encodeError(error));
    EXPECT_EQ(back.kind, error.kind);
    EXPECT_EQ(back.message, error.message);
}

} // namespace
