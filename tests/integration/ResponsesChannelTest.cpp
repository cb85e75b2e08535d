// SPDX-License-Identifier: GPL-3.0-or-later
// End to end over real HTTP: OpenAI Chat, Anthropic and Gemini clients in front of an OpenAI
// channel set to the Responses API (what OpenAI's Codex models need), the mock upstream speaking
// the Responses API apart from Tarn's translators: the exact answer and events the client
// receives, what the upstream was sent, failover and errors, a stream cut short, the usage row.
#include "tests/integration/TranslationTestSupport.h"
#include "tests/support/GTestQtPrinters.h"

#include <QJsonArray>

using namespace tarn::gateway;
using namespace tarn::test;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

HttpHeaders anthropicHeaders()
{
    return {{"anthropic-version", "2023-06-01"}};
}

// A message's text, whichever way the Responses API lets it be written: a string, or parts
// carrying "text" (input_text, output_text).
QString itemText(const QJsonObject &item)
{
    const QJsonValue content = item.value(u"content");
    if (content.isString())
        return content.toString();
    QString text;
    for (const QJsonValue part : content.toArray())
        text += part.toObject().value(u"text").toString();
    return text;
}

// One word per OpenAI chunk, so a sequence compares exactly: "role", "text:<piece>",
// "finish:<reason>", "usage:<prompt>/<completion>/<total>", "[DONE]", joined by '+' within a chunk.
QStringList chatChunkShapes(const HttpStreamResult &r)
{
    QStringList shapes;
    for (const QByteArray &data : r.sseData()) {
        if (data == "[DONE]") {
            shapes << s("[DONE]");
            continue;
        }
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        QStringList parts;
        const QJsonArray choices = chunk.value(u"choices").toArray();
        if (!choices.isEmpty()) {
            const QJsonObject choice = choices.at(0).toObject();
            const QJsonObject delta = choice.value(u"delta").toObject();
            if (delta.contains(u"role"))
                parts << s("role");
            if (!delta.value(u"content").toString().isEmpty())
                parts << s("text:") + delta.value(u"content").toString();
            if (delta.contains(u"tool_calls"))
                parts << s("tool");
            if (choice.value(u"finish_reason").isString())
                parts << s("finish:") + choice.value(u"finish_reason").toString();
        }
        const QJsonObject usage = chunk.value(u"usage").toObject();
        if (!usage.isEmpty()) {
            parts << s("usage:%1/%2/%3")
                         .arg(usage.value(u"prompt_tokens").toInt())
                         .arg(usage.value(u"completion_tokens").toInt())
                         .arg(usage.value(u"total_tokens").toInt());
        }
        if (chunk.contains(u"error"))
            parts << s("error");
        shapes << parts.join(u'+');
    }
    return shapes;
}

// A Codex turn, trimmed: its shell tool, apply_patch as a custom tool with a Lark grammar, and the
// settings it always sends.
QJsonObject codexRequest(bool stream)
{
    QJsonObject body = QJsonDocument::fromJson(QByteArray(R"({
        "model": "codex",
        "instructions": "You are Codex, a coding agent.",
        "input": [{"type": "message", "role": "user",
                   "content": [{"type": "input_text", "text": "List the files here"}]}],
        "tools": [
            {"type": "function", "name": "exec_command", "description": "Runs a command", "strict": false,
             "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}},
            {"type": "custom", "name": "apply_patch", "description": "Apply a patch",
             "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk+ end_patch"}}
        ],
        "tool_choice": "auto",
        "parallel_tool_calls": false,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "store": false,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "0199c3a0-codex-session"
    })")).object();
    body.insert(u"stream", stream);
    return body;
}

class ResponsesChannelTest : public TranslationTest
{
protected:
    // An OpenAI channel on the Responses API: calls go to {base}/responses with a Bearer key.
    Channel addResponsesChannel(const QString &model, const QString &upstreamModel, int priority = 0)
    {
        Channel channel;
        channel.type = ChannelType::OpenAI;
        channel.openAiApi = OpenAiApi::Responses;
        channel.name = s("responses-") + model;
        channel.baseUrl = m_mock.baseUrl();
        channel.models = {upstreamModel};
        channel.modelMap.insert(model, upstreamModel);
        channel.keys = {s("sk-upstream-responses")};
        channel.priority = priority;
        return m_tarn.addChannel(std::move(channel));
    }

    // The request the Responses channel received (checks the path and key on the way).
    QJsonObject sentToResponses()
    {
        const MockRequest sent = m_mock.lastRequest();
        EXPECT_EQ(sent.path, QByteArrayLiteral("/v1/responses"));
        EXPECT_EQ(sent.format(), QByteArrayLiteral("responses"));
        EXPECT_EQ(sent.header("authorization"), QByteArrayLiteral("Bearer sk-upstream-responses"));
        return sent.json();
    }
};

// "Be brief." + "List the files here": 28 bytes, P = 28 / 4 + 7.
constexpr int kOpenAiPrompt = 14;
// "You are a coding agent." + "List the files here": 42 bytes.
constexpr int kAnthropicPrompt = 17;

} // namespace

