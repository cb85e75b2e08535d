// SPDX-License-Identifier: GPL-3.0-or-later
// The mock upstream's OpenAI shapes: non-stream, stream with and without usage, tools, legacy.
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray chatBody(bool stream, bool usage = false, bool tools = false)
{
    QJsonObject body{{QStringLiteral("model"), QStringLiteral("gpt-test")},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), QStringLiteral("abcdefgh")}}}}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    if (usage)
        body.insert(QStringLiteral("stream_options"),
                    QJsonObject{{QStringLiteral("include_usage"), true}});
    if (tools) {
        const QJsonObject function{{QStringLiteral("name"), QStringLiteral("lookup")},
                                   {QStringLiteral("parameters"), QJsonObject{}}};
        body.insert(QStringLiteral("tools"),
                    QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("function")},
                                           {QStringLiteral("function"), function}}});
    }
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QList<QJsonObject> chunksOf(const HttpStreamResult &result)
{
    QList<QJsonObject> out;
    for (const QByteArray &data : result.sseData()) {
        if (data != "[DONE]")
            out.append(QJsonDocument::fromJson(data).object());
    }
    return out;
}

QString url(const MockUpstream &mock, const char *path)
{
    return mock.baseUrl() + QLatin1String(path);
}

} // namespace

TEST(MockUpstream, ChatNonStreamShapeAndRecording)
{
    MockUpstream mock;
    MockBehaviour cached;
    cached.cachedTokens = 4;
    mock.pushBehaviour(cached);
    HttpTestClient client;
    const HttpResult r = client.request("POST", url(mock, "/chat/completions"), chatBody(false),
                                        {{"Authorization", "Bearer sk-test"}});
    ASSERT_TRUE(r.complete) << r.error.toStdString();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/json");
    const QJsonObject o = r.json();
    EXPECT_TRUE(o.value(u"id").toString().startsWith(u"chatcmpl-"));
    EXPECT_EQ(o.value(u"object").toString(), u"chat.completion"_s);
    EXPECT_TRUE(o.value(u"created").isDouble());
    EXPECT_EQ(o.value(u"model").toString(), u"gpt-test"_s);
    EXPECT_EQ(o.value(u"system_fingerprint").toString(), u"fp_mock"_s);
    const QJsonObject choice = o.value(u"choices").toArray().first().toObject();
    EXPECT_EQ(choice.value(u"index").toInt(-1), 0);
    EXPECT_EQ(choice.value(u"finish_reason").toString(), u"stop"_s);
    EXPECT_TRUE(choice.value(u"logprobs").isNull());
    const QJsonObject message = choice.value(u"message").toObject();
    EXPECT_EQ(message.value(u"role").toString(), u"assistant"_s);
    EXPECT_EQ(message.value(u"content").toString(), u"Hello from the mock upstream"_s);
    EXPECT_TRUE(message.value(u"refusal").isNull());
    const QJsonObject usage = o.value(u"usage").toObject();
    EXPECT_EQ(usage.value(u"prompt_tokens").toInt(), 8 / 4 + 7);
    EXPECT_EQ(usage.value(u"completion_tokens").toInt(), 5);
    EXPECT_EQ(usage.value(u"total_tokens").toInt(), 14);
    EXPECT_EQ(usage.value(u"prompt_tokens_details").toObject().value(u"cached_tokens").toInt(), 4);
    EXPECT_EQ(usage.value(u"completion_tokens_details").toObject().value(u"reasoning_tokens").toInt(-1),
              0);

    ASSERT_EQ(mock.requestCount(), 1);
    const MockRequest req = mock.requests().first();
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.path, "/v1/chat/completions");
    EXPECT_EQ(req.header("authorization"), "Bearer sk-test");
    EXPECT_EQ(req.json().value(u"model").toString(), u"gpt-test"_s);
}

