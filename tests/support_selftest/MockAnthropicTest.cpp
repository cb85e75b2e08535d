// SPDX-License-Identifier: GPL-3.0-or-later
// The mock upstream's Anthropic Messages shapes: plain and streamed answers, tool calls, the tool
// loop, thinking, errors, request checks and token counting, over real HTTP.
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/support_selftest/MockSseEvents.h"

#include <QJsonArray>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace Qt::StringLiterals;

namespace {

const HttpHeaders kHeaders = {{"x-api-key", "sk-ant-test"}, {"anthropic-version", "2023-06-01"}};

// system "abcd" (4 bytes) + user "abcdefgh" (8 bytes): P = 12 / 4 + 7 = 10.
QJsonObject messagesBody(bool stream)
{
    QJsonObject body{
        {u"model"_s, u"claude-test"_s},
        {u"max_tokens"_s, 1024},
        {u"system"_s, u"abcd"_s},
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s},
                                               {u"content"_s, u"abcdefgh"_s}}}}};
    if (stream)
        body.insert(u"stream"_s, true);
    return body;
}

QJsonObject withTools(QJsonObject body, const QStringList &names)
{
    QJsonArray tools;
    for (const QString &name : names)
        tools.append(QJsonObject{{u"name"_s, name},
                                 {u"input_schema"_s, QJsonObject{{u"type"_s, u"object"_s}}}});
    body.insert(u"tools"_s, tools);
    return body;
}

QString url(const MockUpstream &mock, const char *path = "/v1/messages")
{
    return mock.anthropicBaseUrl() + QLatin1String(path);
}

} // namespace

TEST(MockAnthropic, NonStreamShapeAndRecording)
{
    MockUpstream mock;
    MockBehaviour cached;
    cached.cachedTokens = 4;
    mock.pushBehaviour(cached);
    HttpTestClient client;
    const HttpResult r = client.request("POST", url(mock), compactJson(messagesBody(false)), kHeaders);
    ASSERT_TRUE(r.complete) << r.error.toStdString();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/json");
    const QJsonObject o = r.json();
    EXPECT_EQ(o.value(u"id").toString(), u"msg_mock1"_s);
    EXPECT_EQ(o.value(u"type").toString(), u"message"_s);
    EXPECT_EQ(o.value(u"role").toString(), u"assistant"_s);
    EXPECT_EQ(o.value(u"model").toString(), u"claude-test"_s);
    EXPECT_EQ(o.value(u"stop_reason").toString(), u"end_turn"_s);
    EXPECT_TRUE(o.value(u"stop_sequence").isNull());
    const QJsonArray content = o.value(u"content").toArray();
    ASSERT_EQ(content.size(), 1);
    EXPECT_EQ(content[0].toObject().value(u"type").toString(), u"text"_s);
    EXPECT_EQ(content[0].toObject().value(u"text").toString(), u"Hello from the mock upstream"_s);
    const QJsonObject usage = o.value(u"usage").toObject();
    EXPECT_EQ(usage.value(u"input_tokens").toInt(), 10 - 4);
    EXPECT_EQ(usage.value(u"cache_creation_input_tokens").toInt(-1), 0);
    EXPECT_EQ(usage.value(u"cache_read_input_tokens").toInt(), 4);
    EXPECT_EQ(usage.value(u"output_tokens").toInt(), 5);

    const MockRequest request = mock.lastRequest();
    EXPECT_EQ(request.format(), "anthropic");
    EXPECT_EQ(request.path, "/v1/messages");
    EXPECT_EQ(request.header("X-Api-Key"), "sk-ant-test");
    EXPECT_EQ(request.header("anthropic-version"), "2023-06-01");
}

