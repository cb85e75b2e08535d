// SPDX-License-Identifier: GPL-3.0-or-later
// End to end over real HTTP: a client in one format, a channel in another (mock upstreams that
// speak each format, written apart from Tarn's translators), the exact answer and event sequence
// the client receives, what the upstream was sent, and the usage row.
#include "tests/integration/TranslationTestSupport.h"

#include <QJsonArray>

using namespace tarn::gateway;
using namespace tarn::test;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// What Anthropic SDKs send (loopback needs no client key; one that is sent must be valid).
HttpHeaders anthropicHeaders()
{
    return {{"anthropic-version", "2023-06-01"}};
}

// Concatenated input_json_delta fragments per content block index.
QMap<int, QByteArray> toolInputs(const QList<SseEvent> &events)
{
    QMap<int, QByteArray> inputs;
    for (const SseEvent &event : events) {
        const QJsonObject data = event.json();
        const QJsonObject delta = data.value(u"delta").toObject();
        if (data.value(u"type") == s("content_block_delta") && delta.value(u"type") == s("input_json_delta"))
            inputs[data.value(u"index").toInt()] += delta.value(u"partial_json").toString().toUtf8();
    }
    return inputs;
}

} // namespace

TEST_F(TranslationTest, AnthropicClientGetsAMessageFromAnOpenAiChannel)
{
    addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    startGateway();

    const HttpResult r = post(s("/v1/messages?beta=true"), anthropicRequest(s("sonnet"), false, false), anthropicHeaders());
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    const QJsonObject answer = r.json();
    EXPECT_EQ(answer.value(u"type").toString(), s("message"));
    EXPECT_EQ(answer.value(u"role").toString(), s("assistant"));
    EXPECT_EQ(answer.value(u"model").toString(), s("sonnet"));
    EXPECT_TRUE(answer.value(u"id").toString().startsWith(u"msg_"));
    const QJsonArray content = answer.value(u"content").toArray();
    ASSERT_EQ(content.size(), 1);
    EXPECT_EQ(content[0].toObject().value(u"type").toString(), s("text"));
    EXPECT_EQ(content[0].toObject().value(u"text").toString(), s("Hello from the mock upstream"));
    EXPECT_EQ(answer.value(u"stop_reason").toString(), s("end_turn"));
    const QJsonObject usage = answer.value(u"usage").toObject();
    EXPECT_GT(usage.value(u"input_tokens").toInt(), 7);
    EXPECT_EQ(usage.value(u"output_tokens").toInt(), 5);

    const MockRequest sent = m_mock.lastRequest();
    EXPECT_EQ(sent.path, QByteArrayLiteral("/v1/chat/completions"));
    EXPECT_EQ(sent.header("authorization"), QByteArrayLiteral("Bearer sk-upstream-openai"));
    const QJsonObject body = sent.json();
    EXPECT_EQ(body.value(u"model").toString(), s("gpt-up"));
    const QJsonArray messages = body.value(u"messages").toArray();
    ASSERT_EQ(messages.size(), 2);
    EXPECT_EQ(messages[0].toObject().value(u"role").toString(), s("system"));
    EXPECT_EQ(messages[0].toObject().value(u"content").toString(), s("You are a coding agent."));
    EXPECT_EQ(messages[1].toObject().value(u"content").toString(), s("List the files here"));
    EXPECT_EQ(body.value(u"max_tokens").toInt(), 1024);

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].inboundFormat, s("anthropic"));
    EXPECT_EQ(rows[0].channelFormat, s("openai"));
    EXPECT_EQ(rows[0].endpoint, s("/v1/messages"));
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].upstreamModel, s("gpt-up"));
    EXPECT_EQ(rows[0].promptTokens, usage.value(u"input_tokens").toInt());
    EXPECT_EQ(rows[0].completionTokens, 5);
}

