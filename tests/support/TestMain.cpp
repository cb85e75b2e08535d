// SPDX-License-Identifier: GPL-3.0-or-later
// gtest main with a QCoreApplication, so tests can run event loops and load SQL drivers.
#include <QCoreApplication>

#include <gtest/gtest.h>

int main(int argc, char **argv)
{
    // Provider keys go to an encrypted file in each test's data directory, never to the keychain of
    // whoever runs the tests (the keychain test sets its own).
    if (!qEnvironmentVariableIsSet("TARN_SECRET_BACKEND"))
        qputenv("TARN_SECRET_BACKEND", "file");
    // Nor their tailscale: a test that wants one puts a stand-in here (tests/support/FakeTailscale.h).
    if (!qEnvironmentVariableIsSet("TARN_TAILSCALE"))
        qputenv("TARN_TAILSCALE", "/nonexistent/tailscale");
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
