// SPDX-License-Identifier: GPL-3.0-or-later
// The mock upstream's fault injection: errors, hangs, truncation, delays, client-gone accounting.
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QTest>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kChat = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
const QByteArray kStream =
    R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})";

QString chatUrl(const MockUpstream &mock)
{
    return mock.baseUrl() + u"/chat/completions"_s;
}

} // namespace

TEST(MockFaults, RateLimitWithRetryAfterThenDefault)
{
    MockUpstream mock;
    MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "2"}};
    mock.pushBehaviour(limited);
    HttpTestClient client;
    const HttpResult first = client.request("POST", chatUrl(mock), kChat);
    EXPECT_EQ(first.status, 429);
    EXPECT_EQ(first.header("retry-after"), "2");
    const QJsonObject error = first.json().value(u"error").toObject();
    EXPECT_EQ(error.value(u"code").toString(), u"rate_limit_exceeded"_s);
    EXPECT_TRUE(error.contains(u"message"));
    EXPECT_TRUE(error.value(u"param").isNull());
    const HttpResult second = client.request("POST", chatUrl(mock), kChat);
    EXPECT_EQ(second.status, 200); // the queue is consumed, then the default applies
}

TEST(MockFaults, ServerErrorAndBodyOverride)
{
    MockUpstream mock;
    MockBehaviour failing;
    failing.status = 503;
    mock.pushBehaviour(failing);
    MockBehaviour raw;
    raw.body = "not json";
    raw.headers = {{"Content-Type", "text/plain"}};
    mock.pushBehaviour(raw);
    HttpTestClient client;
    const HttpResult r = client.request("POST", chatUrl(mock), kChat);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.json().value(u"error").toObject().value(u"type").toString(), u"server_error"_s);
    const HttpResult o = client.request("POST", chatUrl(mock), kChat);
    EXPECT_EQ(o.body, "not json");
    EXPECT_EQ(o.header("Content-Type"), "text/plain");
}

TEST(MockFaults, HangThenClientGone)
{
    MockUpstream mock;
    MockBehaviour hang;
    hang.hang = true;
    mock.pushBehaviour(hang);
    {
        HttpTestClient client;
        const HttpResult r = client.request("POST", chatUrl(mock), kChat, {}, 200);
        EXPECT_TRUE(r.timedOut);
        EXPECT_EQ(r.status, 0);
        EXPECT_EQ(mock.requestCount(), 1);
    } // the client hangs up here
    EXPECT_TRUE(mock.waitForDisconnect(2000));
    EXPECT_FALSE(mock.waitForDisconnect(50)); // consumed
    EXPECT_EQ(mock.openConnections(), 0);
}

TEST(MockFaults, TruncatedStreamAndCloseWithoutResponse)
{
    MockUpstream mock;
    MockBehaviour truncated;
    truncated.truncateStream = true;
    mock.pushBehaviour(truncated);
    MockBehaviour silent;
    silent.closeWithoutResponse = true;
    mock.pushBehaviour(silent);
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", chatUrl(mock), kStream);
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);
    EXPECT_TRUE(r.peerClosed);
    EXPECT_FALSE(r.sseData().isEmpty());
    EXPECT_FALSE(r.sseData().contains("[DONE]"));
    const HttpResult s = client.request("POST", chatUrl(mock), kChat);
    EXPECT_EQ(s.status, 0);
    EXPECT_TRUE(s.peerClosed);
    EXPECT_FALSE(s.complete);
    EXPECT_EQ(mock.abortedStreams(), 0); // the mock closed these, not the client
}

TEST(MockFaults, DelaysAndIncrementalChunks)
{
    MockUpstream mock;
    MockBehaviour slow;
    slow.delayMs = 100;
    slow.chunkDelayMs = 20;
    mock.pushBehaviour(slow);
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", chatUrl(mock), kStream);
    ASSERT_TRUE(r.complete);
    EXPECT_GE(r.headMs, 95);
    EXPECT_GE(r.chunks.size(), 3); // arrived in pieces, not in one burst
    EXPECT_GE(r.chunks.constLast().ms - r.chunks.constFirst().ms, 5 * 20 - 10);
}

TEST(MockFaults, ClientGoneMidStreamCountsAsAborted)
{
    MockUpstream mock;
    MockBehaviour slow;
    slow.chunkDelayMs = 30;
    mock.setDefaultBehaviour(slow);
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", chatUrl(mock), kStream, {}, 5000, 2);
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);
    EXPECT_TRUE(QTest::qWaitFor([&] { return mock.abortedStreams() == 1; }, 2000));
    EXPECT_TRUE(mock.waitForDisconnect(1000));
}

TEST(MockFaults, CloseDelimitedStream)
{
    MockUpstream mock;
    MockBehaviour b;
    b.closeDelimited = true;
    mock.pushBehaviour(b);
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", chatUrl(mock), kStream);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.header("Transfer-Encoding").isEmpty());
    EXPECT_EQ(r.sseData().constLast(), "[DONE]");
}

TEST(MockFaults, RawEventsAndWaitForRequests)
{
    MockUpstream mock;
    MockBehaviour b;
    b.rawEvents = {"data: {\"partial\":", "true}\n\n", "data: [DONE]\n\n"};
    mock.pushBehaviour(b);
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", chatUrl(mock), kStream);
    EXPECT_EQ(r.body, "data: {\"partial\":true}\n\ndata: [DONE]\n\n");
    EXPECT_TRUE(mock.waitForRequests(1, 10));
    EXPECT_FALSE(mock.waitForRequests(2, 20));
}
