// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/RouterStatus.h"
#include "gateway/routing/AttemptVerdict.h"
#include "gateway/routing/CapabilityResolver.h"

#include <QHash>
#include <QList>
#include <QString>

#include <array>
#include <unordered_map>

namespace tarn::gateway {

// Requests or tokens per second over the last minute.
class MinuteWindow
{
public:
    void add(qint64 nowMs, qint64 amount);
    qint64 total(qint64 nowMs);
    // When the oldest amount still counted leaves the window.
    qint64 nextReleaseMs(qint64 nowMs);

private:
    void roll(qint64 nowMs);
    std::array<qint64, 60> m_buckets{};
    qint64 m_second = 0; // the second m_buckets was last rolled to
};

struct KeyRuntime
{
    QString id;
    qint64 coolUntilMs = 0;
    int rateLimitStrikes = 0; // consecutive 429s: back-off doubles with each
    int quotaStrikes = 0;
    QString coolReason;
    bool disabled = false;    // the router's own lesson, until the store has it
    QString disabledReason;
    qint64 disabledHandedOutAt = -1; // revision when handed to the store; newer snapshots decide
    // The upstream's own counters for this key (x-ratelimit-*): load shifts before its 429.
    double rateLimitFactor = 1;
    qint64 rateLimitFactorUntilMs = 0;
    qint64 requests = 0;
    qint64 failures = 0;
};

struct ChannelRuntime
{
    qint64 id = 0;
    quint32 keyCursor = 0;
    QStringList keysSeen; // the keys keyIds were computed for
    QStringList keyIds;
    QHash<QString, KeyRuntime> keys; // by key id
    // Circuit breaker over 5xx, timeouts and connection failures.
    int consecutiveFailures = 0;
    int opens = 0;              // consecutive openings: the open time doubles with each
    qint64 openUntilMs = 0;     // 0 = closed
    bool probeInFlight = false; // half-open: one request is testing the channel
    QString openReason;
    // Budgets.
    MinuteWindow minuteRequests, minuteTokens;
    qint64 dayTokens = 0, monthTokens = 0;
    qint64 day = -1, month = -1; // UTC day number / year*12+month the totals belong to
    // Statistics.
    double latencyMs = -1;
    qint64 latencySampleMs = 0;
    double errorRate = 0;
    qint64 requests = 0;
    // Lessons the store may not have yet; once handed out, a newer snapshot decides.
    struct Lesson
    {
        LearnedCapability learned;
        qint64 handedOutAt = -1;
    };
    QList<Lesson> learned;
    qint64 prunedRevision = -1; // newest configuration revision `learned` was compared with
    // Cached effective capabilities per upstream model, for one snapshot's channel.
    qint64 capsRevision = -1;
    const Channel *capsChannel = nullptr;
    QHash<QString, EffectiveCapabilities> caps;
};

// Why a channel or key cannot take a request right now; the text is only built when shown.
struct Unavailability
{
    enum class Why { None, CircuitOpen, UpstreamLimit, RequestsPerMinute, TokensPerMinute, TokensPerDay,
                     TokensPerMonth, KeyDisabled, KeyCooling };
    Why why = Why::None;
    qint64 untilMs = 0; // when it may be tried again; 0 = unknown
    qint64 limit = 0;   // the budget, for the budget reasons
    const QString *detail = nullptr; // circuit / cooling / disabled reason (owned by the state)
    const QString *keyId = nullptr;

    bool available() const { return why == Why::None; }
    QString text() const;
};

// All channels' runtime state; guarded by the Router's mutex.
class RouterState
{
public:
    ChannelRuntime &channel(const Channel &channel);
    KeyRuntime &key(ChannelRuntime &runtime, const QString &keyId);
    // keyId() of each of the channel's keys, computed once per key list.
    const QStringList &keyIds(const Channel &channel, ChannelRuntime &runtime);

    const EffectiveCapabilities &capabilities(const Channel &channel, ChannelRuntime &runtime,
                                              const QString &upstreamModel, qint64 revision);

    // Channel-level state: breaker, rate-limit headers, budgets. `probe` is set when the call
    // admits the half-open circuit's one trial request.
    Unavailability channelAvailability(const Channel &channel, ChannelRuntime &runtime, qint64 nowMs, bool *probe);
    Unavailability keyAvailability(const Channel &channel, KeyRuntime &key, qint64 nowMs, qint64 revision) const;
    // 1 when far from every budget, falling to 0.05 near one (0 = at it: see channelAvailability).
    double budgetFactor(const Channel &channel, ChannelRuntime &runtime, qint64 nowMs);

    void countTokens(ChannelRuntime &runtime, qint64 nowMs, qint64 tokens);
    void seed(qint64 channelId, qint64 nowMs, qint64 dayTokens, qint64 monthTokens);

    std::unordered_map<qint64, ChannelRuntime> channels;
    // Sticky conversations: key -> channel id and when last used.
    struct Sticky
    {
        qint64 channelId = 0;
        qint64 usedMs = 0;
    };
    QHash<QString, Sticky> sticky;
    QList<std::pair<qint64, LearnedCapability>> pendingLearned;
    QList<std::tuple<qint64, QString, QString>> pendingDisabled;

private:
    void rollCalendar(ChannelRuntime &runtime, qint64 nowMs);
};

} // namespace tarn::gateway
