// SPDX-License-Identifier: GPL-3.0-or-later
// End to end over real HTTP: a Responses API client (what Codex CLI and the openai SDK's
// responses.create/stream send) in front of Chat Completions, Anthropic and Gemini channels (the
// mock upstream speaks each, written apart from Tarn's translators): the exact events and answer
// the client receives, what the upstream was sent, the usage row, previous_response_id.
#include "tests/integration/TranslationTestSupport.h"

#include <QJsonArray>

using namespace tarn::gateway;
using namespace tarn::test;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QJsonObject object(std::initializer_list<std::pair<QString, QJsonValue>> members)
{
    QJsonObject o;
    for (const auto &[key, value] : members)
        o.insert(key, value);
    return o;
}

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

// A Codex turn, trimmed: instructions, its shell tool, apply_patch as a custom tool with a Lark
// grammar, a built-in tool a chat channel cannot run, store false and the rest of what it sends.
QJsonObject codexRequest(const QString &model, bool stream)
{
    QJsonObject body = parse(R"({
        "instructions": "You are Codex, a coding agent.",
        "input": [{"type": "message", "role": "user",
                   "content": [{"type": "input_text", "text": "Run echo tarn-e2e"}]}],
        "tools": [
            {"type": "function", "name": "exec_command", "description": "Runs a command",
             "strict": false,
             "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}},
            {"type": "custom", "name": "apply_patch", "description": "Apply a patch",
             "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk+ end_patch"}},
            {"type": "web_search"}
        ],
        "tool_choice": "auto",
        "parallel_tool_calls": false,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "store": false,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "0199c3a0-codex-session",
        "text": {"verbosity": "medium"}
    })");
    body.insert(u"model", model);
    body.insert(u"stream", stream);
    return body;
}

QJsonObject userTurn(const QString &model, const QString &text)
{
    return object({{s("model"), model},
                   {s("input"), text},
                   {s("instructions"), s("Be brief.")}});
}

// Events of a Responses stream, each checked to name its type in both `event:` and the data.
QList<QJsonObject> responsesEvents(const QByteArray &body)
{
    QList<QJsonObject> out;
    for (const SseEvent &event : sseEvents(body)) {
        const QJsonObject data = event.json();
        EXPECT_EQ(QString::fromLatin1(event.name), data.value(u"type").toString()) << event.data.toStdString();
        out << data;
    }
    return out;
}

QStringList typesOf(const QList<QJsonObject> &events)
{
    QStringList types;
    for (const QJsonObject &event : events)
        types << event.value(u"type").toString();
    return types;
}

QJsonObject lastOfType(const QList<QJsonObject> &events, const char *type)
{
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        if (it->value(u"type") == s(type))
            return *it;
    }
    return {};
}

} // namespace

