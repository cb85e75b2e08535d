// SPDX-License-Identifier: GPL-3.0-or-later
// What the client gets when routing runs out, and how a 200 that is not a success is told apart:
// the last answer in OpenAI's shape and without a secret, in-band stream errors and cut-short
// streams never recorded as successes, a failover attempt held to the routing time budget, a
// streamed tool call written as text, and a probe whose client vanishes.
#include "tests/integration/RoutingTestSupport.h"
#include "tests/support/RawClient.h"

#include "gateway/config/RuntimeConfig.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace tarn::gateway;
using namespace tarn::test;
using namespace tarn::test::routing;

namespace {

QByteArray chunk(const char *content, const char *finish = nullptr)
{
    QByteArray event = R"(data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-pool","choices":[{"index":0,"delta":{"content":")";
    event += content;
    event += R"("},"finish_reason":)";
    event += finish ? QByteArray("\"") + finish + "\"" : QByteArray("null");
    event += "}]}\n\n";
    return event;
}

} // namespace

TEST_F(Routing, ExhaustedAnswersCarryNoSecretOfTheChannel)
{
    // Keys and header values that no pattern would recognise as secrets.
    MockUpstream &only = mock();
    const QByteArray key = "mockkey-0123456789abcdef";
    const QByteArray header = "hdr-secret-fedcba9876543210";
    only.setDefaultBehaviour(answering(429, {}, R"({"error":{"message":"slow down, )" + key + " and " + header
                                                    + R"(","type":"requests","code":"rate_limit_exceeded"}})"));
    add(QStringLiteral("only"), only, 0, 1, [&](Channel &c) {
        c.keys = {QString::fromLatin1(key)};
        c.extraHeaders.insert(QStringLiteral("X-Api-Key"), QString::fromLatin1(header));
    });
    ASSERT_TRUE(tarn.start());
    const HttpResult r = ask();
    EXPECT_EQ(r.status, 429);
    EXPECT_FALSE(r.body.contains(key)) << r.body.constData();
    EXPECT_FALSE(r.body.contains(header)) << r.body.constData();
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_FALSE(rows[0].error.contains(QString::fromLatin1(key)));
    EXPECT_FALSE(rows[0].error.contains(QString::fromLatin1(header)));
    for (const AttemptRecord &a : rows[0].attemptLog)
        EXPECT_FALSE(a.error.contains(QString::fromLatin1(key)) || a.error.contains(QString::fromLatin1(header)));
}

// Framing headers stored before the extra-header rule refused them (an old database, a hand-edited
// file) never reach the upstream: a second Content-Length or a Transfer-Encoding would make the
// provider read a different request than the one curl sent.
TEST_F(Routing, StoredFramingHeadersAreNotSentUpstream)
{
    MockUpstream &only = mock();
    add(QStringLiteral("only"), only, 0, 1, [&](Channel &c) {
        c.extraHeaders.insert(QStringLiteral("Content-Length"), QStringLiteral("3"));
        c.extraHeaders.insert(QStringLiteral("transfer-encoding"), QStringLiteral("chunked"));
        c.extraHeaders.insert(QStringLiteral("Host"), QStringLiteral("evil.example"));
        c.extraHeaders.insert(QStringLiteral("Connection"), QStringLiteral("close"));
        c.extraHeaders.insert(QStringLiteral("X-Team"), QStringLiteral("infra"));
    });
    ASSERT_TRUE(tarn.start());
    for (int i = 0; i < 2; ++i) { // the second request reuses the pooled connection
        const HttpResult r = ask();
        EXPECT_EQ(r.status, 200) << r.body.constData();
    }
    const QList<MockRequest> received = only.requests();
    ASSERT_EQ(received.size(), 2);
    for (const MockRequest &request : received) {
        EXPECT_EQ(request.header("X-Team"), "infra");
        EXPECT_TRUE(request.header("Host").startsWith("127.0.0.1:")) << request.header("Host").constData();
        EXPECT_TRUE(request.header("Transfer-Encoding").isEmpty());
        EXPECT_EQ(request.header("Content-Length"), QByteArray::number(request.body.size()));
        EXPECT_FALSE(request.json().isEmpty()) << request.body.constData();
    }
}

