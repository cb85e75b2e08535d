// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/Result.h"
#include "gateway/core/RouterStatus.h"
#include "gateway/routing/RouteCandidate.h"

#include <QHash>
#include <QList>
#include <QSet>

#include <functional>
#include <memory>
#include <mutex>
#include <random>

namespace tarn::gateway {

class RouterState;

// Injectable for exact, fast tests.
struct RouterOptions
{
    std::function<qint64()> clockMs; // UTC milliseconds since the epoch; empty = the system clock
    quint64 seed = 0;                // for weighted choice; 0 = from std::random_device
};

// One request's route: the pool's channels in the order to try them, and what has been tried.
// Owned by its exchange and used on one thread; the router fills and advances it.
class RoutePlan
{
public:
    int attempts() const { return m_attempts; }
    // Why no (further) candidate was found, for the client's error; valid after next() failed.
    const QString &exhaustedReason() const { return m_exhaustedReason; }
    // When everything left was only cooling: how long until the soonest comes back (ms), else -1.
    qint64 retryAfterMs() const { return m_retryAfterMs; }

private:
    friend class Router;
    struct Entry
    {
        const Channel *channel = nullptr;
        QString upstreamModel;
        int tier = 0; // index into the priority tiers, last-resort (weight 0) after all
        EffectiveCapabilities caps;
    };
    RouteRequest m_request;
    QList<Entry> m_entries;
    qsizetype m_cursor = 0;
    QSet<QString> m_triedKeys;   // channel id + key id
    qint64 m_startedMs = 0;
    qint64 m_revision = 0;       // of the configuration snapshot the entries point into
    int m_attempts = 0;
    int m_maxAttempts = 1;
    int m_timeBudgetMs = 0;
    qint64 m_minContext = 0;     // after "context too long": only larger contexts are worth a try
    QString m_exhaustedReason;
    qint64 m_retryAfterMs = -1;
    std::optional<RouteCandidate> m_prefetched; // the first candidate (or none), picked by plan()
    bool m_hasPrefetched = false;
};

// Decides which channels a request goes to, in order, and learns from every attempt: weighted
// choice within priority tiers, cooldowns, circuit breakers, disabled keys, learned capabilities,
// budgets, strategies and sticky conversations. Shared by all worker threads.
class Router
{
public:
    explicit Router(RouterOptions options = {});
    ~Router();
    Q_DISABLE_COPY_MOVE(Router)

    // The pool for request.model, ordered. Errors: NotFound (no channel serves the model),
    // Invalid (channels serve it but none has a capability the request needs; the message names it).
    Result<RoutePlan> plan(const RuntimeConfig &config, const RouteRequest &request);
    // The next channel and key to try, skipping what is cooling, open, over budget, disabled or
    // already tried; nullopt when the plan is exhausted (see RoutePlan::exhaustedReason).
    std::optional<RouteCandidate> next(RoutePlan &plan);
    // Learns from the attempt; true when the request should go on to the next candidate.
    bool recordAttempt(RoutePlan &plan, const RouteCandidate &candidate, const AttemptReport &report);

    // Live state for the UI and `tarn channel list` (see RouterStatus.h).
    RouterStatus status(const RuntimeConfig &config);
    // What was learned or disabled since the last call, for the store to persist. The router keeps
    // its own copy until it sees a snapshot newer than currentRevision (the store's revision when
    // it takes them): from then on the store decides, so a reset there is never undone here.
    struct PendingChanges
    {
        QList<std::pair<qint64, LearnedCapability>> learned;        // channel id, lesson
        QList<std::tuple<qint64, QString, QString>> disabledKeys;   // channel id, key id, reason
    };
    PendingChanges takePendingChanges(qint64 currentRevision);
    // A passing health test: the key serves again (cooldown and disable cleared).
    void enableKey(qint64 channelId, const QString &keyId);
    // Token totals already spent today / this month (from stored usage), so budgets hold across
    // restarts.
    void seedBudgetUsage(const QHash<qint64, qint64> &tokensToday, const QHash<qint64, qint64> &tokensThisMonth);

    qint64 nowMs() const;

    // Every model name some enabled channel serves (aliases included), sorted.
    static QStringList servedModels(const RuntimeConfig &config);

private:
    std::optional<RouteCandidate> nextLocked(RoutePlan &plan, qint64 now);

    RouterOptions m_options;
    std::mutex m_mutex;
    std::mt19937_64 m_random;
    std::unique_ptr<RouterState> m_state;
};

} // namespace tarn::gateway