TEST_F(TranslationTest, CodexStreamsAToolCallFromAChatChannel)
{
    addChannel(ChannelType::OpenAI, s("gpt-5.5"), s("glm-up"));
    MockBehaviour b;
    b.toolCalls = {{"exec_command", R"({"cmd":"echo tarn-e2e"})"}};
    m_mock.setDefaultBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1/responses"), codexRequest(s("gpt-5.5"), true));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.header("content-type").startsWith("text/event-stream"));
    const QList<QJsonObject> events = responsesEvents(r.body);
    const QStringList types = typesOf(events);
    ASSERT_GE(types.size(), 5) << types.join(u',').toStdString();
    EXPECT_EQ(types.first(), s("response.created"));
    EXPECT_EQ(types.last(), s("response.completed")) << types.join(u',').toStdString();
    EXPECT_TRUE(types.contains(s("response.output_item.added")));
    EXPECT_TRUE(types.contains(s("response.function_call_arguments.done")));
    int sequence = -1;
    for (const QJsonObject &event : events) {
        EXPECT_GT(event.value(u"sequence_number").toInt(-1), sequence) << "sequence numbers must increase";
        sequence = event.value(u"sequence_number").toInt(-1);
    }
    const QJsonObject created = events.first().value(u"response").toObject();
    EXPECT_TRUE(created.value(u"id").toString().startsWith(u"resp_"));
    EXPECT_EQ(created.value(u"status").toString(), s("in_progress"));
    EXPECT_EQ(created.value(u"model").toString(), s("gpt-5.5"));

    // Codex reads the call, complete, from output_item.done.
    const QJsonObject done = lastOfType(events, "response.output_item.done").value(u"item").toObject();
    EXPECT_EQ(done.value(u"type").toString(), s("function_call"));
    EXPECT_EQ(done.value(u"name").toString(), s("exec_command"));
    EXPECT_EQ(done.value(u"status").toString(), s("completed"));
    EXPECT_FALSE(done.value(u"call_id").toString().isEmpty());
    EXPECT_EQ(QJsonDocument::fromJson(done.value(u"arguments").toString().toUtf8()).object().value(u"cmd").toString(),
              s("echo tarn-e2e"));

    const QJsonObject completed = events.last().value(u"response").toObject();
    EXPECT_EQ(completed.value(u"status").toString(), s("completed"));
    EXPECT_EQ(completed.value(u"id").toString(), created.value(u"id").toString());
    const QJsonArray output = completed.value(u"output").toArray();
    ASSERT_EQ(output.size(), 1);
    EXPECT_EQ(output[0].toObject().value(u"call_id"), done.value(u"call_id"));
    const QJsonObject usage = completed.value(u"usage").toObject();
    EXPECT_GT(usage.value(u"input_tokens").toInt(), 7);
    EXPECT_GT(usage.value(u"output_tokens").toInt(), 0);
    EXPECT_EQ(usage.value(u"total_tokens").toInt(),
              usage.value(u"input_tokens").toInt() + usage.value(u"output_tokens").toInt());

    // What the chat channel got: the instructions as the system message, function tools only
    // (apply_patch as a function taking its raw text, web_search dropped), usage asked for.
    const MockRequest sent = m_mock.lastRequest();
    EXPECT_EQ(sent.path, QByteArrayLiteral("/v1/chat/completions"));
    const QJsonObject body = sent.json();
    EXPECT_EQ(body.value(u"model").toString(), s("glm-up"));
    EXPECT_TRUE(body.value(u"stream").toBool());
    const QJsonArray messages = body.value(u"messages").toArray();
    ASSERT_EQ(messages.size(), 2);
    EXPECT_EQ(messages[0].toObject().value(u"role").toString(), s("system"));
    EXPECT_EQ(messages[0].toObject().value(u"content").toString(), s("You are Codex, a coding agent."));
    EXPECT_EQ(messages[1].toObject().value(u"role").toString(), s("user"));
    QStringList toolNames;
    for (const QJsonValue &tool : body.value(u"tools").toArray()) {
        EXPECT_EQ(tool.toObject().value(u"type").toString(), s("function"));
        toolNames << tool.toObject().value(u"function").toObject().value(u"name").toString();
    }
    EXPECT_EQ(toolNames, QStringList({s("exec_command"), s("apply_patch")}));
    const QJsonObject patchParams
        = body.value(u"tools").toArray()[1].toObject().value(u"function").toObject().value(u"parameters").toObject();
    EXPECT_EQ(patchParams.value(u"properties").toObject().value(u"input").toObject().value(u"type").toString(), s("string"));
    EXPECT_EQ(body.value(u"parallel_tool_calls").toBool(true), false);

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].inboundFormat, s("responses"));
    EXPECT_EQ(rows[0].channelFormat, s("openai"));
    EXPECT_EQ(rows[0].endpoint, s("/v1/responses"));
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_TRUE(rows[0].stream);
    EXPECT_EQ(rows[0].requestedModel, s("gpt-5.5"));
    EXPECT_EQ(rows[0].upstreamModel, s("glm-up"));
    EXPECT_EQ(rows[0].promptTokens, usage.value(u"input_tokens").toInt());
    EXPECT_EQ(rows[0].completionTokens, usage.value(u"output_tokens").toInt());
}

