// SPDX-License-Identifier: GPL-3.0-or-later
// The Gemini codec's streams: Google's streamGenerateContent?alt=sse chunks read into IR events,
// and IR events written as those chunks.
#include "GeminiCodecTestSupport.h"

#include "gateway/formats/ErrorResponse.h"

using namespace tarn::gateway;
using namespace tarn::gateway::test;
using namespace Qt::StringLiterals;
using EventKind = ir::StreamEvent::Kind;
using PartKind = ir::Part::Kind;

namespace {

const GeminiCodec codec;

std::string texts(const std::vector<ir::StreamEvent> &events, int index)
{
    std::string out;
    for (const ir::StreamEvent &event : events) {
        if (event.kind == EventKind::PartDelta && event.index == index)
            out += event.text;
    }
    return out;
}

const ir::StreamEvent *find(const std::vector<ir::StreamEvent> &events, EventKind kind, int index = -1)
{
    for (const ir::StreamEvent &event : events) {
        if (event.kind == kind && (index < 0 || event.index == index))
            return &event;
    }
    return nullptr;
}

TEST(GeminiStreamDecode, KeepsOneTextPartOpenAcrossChunks)
{
    const std::vector<std::string> chunks = sseData(geminiFixture("stream_text.sse"));
    ASSERT_EQ(chunks.size(), 3u);
    const std::vector<ir::StreamEvent> events = decodeStream(chunks);
    ASSERT_TRUE(wellOrdered(events));
    ASSERT_EQ(events.size(), 7u); // Start, PartStart, 3 deltas, PartStop, Finish
    EXPECT_EQ(events[0].kind, EventKind::Start);
    EXPECT_EQ(events[0].id, "ag4pavQTzLrj4Q-XkKnZBA");
    EXPECT_EQ(events[0].model, "gemini-2.5-flash");
    EXPECT_EQ(events[0].usage.input, 9);
    EXPECT_EQ(events[1].partKind, PartKind::Text);
    EXPECT_EQ(texts(events, 0), "The capital of France is Paris.");
    const ir::StreamEvent &finish = events.back();
    EXPECT_EQ(finish.kind, EventKind::Finish);
    EXPECT_EQ(finish.stop, ir::StopReason::EndTurn);
    EXPECT_TRUE(finish.usage.reported);
    EXPECT_EQ(finish.usage.input, 9);
    EXPECT_EQ(finish.usage.output, 31);
    EXPECT_EQ(finish.usage.reasoning, 24);
}

TEST(GeminiStreamDecode, ThoughtsThenTextThenTwoCallsInOneChunk)
{
    const std::vector<ir::StreamEvent> events = decodeStream(sseData(geminiFixture("stream_thinking_calls.sse")));
    ASSERT_TRUE(wellOrdered(events));
    std::vector<std::pair<EventKind, int>> shape;
    for (const ir::StreamEvent &event : events)
        shape.emplace_back(event.kind, event.index);
    const std::vector<std::pair<EventKind, int>> expected = {
        {EventKind::Start, -1},
        {EventKind::PartStart, 0}, {EventKind::PartDelta, 0}, {EventKind::PartDelta, 0}, {EventKind::PartStop, 0},
        {EventKind::PartStart, 1}, {EventKind::PartDelta, 1}, {EventKind::PartStop, 1},
        {EventKind::PartStart, 2}, {EventKind::PartDelta, 2}, {EventKind::PartStop, 2},
        {EventKind::PartStart, 3}, {EventKind::PartDelta, 3}, {EventKind::PartStop, 3},
        {EventKind::Finish, -1}};
    EXPECT_EQ(shape, expected);
    EXPECT_EQ(events[1].partKind, PartKind::Thinking);
    EXPECT_EQ(texts(events, 0), "**Checking the weather**\n\nThe user asks about two cities.");
    EXPECT_EQ(texts(events, 1), "Let me check both.");
    const ir::StreamEvent *paris = find(events, EventKind::PartStart, 2);
    EXPECT_EQ(paris->partKind, PartKind::ToolCall);
    EXPECT_EQ(paris->name, "get_weather");
    EXPECT_EQ(paris->signature, "CiQBaRR9Eyw3lLUkDcQv");
    EXPECT_EQ(paris->id.substr(0, 5), "call_");
    EXPECT_EQ(texts(events, 2), R"({"location":"Paris"})");
    EXPECT_TRUE(find(events, EventKind::PartStart, 3)->signature.empty());
    EXPECT_NE(find(events, EventKind::PartStart, 3)->id, paris->id);
    EXPECT_EQ(events.back().stop, ir::StopReason::ToolUse);
    EXPECT_EQ(events.back().usage.output, 85);
}

TEST(GeminiStreamDecode, KeepsGemini3CallIdsAndIgnoresTheEmptyClosingText)
{
    const std::vector<ir::StreamEvent> events = decodeStream(sseData(geminiFixture("stream_gemini3_calls.sse")));
    ASSERT_TRUE(wellOrdered(events));
    EXPECT_EQ(count(events, EventKind::PartStart), 2);
    EXPECT_EQ(find(events, EventKind::PartStart, 0)->id, "call_172274");
    EXPECT_EQ(find(events, EventKind::PartStart, 1)->id, "call_172284");
    EXPECT_TRUE(events[0].id.empty()); // no responseId in these chunks
    EXPECT_EQ(events.back().stop, ir::StopReason::ToolUse);
    EXPECT_EQ(events.back().usage.input, 60);
}

TEST(GeminiStreamDecode, AnErrorChunkEndsTheStream)
{
    const std::unique_ptr<StreamDecoder> decoder = codec.newStreamDecoder();
    std::vector<ir::StreamEvent> events;
    for (const std::string &data : sseData(geminiFixture("stream_error.sse")))
        decoder->decode({}, data, events);
    decoder->decode({}, R"({"candidates":[{"content":{"parts":[{"text":"late"}]}}]})", events);
    decoder->end(events);
    ASSERT_TRUE(wellOrdered(events));
    ASSERT_EQ(events.back().kind, EventKind::Error);
    EXPECT_EQ(events.back().error.kind, ir::ErrorKind::Overloaded);
    EXPECT_EQ(events.back().error.status, 503);
    EXPECT_EQ(events.back().error.message, "The model is overloaded. Please try again later.");
    EXPECT_EQ(texts(events, 0), "Once upon");

    const std::vector<ir::StreamEvent> wrapped =
        decodeStream({R"([{"error":{"code":429,"message":"Quota","status":"RESOURCE_EXHAUSTED"}}])"});
    ASSERT_EQ(wrapped.size(), 1u);
    EXPECT_EQ(wrapped[0].error.kind, ir::ErrorKind::RateLimit);
    EXPECT_EQ(wrapped[0].error.status, 429);
}

TEST(GeminiStreamDecode, ACutStreamStopsItsPartsWithoutAFinish)
{
    std::vector<std::string> chunks = sseData(geminiFixture("stream_text.sse"));
    chunks.pop_back();
    const std::vector<ir::StreamEvent> events = decodeStream(chunks);
    ASSERT_TRUE(wellOrdered(events));
    EXPECT_EQ(events.back().kind, EventKind::PartStop);
    EXPECT_EQ(count(events, EventKind::Finish), 0);
    EXPECT_TRUE(decodeStream({}).empty());
}

TEST(GeminiStreamDecode, ABlockedPromptFinishesFiltered)
{
    const std::string blocked = geminiFixture("response_prompt_blocked.json");
    const std::vector<ir::StreamEvent> events = decodeStream({blocked});
    ASSERT_TRUE(wellOrdered(events));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].kind, EventKind::Finish);
    EXPECT_EQ(events[1].stop, ir::StopReason::ContentFilter);
}