TEST(MockUpstream, ChatStreamWithoutUsage)
{
    MockUpstream mock;
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", url(mock, "/chat/completions"), chatBody(true));
    ASSERT_TRUE(r.complete) << r.error.toStdString();
    EXPECT_TRUE(r.header("Content-Type").startsWith("text/event-stream"));
    EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
    ASSERT_EQ(r.sseData().constLast(), "[DONE]");
    const QList<QJsonObject> chunks = chunksOf(r);
    ASSERT_EQ(chunks.size(), 1 + 5 + 1);
    QString text;
    for (const QJsonObject &c : chunks) {
        EXPECT_EQ(c.value(u"object").toString(), u"chat.completion.chunk"_s);
        EXPECT_EQ(c.value(u"id"), chunks.first().value(u"id"));
        EXPECT_EQ(c.value(u"model").toString(), u"gpt-test"_s);
        EXPECT_FALSE(c.contains(u"usage"));
        const QJsonObject choice = c.value(u"choices").toArray().first().toObject();
        text += choice.value(u"delta").toObject().value(u"content").toString();
    }
    EXPECT_EQ(text, u"Hello from the mock upstream"_s);
    const QJsonObject first = chunks.first().value(u"choices").toArray().first().toObject();
    EXPECT_EQ(first.value(u"delta").toObject().value(u"role").toString(), u"assistant"_s);
    EXPECT_TRUE(first.value(u"finish_reason").isNull());
    const QJsonObject last = chunks.last().value(u"choices").toArray().first().toObject();
    EXPECT_EQ(last.value(u"finish_reason").toString(), u"stop"_s);
    EXPECT_TRUE(last.value(u"delta").toObject().isEmpty());
}

TEST(MockUpstream, ChatStreamWithUsageAndChunkCount)
{
    MockUpstream mock;
    MockBehaviour b;
    b.chunks = 3;
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", url(mock, "/chat/completions"),
                                             chatBody(true, true));
    ASSERT_TRUE(r.complete);
    const QList<QJsonObject> chunks = chunksOf(r);
    ASSERT_EQ(chunks.size(), 1 + 3 + 1 + 1);
    for (qsizetype i = 0; i + 1 < chunks.size(); ++i) {
        ASSERT_TRUE(chunks[i].contains(u"usage"));
        EXPECT_TRUE(chunks[i].value(u"usage").isNull());
    }
    const QJsonObject usageChunk = chunks.last();
    EXPECT_TRUE(usageChunk.value(u"choices").toArray().isEmpty());
    const QJsonObject usage = usageChunk.value(u"usage").toObject();
    EXPECT_EQ(usage.value(u"prompt_tokens").toInt(), 9);
    EXPECT_EQ(usage.value(u"completion_tokens").toInt(), 3);
    EXPECT_EQ(usage.value(u"total_tokens").toInt(), 12);
}