TEST_F(TranslationTest, AnthropicStreamOfParallelToolCallsFromAnOpenAiChannel)
{
    addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    MockBehaviour b;
    b.toolCalls = {{"Bash", R"({"command":"ls -la"})"}, {"Bash", R"({"command":"pwd"})"}};
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/messages"), anthropicRequest(s("sonnet"), true, true), anthropicHeaders());
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.header("content-type").startsWith("text/event-stream"));
    const QList<SseEvent> events = sseEvents(r.body);
    const QStringList types = eventTypes(events);
    ASSERT_GE(types.size(), 8) << types.join(u',').toStdString();
    EXPECT_EQ(types.first(), s("message_start"));
    EXPECT_EQ(types.at(types.size() - 2), s("message_delta"));
    EXPECT_EQ(types.last(), s("message_stop"));
    for (const SseEvent &event : events)
        EXPECT_EQ(QString::fromLatin1(event.name), event.json().value(u"type").toString()); // event: names the type

    // Two tool_use blocks, one after the other, each with its own index and id.
    QList<QJsonObject> starts;
    int open = -1;
    for (const SseEvent &event : events) {
        const QJsonObject data = event.json();
        const QString type = data.value(u"type").toString();
        if (type == s("content_block_start")) {
            EXPECT_EQ(open, -1) << "a block started before the previous one stopped";
            open = data.value(u"index").toInt();
            starts << data;
        } else if (type == s("content_block_stop")) {
            EXPECT_EQ(data.value(u"index").toInt(), open);
            open = -1;
        } else if (type == s("content_block_delta")) {
            EXPECT_EQ(data.value(u"index").toInt(), open);
            const QJsonObject delta = data.value(u"delta").toObject();
            if (delta.value(u"type") == s("input_json_delta")) {
                EXPECT_FALSE(delta.value(u"partial_json").toString().isEmpty()) << "an empty input_json_delta";
            }
        }
    }
    ASSERT_EQ(starts.size(), 2);
    const QJsonObject first = starts[0].value(u"content_block").toObject();
    const QJsonObject second = starts[1].value(u"content_block").toObject();
    EXPECT_EQ(starts[0].value(u"index").toInt(), 0);
    EXPECT_EQ(starts[1].value(u"index").toInt(), 1);
    EXPECT_EQ(first.value(u"type").toString(), s("tool_use"));
    EXPECT_EQ(first.value(u"name").toString(), s("Bash"));
    EXPECT_NE(first.value(u"id").toString(), second.value(u"id").toString());
    const QMap<int, QByteArray> inputs = toolInputs(events);
    EXPECT_EQ(QJsonDocument::fromJson(inputs.value(0)).object().value(u"command").toString(), s("ls -la"));
    EXPECT_EQ(QJsonDocument::fromJson(inputs.value(1)).object().value(u"command").toString(), s("pwd"));

    const QJsonObject messageDelta = events.at(events.size() - 2).json();
    EXPECT_EQ(messageDelta.value(u"delta").toObject().value(u"stop_reason").toString(), s("tool_use"));
    const QJsonObject usage = messageDelta.value(u"usage").toObject();
    EXPECT_GT(usage.value(u"output_tokens").toInt(), 0); // the real count, never 0
    EXPECT_GT(usage.value(u"input_tokens").toInt(), 0);
    EXPECT_GT(events.first().json().value(u"message").toObject().value(u"usage").toObject().value(u"input_tokens").toInt(), 0);

    const MockRequest sent = m_mock.lastRequest();
    const QJsonObject tool = sent.json().value(u"tools").toArray().at(0).toObject();
    EXPECT_EQ(tool.value(u"function").toObject().value(u"name").toString(), s("Bash"));
    EXPECT_TRUE(sent.json().value(u"stream_options").toObject().value(u"include_usage").toBool());

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_TRUE(rows[0].stream);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].completionTokens, usage.value(u"output_tokens").toInt());
    EXPECT_EQ(rows[0].inboundFormat, s("anthropic"));
    EXPECT_EQ(rows[0].channelFormat, s("openai"));
}

TEST_F(TranslationTest, AnthropicStreamFromAGeminiChannel)
{
    addChannel(ChannelType::Gemini, s("sonnet"), s("gemini-up"));
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/messages"), anthropicRequest(s("sonnet"), true, false), anthropicHeaders());
    ASSERT_EQ(r.status, 200);
    const QList<SseEvent> events = sseEvents(r.body);
    QString text;
    for (const SseEvent &event : events) {
        const QJsonObject delta = event.json().value(u"delta").toObject();
        if (delta.value(u"type") == s("text_delta"))
            text += delta.value(u"text").toString();
    }
    EXPECT_EQ(text, s("Hello from the mock upstream"));
    EXPECT_EQ(eventTypes(events).last(), s("message_stop"));
    EXPECT_EQ(events.at(events.size() - 2).json().value(u"delta").toObject().value(u"stop_reason").toString(), s("end_turn"));

    const MockRequest sent = m_mock.lastRequest();
    EXPECT_EQ(sent.path, QByteArrayLiteral("/v1beta/models/gemini-up:streamGenerateContent?alt=sse"));
    EXPECT_EQ(sent.header("x-goog-api-key"), QByteArrayLiteral("sk-upstream-gemini"));
    const QJsonObject body = sent.json();
    EXPECT_EQ(body.value(u"systemInstruction").toObject().value(u"parts").toArray().at(0).toObject().value(u"text").toString(),
              s("You are a coding agent."));
    EXPECT_EQ(body.value(u"generationConfig").toObject().value(u"maxOutputTokens").toInt(), 1024);
    EXPECT_FALSE(body.contains(u"model"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].channelFormat, s("gemini"));
    EXPECT_EQ(rows[0].completionTokens, 5);
}