TEST_F(Routing, ALastAnswerInAnotherShapeReachesTheClientInOpenAisShape)
{
    MockUpstream &html = mock();
    MockUpstream &flat = mock();
    MockUpstream &spare = mock();
    html.setDefaultBehaviour(answering(502, {{"Content-Type", "text/html"}}, "<html><body>Bad gateway</body></html>"));
    flat.setDefaultBehaviour(answering(429, {{"Retry-After", "12"}}, R"({"code":"Throttling","message":"Requests throttled"})"));
    spare.setDefaultBehaviour(answering(503));
    add(QStringLiteral("html"), html, 3);
    add(QStringLiteral("flat"), flat, 2);
    add(QStringLiteral("spare"), spare, 1, 0); // weight 0: tried last
    ASSERT_TRUE(tarn.start());

    // Last answer: an OpenAI-shaped 503 from `spare`, passed back as it was.
    HttpResult r = ask();
    EXPECT_EQ(r.status, 503);
    EXPECT_TRUE(QJsonDocument::fromJson(r.body).object().value(u"error").isObject()) << r.body.constData();

    // Now `html` is the last channel left (the others are cooling or open).
    spare.setDefaultBehaviour(answering(503));
    tarn.setChannelEnabled(QStringLiteral("spare"), false);
    tarn.setChannelEnabled(QStringLiteral("flat"), false);
    tarn.reloadConfig();
    r = ask();
    EXPECT_EQ(r.status, 502);
    const QJsonObject error = QJsonDocument::fromJson(r.body).object().value(u"error").toObject();
    EXPECT_FALSE(error.isEmpty()) << r.body.constData();
    EXPECT_TRUE(error.value(u"message").toString().contains(u"html")) << r.body.constData();

    tarn.setChannelEnabled(QStringLiteral("flat"), true);
    tarn.setChannelEnabled(QStringLiteral("html"), false);
    tarn.reloadConfig();
    clock.advanceMs(12'000); // past flat's Retry-After from the first request
    r = ask();
    EXPECT_EQ(r.status, 429);
    EXPECT_TRUE(QJsonDocument::fromJson(r.body).object().value(u"error").isObject()) << r.body.constData();
    EXPECT_EQ(r.header("retry-after"), "12");
}

TEST_F(Routing, AnErrorEventInsideA200StreamIsNotASuccess)
{
    MockUpstream &inBand = mock();
    MockBehaviour b;
    b.rawEvents = {chunk("Hel"), chunk("lo"),
                   R"(data: {"error":{"message":"The server had an error while processing your request","type":"server_error"}})" "\n\n"};
    inBand.setDefaultBehaviour(b);
    add(QStringLiteral("inband"), inBand);
    ASSERT_TRUE(tarn.start());
    HttpStreamResult r = client.stream("POST", chatUrl(), chatRequest(1, {true}), {}, kTimeoutMs);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body.contains("server had an error")) << r.body.constData();
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 502);
    EXPECT_TRUE(rows[0].error.contains(u"error event")) << rows[0].error.toStdString();
    EXPECT_EQ(status(QStringLiteral("inband")).errorRate > 0, true);
}

TEST_F(Routing, AStreamThatStopsBeforeFinishingIsCutShortNotASuccess)
{
    MockUpstream &cut = mock();
    MockBehaviour b;
    b.rawEvents = {chunk("Hel"), chunk("lo")}; // no finish_reason, no [DONE], then a clean end
    cut.setDefaultBehaviour(b);
    add(QStringLiteral("cut"), cut);
    ASSERT_TRUE(tarn.start());
    HttpStreamResult r = client.stream("POST", chatUrl(), chatRequest(1, {true}), {}, kTimeoutMs);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.body.contains("\"error\"")) << r.body.constData();
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 502);

    // Finished without [DONE] (some providers do): a success.
    MockBehaviour finished;
    finished.rawEvents = {chunk("Hel"), chunk("lo", "stop")};
    cut.setDefaultBehaviour(finished);
    r = client.stream("POST", chatUrl(), chatRequest(2, {true}), {}, kTimeoutMs);
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.body.contains("\"error\"")) << r.body.constData();
    EXPECT_EQ(tarn.usageRows().last().status, 200);
}

