// SPDX-License-Identifier: GPL-3.0-or-later
// Routing, end to end: who gets the traffic. Weights and priority tiers, the last resort, budgets,
// capabilities (declared and learned) and sticky conversations, over real HTTP with mock upstreams
// and a fake clock.
#include "tests/integration/RoutingTestSupport.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

using namespace tarn::test;
using namespace tarn::test::routing;
using tarn::gateway::Channel;
using tarn::gateway::ChannelStatus;
using tarn::gateway::HealthState;
using tarn::gateway::KeyStatus;

// 1. Weighted choice inside a tier: 3 000 requests over weights 30/40/30 split within ±3 points.
TEST_F(Routing, WeightsSplitTrafficWithinThreePoints)
{
    MockUpstream &a = mock();
    MockUpstream &b = mock();
    MockUpstream &c = mock();
    c.setDefaultBehaviour(delayed(1));
    add(QStringLiteral("a"), a, 0, 30);
    add(QStringLiteral("b"), b, 0, 40);
    add(QStringLiteral("c"), c, 0, 30);
    ASSERT_TRUE(tarn.start());

    constexpr int kTotal = 3000;
    const QList<int> statuses = sendConcurrently(chatUrl(), kTotal, 8, [](int i) { return chatRequest(i); });
    EXPECT_EQ(statuses.count(200), kTotal);
    EXPECT_EQ(a.requestCount() + b.requestCount() + c.requestCount(), kTotal);
    const auto share = [&](const MockUpstream &m) { return 100.0 * m.requestCount() / kTotal; };
    EXPECT_NEAR(share(a), 30.0, 3.0);
    EXPECT_NEAR(share(b), 40.0, 3.0);
    EXPECT_NEAR(share(c), 30.0, 3.0);
}

// 1b. Weight 0 is a last resort: whatever its priority, it takes traffic only when every other
// channel has failed, and then the client does not notice.
TEST_F(Routing, WeightZeroIsOnlyALastResort)
{
    MockUpstream &reserve = mock();
    MockUpstream &main = mock();
    MockUpstream &slow = mock();
    slow.setDefaultBehaviour(delayed(2));
    add(QStringLiteral("reserve"), reserve, 50, 0);
    add(QStringLiteral("main"), main);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    askOk(60);
    EXPECT_EQ(reserve.requestCount(), 0);
    EXPECT_GT(main.requestCount(), 10);
    EXPECT_GT(slow.requestCount(), 10);

    main.setDefaultBehaviour(answering(503));
    slow.setDefaultBehaviour(answering(500));
    askOk(10);
    EXPECT_EQ(reserve.requestCount(), 10);
    EXPECT_EQ(status(QStringLiteral("main")).state, HealthState::Open);
    EXPECT_EQ(status(QStringLiteral("slow")).state, HealthState::Open);
}

// 7a. A requests-per-minute budget stops traffic at the limit and lets it through again once the
// minute has passed.
TEST_F(Routing, RequestsPerMinuteBudgetStopsTrafficUntilTheWindowPasses)
{
    MockUpstream &budgeted = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    slow.setDefaultBehaviour(delayed(2));
    add(QStringLiteral("budgeted"), budgeted, 10, 1.0, [](Channel &c) { c.budget.requestsPerMinute = 5; });
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    askOk(20);
    EXPECT_EQ(budgeted.requestCount(), 5);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 15);
    const ChannelStatus atBudget = status(QStringLiteral("budgeted"));
    EXPECT_EQ(atBudget.state, HealthState::Cooling);
    EXPECT_TRUE(atBudget.reason.contains(QStringLiteral("budget"))) << atBudget.reason.toStdString();
    EXPECT_TRUE(atBudget.cooldownUntil.isValid());
    EXPECT_LE(atBudget.cooldownUntil, clock.now().addSecs(60));

    clock.advanceMs(30'000);
    askOk(5);
    EXPECT_EQ(budgeted.requestCount(), 5) << "the minute has not passed";

    clock.advanceMs(31'000);
    askOk(20);
    EXPECT_EQ(budgeted.requestCount(), 10);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 15 + 5 + 15);
}

