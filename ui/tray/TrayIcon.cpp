// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayIcon.h"

#include <QAction>
#include <QIcon>
#include <QMenu>
#include <QTimer>

namespace tarn::ui {

namespace {

QIcon statusIcon(bool healthy)
{
    return QIcon(healthy ? QStringLiteral(":/tarn/icons/tarn.svg")
                         : QStringLiteral(":/tarn/icons/tarn-inactive.svg"));
}

} // namespace

TrayIcon::TrayIcon(QObject *parent)
    : QObject(parent)
    , m_menu(std::make_unique<QMenu>())
    , m_tray(new QSystemTrayIcon(this))
    , m_retryTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("trayIcon"));
    m_menu->setObjectName(QStringLiteral("trayMenu"));

    m_showAction = m_menu->addAction(tr("Show Tarn"));
    m_showAction->setObjectName(QStringLiteral("showAction"));
    m_pauseAction = m_menu->addAction(tr("Pause gateway"));
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setCheckable(true);
    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(tr("Quit"));
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setMenuRole(QAction::QuitRole);

    connect(m_showAction, &QAction::triggered, this, &TrayIcon::showWindowRequested);
    connect(m_pauseAction, &QAction::triggered, this, &TrayIcon::pauseRequested);
    connect(m_quitAction, &QAction::triggered, this, &TrayIcon::quitRequested);

    m_tray->setIcon(statusIcon(m_healthy));
    m_tray->setToolTip(tr("Tarn"));
    m_tray->setContextMenu(m_menu.get());
    connect(m_tray, &QSystemTrayIcon::activated, this, &TrayIcon::onActivated);

    m_retryTimer->setInterval(std::chrono::seconds(2));
    connect(m_retryTimer, &QTimer::timeout, this, &TrayIcon::onRetryTimeout);

    // Desktop sessions often start us before the panel hosting the tray is up.
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        showWhenAvailable();
    } else {
        m_retriesLeft = m_retryAttempts;
        m_retryTimer->start();
    }
}

TrayIcon::~TrayIcon()
{
    // The tray icon refers to the menu; drop it before the menu goes away.
    delete m_tray;
    m_tray = nullptr;
}

void TrayIcon::setStatus(const QString &tooltip, bool healthy)
{
    m_tray->setToolTip(tooltip);
    if (healthy != m_healthy) {
        m_healthy = healthy;
        m_tray->setIcon(statusIcon(healthy));
    }
}

void TrayIcon::setPaused(bool paused)
{
    // setChecked emits toggled(), not triggered(): no pauseRequested loop back to the app.
    m_pauseAction->setChecked(paused);
}

void TrayIcon::setRetryPolicy(std::chrono::milliseconds interval, int attempts)
{
    m_retryAttempts = attempts;
    m_retryTimer->setInterval(interval);
    if (m_retryTimer->isActive()) {
        m_retriesLeft = attempts;
        m_retryTimer->start();
    }
}

bool TrayIcon::isAvailable() const
{
    return m_available;
}

bool TrayIcon::isVisible() const
{
    return m_available && m_tray->isVisible();
}

QString TrayIcon::toolTip() const
{
    return m_tray->toolTip();
}

QMenu *TrayIcon::menu() const
{
    return m_menu.get();
}

void TrayIcon::onActivated(QSystemTrayIcon::ActivationReason reason)
{
    switch (reason) {
    case QSystemTrayIcon::Trigger:
    case QSystemTrayIcon::DoubleClick:
        emit showWindowRequested();
        break;
    case QSystemTrayIcon::Context:
    case QSystemTrayIcon::MiddleClick:
    case QSystemTrayIcon::Unknown:
        break;
    }
}

void TrayIcon::onRetryTimeout()
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_retryTimer->stop();
        showWhenAvailable();
        emit availabilityChanged(true);
        return;
    }
    if (--m_retriesLeft <= 0) {
        m_retryTimer->stop();
        emit availabilityChanged(false);
    }
}

void TrayIcon::showWhenAvailable()
{
    m_available = true;
    m_tray->show();
}

} // namespace tarn::ui
