// SPDX-License-Identifier: GPL-3.0-or-later
// Reasoning tokens where the request path reads usage: the OpenAI pass-through (whole bodies and
// SseRelay's usage chunk) and StreamTranslator for every upstream format, passed through and
// translated. Counts are untrusted: clamped like the others.
#include "gateway/formats/Conversation.h"
#include "gateway/formats/OpenAiResponse.h"
#include "gateway/formats/SseRelay.h"
#include "gateway/formats/StreamTranslator.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

const QByteArray kOpenAiStream =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o3\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o3\",\"choices\":[{\"index\":0,"
    "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"o3\",\"choices\":[],"
    "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":50,\"total_tokens\":60,"
    "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":42}}}\n\n"
    "data: [DONE]\n\n";

const QByteArray kResponsesStream =
    "event: response.created\n"
    "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
    "\"created_at\":1,\"status\":\"in_progress\",\"model\":\"o3\",\"output\":[],\"usage\":null}}\n\n"
    "event: response.output_item.added\n"
    "data: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_1\","
    "\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}\n\n"
    "event: response.output_text.delta\n"
    "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"item_id\":\"msg_1\",\"output_index\":0,"
    "\"content_index\":0,\"delta\":\"Hi\"}\n\n"
    "event: response.completed\n"
    "data: {\"type\":\"response.completed\",\"sequence_number\":3,\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
    "\"created_at\":1,\"status\":\"completed\",\"model\":\"o3\",\"output\":[{\"id\":\"msg_1\",\"type\":\"message\","
    "\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi\",\"annotations\":[]}]}],"
    "\"usage\":{\"input_tokens\":10,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":50,"
    "\"output_tokens_details\":{\"reasoning_tokens\":42},\"total_tokens\":60}}}\n\n";

const QByteArray kGeminiStream =
    "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi\"}]},\"index\":0}],"
    "\"modelVersion\":\"gemini-2.5-pro\"}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"!\"}]},\"finishReason\":\"STOP\",\"index\":0}],"
    "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":8,\"thoughtsTokenCount\":42,\"totalTokenCount\":60},"
    "\"modelVersion\":\"gemini-2.5-pro\"}\r\n\r\n";

const QByteArray kAnthropicStream =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
    "\"claude\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":50}}\n\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n\n";

TokenUsage translatedUsage(ApiFormat from, ApiFormat to, const QByteArray &stream)
{
    StreamTranslator::Options options;
    options.from = from;
    options.to = to;
    options.passThrough = from == to;
    StreamTranslator translator(options);
    translator.feed(stream);
    translator.finish();
    EXPECT_TRUE(translator.sawFinish());
    return translator.usage();
}

} // namespace

TEST(ReasoningUsage, OpenAiBodyReadsCompletionDetails)
{
    const TokenUsage usage = usageOfOpenAiBody(
        R"({"id":"c","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":50,"total_tokens":60,)"
        R"("completion_tokens_details":{"reasoning_tokens":42,"audio_tokens":0}}})");
    EXPECT_TRUE(usage.reported);
    EXPECT_EQ(usage.completion, 50);
    EXPECT_EQ(usage.reasoning, 42);
    EXPECT_EQ(parseOpenAiUsage(R"({"prompt_tokens":1,"completion_tokens":2})").reasoning, 0);
    EXPECT_EQ(parseOpenAiUsage(R"({"completion_tokens":2,"completion_tokens_details":null})").reasoning, 0);
    EXPECT_EQ(parseOpenAiUsage(R"({"completion_tokens":2,"completion_tokens_details":{"reasoning_tokens":"9"}})").reasoning, 0);
}

TEST(ReasoningUsage, OpenAiCountsAreClamped)
{
    const TokenUsage usage = parseOpenAiUsage(
        R"({"prompt_tokens":-5,"completion_tokens":9000000000000000000,)"
        R"("completion_tokens_details":{"reasoning_tokens":1e17}})");
    EXPECT_EQ(usage.prompt, 0);
    EXPECT_EQ(usage.completion, ir::kMaxTokens);
    EXPECT_EQ(usage.reasoning, ir::kMaxTokens);
    EXPECT_EQ(parseOpenAiUsage(R"({"completion_tokens_details":{"reasoning_tokens":-3}})").reasoning, 0);
}

TEST(ReasoningUsage, SseRelayReadsTheUsageChunk)
{
    SseRelay relay({});
    // Byte by byte, so the usage chunk arrives split everywhere.
    for (qsizetype i = 0; i < kOpenAiStream.size(); ++i)
        relay.feed(QByteArrayView(kOpenAiStream).sliced(i, 1));
    relay.finish();
    EXPECT_EQ(relay.usage().prompt, 10);
    EXPECT_EQ(relay.usage().completion, 50);
    EXPECT_EQ(relay.usage().cached, 4);
    EXPECT_EQ(relay.usage().reasoning, 42);
}

TEST(ReasoningUsage, StreamTranslatorCarriesEachFormatsReasoning)
{
    for (const ApiFormat to : {ApiFormat::OpenAI, ApiFormat::Anthropic, ApiFormat::Gemini, ApiFormat::Responses}) {
        SCOPED_TRACE(apiFormatName(to));
        const TokenUsage openAi = translatedUsage(ApiFormat::OpenAI, to, kOpenAiStream);
        EXPECT_EQ(openAi.completion, 50);
        EXPECT_EQ(openAi.reasoning, 42);
        const TokenUsage responses = translatedUsage(ApiFormat::Responses, to, kResponsesStream);
        EXPECT_EQ(responses.completion, 50);
        EXPECT_EQ(responses.reasoning, 42);
        // Gemini counts thoughts apart from the candidates; the output includes them.
        const TokenUsage gemini = translatedUsage(ApiFormat::Gemini, to, kGeminiStream);
        EXPECT_EQ(gemini.completion, 50);
        EXPECT_EQ(gemini.reasoning, 42);
        const TokenUsage anthropic = translatedUsage(ApiFormat::Anthropic, to, kAnthropicStream);
        EXPECT_EQ(anthropic.completion, 50);
        EXPECT_EQ(anthropic.reasoning, 0);
    }
}
