// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/routing/Router.h"

#include "gateway/core/Logging.h"
#include "gateway/routing/RouterState.h"

#include <QDateTime>
#include <QTimeZone>
#include <QVarLengthArray>

#include <algorithm>
#include <cmath>

namespace tarn::gateway {

namespace {

constexpr qint64 kStickyTtlMs = 3'600'000;      // a conversation idle for an hour may move
constexpr qsizetype kMaxStickyEntries = 20'000;
constexpr qint64 kStaleLatencyMs = 600'000;     // a latency older than this is measured again
constexpr double kLatencyExploration = 0.1;     // share of requests ordered by weight instead
constexpr int kBreakerThreshold = 3;            // consecutive failures that open the circuit
constexpr qint64 kBreakerOpenMs = 30'000;       // first open period, doubling to kMaxBackoffMs
constexpr qint64 kRateLimitBackoffMs = 5'000;   // 429 without a reset time: 5 s, doubling
constexpr qint64 kQuotaBackoffMs = 600'000;     // out of quota without a reset time: 10 min, doubling
constexpr qint64 kMaxBackoffMs = 300'000;
constexpr qint64 kMaxQuotaBackoffMs = 6 * 3'600'000;
constexpr qint64 kExpectedOutputTokens = 1000;  // for the cheapest strategy when the client gives none

qint64 backoff(qint64 base, int strikes, qint64 cap)
{
    const int doublings = std::clamp(strikes - 1, 0, 20);
    return std::min(cap, base << doublings);
}

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODate);
}

// What a channel-model lacks for a request, as values; put into words only when shown.
struct Lack
{
    enum class What { Tools, Vision, JsonMode, Context, EarlierRefusal, Output };
    What what = What::Tools;
    CapabilitySource source = CapabilitySource::Assumed;
    qint64 have = 0;
    qint64 need = 0;

    QString text() const
    {
        const QString from = capabilitySourceName(source);
        switch (what) {
        case What::Tools: return QStringLiteral("no tools support (%1)").arg(from);
        case What::Vision: return QStringLiteral("no vision support (%1)").arg(from);
        case What::JsonMode: return QStringLiteral("no JSON mode support (%1)").arg(from);
        case What::Context:
            return QStringLiteral("context of %1 tokens is too small for about %2 (%3)").arg(have).arg(need).arg(from);
        case What::EarlierRefusal: return QStringLiteral("context no larger than one that already refused the prompt");
        case What::Output: return QStringLiteral("at most %1 output tokens (%2)").arg(have).arg(from);
        }
        return {};
    }
};

std::optional<Lack> missingCapability(const EffectiveCapabilities &caps, const RouteRequirements &needs, qint64 minContext)
{
    using What = Lack::What;
    if (needs.tools && !caps.tools.supported)
        return Lack{What::Tools, caps.tools.source};
    if (needs.vision && !caps.vision.supported)
        return Lack{What::Vision, caps.vision.source};
    if (needs.jsonMode && !caps.jsonMode.supported)
        return Lack{What::JsonMode, caps.jsonMode.source};
    const qint64 context = caps.contextTokens.tokens;
    if (context > 0 && needs.promptTokens + needs.maxOutputTokens > context)
        return Lack{What::Context, caps.contextTokens.source, context, needs.promptTokens + needs.maxOutputTokens};
    if (minContext > 0 && context > 0 && context <= minContext)
        return Lack{What::EarlierRefusal};
    if (needs.maxOutputTokens > 0 && caps.maxOutputTokens.tokens > 0 && needs.maxOutputTokens > caps.maxOutputTokens.tokens)
        return Lack{What::Output, caps.maxOutputTokens.source, caps.maxOutputTokens.tokens};
    return std::nullopt;
}

QString triedKey(const RouteCandidate &c)
{
    return QString::number(c.channel->id) + u'/' + c.keyId;
}

} // namespace

Router::Router(RouterOptions options)
    : m_options(std::move(options)), m_state(std::make_unique<RouterState>())
{
    m_random.seed(m_options.seed ? m_options.seed : std::random_device{}());
}

Router::~Router() = default;

qint64 Router::nowMs() const
{
    return m_options.clockMs ? m_options.clockMs() : QDateTime::currentMSecsSinceEpoch();
}