TEST_F(TranslationTest, ApplyPatchComesBackAsACustomToolCall)
{
    addChannel(ChannelType::OpenAI, s("gpt-5.5"), s("glm-up"));
    const QByteArray patch = "*** Begin Patch\n*** Add File: hello.txt\n+hi \"there\"\n*** End Patch";
    MockBehaviour b;
    b.toolCalls = {{"apply_patch", QJsonDocument(object({{s("input"), QString::fromUtf8(patch)}})).toJson(QJsonDocument::Compact)}};
    m_mock.setDefaultBehaviour(b);
    startGateway();

    // Whole answer.
    const HttpResult whole = post(s("/v1/responses"), codexRequest(s("gpt-5.5"), false));
    ASSERT_EQ(whole.status, 200) << whole.body.toStdString();
    const QJsonObject answer = whole.json();
    EXPECT_EQ(answer.value(u"object").toString(), s("response"));
    EXPECT_EQ(answer.value(u"status").toString(), s("completed"));
    const QJsonArray output = answer.value(u"output").toArray();
    ASSERT_EQ(output.size(), 1) << whole.body.toStdString();
    const QJsonObject call = output[0].toObject();
    EXPECT_EQ(call.value(u"type").toString(), s("custom_tool_call"));
    EXPECT_EQ(call.value(u"name").toString(), s("apply_patch"));
    EXPECT_EQ(call.value(u"input").toString().toUtf8(), patch);
    EXPECT_FALSE(call.value(u"call_id").toString().isEmpty());

    // Streamed: the item Codex reads at output_item.done is the custom call with its raw input.
    const HttpStreamResult streamed = postStream(s("/v1/responses"), codexRequest(s("gpt-5.5"), true));
    ASSERT_EQ(streamed.status, 200);
    const QList<QJsonObject> events = responsesEvents(streamed.body);
    EXPECT_EQ(typesOf(events).last(), s("response.completed"));
    const QJsonObject item = lastOfType(events, "response.output_item.done").value(u"item").toObject();
    EXPECT_EQ(item.value(u"type").toString(), s("custom_tool_call"));
    EXPECT_EQ(item.value(u"input").toString().toUtf8(), patch);
    const QJsonArray completedOutput = events.last().value(u"response").toObject().value(u"output").toArray();
    ASSERT_EQ(completedOutput.size(), 1);
    EXPECT_EQ(completedOutput[0].toObject().value(u"type").toString(), s("custom_tool_call"));
}

TEST_F(TranslationTest, CodexHistoryReachesAChatChannelAsToolTurns)
{
    addChannel(ChannelType::OpenAI, s("gpt-5.5"), s("glm-up"));
    MockBehaviour b;
    b.toolCallWhenToolsDeclared = false;
    m_mock.setDefaultBehaviour(b);
    startGateway();

    QJsonObject request = codexRequest(s("gpt-5.5"), false);
    QJsonArray input = request.value(u"input").toArray();
    input.append(parse(R"({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Run it."}],
                           "encrypted_content": "gAAAAopaque"})"));
    input.append(parse(R"({"type": "function_call", "id": "fc_1", "call_id": "call_A", "name": "exec_command",
                           "arguments": "{\"cmd\":\"echo tarn-e2e\"}"})"));
    input.append(parse(R"({"type": "function_call_output", "call_id": "call_A", "output": "tarn-e2e\n"})"));
    input.append(parse(R"({"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_B", "name": "apply_patch",
                           "input": "*** Begin Patch\n*** End Patch"})"));
    input.append(parse(R"({"type": "custom_tool_call_output", "call_id": "call_B", "output": "Done!"})"));
    request.insert(u"input", input);

    const HttpResult r = post(s("/v1/responses"), request);
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    const QJsonArray messages = m_mock.lastRequest().json().value(u"messages").toArray();
    // system, user, assistant(call_A), tool(call_A), assistant(call_B), tool(call_B)
    ASSERT_EQ(messages.size(), 6) << QJsonDocument(messages).toJson().toStdString();
    const QJsonObject firstCall = messages[2].toObject();
    EXPECT_EQ(firstCall.value(u"role").toString(), s("assistant"));
    const QJsonObject fn = firstCall.value(u"tool_calls").toArray()[0].toObject();
    EXPECT_EQ(fn.value(u"id").toString(), s("call_A"));
    EXPECT_EQ(fn.value(u"function").toObject().value(u"name").toString(), s("exec_command"));
    EXPECT_FALSE(firstCall.contains(u"reasoning_content")) << "OpenAI's encrypted reasoning is for OpenAI only";
    EXPECT_EQ(messages[3].toObject().value(u"role").toString(), s("tool"));
    EXPECT_EQ(messages[3].toObject().value(u"tool_call_id").toString(), s("call_A"));
    const QJsonObject patchCall = messages[4].toObject().value(u"tool_calls").toArray()[0].toObject();
    EXPECT_EQ(patchCall.value(u"id").toString(), s("call_B"));
    EXPECT_EQ(QJsonDocument::fromJson(patchCall.value(u"function").toObject().value(u"arguments").toString().toUtf8())
                  .object()
                  .value(u"input")
                  .toString(),
              s("*** Begin Patch\n*** End Patch"));
    EXPECT_EQ(messages[5].toObject().value(u"tool_call_id").toString(), s("call_B"));
    EXPECT_TRUE(r.body.contains("Hello from the mock upstream"));
}

