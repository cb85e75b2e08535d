// SPDX-License-Identifier: GPL-3.0-or-later
// DesktopService::run as the pages rely on it: work off the GUI thread, in order, the result on the
// GUI thread, and nothing delivered to a page that has been closed meanwhile.
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"

#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"

#include <QThread>

#include <atomic>
#include <memory>
#include <mutex>
#include <semaphore>

#include <gtest/gtest.h>

namespace tarn::gateway {
namespace {

TEST(DesktopServiceTest, RunsWorkOffTheGuiThreadAndDeliversOnIt)
{
    test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    QObject context;
    QThread *workThread = nullptr;
    QThread *doneThread = nullptr;
    int delivered = -1;
    fixture.service().run<int>(&context, [&](Database &) {
        workThread = QThread::currentThread();
        return 42;
    }, [&](int value) {
        doneThread = QThread::currentThread();
        delivered = value;
    });
    TARN_WAIT_EQ(delivered, 42, 10'000);
    EXPECT_NE(workThread, QThread::currentThread());
    EXPECT_EQ(doneThread, QThread::currentThread());
}

TEST(DesktopServiceTest, WorkRunsInSubmissionOrderAndSeesEarlierWrites)
{
    test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    QObject context;
    const QString key = QStringLiteral("test.order");
    fixture.service().run<bool>(&context, [&](Database &db) {
        return bool(SettingsRepository(db).setValue(key, QStringLiteral("written first")));
    }, [](bool) {});
    QString seen;
    bool done = false;
    fixture.service().run<QString>(&context, [&](Database &db) {
        const Result<QString> value = SettingsRepository(db).value(key);
        return value ? value.value() : QString();
    }, [&](QString value) {
        seen = value;
        done = true;
    });
    TARN_WAIT_TRUE(done, 10'000);
    EXPECT_EQ(seen, QStringLiteral("written first"));
}

// The page closes while its query runs: the result is dropped, not handed to a dead object. The
// work is held on the database thread until the context is gone, so the order is certain.
TEST(DesktopServiceTest, ResultForADestroyedContextIsDropped)
{
    test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    auto context = std::make_unique<QObject>();
    std::binary_semaphore contextGone(0);
    std::atomic<bool> workRan = false;
    bool delivered = false;
    fixture.service().run<int>(context.get(), [&](Database &) {
        contextGone.acquire();
        workRan = true;
        return 1;
    }, [&](int) { delivered = true; });
    context.reset();
    contextGone.release();
    TARN_WAIT_TRUE(workRan.load(), 10'000);
    // A later job's result arriving proves the dropped one had its turn on the GUI thread.
    QObject later;
    bool laterDelivered = false;
    fixture.service().run<int>(&later, [](Database &) { return 2; }, [&](int) { laterDelivered = true; });
    TARN_WAIT_TRUE(laterDelivered, 10'000);
    EXPECT_FALSE(delivered);
}

// Polls and refreshes queue up behind a slow query: of those waiting for one slot only the newest
// runs and is delivered, another slot and plain run() work are untouched.
TEST(DesktopServiceTest, RunLatestSkipsSupersededSubmissions)
{
    test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    DesktopService &service = fixture.service();
    QObject page;
    std::binary_semaphore release(0);
    service.run<int>(&page, [&](Database &) { release.acquire(); return 0; }, [](int) {});

    std::atomic<int> ran = 0; // bit per submission whose work ran
    QList<int> delivered;
    for (int i = 0; i < 3; ++i) {
        service.runLatest<int>(&page, QStringLiteral("poll"), [&ran, i](Database &) { ran |= 1 << i; return i; },
                               [&delivered](int value) { delivered.append(value); });
    }
    bool writeDone = false;
    service.run<int>(&page, [](Database &) { return 0; }, [&](int) { writeDone = true; });
    int other = -1;
    service.runLatest<int>(&page, QStringLiteral("other"), [](Database &) { return 7; }, [&](int v) { other = v; });
    release.release();

    TARN_WAIT_TRUE(writeDone && other == 7 && !delivered.isEmpty(), 10'000);
    EXPECT_EQ(ran.load(), 1 << 2);
    EXPECT_EQ(delivered, QList<int>{2});

    // Nothing waiting any more: the next submission runs as usual.
    service.runLatest<int>(&page, QStringLiteral("poll"), [](Database &) { return 9; },
                           [&delivered](int value) { delivered.append(value); });
    TARN_WAIT_EQ(delivered.size(), 2, 10'000);
    EXPECT_EQ(delivered.last(), 9);
}

// stop() waits for the work already handed over, as the window's shutdown relies on.
TEST(DesktopServiceTest, StopRunsTheWorkAlreadyHandedOver)
{
    test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    QObject context;
    std::atomic<int> ran = 0;
    for (int i = 0; i < 20; ++i)
        fixture.service().run<int>(&context, [&](Database &) { return ++ran; }, [](int) {});
    fixture.service().stop();
    EXPECT_EQ(ran.load(), 20);
}

} // namespace
} // namespace tarn::gateway
