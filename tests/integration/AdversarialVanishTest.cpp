// SPDX-License-Identifier: GPL-3.0-or-later
// Clients that vanish (FIN or RST) at each phase of an exchange: the gateway stays healthy and
// idle, aborts the provider's request where one was started, and records exactly one usage row
// with status 499 for each request that was complete when its client left — none for the others.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QThread>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

const bool kWatchdog = (installTestWatchdog(120'000), true);

enum class Exit { Fin, Rst };

void PrintTo(Exit exit, std::ostream *os)
{
    *os << (exit == Exit::Fin ? "FIN" : "RST");
}

std::string exitName(const ::testing::TestParamInfo<Exit> &info)
{
    return info.param == Exit::Fin ? "Fin" : "Rst";
}

struct VanishRig
{
    explicit VanishRig(const MockBehaviour &behaviour = {})
    {
        mock.setDefaultBehaviour(behaviour);
        tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
        started = tarn.start();
    }

    // A fresh connection's GET /health answers 200, and the idle process burns no CPU.
    void expectHealthy()
    {
        RawClient health(tarn.port());
        ASSERT_TRUE(health.send(rawGet("/health")));
        const auto answer = health.readResponses(1, 10'000);
        ASSERT_EQ(answer.size(), 1) << "GET /health got no answer";
        EXPECT_EQ(answer.first().status, 200);
        const qint64 cpu = processCpuMsWhileSleeping(600);
        EXPECT_LT(cpu, 300) << "the idle process used " << cpu << " ms of CPU in 600 ms: a pinned thread?";
    }

    // Exactly one row with status 499 appears (and no second one follows).
    void expectOne499()
    {
        ASSERT_TRUE(waitUntil([this] { return !tarn.usageRows().isEmpty(); }, 15'000))
            << "no usage row for a complete request whose client left";
        QThread::msleep(300); // room for a duplicate row to show up
        const auto rows = tarn.usageRows();
        ASSERT_EQ(rows.size(), 1);
        EXPECT_EQ(rows[0].status, 499) << rows[0].error.toStdString();
        EXPECT_EQ(rows[0].requestedModel, QStringLiteral("gpt-x"));
    }

    MockUpstream mock;
    GatewayHarness tarn;
    bool started = false;
};

const QByteArray kChat = rawPost("/v1/chat/completions", chatBody(QStringLiteral("gpt-x")));
const QByteArray kChatStream = rawPost("/v1/chat/completions", chatBody(QStringLiteral("gpt-x"), true));

// Sends `bytes` and leaves, before the request is complete.
void vanishPartway(const QByteArray &bytes, Exit exit)
{
    VanishRig rig;
    ASSERT_TRUE(rig.started);
    {
        RawClient client(rig.tarn.port());
        ASSERT_TRUE(client.send(bytes));
        QThread::msleep(100); // let the server read the fragment as one piece before the close
        client.close(exit == Exit::Rst);
    }
    rig.expectHealthy();
    EXPECT_EQ(rig.mock.requestCount(), 0) << "an incomplete request reached the provider";
    EXPECT_EQ(rig.tarn.usageRows().size(), 0) << "an incomplete request was recorded";
}

} // namespace

class AdversarialVanish : public ::testing::TestWithParam<Exit>
{
};

TEST_P(AdversarialVanish, MidRequestLine)
{
    vanishPartway(kChat.left(20), GetParam());
}

TEST_P(AdversarialVanish, MidHeaders)
{
    vanishPartway(kChat.left(kChat.indexOf("Content-Length") + 5), GetParam());
}

TEST_P(AdversarialVanish, MidBody)
{
    vanishPartway(kChat.left(kChat.indexOf("\r\n\r\n") + 4 + 20), GetParam());
}

TEST_P(AdversarialVanish, MidChunkedBody)
{
    vanishPartway(rawChunkedPost("/v1/chat/completions", {chatBody(QStringLiteral("gpt-x"))}).chopped(9), GetParam());
}

TEST_P(AdversarialVanish, AfterTheRequestBeforeTheUpstreamAnswered)
{
    MockBehaviour slow;
    slow.delayMs = 20'000; // the answer would come long after the client left
    VanishRig rig(slow);
    ASSERT_TRUE(rig.started);
    {
        RawClient client(rig.tarn.port());
        ASSERT_TRUE(client.send(kChat));
        ASSERT_TRUE(rig.mock.waitForRequests(1, 10'000));
        client.close(GetParam() == Exit::Rst);
    }
    EXPECT_TRUE(rig.mock.waitForDisconnect(10'000)) << "the provider's request was not aborted";
    rig.expectOne499();
    rig.expectHealthy();
}

TEST_P(AdversarialVanish, AfterTheStreamRequestBeforeTheUpstreamAnswered)
{
    MockBehaviour slow;
    slow.delayMs = 20'000;
    VanishRig rig(slow);
    ASSERT_TRUE(rig.started);
    {
        RawClient client(rig.tarn.port());
        ASSERT_TRUE(client.send(kChatStream));
        ASSERT_TRUE(rig.mock.waitForRequests(1, 10'000));
        client.close(GetParam() == Exit::Rst);
    }
    EXPECT_TRUE(waitUntil([&] { return rig.mock.abortedStreams() == 1; }, 10'000))
        << "the provider's stream request was not aborted";
    rig.expectOne499();
    rig.expectHealthy();
}

TEST_P(AdversarialVanish, MidStream)
{
    MockBehaviour slow;
    slow.chunks = 100;
    slow.chunkDelayMs = 100; // a 10 s stream
    VanishRig rig(slow);
    ASSERT_TRUE(rig.started);
    {
        RawClient client(rig.tarn.port());
        ASSERT_TRUE(client.send(kChatStream));
        ASSERT_TRUE(client.readUntilContains("data:", 10'000)) << "the stream never started";
        client.close(GetParam() == Exit::Rst);
    }
    EXPECT_TRUE(waitUntil([&] { return rig.mock.abortedStreams() == 1; }, 10'000))
        << "the provider's stream was not aborted";
    EXPECT_EQ(rig.mock.completedStreams(), 0);
    rig.expectOne499();
    rig.expectHealthy();
}

TEST_P(AdversarialVanish, MidStreamWhileBackedUp)
{
    // The client stops reading first, so the gateway has output queued when the client leaves.
    MockBehaviour big;
    big.rawEvents = bigChatStream(16LL * 1024 * 1024);
    tarn::gateway::HttpLimits limits;
    limits.maxPendingResponseBytes = 512 * 1024;
    MockUpstream mock;
    mock.setDefaultBehaviour(big);
    GatewayHarness tarn(limits);
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    {
        RawClient client(tarn.port(), 4096);
        ASSERT_TRUE(client.send(kChatStream));
        ASSERT_TRUE(client.readUntil([](const QByteArray &all) { return all.size() > 64 * 1024; }, 10'000));
        QThread::msleep(500); // the client's stall: buffers fill up behind it
        client.close(GetParam() == Exit::Rst);
    }
    EXPECT_TRUE(waitUntil([&] { return mock.abortedStreams() == 1; }, 10'000))
        << "aborted " << mock.abortedStreams() << ", completed " << mock.completedStreams();
    ASSERT_TRUE(waitUntil([&] { return !tarn.usageRows().isEmpty(); }, 15'000));
    QThread::msleep(300);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 499) << rows[0].error.toStdString();
    RawClient health(tarn.port());
    ASSERT_TRUE(health.send(rawGet("/health")));
    const auto answer = health.readResponses(1, 10'000);
    ASSERT_EQ(answer.size(), 1);
    EXPECT_EQ(answer.first().status, 200);
}

INSTANTIATE_TEST_SUITE_P(Exits, AdversarialVanish, ::testing::Values(Exit::Fin, Exit::Rst), exitName);
