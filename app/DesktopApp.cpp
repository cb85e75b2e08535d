// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/DesktopModule.h"

#include "app/ShutdownSignals.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/SettingsRepository.h"
#include "ui/MainWindow.h"
#include "ui/SingleInstance.h"
#include "ui/channels/ChannelDialog.h"
#include "ui/settings/CreateKeyDialog.h"
#include "ui/settings/LaunchAtLogin.h"
#include "ui/settings/SettingsPage.h"
#include "ui/tray/TrayController.h"
#include "ui/tray/TrayIcon.h"
#include "ui/usage/PricesDialog.h"

#include <QApplication>
#include <QDir>
#include <QGuiApplication>
#include <QIcon>
#include <QMenu>
#include <QMessageBox>
#include <QMetaEnum>
#include <QPainter>
#include <QScreen>
#include <QTimer>

#include <cstdio>

namespace tarn::app {

namespace {

// Every tray icon variant at the size panels use, on a light and on a dark panel, in one image.
QPixmap trayStates()
{
    const QStringList states{QStringLiteral("serving"), QStringLiteral("degraded"), QStringLiteral("paused"),
                             QStringLiteral("error")};
    constexpr int cell = 48;
    constexpr int icon = 32;
    QPixmap strip(cell * int(states.size()), cell * 2);
    QPainter painter(&strip);
    painter.fillRect(0, 0, strip.width(), cell, QColor(0xf0, 0xf0, 0xf0));
    painter.fillRect(0, cell, strip.width(), cell, QColor(0x2b, 0x2b, 0x2b));
    for (int i = 0; i < states.size(); ++i) {
        const int x = i * cell + (cell - icon) / 2;
        const QString base = QStringLiteral(":/tarn/icons/tray-%1").arg(states.at(i));
        painter.drawPixmap(x, (cell - icon) / 2, QIcon(base + QStringLiteral(".svg")).pixmap(icon, icon));
        painter.drawPixmap(x, cell + (cell - icon) / 2, QIcon(base + QStringLiteral("-dark.svg")).pixmap(icon, icon));
    }
    return strip;
}

// scripts/screenshots: walks every page (and the tray menu and the create-key dialog), saves each
// as <dir>/<name>.png once the page had time to load its data, then quits.
void takeScreenshots(gateway::DesktopService &service, ui::MainWindow &window, ui::TrayIcon &tray, const QString &dir)
{
    QDir().mkpath(dir);
    const auto save = [dir](const QPixmap &shot, const QString &name) {
        const QString path = QDir(dir).filePath(name + QStringLiteral(".png"));
        std::fprintf(stdout, "screenshot %s %s\n", qPrintable(path), shot.save(path) ? "saved" : "FAILED");
    };
    const QMetaEnum pages = QMetaEnum::fromType<ui::MainWindow::Page>();
    constexpr int settleMs = 1500; // pages load through the database thread; charts animate
    int at = settleMs;
    for (int i = 0; i < pages.keyCount(); ++i) {
        const auto page = static_cast<ui::MainWindow::Page>(pages.value(i));
        const QString name = QString::fromLatin1(pages.key(i)).toLower();
        QTimer::singleShot(at, &window, [&window, page] { window.showPage(page); });
        QTimer::singleShot(at + settleMs, &window, [&window, save, name] { save(window.grab(), name); });
        at += settleMs + 200;
    }
    QTimer::singleShot(at, &window, [&service, &window, &tray, save] {
        QMenu *menu = tray.menu();
        menu->ensurePolished();
        menu->adjustSize();
        save(menu->grab(), QStringLiteral("tray-menu"));
        save(tray.icon().pixmap(64, 64), QStringLiteral("tray-icon"));
        if (QMenu *channels = tray.channelsMenu()) {
            channels->ensurePolished();
            channels->adjustSize();
            save(channels->grab(), QStringLiteral("tray-channels"));
        }
        ui::CreateKeyDialog *dialog = window.settingsPage()->openCreateKeyDialog();
        QTimer::singleShot(500, dialog, [&service, &window, &tray, dialog, save] {
            save(dialog->grab(), QStringLiteral("dialog-create-key"));
            dialog->close();
            // The channel editor on the first stored channel, as Edit opens it.
            const gateway::ConfigSnapshot config = service.gateway().config().snapshot();
            const gateway::Channel channel = config->channels.isEmpty() ? gateway::Channel{} : config->channels.first();
            auto *channelDialog = new ui::ChannelDialog(service, channel, {}, &window);
            channelDialog->setAttribute(Qt::WA_DeleteOnClose);
            channelDialog->open();
            QTimer::singleShot(800, channelDialog, [&service, &window, &tray, channelDialog, save] {
                save(channelDialog->grab(), QStringLiteral("dialog-channel"));
                channelDialog->close();
                auto *prices = new ui::PricesDialog(service, &window);
                prices->setAttribute(Qt::WA_DeleteOnClose);
                prices->open();
                QTimer::singleShot(800, prices, [prices, &tray, &window, save] {
                    save(prices->grab(), QStringLiteral("dialog-prices"));
                    prices->close();
                    save(trayStates(), QStringLiteral("tray-states"));
                    // A notification as the user meets it: the whole screen, tray host included.
                    tray.notify(QObject::tr("Channel disabled"),
                                QObject::tr("deepseek was disabled after HTTP 401 (key sk-…seek). Traffic moved to zhipu."));
                    QTimer::singleShot(1200, &tray, [save, &window] {
                        if (QScreen *screen = QGuiApplication::primaryScreen())
                            save(screen->grabWindow(0), QStringLiteral("desktop-notification"));
                        window.prepareToQuit();
                        QCoreApplication::quit();
                    });
                });
            });
        });
    });
}

int runDesktop(int argc, char **argv, const gateway::GatewayOptions &options, AnnounceFunction announce)
{
    QApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("Tarn"));
    app.setApplicationDisplayName(QStringLiteral("Tarn"));
    app.setDesktopFileName(QStringLiteral("tarn"));

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
    // Through the window: a window that hides to the tray would otherwise veto the quit.
    const auto quit = [&window] {
        window.prepareToQuit();
        QCoreApplication::quit();
    };
    QObject::connect(&tray, &ui::TrayIcon::quitRequested, &app, quit);
    QObject::connect(&window, &ui::MainWindow::quitRequested, &app, quit);
    QObject::connect(&instance, &ui::SingleInstance::activationRequested, &window, &ui::MainWindow::showAndActivate);

    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &app, &QCoreApplication::quit);
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &gateway, [&gateway] { gateway.stop(); });

    if (const QString dir = qEnvironmentVariable("TARN_SCREENSHOT_DIR"); !dir.isEmpty()) {
        window.show();
        takeScreenshots(service, window, tray, dir);
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
    return tarn::app::runDesktop(argc, launch->argv, *launch->options, launch->announce);
}