TEST_F(TranslationTest, ResponsesClientGetsAnswersFromAnthropicAndGeminiChannels)
{
    addChannel(ChannelType::Anthropic, s("claude-x"), s("claude-up"));
    addChannel(ChannelType::Gemini, s("gem-x"), s("gemini-up"));
    startGateway();

    for (const char *model : {"claude-x", "gem-x"}) {
        SCOPED_TRACE(model);
        const HttpResult r = post(s("/v1/responses"), userTurn(s(model), s("List the files here")));
        ASSERT_EQ(r.status, 200) << r.body.toStdString();
        const QJsonObject answer = r.json();
        EXPECT_EQ(answer.value(u"object").toString(), s("response"));
        EXPECT_EQ(answer.value(u"model").toString(), s(model));
        EXPECT_EQ(answer.value(u"status").toString(), s("completed"));
        const QJsonArray output = answer.value(u"output").toArray();
        ASSERT_FALSE(output.isEmpty());
        const QJsonObject message = output.last().toObject();
        EXPECT_EQ(message.value(u"type").toString(), s("message"));
        EXPECT_EQ(message.value(u"role").toString(), s("assistant"));
        const QJsonObject text = message.value(u"content").toArray()[0].toObject();
        EXPECT_EQ(text.value(u"type").toString(), s("output_text"));
        EXPECT_EQ(text.value(u"text").toString(), s("Hello from the mock upstream"));
        EXPECT_GT(answer.value(u"usage").toObject().value(u"input_tokens").toInt(), 7);
        EXPECT_EQ(answer.value(u"usage").toObject().value(u"output_tokens").toInt(), 5);
    }
    const QList<MockRequest> sent = m_mock.requests();
    ASSERT_EQ(sent.size(), 2);
    EXPECT_EQ(sent[0].path, QByteArrayLiteral("/v1/messages"));
    const QJsonValue system = sent[0].json().value(u"system");
    EXPECT_EQ(system.isString() ? system.toString() : system.toArray()[0].toObject().value(u"text").toString(),
              s("Be brief."))
        << "the instructions become Anthropic's system prompt";
    EXPECT_TRUE(sent[1].path.startsWith("/v1beta/models/gemini-up:generateContent"));
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].channelFormat, s("anthropic"));
    EXPECT_EQ(rows[1].channelFormat, s("gemini"));
    EXPECT_EQ(rows[0].inboundFormat, s("responses"));
}