TEST_F(TranslationTest, OpenAiClientGetsToolCallsFromAnAnthropicChannel)
{
    addChannel(ChannelType::Anthropic, s("gpt-4o"), s("claude-up"));
    MockBehaviour b;
    b.toolCalls = {{"run_shell", R"({"command":"ls"})"}};
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpResult r = post(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), false, true));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    const QJsonObject answer = r.json();
    EXPECT_EQ(answer.value(u"object").toString(), s("chat.completion"));
    EXPECT_EQ(answer.value(u"model").toString(), s("gpt-4o"));
    const QJsonObject choice = answer.value(u"choices").toArray().at(0).toObject();
    EXPECT_EQ(choice.value(u"finish_reason").toString(), s("tool_calls"));
    const QJsonObject call = choice.value(u"message").toObject().value(u"tool_calls").toArray().at(0).toObject();
    EXPECT_EQ(call.value(u"type").toString(), s("function"));
    EXPECT_EQ(call.value(u"function").toObject().value(u"name").toString(), s("run_shell"));
    EXPECT_EQ(QJsonDocument::fromJson(call.value(u"function").toObject().value(u"arguments").toString().toUtf8())
                  .object().value(u"command").toString(),
              s("ls"));
    EXPECT_GT(answer.value(u"usage").toObject().value(u"prompt_tokens").toInt(), 0);

    const MockRequest sent = m_mock.lastRequest();
    EXPECT_EQ(sent.path, QByteArrayLiteral("/v1/messages"));
    EXPECT_EQ(sent.header("x-api-key"), QByteArrayLiteral("sk-upstream-anthropic"));
    EXPECT_EQ(sent.header("anthropic-version"), QByteArrayLiteral("2023-06-01"));
    EXPECT_TRUE(sent.header("authorization").isEmpty());
    const QJsonObject body = sent.json();
    EXPECT_EQ(body.value(u"model").toString(), s("claude-up"));
    EXPECT_GT(body.value(u"max_tokens").toInt(), 0); // required by Anthropic, absent in the request
    EXPECT_EQ(body.value(u"system").toArray().at(0).toObject().value(u"text").toString(), s("Be brief."));
    EXPECT_TRUE(body.value(u"tools").toArray().at(0).toObject().contains(u"input_schema"));
}