TEST(MockAnthropic, StreamEventOrderAndShapes)
{
    MockUpstream mock;
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", url(mock, "/v1/messages?beta=true"),
                                             compactJson(messagesBody(true)), kHeaders);
    ASSERT_TRUE(r.complete) << r.error.toStdString();
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.header("Content-Type").startsWith("text/event-stream"));
    EXPECT_TRUE(r.body.contains("event: message_start\ndata: {"));
    const QList<SseEvent> events = sseEvents(r.body);
    const QList<QByteArray> expected = {
        "message_start", "content_block_start", "ping", "content_block_delta",
        "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_delta", "content_block_stop", "message_delta", "message_stop"};
    ASSERT_EQ(eventNames(events), expected);
    QString text;
    for (const SseEvent &event : events) {
        const QJsonObject data = event.json();
        EXPECT_EQ(data.value(u"type").toString().toUtf8(), event.name);
        if (event.name == "content_block_delta") {
            EXPECT_EQ(data.value(u"index").toInt(-1), 0);
            const QJsonObject delta = data.value(u"delta").toObject();
            EXPECT_EQ(delta.value(u"type").toString(), u"text_delta"_s);
            text += delta.value(u"text").toString();
        }
    }
    EXPECT_EQ(text, u"Hello from the mock upstream"_s);
    const QJsonObject message = events[0].json().value(u"message").toObject();
    EXPECT_EQ(message.value(u"id").toString(), u"msg_mock1"_s);
    EXPECT_EQ(message.value(u"model").toString(), u"claude-test"_s);
    EXPECT_TRUE(message.value(u"content").toArray().isEmpty());
    EXPECT_TRUE(message.value(u"stop_reason").isNull());
    EXPECT_EQ(message.value(u"usage").toObject().value(u"input_tokens").toInt(), 10);
    const QJsonObject block = events[1].json().value(u"content_block").toObject();
    EXPECT_EQ(block.value(u"type").toString(), u"text"_s);
    EXPECT_EQ(block.value(u"text").toString(u"x"_s), u""_s);
    const QJsonObject messageDelta = events[9].json();
    EXPECT_EQ(messageDelta.value(u"delta").toObject().value(u"stop_reason").toString(),
              u"end_turn"_s);
    EXPECT_EQ(messageDelta.value(u"usage").toObject().value(u"output_tokens").toInt(), 5);
    EXPECT_EQ(mock.lastRequest().format(), "anthropic");
}

TEST(MockAnthropic, ParallelToolCallsPlainAndStreamed)
{
    MockUpstream mock;
    MockBehaviour b;
    b.toolCalls = {{"get_weather", R"({"city": "Paris", "n": 12345678901234567})"},
                   {"get_time", R"({"tz":"Europe/Paris"})"}};
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    const QJsonObject body = withTools(messagesBody(false), {u"get_weather"_s, u"get_time"_s});
    const HttpResult plain = client.request("POST", url(mock), compactJson(body), kHeaders);
    ASSERT_EQ(plain.status, 200) << plain.body.toStdString();
    EXPECT_TRUE(plain.body.contains(R"("input":{"city": "Paris", "n": 12345678901234567})"))
        << "arguments are sent byte for byte";
    const QJsonObject o = plain.json();
    EXPECT_EQ(o.value(u"stop_reason").toString(), u"tool_use"_s);
    const QJsonArray content = o.value(u"content").toArray();
    ASSERT_EQ(content.size(), 2);
    EXPECT_EQ(content[0].toObject().value(u"id").toString(), u"toolu_mock1_0"_s);
    EXPECT_EQ(content[0].toObject().value(u"name").toString(), u"get_weather"_s);
    EXPECT_EQ(content[1].toObject().value(u"id").toString(), u"toolu_mock1_1"_s);
    EXPECT_EQ(content[1].toObject().value(u"input").toObject().value(u"tz").toString(),
              u"Europe/Paris"_s);

    QJsonObject streamed = body;
    streamed.insert(u"stream"_s, true);
    const HttpStreamResult r = client.stream("POST", url(mock), compactJson(streamed), kHeaders);
    const QList<SseEvent> events = sseEvents(r.body);
    QStringList arguments = {QString(), QString()};
    QList<int> starts;
    int fragments = 0;
    for (const SseEvent &event : events) {
        const QJsonObject data = event.json();
        const int index = data.value(u"index").toInt(-1);
        if (event.name == "content_block_start") {
            const QJsonObject block = data.value(u"content_block").toObject();
            EXPECT_EQ(block.value(u"type").toString(), u"tool_use"_s);
            EXPECT_EQ(block.value(u"id").toString(), u"toolu_mock2_%1"_s.arg(index));
            EXPECT_TRUE(block.value(u"input").toObject().isEmpty());
            starts.append(index);
        } else if (event.name == "content_block_delta") {
            const QJsonObject delta = data.value(u"delta").toObject();
            EXPECT_EQ(delta.value(u"type").toString(), u"input_json_delta"_s);
            ASSERT_TRUE(index == 0 || index == 1);
            arguments[index] += delta.value(u"partial_json").toString();
            ++fragments;
        } else if (event.name == "message_delta") {
            EXPECT_EQ(data.value(u"delta").toObject().value(u"stop_reason").toString(),
                      u"tool_use"_s);
            EXPECT_EQ(data.value(u"usage").toObject().value(u"output_tokens").toInt(), fragments);
        }
    }
    EXPECT_EQ(starts, (QList<int>{0, 1}));
    EXPECT_EQ(fragments, 6); // three per call
    EXPECT_EQ(arguments[0], QString::fromUtf8(b.toolCalls[0].argumentsJson));
    EXPECT_EQ(arguments[1], QString::fromUtf8(b.toolCalls[1].argumentsJson));
}