TEST(GeminiStreamDecode, PutsASignatureOnTheAnswerOnTheOpenThoughts)
{
    const std::vector<ir::StreamEvent> events = decodeStream({
        R"({"candidates":[{"content":{"parts":[{"text":"think","thought":true}]}}]})",
        R"({"candidates":[{"content":{"parts":[{"text":"","thought":true,"thoughtSignature":"s1"}]}}]})",
        R"({"candidates":[{"content":{"parts":[{"text":"Answer","thoughtSignature":"s2"}]}}]})",
        R"({"candidates":[{"content":{"parts":[{"text":"","thoughtSignature":"s3"}]},"finishReason":"MAX_TOKENS"}]})",
        R"({"usageMetadata":{"promptTokenCount":4}})", // after the finish: lost
    });
    ASSERT_TRUE(wellOrdered(events));
    std::vector<std::string> signatures;
    for (const ir::StreamEvent &event : events) {
        if (event.kind == EventKind::PartDelta && !event.signature.empty()) {
            EXPECT_EQ(event.index, 0);
            EXPECT_TRUE(event.text.empty());
            signatures.push_back(event.signature);
        }
    }
    EXPECT_EQ(signatures, (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(texts(events, 1), "Answer");
    EXPECT_EQ(events.back().stop, ir::StopReason::MaxTokens);
    EXPECT_FALSE(events.back().usage.reported);
}

TEST(GeminiStreamDecode, SkipsMalformedEvents)
{
    const std::vector<ir::StreamEvent> events = decodeStream({
        "", "   ", "[DONE]", "not json", "{\"candidates\":", "null", "42", "[]", "[1,2]",
        R"({"candidates":"x"})", R"({"candidates":[{"content":{"parts":"x"}}]})",
        R"({"candidates":[{"content":{"parts":[1,{"text":5},{"functionCall":{"args":{}}},{"inlineData":{}}]}}]})",
        R"({"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":7}]})",
    });
    ASSERT_TRUE(wellOrdered(events));
    EXPECT_EQ(count(events, EventKind::Start), 1);
    EXPECT_EQ(count(events, EventKind::PartStart), 1);
    EXPECT_EQ(count(events, EventKind::Finish), 0);
}

// Every event cut short at every byte: never a crash, never an empty delta, always in order.
TEST(GeminiStreamDecode, EventsCutAtEveryByteStayWellOrdered)
{
    for (const char *fixture : {"stream_text.sse", "stream_thinking_calls.sse", "stream_gemini3_calls.sse", "stream_error.sse"}) {
        const std::vector<std::string> chunks = sseData(geminiFixture(fixture));
        for (std::size_t which = 0; which < chunks.size(); ++which) {
            for (std::size_t cut = 0; cut <= chunks[which].size(); ++cut) {
                std::vector<std::string> fed(chunks.begin(), chunks.begin() + std::ptrdiff_t(which));
                fed.push_back(chunks[which].substr(0, cut));
                ASSERT_TRUE(wellOrdered(decodeStream(fed))) << fixture << " event " << which << " cut at " << cut;
            }
        }
    }
}

std::string encoded(const std::vector<ir::StreamEvent> &events)
{
    const std::unique_ptr<StreamEncoder> encoder = codec.newStreamEncoder(StreamEncoderOptions{});
    std::string out;
    for (const ir::StreamEvent &event : events)
        encoder->encode(event, out);
    encoder->end(out);
    return out;
}

ir::StreamEvent event(EventKind kind, int index = -1, std::string text = {}, std::string signature = {})
{
    ir::StreamEvent out;
    out.kind = kind;
    out.index = index;
    out.text = std::move(text);
    out.signature = std::move(signature);
    return out;
}

ir::StreamEvent partStart(int index, PartKind kind, std::string id = {}, std::string name = {}, std::string signature = {})
{
    ir::StreamEvent out = event(EventKind::PartStart, index, {}, std::move(signature));
    out.partKind = kind;
    out.id = std::move(id);
    out.name = std::move(name);
    return out;
}

TEST(GeminiStreamEncode, WritesGooglesChunksExactly)
{
    ir::StreamEvent start = event(EventKind::Start);
    start.id = "msg_01";
    start.model = "claude-x";
    ir::StreamEvent finish = event(EventKind::Finish);
    finish.stop = ir::StopReason::EndTurn;
    finish.usage = {12, 5, 0, 0, 0, true};
    const std::string out = encoded({start, partStart(0, PartKind::Text), event(EventKind::PartDelta, 0, "Hel"),
                                     event(EventKind::PartDelta, 0, ""), event(EventKind::PartDelta, 0, "lo \"you\""),
                                     event(EventKind::PartStop, 0), finish});
    EXPECT_EQ(out,
              "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}],"
              "\"modelVersion\":\"claude-x\",\"responseId\":\"msg_01\"}\r\n\r\n"
              "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo \\\"you\\\"\"}],\"role\":\"model\"},\"index\":0}],"
              "\"modelVersion\":\"claude-x\",\"responseId\":\"msg_01\"}\r\n\r\n"
              "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
              "\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":5,\"totalTokenCount\":17},"
              "\"modelVersion\":\"claude-x\",\"responseId\":\"msg_01\"}\r\n\r\n");
}

TEST(GeminiStreamEncode, HoldsACallUntilItStopsAndWritesThoughts)
{
    ir::StreamEvent finish = event(EventKind::Finish);
    finish.stop = ir::StopReason::ToolUse;
    finish.usage = {10, 30, 0, 0, 20, true};
    const std::string out = encoded({
        event(EventKind::Start),
        partStart(0, PartKind::Thinking), event(EventKind::PartDelta, 0, "Hmm"), event(EventKind::PartDelta, 0, {}, "sig1"),
        event(EventKind::PartStop, 0),
        partStart(1, PartKind::RedactedThinking), event(EventKind::PartDelta, 1, "opaque"), event(EventKind::PartStop, 1),
        partStart(2, PartKind::ToolCall, "call_1", "get_weather", "EpYE"),
        event(EventKind::PartDelta, 2, "{\"city\":"), event(EventKind::PartDelta, 2, " \"Paris\"}"),
        partStart(3, PartKind::ToolCall, "call_2", "noop"), event(EventKind::PartDelta, 3, "{broken"),
        event(EventKind::PartStop, 2), event(EventKind::PartStop, 3), finish});
    const std::vector<std::string> chunks = sseData(out);
    ASSERT_EQ(chunks.size(), 5u);
    const auto part = [&](std::size_t i) {
        return QJsonDocument(jsonOf(chunks[i])["candidates"_L1][0]["content"_L1]["parts"_L1][0].toObject()).toJson(QJsonDocument::Compact).toStdString();
    };
    EXPECT_TRUE(sameJson(part(0), R"({"text":"Hmm","thought":true})"));
    EXPECT_TRUE(sameJson(part(1), R"({"text":"","thought":true,"thoughtSignature":"sig1"})"));
    EXPECT_TRUE(sameJson(part(2), R"({"functionCall":{"id":"call_1","name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"EpYE"})"));
    EXPECT_TRUE(sameJson(part(3), R"({"functionCall":{"id":"call_2","name":"noop","args":{}}})"));
    EXPECT_TRUE(sameJson(chunks[4], R"({"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],
        "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":10,"totalTokenCount":40,"thoughtsTokenCount":20}})"));
}

