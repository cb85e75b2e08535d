// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayIcon.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>

#include <gtest/gtest.h>

using tarn::ui::TrayIcon;

namespace {

QAction *menuAction(const TrayIcon &tray, const char *objectName)
{
    const QList<QAction *> actions = tray.menu()->actions();
    for (QAction *action : actions) {
        if (action->objectName() == QLatin1String(objectName))
            return action;
    }
    return nullptr;
}

TEST(TrayIconTest, MenuHasShowPauseQuit)
{
    TrayIcon tray;
    QAction *show = menuAction(tray, "showAction");
    QAction *pause = menuAction(tray, "pauseAction");
    QAction *quit = menuAction(tray, "quitAction");
    ASSERT_NE(show, nullptr);
    ASSERT_NE(pause, nullptr);
    ASSERT_NE(quit, nullptr);
    EXPECT_EQ(show->text(), QStringLiteral("Show Tarn"));
    EXPECT_EQ(pause->text(), QStringLiteral("Pause gateway"));
    EXPECT_TRUE(pause->isCheckable());
    EXPECT_EQ(quit->text(), QStringLiteral("Quit"));
}

TEST(TrayIconTest, MenuActionsEmitIntents)
{
    TrayIcon tray;
    QSignalSpy show(&tray, &TrayIcon::showWindowRequested);
    QSignalSpy pause(&tray, &TrayIcon::pauseRequested);
    QSignalSpy quit(&tray, &TrayIcon::quitRequested);

    menuAction(tray, "showAction")->trigger();
    EXPECT_EQ(show.count(), 1);

    menuAction(tray, "pauseAction")->trigger();
    menuAction(tray, "pauseAction")->trigger();
    ASSERT_EQ(pause.count(), 2);
    EXPECT_TRUE(pause.at(0).at(0).toBool());
    EXPECT_FALSE(pause.at(1).at(0).toBool());

    EXPECT_EQ(quit.count(), 0);
    menuAction(tray, "quitAction")->trigger();
    EXPECT_EQ(quit.count(), 1);
    EXPECT_EQ(show.count(), 1);
}

TEST(TrayIconTest, SetPausedDoesNotEmitIntent)
{
    TrayIcon tray;
    QSignalSpy pause(&tray, &TrayIcon::pauseRequested);
    tray.setPaused(true);
    EXPECT_TRUE(menuAction(tray, "pauseAction")->isChecked());
    EXPECT_EQ(pause.count(), 0);
}

TEST(TrayIconTest, LeftClickRequestsWindow)
{
    TrayIcon tray;
    QSignalSpy show(&tray, &TrayIcon::showWindowRequested);
    auto *systemTray = tray.findChild<QSystemTrayIcon *>();
    ASSERT_NE(systemTray, nullptr);

    emit systemTray->activated(QSystemTrayIcon::Trigger);
    EXPECT_EQ(show.count(), 1);
    emit systemTray->activated(QSystemTrayIcon::Context);
    EXPECT_EQ(show.count(), 1);
}

TEST(TrayIconTest, SetStatusUpdatesTooltip)
{
    TrayIcon tray;
    tray.setStatus(QStringLiteral("Tarn — paused"), false);
    EXPECT_EQ(tray.toolTip(), QStringLiteral("Tarn — paused"));
    tray.setStatus(QStringLiteral("Tarn — listening"), true);
    EXPECT_EQ(tray.toolTip(), QStringLiteral("Tarn — listening"));
}

TEST(TrayIconTest, WorksWithoutTrayAndGivesUpRetrying)
{
    // The offscreen platform never has a system tray; a real desktop session might.
    if (QSystemTrayIcon::isSystemTrayAvailable())
        GTEST_SKIP() << "a system tray is available here";
    TrayIcon tray;
    QSignalSpy availability(&tray, &TrayIcon::availabilityChanged);
    tray.setRetryPolicy(std::chrono::milliseconds(10), 3);
    EXPECT_FALSE(tray.isAvailable());
    EXPECT_FALSE(tray.isVisible());

    ASSERT_TRUE(availability.wait(2000));
    ASSERT_EQ(availability.count(), 1);
    EXPECT_FALSE(availability.at(0).at(0).toBool());
    EXPECT_FALSE(tray.isVisible());

    // Still usable: intents keep working and status updates do not crash.
    QSignalSpy quit(&tray, &TrayIcon::quitRequested);
    tray.setStatus(QStringLiteral("Tarn"), false);
    menuAction(tray, "quitAction")->trigger();
    EXPECT_EQ(quit.count(), 1);
    QTest::qWait(50);
    EXPECT_EQ(availability.count(), 1);
}

} // namespace
