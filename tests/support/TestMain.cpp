// SPDX-License-Identifier: GPL-3.0-or-later
// gtest main with a QCoreApplication, so tests can run event loops and load SQL drivers.
#include <QCoreApplication>

#include <gtest/gtest.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