TEST_F(TranslationTest, PreviousResponseIdContinuesAStoredConversation)
{
    addChannel(ChannelType::OpenAI, s("gpt-5.5"), s("glm-up"));
    startGateway();

    const HttpResult first = post(s("/v1/responses"), userTurn(s("gpt-5.5"), s("My name is Ada.")));
    ASSERT_EQ(first.status, 200) << first.body.toStdString();
    const QString id = first.json().value(u"id").toString();
    ASSERT_TRUE(id.startsWith(u"resp_"));

    QJsonObject next = userTurn(s("gpt-5.5"), s("What is my name?"));
    next.insert(u"previous_response_id", id);
    const HttpResult second = post(s("/v1/responses"), next);
    ASSERT_EQ(second.status, 200) << second.body.toStdString();
    const QJsonArray messages = m_mock.lastRequest().json().value(u"messages").toArray();
    // system (this request's instructions), the first turn, its answer, the new question.
    ASSERT_EQ(messages.size(), 4) << QJsonDocument(messages).toJson().toStdString();
    EXPECT_EQ(messages[1].toObject().value(u"content").toString(), s("My name is Ada."));
    EXPECT_EQ(messages[2].toObject().value(u"role").toString(), s("assistant"));
    EXPECT_EQ(messages[2].toObject().value(u"content").toString(), s("Hello from the mock upstream"));
    EXPECT_EQ(messages[3].toObject().value(u"content").toString(), s("What is my name?"));

    // The continued answer can be continued in turn.
    QJsonObject third = userTurn(s("gpt-5.5"), s("And again?"));
    third.insert(u"previous_response_id", second.json().value(u"id"));
    ASSERT_EQ(post(s("/v1/responses"), third).status, 200);
    EXPECT_EQ(m_mock.lastRequest().json().value(u"messages").toArray().size(), 6);

    // store: false is not kept; an unknown id is a clear 400 in OpenAI's shape, and nothing
    // reaches the upstream.
    QJsonObject unstored = userTurn(s("gpt-5.5"), s("Forget me"));
    unstored.insert(u"store", false);
    const HttpResult notKept = post(s("/v1/responses"), unstored);
    ASSERT_EQ(notKept.status, 200);
    const int before = m_mock.requestCount();
    for (const QString &unknown : {notKept.json().value(u"id").toString(), s("resp_doesnotexist")}) {
        QJsonObject bad = userTurn(s("gpt-5.5"), s("Hi"));
        bad.insert(u"previous_response_id", unknown);
        const HttpResult r = post(s("/v1/responses"), bad);
        EXPECT_EQ(r.status, 400);
        const QJsonObject error = r.json().value(u"error").toObject();
        EXPECT_EQ(error.value(u"type").toString(), s("invalid_request_error"));
        EXPECT_TRUE(error.value(u"message").toString().contains(unknown)) << r.body.toStdString();
    }
    EXPECT_EQ(m_mock.requestCount(), before);
}

TEST_F(TranslationTest, AnotherClientKeyCannotContinueAResponse)
{
    addChannel(ChannelType::OpenAI, s("gpt-5.5"), s("glm-up"));
    const QString alice = m_tarn.createKey(s("alice"));
    const QString bob = m_tarn.createKey(s("bob"));
    startGateway();

    const HttpResult first = post(s("/v1/responses"), userTurn(s("gpt-5.5"), s("secret")),
                                  {{"Authorization", "Bearer " + alice.toUtf8()}});
    ASSERT_EQ(first.status, 200) << first.body.toStdString();
    QJsonObject next = userTurn(s("gpt-5.5"), s("What did I say?"));
    next.insert(u"previous_response_id", first.json().value(u"id"));
    EXPECT_EQ(post(s("/v1/responses"), next, {{"Authorization", "Bearer " + bob.toUtf8()}}).status, 400);
    EXPECT_EQ(post(s("/v1/responses"), next).status, 400); // loopback without a key is nobody's alice
    EXPECT_EQ(post(s("/v1/responses"), next, {{"Authorization", "Bearer " + alice.toUtf8()}}).status, 200);
}

TEST_F(TranslationTest, BadResponsesRequestsGetOpenAiErrors)
{
    addChannel(ChannelType::OpenAI, s("gpt-5.5"), s("glm-up"));
    startGateway();

    const QList<QByteArray> bodies = {
        R"({"input": "hi"})",                                   // no model
        R"({"model": "gpt-5.5", "input": 42})",                 // input of the wrong type
        R"({"model": "gpt-5.5", "input": [{"type": "message", "role": "robot", "content": "x"}]})",
        R"({"model": "gpt-5.5", "model": "other", "input": "hi"})", // a key given twice
        R"({"model": "gpt-5.5", "input": "hi", "tools": [{"type": "function"}]})",
        "not json",
    };
    for (const QByteArray &body : bodies) {
        SCOPED_TRACE(body.toStdString());
        const HttpResult r = m_client.request("POST", m_tarn.url(s("/v1/responses")), body, {}, 15000);
        EXPECT_EQ(r.status, 400) << r.body.toStdString();
        const QJsonObject error = r.json().value(u"error").toObject();
        EXPECT_EQ(error.value(u"type").toString(), s("invalid_request_error"));
        EXPECT_FALSE(error.value(u"message").toString().isEmpty());
    }
    EXPECT_EQ(m_mock.requestCount(), 0);
    const HttpResult wrongMethod = m_client.request("GET", m_tarn.url(s("/v1/responses")), {}, {}, 15000);
    EXPECT_EQ(wrongMethod.status, 405);
}