TEST(MockAnthropic, ThinkingBlockAndReasoningTokens)
{
    MockUpstream mock;
    MockBehaviour b;
    b.thinking = "Let me think about it.";
    b.reasoningTokens = 7;
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    const HttpResult plain = client.request("POST", url(mock), compactJson(messagesBody(false)),
                                            kHeaders);
    const QJsonArray content = plain.json().value(u"content").toArray();
    ASSERT_EQ(content.size(), 2);
    const QJsonObject thinking = content[0].toObject();
    EXPECT_EQ(thinking.value(u"type").toString(), u"thinking"_s);
    EXPECT_EQ(thinking.value(u"thinking").toString(), u"Let me think about it."_s);
    EXPECT_EQ(thinking.value(u"signature").toString(), u"mocksig"_s);
    EXPECT_EQ(content[1].toObject().value(u"type").toString(), u"text"_s);
    EXPECT_EQ(plain.json().value(u"usage").toObject().value(u"output_tokens").toInt(), 5 + 7);

    const HttpStreamResult r = client.stream("POST", url(mock), compactJson(messagesBody(true)),
                                             kHeaders);
    const QList<SseEvent> events = sseEvents(r.body);
    QList<QByteArray> deltaTypes;
    QString thought;
    for (const SseEvent &event : events) {
        const QJsonObject data = event.json();
        if (event.name == "content_block_start" && data.value(u"index").toInt() == 0) {
            EXPECT_EQ(data.value(u"content_block").toObject().value(u"type").toString(),
                      u"thinking"_s);
        }
        if (event.name != "content_block_delta" || data.value(u"index").toInt() != 0)
            continue;
        const QJsonObject delta = data.value(u"delta").toObject();
        deltaTypes.append(delta.value(u"type").toString().toUtf8());
        thought += delta.value(u"thinking").toString();
        if (delta.value(u"type").toString() == u"signature_delta") {
            EXPECT_EQ(delta.value(u"signature").toString(), u"mocksig"_s);
        }
    }
    EXPECT_EQ(thought, u"Let me think about it."_s);
    EXPECT_EQ(deltaTypes, (QList<QByteArray>{"thinking_delta", "thinking_delta", "thinking_delta",
                                             "thinking_delta", "thinking_delta",
                                             "signature_delta"}));
    EXPECT_EQ(eventNames(events).count("content_block_stop"), 2);
}

TEST(MockAnthropic, ToolLoopBothTurns)
{
    MockUpstream mock;
    MockBehaviour b;
    b.toolLoop = true;
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    QJsonObject body = withTools(messagesBody(false), {u"Bash"_s, u"Read"_s});
    const HttpResult first = client.request("POST", url(mock), compactJson(body), kHeaders);
    const QJsonObject call = first.json().value(u"content").toArray().first().toObject();
    EXPECT_EQ(call.value(u"type").toString(), u"tool_use"_s);
    EXPECT_EQ(call.value(u"name").toString(), u"Bash"_s);
    EXPECT_EQ(call.value(u"input").toObject().value(u"command").toString(), u"echo tarn-e2e"_s);
    EXPECT_EQ(first.json().value(u"stop_reason").toString(), u"tool_use"_s);

    QJsonArray messages = body.value(u"messages").toArray();
    messages.append(QJsonObject{{u"role"_s, u"assistant"_s},
                                {u"content"_s, QJsonArray{call}}});
    const QJsonObject result{
        {u"type"_s, u"tool_result"_s},
        {u"tool_use_id"_s, call.value(u"id")},
        {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"tarn-e2e"_s}}}}};
    messages.append(QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, QJsonArray{result}}});
    body.insert(u"messages"_s, messages);
    body.insert(u"stream"_s, true);
    const HttpStreamResult second = client.stream("POST", url(mock), compactJson(body), kHeaders);
    QString text;
    for (const SseEvent &event : sseEvents(second.body))
        text += event.json().value(u"delta").toObject().value(u"text").toString();
    EXPECT_EQ(text, u"Done: tarn-e2e"_s);
    EXPECT_TRUE(second.body.contains(R"("stop_reason":"end_turn")"));

    // A new user message after the tool result starts the next round.
    messages.append(QJsonObject{{u"role"_s, u"assistant"_s}, {u"content"_s, u"Done: tarn-e2e"_s}});
    messages.append(QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"again"_s}});
    body.insert(u"messages"_s, messages);
    body.remove(u"stream"_s);
    const HttpResult third = client.request("POST", url(mock), compactJson(body), kHeaders);
    EXPECT_EQ(third.json().value(u"stop_reason").toString(), u"tool_use"_s);
}