// The mock's side alone, so a failure below is Tarn's: its Response object and its events.
TEST_F(ResponsesChannelTest, MockSpeaksTheResponsesApi)
{
    const QJsonObject request{
        {s("model"), s("gpt-5-codex")},
        {s("instructions"), s("Be brief.")},
        {s("input"), QJsonArray{QJsonObject{{s("role"), s("user")},
                                            {s("content"), QJsonArray{QJsonObject{{s("type"), s("input_text")},
                                                                                  {s("text"), s("List the files here")}}}}}}},
    };
    const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
    const HttpResult plain = m_client.request("POST", m_mock.baseUrl() + s("/responses"), body);
    ASSERT_EQ(plain.status, 200);
    const QJsonObject answer = plain.json();
    EXPECT_EQ(answer.value(u"object").toString(), s("response"));
    EXPECT_EQ(answer.value(u"id").toString(), s("resp_mock1"));
    EXPECT_EQ(answer.value(u"status").toString(), s("completed"));
    const QJsonObject message = answer.value(u"output").toArray().at(0).toObject();
    EXPECT_EQ(message.value(u"type").toString(), s("message"));
    EXPECT_EQ(itemText(message), s("Hello from the mock upstream"));
    const QJsonObject usage = answer.value(u"usage").toObject();
    EXPECT_EQ(usage.value(u"input_tokens").toInt(), kOpenAiPrompt);
    EXPECT_EQ(usage.value(u"output_tokens").toInt(), 5);
    EXPECT_EQ(usage.value(u"total_tokens").toInt(), kOpenAiPrompt + 5);

    QJsonObject streamed = request;
    streamed.insert(u"stream", true);
    const HttpStreamResult r = m_client.stream("POST", m_mock.baseUrl() + s("/responses"),
                                               QJsonDocument(streamed).toJson(QJsonDocument::Compact));
    ASSERT_EQ(r.status, 200);
    const QList<SseEvent> events = sseEvents(r.body);
    const QStringList types = eventTypes(events);
    EXPECT_EQ(types, (QStringList{s("response.created"), s("response.in_progress"), s("response.output_item.added"),
                                  s("response.content_part.added"), s("response.output_text.delta"),
                                  s("response.output_text.delta"), s("response.output_text.delta"),
                                  s("response.output_text.delta"), s("response.output_text.delta"),
                                  s("response.output_text.done"), s("response.content_part.done"),
                                  s("response.output_item.done"), s("response.completed")}));
    for (int i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].json().value(u"sequence_number").toInt(-1), i);
        EXPECT_EQ(QString::fromLatin1(events[i].name), types[i]);
    }
    EXPECT_EQ(m_mock.lastRequest().format(), QByteArrayLiteral("responses"));
}

// The mock's reasoning item and function calls, as Codex reads them.
TEST_F(ResponsesChannelTest, MockAnswersWithReasoningAndFunctionCalls)
{
    MockBehaviour b;
    b.thinking = "Check the tree";
    b.reasoningTokens = 3;
    b.toolCalls = {{"exec_command", R"({"cmd":"ls"})"}};
    m_mock.setDefaultBehaviour(b);
    const QJsonObject request{
        {s("model"), s("gpt-5-codex")},
        {s("input"), s("List the files here")},
        {s("include"), QJsonArray{s("reasoning.encrypted_content")}},
        {s("tools"), QJsonArray{QJsonObject{{s("type"), s("function")}, {s("name"), s("exec_command")}}}},
    };
    const HttpResult plain = m_client.request("POST", m_mock.baseUrl() + s("/responses"),
                                              QJsonDocument(request).toJson(QJsonDocument::Compact));
    ASSERT_EQ(plain.status, 200);
    const QJsonArray output = plain.json().value(u"output").toArray();
    ASSERT_EQ(output.size(), 2);
    const QJsonObject reasoning = output.at(0).toObject();
    EXPECT_EQ(reasoning.value(u"type").toString(), s("reasoning"));
    EXPECT_EQ(reasoning.value(u"summary").toArray().at(0).toObject().value(u"text").toString(), s("Check the tree"));
    EXPECT_EQ(reasoning.value(u"encrypted_content").toString(), s("mockenc"));
    const QJsonObject call = output.at(1).toObject();
    EXPECT_EQ(call.value(u"type").toString(), s("function_call"));
    EXPECT_EQ(call.value(u"call_id").toString(), s("call_mock1_0"));
    EXPECT_EQ(call.value(u"arguments").toString(), s(R"({"cmd":"ls"})"));
    const QJsonObject usage = plain.json().value(u"usage").toObject();
    EXPECT_EQ(usage.value(u"output_tokens").toInt(), 3 + 3); // three argument fragments + R
    EXPECT_EQ(usage.value(u"output_tokens_details").toObject().value(u"reasoning_tokens").toInt(), 3);

    QJsonObject streamed = request;
    streamed.insert(u"stream", true);
    const HttpStreamResult r = m_client.stream("POST", m_mock.baseUrl() + s("/responses"),
                                               QJsonDocument(streamed).toJson(QJsonDocument::Compact));
    const QStringList types = eventTypes(sseEvents(r.body));
    EXPECT_EQ(types, (QStringList{s("response.created"), s("response.in_progress"), s("response.output_item.added"),
                                  s("response.reasoning_summary_part.added"), s("response.reasoning_summary_text.delta"),
                                  s("response.reasoning_summary_text.delta"), s("response.reasoning_summary_text.delta"),
                                  s("response.reasoning_summary_text.done"), s("response.reasoning_summary_part.done"),
                                  s("response.output_item.done"), s("response.output_item.added"),
                                  s("response.function_call_arguments.delta"), s("response.function_call_arguments.delta"),
                                  s("response.function_call_arguments.delta"), s("response.function_call_arguments.done"),
                                  s("response.output_item.done"), s("response.completed")}));
}