TEST_F(TranslationTest, GeminiThoughtSignaturesSurviveAnOpenAiClientsToolLoop)
{
    addChannel(ChannelType::Gemini, s("flash"), s("gemini-up"));
    MockBehaviour b;
    b.toolCalls = {{"run_shell", R"({"command":"ls"})"}, {"run_shell", R"({"command":"pwd"})"}};
    m_mock.pushBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/chat/completions"), openAiRequest(s("flash"), true, true));
    ASSERT_EQ(r.status, 200);
    QMap<int, QJsonObject> calls; // index -> {id, name, arguments}
    QString finish;
    bool sawUsage = false, sawDone = false;
    for (const QByteArray &data : r.sseData()) {
        if (data == "[DONE]") {
            sawDone = true;
            continue;
        }
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        EXPECT_EQ(chunk.value(u"object").toString(), s("chat.completion.chunk"));
        sawUsage = sawUsage || chunk.value(u"usage").isObject();
        const QJsonObject choice = chunk.value(u"choices").toArray().at(0).toObject();
        if (choice.value(u"finish_reason").isString())
            finish = choice.value(u"finish_reason").toString();
        for (const QJsonValue value : choice.value(u"delta").toObject().value(u"tool_calls").toArray()) {
            const QJsonObject delta = value.toObject();
            QJsonObject &call = calls[delta.value(u"index").toInt()];
            if (delta.contains(u"id"))
                call.insert(u"id", delta.value(u"id"));
            const QJsonObject function = delta.value(u"function").toObject();
            if (function.contains(u"name"))
                call.insert(u"name", function.value(u"name"));
            call.insert(u"arguments", QString(call.value(u"arguments").toString() + function.value(u"arguments").toString()));
        }
    }
    EXPECT_TRUE(sawDone);
    EXPECT_TRUE(sawUsage);
    EXPECT_EQ(finish, s("tool_calls"));
    ASSERT_EQ(calls.size(), 2);
    EXPECT_EQ(calls.keys(), (QList<int>{0, 1}));
    EXPECT_NE(calls[0].value(u"id"), calls[1].value(u"id"));
    EXPECT_EQ(QJsonDocument::fromJson(calls[1].value(u"arguments").toString().toUtf8()).object().value(u"command").toString(), s("pwd"));

    // The next turn sends the calls and their results back: Gemini gets its signatures again.
    QJsonObject next = openAiRequest(s("flash"), false, true);
    QJsonArray messages = next.value(u"messages").toArray();
    QJsonArray toolCalls;
    for (int i : {0, 1}) {
        toolCalls.append(QJsonObject{{QStringLiteral("id"), calls[i].value(u"id")},
                                     {QStringLiteral("type"), QStringLiteral("function")},
                                     {QStringLiteral("function"), QJsonObject{{QStringLiteral("name"), calls[i].value(u"name")},
                                                                              {QStringLiteral("arguments"), calls[i].value(u"arguments")}}}});
    }
    messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), QJsonValue()},
                                {QStringLiteral("tool_calls"), toolCalls}});
    for (int i : {0, 1}) {
        messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("tool")},
                                    {QStringLiteral("tool_call_id"), calls[i].value(u"id")},
                                    {QStringLiteral("content"), i == 0 ? QStringLiteral("a.txt") : QStringLiteral("/home")}});
    }
    next.insert(u"messages", messages);
    MockBehaviour loop;
    loop.toolLoop = true;
    m_mock.pushBehaviour(loop);
    const HttpResult second = post(s("/v1/chat/completions"), next);
    ASSERT_EQ(second.status, 200) << second.body.toStdString();
    EXPECT_TRUE(second.json().value(u"choices").toArray().at(0).toObject().value(u"message").toObject()
                    .value(u"content").toString().startsWith(u"Done: "));

    const QJsonArray contents = m_mock.lastRequest().json().value(u"contents").toArray();
    QStringList signatures, responses;
    for (const QJsonValue content : contents) {
        for (const QJsonValue part : content.toObject().value(u"parts").toArray()) {
            const QJsonObject p = part.toObject();
            if (p.contains(u"functionCall"))
                signatures << p.value(u"thoughtSignature").toString();
            if (p.contains(u"functionResponse"))
                responses << p.value(u"functionResponse").toObject().value(u"name").toString();
        }
    }
    EXPECT_EQ(signatures, (QStringList{s("sig-0"), s("sig-1")}));
    EXPECT_EQ(responses, (QStringList{s("run_shell"), s("run_shell")}));
}

TEST_F(TranslationTest, OpenAiStreamCarriesAnthropicThinkingAsReasoningContent)
{
    addChannel(ChannelType::Anthropic, s("gpt-4o"), s("claude-up"));
    MockBehaviour b;
    b.thinking = "Let me think about it";
    b.reasoningTokens = 6;
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), true, false));
    ASSERT_EQ(r.status, 200);
    QString reasoning, content;
    for (const QByteArray &data : r.sseData()) {
        const QJsonObject delta = QJsonDocument::fromJson(data).object().value(u"choices").toArray().at(0).toObject()
                                      .value(u"delta").toObject();
        reasoning += delta.value(u"reasoning_content").toString();
        content += delta.value(u"content").toString();
        if (!delta.value(u"reasoning_content").toString().isEmpty()) {
            EXPECT_TRUE(content.isEmpty()) << "thinking arrived after the text";
        }
    }
    EXPECT_EQ(reasoning, s("Let me think about it"));
    EXPECT_EQ(content, s("Hello from the mock upstream"));
    EXPECT_FALSE(content.contains(u"think")); // thinking never leaks into the text
}

