// SPDX-License-Identifier: GPL-3.0-or-later
// Non-streamed OpenAI proxying: byte-for-byte relay, aliases, usage rows, upstream errors.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <QJsonArray>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

const QByteArray kAnswer = R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":"Hi there, from the mock.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":31,"completion_tokens":6,"total_tokens":37,"prompt_tokens_details":{"cached_tokens":12,"audio_tokens":0}},"system_fingerprint":"fp_x"})";

} // namespace

TEST(Proxy, NonStreamRelaysBodyByteForByteAndRecordsUsage)
{
    MockUpstream mock;
    MockBehaviour b;
    b.body = kAnswer;
    b.headers = {{"x-request-id", "req-42"}, {"set-cookie", "tracking=1"}};
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());

    const QByteArray body = chatBody(QStringLiteral("gpt-x"));
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")), body);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, kAnswer);
    EXPECT_EQ(r.header("x-request-id"), QByteArray("req-42"));
    EXPECT_TRUE(r.header("set-cookie").isEmpty());

    ASSERT_EQ(mock.requestCount(), 1);
    const MockRequest sent = mock.lastRequest();
    EXPECT_EQ(sent.path, QByteArray("/v1/chat/completions"));
    EXPECT_EQ(sent.header("authorization"), QByteArray("Bearer sk-main"));
    EXPECT_EQ(sent.body, body) << "an unmapped, non-stream request must reach the upstream unchanged";

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].promptTokens, 31);
    EXPECT_EQ(rows[0].completionTokens, 6);
    EXPECT_EQ(rows[0].cachedTokens, 12);
    EXPECT_EQ(rows[0].channelName, QStringLiteral("main"));
    EXPECT_EQ(rows[0].requestedModel, QStringLiteral("gpt-x"));
    EXPECT_EQ(rows[0].upstreamModel, QStringLiteral("gpt-x"));
    EXPECT_EQ(rows[0].attempts, 1);
    EXPECT_FALSE(rows[0].stream);
    EXPECT_GE(rows[0].ttftMs, 0);
}

TEST(Proxy, AliasIsMappedUpstreamAndRestoredForTheClient)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("zhipu"), mock.baseUrl(), {QStringLiteral("glm-5")}, 0,
                    {{QStringLiteral("fast"), QStringLiteral("glm-5")}});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                        chatBody(QStringLiteral("fast")));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(mock.lastRequest().json().value(u"model").toString(), QStringLiteral("glm-5"));
    EXPECT_EQ(r.json().value(u"model").toString(), QStringLiteral("fast"));
    EXPECT_EQ(mock.lastRequest().json().value(u"messages").toArray().size(), 1);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].requestedModel, QStringLiteral("fast"));
    EXPECT_EQ(rows[0].upstreamModel, QStringLiteral("glm-5"));
    EXPECT_GT(rows[0].promptTokens, 0);
}

TEST(Proxy, EmbeddingsAndCompletionsGoToTheirUpstreamPaths)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl() + u'/', {QStringLiteral("emb"), QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult e = client.request("POST", tarn.url(QStringLiteral("/v1/embeddings")),
                                        R"({"model":"emb","input":"hello world"})");
    ASSERT_EQ(e.status, 200);
    EXPECT_EQ(mock.lastRequest().path, QByteArray("/v1/embeddings"));
    EXPECT_EQ(e.json().value(u"object").toString(), QStringLiteral("list"));
    const HttpResult c = client.request("POST", tarn.url(QStringLiteral("/v1/completions")),
                                        R"({"model":"gpt-x","prompt":"Once upon"})");
    ASSERT_EQ(c.status, 200);
    EXPECT_EQ(mock.lastRequest().path, QByteArray("/v1/completions"));
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].endpoint, QStringLiteral("/v1/embeddings"));
    EXPECT_GT(rows[0].promptTokens, 0);
    EXPECT_EQ(rows[1].endpoint, QStringLiteral("/v1/completions"));
}

TEST(Proxy, UpstreamClientErrorIsPassedBackWithItsStatusAndBodyAndNotRetried)
{
    MockUpstream first;
    MockUpstream second;
    MockBehaviour bad;
    bad.status = 400;
    bad.body = R"({"error":{"message":"messages must not be empty","type":"invalid_request_error","param":"messages","code":null}})";
    first.setDefaultBehaviour(bad);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("first"), first.baseUrl(), {QStringLiteral("gpt-x")}, 10);
    tarn.addChannel(QStringLiteral("second"), second.baseUrl(), {QStringLiteral("gpt-x")}, 0);
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                        chatBody(QStringLiteral("gpt-x")));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, bad.body);
    EXPECT_EQ(second.requestCount(), 0) << "a format error is the client's; another channel would say the same";
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 400);
    EXPECT_TRUE(rows[0].error.contains(QStringLiteral("messages must not be empty")));
}

TEST(Proxy, LargeRequestBodyIsRelayedIntact)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")}, 0,
                    {{QStringLiteral("alias"), QStringLiteral("gpt-x")}});
    ASSERT_TRUE(tarn.start());
    // A coding agent's 1 MiB history.
    QJsonArray messages;
    const QString filler = QString(1000, u'x');
    for (int i = 0; i < 1024; ++i)
        messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), filler}});
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("model"), QStringLiteral("alias")}, {QStringLiteral("messages"), messages}})
            .toJson(QJsonDocument::Compact);
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")), body, {}, 15000);
    ASSERT_EQ(r.status, 200);
    const QJsonObject sent = mock.lastRequest().json();
    EXPECT_EQ(sent.value(u"model").toString(), QStringLiteral("gpt-x"));
    EXPECT_EQ(sent.value(u"messages").toArray(), messages);
}