TEST_F(ResponsesChannelTest, OpenAiClientGetsAnAnswerFromAResponsesChannel)
{
    addResponsesChannel(s("gpt-4o"), s("gpt-5-codex"));
    MockBehaviour b;
    b.toolCallWhenToolsDeclared = false; // tools declared, the model answers in words
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpResult r = post(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), false, true));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    const QJsonObject answer = r.json();
    EXPECT_EQ(answer.value(u"object").toString(), s("chat.completion"));
    EXPECT_EQ(answer.value(u"model").toString(), s("gpt-4o"));
    const QJsonObject choice = answer.value(u"choices").toArray().at(0).toObject();
    EXPECT_EQ(choice.value(u"message").toObject().value(u"role").toString(), s("assistant"));
    EXPECT_EQ(choice.value(u"message").toObject().value(u"content").toString(), s("Hello from the mock upstream"));
    EXPECT_EQ(choice.value(u"finish_reason").toString(), s("stop"));
    const QJsonObject usage = answer.value(u"usage").toObject();
    EXPECT_EQ(usage.value(u"prompt_tokens").toInt(), kOpenAiPrompt);
    EXPECT_EQ(usage.value(u"completion_tokens").toInt(), 5);
    EXPECT_EQ(usage.value(u"total_tokens").toInt(), kOpenAiPrompt + 5);

    const QJsonObject body = sentToResponses();
    EXPECT_EQ(body.value(u"model").toString(), s("gpt-5-codex"));
    EXPECT_EQ(body.value(u"instructions").toString(), s("Be brief."));
    EXPECT_FALSE(body.value(u"stream").toBool());
    EXPECT_EQ(body.value(u"store"), QJsonValue(false)) << "Tarn keeps no conversation at the provider";
    EXPECT_FALSE(body.contains(u"messages"));
    const QJsonArray input = body.value(u"input").toArray();
    ASSERT_EQ(input.size(), 1) << QJsonDocument(body).toJson().toStdString();
    const QJsonObject user = input.at(0).toObject();
    EXPECT_EQ(user.value(u"role").toString(), s("user"));
    EXPECT_EQ(itemText(user), s("List the files here"));
    const QJsonArray tools = body.value(u"tools").toArray();
    ASSERT_EQ(tools.size(), 1);
    const QJsonObject tool = tools.at(0).toObject();
    EXPECT_EQ(tool.value(u"type").toString(), s("function"));
    EXPECT_EQ(tool.value(u"name").toString(), s("run_shell")); // flat, not under "function"
    EXPECT_EQ(tool.value(u"description").toString(), s("Run a shell command"));
    EXPECT_EQ(tool.value(u"parameters").toObject().value(u"type").toString(), s("object"));
    EXPECT_FALSE(tool.contains(u"function"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].inboundFormat, s("openai"));
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_FALSE(rows[0].stream);
    EXPECT_EQ(rows[0].upstreamModel, s("gpt-5-codex"));
    EXPECT_EQ(rows[0].promptTokens, kOpenAiPrompt);
    EXPECT_EQ(rows[0].completionTokens, 5);
}

TEST_F(ResponsesChannelTest, OpenAiClientStreamsFromAResponsesChannelWithUsage)
{
    addResponsesChannel(s("gpt-4o"), s("gpt-5-codex"));
    MockBehaviour b;
    b.cachedTokens = 4;
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), true, false));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.header("content-type").startsWith("text/event-stream"));
    const QStringList expected{s("role"),
                               s("text:Hello"),
                               s("text: from"),
                               s("text: the"),
                               s("text: mock"),
                               s("text: upstream"),
                               s("finish:stop"),
                               s("usage:%1/5/%2").arg(kOpenAiPrompt).arg(kOpenAiPrompt + 5),
                               s("[DONE]")};
    EXPECT_EQ(chatChunkShapes(r), expected) << r.body.toStdString();
    QString usageChunkCached;
    for (const QByteArray &data : r.sseData()) {
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        if (data == "[DONE]")
            continue;
        EXPECT_EQ(chunk.value(u"object").toString(), s("chat.completion.chunk"));
        EXPECT_EQ(chunk.value(u"model").toString(), s("gpt-4o"));
        const QJsonObject usage = chunk.value(u"usage").toObject();
        if (!usage.isEmpty()) {
            EXPECT_TRUE(chunk.value(u"choices").toArray().isEmpty());
            EXPECT_EQ(usage.value(u"prompt_tokens_details").toObject().value(u"cached_tokens").toInt(), 4);
        }
    }

    const QJsonObject body = sentToResponses();
    EXPECT_TRUE(body.value(u"stream").toBool());
    EXPECT_FALSE(body.contains(u"stream_options")) << "a Chat Completions member the Responses API refuses";
    EXPECT_EQ(body.value(u"store"), QJsonValue(false));
    EXPECT_EQ(body.value(u"instructions").toString(), s("Be brief."));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_TRUE(rows[0].stream);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].inboundFormat, s("openai"));
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
    EXPECT_EQ(rows[0].promptTokens, kOpenAiPrompt);
    EXPECT_EQ(rows[0].completionTokens, 5);
    EXPECT_EQ(rows[0].cachedTokens, 4);
}

