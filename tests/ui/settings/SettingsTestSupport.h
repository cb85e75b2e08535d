// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the Settings page's widget tests.
#pragma once

#include "gateway/desktop/DesktopService.h"
#include "tests/ui/support/UiWait.h"

#include <QObject>

#include <atomic>
#include <semaphore>

namespace tarn::test {

template<typename T>
T *child(QObject *parent, const char *name)
{
    return parent->findChild<T *>(QString::fromLatin1(name));
}

// Returns once everything handed to the service before it has run and delivered its result: a
// no-op job's done() runs after every earlier job's (work and delivery keep submission order).
// What backs a "nothing happened" assertion, instead of a fixed sleep.
inline bool serviceBarrier(gateway::DesktopService &service, int timeoutMs = 10'000)
{
    QObject context;
    bool done = false;
    service.run<int>(&context, [](gateway::Database &) { return 0; }, [&done](int) { done = true; });
    return QTest::qWaitFor([&] { return done; }, timeoutMs);
}

// Holds the service's database thread until released (or destroyed), so a test can look at a
// page while its work is queued.
class ServiceHold
{
public:
    explicit ServiceHold(gateway::DesktopService &service)
    {
        service.run<int>(&m_context, [this](gateway::Database &) {
            m_held = true;
            m_gate.acquire();
            m_finished = true;
            return 0;
        }, [](int) {});
        (void)QTest::qWaitFor([this] { return m_held.load(); }, 10'000);
    }
    // Waits for the held job to end: it still uses the semaphore until then.
    ~ServiceHold()
    {
        release();
        if (m_held)
            (void)QTest::qWaitFor([this] { return m_finished.load(); }, 10'000);
    }
    ServiceHold(const ServiceHold &) = delete;
    ServiceHold &operator=(const ServiceHold &) = delete;

    bool isHeld() const { return m_held; }
    void release()
    {
        if (!m_released) {
            m_released = true;
            m_gate.release();
        }
    }

private:
    QObject m_context;
    std::binary_semaphore m_gate{0};
    std::atomic<bool> m_held = false;
    std::atomic<bool> m_finished = false;
    bool m_released = false;
};

} // namespace tarn::test