TEST(GeminiStreamEncode, WritesAnErrorAndNothingAfterIt)
{
    ir::StreamEvent error = event(EventKind::Error);
    error.error = {503, ir::ErrorKind::Overloaded, "busy", {}};
    const std::string out = encoded({event(EventKind::Start), partStart(0, PartKind::Text), event(EventKind::PartDelta, 0, "a"),
                                     error, event(EventKind::PartDelta, 0, "b"), event(EventKind::Finish)});
    const QByteArray body = errorBody(ApiFormat::Gemini, error.error);
    const std::string expected = "data: " + std::string(body.constData(), std::size_t(body.size())) + "\r\n\r\n";
    ASSERT_GE(out.size(), expected.size());
    EXPECT_EQ(out.substr(out.size() - expected.size()), expected);
    EXPECT_EQ(sseData(out).size(), 2u);
    // A finished stream has no terminator either.
    EXPECT_EQ(encoded({event(EventKind::Start)}), "");
}

TEST(GeminiStreamEncode, ACallStillOpenAtFinishGoesOutFirst)
{
    ir::StreamEvent finish = event(EventKind::Finish);
    finish.stop = ir::StopReason::ToolUse;
    const std::vector<std::string> chunks = sseData(encoded({event(EventKind::Start), partStart(0, PartKind::ToolCall, "c", "f"),
                                                             event(EventKind::PartDelta, 0, "{}"), finish}));
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_TRUE(jsonOf(chunks[0])["candidates"_L1][0]["content"_L1]["parts"_L1][0].toObject().contains(QStringLiteral("functionCall")));
    EXPECT_FALSE(jsonOf(chunks[1]).object().contains(QStringLiteral("usageMetadata")));
}

