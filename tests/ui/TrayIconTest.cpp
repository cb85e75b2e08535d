// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/ui/support/UiWait.h"
#include "ui/tray/TrayIcon.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include <utility>

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

TEST(TrayIconTest, MenuHasOpenPauseChannelsQuit)
{
    TrayIcon tray;
    QAction *show = menuAction(tray, "showAction");
    QAction *pause = menuAction(tray, "pauseAction");
    QAction *quit = menuAction(tray, "quitAction");
    ASSERT_NE(show, nullptr);
    ASSERT_NE(pause, nullptr);
    ASSERT_NE(quit, nullptr);
    EXPECT_EQ(show->text(), QStringLiteral("Open Tarn"));
    ASSERT_NE(tray.channelsMenu(), nullptr);
    EXPECT_EQ(tray.channelsMenu()->title(), QStringLiteral("Channels"));
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
    EXPECT_EQ(menuAction(tray, "pauseAction")->text(), QStringLiteral("Resume gateway"));
    tray.setPaused(false);
    EXPECT_EQ(menuAction(tray, "pauseAction")->text(), QStringLiteral("Pause gateway"));
    EXPECT_EQ(pause.count(), 0);
}

TEST(TrayIconTest, LeftClickRequestsWindow)
{
    TrayIcon tray;
    QSignalSpy show(&tray, &TrayIcon::showWindowRequested);
    auto *systemTray = tray.findChild<QSystemTrayIcon *>();
    ASSERT_NE(systemTray, nullptr);

    Q_EMIT systemTray->activated(QSystemTrayIcon::Trigger);
    EXPECT_EQ(show.count(), 1);
    Q_EMIT systemTray->activated(QSystemTrayIcon::Context);
    EXPECT_EQ(show.count(), 1);
}

TEST(TrayIconTest, TodayTotalsInTooltip)
{
    TrayIcon tray;
    tray.setTodayTotals(12, 340, 0.5);
    EXPECT_EQ(tray.toolTip(), QStringLiteral("Tarn — 12 requests, 340 tokens, $0.50 today"));
}

TEST(TrayIconTest, StateChoosesIconVariant)
{
    TrayIcon tray;
    for (const auto &[state, name] : {std::pair{tarn::ui::TrayState::Serving, "serving"},
                                      std::pair{tarn::ui::TrayState::Degraded, "degraded"},
                                      std::pair{tarn::ui::TrayState::Paused, "paused"},
                                      std::pair{tarn::ui::TrayState::Error, "error"}}) {
        tray.setState(state);
        EXPECT_TRUE(tray.iconPath().startsWith(QString(QStringLiteral(":/tarn/icons/tray-") + QLatin1String(name))))
            << qPrintable(tray.iconPath());
        EXPECT_FALSE(tray.icon().pixmap(22, 22).isNull());
    }
}

TEST(TrayIconTest, WorksWithoutTrayAndKeepsRetryingSlowly)
{
    // The offscreen platform never has a system tray; a real desktop session might.
    if (QSystemTrayIcon::isSystemTrayAvailable())
        GTEST_SKIP() << "a system tray is available here";
    TrayIcon tray;
    QSignalSpy availability(&tray, &TrayIcon::availabilityChanged);
    tray.setRetryPolicy(std::chrono::milliseconds(10), 3, std::chrono::milliseconds(20));
    EXPECT_FALSE(tray.isAvailable());
    EXPECT_FALSE(tray.isVisible());

    ASSERT_TRUE(availability.wait(2000));
    ASSERT_EQ(availability.count(), 1);
    EXPECT_FALSE(availability.at(0).at(0).toBool());
    EXPECT_FALSE(tray.isVisible());

    // Still usable: intents keep working and status updates do not crash.
    QSignalSpy quit(&tray, &TrayIcon::quitRequested);
    tray.setState(tarn::ui::TrayState::Error);
    menuAction(tray, "quitAction")->trigger();
    EXPECT_EQ(quit.count(), 1);
    // It goes on looking (slowly) without saying "unavailable" again.
    auto *retry = tray.findChild<QTimer *>(QStringLiteral("retryTimer"));
    ASSERT_NE(retry, nullptr);
    EXPECT_TRUE(retry->isActive());
    EXPECT_EQ(retry->interval(), 20);
    QSignalSpy ticks(retry, &QTimer::timeout);
    TARN_WAIT_TRUE(ticks.count() >= 3, 5000);
    EXPECT_EQ(availability.count(), 1);
}

} // namespace