TEST(MockAnthropic, ErrorsInAnthropicShape)
{
    MockUpstream mock;
    HttpTestClient client;
    const QByteArray body = compactJson(messagesBody(false));
    const QList<std::pair<int, QString>> cases = {{429, u"rate_limit_error"_s},
                                                  {529, u"overloaded_error"_s},
                                                  {401, u"authentication_error"_s},
                                                  {400, u"invalid_request_error"_s},
                                                  {500, u"api_error"_s}};
    for (const auto &[status, type] : cases) {
        MockBehaviour b;
        b.status = status;
        mock.pushBehaviour(b);
        const HttpResult r = client.request("POST", url(mock), body, kHeaders);
        EXPECT_EQ(r.status, status);
        const QJsonObject o = r.json();
        EXPECT_EQ(o.value(u"type").toString(), u"error"_s) << status;
        EXPECT_EQ(o.value(u"error").toObject().value(u"type").toString(), type) << status;
        EXPECT_FALSE(o.value(u"error").toObject().value(u"message").toString().isEmpty());
    }
    MockBehaviour streamed;
    streamed.status = 529;
    mock.pushBehaviour(streamed);
    const HttpResult r = client.request("POST", url(mock), compactJson(messagesBody(true)), kHeaders);
    EXPECT_EQ(r.status, 529);
    EXPECT_EQ(r.header("content-type"), "application/json");
}

TEST(MockAnthropic, RequestChecks)
{
    MockUpstream mock;
    HttpTestClient client;
    const QByteArray body = compactJson(messagesBody(false));
    const HttpResult noKey = client.request("POST", url(mock), body,
                                            {{"anthropic-version", "2023-06-01"}});
    EXPECT_EQ(noKey.status, 401);
    EXPECT_EQ(noKey.json().value(u"error").toObject().value(u"type").toString(),
              u"authentication_error"_s);
    const HttpResult noVersion = client.request("POST", url(mock), body, {{"x-api-key", "k"}});
    EXPECT_EQ(noVersion.status, 400);
    EXPECT_TRUE(noVersion.json().value(u"error").toObject().value(u"message").toString()
                    .contains(u"anthropic-version"_s));
    QJsonObject noMax = messagesBody(false);
    noMax.remove(u"max_tokens"_s);
    const HttpResult missing = client.request("POST", url(mock), compactJson(noMax), kHeaders);
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.json().value(u"error").toObject().value(u"message").toString(),
              u"max_tokens: Field required"_s);

    MockBehaviour lax;
    lax.requireAnthropicKey = false;
    lax.requireAnthropicVersion = false;
    lax.strictRequests = false;
    mock.pushBehaviour(lax);
    EXPECT_EQ(client.request("POST", url(mock), compactJson(noMax)).status, 200);
    EXPECT_EQ(mock.requestCount(), 4); // refused requests are recorded too
}

TEST(MockAnthropic, CountTokens)
{
    MockUpstream mock;
    HttpTestClient client;
    QJsonObject body = messagesBody(false);
    body.remove(u"max_tokens"_s);
    const HttpResult r = client.request("POST", url(mock, "/v1/messages/count_tokens"),
                                        compactJson(body), kHeaders);
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_EQ(r.json(), (QJsonObject{{u"input_tokens"_s, 10}}));
    EXPECT_EQ(mock.lastRequest().format(), "anthropic");
}

TEST(MockAnthropic, FaultInjectionOnTheEventList)
{
    MockUpstream mock;
    MockBehaviour cut;
    cut.streamEventsBeforeClose = 3;
    mock.pushBehaviour(cut);
    MockBehaviour crlf;
    crlf.eventSeparator = "\r\n\r\n";
    mock.pushBehaviour(crlf);
    HttpTestClient client;
    const QByteArray body = compactJson(messagesBody(true));
    const HttpStreamResult r = client.stream("POST", url(mock), body, kHeaders);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(eventNames(sseEvents(r.body)),
              (QList<QByteArray>{"message_start", "content_block_start", "ping"}));
    client.close();
    const HttpStreamResult c = client.stream("POST", url(mock), body, kHeaders);
    ASSERT_TRUE(c.complete);
    EXPECT_TRUE(c.body.startsWith("event: message_start\r\ndata: {"));
    EXPECT_TRUE(c.body.endsWith("event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n"));
    EXPECT_FALSE(c.body.contains("\n\n"));
}
