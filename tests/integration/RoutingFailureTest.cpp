// SPDX-License-Identifier: GPL-3.0-or-later
// Routing, end to end: what a failing channel costs the client (nothing) and what the router learns
// from it. Rate limits cool the key, rejected keys are disabled until a test passes, circuits open
// and probe, every attempt is logged, and when nothing is left the client is told when to come back.
#include "tests/integration/RoutingTestSupport.h"

#include "gateway/routing/RouterUpkeep.h"

#include <QJsonObject>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>

using namespace tarn::test;
using namespace tarn::test::routing;
using tarn::gateway::Channel;
using tarn::gateway::ChannelStatus;
using tarn::gateway::HealthState;
using tarn::gateway::KeyStatus;

// 2. A 429 storm with Retry-After: 30 costs the client nothing; the channel's key sees one request,
// is left alone until the clock passes 30 s, then serves again.
TEST_F(Routing, RateLimitStormCoolsTheKeyUntilRetryAfter)
{
    MockUpstream &storm = mock();
    MockUpstream &calm = mock();
    MockUpstream &slow = mock();
    storm.setDefaultBehaviour(answering(429, {{"Retry-After", "30"}}));
    slow.setDefaultBehaviour(delayed(2));
    const Channel stormChannel = add(QStringLiteral("storm"), storm);
    add(QStringLiteral("calm"), calm);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    askOk(200);
    EXPECT_EQ(storm.requestCount(), 1);
    EXPECT_EQ(calm.requestCount() + slow.requestCount(), 200);
    const ChannelStatus cooling = status(QStringLiteral("storm"));
    ASSERT_EQ(cooling.keys.size(), 1);
    EXPECT_EQ(cooling.keys[0].state, HealthState::Cooling);
    EXPECT_EQ(cooling.keys[0].cooldownUntil, clock.now().addSecs(30));
    EXPECT_EQ(cooling.keys[0].keyId, tarn::gateway::keyId(stormChannel.keys[0]));
    EXPECT_EQ(cooling.state, HealthState::Cooling); // its only key is

    storm.clearBehaviours(); // recovered, but Tarn must not know before the 30 s are up
    clock.advanceMs(29'000);
    askOk(30);
    EXPECT_EQ(storm.requestCount(), 1);

    clock.advanceMs(1'001);
    askOk(60);
    EXPECT_GE(storm.requestCount(), 1 + 8) << "about a third of 60 requests should reach the recovered channel";
    EXPECT_EQ(status(QStringLiteral("storm")).keys.value(0).state, HealthState::Healthy);
}

// 2b. The same for a key: one burst of 429s (no Retry-After) from requests sent together is one
// rate-limit event, cooled for the first back-off (5 s), not doubled once per answer.
TEST_F(Routing, RateLimitBurstInFlightCoolsTheKeyOnce)
{
    MockUpstream &burst = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    burst.setDefaultBehaviour(delayed(1000, answering(429)));
    slow.setDefaultBehaviour(delayed(2));
    add(QStringLiteral("burst"), burst, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    const QList<int> statuses = sendConcurrently(chatUrl(), 6, 6, [](int i) { return chatRequest(i); });
    EXPECT_EQ(statuses.count(200), 6);
    ASSERT_EQ(burst.requestCount(), 6) << "the burst was not concurrent; the test proves nothing";
    const KeyStatus key = status(QStringLiteral("burst")).keys.value(0);
    EXPECT_EQ(key.state, HealthState::Cooling);
    EXPECT_EQ(key.cooldownUntil, clock.now().addSecs(5)) << "one rate-limit event, the first back-off";

    burst.clearBehaviours();
    clock.advanceMs(5'001);
    askOk(3);
    EXPECT_EQ(burst.requestCount(), 6 + 3);
}

// 3. An upstream 401 disables the key: the attempt log says so, the router status shows it, no
// request reaches it; a passing test re-enables it.
TEST_F(Routing, InvalidKeyIsDisabledUntilATestPasses)
{
    MockUpstream &revoked = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    revoked.setDefaultBehaviour(answering(401));
    slow.setDefaultBehaviour(delayed(2));
    const Channel revokedChannel = add(QStringLiteral("revoked"), revoked, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());
    const QString key = tarn::gateway::keyId(revokedChannel.keys[0]);

    askOk(1);
    ASSERT_EQ(revoked.requestCount(), 1);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    ASSERT_EQ(rows[0].attemptLog.size(), 2);
    EXPECT_EQ(rows[0].attemptLog[0].channelName, QStringLiteral("revoked"));
    EXPECT_EQ(rows[0].attemptLog[0].keyId, key);
    EXPECT_EQ(rows[0].attemptLog[0].status, 401);
    EXPECT_FALSE(rows[0].attemptLog[0].error.isEmpty());
    EXPECT_FALSE(rows[0].attemptLog[0].error.contains(revokedChannel.keys[0])) << "the key leaked into the log";
    EXPECT_EQ(rows[0].attemptLog[1].status, 200);

    const ChannelStatus disabled = status(QStringLiteral("revoked"));
    ASSERT_EQ(disabled.keys.size(), 1);
    EXPECT_EQ(disabled.keys[0].keyId, key);
    EXPECT_EQ(disabled.keys[0].state, HealthState::Disabled);
    EXPECT_FALSE(disabled.keys[0].cooldownUntil.isValid());
    EXPECT_EQ(disabled.state, HealthState::Disabled);

    // No time heals it.
    clock.advanceMs(24LL * 3'600'000);
    askOk(20);
    EXPECT_EQ(revoked.requestCount(), 1);

    // The gateway's own re-test: a failing key stays disabled, a passing one serves again.
    tarn.gateway().routerUpkeep().retestDisabledKeys();
    ASSERT_TRUE(revoked.waitForRequests(2, kTimeoutMs));
    askOk(5);
    EXPECT_EQ(revoked.requestCount(), 2);
    EXPECT_EQ(status(QStringLiteral("revoked")).keys.value(0).state, HealthState::Disabled);

    revoked.clearBehaviours();
    tarn.gateway().routerUpkeep().retestDisabledKeys();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return status(QStringLiteral("revoked")).keys.value(0).state == HealthState::Healthy; }, kTimeoutMs));
    EXPECT_EQ(revoked.requestCount(), 3);
    askOk(5);
    EXPECT_EQ(revoked.requestCount(), 3 + 5) << "the re-enabled key has the highest priority";
    EXPECT_FALSE(tarn.storedChannel(QStringLiteral("revoked")).disabledKeys.contains(key));
}

// 3b. What the gateway learned is stored (the key disabled by a 401, tools learned unsupported),
// and `tarn channel test` passing while the gateway runs (it clears the stored state; the gateway
// only sees the configuration change) puts the key back in service.
TEST_F(Routing, LessonsArePersistedAndAStoredReEnableReachesTheRouter)
{
    MockUpstream &revoked = mock();
    MockUpstream &fine = mock();
    MockUpstream &noTools = mock();
    revoked.setDefaultBehaviour(answering(401));
    noTools.pushBehaviour(answering(400, {}, R"({"error":{"message":"tools is not supported for this model","type":"invalid_request_error"}})"));
    const Channel revokedChannel = add(QStringLiteral("revoked"), revoked, 20);
    add(QStringLiteral("no-tools"), noTools, 10);
    add(QStringLiteral("fine"), fine);
    ASSERT_TRUE(tarn.start());
    const QString key = tarn::gateway::keyId(revokedChannel.keys[0]);

    askOk(1, {.tools = true});
    ASSERT_EQ(revoked.requestCount(), 1);
    ASSERT_EQ(noTools.requestCount(), 1);
    ASSERT_EQ(fine.requestCount(), 1);

    const bool keyStored = QTest::qWaitFor(
        [&] { return tarn.storedChannel(QStringLiteral("revoked")).disabledKeys.contains(key); }, 10'000);
    EXPECT_TRUE(keyStored) << "the disabled key never reached the database";
    const bool lessonStored = QTest::qWaitFor(
        [&] {
            const Channel stored = tarn.storedChannel(QStringLiteral("no-tools"));
            return std::any_of(stored.learned.cbegin(), stored.learned.cend(), [](const auto &l) {
                return l.model == kModel && l.capability == tarn::gateway::Capability::Tools && !l.supported;
            });
        },
        10'000);
    EXPECT_TRUE(lessonStored) << "the learned capability never reached the database";

    // `tarn channel test revoked`, run by the user while the gateway runs: it passes and clears the
    // stored state; the gateway sees a configuration change.
    revoked.clearBehaviours();
    const QString out = cli({QStringLiteral("channel"), QStringLiteral("test"), QStringLiteral("revoked")});
    EXPECT_TRUE(out.contains(QStringLiteral("Re-enabled key ") + key)) << out.toStdString();
    EXPECT_EQ(revoked.requestCount(), 2);
    EXPECT_FALSE(tarn.storedChannel(QStringLiteral("revoked")).disabledKeys.contains(key));
    tarn.reloadConfig(); // what the configuration poll does within configPollMs
    askOk(3);
    EXPECT_EQ(revoked.requestCount(), 2 + 3) << "the key passed `tarn channel test` but the running router still skips it";
    EXPECT_EQ(status(QStringLiteral("revoked")).keys.value(0).state, HealthState::Healthy);

    // `tarn channel reset-learned no-tools`: the lesson is forgotten and tools go there again.
    askOk(2, {.tools = true});
    EXPECT_EQ(noTools.requestCount(), 1);
    tarn.setChannelEnabled(QStringLiteral("revoked"), false); // so no-tools comes first
    cli({QStringLiteral("channel"), QStringLiteral("reset-learned"), QStringLiteral("no-tools")});
    tarn.reloadConfig();
    askOk(1, {.tools = true});
    EXPECT_EQ(noTools.requestCount(), 2) << "the lesson was reset in the store but the running router kept it";
}

// 3c. A rejected key is the key's problem, not the channel's: the channel's other key serves the
// same request and the ones after it.
TEST_F(Routing, InvalidKeyDisablesOnlyThatKey)
{
    MockUpstream &multi = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    multi.pushBehaviour(answering(401)); // the first key tried
    slow.setDefaultBehaviour(delayed(2));
    add(QStringLiteral("multi"), multi, 10, 1.0, [](Channel &c) {
        c.keys = {QStringLiteral("sk-multi-first-0123456789"), QStringLiteral("sk-multi-second-0123456789")};
    });
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    askOk(1);
    ASSERT_EQ(multi.requestCount(), 2);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 0) << "the channel's other key comes first";
    const QList<MockRequest> seen = multi.requests();
    EXPECT_NE(seen[0].header("Authorization"), seen[1].header("Authorization"));
    const QByteArray rejected = seen[0].header("Authorization").mid(7);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    ASSERT_EQ(rows[0].attemptLog.size(), 2);
    EXPECT_EQ(rows[0].attemptLog[0].keyId, tarn::gateway::keyId(QString::fromLatin1(rejected)));
    EXPECT_EQ(rows[0].attemptLog[0].status, 401);
    EXPECT_EQ(rows[0].attemptLog[1].channelName, QStringLiteral("multi"));
    EXPECT_NE(rows[0].attemptLog[1].keyId, rows[0].attemptLog[0].keyId);

    askOk(10);
    EXPECT_EQ(multi.requestCount(), 2 + 10);
    for (const MockRequest &r : multi.requests().mid(2))
        EXPECT_NE(r.header("Authorization").mid(7), rejected);
    const ChannelStatus s = status(QStringLiteral("multi"));
    EXPECT_EQ(s.state, HealthState::Healthy);
    ASSERT_EQ(s.keys.size(), 2);
    for (const KeyStatus &k : s.keys)
        EXPECT_EQ(k.state, k.keyId == rows[0].attemptLog[0].keyId ? HealthState::Disabled : HealthState::Healthy);
}

// 9. Usage rows keep every attempt, in order.
TEST_F(Routing, UsageRowRecordsEveryAttemptInOrder)
{
    MockUpstream &broken = mock();
    MockUpstream &limited = mock();
    MockUpstream &fine = mock();
    broken.setDefaultBehaviour(answering(503));
    limited.setDefaultBehaviour(answering(429, {{"Retry-After", "5"}}));
    const Channel b = add(QStringLiteral("broken"), broken, 30);
    const Channel l = add(QStringLiteral("limited"), limited, 20);
    const Channel f = add(QStringLiteral("fine"), fine, 10);
    ASSERT_TRUE(tarn.start());

    askOk(1);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    const auto &row = rows[0];
    EXPECT_EQ(row.status, 200);
    EXPECT_EQ(row.attempts, 3);
    EXPECT_EQ(row.channelName, QStringLiteral("fine"));
    EXPECT_EQ(row.channelId, f.id);
    EXPECT_TRUE(row.error.isEmpty());
    ASSERT_EQ(row.attemptLog.size(), 3);
    const Channel *order[] = {&b, &l, &f};
    const int statuses[] = {503, 429, 200};
    for (int i = 0; i < 3; ++i) {
        const auto &attempt = row.attemptLog[i];
        EXPECT_EQ(attempt.channelId, order[i]->id) << i;
        EXPECT_EQ(attempt.channelName, order[i]->name) << i;
        EXPECT_EQ(attempt.keyId, tarn::gateway::keyId(order[i]->keys[0])) << i;
        EXPECT_EQ(attempt.status, statuses[i]) << i;
        EXPECT_GE(attempt.ms, 0) << i;
    }
    EXPECT_TRUE(row.attemptLog[0].error.contains(QStringLiteral("503"))) << row.attemptLog[0].error.toStdString();
    EXPECT_TRUE(row.attemptLog[1].error.contains(QStringLiteral("429"))) << row.attemptLog[1].error.toStdString();
    EXPECT_TRUE(row.attemptLog[2].error.isEmpty()) << row.attemptLog[2].error.toStdString();
}

// 9b. routing.max_attempts bounds a failover: the last tried channel's answer goes back as it was.
TEST_F(Routing, MaxAttemptsBoundsTheFailover)
{
    MockUpstream *mocks[] = {&mock(), &mock(), &mock(), &mock()};
    for (int i = 0; i < 4; ++i) {
        mocks[i]->setDefaultBehaviour(answering(i == 3 ? 200 : 500 + i));
        add(QStringLiteral("c%1").arg(i), *mocks[i], 40 - 10 * i);
    }
    tarn.setSetting(QString::fromLatin1(tarn::gateway::SettingKeys::MaxAttempts), QStringLiteral("2"));
    ASSERT_TRUE(tarn.start());

    const HttpResult r = ask();
    EXPECT_EQ(r.status, 501) << describe(r).toStdString();
    EXPECT_EQ(mocks[0]->requestCount(), 1);
    EXPECT_EQ(mocks[1]->requestCount(), 1);
    EXPECT_EQ(mocks[2]->requestCount() + mocks[3]->requestCount(), 0);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].attempts, 2);
    EXPECT_EQ(rows[0].attemptLog.size(), 2);
    EXPECT_EQ(rows[0].status, 501);
}

