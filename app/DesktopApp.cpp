// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/DesktopModule.h"

#include "app/ScreenshotTour.h"
#include "app/ShutdownSignals.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/SettingsRepository.h"
#include "ui/MainWindow.h"
#include "ui/SingleInstance.h"
#include "ui/about/AboutDialog.h"
#include "ui/settings/LaunchAtLogin.h"
#include "ui/settings/SettingsPage.h"
#include "ui/tray/TrayController.h"
#include "ui/tray/TrayIcon.h"

#include <QApplication>
#include <QGuiApplication>
#include <QMessageBox>
#include <QPointer>
#include <QTimer>

#include <cstdio>

namespace tarn::app {

namespace {

int runDesktop(int argc, char **argv, const gateway::GatewayOptions &options, AnnounceFunction announce,
               const AdminLaunch &adminLaunch)
{
    QApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("Tarn"));
    app.setApplicationDisplayName(QStringLiteral("Tarn"));
    app.setApplicationVersion(QStringLiteral(TARN_VERSION));
    // The installed desktop entry's name (AppStream id): Wayland compositors match windows to it.
    app.setDesktopFileName(QStringLiteral("io.github.tarn.Tarn"));

    ui::SingleInstance instance(ui::SingleInstance::keyForDataDir(options.dataDir));
    if (!instance.tryBecomePrimary()) {
        std::fprintf(stdout, "Tarn is already running for this data directory; brought it to the front\n");
        return 0;
    }

    ShutdownSignals shutdownSignals; // before the listening lines are printed
    gateway::Gateway gateway(options);
    if (const gateway::Status status = gateway.start(); !status) {
        std::fprintf(stderr, "tarn: %s\n", qPrintable(status.error().message));
        QMessageBox::critical(nullptr, QObject::tr("Tarn cannot start"), status.error().message);
        return 1;
    }
    announce(gateway.urls());
    gateway::AdminServer admin(gateway);
    startAdmin(admin, gateway, adminLaunch);

    QStringList urls;
    for (const QUrl &url : gateway.urls())
        urls.append(url.toString());

    gateway::DesktopService service(gateway);
    if (const gateway::Status status = service.start(); !status) {
        std::fprintf(stderr, "tarn: %s\n", qPrintable(status.error().message));
        QMessageBox::critical(nullptr, QObject::tr("Tarn cannot start"), status.error().message);
        return 1;
    }

    ui::MainWindow window(service);
    window.setListenAddresses(urls);
    QObject::connect(&gateway, &gateway::Gateway::listeningChanged, &window, [&window](const QList<QUrl> &now) {
        QStringList texts;
        for (const QUrl &url : now)
            texts.append(url.toString());
        window.setListenAddresses(texts);
    });
    ui::TrayIcon tray;
    // Polls the router and today's usage into the tray and carries out its pause intent.
    ui::TrayController trayController(service, tray);
    // With a tray, closing the window keeps Tarn running; without one, it quits.
    const auto applyTray = [&window, &app](bool available) {
        window.setCloseHidesToTray(available);
        app.setQuitOnLastWindowClosed(!available);
    };
    applyTray(tray.isAvailable());
    QObject::connect(&tray, &ui::TrayIcon::availabilityChanged, &window, applyTray);
    QObject::connect(&tray, &ui::TrayIcon::showWindowRequested, &window, &ui::MainWindow::showAndActivate);
    QObject::connect(&tray, &ui::TrayIcon::connectRequested, &window, &ui::MainWindow::openConnectDialog);
    // One About box at a time, raised again when asked twice; a dialog is a window of its own, so it
    // shows while the main window is hidden in the tray.
    QPointer<ui::AboutDialog> about;
    QObject::connect(&tray, &ui::TrayIcon::aboutRequested, &window, [&about, &window, dataDir = options.dataDir] {
        if (!about) {
            about = new ui::AboutDialog(dataDir, &window);
            about->setAttribute(Qt::WA_DeleteOnClose);
        }
        about->show();
        about->raise();
        about->activateWindow();
    });
    // Through the window: a window that hides to the tray would otherwise veto the quit.
    const auto quit = [&window] {
        window.prepareToQuit();
        QCoreApplication::quit();
    };
    QObject::connect(&tray, &ui::TrayIcon::quitRequested, &app, quit);
    QObject::connect(&window, &ui::MainWindow::quitRequested, &app, quit);
    QObject::connect(&instance, &ui::SingleInstance::activationRequested, &window, &ui::MainWindow::showAndActivate);

    // Through the window as well: Qt 6's quit() asks every window to close first, and one that hides
    // to the tray refuses, so SIGTERM (logout, systemctl stop, kill) was ignored while a tray was up.
    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &app, quit);
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &gateway, [&gateway, &admin] {
        admin.stop(); // before the gateway it reads
        gateway.stop();
    });

    if (const QString dir = qEnvironmentVariable("TARN_SCREENSHOT_DIR"); !dir.isEmpty()) {
        window.show();
        ScreenshotTour tour(service, window, tray, dir);
        tour.start();
        return app.exec();
    }
    // "Start hidden in the tray" (Settings) only holds when there is a tray to come back from, and
    // only for a start at login (CC Switch #784): started by hand, the user wants the window.
    const bool startedAtLogin = ui::LaunchAtLogin::startedAtLogin(app.arguments());
    service.run<bool>(
        &window,
        [startedAtLogin](gateway::Database &database) {
            if (!startedAtLogin)
                return false;
            auto hidden = gateway::SettingsRepository(database).value(
                QString::fromLatin1(ui::SettingsPage::kStartHiddenKey), QStringLiteral("false"));
            return hidden && *hidden == u"true";
        },
        [&window, &tray](bool hidden) {
            if (!hidden || !tray.isAvailable())
                window.show();
        });
    return app.exec();
}

} // namespace

} // namespace tarn::app

int tarn_run_desktop(const tarn::app::DesktopLaunch *launch)
{
    int argc = launch->argc; // QApplication keeps a reference to argc
    return tarn::app::runDesktop(argc, launch->argv, *launch->options, launch->announce,
                                 launch->admin ? *launch->admin : tarn::app::AdminLaunch{});
}