TEST_F(Routing, AFailoverAttemptGetsOnlyWhatIsLeftOfTheTimeBudget)
{
    MockUpstream &slowFail = mock();
    MockUpstream &hang = mock();
    MockUpstream &hangToo = mock();
    slowFail.setDefaultBehaviour(delayed(500, answering(503)));
    MockBehaviour hanging;
    hanging.hang = true;
    hang.setDefaultBehaviour(hanging);
    hangToo.setDefaultBehaviour(hanging);
    add(QStringLiteral("slowfail"), slowFail, 2);
    add(QStringLiteral("hang"), hang, 1);
    add(QStringLiteral("hangtoo"), hangToo, 0);
    tarn.setSetting(QString::fromLatin1(SettingKeys::TimeBudgetMs), QStringLiteral("1500"));
    ASSERT_TRUE(tarn.start());
    QElapsedTimer timer;
    timer.start();
    const HttpResult r = client.request("POST", chatUrl(), chatRequest(1), {}, 60'000);
    // Without the cap the hanging attempt would wait for the first-byte timeout (minutes).
    EXPECT_EQ(r.status, 504) << describe(r).toStdString();
    EXPECT_LT(timer.elapsed(), 20'000);
    EXPECT_EQ(hang.requestCount(), 1);
}

TEST_F(Routing, AStreamedToolCallWrittenAsTextTeachesTheRouter)
{
    MockUpstream &texty = mock();
    MockUpstream &capable = mock();
    MockBehaviour b;
    b.rawEvents = {chunk("<tool_call>"), chunk("{\\\"name\\\": \\\"read_file\\\", \\\"arguments\\\": {}}"),
                   chunk("</tool_call>", "stop"), "data: [DONE]\n\n"};
    texty.setDefaultBehaviour(b);
    add(QStringLiteral("texty"), texty, 1);
    add(QStringLiteral("capable"), capable, 0);
    ASSERT_TRUE(tarn.start());

    HttpStreamResult r = client.stream("POST", chatUrl(), chatRequest(1, {true, true}), {}, kTimeoutMs);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(texty.requestCount(), 1);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !status(QStringLiteral("texty")).learned.isEmpty(); }, kTimeoutMs));
    const LearnedCapability lesson = status(QStringLiteral("texty")).learned.constFirst();
    EXPECT_EQ(lesson.capability, Capability::Tools);
    EXPECT_FALSE(lesson.supported);
    EXPECT_TRUE(tarn.usageRows().constFirst().error.contains(u"plain text"));

    // The next tools request goes to the capable channel; a plain one still to the first.
    r = client.stream("POST", chatUrl(), chatRequest(2, {true, true}), {}, kTimeoutMs);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(texty.requestCount(), 1);
    EXPECT_EQ(capable.requestCount(), 1);
    const HttpResult plain = ask();
    EXPECT_EQ(plain.status, 200);
    EXPECT_EQ(texty.requestCount(), 2);
}

// A client that vanishes while its request is the half-open circuit's probe must not leave the
// channel waiting for a probe that will never report: the next request probes instead.
TEST_F(Routing, AProbeWhoseClientVanishesFreesTheProbeSlot)
{
    MockUpstream &flaky = mock();
    MockUpstream &fine = mock();
    MockUpstream &spare = mock();
    flaky.setDefaultBehaviour(answering(503));
    add(QStringLiteral("flaky"), flaky, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("spare"), spare);
    ASSERT_TRUE(tarn.start());
    askOk(3);
    ASSERT_EQ(status(QStringLiteral("flaky")).state, HealthState::Open);

    flaky.setDefaultBehaviour(delayed(2000));
    clock.advanceMs(30'001);
    {
        RawClient vanishing(tarn.port());
        const QByteArray body = chatRequest(424'242);
        const QByteArray request = "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                                   "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        ASSERT_TRUE(vanishing.send(request));
        ASSERT_TRUE(flaky.waitForRequests(4, kTimeoutMs)) << "the probe should have reached the recovering channel";
        vanishing.close(true);
    }
    // The row of the vanished request is written once the exchange has heard of it.
    ASSERT_TRUE(QTest::qWaitFor([&] {
        const auto rows = tarn.usageRows();
        return !rows.isEmpty() && rows.last().status == 499;
    }, kTimeoutMs));
    flaky.setDefaultBehaviour(MockBehaviour{});
    askOk(1);
    EXPECT_EQ(flaky.requestCount(), 5) << "the next request should have been the new probe";
    EXPECT_EQ(status(QStringLiteral("flaky")).state, HealthState::Healthy);
}