// 7b. A tokens-per-day budget (counted from the answers' usage) stops traffic once spent and lets it
// through again the next UTC day. The budget is set on the running gateway.
TEST_F(Routing, TokensPerDayBudgetStopsTrafficUntilTheNextDay)
{
    MockUpstream &budgeted = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    slow.setDefaultBehaviour(delayed(2));
    Channel channel = add(QStringLiteral("budgeted"), budgeted, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    askOk(1);
    ASSERT_EQ(budgeted.requestCount(), 1);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    const qint64 perRequest = rows[0].promptTokens + rows[0].completionTokens;
    ASSERT_GT(perRequest, 0);
    channel.budget.tokensPerDay = 3 * perRequest; // reached by the third request
    tarn.updateChannel(channel);

    askOk(20);
    EXPECT_EQ(budgeted.requestCount(), 3);
    EXPECT_EQ(status(QStringLiteral("budgeted")).state, HealthState::Cooling);

    clock.advanceMs(6 * 3'600'000); // 18:00 the same day
    askOk(5);
    EXPECT_EQ(budgeted.requestCount(), 3);

    clock.advanceMs(6 * 3'600'000 + 1'000); // past midnight UTC
    askOk(10);
    EXPECT_EQ(budgeted.requestCount(), 6);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 1 + 20 + 5 + 10 - 6);
}

// 7c. A requests-per-minute budget holds exactly under concurrent clients.
TEST_F(Routing, RequestsPerMinuteBudgetHoldsUnderConcurrency)
{
    MockUpstream &budgeted = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    budgeted.setDefaultBehaviour(delayed(20));
    slow.setDefaultBehaviour(delayed(2));
    add(QStringLiteral("budgeted"), budgeted, 10, 1.0, [](Channel &c) { c.budget.requestsPerMinute = 7; });
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    const QList<int> statuses = sendConcurrently(chatUrl(), 60, 8, [](int i) { return chatRequest(i); });
    EXPECT_EQ(statuses.count(200), 60);
    EXPECT_EQ(budgeted.requestCount(), 7);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 60 - 7);
}

// 6. Tools: never sent to a channel declared without them; an upstream saying "tools is not
// supported" teaches the router, the request is retried on a capable channel, and later tools
// requests skip that channel while plain ones still use it.
TEST_F(Routing, ToolsGoOnlyWhereTheyAreSupported)
{
    MockUpstream &learner = mock();
    MockUpstream &declaredOff = mock();
    MockUpstream &capable = mock();
    learner.pushBehaviour(answering(
        400, {}, R"({"error":{"message":"tools is not supported for this model","type":"invalid_request_error"}})"));
    add(QStringLiteral("learner"), learner, 30);
    add(QStringLiteral("declared-off"), declaredOff, 20, 1.0,
        [](Channel &c) { c.capabilities.tools = tarn::gateway::CapabilityMode::Off; });
    add(QStringLiteral("capable"), capable, 10);
    ASSERT_TRUE(tarn.start());

    const HttpResult first = ask({.tools = true});
    ASSERT_EQ(first.status, 200) << describe(first).toStdString();
    const QJsonObject message = first.json().value(u"choices").toArray().at(0).toObject().value(u"message").toObject();
    EXPECT_EQ(message.value(u"tool_calls").toArray().size(), 1) << first.body.toStdString();
    EXPECT_EQ(learner.requestCount(), 1);
    EXPECT_EQ(declaredOff.requestCount(), 0);
    EXPECT_EQ(capable.requestCount(), 1);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    ASSERT_EQ(rows[0].attemptLog.size(), 2);
    EXPECT_EQ(rows[0].attemptLog[0].channelName, QStringLiteral("learner"));
    EXPECT_EQ(rows[0].attemptLog[0].status, 400);
    EXPECT_EQ(rows[0].attemptLog[1].channelName, QStringLiteral("capable"));

    askOk(5, {.tools = true});
    EXPECT_EQ(learner.requestCount(), 1) << "tools were learned unsupported there";
    EXPECT_EQ(declaredOff.requestCount(), 0) << "tools are declared off there";
    EXPECT_EQ(capable.requestCount(), 6);

    askOk(3);
    EXPECT_EQ(learner.requestCount(), 1 + 3) << "plain requests still go to the learner (highest priority)";
    // Learned for tools only, and the tools answer stays a tools answer for the client.
    askOk(1, {.tools = true});
    EXPECT_EQ(capable.requestCount(), 7);
    EXPECT_EQ(declaredOff.requestCount(), 0);
}

// 10b. A capability no channel has is the client's problem: 400 naming it, no upstream touched.
TEST_F(Routing, CapabilityNoChannelHasIsA400NamingIt)
{
    MockUpstream &a = mock();
    MockUpstream &b = mock();
    MockUpstream &c = mock();
    const auto noVision = [](Channel &ch) { ch.capabilities.vision = tarn::gateway::CapabilityMode::Off; };
    add(QStringLiteral("a"), a, 0, 1.0, noVision);
    add(QStringLiteral("b"), b, 0, 1.0, noVision);
    add(QStringLiteral("c"), c, 0, 1.0, [](Channel &ch) {
        ch.capabilities.vision = tarn::gateway::CapabilityMode::Off;
        ch.capabilities.tools = tarn::gateway::CapabilityMode::Off;
    });
    ASSERT_TRUE(tarn.start());

    const HttpResult vision = ask({.image = true});
    EXPECT_EQ(vision.status, 400) << describe(vision).toStdString();
    const QJsonObject error = vision.json().value(u"error").toObject();
    EXPECT_TRUE(error.value(u"message").toString().contains(QStringLiteral("vision"))) << vision.body.toStdString();
    EXPECT_EQ(error.value(u"type").toString(), QStringLiteral("invalid_request_error"));
    EXPECT_EQ(a.requestCount() + b.requestCount() + c.requestCount(), 0);

    // Tools are still served by a and b; without them the request is fine.
    askOk(3, {.tools = true});
    EXPECT_EQ(c.requestCount(), 0);
    askOk(1);
}

