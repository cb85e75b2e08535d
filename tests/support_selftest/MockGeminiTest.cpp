// SPDX-License-Identifier: GPL-3.0-or-later
// The mock upstream's Gemini shapes: generateContent, streamGenerateContent (SSE and JSON array),
// function calls, the tool loop, thoughts, errors, the key check and countTokens, over real HTTP.
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/support_selftest/MockSseEvents.h"

#include <QJsonArray>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace Qt::StringLiterals;

namespace {

const HttpHeaders kKey = {{"x-goog-api-key", "AIza-test"}};

QJsonObject part(const QString &text)
{
    return {{u"text"_s, text}};
}

// systemInstruction "abcd" + user "abcdefgh": P = 12 / 4 + 7 = 10.
QJsonObject generateBody()
{
    return {{u"systemInstruction"_s, QJsonObject{{u"parts"_s, QJsonArray{part(u"abcd"_s)}}}},
            {u"contents"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s},
                                                   {u"parts"_s, QJsonArray{part(u"abcdefgh"_s)}}}}}};
}

QJsonObject withTools(QJsonObject body, const QStringList &names)
{
    QJsonArray declarations;
    for (const QString &name : names)
        declarations.append(QJsonObject{{u"name"_s, name},
                                        {u"parameters"_s, QJsonObject{{u"type"_s, u"object"_s}}}});
    body.insert(u"tools"_s, QJsonArray{QJsonObject{{u"functionDeclarations"_s, declarations}}});
    return body;
}

QString url(const MockUpstream &mock, const QString &method, const char *query = "")
{
    return mock.geminiBaseUrl() + u"/v1beta/models/gemini-test:"_s + method
           + QLatin1String(query);
}

QJsonObject candidate(const QJsonObject &response)
{
    return response.value(u"candidates").toArray().first().toObject();
}

QJsonArray parts(const QJsonObject &response)
{
    return candidate(response).value(u"content").toObject().value(u"parts").toArray();
}

} // namespace

TEST(MockGemini, GenerateContentShape)
{
    MockUpstream mock;
    MockBehaviour cached;
    cached.cachedTokens = 3;
    mock.pushBehaviour(cached);
    HttpTestClient client;
    const HttpResult r = client.request("POST", url(mock, u"generateContent"_s),
                                        compactJson(generateBody()), kKey);
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.header("content-type").startsWith("application/json"));
    const QJsonObject o = r.json();
    const QJsonObject c = candidate(o);
    EXPECT_EQ(c.value(u"content").toObject().value(u"role").toString(), u"model"_s);
    EXPECT_EQ(parts(o), (QJsonArray{part(u"Hello from the mock upstream"_s)}));
    EXPECT_EQ(c.value(u"finishReason").toString(), u"STOP"_s);
    EXPECT_EQ(c.value(u"index").toInt(-1), 0);
    EXPECT_EQ(o.value(u"modelVersion").toString(), u"gemini-test"_s);
    EXPECT_EQ(o.value(u"responseId").toString(), u"mock1"_s);
    EXPECT_EQ(o.value(u"usageMetadata").toObject(),
              (QJsonObject{{u"promptTokenCount"_s, 10},
                           {u"candidatesTokenCount"_s, 5},
                           {u"totalTokenCount"_s, 15},
                           {u"cachedContentTokenCount"_s, 3}}));
    const MockRequest request = mock.lastRequest();
    EXPECT_EQ(request.format(), "gemini");
    EXPECT_EQ(request.header("x-goog-api-key"), "AIza-test");
}

TEST(MockGemini, StreamSseOneChunkPerWord)
{
    MockUpstream mock;
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", url(mock, u"streamGenerateContent"_s,
                                                         "?alt=sse&key=AIza-query"),
                                             compactJson(generateBody()));
    ASSERT_TRUE(r.complete) << r.error.toStdString();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/event-stream");
    EXPECT_TRUE(r.body.startsWith("data: {"));
    EXPECT_EQ(r.body.count("\r\n\r\n"), 5);
    const QList<SseEvent> events = sseEvents(r.body);
    ASSERT_EQ(events.size(), 5);
    QString text;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const QJsonObject chunk = events[i].json();
        const bool last = i + 1 == events.size();
        text += parts(chunk).first().toObject().value(u"text").toString();
        EXPECT_EQ(candidate(chunk).contains(u"finishReason"), last);
        EXPECT_EQ(chunk.contains(u"usageMetadata"), last);
        EXPECT_EQ(chunk.value(u"responseId").toString(), u"mock1"_s);
        EXPECT_EQ(chunk.value(u"modelVersion").toString(), u"gemini-test"_s);
    }
    EXPECT_EQ(text, u"Hello from the mock upstream"_s);
    const QJsonObject usage = events.last().json().value(u"usageMetadata").toObject();
    EXPECT_EQ(usage.value(u"totalTokenCount").toInt(), 15);
    EXPECT_FALSE(usage.contains(u"cachedContentTokenCount"));
}

