// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPixmap>
#include <QString>

#include <functional>

namespace tarn::gateway {
class DesktopService;
}
namespace tarn::ui {
class MainWindow;
class TrayIcon;
} // namespace tarn::ui

namespace tarn::app {

// scripts/screenshots (TARN_SCREENSHOT_DIR): waits for the first desktop notification the demo's
// traffic raises and saves the whole screen with it, then walks every page (the Routing page on
// its busiest pool, the Logs page with a failover selected), the tray menu and icons and every
// dialog, saving each as <dir>/<name>.png, and quits. Prints "screenshot <path> saved|FAILED".
class ScreenshotTour final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotTour)

public:
    // How long the demo's traffic may take to raise its notification.
    static constexpr int kNotificationWaitMs = 45'000;

    ScreenshotTour(gateway::DesktopService &service, ui::MainWindow &window, ui::TrayIcon &tray, QString dir);
    ~ScreenshotTour() override;

    void start();

private:
    // Runs step after delayMs, once the steps queued before it have run.
    void then(int delayMs, std::function<void()> step);
    void runNext();
    void save(const QPixmap &shot, const QString &name);
    void queuePages();
    void queueTrayAndDialogs();

    gateway::DesktopService &m_service;
    ui::MainWindow &m_window;
    ui::TrayIcon &m_tray;
    QString m_dir;
    QList<std::pair<int, std::function<void()>>> m_steps;
    bool m_walking = false;
};

} // namespace tarn::app