TEST_F(TranslationTest, ResponsesStreamFailuresEndInResponseFailed)
{
    addChannel(ChannelType::OpenAI, s("gpt-5.5"), s("glm-up"));
    MockBehaviour cut;
    cut.chunks = 8;
    cut.streamEventsBeforeClose = 3;
    m_mock.pushBehaviour(cut);
    MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "7"}};
    m_mock.pushBehaviour(limited);
    startGateway();

    // Cut mid-stream: the client's stream ends in its own failure event, never a silent end.
    const HttpStreamResult r = postStream(s("/v1/responses"), codexRequest(s("gpt-5.5"), true));
    ASSERT_EQ(r.status, 200);
    const QList<QJsonObject> events = responsesEvents(r.body);
    ASSERT_FALSE(events.isEmpty());
    EXPECT_EQ(events.first().value(u"type").toString(), s("response.created"));
    EXPECT_EQ(events.last().value(u"type").toString(), s("response.failed")) << typesOf(events).join(u',').toStdString();
    const QJsonObject failed = events.last().value(u"response").toObject();
    EXPECT_EQ(failed.value(u"status").toString(), s("failed"));
    // The failure continues the stream: the same response, the next sequence number.
    EXPECT_EQ(failed.value(u"id"), events.first().value(u"response").toObject().value(u"id"));
    EXPECT_GT(events.last().value(u"sequence_number").toInt(), events.at(events.size() - 2).value(u"sequence_number").toInt());
    EXPECT_FALSE(failed.value(u"error").toObject().value(u"message").toString().isEmpty());

    // Rate limited before anything streamed: an HTTP 429 Codex acts on, with its Retry-After.
    const HttpStreamResult limitedAnswer = postStream(s("/v1/responses"), codexRequest(s("gpt-5.5"), true));
    EXPECT_EQ(limitedAnswer.status, 429) << limitedAnswer.body.toStdString();
    const QJsonObject error = QJsonDocument::fromJson(limitedAnswer.body).object().value(u"error").toObject();
    EXPECT_FALSE(error.value(u"message").toString().isEmpty());

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].status, 502);
    EXPECT_EQ(rows[1].status, 429);
}

TEST_F(TranslationTest, AStreamedAnswerCanBeContinuedByItsId)
{
    addChannel(ChannelType::Anthropic, s("claude-x"), s("claude-up"));
    startGateway();

    QJsonObject first = userTurn(s("claude-x"), s("My name is Ada."));
    first.insert(u"stream", true);
    const HttpStreamResult streamed = postStream(s("/v1/responses"), first);
    ASSERT_EQ(streamed.status, 200);
    const QList<QJsonObject> events = responsesEvents(streamed.body);
    ASSERT_EQ(typesOf(events).last(), s("response.completed")) << typesOf(events).join(u',').toStdString();
    const QString id = events.last().value(u"response").toObject().value(u"id").toString();
    EXPECT_EQ(events.first().value(u"response").toObject().value(u"id").toString(), id);
    ASSERT_TRUE(id.startsWith(u"resp_")) << id.toStdString();

    QJsonObject next = userTurn(s("claude-x"), s("What is my name?"));
    next.insert(u"previous_response_id", id);
    const HttpResult second = post(s("/v1/responses"), next);
    ASSERT_EQ(second.status, 200) << second.body.toStdString();
    const QJsonArray messages = m_mock.lastRequest().json().value(u"messages").toArray();
    ASSERT_EQ(messages.size(), 3) << QJsonDocument(messages).toJson().toStdString();
    EXPECT_EQ(messages[1].toObject().value(u"role").toString(), s("assistant"));
    const QJsonValue said = messages[1].toObject().value(u"content");
    const QString text = said.isString() ? said.toString() : said.toArray().last().toObject().value(u"text").toString();
    EXPECT_EQ(text, s("Hello from the mock upstream"));
}