TEST_F(TranslationTest, UpstreamErrorsReachTheClientInItsOwnShape)
{
    addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    addChannel(ChannelType::Gemini, s("flash"), s("gemini-up"));
    startGateway();

    MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "7"}};
    m_mock.pushBehaviour(limited);
    const HttpResult r = post(s("/v1/messages"), anthropicRequest(s("sonnet"), false, false), anthropicHeaders());
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.header("retry-after"), QByteArrayLiteral("7"));
    EXPECT_EQ(r.json().value(u"type").toString(), s("error"));
    EXPECT_EQ(r.json().value(u"error").toObject().value(u"type").toString(), s("rate_limit_error"));
    EXPECT_FALSE(r.json().value(u"error").toObject().value(u"message").toString().isEmpty());

    MockBehaviour invalid;
    invalid.status = 400;
    m_mock.pushBehaviour(invalid);
    const HttpResult g = post(s("/v1/chat/completions"), openAiRequest(s("flash"), false, false));
    EXPECT_EQ(g.status, 400);
    EXPECT_EQ(g.json().value(u"error").toObject().value(u"type").toString(), s("invalid_request_error"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].status, 429);
    EXPECT_EQ(rows[1].status, 400);
}

TEST_F(TranslationTest, AnthropicToAnthropicPassesTheBodyThroughAndFiltersBetas)
{
    Channel channel = addChannel(ChannelType::Anthropic, s("sonnet"), s("claude-up"));
    channel.stripBetas = {s("context-management-2025-06-27")};
    m_tarn.updateChannel(channel);
    startGateway();

    QJsonObject body = anthropicRequest(s("sonnet"), true, true);
    body.insert(u"context_management", QJsonObject{{QStringLiteral("edits"), QJsonArray{}}});
    body.insert(u"thinking", QJsonObject{{QStringLiteral("type"), QStringLiteral("enabled")}, {QStringLiteral("budget_tokens"), 512}});
    HttpHeaders headers = anthropicHeaders();
    headers.append({QByteArrayLiteral("anthropic-beta"), QByteArrayLiteral("claude-code-20250219,context-management-2025-06-27")});
    const HttpStreamResult r = postStream(s("/v1/messages"), body, headers);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(eventTypes(sseEvents(r.body)).last(), s("message_stop"));

    const MockRequest sent = m_mock.lastRequest();
    QJsonObject expected = body;
    expected.insert(u"model", s("claude-up"));
    EXPECT_EQ(sent.json(), expected); // everything Tarn does not know survives, untouched
    EXPECT_EQ(sent.header("anthropic-beta"), QByteArrayLiteral("claude-code-20250219"));
    EXPECT_EQ(sent.header("anthropic-version"), QByteArrayLiteral("2023-06-01"));
    EXPECT_EQ(sent.header("x-api-key"), QByteArrayLiteral("sk-upstream-anthropic"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].channelFormat, s("anthropic"));
    EXPECT_GT(rows[0].completionTokens, 0);
}

TEST_F(TranslationTest, CountTokensAsksTheChannelOrEstimates)
{
    addChannel(ChannelType::OpenAI, s("oa-model"));
    addChannel(ChannelType::Anthropic, s("an-model"));
    addChannel(ChannelType::Gemini, s("ge-model"));
    startGateway();

    QJsonObject body = anthropicRequest(s("oa-model"), false, true);
    body.remove(u"max_tokens");
    body.remove(u"stream");
    const HttpResult estimated = post(s("/v1/messages/count_tokens?beta=true"), body, anthropicHeaders());
    ASSERT_EQ(estimated.status, 200) << estimated.body.toStdString();
    EXPECT_GT(estimated.json().value(u"input_tokens").toInt(), 10);
    EXPECT_EQ(m_mock.requestCount(), 0); // OpenAI channels have no counting endpoint

    body.insert(u"model", s("an-model"));
    const HttpResult anthropic = post(s("/v1/messages/count_tokens?beta=true"), body, anthropicHeaders());
    ASSERT_EQ(anthropic.status, 200);
    EXPECT_EQ(m_mock.lastRequest().path, QByteArrayLiteral("/v1/messages/count_tokens"));
    EXPECT_GT(anthropic.json().value(u"input_tokens").toInt(), 7);

    body.insert(u"model", s("ge-model"));
    const HttpResult gemini = post(s("/v1/messages/count_tokens"), body, anthropicHeaders());
    ASSERT_EQ(gemini.status, 200);
    EXPECT_EQ(m_mock.lastRequest().path, QByteArrayLiteral("/v1beta/models/ge-model:countTokens"));
    EXPECT_GT(gemini.json().value(u"input_tokens").toInt(), 7);

    const HttpResult bad = post(s("/v1/messages/count_tokens"), QJsonObject{{QStringLiteral("model"), 3}}, anthropicHeaders());
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.json().value(u"error").toObject().value(u"type").toString(), s("invalid_request_error"));
    EXPECT_TRUE(m_tarn.usageRows().isEmpty()); // counting is not a completion
}

