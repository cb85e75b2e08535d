// SPDX-License-Identifier: GPL-3.0-or-later
// The router's decisions, exact: injected clock and seed, no network.
#include "gateway/routing/Router.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

struct Fixture
{
    std::shared_ptr<std::atomic<qint64>> clock = std::make_shared<std::atomic<qint64>>(1'700'000'000'000);
    std::unique_ptr<Router> router;
    RuntimeConfig config;

    explicit Fixture(quint64 seed = 42)
    {
        RouterOptions options;
        options.seed = seed;
        options.clockMs = [c = clock] { return c->load(); };
        router = std::make_unique<Router>(options);
    }
    Channel &add(const char *name, int priority = 0, double weight = 1, QStringList keys = {})
    {
        Channel c;
        c.id = config.channels.size() + 1;
        c.name = s(name);
        c.baseUrl = s("http://127.0.0.1:1/v1");
        c.keys = keys.isEmpty() ? QStringList{s("sk-") + c.name} : keys;
        c.models = {s("m")};
        c.priority = priority;
        c.weight = weight;
        config.channels.append(c);
        return config.channels.last();
    }
    void advance(qint64 ms) { clock->fetch_add(ms); }
    // The key the first candidate of each of n fresh plans uses.
    QStringList firstKeys(int n)
    {
        QStringList keys;
        for (int i = 0; i < n; ++i) {
            RoutePlan p = plan();
            keys << router->next(p)->key;
        }
        return keys;
    }
    RoutePlan plan(RouteRequest request = {})
    {
        if (request.model.isEmpty())
            request.model = s("m");
        auto p = router->plan(config, request);
        EXPECT_TRUE(bool(p)) << (p ? "" : qPrintable(p.error().message));
        return std::move(*p);
    }
    // The first candidate of a fresh plan, reported as the given answer.
    QString route(int status = 200, qint64 retryAfterMs = -1, RouteRequest request = {})
    {
        RoutePlan p = plan(request);
        const auto c = router->next(p);
        if (!c)
            return {};
        router->recordAttempt(p, *c, answered(status, retryAfterMs));
        return c->channel->name;
    }
    static AttemptReport answered(int status, qint64 retryAfterMs = -1, VerdictKind kind = VerdictKind::Success)
    {
        AttemptReport r;
        r.status = status;
        r.verdict.kind = status == 200 ? VerdictKind::Success
                       : status == 429 ? VerdictKind::RateLimited
                       : status >= 500 ? VerdictKind::ServerError
                       : status == 401 ? VerdictKind::InvalidKey
                                       : kind;
        if (kind != VerdictKind::Success)
            r.verdict.kind = kind;
        r.verdict.retryAfterMs = retryAfterMs;
        r.ttfbMs = 10;
        return r;
    }
};

} // namespace

TEST(Router, WeightedChoiceWithinATierFollowsTheWeights)
{
    Fixture f;
    f.add("a", 0, 30);
    f.add("b", 0, 40);
    f.add("c", 0, 30);
    QHash<QString, int> counts;
    for (int i = 0; i < 3000; ++i)
        ++counts[f.route()];
    EXPECT_NEAR(counts[s("a")] / 30.0, 30.0, 3.0);
    EXPECT_NEAR(counts[s("b")] / 30.0, 40.0, 3.0);
    EXPECT_NEAR(counts[s("c")] / 30.0, 30.0, 3.0);
}

TEST(Router, HigherTierFirstWeightZeroLast)
{
    Fixture f;
    f.add("reserve", 0, 0);
    f.add("low", 1);
    f.add("high", 5);
    RoutePlan p = f.plan();
    QStringList order;
    while (auto c = f.router->next(p)) {
        order << c->channel->name;
        f.router->recordAttempt(p, *c, Fixture::answered(503));
    }
    EXPECT_EQ(order, (QStringList{s("high"), s("low"), s("reserve")}));
}

