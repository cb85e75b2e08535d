// SPDX-License-Identifier: GPL-3.0-or-later
// Waiting on a condition in a GoogleTest widget test. QtTest's QTRY_* macros report a timeout to
// QtTest's own log and `return` from the function, so under GoogleTest a failed wait passes
// silently: these wait with QTest::qWaitFor (the event loop keeps running) and then judge with
// gtest, so a condition that never comes true fails the test with both values printed.
#pragma once

#include <QTest>

#include <gtest/gtest.h>

#define TARN_WAIT_TRUE(condition, timeoutMs)                                                        \
    do {                                                                                            \
        if (!QTest::qWaitFor([&] { return bool(condition); }, (timeoutMs))) { /* judged below */ } \
        ASSERT_TRUE(condition) << "waited " << (timeoutMs) << " ms";                                \
    } while (false)

#define TARN_WAIT_EQ(actual, expected, timeoutMs)                                                      \
    do {                                                                                               \
        if (!QTest::qWaitFor([&] { return (actual) == (expected); }, (timeoutMs))) { /* judged below */ } \
        ASSERT_EQ(actual, expected) << "waited " << (timeoutMs) << " ms";                              \
    } while (false)