TEST_F(TranslationTest, ModelListInAnthropicsShapeForAnthropicClients)
{
    addChannel(ChannelType::Gemini, s("sonnet"), s("gemini-up"));
    startGateway();
    const HttpResult anthropic = m_client.request("GET", m_tarn.url(s("/v1/models")), {}, anthropicHeaders());
    ASSERT_EQ(anthropic.status, 200);
    const QJsonObject list = anthropic.json();
    EXPECT_FALSE(list.value(u"has_more").toBool(true));
    QStringList ids;
    for (const QJsonValue model : list.value(u"data").toArray()) {
        EXPECT_EQ(model.toObject().value(u"type").toString(), s("model"));
        ids << model.toObject().value(u"id").toString();
    }
    EXPECT_TRUE(ids.contains(s("sonnet")));
    EXPECT_EQ(list.value(u"first_id").toString(), ids.first());

    const HttpResult openAi = m_client.request("GET", m_tarn.url(s("/v1/models")));
    EXPECT_EQ(openAi.json().value(u"object").toString(), s("list"));
}

TEST_F(TranslationTest, BadAnthropicRequestsGetAnthropicErrors)
{
    addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    startGateway();
    const QByteArray duplicate = R"({"model":"sonnet","model":"gpt-5-pro","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
    for (const QByteArray &body : {duplicate, QByteArray("not json"), QByteArray(R"({"model":"sonnet","max_tokens":5})"),
                                   QByteArray(R"({"model":"sonnet","messages":[{"role":"robot","content":"x"}]})")}) {
        const HttpResult r = m_client.request("POST", m_tarn.url(s("/v1/messages")), body, anthropicHeaders());
        EXPECT_EQ(r.status, 400) << body.toStdString();
        EXPECT_EQ(r.json().value(u"type").toString(), s("error")) << r.body.toStdString();
        EXPECT_EQ(r.json().value(u"error").toObject().value(u"type").toString(), s("invalid_request_error"));
    }
    const HttpResult key = post(s("/v1/messages"), anthropicRequest(s("sonnet"), false, false),
                                {{"x-api-key", "tarn-not-a-real-key"}});
    EXPECT_EQ(key.status, 401);
    EXPECT_EQ(key.json().value(u"error").toObject().value(u"type").toString(), s("authentication_error"));
    const HttpResult unknown = post(s("/v1/messages"), anthropicRequest(s("nobody-serves-this"), false, false));
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.json().value(u"error").toObject().value(u"type").toString(), s("not_found_error"));
    EXPECT_EQ(m_mock.requestCount(), 0);
}

TEST_F(TranslationTest, ChannelParameterOverridesReachTheUpstream)
{
    Channel channel = addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    channel.params.set.insert(s("temperature"), "1");
    channel.params.drop = {s("tool_choice")};
    m_tarn.updateChannel(channel);
    startGateway();

    QJsonObject body = anthropicRequest(s("sonnet"), false, true);
    body.insert(u"temperature", 0);
    body.insert(u"tool_choice", QJsonObject{{QStringLiteral("type"), QStringLiteral("auto")}});
    ASSERT_EQ(post(s("/v1/messages"), body, anthropicHeaders()).status, 200);
    const QJsonObject sent = m_mock.lastRequest().json();
    EXPECT_EQ(sent.value(u"temperature").toInt(), 1);
    EXPECT_FALSE(sent.contains(u"tool_choice"));
    EXPECT_TRUE(sent.contains(u"tools"));
}

TEST_F(TranslationTest, AStreamCutShortEndsWithTheClientsErrorEvent)
{
    addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    MockBehaviour b;
    b.streamEventsBeforeClose = 3;
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/messages"), anthropicRequest(s("sonnet"), true, false), anthropicHeaders());
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    const QList<SseEvent> events = sseEvents(r.body);
    ASSERT_FALSE(events.isEmpty());
    EXPECT_EQ(events.first().json().value(u"type").toString(), s("message_start"));
    EXPECT_EQ(events.last().name, QByteArrayLiteral("error"));
    EXPECT_EQ(events.last().json().value(u"error").toObject().value(u"type").toString(), s("api_error"));
    EXPECT_FALSE(eventTypes(events).contains(s("message_stop")));
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 502);
}