TEST(MockGemini, StreamWithoutAltIsAJsonArray)
{
    MockUpstream mock;
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", url(mock, u"streamGenerateContent"_s),
                                             compactJson(generateBody()), kKey);
    ASSERT_TRUE(r.complete);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
    ASSERT_EQ(error.error, QJsonParseError::NoError) << r.body.toStdString();
    ASSERT_EQ(doc.array().size(), 5);
    EXPECT_EQ(candidate(doc.array().last().toObject()).value(u"finishReason").toString(),
              u"STOP"_s);
}

TEST(MockGemini, ParallelFunctionCalls)
{
    MockUpstream mock;
    MockBehaviour b;
    b.toolCalls = {{"get_weather", R"({"city":"Paris"})"}, {"get_time", "{}"}};
    mock.pushBehaviour(b);
    b.geminiCallIds = true;
    mock.pushBehaviour(b);
    HttpTestClient client;
    const QByteArray body = compactJson(withTools(generateBody(), {u"get_weather"_s}));
    const HttpResult plain = client.request("POST", url(mock, u"generateContent"_s), body, kKey);
    const QJsonArray calls = parts(plain.json());
    ASSERT_EQ(calls.size(), 2);
    for (qsizetype i = 0; i < 2; ++i) {
        const QJsonObject p = calls[i].toObject();
        EXPECT_EQ(p.value(u"thoughtSignature").toString(), u"sig-%1"_s.arg(i));
        EXPECT_FALSE(p.value(u"functionCall").toObject().contains(u"id"));
    }
    EXPECT_EQ(calls[0].toObject().value(u"functionCall").toObject(),
              (QJsonObject{{u"name"_s, u"get_weather"_s},
                           {u"args"_s, QJsonObject{{u"city"_s, u"Paris"_s}}}}));
    EXPECT_EQ(candidate(plain.json()).value(u"finishReason").toString(), u"STOP"_s);

    const HttpStreamResult r = client.stream(
        "POST", url(mock, u"streamGenerateContent"_s, "?alt=sse"), body, kKey);
    const QList<SseEvent> events = sseEvents(r.body);
    ASSERT_EQ(events.size(), 1); // whole calls, both in one chunk
    const QJsonArray streamed = parts(events[0].json());
    ASSERT_EQ(streamed.size(), 2);
    EXPECT_EQ(streamed[0].toObject().value(u"functionCall").toObject().value(u"id").toString(),
              u"fc_mock2_0"_s);
    EXPECT_EQ(streamed[1].toObject().value(u"functionCall").toObject().value(u"name").toString(),
              u"get_time"_s);
    EXPECT_EQ(candidate(events[0].json()).value(u"finishReason").toString(), u"STOP"_s);
    EXPECT_TRUE(events[0].json().contains(u"usageMetadata"));
}

TEST(MockGemini, ThoughtsAndThoughtTokens)
{
    MockUpstream mock;
    MockBehaviour b;
    b.thinking = "Thinking hard";
    b.reasoningTokens = 4;
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    const HttpResult plain = client.request("POST", url(mock, u"generateContent"_s),
                                            compactJson(generateBody()), kKey);
    const QJsonArray p = parts(plain.json());
    ASSERT_EQ(p.size(), 2);
    EXPECT_EQ(p[0].toObject(),
              (QJsonObject{{u"text"_s, u"Thinking hard"_s}, {u"thought"_s, true}}));
    const QJsonObject usage = plain.json().value(u"usageMetadata").toObject();
    EXPECT_EQ(usage.value(u"thoughtsTokenCount").toInt(), 4);
    EXPECT_EQ(usage.value(u"candidatesTokenCount").toInt(), 5);
    EXPECT_EQ(usage.value(u"totalTokenCount").toInt(), 10 + 5 + 4);

    const HttpStreamResult r = client.stream(
        "POST", url(mock, u"streamGenerateContent"_s, "?alt=sse"), compactJson(generateBody()), kKey);
    const QList<SseEvent> events = sseEvents(r.body);
    ASSERT_EQ(events.size(), 2 + 5);
    EXPECT_TRUE(parts(events[0].json()).first().toObject().value(u"thought").toBool());
    EXPECT_TRUE(parts(events[1].json()).first().toObject().value(u"thought").toBool());
    EXPECT_FALSE(parts(events[2].json()).first().toObject().contains(u"thought"));
}

