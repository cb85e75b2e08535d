// SPDX-License-Identifier: GPL-3.0-or-later
// The retry seam: a request is resent to the next channel until its first byte reaches the client.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QTcpServer>

#include <QJsonArray>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {
// A port nothing listens on: bind, remember, close.
quint16 deadPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    const quint16 port = s.serverPort();
    s.close();
    return port;
}
} // namespace

TEST(Failover, ServerErrorAndRateLimitMoveToTheNextChannel)
{
    MockUpstream busy;
    MockUpstream broken;
    MockUpstream healthy;
    MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "30"}};
    busy.setDefaultBehaviour(limited);
    MockBehaviour failing;
    failing.status = 503;
    broken.setDefaultBehaviour(failing);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("busy"), busy.baseUrl(), {QStringLiteral("gpt-x")}, 30);
    tarn.addChannel(QStringLiteral("broken"), broken.baseUrl(), {QStringLiteral("gpt-x")}, 20);
    tarn.addChannel(QStringLiteral("healthy"), healthy.baseUrl(), {QStringLiteral("gpt-x")}, 10);
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                        chatBody(QStringLiteral("gpt-x"), false));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(busy.requestCount(), 1);
    EXPECT_EQ(broken.requestCount(), 1);
    EXPECT_EQ(healthy.requestCount(), 1);
    EXPECT_EQ(healthy.lastRequest().body, busy.lastRequest().body);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].attempts, 3);
    EXPECT_EQ(rows[0].channelName, QStringLiteral("healthy"));
}

TEST(Failover, RefusedConnectionMovesToTheNextChannelForStreamsToo)
{
    MockUpstream healthy;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("down"), QStringLiteral("http://127.0.0.1:%1/v1").arg(deadPort()), {QStringLiteral("gpt-x")}, 10);
    tarn.addChannel(QStringLiteral("healthy"), healthy.baseUrl(), {QStringLiteral("gpt-x")}, 0);
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x"), true));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.sseData().last(), QByteArray("[DONE]"));
}

TEST(Failover, LastChannelsErrorIsPassedBackWhenAllFail)
{
    MockUpstream only;
    MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "7"}};
    only.setDefaultBehaviour(limited);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("only"), only.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                        chatBody(QStringLiteral("gpt-x")));
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.header("retry-after"), QByteArray("7"));
}

TEST(Failover, HangingUpstreamTimesOutWith504)
{
    MockUpstream hanging;
    MockBehaviour hang;
    hang.hang = true;
    hanging.setDefaultBehaviour(hang);
    tarn::gateway::UpstreamTimeouts timeouts;
    timeouts.firstByteMs = 400;
    GatewayHarness tarn({}, timeouts);
    tarn.addChannel(QStringLiteral("slow"), hanging.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                        chatBody(QStringLiteral("gpt-x")));
    EXPECT_EQ(r.status, 504);
    EXPECT_EQ(r.json().value(u"error").toObject().value(u"code").toString(), QStringLiteral("upstream_timeout"));
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 504);
}