// Google's stream, decoded, written back as Gemini chunks and decoded again, says the same.
TEST(GeminiStreamEncode, RoundTripsThroughTheDecoder)
{
    for (const char *fixture : {"stream_text.sse", "stream_thinking_calls.sse", "stream_gemini3_calls.sse", "stream_error.sse"}) {
        const std::vector<ir::StreamEvent> first = decodeStream(sseData(geminiFixture(fixture)), false);
        const std::vector<ir::StreamEvent> second = decodeStream(sseData(encoded(first)), false);
        ASSERT_EQ(second.size(), first.size()) << fixture;
        for (std::size_t i = 0; i < first.size(); ++i) {
            EXPECT_EQ(second[i].kind, first[i].kind) << fixture << " " << i;
            EXPECT_EQ(second[i].index, first[i].index);
            EXPECT_EQ(second[i].partKind, first[i].partKind);
            EXPECT_EQ(second[i].text, first[i].text);
            EXPECT_EQ(second[i].signature, first[i].signature);
            EXPECT_EQ(second[i].id, first[i].id);
            EXPECT_EQ(second[i].stop, first[i].stop);
            EXPECT_EQ(second[i].usage.input, first[i].usage.input);
            EXPECT_EQ(second[i].usage.output, first[i].usage.output);
            EXPECT_EQ(second[i].error.kind, first[i].error.kind);
        }
    }
}

} // namespace