TEST_F(ResponsesChannelTest, AnthropicStreamOfParallelToolCallsFromAResponsesChannel)
{
    addResponsesChannel(s("sonnet"), s("gpt-5-codex"));
    MockBehaviour b;
    b.toolCalls = {{"Bash", R"({"command":"ls -la"})"}, {"Bash", R"({"command":"pwd"})"}};
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/messages"), anthropicRequest(s("sonnet"), true, true), anthropicHeaders());
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.complete);
    const QList<SseEvent> events = sseEvents(r.body);
    const QStringList types = eventTypes(events);
    // Each call's arguments arrive in three fragments (the mock splits them so), one delta each.
    const QStringList expected{s("message_start"),       s("ping"),
                               s("content_block_start"), s("content_block_delta"), s("content_block_delta"),
                               s("content_block_delta"), s("content_block_stop"),
                               s("content_block_start"), s("content_block_delta"), s("content_block_delta"),
                               s("content_block_delta"), s("content_block_stop"),
                               s("message_delta"),       s("message_stop")};
    EXPECT_EQ(types, expected) << r.body.toStdString();
    for (const SseEvent &event : events)
        EXPECT_EQ(QString::fromLatin1(event.name), event.json().value(u"type").toString());

    QList<QJsonObject> blocks;
    QMap<int, QByteArray> inputs;
    for (const SseEvent &event : events) {
        const QJsonObject data = event.json();
        if (data.value(u"type") == s("content_block_start"))
            blocks << data.value(u"content_block").toObject();
        const QJsonObject delta = data.value(u"delta").toObject();
        if (delta.value(u"type") == s("input_json_delta"))
            inputs[data.value(u"index").toInt()] += delta.value(u"partial_json").toString().toUtf8();
    }
    ASSERT_EQ(blocks.size(), 2);
    for (const QJsonObject &block : blocks) {
        EXPECT_EQ(block.value(u"type").toString(), s("tool_use"));
        EXPECT_EQ(block.value(u"name").toString(), s("Bash"));
        EXPECT_FALSE(block.value(u"id").toString().isEmpty());
    }
    EXPECT_NE(blocks[0].value(u"id"), blocks[1].value(u"id"));
    EXPECT_EQ(inputs.value(0), QByteArrayLiteral(R"({"command":"ls -la"})"));
    EXPECT_EQ(inputs.value(1), QByteArrayLiteral(R"({"command":"pwd"})"));
    const QJsonObject messageDelta = events.at(events.size() - 2).json();
    EXPECT_EQ(messageDelta.value(u"delta").toObject().value(u"stop_reason").toString(), s("tool_use"));
    EXPECT_EQ(messageDelta.value(u"usage").toObject().value(u"output_tokens").toInt(), 6);

    const QJsonObject body = sentToResponses();
    EXPECT_TRUE(body.value(u"stream").toBool());
    EXPECT_EQ(body.value(u"instructions").toString(), s("You are a coding agent."));
    EXPECT_EQ(body.value(u"max_output_tokens").toInt(), 1024);
    EXPECT_FALSE(body.contains(u"max_tokens"));
    const QJsonObject tool = body.value(u"tools").toArray().at(0).toObject();
    EXPECT_EQ(tool.value(u"type").toString(), s("function"));
    EXPECT_EQ(tool.value(u"name").toString(), s("Bash"));
    EXPECT_EQ(tool.value(u"parameters").toObject().value(u"required").toArray(), QJsonArray{s("command")});
    EXPECT_EQ(itemText(body.value(u"input").toArray().at(0).toObject()), s("List the files here"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].inboundFormat, s("anthropic"));
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
    EXPECT_EQ(rows[0].promptTokens, kAnthropicPrompt);
    EXPECT_EQ(rows[0].completionTokens, 6);
}