// 10a. Every channel cooling: Tarn answers 429 itself, with Retry-After for the soonest one, in
// OpenAI's error shape, without touching an upstream.
TEST_F(Routing, AllChannelsCoolingIsA429WithRetryAfter)
{
    MockUpstream &a = mock();
    MockUpstream &b = mock();
    MockUpstream &c = mock();
    a.setDefaultBehaviour(answering(429, {{"Retry-After", "30"}}));
    b.setDefaultBehaviour(answering(429, {{"Retry-After", "40"}}));
    c.setDefaultBehaviour(answering(429, {{"Retry-After", "50"}}));
    add(QStringLiteral("a"), a, 30);
    add(QStringLiteral("b"), b, 20);
    add(QStringLiteral("c"), c, 10);
    ASSERT_TRUE(tarn.start());

    const HttpResult storm = ask();
    EXPECT_EQ(storm.status, 429) << describe(storm).toStdString();
    EXPECT_FALSE(storm.header("retry-after").isEmpty());
    EXPECT_EQ(a.requestCount() + b.requestCount() + c.requestCount(), 3);

    const HttpResult cooling = ask();
    EXPECT_EQ(cooling.status, 429) << describe(cooling).toStdString();
    EXPECT_EQ(cooling.header("retry-after"), QByteArray("30"));
    EXPECT_TRUE(cooling.header("content-type").startsWith("application/json"));
    const QJsonObject error = cooling.json().value(u"error").toObject();
    EXPECT_FALSE(error.value(u"message").toString().isEmpty());
    EXPECT_TRUE(error.value(u"message").toString().contains(kModel)) << error.value(u"message").toString().toStdString();
    EXPECT_FALSE(error.value(u"type").toString().isEmpty());
    EXPECT_EQ(error.value(u"code").toString(), QStringLiteral("rate_limit_exceeded"));
    EXPECT_EQ(a.requestCount() + b.requestCount() + c.requestCount(), 3) << "nothing was free to try";

    clock.advanceMs(10'000);
    const HttpResult later = ask();
    EXPECT_EQ(later.status, 429);
    EXPECT_EQ(later.header("retry-after"), QByteArray("20"));

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 3);
    EXPECT_EQ(rows[1].status, 429);
    EXPECT_EQ(rows[1].attempts, 0);
    EXPECT_TRUE(rows[1].attemptLog.isEmpty());
    EXPECT_FALSE(rows[1].error.isEmpty());
}