TEST(MockGemini, ToolLoopBothTurns)
{
    MockUpstream mock;
    MockBehaviour b;
    b.toolLoop = true;
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    QJsonObject body = withTools(generateBody(), {u"run_shell"_s});
    const HttpResult first = client.request("POST", url(mock, u"generateContent"_s),
                                            compactJson(body), kKey);
    const QJsonObject call = parts(first.json()).first().toObject();
    EXPECT_EQ(call.value(u"functionCall").toObject(),
              (QJsonObject{{u"name"_s, u"run_shell"_s},
                           {u"args"_s, QJsonObject{{u"command"_s, u"echo tarn-e2e"_s}}}}));

    QJsonArray contents = body.value(u"contents").toArray();
    contents.append(QJsonObject{{u"role"_s, u"model"_s}, {u"parts"_s, QJsonArray{call}}});
    const QJsonObject response{
        {u"name"_s, u"run_shell"_s},
        {u"response"_s, QJsonObject{{u"output"_s, u"tarn-e2e"_s}}}};
    contents.append(QJsonObject{{u"role"_s, u"user"_s},
                                {u"parts"_s, QJsonArray{QJsonObject{{u"functionResponse"_s,
                                                                     response}}}}});
    body.insert(u"contents"_s, contents);
    const HttpStreamResult second = client.stream(
        "POST", url(mock, u"streamGenerateContent"_s, "?alt=sse"), compactJson(body), kKey);
    QString text;
    for (const SseEvent &event : sseEvents(second.body))
        text += parts(event.json()).first().toObject().value(u"text").toString();
    EXPECT_EQ(text, u"Done: tarn-e2e"_s);
}

TEST(MockGemini, ErrorsAndKeyCheck)
{
    MockUpstream mock;
    HttpTestClient client;
    const QByteArray body = compactJson(generateBody());
    const QList<std::pair<int, QString>> cases = {{429, u"RESOURCE_EXHAUSTED"_s},
                                                  {400, u"INVALID_ARGUMENT"_s},
                                                  {401, u"UNAUTHENTICATED"_s},
                                                  {500, u"INTERNAL"_s},
                                                  {503, u"UNAVAILABLE"_s}};
    for (const auto &[status, name] : cases) {
        MockBehaviour b;
        b.status = status;
        mock.pushBehaviour(b);
        const HttpResult r = client.request("POST", url(mock, u"streamGenerateContent"_s,
                                                        "?alt=sse"), body, kKey);
        EXPECT_EQ(r.status, status);
        const QJsonObject error = r.json().value(u"error").toObject();
        EXPECT_EQ(error.value(u"code").toInt(), status);
        EXPECT_EQ(error.value(u"status").toString(), name);
        EXPECT_FALSE(error.value(u"message").toString().isEmpty());
    }
    const HttpResult noKey = client.request("POST", url(mock, u"generateContent"_s), body);
    EXPECT_EQ(noKey.status, 403);
    EXPECT_EQ(noKey.json().value(u"error").toObject().value(u"status").toString(),
              u"PERMISSION_DENIED"_s);
    const HttpResult empty = client.request("POST", url(mock, u"generateContent"_s),
                                            R"({"contents":[]})", kKey);
    EXPECT_EQ(empty.status, 400);
    EXPECT_EQ(empty.json().value(u"error").toObject().value(u"status").toString(),
              u"INVALID_ARGUMENT"_s);
    const HttpResult unknown = client.request("POST", url(mock, u"embedText"_s), body, kKey);
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.json().value(u"error").toObject().value(u"status").toString(),
              u"NOT_FOUND"_s);
}

TEST(MockGemini, CountTokens)
{
    MockUpstream mock;
    HttpTestClient client;
    const HttpResult r = client.request("POST", url(mock, u"countTokens"_s),
                                        compactJson(generateBody()), kKey);
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_EQ(r.json(), (QJsonObject{{u"totalTokens"_s, 10}}));
    const QJsonObject wrapped{{u"generateContentRequest"_s, generateBody()}};
    const HttpResult w = client.request("POST", url(mock, u"countTokens"_s),
                                        compactJson(wrapped), kKey);
    EXPECT_EQ(w.json(), (QJsonObject{{u"totalTokens"_s, 10}}));
}