// An agent's next turn: the calls and their results go back as function_call and
// function_call_output items with the same call ids, and the model's answer reaches the client.
TEST_F(ResponsesChannelTest, AnthropicToolResultsGoBackAsFunctionCallOutputs)
{
    addResponsesChannel(s("sonnet"), s("gpt-5-codex"));
    MockBehaviour loop;
    loop.toolLoop = true;
    m_mock.setDefaultBehaviour(loop);
    startGateway();

    QJsonObject request = anthropicRequest(s("sonnet"), false, true);
    const HttpResult first = post(s("/v1/messages"), request, anthropicHeaders());
    ASSERT_EQ(first.status, 200) << first.body.toStdString();
    const QJsonObject call = first.json().value(u"content").toArray().at(0).toObject();
    ASSERT_EQ(call.value(u"type").toString(), s("tool_use"));
    EXPECT_EQ(call.value(u"input").toObject().value(u"command").toString(), s("echo tarn-e2e"));
    EXPECT_EQ(first.json().value(u"stop_reason").toString(), s("tool_use"));

    QJsonArray messages = request.value(u"messages").toArray();
    messages.append(QJsonObject{{s("role"), s("assistant")}, {s("content"), QJsonArray{call}}});
    messages.append(QJsonObject{
        {s("role"), s("user")},
        {s("content"), QJsonArray{QJsonObject{{s("type"), s("tool_result")},
                                              {s("tool_use_id"), call.value(u"id")},
                                              {s("content"), s("tarn-e2e")}}}}});
    request.insert(u"messages", messages);
    const HttpResult second = post(s("/v1/messages"), request, anthropicHeaders());
    ASSERT_EQ(second.status, 200) << second.body.toStdString();
    EXPECT_EQ(second.json().value(u"content").toArray().at(0).toObject().value(u"text").toString(), s("Done: tarn-e2e"));

    const QJsonArray input = sentToResponses().value(u"input").toArray();
    QString callId, outputId, output;
    for (const QJsonValue value : input) {
        const QJsonObject item = value.toObject();
        if (item.value(u"type") == s("function_call")) {
            callId = item.value(u"call_id").toString();
            EXPECT_EQ(item.value(u"name").toString(), s("Bash"));
            EXPECT_EQ(QJsonDocument::fromJson(item.value(u"arguments").toString().toUtf8()).object()
                          .value(u"command").toString(), s("echo tarn-e2e"));
        } else if (item.value(u"type") == s("function_call_output")) {
            outputId = item.value(u"call_id").toString();
            output = item.value(u"output").isString() ? item.value(u"output").toString() : itemText(QJsonObject{{s("content"), item.value(u"output")}});
        }
    }
    EXPECT_EQ(callId, s("call_mock1_0")); // the upstream's own call id, round-tripped
    EXPECT_EQ(outputId, callId);
    EXPECT_EQ(output, s("tarn-e2e"));
}

TEST_F(ResponsesChannelTest, GeminiClientGetsAnAnswerFromAResponsesChannel)
{
    addResponsesChannel(s("flash"), s("gpt-5-codex"));
    startGateway();

    const QJsonObject body{
        {s("systemInstruction"), QJsonObject{{s("parts"), QJsonArray{QJsonObject{{s("text"), s("Be brief.")}}}}}},
        {s("contents"), QJsonArray{QJsonObject{{s("role"), s("user")},
                                               {s("parts"), QJsonArray{QJsonObject{{s("text"), s("list files")}}}}}}},
        {s("generationConfig"), QJsonObject{{s("maxOutputTokens"), 256}}},
    };
    const HttpResult r = post(s("/v1beta/models/flash:generateContent"), body);
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    const QJsonObject candidate = r.json().value(u"candidates").toArray().at(0).toObject();
    EXPECT_EQ(candidate.value(u"content").toObject().value(u"role").toString(), s("model"));
    const QJsonArray parts = candidate.value(u"content").toObject().value(u"parts").toArray();
    ASSERT_EQ(parts.size(), 1) << r.body.toStdString();
    EXPECT_EQ(parts.at(0).toObject().value(u"text").toString(), s("Hello from the mock upstream"));
    EXPECT_EQ(candidate.value(u"finishReason").toString(), s("STOP"));
    const int prompt = (9 + 10) / 4 + 7;
    const QJsonObject usage = r.json().value(u"usageMetadata").toObject();
    EXPECT_EQ(usage.value(u"promptTokenCount").toInt(), prompt);
    EXPECT_EQ(usage.value(u"candidatesTokenCount").toInt(), 5);
    EXPECT_EQ(usage.value(u"totalTokenCount").toInt(), prompt + 5);

    const QJsonObject sent = sentToResponses();
    EXPECT_EQ(sent.value(u"model").toString(), s("gpt-5-codex"));
    EXPECT_EQ(sent.value(u"instructions").toString(), s("Be brief."));
    EXPECT_EQ(sent.value(u"max_output_tokens").toInt(), 256);
    EXPECT_FALSE(sent.value(u"stream").toBool());
    EXPECT_EQ(itemText(sent.value(u"input").toArray().at(0).toObject()), s("list files"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].inboundFormat, s("gemini"));
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
    EXPECT_EQ(rows[0].promptTokens, prompt);
    EXPECT_EQ(rows[0].completionTokens, 5);
}

TEST_F(ResponsesChannelTest, RateLimitedResponsesChannelFailsOverToAChatChannel)
{
    addResponsesChannel(s("gpt-4o"), s("gpt-5-codex"), 1);
    addChannel(ChannelType::OpenAI, s("gpt-4o"), s("gpt-up"));
    MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "7"}};
    m_mock.pushBehaviour(limited);
    startGateway();

    const HttpResult r = post(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), false, false));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_EQ(r.json().value(u"choices").toArray().at(0).toObject().value(u"message").toObject().value(u"content").toString(),
              s("Hello from the mock upstream"));
    const QList<MockRequest> sent = m_mock.requests();
    ASSERT_EQ(sent.size(), 2);
    EXPECT_EQ(sent[0].path, QByteArrayLiteral("/v1/responses"));
    EXPECT_EQ(sent[0].json().value(u"model").toString(), s("gpt-5-codex"));
    EXPECT_EQ(sent[1].path, QByteArrayLiteral("/v1/chat/completions"));
    EXPECT_EQ(sent[1].json().value(u"model").toString(), s("gpt-up"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].attempts, 2);
    EXPECT_EQ(rows[0].channelFormat, s("openai"));
    ASSERT_EQ(rows[0].attemptLog.size(), 2);
    EXPECT_EQ(rows[0].attemptLog[0].status, 429);

    // The Retry-After cooled the Responses channel: the next request goes straight to chat.
    m_mock.clearRequests();
    ASSERT_EQ(post(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), false, false)).status, 200);
    ASSERT_EQ(m_mock.requestCount(), 1);
    EXPECT_EQ(m_mock.lastRequest().path, QByteArrayLiteral("/v1/chat/completions"));
}