// 8. Sticky conversations keep their channel while it is healthy, and still fail over.
TEST_F(Routing, StickySessionKeepsItsChannelAndStillFailsOver)
{
    MockUpstream *mocks[] = {&mock(), &mock(), &mock()};
    const QString names[] = {QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")};
    for (int i = 0; i < 3; ++i)
        add(names[i], *mocks[i]);
    ASSERT_TRUE(tarn.start());
    const auto counts = [&] {
        QList<int> out;
        for (const MockUpstream *m : mocks)
            out << m->requestCount();
        return out;
    };

    // Different sessions spread (so what follows is stickiness, not the seed).
    for (int i = 0; i < 12; ++i)
        askOk(1, {}, {{"X-Claude-Code-Session-Id", "session-" + QByteArray::number(i)}});
    EXPECT_GE(std::count_if(mocks, mocks + 3, [](const MockUpstream *m) { return m->requestCount() > 0; }), 2);

    // One session, twenty turns (each with a new opening: the header alone ties them): one channel.
    const HttpHeaders session{{"X-Claude-Code-Session-Id", "the-session"}};
    const QList<int> before = counts();
    askOk(20, {}, session);
    int home = -1;
    for (int i = 0; i < 3; ++i) {
        const int got = counts()[i] - before[i];
        if (got == 20)
            home = i;
        else
            EXPECT_EQ(got, 0) << names[i].toStdString() << " took part of a sticky session";
    }
    ASSERT_GE(home, 0);

    // Its channel breaks: the conversation moves without a failed request, and stays where it moved.
    mocks[home]->setDefaultBehaviour(answering(503));
    const QList<int> beforeFailure = counts();
    askOk(10, {}, session);
    const QList<int> after = counts();
    EXPECT_EQ(after[home] - beforeFailure[home], 1) << "only the first turn should try the broken channel";
    int newHome = -1;
    for (int i = 0; i < 3; ++i) {
        if (i != home && after[i] - beforeFailure[i] == 10)
            newHome = i;
    }
    EXPECT_GE(newHome, 0) << "the moved conversation should stay on one channel";

    // The same opening without a header is one conversation too.
    const QList<int> beforeOpening = counts();
    for (int i = 0; i < 10; ++i) {
        const HttpResult r = post(chatRequest(424242));
        EXPECT_EQ(r.status, 200) << describe(r).toStdString();
    }
    const QList<int> afterOpening = counts();
    int holders = 0;
    for (int i = 0; i < 3; ++i) {
        if (i != home && afterOpening[i] - beforeOpening[i] == 10)
            ++holders;
    }
    EXPECT_EQ(holders, 1) << "one conversation opening should keep one channel";
    EXPECT_LE(afterOpening[home] - beforeOpening[home], 1);
}

// 8b. Stickiness works inside the priority order, not above it: a conversation that failed over
// once to a lower priority goes back to the higher one as soon as that serves again ("lower
// priorities only take failover"); its cache there is warm too.
TEST_F(Routing, StickyConversationReturnsToTheHigherPriority)
{
    MockUpstream &primary = mock();
    MockUpstream &second = mock();
    MockUpstream &third = mock();
    add(QStringLiteral("primary"), primary, 10);
    add(QStringLiteral("second"), second);
    add(QStringLiteral("third"), third);
    ASSERT_TRUE(tarn.start());
    const HttpHeaders session{{"X-Claude-Code-Session-Id", "one-conversation"}};

    askOk(1, {}, session);
    EXPECT_EQ(primary.requestCount(), 1);
    primary.pushBehaviour(answering(503)); // one hiccup
    askOk(1, {}, session);
    EXPECT_EQ(primary.requestCount(), 2);
    EXPECT_EQ(second.requestCount() + third.requestCount(), 1);

    askOk(8, {}, session);
    EXPECT_EQ(primary.requestCount(), 2 + 8) << "the conversation stayed on a lower priority after one failover";
    EXPECT_EQ(second.requestCount() + third.requestCount(), 1);
}
