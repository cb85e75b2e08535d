// SPDX-License-Identifier: GPL-3.0-or-later
// gtest main with a QApplication for widget tests; defaults to the offscreen platform.
#include <QApplication>

#include <gtest/gtest.h>

int main(int argc, char **argv)
{
    // gtest_discover_tests runs us at build time without the test ENVIRONMENT, and a
    // QApplication without a display aborts: default to offscreen unless told otherwise.
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (!qEnvironmentVariableIsSet("TARN_SECRET_BACKEND"))
        qputenv("TARN_SECRET_BACKEND", "file"); // never the keychain of whoever runs the tests
    // Nor their tailscale (Settings asks it what it serves): a test that wants one puts a stand-in here.
    if (!qEnvironmentVariableIsSet("TARN_TAILSCALE"))
        qputenv("TARN_TAILSCALE", "/nonexistent/tailscale");
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
