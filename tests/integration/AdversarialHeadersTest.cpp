// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile header blocks (floods, folding, bare LF, NUL, one giant line) get a definite answer and
// leave the server healthy; a client without a key is refused right after its header block,
// before it can make Tarn read (and buffer) a large body.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

const bool kWatchdog = (installTestWatchdog(120'000), true);

struct HeaderRig
{
    HeaderRig()
    {
        tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
        started = tarn.start();
    }

    // One write on a fresh connection; the first final answer (status 0 when none came).
    RawResponse answer(const QByteArray &bytes, const QList<QByteArray> &pieces = {}, int pauseMs = 0)
    {
        RawClient client(tarn.port());
        if (pieces.isEmpty())
            client.send(bytes);
        else
            client.sendPieces(pieces, pauseMs);
        const QList<RawResponse> responses = client.readResponses(1, 10'000);
        return responses.isEmpty() ? RawResponse{} : responses.first();
    }

    void expectHealthy()
    {
        const RawResponse health = answer(rawGet("/health"));
        EXPECT_EQ(health.status, 200) << "GET /health afterwards: " << health.statusLine.constData();
        const qint64 cpu = processCpuMsWhileSleeping(600);
        EXPECT_LT(cpu, 300) << "the idle process used " << cpu << " ms of CPU in 600 ms: a pinned thread?";
    }

    MockUpstream mock;
    GatewayHarness tarn;
    bool started = false;
};

void expectErrorShape(const RawResponse &r)
{
    const QJsonObject error = QJsonDocument::fromJson(r.body).object().value(u"error").toObject();
    EXPECT_FALSE(error.value(u"message").toString().isEmpty()) << "not OpenAI's error shape: " << r.body.constData();
    EXPECT_FALSE(error.value(u"type").toString().isEmpty()) << r.body.constData();
}

} // namespace

class AdversarialHeaderFlood : public ::testing::TestWithParam<int>
{
};

// 10 000 headers make a 119 KB block, nearly twice the 64 KiB limit, whatever the cut.
TEST_P(AdversarialHeaderFlood, TenThousandSmallHeadersAre431)
{
    HeaderRig rig;
    ASSERT_TRUE(rig.started);
    QByteArray request = "GET /health HTTP/1.1\r\nHost: tarn\r\n";
    for (int i = 0; i < 10'000; ++i)
        request += "X-H" + QByteArray::number(i) + ": v\r\n";
    request += "\r\n";
    const int pieces = GetParam();
    QList<qsizetype> cuts;
    for (int i = 1; i < pieces; ++i)
        cuts.append(request.size() * i / pieces);
    const RawResponse r = rig.answer({}, splitAt(request, cuts), 5);
    EXPECT_EQ(r.status, 431) << r.statusLine.constData() << " (" << request.size() << " header bytes in "
                             << pieces << " writes)";
    expectErrorShape(r);
    rig.expectHealthy();
}

INSTANTIATE_TEST_SUITE_P(Writes, AdversarialHeaderFlood, ::testing::Values(1, 2, 3, 20),
                         [](const ::testing::TestParamInfo<int> &info) {
                             return info.param == 1 ? std::string("InOneWrite")
                                                    : "In" + std::to_string(info.param) + "Writes";
                         });

TEST(AdversarialHeaders, SeventyKilobyteHeaderLineIs431)
{
    HeaderRig rig;
    ASSERT_TRUE(rig.started);
    const RawResponse r = rig.answer("GET /health HTTP/1.1\r\nHost: tarn\r\nX-Big: " + QByteArray(70 * 1024, 'b')
                                     + "\r\n\r\n");
    EXPECT_EQ(r.status, 431) << r.statusLine.constData();
    expectErrorShape(r);
    rig.expectHealthy();
}

TEST(AdversarialHeaders, ObsFoldGetsTheSameAnswerAtEverySplit)
{
    HeaderRig rig;
    ASSERT_TRUE(rig.started);
    const QByteArray request = rawPost("/v1/chat/completions", chatBody(QStringLiteral("gpt-x")),
                                       "X-Folded: first part\r\n  folded continuation\r\n");
    std::mt19937 rng(caseSeed("ObsFold"));
    const QList<SplitPlan> plans = splitPlans(request, rng, 3);
    const RawResponse first = rig.answer(request);
    EXPECT_TRUE(first.status == 400 || first.status == 200) << first.statusLine.constData();
    for (const SplitPlan &plan : plans) {
        const RawResponse r = rig.answer({}, plan.pieces, plan.pauseMs);
        EXPECT_EQ(r.status, first.status) << "seed " << caseSeed("ObsFold") << ", " << plan.name.toStdString();
    }
    rig.expectHealthy();
}

TEST(AdversarialHeaders, BareLfLineEndsAre400)
{
    HeaderRig rig;
    ASSERT_TRUE(rig.started);
    const RawResponse r = rig.answer("GET /health HTTP/1.1\nHost: tarn\nX-A: b\n\n");
    EXPECT_EQ(r.status, 400) << r.statusLine.constData() << " " << r.body.constData();
    rig.expectHealthy();
}

TEST(AdversarialHeaders, NulByteInAHeaderValueIs400)
{
    HeaderRig rig;
    ASSERT_TRUE(rig.started);
    QByteArray request = "GET /health HTTP/1.1\r\nHost: tarn\r\nX-Nul: a";
    request.append('\0');
    request += "b\r\n\r\n";
    const RawResponse r = rig.answer(request);
    EXPECT_EQ(r.status, 400) << r.statusLine.constData() << " " << r.body.constData();
    rig.expectHealthy();
}

// Beyond the brief: an answer to HEAD carries no body (RFC 9110 9.3.2), or a keep-alive client
// reads the body as the start of its next answer.
TEST(AdversarialHeaders, HeadAnswerHasNoBodySoPipelinedAnswersStayInStep)
{
    HeaderRig rig;
    ASSERT_TRUE(rig.started);
    RawClient client(rig.tarn.port());
    const QByteArray head = "HEAD /health HTTP/1.1\r\nHost: tarn\r\n\r\n";
    ASSERT_TRUE(client.send(QByteArray(head + rawGet("/health"))));
    client.readUntil([](const QByteArray &all) { return all.count("HTTP/1.1 ") >= 2 && all.endsWith("}"); }, 10'000);
    const QByteArray all = client.received();
    const qsizetype headEnd = all.indexOf("\r\n\r\n"); // end of the HEAD answer's head
    ASSERT_GE(headEnd, 0) << all.constData();
    EXPECT_TRUE(all.startsWith("HTTP/1.1 200 ")) << all.constData();
    EXPECT_TRUE(all.mid(headEnd + 4).startsWith("HTTP/1.1 200 "))
        << "bytes after the HEAD answer's head: " << all.mid(headEnd + 4, 60).constData();
}

TEST(AdversarialUnauthenticated, LargeBodyWithoutAKeyIsRefusedRightAfterTheHeaders)
{
    HeaderRig rig;
    ASSERT_TRUE(rig.started);
    rig.tarn.setSetting(QStringLiteral("gateway.loopback_without_key"), QStringLiteral("false"));
    rig.tarn.reloadConfig();

    // The setting took effect: a small complete request without a key is refused.
    const RawResponse small = rig.answer(rawPost("/v1/chat/completions", chatBody(QStringLiteral("gpt-x"))));
    ASSERT_EQ(small.status, 401) << "loopback_without_key=false did not apply: " << small.statusLine.constData();

    RawClient client(rig.tarn.port());
    QElapsedTimer timer;
    timer.start();
    ASSERT_TRUE(client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\nContent-Type: application/json\r\n"
                            "Content-Length: 30000000\r\n\r\n"));
    // Not one body byte is sent: the answer must not wait for them.
    const QList<RawResponse> responses = client.readResponses(1, 8'000);
    ASSERT_EQ(responses.size(), 1) << "no answer " << timer.elapsed() << " ms after the header block";
    EXPECT_EQ(responses.first().status, 401) << responses.first().statusLine.constData();
    expectErrorShape(responses.first());
    EXPECT_EQ(responses.first().interim, 0) << "a 100 Continue invites the body it is about to refuse";
    EXPECT_TRUE(client.waitForClose(10'000)) << "the connection stays open for the 30 MB body";
    EXPECT_EQ(rig.mock.requestCount(), 0);
    rig.expectHealthy();
}
