// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/routing/RouterState.h"

#include <QDate>
#include <QDateTime>
#include <QTimeZone>

#include <algorithm>

namespace tarn::gateway {

namespace {

constexpr qint64 kMsPerDay = 86'400'000;

qint64 utcDay(qint64 nowMs)
{
    return nowMs / kMsPerDay;
}

// The UTC date from the day count alone: QTimeZone::utc() costs a zone lookup per call in Qt 6.4,
// and this runs per attempt.
QDate utcDate(qint64 nowMs)
{
    constexpr qint64 kUnixEpochJulianDay = 2440588;
    return QDate::fromJulianDay(kUnixEpochJulianDay + (nowMs >= 0 ? nowMs / kMsPerDay : (nowMs + 1) / kMsPerDay - 1));
}

qint64 utcMonth(qint64 nowMs)
{
    const QDate date = utcDate(nowMs);
    return qint64(date.year()) * 12 + date.month() - 1;
}

qint64 nextMonthStartMs(qint64 nowMs)
{
    const QDate date = utcDate(nowMs);
    const QDate first = QDate(date.year(), date.month(), 1).addMonths(1);
    return QDateTime(first, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODate);
}

} // namespace

void MinuteWindow::roll(qint64 nowMs)
{
    const qint64 second = nowMs / 1000;
    if (second - m_second >= qint64(m_buckets.size())) {
        m_buckets.fill(0);
    } else {
        for (qint64 s = m_second + 1; s <= second; ++s)
            m_buckets[std::size_t(s % qint64(m_buckets.size()))] = 0;
    }
    m_second = std::max(m_second, second);
}

void MinuteWindow::add(qint64 nowMs, qint64 amount)
{
    roll(nowMs);
    m_buckets[std::size_t((nowMs / 1000) % qint64(m_buckets.size()))] += amount;
}

qint64 MinuteWindow::total(qint64 nowMs)
{
    roll(nowMs);
    qint64 sum = 0;
    for (const qint64 b : m_buckets)
        sum += b;
    return sum;
}

qint64 MinuteWindow::nextReleaseMs(qint64 nowMs)
{
    roll(nowMs);
    const qint64 size = qint64(m_buckets.size());
    for (qint64 s = m_second - size + 1; s <= m_second; ++s) {
        if (m_buckets[std::size_t(((s % size) + size) % size)] > 0)
            return (s + size) * 1000;
    }
    return nowMs;
}

ChannelRuntime &RouterState::channel(const Channel &channel)
{
    auto [it, inserted] = channels.try_emplace(channel.id);
    if (inserted)
        it->second.id = channel.id;
    return it->second;
}

KeyRuntime &RouterState::key(ChannelRuntime &runtime, const QString &keyId)
{
    auto it = runtime.keys.find(keyId);
    if (it == runtime.keys.end()) {
        it = runtime.keys.insert(keyId, KeyRuntime{});
        it->id = keyId;
    }
    return *it;
}

const QStringList &RouterState::keyIds(const Channel &channel, ChannelRuntime &runtime)
{
    if (runtime.keysSeen != channel.keys) {
        runtime.keysSeen = channel.keys;
        runtime.keyIds.clear();
        for (const QString &k : channel.keys)
            runtime.keyIds.append(keyId(k));
    }
    return runtime.keyIds;
}

const EffectiveCapabilities &RouterState::capabilities(const Channel &channel, ChannelRuntime &runtime,
                                                       const QString &upstreamModel, qint64 revision)
{
    if (revision > runtime.prunedRevision) {
        runtime.prunedRevision = revision;
        // Lessons the store was given before this snapshot are the store's from here on (a reset
        // since is respected); lessons the snapshot already carries need no copy either.
        const auto before = runtime.learned.size();
        runtime.learned.removeIf([&](const ChannelRuntime::Lesson &l) {
            if (l.handedOutAt >= 0 && revision > l.handedOutAt)
                return true;
            return std::any_of(channel.learned.cbegin(), channel.learned.cend(), [&](const LearnedCapability &c) {
                return c.model == l.learned.model && c.capability == l.learned.capability
                    && c.supported == l.learned.supported;
            });
        });
        if (runtime.learned.size() != before)
            runtime.capsChannel = nullptr;
    }
    if (runtime.capsRevision != revision || runtime.capsChannel != &channel) {
        runtime.caps.clear();
        runtime.capsRevision = revision;
        runtime.capsChannel = &channel;
    }
    auto it = runtime.caps.constFind(upstreamModel);
    if (it == runtime.caps.cend()) {
        QList<LearnedCapability> lessons;
        for (const ChannelRuntime::Lesson &l : runtime.learned)
            lessons.append(l.learned);
        it = runtime.caps.insert(upstreamModel, resolveCapabilities(channel, upstreamModel, lessons));
    }
    return *it;
}

void RouterState::rollCalendar(ChannelRuntime &runtime, qint64 nowMs)
{
    const qint64 day = utcDay(nowMs);
    if (runtime.day == day)
        return; // the month only changes with the day
    runtime.day = day;
    runtime.dayTokens = 0;
    const qint64 month = utcMonth(nowMs);
    if (runtime.month != month) {
        runtime.month = month;
        runtime.monthTokens = 0;
    }
}

void RouterState::countTokens(ChannelRuntime &runtime, qint64 nowMs, qint64 tokens)
{
    if (tokens <= 0)
        return;
    rollCalendar(runtime, nowMs);
    runtime.minuteTokens.add(nowMs, tokens);
    runtime.dayTokens += tokens;
    runtime.monthTokens += tokens;
}

void RouterState::seed(qint64 channelId, qint64 nowMs, qint64 dayTokens, qint64 monthTokens)
{
    auto [it, inserted] = channels.try_emplace(channelId);
    ChannelRuntime &runtime = it->second;
    runtime.id = channelId;
    rollCalendar(runtime, nowMs);
    runtime.dayTokens = std::max(runtime.dayTokens, dayTokens);
    runtime.monthTokens = std::max(runtime.monthTokens, monthTokens);
}

double RouterState::budgetFactor(const Channel &channel, ChannelRuntime &runtime, qint64 nowMs)
{
    double used = 0; // the largest fraction of any budget already spent
    const ChannelBudget &b = channel.budget;
    if (b.any()) {
        rollCalendar(runtime, nowMs);
        const auto frac = [](qint64 spent, qint64 limit) { return limit > 0 ? double(spent) / double(limit) : 0.0; };
        used = std::max({frac(runtime.minuteRequests.total(nowMs), b.requestsPerMinute),
                         frac(runtime.minuteTokens.total(nowMs), b.tokensPerMinute),
                         frac(runtime.dayTokens, b.tokensPerDay), frac(runtime.monthTokens, b.tokensPerMonth)});
    }
    // Above 80 % the share falls linearly, so load moves before the limit (or a 429) is hit.
    const double budget = used < 0.8 ? 1.0 : std::max(0.05, (1.0 - used) / 0.2);
    // The upstream's counters are per key: the channel is as free as its freest key.
    double upstream = runtime.keys.isEmpty() ? 1.0 : 0.0;
    for (const KeyRuntime &key : std::as_const(runtime.keys))
        upstream = std::max(upstream, nowMs < key.rateLimitFactorUntilMs ? key.rateLimitFactor : 1.0);
    return std::min(budget, upstream);
}

Unavailability RouterState::channelAvailability(const Channel &channel, ChannelRuntime &runtime, qint64 nowMs,
                                                bool *probe)
{
    using Why = Unavailability::Why;
    if (probe)
        *probe = false;
    if (runtime.openUntilMs) {
        if (nowMs < runtime.openUntilMs || runtime.probeInFlight)
            return {Why::CircuitOpen, std::max(runtime.openUntilMs, nowMs + 1000), 0, &runtime.openReason};
        if (probe)
            *probe = true; // half-open: this request tests the channel
    }
    const ChannelBudget &b = channel.budget;
    if (b.any()) {
        rollCalendar(runtime, nowMs);
        if (b.requestsPerMinute && runtime.minuteRequests.total(nowMs) >= b.requestsPerMinute)
            return {Why::RequestsPerMinute, runtime.minuteRequests.nextReleaseMs(nowMs), b.requestsPerMinute};
        if (b.tokensPerMinute && runtime.minuteTokens.total(nowMs) >= b.tokensPerMinute)
            return {Why::TokensPerMinute, runtime.minuteTokens.nextReleaseMs(nowMs), b.tokensPerMinute};
        if (b.tokensPerDay && runtime.dayTokens >= b.tokensPerDay)
            return {Why::TokensPerDay, (utcDay(nowMs) + 1) * kMsPerDay, b.tokensPerDay};
        if (b.tokensPerMonth && runtime.monthTokens >= b.tokensPerMonth)
            return {Why::TokensPerMonth, nextMonthStartMs(nowMs), b.tokensPerMonth};
    }
    return {};
}

Unavailability RouterState::keyAvailability(const Channel &channel, KeyRuntime &key, qint64 nowMs, qint64 revision) const
{
    using Why = Unavailability::Why;
    if (const auto it = channel.disabledKeys.constFind(key.id); it != channel.disabledKeys.cend()) {
        // The store has it: from here on the configuration decides (a CLI or a passing test
        // clears it there).
        key.disabled = false;
        return {Why::KeyDisabled, 0, 0, &*it, &key.id};
    }
    if (key.disabled && key.disabledHandedOutAt >= 0 && revision > key.disabledHandedOutAt)
        key.disabled = false; // the store had it before this snapshot, which no longer does
    if (key.disabled)
        return {Why::KeyDisabled, 0, 0, &key.disabledReason, &key.id};
    if (nowMs < key.coolUntilMs)
        return {Why::KeyCooling, key.coolUntilMs, 0, &key.coolReason, &key.id};
    return {};
}

QString Unavailability::text() const
{
    const QString d = detail ? *detail : QString();
    const QString k = keyId ? *keyId : QString();
    switch (why) {
    case Why::None: return {};
    case Why::CircuitOpen: return QStringLiteral("circuit open: %1").arg(d);
    case Why::UpstreamLimit: return QStringLiteral("upstream reports its limit reached");
    case Why::RequestsPerMinute: return QStringLiteral("at its budget of %1 requests/min").arg(limit);
    case Why::TokensPerMinute: return QStringLiteral("at its budget of %1 tokens/min").arg(limit);
    case Why::TokensPerDay: return QStringLiteral("at its budget of %1 tokens/day").arg(limit);
    case Why::TokensPerMonth: return QStringLiteral("at its budget of %1 tokens/month").arg(limit);
    case Why::KeyDisabled: return QStringLiteral("key %1 disabled: %2").arg(k, d);
    case Why::KeyCooling: return QStringLiteral("key %1 %2 until %3").arg(k, d, timeText(untilMs));
    }
    return {};
}

} // namespace tarn::gateway