Result<RoutePlan> Router::plan(const RuntimeConfig &config, const RouteRequest &request)
{
    RoutePlan plan;
    plan.m_request = request;
    const PoolSettings pool = config.pools.value(request.model);
    if (!pool.sticky)
        plan.m_request.stickyKey.clear();

    struct Scored
    {
        RoutePlan::Entry entry;
        int priority = 0;
        double order = 0; // ascending within a tier
        bool lastResort = false;
    };
    QList<Scored> scored;
    QVarLengthArray<std::pair<const Channel *, Lack>, 4> incapable;
    bool served = false;

    std::lock_guard lock(m_mutex);
    const qint64 now = nowMs();
    plan.m_startedMs = now;
    plan.m_revision = config.revision;
    const RoutingSettings &routing = config.routing;
    plan.m_maxAttempts = routing.maxAttempts > 0 ? std::min(routing.maxAttempts, RoutingSettings::kMaxAttemptsCap)
                                                 : RoutingSettings::kMaxAttemptsCap;
    plan.m_timeBudgetMs = routing.timeBudgetMs;
    // Latency pools explore: some requests are ordered by weight so a recovered channel is measured.
    std::uniform_real_distribution<double> uniform(std::nextafter(0.0, 1.0), 1.0);
    const bool explore = pool.strategy == RoutingStrategy::Latency && uniform(m_random) < kLatencyExploration;

    for (const Channel &channel : config.channels) {
        if (!channel.enabled || channel.keys.isEmpty() || !channel.serves(request.model))
            continue;
        if (request.needs.channelType && channel.type != *request.needs.channelType)
            continue;
        served = true;
        ChannelRuntime &runtime = m_state->channel(channel);
        const QString upstream = channel.upstreamModel(request.model);
        const EffectiveCapabilities &caps = m_state->capabilities(channel, runtime, upstream, config.revision);
        if (const std::optional<Lack> lack = missingCapability(caps, request.needs, 0)) {
            incapable.append({&channel, *lack});
            continue;
        }
        Scored s;
        s.entry = {&channel, upstream, 0, caps};
        s.priority = channel.priority;
        const double weight = channel.weight * m_state->budgetFactor(channel, runtime, now);
        s.lastResort = channel.weight <= 0;
        // Efraimidis–Spirakis: sorting by -ln(u)/w is a weighted shuffle.
        const double weighted = s.lastResort ? uniform(m_random) : -std::log(uniform(m_random)) / weight;
        switch (explore ? RoutingStrategy::Weighted : pool.strategy) {
        case RoutingStrategy::Weighted:
            s.order = weighted;
            break;
        case RoutingStrategy::Latency: {
            const bool measured = runtime.latencyMs >= 0 && now - runtime.latencySampleMs < kStaleLatencyMs;
            s.order = measured ? runtime.latencyMs : -1.0 / (1.0 + weighted); // unmeasured first
            break;
        }
        case RoutingStrategy::Cheapest: {
            const qint64 out = request.needs.maxOutputTokens > 0 ? request.needs.maxOutputTokens : kExpectedOutputTokens;
            const double cost = channel.price.inputPerMillion * double(request.needs.promptTokens)
                + channel.price.outputPerMillion * double(out);
            s.order = cost + 1e-9 * weighted; // equal prices: by weight
            break;
        }
        }
        scored.append(std::move(s));
    }
    if (!served) {
        return Error::notFound(QStringLiteral("The model '%1' does not exist or no enabled channel serves it. "
                                              "GET /v1/models lists the models available.")
                                   .arg(request.model));
    }
    if (scored.isEmpty()) {
        QStringList reasons;
        for (const auto &[channel, lack] : incapable)
            reasons << QStringLiteral("'%1': %2").arg(channel->name, lack.text());
        return Error::invalid(QStringLiteral("no channel serving '%1' can take this request: %2")
                                  .arg(request.model, reasons.join(QStringLiteral("; "))));
    }
    std::sort(scored.begin(), scored.end(), [](const Scored &a, const Scored &b) {
        if (a.lastResort != b.lastResort)
            return !a.lastResort;
        if (a.priority != b.priority)
            return a.priority > b.priority;
        return a.order < b.order;
    });
    int tier = 0;
    for (qsizetype i = 0; i < scored.size(); ++i) {
        if (i > 0 && (scored[i].lastResort != scored[i - 1].lastResort || scored[i].priority != scored[i - 1].priority))
            ++tier;
        scored[i].entry.tier = tier;
        plan.m_entries.append(std::move(scored[i].entry));
    }

    // A conversation goes back to the channel that served it while that channel can take it, so
    // the provider's prompt cache stays warm. Inside its priority tier only: a higher tier that
    // serves again wins (lower tiers only take failover), and failover is untouched.
    if (!plan.m_request.stickyKey.isEmpty()) {
        const auto sticky = m_state->sticky.constFind(plan.m_request.stickyKey);
        if (sticky != m_state->sticky.cend() && now - sticky->usedMs < kStickyTtlMs) {
            for (qsizetype i = 0; i < plan.m_entries.size(); ++i) {
                const Channel &channel = *plan.m_entries[i].channel;
                if (channel.id != sticky->channelId)
                    continue;
                if (m_state->channelAvailability(channel, m_state->channel(channel), now, nullptr).available()) {
                    qsizetype tierStart = i;
                    while (tierStart > 0 && plan.m_entries[tierStart - 1].tier == plan.m_entries[i].tier)
                        --tierStart;
                    plan.m_entries.move(i, tierStart);
                }
                break;
            }
        }
    }
    // The first candidate now, while the lock is held: one acquisition fewer per request, which
    // is what worker threads contend on.
    plan.m_prefetched = nextLocked(plan, now);
    plan.m_hasPrefetched = true;
    return plan;
}

