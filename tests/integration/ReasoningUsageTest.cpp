// SPDX-License-Identifier: GPL-3.0-or-later
// End to end over real HTTP: the reasoning tokens each upstream format reports reach the usage
// row, streamed and not: OpenAI Chat completion_tokens_details.reasoning_tokens (passed through
// to an OpenAI client, and decoded for an Anthropic one), Responses
// output_tokens_details.reasoning_tokens, Gemini usageMetadata.thoughtsTokenCount; Anthropic
// reports none. Reasoning is part of the output count in every row.
#include "tests/integration/TranslationTestSupport.h"
#include "tests/support/GTestQtPrinters.h"

using namespace tarn::gateway;
using namespace tarn::test;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

constexpr int kReasoning = 37;

class ReasoningUsageTest : public TranslationTest
{
protected:
    void SetUp() override
    {
        MockBehaviour b;
        b.thinking = "Think it over";
        b.reasoningTokens = kReasoning;
        m_mock.setDefaultBehaviour(b);
    }

    Channel addResponsesChannel(const QString &model)
    {
        Channel channel;
        channel.type = ChannelType::OpenAI;
        channel.openAiApi = OpenAiApi::Responses;
        channel.name = s("responses-") + model;
        channel.baseUrl = m_mock.baseUrl();
        channel.models = {model};
        channel.keys = {s("sk-upstream-responses")};
        return m_tarn.addChannel(std::move(channel));
    }

    // Sends one request (an OpenAI client unless anthropicClient) and returns the usage row it left.
    UsageRecord rowAfter(const QString &model, bool stream, bool anthropicClient = false)
    {
        const qsizetype before = m_tarn.usageRows().size();
        const QJsonObject body = anthropicClient ? anthropicRequest(model, stream, false) : openAiRequest(model, stream, false);
        const QString path = anthropicClient ? s("/v1/messages") : s("/v1/chat/completions");
        const HttpHeaders headers = anthropicClient ? HttpHeaders{{"anthropic-version", "2023-06-01"}} : HttpHeaders{};
        if (stream) {
            const HttpStreamResult r = postStream(path, body, headers);
            EXPECT_EQ(r.status, 200) << r.body.toStdString();
        } else {
            const HttpResult r = post(path, body, headers);
            EXPECT_EQ(r.status, 200) << r.body.toStdString();
        }
        const QList<UsageRecord> rows = m_tarn.usageRows();
        EXPECT_EQ(rows.size(), before + 1);
        return rows.isEmpty() ? UsageRecord{} : rows.constLast();
    }
};

} // namespace

TEST_F(ReasoningUsageTest, OpenAiChatPassedThroughRecordsReasoning)
{
    addChannel(ChannelType::OpenAI, s("o3"));
    startGateway();
    for (const bool stream : {false, true}) {
        SCOPED_TRACE(stream ? "stream" : "whole");
        const UsageRecord row = rowAfter(s("o3"), stream);
        EXPECT_EQ(row.channelFormat, s("openai"));
        EXPECT_EQ(row.status, 200);
        EXPECT_EQ(row.reasoningTokens, kReasoning);
        EXPECT_GT(row.completionTokens, kReasoning); // reasoning is part of the output
    }
}

TEST_F(ReasoningUsageTest, OpenAiChatDecodedForAnotherClientRecordsReasoning)
{
    addChannel(ChannelType::OpenAI, s("o3"));
    startGateway();
    for (const bool stream : {false, true}) {
        SCOPED_TRACE(stream ? "stream" : "whole");
        const UsageRecord row = rowAfter(s("o3"), stream, true);
        EXPECT_EQ(row.inboundFormat, s("anthropic"));
        EXPECT_EQ(row.reasoningTokens, kReasoning);
        EXPECT_GT(row.completionTokens, kReasoning);
    }
}

TEST_F(ReasoningUsageTest, ResponsesChannelRecordsReasoning)
{
    addResponsesChannel(s("gpt-5-codex"));
    startGateway();
    for (const bool stream : {false, true}) {
        SCOPED_TRACE(stream ? "stream" : "whole");
        const UsageRecord row = rowAfter(s("gpt-5-codex"), stream);
        EXPECT_EQ(row.channelFormat, s("responses"));
        EXPECT_EQ(row.reasoningTokens, kReasoning);
        EXPECT_GT(row.completionTokens, kReasoning);
    }
}

TEST_F(ReasoningUsageTest, GeminiChannelRecordsThoughtsAsReasoning)
{
    addChannel(ChannelType::Gemini, s("gemini-2.5-pro"));
    startGateway();
    for (const bool stream : {false, true}) {
        SCOPED_TRACE(stream ? "stream" : "whole");
        const UsageRecord row = rowAfter(s("gemini-2.5-pro"), stream);
        EXPECT_EQ(row.channelFormat, s("gemini"));
        EXPECT_EQ(row.reasoningTokens, kReasoning);
        // candidatesTokenCount + thoughtsTokenCount: Gemini counts thoughts apart, Tarn adds them.
        EXPECT_GT(row.completionTokens, kReasoning);
    }
}

TEST_F(ReasoningUsageTest, AnthropicChannelRecordsNoReasoning)
{
    addChannel(ChannelType::Anthropic, s("claude-sonnet"));
    startGateway();
    for (const bool stream : {false, true}) {
        SCOPED_TRACE(stream ? "stream" : "whole");
        const UsageRecord row = rowAfter(s("claude-sonnet"), stream);
        EXPECT_EQ(row.channelFormat, s("anthropic"));
        EXPECT_EQ(row.reasoningTokens, 0); // Anthropic's usage has no reasoning count
        EXPECT_GT(row.completionTokens, 0);
    }
}