TEST(Router, RateLimitCoolsTheKeyUntilRetryAfterThenBackOffDoubles)
{
    Fixture f;
    f.add("busy", 1);
    f.add("spare", 0);
    EXPECT_EQ(f.route(429, 30'000), s("busy"));
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(f.route(), s("spare"));
    f.advance(29'000);
    EXPECT_EQ(f.route(), s("spare"));
    f.advance(1'000);
    // Back after its Retry-After. Further 429s in a row without one back off 10 s, 20 s, …
    EXPECT_EQ(f.route(429), s("busy"));
    f.advance(9'999);
    EXPECT_EQ(f.route(), s("spare"));
    f.advance(1);
    EXPECT_EQ(f.route(429), s("busy"));
    f.advance(10'000);
    EXPECT_EQ(f.route(), s("spare"));
    f.advance(10'000);
    EXPECT_EQ(f.route(), s("busy"));
    // A success resets the back-off.
    EXPECT_EQ(f.route(429), s("busy"));
    f.advance(5'000);
    EXPECT_EQ(f.route(), s("busy"));
}

TEST(Router, EverythingCoolingExhaustsWithTheSoonestRetry)
{
    Fixture f;
    f.add("a");
    f.add("b");
    f.route(429, 20'000);
    f.route(429, 10'000);
    RoutePlan p = f.plan();
    EXPECT_FALSE(f.router->next(p).has_value());
    EXPECT_EQ(p.attempts(), 0);
    EXPECT_EQ(p.retryAfterMs(), 10'000);
    EXPECT_TRUE(p.exhaustedReason().contains(u"rate limited")) << qPrintable(p.exhaustedReason());
}

TEST(Router, MultiKeyChannelRotatesKeysAndNeverRepeatsOneInARequest)
{
    Fixture f;
    f.add("multi", 1, 1, {s("k1"), s("k2"), s("k3")});
    f.add("other", 0);
    const QStringList keys = f.firstKeys(3);
    EXPECT_EQ(keys, (QStringList{s("k1"), s("k2"), s("k3")}));

    // Each key rate-limited in turn: the same request tries the other keys, then the next tier.
    RoutePlan p = f.plan();
    QStringList tried;
    while (auto c = f.router->next(p)) {
        tried << c->key;
        if (!f.router->recordAttempt(p, *c, Fixture::answered(c->channel->name == u"multi" ? 429 : 200)))
            break;
    }
    EXPECT_EQ(tried.size(), 4);
    EXPECT_EQ(QSet<QString>(tried.begin(), tried.end()).size(), 4);
    EXPECT_EQ(tried.last(), s("sk-other"));
}

TEST(Router, InvalidKeyDisablesTheKeyAndAsksToPersistIt)
{
    Fixture f;
    f.add("a", 1, 1, {s("bad"), s("good")});
    RoutePlan p = f.plan();
    auto c = f.router->next(p);
    ASSERT_EQ(c->key, s("bad"));
    EXPECT_TRUE(f.router->recordAttempt(p, *c, Fixture::answered(401)));
    c = f.router->next(p);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->key, s("good"));
    for (int i = 0; i < 5; ++i) {
        RoutePlan q = f.plan();
        EXPECT_EQ(f.router->next(q)->key, s("good"));
    }
    const auto changes = f.router->takePendingChanges(f.config.revision);
    ASSERT_EQ(changes.disabledKeys.size(), 1);
    EXPECT_EQ(std::get<1>(changes.disabledKeys[0]), keyId(s("bad")));
    const RouterStatus status = f.router->status(f.config);
    EXPECT_EQ(status.channels[0].keys[0].state, HealthState::Disabled);
    EXPECT_EQ(status.channels[0].state, HealthState::Healthy);

    f.router->enableKey(1, keyId(s("bad")));
    const QStringList keys = f.firstKeys(2);
    EXPECT_TRUE(keys.contains(s("bad")));
}

// A channel whose every key was refused says why (the key's own reason), not only that they were:
// the Channels page, the tray menu and the notification all show this reason.
TEST(Router, AChannelWithEveryKeyRefusedCarriesTheKeysReason)
{
    Fixture f;
    f.add("lone", 1, 1, {s("bad")});
    f.add("pair", 0, 1, {s("bad-1"), s("bad-2")});
    for (int i = 0; i < 3; ++i) {
        RoutePlan p = f.plan();
        const auto c = f.router->next(p);
        if (!c)
            break;
        AttemptReport refused = Fixture::answered(401);
        refused.verdict.reason = QStringLiteral("Incorrect API key provided");
        f.router->recordAttempt(p, *c, refused);
    }
    const RouterStatus status = f.router->status(f.config);
    ASSERT_EQ(status.channels.size(), 2);
    EXPECT_EQ(status.channels[0].state, HealthState::Disabled);
    EXPECT_EQ(status.channels[0].reason, QStringLiteral("HTTP 401: Incorrect API key provided"));
    EXPECT_EQ(status.channels[1].state, HealthState::Disabled);
    EXPECT_EQ(status.channels[1].reason, QStringLiteral("every key is disabled (HTTP 401: Incorrect API key provided)"));
}

TEST(Router, BreakerOpensAfterThreeFailuresAndLetsOneProbeThrough)
{
    Fixture f;
    f.add("flaky", 1);
    f.add("steady", 0);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(f.route(503), s("flaky"));
    EXPECT_EQ(f.router->status(f.config).channels[0].state, HealthState::Open);
    EXPECT_EQ(f.route(), s("steady"));
    f.advance(30'000);
    // Half-open: one probe; a second request meanwhile goes elsewhere.
    RoutePlan probe = f.plan();
    const auto c = f.router->next(probe);
    EXPECT_EQ(c->channel->name, s("flaky"));
    EXPECT_TRUE(c->probe);
    EXPECT_EQ(f.route(), s("steady"));
    // The probe fails: open again, for twice as long.
    f.router->recordAttempt(probe, *c, Fixture::answered(503));
    f.advance(30'000);
    EXPECT_EQ(f.route(), s("steady"));
    f.advance(30'000);
    EXPECT_EQ(f.route(200), s("flaky"));
    EXPECT_EQ(f.router->status(f.config).channels[0].state, HealthState::Healthy);
    EXPECT_EQ(f.route(), s("flaky"));
}

TEST(Router, AbandonedProbeReleasesTheHalfOpenSlot)
{
    Fixture f;
    f.add("flaky", 1);
    f.add("steady", 0);
    for (int i = 0; i < 3; ++i)
        f.route(503);
    f.advance(30'000);
    RoutePlan p = f.plan();
    const auto c = f.router->next(p);
    ASSERT_TRUE(c->probe);
    AttemptReport abandoned;
    abandoned.transport = AttemptReport::Transport::Abandoned;
    f.router->recordAttempt(p, *c, abandoned);
    EXPECT_EQ(f.route(), s("flaky"));
}

TEST(Router, ToolsRequestsSkipChannelsWithoutToolsAndLearnFromRejections)
{
    Fixture f;
    f.add("notools", 2).capabilities.tools = CapabilityMode::Off;
    f.add("learns", 1);
    f.add("capable", 0);
    RouteRequest tools;
    tools.needs.tools = true;
    RoutePlan p = f.plan(tools);
    auto c = f.router->next(p);
    ASSERT_EQ(c->channel->name, s("learns"));
    AttemptReport rejected = Fixture::answered(400, -1, VerdictKind::Unsupported);
    rejected.verdict.capability = Capability::Tools;
    rejected.verdict.reason = s("tools is not supported");
    EXPECT_TRUE(f.router->recordAttempt(p, *c, rejected));
    c = f.router->next(p);
    EXPECT_EQ(c->channel->name, s("capable"));
    // Visible at once through the live state (before the store has it).
    const RouterStatus live = f.router->status(f.config);
    ASSERT_EQ(live.channels[1].learned.size(), 1);
    EXPECT_EQ(live.channels[1].learned[0].capability, Capability::Tools);
    EXPECT_FALSE(live.channels[1].learned[0].supported);
    // Learned: later tools requests go straight to the capable channel, plain ones still go first.
    EXPECT_EQ(f.route(200, -1, tools), s("capable"));
    EXPECT_EQ(f.route(), s("notools"));
    const auto changes = f.router->takePendingChanges(f.config.revision);
    ASSERT_EQ(changes.learned.size(), 1);
    EXPECT_EQ(changes.learned[0].second.capability, Capability::Tools);
    EXPECT_FALSE(changes.learned[0].second.supported);
}

TEST(Router, NoCapableChannelIsAnErrorNamingTheCapability)
{
    Fixture f;
    f.add("a").capabilities.vision = CapabilityMode::Off;
    RouteRequest request;
    request.model = s("m");
    request.needs.vision = true;
    const auto p = f.router->plan(f.config, request);
    ASSERT_FALSE(bool(p));
    EXPECT_EQ(p.error().code, ErrorCode::InvalidArgument);
    EXPECT_TRUE(p.error().message.contains(u"vision")) << qPrintable(p.error().message);
    request.model = s("nope");
    EXPECT_EQ(f.router->plan(f.config, request).error().code, ErrorCode::NotFound);
}

TEST(Router, LongPromptsOnlyGoWhereTheyFitAndContextRefusalsMoveToLargerContexts)
{
    Fixture f;
    f.add("small", 2).capabilities.contextTokens = 8'000;
    f.add("unknown", 1);
    f.add("large", 0).capabilities.contextTokens = 200'000;
    RouteRequest big;
    big.needs.promptTokens = 50'000;
    RoutePlan p = f.plan(big);
    auto c = f.router->next(p);
    ASSERT_EQ(c->channel->name, s("unknown"));
    EXPECT_TRUE(f.router->recordAttempt(p, *c, Fixture::answered(400, -1, VerdictKind::ContextTooLong)));
    c = f.router->next(p);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->channel->name, s("large"));
    EXPECT_TRUE(f.router->recordAttempt(p, *c, Fixture::answered(400, -1, VerdictKind::ContextTooLong)));
    EXPECT_FALSE(f.router->next(p).has_value());
}

TEST(Router, ClientErrorsAreReturnedUnlessTheChannelListsTheStatus)
{
    Fixture f;
    f.add("a", 1);
    f.add("b", 0);
    RoutePlan p = f.plan();
    auto c = f.router->next(p);
    EXPECT_FALSE(f.router->recordAttempt(p, *c, Fixture::answered(404, -1, VerdictKind::ClientError)));
    f.config.channels[0].failoverStatuses = {404};
    RoutePlan q = f.plan();
    c = f.router->next(q);
    EXPECT_TRUE(f.router->recordAttempt(q, *c, Fixture::answered(404, -1, VerdictKind::ClientError)));
}

TEST(Router, BudgetStopsTrafficAtTheLimitUntilTheWindowMoves)
{
    Fixture f;
    f.add("budgeted", 1).budget.requestsPerMinute = 5;
    f.add("spare", 0);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(f.route(), s("budgeted"));
    EXPECT_EQ(f.route(), s("spare"));
    EXPECT_EQ(f.router->status(f.config).channels[0].state, HealthState::Cooling);
    f.advance(60'000);
    EXPECT_EQ(f.route(), s("budgeted"));

    Fixture daily;
    daily.add("budgeted", 1).budget.tokensPerDay = 1'000;
    daily.add("spare", 0);
    RoutePlan p = daily.plan();
    auto c = daily.router->next(p);
    AttemptReport ok = Fixture::answered(200);
    ok.tokens = 1'000;
    daily.router->recordAttempt(p, *c, ok);
    EXPECT_EQ(daily.route(), s("spare"));
    daily.advance(86'400'000);
    EXPECT_EQ(daily.route(), s("budgeted"));
}

TEST(Router, NearItsBudgetAChannelsShareFalls)
{
    Fixture f;
    f.add("a").budget.requestsPerMinute = 1'000;
    for (int i = 0; i < 950; ++i)
        EXPECT_EQ(f.route(), s("a"));
    const RouterStatus status = f.router->status(f.config);
    EXPECT_NEAR(status.channels[0].effectiveWeight, 0.25, 0.01); // 95 % spent: a quarter of its share
}

TEST(Router, UpstreamRateLimitHeadersShiftLoadBeforeThe429)
{
    Fixture f;
    f.add("a");
    f.add("b");
    RoutePlan p = f.plan();
    auto c = f.router->next(p);
    AttemptReport r = Fixture::answered(200);
    r.rateLimits.limitRequests = 100;
    r.rateLimits.remainingRequests = 0;
    r.rateLimits.resetRequestsMs = 7'000;
    f.router->recordAttempt(p, *c, r);
    const QString limited = c->channel->name;
    for (int i = 0; i < 10; ++i)
        EXPECT_NE(f.route(), limited);
    f.advance(7'000);
    QSet<QString> seen;
    for (int i = 0; i < 40; ++i)
        seen.insert(f.route());
    EXPECT_TRUE(seen.contains(limited));
}

TEST(Router, StickyConversationsKeepTheirChannelAndStillFailOver)
{
    Fixture f;
    f.add("a");
    f.add("b");
    f.add("c");
    RouteRequest conversation;
    conversation.stickyKey = s("session-1");
    const QString first = f.route(200, -1, conversation);
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(f.route(200, -1, conversation), first);
    // Its channel fails: the request goes elsewhere and the conversation follows.
    RoutePlan p = f.plan(conversation);
    auto c = f.router->next(p);
    ASSERT_EQ(c->channel->name, first);
    EXPECT_TRUE(f.router->recordAttempt(p, *c, Fixture::answered(429, 60'000)));
    c = f.router->next(p);
    ASSERT_TRUE(c);
    EXPECT_NE(c->channel->name, first);
    f.router->recordAttempt(p, *c, Fixture::answered(200));
    const QString second = c->channel->name;
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(f.route(200, -1, conversation), second);
}

TEST(Router, LatencyStrategyPrefersTheFastestAndStillExplores)
{
    Fixture f;
    f.add("slow");
    f.add("fast");
    f.config.pools.insert(s("m"), PoolSettings{RoutingStrategy::Latency, false});
    int fast = 0;
    for (int i = 0; i < 500; ++i) {
        RoutePlan p = f.plan();
        auto c = f.router->next(p);
        AttemptReport r = Fixture::answered(200);
        r.ttfbMs = c->channel->name == u"fast" ? 100 : 900;
        f.router->recordAttempt(p, *c, r);
        fast += c->channel->name == u"fast";
    }
    EXPECT_GT(fast, 430);
    EXPECT_LT(fast, 500); // exploration keeps measuring the slow one
}

TEST(Router, CheapestStrategyOrdersByPrice)
{
    Fixture f;
    f.add("pricey").price = {10, 30, 0};
    f.add("cheap").price = {0.5, 2, 0};
    f.add("middle").price = {3, 15, 0};
    f.config.pools.insert(s("m"), PoolSettings{RoutingStrategy::Cheapest, false});
    RoutePlan p = f.plan();
    QStringList order;
    while (auto c = f.router->next(p)) {
        order << c->channel->name;
        f.router->recordAttempt(p, *c, Fixture::answered(503));
    }
    EXPECT_EQ(order, (QStringList{s("cheap"), s("middle"), s("pricey")}));
}

TEST(Router, AttemptsAreCappedAndTheTimeBudgetHolds)
{
    Fixture f;
    for (const char *name : {"a", "b", "c", "d", "e", "f", "g"})
        f.add(name);
    RoutePlan p = f.plan();
    int attempts = 0;
    while (auto c = f.router->next(p)) {
        ++attempts;
        f.router->recordAttempt(p, *c, Fixture::answered(500));
    }
    EXPECT_EQ(attempts, RoutingSettings::kMaxAttemptsCap);

    f.config.routing.maxAttempts = 2;
    RoutePlan q = f.plan();
    attempts = 0;
    while (auto c = f.router->next(q)) {
        ++attempts;
        f.router->recordAttempt(q, *c, Fixture::answered(429, 1));
    }
    EXPECT_EQ(attempts, 2);

    f.config.routing.maxAttempts = 0;
    f.config.routing.timeBudgetMs = 1'000;
    f.advance(10'000);
    RoutePlan r = f.plan();
    auto c = f.router->next(r);
    ASSERT_TRUE(c);
    f.advance(1'000);
    f.router->recordAttempt(r, *c, Fixture::answered(500));
    EXPECT_FALSE(f.router->next(r).has_value());
    EXPECT_TRUE(r.exhaustedReason().contains(u"time budget"));
}

TEST(Router, OnceTheStoreCarriesADisabledKeyClearingItThereEnablesIt)
{
    Fixture f;
    f.add("a", 1, 1, {s("bad"), s("good")});
    RoutePlan p = f.plan();
    auto c = f.router->next(p);
    ASSERT_EQ(c->key, s("bad"));
    f.router->recordAttempt(p, *c, Fixture::answered(401));
    // The gateway stored it; the reloaded snapshot carries it.
    f.config.channels[0].disabledKeys.insert(keyId(s("bad")), s("HTTP 401"));
    ++f.config.revision;
    for (int i = 0; i < 4; ++i) {
        RoutePlan q = f.plan();
        EXPECT_EQ(f.router->next(q)->key, s("good"));
    }
    // `tarn channel enable-key` (or a passing test in another process) cleared it.
    f.config.channels[0].disabledKeys.clear();
    ++f.config.revision;
    const QStringList keys = f.firstKeys(2);
    EXPECT_TRUE(keys.contains(s("bad")));
}

TEST(Router, LessonsSurviveUntilTheStoreCarriesThemAndResetClearsThem)
{
    Fixture f;
    f.add("learns", 1);
    f.add("capable", 0);
    RouteRequest tools;
    tools.needs.tools = true;
    RoutePlan p = f.plan(tools);
    auto c = f.router->next(p);
    AttemptReport rejected = Fixture::answered(400, -1, VerdictKind::Unsupported);
    rejected.verdict.capability = Capability::Tools;
    f.router->recordAttempt(p, *c, rejected);
    // An unrelated reload before the lesson is handed to the store keeps it.
    ++f.config.revision;
    EXPECT_EQ(f.route(200, -1, tools), s("capable"));
    const auto changes = f.router->takePendingChanges(f.config.revision);
    ASSERT_EQ(changes.learned.size(), 1);
    // Stored and reloaded: the store's copy rules.
    f.config.channels[0].learned.append(changes.learned[0].second);
    ++f.config.revision;
    EXPECT_EQ(f.route(200, -1, tools), s("capable"));
    // `tarn channel reset-learned`: tools requests go to the first tier again.
    f.config.channels[0].learned.clear();
    ++f.config.revision;
    EXPECT_EQ(f.route(200, -1, tools), s("learns"));
}

TEST(Router, FailuresAlreadyInFlightWhenTheCircuitOpensDoNotStretchIt)
{
    Fixture f;
    f.add("flaky", 1);
    f.add("steady", 0);
    QList<RoutePlan> plans;
    QList<RouteCandidate> sent;
    for (int i = 0; i < 6; ++i) {
        plans.append(f.plan());
        sent.append(*f.router->next(plans.last()));
        ASSERT_EQ(sent.last().channel->name, s("flaky"));
    }
    for (int i = 0; i < 6; ++i)
        f.router->recordAttempt(plans[i], sent[i], Fixture::answered(503));
    const RouterStatus open = f.router->status(f.config);
    EXPECT_EQ(open.channels[0].state, HealthState::Open);
    EXPECT_EQ(open.channels[0].cooldownUntil.toMSecsSinceEpoch(), f.clock->load() + 30'000);
    f.advance(30'001);
    EXPECT_EQ(f.route(), s("flaky"));
    EXPECT_EQ(f.route(), s("flaky"));
}

TEST(Router, AResetInTheStoreWinsEvenIfNoRequestSawTheStoredLesson)
{
    Fixture f;
    f.add("learns", 1);
    f.add("capable", 0);
    RouteRequest tools;
    tools.needs.tools = true;
    RoutePlan p = f.plan(tools);
    auto c = f.router->next(p);
    AttemptReport rejected = Fixture::answered(400, -1, VerdictKind::Unsupported);
    rejected.verdict.capability = Capability::Tools;
    f.router->recordAttempt(p, *c, rejected);
    const auto changes = f.router->takePendingChanges(f.config.revision);
    ASSERT_EQ(changes.learned.size(), 1);
    // Stored (revision +1) and reset by `tarn channel reset-learned` (+1) before any request.
    f.config.revision += 2;
    EXPECT_EQ(f.route(200, -1, tools), s("learns"));

    // The same for a key disabled and then re-enabled in the store before any request saw it.
    Fixture k;
    k.add("a", 1, 1, {s("bad"), s("good")});
    RoutePlan q = k.plan();
    auto first = k.router->next(q);
    ASSERT_EQ(first->key, s("bad"));
    k.router->recordAttempt(q, *first, Fixture::answered(401));
    ASSERT_EQ(k.router->takePendingChanges(k.config.revision).disabledKeys.size(), 1);
    k.config.revision += 2;
    const QStringList keys = k.firstKeys(2);
    EXPECT_TRUE(keys.contains(s("bad")));
}

TEST(Router, UpstreamCountersCoolOnlyTheKeyThatReportedThem)
{
    Fixture f;
    f.add("multi", 1, 1, {s("k1"), s("k2")});
    f.add("spare", 0);
    RoutePlan p = f.plan();
    auto c = f.router->next(p);
    ASSERT_EQ(c->key, s("k1"));
    AttemptReport r = Fixture::answered(200);
    r.rateLimits.limitRequests = 100;
    r.rateLimits.remainingRequests = 0;
    r.rateLimits.resetRequestsMs = 30'000;
    f.router->recordAttempt(p, *c, r);
    for (int i = 0; i < 4; ++i) {
        RoutePlan q = f.plan();
        const auto next = f.router->next(q);
        EXPECT_EQ(next->channel->name, s("multi"));
        EXPECT_EQ(next->key, s("k2"));
    }
    f.advance(30'000);
    const QStringList keys = f.firstKeys(2);
    EXPECT_TRUE(keys.contains(s("k1")));
}

TEST(Router, AContextRefusalFromAnUnknownWindowStillTriesOtherUnknownWindows)
{
    Fixture f;
    f.add("a", 1);
    f.add("b", 0);
    RoutePlan p = f.plan();
    auto c = f.router->next(p);
    EXPECT_TRUE(f.router->recordAttempt(p, *c, Fixture::answered(400, -1, VerdictKind::ContextTooLong)));
    c = f.router->next(p);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->channel->name, s("b"));
}

TEST(Router, AKeyListedTwiceIsOneKeyInTheStatus)
{
    Fixture f;
    f.add("a", 0, 1, {s("same"), s("same")});
    EXPECT_EQ(f.router->status(f.config).channels[0].keys.size(), 1);
    EXPECT_EQ(f.route(), s("a"));
}
