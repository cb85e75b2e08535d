// SPDX-License-Identifier: GPL-3.0-or-later
// Slow readers: a large SSE answer to clients with a small receive window that wait, pause,
// trickle or stop reading altogether. The patient ones get every byte; the one that never reads
// again is cut off after HttpLimits::sendStallTimeoutMs, and the provider's request with it.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QThread>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

const bool kWatchdog = (installTestWatchdog(120'000), true);

constexpr int kSmallWindow = 4096;                       // the client's SO_RCVBUF
// Far beyond every buffer between the gateway and the client (4 MiB socket buffer at most, plus
// maxPendingResponseBytes); the stalled reader's stream is larger still, so the provider has
// bytes left to send when its request is aborted.
constexpr qint64 kStreamBytes = 12LL * 1024 * 1024;
constexpr qint64 kStalledStreamBytes = 24LL * 1024 * 1024;
constexpr int kStallMs = 10'000;                          // no byte for this long: the stream is stuck
constexpr QByteArrayView kTerminator = "\r\n0\r\n\r\n";  // end of the chunked body

tarn::gateway::HttpLimits slowReaderLimits()
{
    tarn::gateway::HttpLimits limits;
    limits.maxPendingResponseBytes = 512 * 1024; // back-pressure reaches the upstream early
    return limits;
}

QByteArray streamRequest()
{
    return rawPost("/v1/chat/completions", chatBody(QStringLiteral("gpt-x"), true, true));
}

// The mock streaming `events`, a gateway in front of it.
struct SlowRig
{
    explicit SlowRig(const QList<QByteArray> &events, tarn::gateway::HttpLimits limits = slowReaderLimits())
        : tarn(limits)
    {
        MockBehaviour behaviour;
        behaviour.rawEvents = events;
        mock.setDefaultBehaviour(behaviour);
        tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
        started = tarn.start();
    }
    MockUpstream mock;
    GatewayHarness tarn;
    bool started = false;
};

bool endsTheBody(const QByteArray &all)
{
    return all.endsWith(kTerminator.toByteArray());
}

// Where two byte strings first differ, for a readable failure.
qsizetype firstDifference(const QByteArray &a, const QByteArray &b)
{
    const qsizetype n = qMin(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (a.at(i) != b.at(i))
            return i;
    }
    return a.size() == b.size() ? -1 : n;
}

// The complete stream arrived byte for byte, and exactly one usage row says so.
void expectWholeStream(RawClient &client, SlowRig &rig, const QList<QByteArray> &events, int contentEvents)
{
    QByteArray bytes = client.received();
    const QList<RawResponse> responses = takeResponses(bytes, true); // done waiting: take what is there
    ASSERT_EQ(responses.size(), 1) << "received " << client.totalReceived() << " bytes";
    const RawResponse &r = responses.first();
    EXPECT_EQ(r.status, 200) << r.statusLine.constData();
    EXPECT_TRUE(r.complete) << "the stream stopped short: " << r.body.size() << " body bytes of "
                            << joined(events).size() << (client.peerClosed() ? ", then the server closed" : ", then nothing");
    const QByteArray expected = joined(events);
    EXPECT_EQ(r.body.size(), expected.size());
    EXPECT_TRUE(r.body == expected) << "first difference at byte " << firstDifference(r.body, expected);
    EXPECT_TRUE(r.body.endsWith("data: [DONE]\n\n"));
    EXPECT_TRUE(waitUntil([&] { return !rig.tarn.usageRows().isEmpty(); }, 10'000));
    const auto rows = rig.tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200) << rows[0].error.toStdString();
    EXPECT_TRUE(rows[0].stream);
    EXPECT_EQ(rows[0].promptTokens, 11);
    EXPECT_EQ(rows[0].completionTokens, contentEvents);
    EXPECT_EQ(rig.mock.abortedStreams(), 0);
}

} // namespace

TEST(AdversarialSlowReader, WaitsFourSecondsBeforeReadingAndGetsTheWholeStream)
{
    int contentEvents = 0;
    const QList<QByteArray> events = bigChatStream(kStreamBytes, &contentEvents);
    SlowRig rig(events);
    ASSERT_TRUE(rig.started);
    RawClient client(rig.tarn.port(), kSmallWindow);
    ASSERT_TRUE(client.send(streamRequest()));
    QThread::msleep(4000); // the client's behaviour under test, not a wait for a condition
    client.readWhileProgressing(endsTheBody, kStallMs, 100'000);
    expectWholeStream(client, rig, events, contentEvents);
}

TEST(AdversarialSlowReader, PausesMidStreamThenTricklesThenReadsFast)
{
    int contentEvents = 0;
    const QList<QByteArray> events = bigChatStream(kStreamBytes, &contentEvents);
    SlowRig rig(events);
    ASSERT_TRUE(rig.started);
    RawClient client(rig.tarn.port(), kSmallWindow);
    ASSERT_TRUE(client.send(streamRequest()));
    ASSERT_TRUE(client.readUntil([](const QByteArray &all) { return all.size() >= 256 * 1024; }, 20'000))
        << "only " << client.totalReceived() << " bytes arrived";
    QThread::msleep(2000);                // pause mid-stream
    client.readThrottled(10 * 1024, 1500); // ~10 KiB/s for a while
    const qint64 afterTrickle = client.totalReceived();
    client.readWhileProgressing(endsTheBody, kStallMs, 100'000); // then as fast as it can
    EXPECT_GT(client.totalReceived(), afterTrickle);
    expectWholeStream(client, rig, events, contentEvents);
}

TEST(AdversarialSlowReader, ClientThatNeverReadsAgainIsCutOffAfterTheSendStallTimeout)
{
    tarn::gateway::HttpLimits limits = slowReaderLimits();
    limits.sendStallTimeoutMs = 1500;
    const QList<QByteArray> events = bigChatStream(kStalledStreamBytes);
    SlowRig rig(events, limits);
    ASSERT_TRUE(rig.started);
    RawClient client(rig.tarn.port(), kSmallWindow);
    ASSERT_TRUE(client.send(streamRequest()));
    ASSERT_TRUE(client.readUntil([](const QByteArray &all) { return all.size() >= 64 * 1024; }, 20'000));
    QElapsedTimer sinceLastRead; // from here on the client takes nothing
    sinceLastRead.start();

    ASSERT_TRUE(waitUntil([&] { return !rig.tarn.usageRows().isEmpty(); }, 30'000))
        << "no usage row 30 s after the client stopped reading: the stalled send was never cut off";
    const qint64 rowAfterMs = sinceLastRead.elapsed();
    EXPECT_GE(rowAfterMs, 1200) << "cut off before sendStallTimeoutMs had passed";
    const auto rows = rig.tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 499) << rows[0].error.toStdString();

    // The provider's request is aborted (it stops generating and billing).
    EXPECT_TRUE(waitUntil([&] { return rig.mock.abortedStreams() >= 1; }, 10'000))
        << "aborted streams: " << rig.mock.abortedStreams() << ", completed: " << rig.mock.completedStreams();

    // The connection is gone: draining what was queued ends in a close, without the terminator.
    EXPECT_TRUE(client.waitForClose(20'000));
    EXPECT_FALSE(endsTheBody(client.received()));
    RawClient health(rig.tarn.port());
    ASSERT_TRUE(health.send(rawGet("/health")));
    const auto answer = health.readResponses(1, 10'000);
    ASSERT_EQ(answer.size(), 1);
    EXPECT_EQ(answer.first().status, 200);
    EXPECT_EQ(rig.tarn.usageRows().size(), 1) << "a second row for the same request";
}
