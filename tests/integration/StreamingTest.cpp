// SPDX-License-Identifier: GPL-3.0-or-later
// Streamed (SSE) proxying: byte-exact relay, incremental delivery, usage, client disconnects.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

QList<QByteArray> recordedEvents()
{
    return {
        R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})" "\n\n",
        R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}],"usage":null})" "\n\n",
        R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})" "\n\n",
        R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":2,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":4}}})" "\n\n",
        "data: [DONE]\n\n",
    };
}

QByteArray joined(const QList<QByteArray> &parts)
{
    QByteArray all;
    for (const QByteArray &p : parts)
        all.append(p);
    return all;
}

} // namespace

TEST(Streaming, RelaysByteForByteWhenTheClientAskedForUsage)
{
    MockUpstream mock;
    MockBehaviour b;
    b.rawEvents = recordedEvents();
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());

    const QByteArray body = chatBody(QStringLiteral("gpt-x"), true, true);
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")), body);
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.header("content-type").startsWith("text/event-stream"));
    EXPECT_EQ(r.body, joined(recordedEvents()));
    EXPECT_EQ(mock.lastRequest().body, body);

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_TRUE(rows[0].stream);
    EXPECT_EQ(rows[0].promptTokens, 19);
    EXPECT_EQ(rows[0].completionTokens, 2);
    EXPECT_EQ(rows[0].cachedTokens, 4);
}

TEST(Streaming, InjectsIncludeUsageUpstreamAndHidesTheUsageChunk)
{
    MockUpstream mock;
    MockBehaviour b;
    b.rawEvents = recordedEvents();
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());

    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x"), true, false));
    ASSERT_EQ(r.status, 200);
    const QJsonObject sent = mock.lastRequest().json();
    EXPECT_TRUE(sent.value(u"stream_options").toObject().value(u"include_usage").toBool());
    QList<QByteArray> expected = recordedEvents();
    expected.removeAt(3); // the usage-only chunk the client did not ask for
    EXPECT_EQ(r.body, joined(expected));
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].promptTokens, 19);
    EXPECT_EQ(rows[0].completionTokens, 2);
}

TEST(Streaming, ToolCallDeltasAndAliasRewriteWithTheMocksOwnStream)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")}, 0,
                    {{QStringLiteral("coder"), QStringLiteral("gpt-x")}});
    ASSERT_TRUE(tarn.start());
    const QByteArray body = R"({"model":"coder","stream":true,"messages":[{"role":"user","content":"weather?"}],)"
                            R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}]})";
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")), body);
    ASSERT_EQ(r.status, 200);
    const QList<QByteArray> events = r.sseData();
    ASSERT_GE(events.size(), 3);
    EXPECT_EQ(events.last(), QByteArray("[DONE]"));
    QString arguments;
    QString finish;
    for (const QByteArray &data : events.first(events.size() - 1)) {
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        EXPECT_EQ(chunk.value(u"model").toString(), QStringLiteral("coder")) << data.constData();
        EXPECT_NE(chunk.value(u"choices").toArray().size(), 0) << "the injected usage chunk leaked: " << data.constData();
        for (const QJsonValue &choice : chunk.value(u"choices").toArray()) {
            for (const QJsonValue &call : choice.toObject().value(u"delta").toObject().value(u"tool_calls").toArray())
                arguments += call.toObject().value(u"function").toObject().value(u"arguments").toString();
            if (choice.toObject().value(u"finish_reason").isString())
                finish = choice.toObject().value(u"finish_reason").toString();
        }
    }
    EXPECT_EQ(finish, QStringLiteral("tool_calls"));
    EXPECT_FALSE(QJsonDocument::fromJson(arguments.toUtf8()).isNull()) << arguments.toStdString();
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_GT(rows[0].promptTokens, 0);
    EXPECT_GT(rows[0].completionTokens, 0);
}

TEST(Streaming, ChunksReachTheClientAsTheyArriveNotAtTheEnd)
{
    MockUpstream mock;
    MockBehaviour b;
    b.chunks = 5;
    b.chunkDelayMs = 150;
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x"), true));
    ASSERT_EQ(r.status, 200);
    ASSERT_GE(r.chunks.size(), 4);
    // The upstream spends >= 5 x 150 ms producing the stream; a buffering relay would deliver it in
    // one burst at the end.
    const qint64 spread = r.chunks.last().ms - r.chunks.first().ms;
    EXPECT_GE(spread, 450) << "first chunk at " << r.chunks.first().ms << " ms, last at " << r.chunks.last().ms;
    EXPECT_LT(r.firstByteMs, r.elapsedMs - 450);
}

TEST(Streaming, ClientDisconnectAbortsTheUpstreamRequest)
{
    MockUpstream mock;
    MockBehaviour b;
    b.chunks = 40;
    b.chunkDelayMs = 100;
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x"), true), {}, 10000, 1);
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);
    // The 4 s stream is cut well before its end: the mock sees its client (Tarn) go away.
    QElapsedTimer timer;
    timer.start();
    while (mock.abortedStreams() == 0 && timer.elapsed() < 2000)
        mock.waitForDisconnect(50);
    EXPECT_EQ(mock.abortedStreams(), 1);
    EXPECT_LT(timer.elapsed(), 2000);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 499);
    EXPECT_EQ(rows[0].error, QStringLiteral("client closed the connection"));
}

TEST(Streaming, TruncatedUpstreamStreamEndsCleanlyWithAnErrorEvent)
{
    MockUpstream mock;
    MockBehaviour b;
    b.chunks = 10;
    b.truncateStream = true;
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x"), true));
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete) << "the client gets a properly terminated chunked body";
    const QList<QByteArray> events = r.sseData();
    ASSERT_FALSE(events.isEmpty());
    EXPECT_TRUE(QJsonDocument::fromJson(events.last()).object().contains(u"error"));
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_TRUE(rows[0].error.startsWith(QStringLiteral("stream interrupted")));
}
