// SPDX-License-Identifier: GPL-3.0-or-later
// Keeps an adversarial test binary from hanging for ever: a test that outlives its ceiling is named
// on stderr and the process exits. A gateway worker pinned in a loop never returns to its event
// loop, so the harness could not stop it and the run would otherwise block in QThread::wait().
#pragma once

#include <QString>
#include <QStringList>

#include <functional>

namespace tarn::test {

// Installs (once) a GoogleTest listener that gives every test ceilingMs of wall time.
void installTestWatchdog(int ceilingMs);

// For work that may pin a thread of the process: runs `body` in a child process (GoogleTest's
// threadsafe death-test machinery re-executes the binary) with its own ceiling. `body` returns
// its failures, one per entry; the child prints them and exits 0 (none), 1 (some) or 3 (hung).
// Use with EXPECT_EXIT(runIsolated(...), ::testing::ExitedWithCode(0), "").
[[noreturn]] void runIsolated(int ceilingMs, const std::function<QStringList()> &body);

// Names the step an isolated body is at, so a hang report says where it stopped.
void setIsolatedStep(const QString &step);

} // namespace tarn::test