// 11. Three consecutive 503s open the circuit; after the open period exactly one probe goes through
// (others keep going elsewhere while it is out); a failed probe reopens it for twice as long, a
// successful one closes it.
TEST_F(Routing, CircuitOpensAfterThreeFailuresAndOneProbeClosesIt)
{
    MockUpstream &flaky = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    flaky.setDefaultBehaviour(answering(503));
    slow.setDefaultBehaviour(delayed(2));
    add(QStringLiteral("flaky"), flaky, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    askOk(2);
    EXPECT_EQ(status(QStringLiteral("flaky")).state, HealthState::Healthy) << "two failures are not enough";
    askOk(1);
    EXPECT_EQ(flaky.requestCount(), 3);
    ChannelStatus open = status(QStringLiteral("flaky"));
    EXPECT_EQ(open.state, HealthState::Open);
    EXPECT_EQ(open.cooldownUntil, clock.now().addSecs(30));
    askOk(10);
    EXPECT_EQ(flaky.requestCount(), 3) << "an open circuit takes no traffic";

    // Past the open period, still broken: one probe, which fails and reopens it for 60 s.
    clock.advanceMs(30'001);
    askOk(5);
    EXPECT_EQ(flaky.requestCount(), 4);
    open = status(QStringLiteral("flaky"));
    EXPECT_EQ(open.state, HealthState::Open);
    EXPECT_EQ(open.cooldownUntil, clock.now().addSecs(60));
    clock.advanceMs(31'000);
    askOk(5);
    EXPECT_EQ(flaky.requestCount(), 4) << "the second open period is twice as long";

    // Recovered, and slow: while the probe is out, nothing else goes there.
    flaky.setDefaultBehaviour(delayed(1500));
    clock.advanceMs(30'000);
    HttpResult probe;
    std::unique_ptr<QThread> prober(QThread::create([&] {
        HttpTestClient own;
        probe = own.request("POST", chatUrl(), chatRequest(999'999), {}, kTimeoutMs);
    }));
    prober->start();
    ASSERT_TRUE(flaky.waitForRequests(5, kTimeoutMs));
    askOk(5);
    EXPECT_EQ(flaky.requestCount(), 5) << "only one probe while the circuit is half open";
    ASSERT_TRUE(QTest::qWaitFor([&] { return prober->isFinished(); }, kTimeoutMs));
    prober->wait();
    EXPECT_EQ(probe.status, 200) << describe(probe).toStdString();
    EXPECT_EQ(status(QStringLiteral("flaky")).state, HealthState::Healthy);

    flaky.clearBehaviours();
    askOk(5);
    EXPECT_EQ(flaky.requestCount(), 10) << "closed again, and the highest priority";
}

// 11b. Requests already on their way when the circuit opens do not stretch the open period: one
// burst of failures is one opening (30 s), not one doubling per failure.
TEST_F(Routing, FailuresAlreadyInFlightDoNotStretchTheOpenCircuit)
{
    MockUpstream &flaky = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    flaky.setDefaultBehaviour(delayed(1000, answering(503)));
    slow.setDefaultBehaviour(delayed(2));
    add(QStringLiteral("flaky"), flaky, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    // Six at once: all six reach the flaky channel before its first 503 comes back.
    const QList<int> statuses = sendConcurrently(chatUrl(), 6, 6, [](int i) { return chatRequest(i); });
    EXPECT_EQ(statuses.count(200), 6);
    ASSERT_EQ(flaky.requestCount(), 6) << "the burst was not concurrent; the test proves nothing";
    const ChannelStatus open = status(QStringLiteral("flaky"));
    EXPECT_EQ(open.state, HealthState::Open);
    EXPECT_EQ(open.cooldownUntil, clock.now().addSecs(30)) << "opened once, for the first open period";

    flaky.clearBehaviours();
    clock.advanceMs(30'001);
    askOk(3);
    EXPECT_EQ(flaky.requestCount(), 6 + 3) << "the probe after 30 s should have closed the circuit";
}