std::optional<RouteCandidate> Router::next(RoutePlan &plan)
{
    if (std::exchange(plan.m_hasPrefetched, false)) // picked while the plan was made, under its lock
        return std::exchange(plan.m_prefetched, std::nullopt);
    std::lock_guard lock(m_mutex);
    return nextLocked(plan, nowMs());
}

std::optional<RouteCandidate> Router::nextLocked(RoutePlan &plan, qint64 now)
{
    if (plan.m_attempts >= plan.m_maxAttempts) {
        plan.m_exhaustedReason = QStringLiteral("gave up after %1 attempts").arg(plan.m_attempts);
        return std::nullopt;
    }
    if (plan.m_attempts > 0 && now - plan.m_startedMs >= plan.m_timeBudgetMs) {
        plan.m_exhaustedReason = QStringLiteral("gave up after %1 ms (the routing time budget)").arg(now - plan.m_startedMs);
        return std::nullopt;
    }
    // Why channels were passed over: kept as values, put into words only if nothing is left.
    struct Skip
    {
        const Channel *channel;
        Unavailability why;
        QString lack;
    };
    QVarLengthArray<Skip, 8> skipped;
    qint64 soonest = 0;
    const auto note = [&](const Channel &channel, const Unavailability &u) {
        skipped.append({&channel, u, {}});
        if (u.untilMs > now && (!soonest || u.untilMs < soonest))
            soonest = u.untilMs;
    };
    while (plan.m_cursor < plan.m_entries.size()) {
        const RoutePlan::Entry &entry = plan.m_entries.at(plan.m_cursor++);
        const Channel &channel = *entry.channel;
        ChannelRuntime &runtime = m_state->channel(channel);
        // Lessons learned since the plan was made (by this request or another) count now.
        const EffectiveCapabilities &caps = m_state->capabilities(channel, runtime, entry.upstreamModel, plan.m_revision);
        if (const std::optional<Lack> lack = missingCapability(caps, plan.m_request.needs, plan.m_minContext)) {
            skipped.append({&channel, {}, lack->text()});
            continue;
        }
        bool probe = false;
        if (const Unavailability u = m_state->channelAvailability(channel, runtime, now, &probe); !u.available()) {
            note(channel, u);
            continue;
        }
        const QStringList &ids = m_state->keyIds(channel, runtime);
        const qsizetype count = ids.size();
        for (qsizetype i = 0; i < count; ++i) {
            const qsizetype index = qsizetype((runtime.keyCursor + quint32(i)) % quint32(count));
            RouteCandidate candidate{&channel, entry.upstreamModel, channel.keys.at(index), ids.at(index), probe, entry.caps};
            const QString tried = triedKey(candidate);
            if (plan.m_triedKeys.contains(tried))
                continue;
            KeyRuntime &key = m_state->key(runtime, candidate.keyId);
            if (const Unavailability u = m_state->keyAvailability(channel, key, now, plan.m_revision); !u.available()) {
                note(channel, u);
                continue;
            }
            runtime.keyCursor = quint32(index + 1);
            runtime.probeInFlight = runtime.probeInFlight || probe;
            ++runtime.requests;
            ++key.requests;
            runtime.minuteRequests.add(now, 1);
            plan.m_triedKeys.insert(tried);
            ++plan.m_attempts;
            return candidate;
        }
    }
    QStringList reasons;
    for (const Skip &skip : skipped)
        reasons << QStringLiteral("'%1' %2").arg(skip.channel->name, skip.lack.isEmpty() ? skip.why.text() : skip.lack);
    reasons.removeDuplicates();
    plan.m_exhaustedReason = reasons.isEmpty() ? QStringLiteral("no channel left to try")
                                               : QStringLiteral("no channel could take it: %1").arg(reasons.join(QStringLiteral("; ")));
    plan.m_retryAfterMs = soonest ? soonest - now : -1;
    return std::nullopt;
}

