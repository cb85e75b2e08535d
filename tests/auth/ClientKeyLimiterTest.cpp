// SPDX-License-Identifier: GPL-3.0-or-later
// ClientKeyLimiter with a fake clock: the per-minute window, local day and month rollover, seeding
// and many threads at once.
#include "gateway/auth/ClientKeyLimiter.h"

#include "gateway/storage/UsageStats.h"
#include "tests/support/FakeClock.h"
#include "tests/support/GTestQtPrinters.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace tarn::gateway;
using tarn::test::FakeClock;
using Limit = LimitExceeded::Limit;

namespace {

ClientKey limitedKey(qint64 id, ClientKeyLimits limits)
{
    ClientKey k;
    k.id = id;
    k.name = QStringLiteral("key%1").arg(id);
    k.limits = limits;
    return k;
}

qint64 msAt(const QDate &date, const QTime &time, const QTimeZone &zone)
{
    return QDateTime(date, time, zone).toMSecsSinceEpoch();
}

ClientKeyLimiter::Options options(const FakeClock &clock, const QTimeZone &zone = QTimeZone::utc())
{
    return {clock.fn(), zone};
}

TEST(ClientKeyLimiter, KeysWithoutLimitsAlwaysPass)
{
    FakeClock clock;
    ClientKeyLimiter limiter(options(clock));
    const ClientKey key = limitedKey(1, {});
    limiter.addTokens(1, 1'000'000'000);
    for (int i = 0; i < 1000; ++i)
        ASSERT_FALSE(limiter.admit(key));
}

TEST(ClientKeyLimiter, RequestsPerMinuteIsASlidingWindow)
{
    FakeClock clock;
    ClientKeyLimiter limiter(options(clock));
    const ClientKey key = limitedKey(1, {0, 0, 2});
    EXPECT_FALSE(limiter.admit(key));
    clock.advanceMs(20'000);
    EXPECT_FALSE(limiter.admit(key));
    auto over = limiter.admit(key);
    ASSERT_TRUE(over);
    EXPECT_EQ(over->limit, Limit::RequestsPerMinute);
    EXPECT_EQ(over->allowed, 2);
    EXPECT_EQ(over->retryAfterS, 40) << "the first request leaves the window 60 s after it came";
    EXPECT_TRUE(over->message(key.name).contains(u"key1")) << over->message(key.name).toStdString();
    EXPECT_TRUE(over->message(key.name).contains(u"2 requests per minute"));

    // Refused requests take no place in the window: hammering does not push the wait out.
    for (int i = 0; i < 50; ++i)
        ASSERT_TRUE(limiter.admit(key));
    clock.advanceMs(39'999);
    over = limiter.admit(key);
    ASSERT_TRUE(over);
    EXPECT_EQ(over->retryAfterS, 1);
    clock.advanceMs(1);
    EXPECT_FALSE(limiter.admit(key)) << "60 s after the first, one slot is free";
    over = limiter.admit(key);
    ASSERT_TRUE(over);
    EXPECT_EQ(over->retryAfterS, 20) << "now the second request (t = 20 s) is the oldest";
}

TEST(ClientKeyLimiter, ChangingTheRateStartsAFreshWindow)
{
    FakeClock clock;
    ClientKeyLimiter limiter(options(clock));
    EXPECT_FALSE(limiter.admit(limitedKey(1, {0, 0, 1})));
    EXPECT_TRUE(limiter.admit(limitedKey(1, {0, 0, 1})));
    EXPECT_FALSE(limiter.admit(limitedKey(1, {0, 0, 3})));
    EXPECT_FALSE(limiter.admit(limitedKey(1, {0, 0, 3})));
    EXPECT_FALSE(limiter.admit(limitedKey(1, {0, 0, 3})));
    EXPECT_TRUE(limiter.admit(limitedKey(1, {0, 0, 3})));
    // Another key has its own window.
    EXPECT_FALSE(limiter.admit(limitedKey(2, {0, 0, 3})));
}

TEST(ClientKeyLimiter, ATokenLimitRefusesTheRequestAfterTheOneThatCrossedIt)
{
    FakeClock clock;
    ClientKeyLimiter limiter(options(clock));
    const ClientKey key = limitedKey(7, {100, 0, 0});
    EXPECT_FALSE(limiter.admit(key));
    limiter.addTokens(7, 99);
    EXPECT_FALSE(limiter.admit(key)) << "under the limit: the request may start";
    limiter.addTokens(7, 500); // it finished well over
    const auto over = limiter.admit(key);
    ASSERT_TRUE(over);
    EXPECT_EQ(over->limit, Limit::TokensPerDay);
    EXPECT_EQ(over->used, 599);
    EXPECT_EQ(over->allowed, 100);
    EXPECT_TRUE(over->message(key.name).contains(u"100 tokens per day")) << over->message(key.name).toStdString();
    EXPECT_FALSE(limiter.admit(limitedKey(8, {100, 0, 0}))) << "other keys are unaffected";
}

TEST(ClientKeyLimiter, TheDayRollsOverAtLocalMidnight)
{
    const QTimeZone zone(3 * 3600);
    ASSERT_TRUE(zone.isValid());
    FakeClock clock(msAt(QDate(2026, 3, 10), QTime(23, 59, 30), zone));
    ClientKeyLimiter limiter(options(clock, zone));
    const ClientKey key = limitedKey(1, {10, 1000, 0});
    limiter.addTokens(1, 10);
    auto over = limiter.admit(key);
    ASSERT_TRUE(over);
    EXPECT_EQ(over->limit, Limit::TokensPerDay);
    EXPECT_EQ(over->retryAfterS, 30) << "until local midnight, not UTC's";
    clock.advanceMs(30'000);
    EXPECT_FALSE(limiter.admit(key));
    const auto spent = limiter.spent(1);
    EXPECT_EQ(spent.dayTokens, 0);
    EXPECT_EQ(spent.monthTokens, 10) << "the month goes on";
}

TEST(ClientKeyLimiter, TheMonthRollsOverOnTheFirstLocalDay)
{
    const QTimeZone zone(-5 * 3600);
    FakeClock clock(msAt(QDate(2026, 1, 31), QTime(23, 0), zone));
    ClientKeyLimiter limiter(options(clock, zone));
    const ClientKey key = limitedKey(1, {100, 100, 0});
    limiter.addTokens(1, 150);
    auto over = limiter.admit(key);
    ASSERT_TRUE(over);
    EXPECT_EQ(over->limit, Limit::TokensPerMonth) << "both are spent: the month's wait is the true one";
    EXPECT_EQ(over->retryAfterS, 3600);
    EXPECT_TRUE(over->message(key.name).contains(u"tokens per month"));
    clock.advanceMs(3'600'000);
    EXPECT_FALSE(limiter.admit(key));
    EXPECT_EQ(limiter.spent(1).monthTokens, 0);
}

TEST(ClientKeyLimiter, PeriodsAreTheUsagePagesLocalDays)
{
    // Berlin on the day clocks go forward: the day still starts at local midnight.
    const QTimeZone zone(QByteArrayLiteral("Europe/Berlin"));
    if (!zone.isValid())
        GTEST_SKIP() << "no time zone database";
    FakeClock clock(msAt(QDate(2026, 3, 29), QTime(15, 0), zone));
    ClientKeyLimiter limiter(options(clock, zone));
    const auto periods = limiter.currentPeriods();
    EXPECT_EQ(periods.dayStart, usageDayStart(QDate(2026, 3, 29), zone));
    EXPECT_EQ(periods.monthStart, usageDayStart(QDate(2026, 3, 1), zone));
    limiter.addTokens(1, 5);
    const auto over = limiter.admit(limitedKey(1, {5, 0, 0}));
    ASSERT_TRUE(over);
    EXPECT_EQ(over->retryAfterS, 9 * 3600) << "15:00 to midnight on a 23-hour day";
}

TEST(ClientKeyLimiter, SeedingSetsWhatWasSpentBeforeAStart)
{
    FakeClock clock;
    ClientKeyLimiter limiter(options(clock));
    limiter.seed({{3, 40}}, {{3, 900}, {4, 10}});
    EXPECT_EQ(limiter.spent(3).dayTokens, 40);
    EXPECT_EQ(limiter.spent(3).monthTokens, 900);
    EXPECT_EQ(limiter.spent(4).dayTokens, 0);
    EXPECT_EQ(limiter.spent(4).monthTokens, 10);
    EXPECT_TRUE(limiter.admit(limitedKey(3, {0, 900, 0})));
    EXPECT_FALSE(limiter.admit(limitedKey(3, {41, 0, 0})));
    limiter.addTokens(0, 50);  // no key: not counted
    limiter.addTokens(3, -5);  // nonsense: ignored
    EXPECT_EQ(limiter.spent(3).dayTokens, 40);
}

TEST(ClientKeyLimiter, ManyThreadsCountEveryTokenAndAdmitExactlyTheRate)
{
    FakeClock clock;
    ClientKeyLimiter limiter(options(clock));
    constexpr int kThreads = 8;
    constexpr int kPerThread = 2000;
    const ClientKey limited = limitedKey(1, {0, 0, 100});
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                limiter.addTokens(1 + (i % 2), 1);
                if (!limiter.admit(limited))
                    admitted.fetch_add(1);
                if (t == 0 && i % 500 == 0)
                    clock.advanceMs(1); // time moves while they run, within one window
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    EXPECT_EQ(admitted.load(), 100);
    EXPECT_EQ(limiter.spent(1).dayTokens + limiter.spent(2).dayTokens, kThreads * kPerThread);
    EXPECT_EQ(limiter.spent(1).monthTokens, kThreads * kPerThread / 2);
}

} // namespace
