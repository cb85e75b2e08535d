// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ClientKey.h"

#include <QDateTime>
#include <QHash>
#include <QTimeZone>

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace tarn::gateway {

// Why a key's request was refused, and when it can go again.
struct LimitExceeded
{
    enum class Limit { RequestsPerMinute, TokensPerDay, TokensPerMonth };
    Limit limit = Limit::RequestsPerMinute;
    qint64 allowed = 0;     // the limit
    qint64 used = 0;        // requests in the last minute, or tokens of the day or month
    qint64 retryAfterS = 1; // until the minute window frees a slot, or the next local day or month

    // "client key 'laptop' is over its limit of 2 requests per minute (…); retry in 37 s"
    QString message(const QString &keyName) const;
};

// Enforces client key limits in memory, without SQL on the request path: tokens per local day and
// month (seeded from the usage table at start, advanced as usage rows are recorded) and requests
// per minute (a sliding window of the last N admissions per key). Thread-safe: one mutex, held for
// a hash lookup and a few comparisons. Tokens are only known when a request ends, so a request
// that starts under a token limit may finish over it; the next one is refused.
class ClientKeyLimiter final
{
public:
    struct Options
    {
        std::function<qint64()> clockMs; // UTC ms since the epoch; default: the system clock
        QTimeZone zone = QTimeZone::systemTimeZone(); // whose days and months (the usage page's)
    };

    ClientKeyLimiter();
    explicit ClientKeyLimiter(Options options);
    Q_DISABLE_COPY_MOVE(ClientKeyLimiter)

    // The local day and month counted now, as UTC instants, for reading what was spent in them.
    struct Periods
    {
        QDateTime dayStart;
        QDateTime monthStart;
    };
    Periods currentPeriods();
    // Sets what keys (by id) spent in the current day and month; other keys keep their counts.
    void seed(const QHash<qint64, qint64> &dayTokens, const QHash<qint64, qint64> &monthTokens);
    // Counts the tokens a finished request of keyId spent (every key's, limited or not, so a limit
    // set while Tarn runs starts from the truth).
    void addTokens(qint64 keyId, qint64 tokens);
    // Whether a request of key may start now. An admitted request counts toward the per-minute
    // limit; a refused one does not. Keys without limits pass without taking the lock.
    std::optional<LimitExceeded> admit(const ClientKey &key);

    // What keyId has spent in the current day and month.
    struct Spent
    {
        qint64 dayTokens = 0;
        qint64 monthTokens = 0;
    };
    Spent spent(qint64 keyId);

    static constexpr qint64 kWindowMs = 60'000;

private:
    struct KeyState
    {
        qint64 dayStartMs = 0;
        qint64 dayTokens = 0;
        qint64 monthStartMs = 0;
        qint64 monthTokens = 0;
        std::vector<qint64> admissions; // ring of the last requestsPerMinute admission times
        std::size_t next = 0;           // the oldest entry, overwritten by the next admission
    };

    qint64 nowMs() const;
    void refreshPeriods(qint64 now); // m_mutex held
    KeyState &stateOf(qint64 keyId); // m_mutex held; day and month counts are current

    Options m_options;
    std::mutex m_mutex;
    qint64 m_dayStartMs = 0;
    qint64 m_nextDayMs = 0;
    qint64 m_monthStartMs = 0;
    qint64 m_nextMonthMs = 0;
    QHash<qint64, KeyState> m_keys;
};

} // namespace tarn::gateway