TEST(MockUpstream, ToolCallsNonStreamAndStream)
{
    MockUpstream mock;
    HttpTestClient client;
    const HttpResult plain = client.request("POST", url(mock, "/chat/completions"),
                                            chatBody(false, false, true));
    const QJsonObject choice = plain.json().value(u"choices").toArray().first().toObject();
    EXPECT_EQ(choice.value(u"finish_reason").toString(), u"tool_calls"_s);
    const QJsonObject message = choice.value(u"message").toObject();
    EXPECT_TRUE(message.value(u"content").isNull());
    const QJsonObject call = message.value(u"tool_calls").toArray().first().toObject();
    EXPECT_TRUE(call.value(u"id").toString().startsWith(u"call_"));
    EXPECT_EQ(call.value(u"type").toString(), u"function"_s);
    EXPECT_EQ(call.value(u"function").toObject().value(u"name").toString(), u"lookup"_s);
    EXPECT_EQ(call.value(u"function").toObject().value(u"arguments").toString(),
              u"{\"query\":\"mock\"}"_s);

    const HttpStreamResult r = client.stream("POST", url(mock, "/chat/completions"),
                                             chatBody(true, false, true));
    const QList<QJsonObject> chunks = chunksOf(r);
    ASSERT_EQ(chunks.size(), 1 + 5 + 1);
    const QJsonObject firstDelta =
        chunks[0].value(u"choices").toArray().first().toObject().value(u"delta").toObject();
    const QJsonObject firstCall = firstDelta.value(u"tool_calls").toArray().first().toObject();
    EXPECT_EQ(firstCall.value(u"index").toInt(-1), 0);
    EXPECT_TRUE(firstCall.value(u"id").toString().startsWith(u"call_"));
    EXPECT_EQ(firstCall.value(u"type").toString(), u"function"_s);
    EXPECT_EQ(firstCall.value(u"function").toObject().value(u"name").toString(), u"lookup"_s);
    EXPECT_EQ(firstCall.value(u"function").toObject().value(u"arguments").toString(), u""_s);
    QString arguments;
    for (qsizetype i = 1; i <= 5; ++i) {
        const QJsonObject callDelta = chunks[i].value(u"choices").toArray().first().toObject()
                                          .value(u"delta").toObject()
                                          .value(u"tool_calls").toArray().first().toObject();
        EXPECT_EQ(callDelta.value(u"index").toInt(-1), 0);
        EXPECT_FALSE(callDelta.contains(u"id"));
        arguments += callDelta.value(u"function").toObject().value(u"arguments").toString();
    }
    EXPECT_EQ(arguments, u"{\"query\":\"mock\"}"_s);
    EXPECT_EQ(chunks.last().value(u"choices").toArray().first().toObject()
                  .value(u"finish_reason").toString(),
              u"tool_calls"_s);
}

TEST(MockUpstream, LegacyCompletionsEmbeddingsModels)
{
    MockUpstream mock;
    HttpTestClient client;
    const HttpResult text = client.request(
        "POST", url(mock, "/completions"), R"({"model":"m","prompt":"abcd"})");
    const QJsonObject t = text.json();
    EXPECT_EQ(t.value(u"object").toString(), u"text_completion"_s);
    EXPECT_EQ(t.value(u"choices").toArray().first().toObject().value(u"text").toString(),
              u"Hello from the mock upstream"_s);
    EXPECT_EQ(t.value(u"usage").toObject().value(u"prompt_tokens").toInt(), 8);

    const HttpStreamResult streamed = client.stream(
        "POST", url(mock, "/completions"),
        R"({"model":"m","prompt":"abcd","stream":true,"stream_options":{"include_usage":true}})");
    const QList<QJsonObject> chunks = chunksOf(streamed);
    ASSERT_EQ(chunks.size(), 5 + 1 + 1);
    EXPECT_EQ(chunks.first().value(u"object").toString(), u"text_completion"_s);
    EXPECT_EQ(chunks.last().value(u"usage").toObject().value(u"total_tokens").toInt(), 13);

    const HttpResult emb = client.request("POST", url(mock, "/embeddings"),
                                          R"({"model":"e","input":["one","two"]})");
    const QJsonObject e = emb.json();
    EXPECT_EQ(e.value(u"object").toString(), u"list"_s);
    ASSERT_EQ(e.value(u"data").toArray().size(), 2);
    const QJsonObject first = e.value(u"data").toArray().first().toObject();
    EXPECT_EQ(first.value(u"object").toString(), u"embedding"_s);
    EXPECT_EQ(first.value(u"embedding").toArray().size(), 8);
    EXPECT_EQ(e.value(u"usage").toObject().value(u"prompt_tokens").toInt(), 6 / 4 + 7);

    const HttpResult models = client.request("GET", url(mock, "/models"));
    EXPECT_EQ(models.json().value(u"object").toString(), u"list"_s);
    EXPECT_EQ(models.json().value(u"data").toArray().first().toObject().value(u"object").toString(),
              u"model"_s);
    EXPECT_EQ(client.connectionsOpened(), 1); // all of it over one kept-alive connection
    EXPECT_EQ(mock.totalConnections(), 1);
}
