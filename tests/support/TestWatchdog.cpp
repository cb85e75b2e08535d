// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/TestWatchdog.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace tarn::test {

namespace {

using Clock = std::chrono::steady_clock;

// One watcher thread for both uses: a deadline and what to say when it passes.
class Watcher
{
public:
    static Watcher &instance()
    {
        static Watcher *watcher = new Watcher; // never destroyed: the thread outlives main()
        return *watcher;
    }

    void arm(int ceilingMs, std::string what, int exitCode)
    {
        std::lock_guard lock(m_mutex);
        m_deadline = Clock::now() + std::chrono::milliseconds(ceilingMs);
        m_what = std::move(what);
        m_exitCode = exitCode;
        m_step.clear();
        m_armed = true;
        m_wake.notify_all();
    }
    void disarm()
    {
        std::lock_guard lock(m_mutex);
        m_armed = false;
    }
    void setStep(std::string step)
    {
        std::lock_guard lock(m_mutex);
        m_step = std::move(step);
    }

private:
    Watcher()
    {
        std::thread([this] { run(); }).detach();
    }
    void run()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (!m_armed) {
                m_wake.wait(lock);
                continue;
            }
            if (Clock::now() >= m_deadline) {
                std::fprintf(stderr, "\n*** %s exceeded its time ceiling%s%s; a gateway thread is probably "
                                     "pinned. Exiting with %d.\n",
                             m_what.c_str(), m_step.empty() ? "" : " at step: ", m_step.c_str(), m_exitCode);
                std::fflush(stderr);
                std::fflush(stdout);
                std::_Exit(m_exitCode);
            }
            m_wake.wait_until(lock, m_deadline);
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    Clock::time_point m_deadline;
    std::string m_what;
    std::string m_step;
    int m_exitCode = 1;
    bool m_armed = false;
};

class WatchdogListener final : public ::testing::EmptyTestEventListener
{
public:
    explicit WatchdogListener(int ceilingMs) : m_ceilingMs(ceilingMs) {}
    void OnTestStart(const ::testing::TestInfo &info) override
    {
        Watcher::instance().arm(m_ceilingMs,
                                std::string("test ") + info.test_suite_name() + "." + info.name(), 1);
    }
    void OnTestEnd(const ::testing::TestInfo &) override { Watcher::instance().disarm(); }

private:
    int m_ceilingMs;
};

} // namespace

void installTestWatchdog(int ceilingMs)
{
    static bool installed = false;
    if (installed)
        return;
    installed = true;
    ::testing::UnitTest::GetInstance()->listeners().Append(new WatchdogListener(ceilingMs));
}

void runIsolated(int ceilingMs, const std::function<QStringList()> &body)
{
    Watcher::instance().arm(ceilingMs, "isolated child", 3);
    const QStringList failures = body();
    Watcher::instance().disarm();
    for (const QString &failure : failures)
        std::fprintf(stderr, "FAILED: %s\n", qPrintable(failure));
    std::fflush(stderr);
    std::fflush(stdout);
    std::_Exit(failures.isEmpty() ? 0 : 1);
}

void setIsolatedStep(const QString &step)
{
    Watcher::instance().setStep(step.toStdString());
}

} // namespace tarn::test