TEST_F(TranslationTest, FailoverCrossesFormats)
{
    Channel anthropic = addChannel(ChannelType::Anthropic, s("sonnet"), s("claude-up"));
    anthropic.priority = 1;
    m_tarn.updateChannel(anthropic);
    addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    MockBehaviour overloaded;
    overloaded.status = 529;
    m_mock.pushBehaviour(overloaded);
    startGateway();

    const HttpResult r = post(s("/v1/messages"), anthropicRequest(s("sonnet"), false, false), anthropicHeaders());
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_EQ(r.json().value(u"content").toArray().at(0).toObject().value(u"text").toString(), s("Hello from the mock upstream"));
    const QList<MockRequest> sent = m_mock.requests();
    ASSERT_EQ(sent.size(), 2);
    EXPECT_EQ(sent[0].path, QByteArrayLiteral("/v1/messages"));
    EXPECT_EQ(sent[1].path, QByteArrayLiteral("/v1/chat/completions"));
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].attempts, 2);
    EXPECT_EQ(rows[0].channelFormat, s("openai"));
}

TEST_F(TranslationTest, GeminiClientStreamsFromAnOpenAiChannelWithItsOwnKeyHeader)
{
    addChannel(ChannelType::OpenAI, s("flash"), s("gpt-up"));
    const QString key = m_tarn.createKey(s("gemini-cli"));
    MockBehaviour b;
    b.toolCalls = {{"run_shell", R"({"command":"ls"})"}};
    m_mock.pushBehaviour(b);
    startGateway();

    const QJsonObject body{
        {QStringLiteral("contents"),
         QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                {QStringLiteral("parts"), QJsonArray{QJsonObject{{QStringLiteral("text"), QStringLiteral("list files")}}}}}}},
        {QStringLiteral("tools"),
         QJsonArray{QJsonObject{{QStringLiteral("functionDeclarations"),
                                 QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("run_shell")},
                                                        {QStringLiteral("parametersJsonSchema"),
                                                         QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}}}}}}}}},
    };
    const HttpStreamResult r = postStream(s("/v1beta/models/flash:streamGenerateContent?alt=sse"), body,
                                          {{"x-goog-api-key", key.toUtf8()}});
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    QJsonObject call;
    QString finish;
    for (const SseEvent &event : sseEvents(r.body)) {
        const QJsonObject candidate = event.json().value(u"candidates").toArray().at(0).toObject();
        if (candidate.contains(u"finishReason"))
            finish = candidate.value(u"finishReason").toString();
        for (const QJsonValue part : candidate.value(u"content").toObject().value(u"parts").toArray()) {
            if (part.toObject().contains(u"functionCall"))
                call = part.toObject().value(u"functionCall").toObject();
        }
    }
    EXPECT_EQ(call.value(u"name").toString(), s("run_shell"));
    EXPECT_EQ(call.value(u"args").toObject().value(u"command").toString(), s("ls"));
    EXPECT_EQ(finish, s("STOP"));
    EXPECT_EQ(m_mock.lastRequest().json().value(u"model").toString(), s("gpt-up"));
    EXPECT_TRUE(m_mock.lastRequest().json().value(u"stream").toBool());

    // The key in the query string works too; a wrong one is refused in Gemini's shape.
    const HttpResult plain = post(s("/v1beta/models/flash:generateContent?key=") + key, body);
    EXPECT_EQ(plain.status, 200) << plain.body.toStdString();
    const HttpResult wrong = post(s("/v1beta/models/flash:generateContent"), body, {{"x-goog-api-key", "tarn-wrong"}});
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.json().value(u"error").toObject().value(u"status").toString(), s("UNAUTHENTICATED"));
    const HttpResult count = post(s("/v1beta/models/flash:countTokens"), body, {{"x-goog-api-key", key.toUtf8()}});
    EXPECT_GT(count.json().value(u"totalTokens").toInt(), 0);

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 3);
    EXPECT_EQ(rows[0].inboundFormat, s("gemini"));
    EXPECT_EQ(rows[0].endpoint, s("/v1beta/models/{model}:streamGenerateContent"));
    EXPECT_EQ(rows[0].requestedModel, s("flash"));
    EXPECT_EQ(rows[2].status, 401);
}