TEST_F(ResponsesChannelTest, ContextLengthErrorReachesAnOpenAiClientInItsOwnShape)
{
    addResponsesChannel(s("gpt-4o"), s("gpt-5-codex"));
    MockBehaviour tooLong;
    tooLong.status = 400;
    tooLong.body = R"({"error":{"message":"Your input exceeds the context window of this model. Please adjust your input and try again.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}})";
    m_mock.pushBehaviour(tooLong);
    startGateway();

    const HttpResult r = post(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), false, false));
    EXPECT_EQ(r.status, 400) << r.body.toStdString();
    const QJsonObject error = r.json().value(u"error").toObject();
    EXPECT_EQ(error.value(u"type").toString(), s("invalid_request_error")) << r.body.toStdString();
    EXPECT_EQ(error.value(u"code").toString(), s("context_length_exceeded")) << r.body.toStdString();
    EXPECT_TRUE(error.value(u"message").toString().contains(u"context window")) << r.body.toStdString();
    EXPECT_EQ(m_mock.requestCount(), 1);

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 400);
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
}

TEST_F(ResponsesChannelTest, AStreamCutShortEndsAnAnthropicClientsStreamWithAnErrorEvent)
{
    addResponsesChannel(s("sonnet"), s("gpt-5-codex"));
    MockBehaviour cut;
    cut.streamEventsBeforeClose = 5; // created, in_progress, item added, part added, "Hello"
    m_mock.setDefaultBehaviour(cut);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/messages"), anthropicRequest(s("sonnet"), true, false), anthropicHeaders());
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.complete);
    const QList<SseEvent> events = sseEvents(r.body);
    ASSERT_FALSE(events.isEmpty());
    EXPECT_EQ(events.first().json().value(u"type").toString(), s("message_start"));
    QString text;
    for (const SseEvent &event : events)
        text += event.json().value(u"delta").toObject().value(u"text").toString();
    EXPECT_EQ(text, s("Hello"));
    EXPECT_EQ(events.last().name, QByteArrayLiteral("error"));
    EXPECT_EQ(events.last().json().value(u"error").toObject().value(u"type").toString(), s("api_error"));
    EXPECT_FALSE(eventTypes(events).contains(s("message_stop")));
    EXPECT_EQ(m_mock.requestCount(), 1);

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 502);
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
    EXPECT_FALSE(rows[0].error.isEmpty());
}

TEST_F(ResponsesChannelTest, AStreamCutShortEndsAnOpenAiClientsStreamWithAnErrorChunk)
{
    addResponsesChannel(s("gpt-4o"), s("gpt-5-codex"));
    MockBehaviour cut;
    cut.streamEventsBeforeClose = 5;
    m_mock.setDefaultBehaviour(cut);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), true, false));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.complete);
    const QStringList shapes = chatChunkShapes(r);
    ASSERT_FALSE(shapes.isEmpty());
    EXPECT_TRUE(shapes.contains(s("text:Hello"))) << r.body.toStdString();
    EXPECT_EQ(shapes.last(), s("error")) << r.body.toStdString();
    EXPECT_FALSE(shapes.contains(s("[DONE]")));
    const QJsonObject error = QJsonDocument::fromJson(r.sseData().last()).object().value(u"error").toObject();
    EXPECT_FALSE(error.value(u"message").toString().isEmpty());

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 502);
}

TEST_F(ResponsesChannelTest, OpenAiClientStreamCarriesReasoningSummariesAsReasoningContent)
{
    addResponsesChannel(s("gpt-4o"), s("gpt-5-codex"));
    MockBehaviour b;
    b.thinking = "Let me think about it";
    b.reasoningTokens = 6;
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), true, false));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    QString reasoning, content;
    QJsonObject usage;
    for (const QByteArray &data : r.sseData()) {
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        if (chunk.value(u"usage").isObject())
            usage = chunk.value(u"usage").toObject();
        const QJsonObject delta = chunk.value(u"choices").toArray().at(0).toObject().value(u"delta").toObject();
        if (!delta.value(u"reasoning_content").toString().isEmpty()) {
            EXPECT_TRUE(content.isEmpty()) << "reasoning arrived after the text";
        }
        reasoning += delta.value(u"reasoning_content").toString();
        content += delta.value(u"content").toString();
    }
    EXPECT_EQ(reasoning, s("Let me think about it"));
    EXPECT_EQ(content, s("Hello from the mock upstream"));
    EXPECT_EQ(usage.value(u"completion_tokens").toInt(), 5 + 6);
    EXPECT_EQ(usage.value(u"completion_tokens_details").toObject().value(u"reasoning_tokens").toInt(), 6);
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].completionTokens, 11);
}

