// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ScreenshotTour.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/desktop/DesktopService.h"
#include "ui/MainWindow.h"
#include "ui/channels/ChannelDialog.h"
#include "ui/connect/ConnectDialog.h"
#include "ui/logs/RequestLogModel.h"
#include "ui/settings/CreateKeyDialog.h"
#include "ui/settings/SettingsPage.h"
#include "ui/tray/TrayIcon.h"
#include "ui/usage/PricesDialog.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QIcon>
#include <QMenu>
#include <QMetaEnum>
#include <QPainter>
#include <QScreen>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

#include <cstdio>

namespace tarn::app {

namespace {

// Pages load through the database thread and charts animate: what a page shows has settled by then.
constexpr int kSettleMs = 1500;
// The demo's pool with two weighted channels in its first tier and a failover tier.
const QString kRoutingPool = QStringLiteral("gpt-4o");

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

QPixmap grabMenu(QMenu *menu)
{
    menu->ensurePolished();
    menu->adjustSize();
    return menu->grab();
}

} // namespace

ScreenshotTour::ScreenshotTour(gateway::DesktopService &service, ui::MainWindow &window, ui::TrayIcon &tray, QString dir)
    : m_service(service)
    , m_window(window)
    , m_tray(tray)
    , m_dir(std::move(dir))
{
}

ScreenshotTour::~ScreenshotTour() = default;

void ScreenshotTour::start()
{
    QDir().mkpath(m_dir);
    // The notification as the user meets it: the whole screen, tray host included. It comes from
    // the demo's traffic (a channel answering 401 is disabled), so the tour waits for it.
    auto *timeout = new QTimer(this);
    timeout->setSingleShot(true);
    const auto begin = [this, timeout](bool raised) {
        timeout->stop();
        disconnect(&m_tray, &ui::TrayIcon::notificationRaised, this, nullptr);
        if (raised) {
            then(1200, [this] {
                if (QScreen *screen = QGuiApplication::primaryScreen())
                    save(screen->grabWindow(0), QStringLiteral("desktop-notification"));
            });
        } else {
            std::fprintf(stdout, "screenshot desktop-notification FAILED (none raised within %d s)\n",
                         kNotificationWaitMs / 1000);
        }
        queuePages();
        queueTrayAndDialogs();
        then(0, [this] {
            m_window.prepareToQuit();
            QCoreApplication::quit();
        });
    };
    connect(&m_tray, &ui::TrayIcon::notificationRaised, this, [begin] { begin(true); });
    connect(timeout, &QTimer::timeout, this, [begin] { begin(false); });
    timeout->start(kNotificationWaitMs);
}

void ScreenshotTour::then(int delayMs, std::function<void()> step)
{
    m_steps.append({delayMs, std::move(step)});
    if (!m_walking) {
        m_walking = true;
        runNext();
    }
}

void ScreenshotTour::runNext()
{
    if (m_steps.isEmpty()) {
        m_walking = false;
        return;
    }
    auto [delay, step] = m_steps.takeFirst();
    QTimer::singleShot(delay, this, [this, step = std::move(step)] {
        step();
        runNext();
    });
}

void ScreenshotTour::save(const QPixmap &shot, const QString &name)
{
    const QString path = QDir(m_dir).filePath(name + QStringLiteral(".png"));
    std::fprintf(stdout, "screenshot %s %s\n", qPrintable(path), shot.save(path) ? "saved" : "FAILED");
    std::fflush(stdout);
}

void ScreenshotTour::queuePages()
{
    using Page = ui::MainWindow::Page;
    const QMetaEnum pages = QMetaEnum::fromType<Page>();
    for (int i = 0; i < pages.keyCount(); ++i) {
        const auto page = static_cast<Page>(pages.value(i));
        const QString name = QString::fromLatin1(pages.key(i)).toLower();
        then(200, [this, page] { m_window.showPage(page); });
        if (page == Page::Routing) {
            then(300, [this] {
                if (auto *pools = m_window.findChild<QComboBox *>(QStringLiteral("poolCombo")))
                    if (const int at = pools->findText(kRoutingPool); at >= 0)
                        pools->setCurrentIndex(at);
            });
        }
        if (page == Page::Logs) {
            // The newest failover, selected: its chain in the Attempts column, every attempt's
            // error in the details pane.
            then(kSettleMs, [this] {
                auto *view = m_window.findChild<QTableView *>(QStringLiteral("requestLogView"));
                if (!view)
                    return;
                for (int row = 0; row < view->model()->rowCount(); ++row) {
                    if (view->model()->index(row, ui::RequestLogModel::Attempts).data().toString().contains(u'→')) {
                        view->selectRow(row);
                        break;
                    }
                }
            });
        }
        then(kSettleMs, [this, name] { save(m_window.grab(), name); });
    }
}

void ScreenshotTour::queueTrayAndDialogs()
{
    then(0, [this] {
        save(grabMenu(m_tray.menu()), QStringLiteral("tray-menu"));
        save(m_tray.icon().pixmap(64, 64), QStringLiteral("tray-icon"));
        if (QMenu *channels = m_tray.channelsMenu())
            save(grabMenu(channels), QStringLiteral("tray-channels"));
        save(trayStates(), QStringLiteral("tray-states"));
        m_window.settingsPage()->openCreateKeyDialog();
    });
    then(500, [this] {
        if (auto *dialog = m_window.findChild<ui::CreateKeyDialog *>()) {
            save(dialog->grab(), QStringLiteral("dialog-create-key"));
            dialog->close();
        }
        // The channel editor on the first stored channel, as Edit opens it.
        const gateway::ConfigSnapshot config = m_service.gateway().config().snapshot();
        const gateway::Channel channel = config->channels.isEmpty() ? gateway::Channel{} : config->channels.first();
        auto *dialog = new ui::ChannelDialog(m_service, channel, {}, &m_window);
        dialog->setObjectName(QStringLiteral("tourChannelDialog"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    then(800, [this] {
        if (auto *dialog = m_window.findChild<ui::ChannelDialog *>(QStringLiteral("tourChannelDialog"))) {
            save(dialog->grab(), QStringLiteral("dialog-channel"));
            dialog->close();
        }
        auto *prices = new ui::PricesDialog(m_service, &m_window);
        prices->setObjectName(QStringLiteral("tourPricesDialog"));
        prices->setAttribute(Qt::WA_DeleteOnClose);
        prices->open();
    });
    then(800, [this] {
        if (auto *prices = m_window.findChild<ui::PricesDialog *>(QStringLiteral("tourPricesDialog"))) {
            save(prices->grab(), QStringLiteral("dialog-prices"));
            prices->close();
        }
        m_window.openConnectDialog();
    });
    // Connect a client: this machine's agents, then a key for the phone with its QR code.
    then(800, [this] {
        ui::ConnectDialog *dialog = m_window.findChild<ui::ConnectDialog *>();
        if (!dialog)
            return;
        save(dialog->grab(), QStringLiteral("dialog-connect-local"));
        if (auto *tabs = dialog->findChild<QTabWidget *>(QStringLiteral("connectTabs")))
            tabs->setCurrentIndex(1);
        dialog->createKey();
    });
    then(1200, [this] {
        if (ui::ConnectDialog *dialog = m_window.findChild<ui::ConnectDialog *>()) {
            save(dialog->grab(), QStringLiteral("dialog-connect"));
            save(QPixmap::fromImage(dialog->qrImage()), QStringLiteral("connect-qr"));
            // For the script to check the code against: what it should hold.
            std::fprintf(stdout, "connect key %s\n", qPrintable(dialog->createdKey()));
            std::fflush(stdout);
            dialog->close();
        }
    });
}

} // namespace tarn::app