// A reasoning model behind an OpenAI-compatible provider thinks quietly, the provider sending
// keep-alive comments meanwhile: an Anthropic client hears pings, so its idle timeout does not
// trip, and the answer that follows is whole.
TEST_F(TranslationTest, UpstreamKeepAlivesReachAnAnthropicClientAsPings)
{
    addChannel(ChannelType::OpenAI, s("sonnet"), s("gpt-up"));
    const auto chunk = [](const QByteArray &delta, const QByteArray &finish) -> QByteArray {
        return R"(data: {"id":"chatcmpl-k","object":"chat.completion.chunk","created":1,"model":"gpt-up","choices":[{"index":0,"delta":)"
            + delta + R"(,"finish_reason":)" + finish + "}]}\n\n";
    };
    MockBehaviour b;
    b.rawEvents = {chunk(R"({"role":"assistant","content":""})", "null"), ": keep-alive\n\n", ": keep-alive\n\n",
                   ": keep-alive\n\n", chunk(R"({"content":"Done thinking."})", "null"), chunk("{}", R"("stop")"),
                   "data: [DONE]\n\n"};
    b.chunkDelayMs = 20;
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/messages"), anthropicRequest(s("sonnet"), true, false), anthropicHeaders());
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    const QList<SseEvent> events = sseEvents(r.body);
    const QStringList types = eventTypes(events);
    // message_start and its ping, then one ping per upstream comment, before the text.
    ASSERT_GE(types.size(), 5) << types.join(u' ').toStdString();
    EXPECT_EQ(types.mid(0, 5), (QStringList{s("message_start"), s("ping"), s("ping"), s("ping"), s("ping")}))
        << types.join(u' ').toStdString();
    EXPECT_EQ(types.last(), s("message_stop"));
    QString text;
    for (const SseEvent &event : events) {
        const QJsonObject delta = event.json().value(u"delta").toObject();
        if (delta.value(u"type") == s("text_delta"))
            text += delta.value(u"text").toString();
    }
    EXPECT_EQ(text, s("Done thinking."));
}

// Gemini CLI sends its calls back with a placeholder thoughtSignature; a channel of another format
// must get the call ids as they were, never longer (OpenAI refuses ids over 40 characters).
TEST_F(TranslationTest, GeminiClientsSignaturesStayOffAnotherFormatsCallIds)
{
    addChannel(ChannelType::OpenAI, s("flash"), s("gpt-up"));
    addChannel(ChannelType::Anthropic, s("flash-an"), s("claude-up"));
    MockBehaviour b;
    b.toolCallWhenToolsDeclared = false;
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const QJsonObject body = QJsonDocument::fromJson(R"({
        "contents": [
            {"role": "user", "parts": [{"text": "list files"}]},
            {"role": "model", "parts": [{"functionCall": {"id": "call_mock1_0", "name": "run_shell_command",
                                                          "args": {"command": "ls"}},
                                         "thoughtSignature": "skip_thought_signature_validator"}]},
            {"role": "user", "parts": [{"functionResponse": {"id": "call_mock1_0", "name": "run_shell_command",
                                                             "response": {"output": "a.txt"}}}]}],
        "tools": [{"functionDeclarations": [{"name": "run_shell_command",
                                             "parametersJsonSchema": {"type": "object"}}]}]
    })").object();
    ASSERT_EQ(post(s("/v1beta/models/flash:generateContent"), body).status, 200);
    const QJsonArray messages = m_mock.lastRequest().json().value(u"messages").toArray();
    ASSERT_EQ(messages.size(), 3) << QJsonDocument(messages).toJson().toStdString();
    EXPECT_EQ(messages[1].toObject().value(u"tool_calls").toArray()[0].toObject().value(u"id").toString(), s("call_mock1_0"));
    EXPECT_EQ(messages[2].toObject().value(u"tool_call_id").toString(), s("call_mock1_0"));

    ASSERT_EQ(post(s("/v1beta/models/flash-an:generateContent"), body).status, 200);
    const QJsonArray turns = m_mock.lastRequest().json().value(u"messages").toArray();
    ASSERT_EQ(turns.size(), 3);
    EXPECT_EQ(turns[1].toObject().value(u"content").toArray()[0].toObject().value(u"id").toString(), s("call_mock1_0"));
    EXPECT_EQ(turns[2].toObject().value(u"content").toArray()[0].toObject().value(u"tool_use_id").toString(),
              s("call_mock1_0"));
}