// A Responses stream can fail in-band (response.failed) after it started: the client's stream
// ends with its own error, never [DONE], and the row is not a success.
TEST_F(ResponsesChannelTest, AnInBandFailureEndsAnOpenAiClientsStreamWithAnError)
{
    addResponsesChannel(s("gpt-4o"), s("gpt-5-codex"));
    const auto event = [](const char *type, const QByteArray &data) -> QByteArray {
        return QByteArray("event: ") + type + "\ndata: " + data + "\n\n";
    };
    const QByteArray response = R"({"id":"resp_x","object":"response","created_at":1,"status":"in_progress","model":"gpt-5-codex","output":[],"usage":null,"error":null})";
    MockBehaviour failing;
    failing.rawEvents = {
        event("response.created", R"({"type":"response.created","sequence_number":0,"response":)" + response + "}"),
        event("response.output_item.added", R"({"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_x","type":"message","status":"in_progress","role":"assistant","content":[]}})"),
        event("response.content_part.added", R"({"type":"response.content_part.added","sequence_number":2,"item_id":"msg_x","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}})"),
        event("response.output_text.delta", R"({"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_x","output_index":0,"content_index":0,"delta":"Hello","logprobs":[]})"),
        event("response.failed", R"({"type":"response.failed","sequence_number":4,"response":{"id":"resp_x","object":"response","created_at":1,"status":"failed","model":"gpt-5-codex","output":[],"usage":null,"error":{"code":"server_error","message":"The model had a hiccup."}}})"),
    };
    m_mock.setDefaultBehaviour(failing);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/chat/completions"), openAiRequest(s("gpt-4o"), true, false));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.complete);
    const QStringList shapes = chatChunkShapes(r);
    EXPECT_TRUE(shapes.contains(s("text:Hello"))) << r.body.toStdString();
    ASSERT_FALSE(shapes.isEmpty());
    EXPECT_EQ(shapes.last(), s("error")) << r.body.toStdString();
    EXPECT_FALSE(shapes.contains(s("[DONE]")));
    const QJsonObject error = QJsonDocument::fromJson(r.sseData().last()).object().value(u"error").toObject();
    EXPECT_TRUE(error.value(u"message").toString().contains(u"hiccup")) << r.body.toStdString();

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_NE(rows[0].status, 200);
}

// Codex in front of a Responses channel: one format end to end, so what Tarn does not need to
// change (custom tools, include, prompt_cache_key, reasoning, store) reaches the provider as sent,
// and the provider's events reach Codex in order, ending in response.completed.
TEST_F(ResponsesChannelTest, CodexStreamsThroughAResponsesChannel)
{
    addResponsesChannel(s("codex"), s("gpt-5-codex"));
    MockBehaviour b;
    b.toolCalls = {{"exec_command", R"({"cmd":"ls"})"}};
    b.thinking = "Look first";
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const QJsonObject body = codexRequest(true);
    const HttpStreamResult r = postStream(s("/v1/responses"), body);
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.complete);
    const QList<SseEvent> events = sseEvents(r.body);
    const QStringList types = eventTypes(events);
    EXPECT_EQ(types.first(), s("response.created")) << types.join(u',').toStdString();
    EXPECT_EQ(types.last(), s("response.completed")) << types.join(u',').toStdString();
    EXPECT_TRUE(types.contains(s("response.reasoning_summary_text.delta")));
    QJsonObject call, reasoning;
    for (const SseEvent &event : events) {
        const QJsonObject item = event.json().value(u"item").toObject();
        if (event.json().value(u"type") == s("response.output_item.done") && item.value(u"type") == s("function_call"))
            call = item;
        if (event.json().value(u"type") == s("response.output_item.done") && item.value(u"type") == s("reasoning"))
            reasoning = item;
    }
    EXPECT_EQ(call.value(u"name").toString(), s("exec_command"));
    EXPECT_EQ(call.value(u"arguments").toString(), s(R"({"cmd":"ls"})"));
    EXPECT_FALSE(call.value(u"call_id").toString().isEmpty());
    EXPECT_EQ(reasoning.value(u"encrypted_content").toString(), s("mockenc")) << "Codex sends it back next turn";
    const QJsonObject completed = events.last().json().value(u"response").toObject();
    EXPECT_EQ(completed.value(u"status").toString(), s("completed"));
    // P: "You are Codex, a coding agent." (30) + "List the files here" (19) = 49 bytes.
    EXPECT_EQ(completed.value(u"usage").toObject().value(u"input_tokens").toInt(), 49 / 4 + 7);

    QJsonObject sent = sentToResponses();
    EXPECT_EQ(sent.value(u"model").toString(), s("gpt-5-codex"));
    EXPECT_EQ(sent.value(u"tools"), body.value(u"tools")) << "the custom tool and its grammar survive";
    EXPECT_EQ(sent.value(u"include"), body.value(u"include"));
    EXPECT_EQ(sent.value(u"prompt_cache_key"), body.value(u"prompt_cache_key"));
    EXPECT_EQ(sent.value(u"reasoning"), body.value(u"reasoning"));
    EXPECT_EQ(sent.value(u"store"), QJsonValue(false));
    EXPECT_EQ(sent.value(u"parallel_tool_calls"), QJsonValue(false));
    EXPECT_EQ(sent.value(u"input"), body.value(u"input"));
    EXPECT_EQ(sent.value(u"instructions"), body.value(u"instructions"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].inboundFormat, s("responses"));
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].promptTokens, 49 / 4 + 7);
    EXPECT_EQ(rows[0].completionTokens, 3); // three argument fragments, R = 0
}