bool Router::recordAttempt(RoutePlan &plan, const RouteCandidate &candidate, const AttemptReport &report)
{
    std::lock_guard lock(m_mutex);
    const qint64 now = nowMs();
    const Channel &channel = *candidate.channel;
    ChannelRuntime &runtime = m_state->channel(channel);
    KeyRuntime &key = m_state->key(runtime, candidate.keyId);
    if (candidate.probe)
        runtime.probeInFlight = false;
    if (report.transport == AttemptReport::Transport::Abandoned)
        return false; // the client left: nothing was learned about the channel

    const auto learn = [&](Capability capability, const QString &reason) {
        const LearnedCapability lesson{candidate.upstreamModel, capability, false, reason.left(300),
                                       QDateTime::fromMSecsSinceEpoch(now, QTimeZone::utc())};
        runtime.learned.append({lesson, -1});
        runtime.caps.clear();
        m_state->pendingLearned.append({channel.id, lesson});
        qCInfo(lcRouting) << "channel" << channel.name << "model" << candidate.upstreamModel << "does not support"
                          << capabilityName(capability) << "- learned, trying a capable channel";
    };
    const auto breakerFailure = [&](const QString &reason) {
        // Failures of requests that started before the circuit opened say nothing new: only the
        // probe's outcome moves an open circuit.
        if (runtime.openUntilMs && !candidate.probe)
            return;
        ++runtime.consecutiveFailures;
        if (candidate.probe || runtime.consecutiveFailures >= kBreakerThreshold) {
            ++runtime.opens;
            runtime.openUntilMs = now + backoff(kBreakerOpenMs, runtime.opens, kMaxBackoffMs);
            runtime.openReason = reason.left(200);
            qCInfo(lcRouting) << "channel" << channel.name << "circuit open until" << timeText(runtime.openUntilMs);
        }
    };
    // A burst of requests in flight on one key all hear the same 429: one strike, not one each.
    const bool alreadyCooling = key.coolUntilMs > now;
    const auto coolKey = [&](qint64 ms, const QString &why) {
        key.coolUntilMs = std::max(key.coolUntilMs, now + ms);
        key.coolReason = why;
    };

    bool failed = true;
    bool failover = true;
    bool keyLevel = false; // another key of the same channel may still serve
    switch (report.transport) {
    case AttemptReport::Transport::ConnectFailed:
    case AttemptReport::Transport::Timeout:
    case AttemptReport::Transport::Broken:
        breakerFailure(report.detail);
        break;
    case AttemptReport::Transport::Abandoned:
        break;
    case AttemptReport::Transport::Answered: {
        const AttemptVerdict &v = report.verdict;
        switch (v.kind) {
        case VerdictKind::Success:
            if (report.textualToolCall && plan.m_request.needs.tools) {
                learn(Capability::Tools, QStringLiteral("answered a tools request with the call written as text"));
            } else if (!report.emptyAnswer) {
                failed = false;
                failover = false;
            }
            break;
        case VerdictKind::RateLimited:
            key.rateLimitStrikes += alreadyCooling ? 0 : 1;
            coolKey(v.retryAfterMs >= 0 ? v.retryAfterMs : backoff(kRateLimitBackoffMs, key.rateLimitStrikes, kMaxBackoffMs),
                    QStringLiteral("rate limited"));
            keyLevel = true;
            break;
        case VerdictKind::QuotaExhausted:
            key.quotaStrikes += alreadyCooling ? 0 : 1;
            coolKey(v.retryAfterMs >= 0 ? v.retryAfterMs : backoff(kQuotaBackoffMs, key.quotaStrikes, kMaxQuotaBackoffMs),
                    QStringLiteral("out of quota"));
            keyLevel = true;
            break;
        case VerdictKind::InvalidKey:
            key.disabled = true;
            key.disabledHandedOutAt = -1;
            key.disabledReason = QStringLiteral("HTTP %1: %2").arg(report.status).arg(v.reason.left(200));
            m_state->pendingDisabled.append({channel.id, key.id, key.disabledReason});
            qCWarning(lcRouting) << "channel" << channel.name << "key" << key.id << "disabled:" << key.disabledReason;
            keyLevel = true;
            break;
        case VerdictKind::Unsupported:
            learn(v.capability.value_or(Capability::Tools), v.reason);
            break;
        case VerdictKind::ContextTooLong: {
            const EffectiveCapabilities &caps =
                m_state->capabilities(channel, runtime, candidate.upstreamModel, plan.m_revision);
            // Only a known window says which others are worth trying; unknown ones still are.
            plan.m_minContext = std::max(plan.m_minContext, qint64(caps.contextTokens.tokens));
            break;
        }
        case VerdictKind::ServerError:
            breakerFailure(v.reason);
            break;
        case VerdictKind::ClientError:
            failover = channel.failoverStatuses.contains(report.status);
            break;
        }
        break;
    }
    }

    // The upstream's own counters (per key: each is usually its own account): shift load before
    // its 429, wait for its reset at zero.
    const RateLimitHeaders &rl = report.rateLimits;
    if (rl.any()) {
        const auto left = [](qint64 remaining, qint64 limit) {
            return remaining >= 0 && limit > 0 ? std::clamp(double(remaining) / double(limit), 0.0, 1.0) : 1.0;
        };
        const double fraction = std::min(left(rl.remainingRequests, rl.limitRequests), left(rl.remainingTokens, rl.limitTokens));
        const qint64 reset = std::max({rl.resetRequestsMs, rl.resetTokensMs, qint64(1000)});
        key.rateLimitFactor = fraction > 0.2 ? 1.0 : std::max(0.05, fraction / 0.2);
        key.rateLimitFactorUntilMs = now + reset; // the window resets: the factor goes with it
        if (rl.remainingRequests == 0 || rl.remainingTokens == 0) {
            const qint64 until = std::max(rl.remainingRequests == 0 ? rl.resetRequestsMs : -1,
                                          rl.remainingTokens == 0 ? rl.resetTokensMs : -1);
            coolKey(until > 0 ? until : 1000, QStringLiteral("at the upstream's own limit"));
        }
    }

    if (!failed) {
        runtime.consecutiveFailures = 0;
        runtime.opens = 0;
        runtime.openUntilMs = 0;
        key.rateLimitStrikes = 0;
        key.quotaStrikes = 0;
        if (report.ttfbMs >= 0) {
            runtime.latencyMs = runtime.latencyMs < 0 ? double(report.ttfbMs) : 0.7 * runtime.latencyMs + 0.3 * double(report.ttfbMs);
            runtime.latencySampleMs = now;
        }
        m_state->countTokens(runtime, now, report.tokens);
        if (!plan.m_request.stickyKey.isEmpty()) {
            if (m_state->sticky.size() >= kMaxStickyEntries) {
                m_state->sticky.removeIf([&](const auto &it) { return now - it.value().usedMs >= kStickyTtlMs; });
                if (m_state->sticky.size() >= kMaxStickyEntries)
                    m_state->sticky.clear();
            }
            m_state->sticky.insert(plan.m_request.stickyKey, {channel.id, now});
        }
    } else {
        ++key.failures;
    }
    runtime.errorRate = 0.9 * runtime.errorRate + (failed ? 0.1 : 0.0);

    if (failover && keyLevel) {
        // Another key of this channel goes to the back of its tier: other channels of the tier first.
        const qsizetype cursor = plan.m_cursor;
        qsizetype insertAt = cursor;
        const auto current = std::find_if(plan.m_entries.cbegin(), plan.m_entries.cend(),
                                          [&](const RoutePlan::Entry &e) { return e.channel == &channel; });
        if (current != plan.m_entries.cend()) {
            const int tier = current->tier;
            while (insertAt < plan.m_entries.size() && plan.m_entries.at(insertAt).tier <= tier)
                ++insertAt;
            plan.m_entries.insert(insertAt, *current);
        }
    }
    return failover;
}

} // namespace tarn::gateway
