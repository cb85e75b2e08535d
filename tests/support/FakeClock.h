// SPDX-License-Identifier: GPL-3.0-or-later
// A settable clock for cooldowns, circuits and budgets: tests move time instead of waiting for it.
#pragma once

#include <QDateTime>
#include <QTimeZone>

#include <atomic>
#include <functional>
#include <memory>

namespace tarn::test {

// UTC milliseconds since the epoch, read from any thread, moved only by the test. Copies share
// one time, and fn() stays valid after the FakeClock that made it is gone.
class FakeClock
{
public:
    // Midday of an ordinary UTC day, far from a day or month boundary.
    static constexpr qint64 kDefaultStartMs = 1'773'144'000'000; // 2026-03-10T12:00:00Z

    explicit FakeClock(qint64 startMs = kDefaultStartMs) : m_now(std::make_shared<std::atomic<qint64>>(startMs)) {}

    qint64 nowMs() const { return m_now->load(); }
    QDateTime now() const { return QDateTime::fromMSecsSinceEpoch(nowMs(), QTimeZone::utc()); }
    void setMs(qint64 ms) { m_now->store(ms); }
    void advanceMs(qint64 ms) { m_now->fetch_add(ms); }

    // For RouterOptions::clockMs and the like.
    std::function<qint64()> fn() const
    {
        return [now = m_now] { return now->load(); };
    }

private:
    std::shared_ptr<std::atomic<qint64>> m_now;
};

} // namespace tarn::test