// apply_patch is a custom tool: a Responses channel's custom_tool_call reaches Codex with its raw
// input, and the next turn's custom_tool_call_output goes back with the same call id.
TEST_F(ResponsesChannelTest, CodexGetsApplyPatchAsACustomToolCall)
{
    addResponsesChannel(s("codex"), s("gpt-5-codex"));
    const QByteArray patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n";
    MockBehaviour b;
    b.toolCalls = {{"apply_patch", QJsonDocument(QJsonObject{{s("input"), QString::fromUtf8(patch)}}).toJson(QJsonDocument::Compact)}};
    m_mock.pushBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/responses"), codexRequest(true));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    QJsonObject call;
    QString deltas;
    for (const SseEvent &event : sseEvents(r.body)) {
        const QJsonObject data = event.json();
        if (data.value(u"type") == s("response.custom_tool_call_input.delta"))
            deltas += data.value(u"delta").toString();
        if (data.value(u"type") == s("response.output_item.done"))
            call = data.value(u"item").toObject();
    }
    EXPECT_EQ(call.value(u"type").toString(), s("custom_tool_call"));
    EXPECT_EQ(call.value(u"name").toString(), s("apply_patch"));
    EXPECT_EQ(call.value(u"input").toString(), QString::fromUtf8(patch));
    EXPECT_EQ(deltas, QString::fromUtf8(patch));
    const QString callId = call.value(u"call_id").toString();
    EXPECT_EQ(callId, s("call_mock1_0"));

    QJsonObject next = codexRequest(false);
    QJsonArray input = next.value(u"input").toArray();
    input.append(QJsonObject{{s("type"), s("custom_tool_call")}, {s("call_id"), callId},
                             {s("name"), s("apply_patch")}, {s("input"), QString::fromUtf8(patch)}});
    input.append(QJsonObject{{s("type"), s("custom_tool_call_output")}, {s("call_id"), callId},
                             {s("output"), s("Success. Updated the following files: A a.txt")}});
    next.insert(u"input", input);
    MockBehaviour loop;
    loop.toolLoop = true;
    m_mock.pushBehaviour(loop);
    const HttpResult second = post(s("/v1/responses"), next);
    ASSERT_EQ(second.status, 200) << second.body.toStdString();
    const QJsonArray output = second.json().value(u"output").toArray();
    ASSERT_FALSE(output.isEmpty()) << second.body.toStdString();
    EXPECT_EQ(itemText(output.last().toObject()), s("Done: Success. Updated the following files: A a.txt"));
    const QJsonArray sentInput = sentToResponses().value(u"input").toArray();
    ASSERT_EQ(sentInput.size(), 3);
    EXPECT_EQ(sentInput.at(1).toObject().value(u"type").toString(), s("custom_tool_call"));
    EXPECT_EQ(sentInput.at(2).toObject().value(u"call_id").toString(), callId);
}

// With nowhere else to go, a Responses channel's 429 reaches each client in its own shape with
// the provider's Retry-After: Codex reads code rate_limit_exceeded, Claude Code rate_limit_error.
TEST_F(ResponsesChannelTest, ARateLimitWithNowhereElseToGoReachesEachClientInItsShape)
{
    addResponsesChannel(s("codex"), s("gpt-5-codex"));
    startGateway();
    MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "7"}};

    m_mock.pushBehaviour(limited);
    const HttpResult codex = post(s("/v1/responses"), codexRequest(false));
    EXPECT_EQ(codex.status, 429) << codex.body.toStdString();
    EXPECT_EQ(codex.header("retry-after"), QByteArrayLiteral("7"));
    EXPECT_EQ(codex.json().value(u"error").toObject().value(u"code").toString(), s("rate_limit_exceeded")) << codex.body.toStdString();

    // The Retry-After cooled the only channel: Tarn answers the next client itself, in its shape,
    // with what is left of the wait.
    const HttpResult claude = post(s("/v1/messages"), anthropicRequest(s("codex"), false, false), anthropicHeaders());
    EXPECT_EQ(claude.status, 429) << claude.body.toStdString();
    const int wait = claude.header("retry-after").toInt();
    EXPECT_GE(wait, 1);
    EXPECT_LE(wait, 7);
    EXPECT_EQ(m_mock.requestCount(), 1);
    EXPECT_EQ(claude.json().value(u"type").toString(), s("error"));
    EXPECT_EQ(claude.json().value(u"error").toObject().value(u"type").toString(), s("rate_limit_error")) << claude.body.toStdString();

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].status, 429);
    EXPECT_EQ(rows[0].channelFormat, s("responses"));
    EXPECT_EQ(rows[1].status, 429);
}
