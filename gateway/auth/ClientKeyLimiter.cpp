// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/auth/ClientKeyLimiter.h"

#include "gateway/storage/UsageStats.h"

#include <algorithm>
#include <limits>

namespace tarn::gateway {

namespace {

constexpr qint64 kFree = std::numeric_limits<qint64>::min(); // a ring slot no admission used yet

qint64 secondsUntil(qint64 fromMs, qint64 toMs)
{
    return std::max<qint64>(1, (toMs - fromMs + 999) / 1000);
}

} // namespace

QString LimitExceeded::message(const QString &keyName) const
{
    switch (limit) {
    case Limit::RequestsPerMinute:
        return QStringLiteral("client key '%1' is over its limit of %2 requests per minute; retry in %3 s")
            .arg(keyName).arg(allowed).arg(retryAfterS);
    case Limit::TokensPerDay:
        return QStringLiteral("client key '%1' is over its limit of %2 tokens per day (%3 used today); retry in %4 s")
            .arg(keyName).arg(allowed).arg(used).arg(retryAfterS);
    case Limit::TokensPerMonth:
        return QStringLiteral("client key '%1' is over its limit of %2 tokens per month (%3 used this month); retry in %4 s")
            .arg(keyName).arg(allowed).arg(used).arg(retryAfterS);
    }
    return {};
}

ClientKeyLimiter::ClientKeyLimiter() : ClientKeyLimiter(Options{}) {}

ClientKeyLimiter::ClientKeyLimiter(Options options) : m_options(std::move(options)) {}

qint64 ClientKeyLimiter::nowMs() const
{
    return m_options.clockMs ? m_options.clockMs() : QDateTime::currentMSecsSinceEpoch();
}

void ClientKeyLimiter::refreshPeriods(qint64 now)
{
    // Time zone arithmetic only when a day or month boundary is crossed (or the clock went back).
    if (now >= m_dayStartMs && now < m_nextDayMs)
        return;
    const QDate today = QDateTime::fromMSecsSinceEpoch(now, m_options.zone).date();
    const QDate firstOfMonth(today.year(), today.month(), 1);
    m_dayStartMs = usageDayStart(today, m_options.zone).toMSecsSinceEpoch();
    m_nextDayMs = usageDayStart(today.addDays(1), m_options.zone).toMSecsSinceEpoch();
    m_monthStartMs = usageDayStart(firstOfMonth, m_options.zone).toMSecsSinceEpoch();
    m_nextMonthMs = usageDayStart(firstOfMonth.addMonths(1), m_options.zone).toMSecsSinceEpoch();
}

ClientKeyLimiter::KeyState &ClientKeyLimiter::stateOf(qint64 keyId)
{
    KeyState &state = m_keys[keyId];
    if (state.dayStartMs != m_dayStartMs) {
        state.dayStartMs = m_dayStartMs;
        state.dayTokens = 0;
    }
    if (state.monthStartMs != m_monthStartMs) {
        state.monthStartMs = m_monthStartMs;
        state.monthTokens = 0;
    }
    return state;
}

ClientKeyLimiter::Periods ClientKeyLimiter::currentPeriods()
{
    std::lock_guard lock(m_mutex);
    refreshPeriods(nowMs());
    return {QDateTime::fromMSecsSinceEpoch(m_dayStartMs, QTimeZone::utc()),
            QDateTime::fromMSecsSinceEpoch(m_monthStartMs, QTimeZone::utc())};
}

void ClientKeyLimiter::seed(const QHash<qint64, qint64> &dayTokens, const QHash<qint64, qint64> &monthTokens)
{
    std::lock_guard lock(m_mutex);
    refreshPeriods(nowMs());
    for (auto it = dayTokens.cbegin(); it != dayTokens.cend(); ++it)
        stateOf(it.key()).dayTokens = it.value();
    for (auto it = monthTokens.cbegin(); it != monthTokens.cend(); ++it)
        stateOf(it.key()).monthTokens = it.value();
}

void ClientKeyLimiter::addTokens(qint64 keyId, qint64 tokens)
{
    if (keyId <= 0 || tokens <= 0)
        return;
    std::lock_guard lock(m_mutex);
    refreshPeriods(nowMs());
    KeyState &state = stateOf(keyId);
    state.dayTokens += tokens;
    state.monthTokens += tokens;
}

std::optional<LimitExceeded> ClientKeyLimiter::admit(const ClientKey &key)
{
    const ClientKeyLimits &limits = key.limits;
    if (!limits.any() || key.id <= 0)
        return std::nullopt;
    using Limit = LimitExceeded::Limit;
    std::lock_guard lock(m_mutex);
    const qint64 now = nowMs();
    refreshPeriods(now);
    KeyState &state = stateOf(key.id);
    // The month first: when both are spent, the month's wait is the one that tells the truth.
    if (limits.tokensPerMonth > 0 && state.monthTokens >= limits.tokensPerMonth)
        return LimitExceeded{Limit::TokensPerMonth, limits.tokensPerMonth, state.monthTokens, secondsUntil(now, m_nextMonthMs)};
    if (limits.tokensPerDay > 0 && state.dayTokens >= limits.tokensPerDay)
        return LimitExceeded{Limit::TokensPerDay, limits.tokensPerDay, state.dayTokens, secondsUntil(now, m_nextDayMs)};
    if (limits.requestsPerMinute <= 0)
        return std::nullopt;
    const auto size = std::size_t(limits.requestsPerMinute);
    if (state.admissions.size() != size) { // first use, or the limit changed: start a fresh window
        state.admissions.assign(size, kFree);
        state.next = 0;
    }
    const qint64 oldest = state.admissions[state.next];
    // The oldest of the last N admissions is still inside the window: N requests in the last minute.
    // (A clock set back past it frees the slot rather than blocking the key for the difference.)
    if (oldest != kFree && now >= oldest && now - oldest < kWindowMs)
        return LimitExceeded{Limit::RequestsPerMinute, limits.requestsPerMinute, limits.requestsPerMinute,
                             secondsUntil(now, oldest + kWindowMs)};
    state.admissions[state.next] = now;
    state.next = (state.next + 1) % size;
    return std::nullopt;
}

ClientKeyLimiter::Spent ClientKeyLimiter::spent(qint64 keyId)
{
    std::lock_guard lock(m_mutex);
    refreshPeriods(nowMs());
    const KeyState &state = stateOf(keyId);
    return {state.dayTokens, state.monthTokens};
}

} // namespace tarn::gateway
