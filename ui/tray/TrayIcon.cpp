// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayIcon.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QGuiApplication>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSet>
#include <QTimer>

namespace tarn::ui {

using gateway::HealthState;

namespace {

QString stateName(TrayState state)
{
    switch (state) {
    case TrayState::Serving: return QStringLiteral("serving");
    case TrayState::Degraded: return QStringLiteral("degraded");
    case TrayState::Paused: return QStringLiteral("paused");
    case TrayState::Error: return QStringLiteral("error");
    }
    return QStringLiteral("serving");
}

// Dark panels get the pale variant. The panel's colour is not known to Qt; the window colour of
// the palette follows the desktop's theme, which is what the panel follows too.
QString iconPathFor(TrayState state)
{
    const bool dark = QGuiApplication::palette().color(QPalette::Window).lightnessF() < 0.5;
    return QStringLiteral(":/tarn/icons/tray-%1%2.svg").arg(stateName(state), dark ? QStringLiteral("-dark") : QString());
}

// A coloured dot per channel state, drawn once.
QIcon stateDot(HealthState state)
{
    static QHash<int, QIcon> cache;
    const int key = static_cast<int>(state);
    if (const auto it = cache.constFind(key); it != cache.cend())
        return *it;
    QColor colour;
    switch (state) {
    case HealthState::Healthy: colour = QColor(0x2e, 0xa0, 0x43); break;
    case HealthState::Cooling: colour = QColor(0xe8, 0xa3, 0x17); break;
    case HealthState::Open: colour = QColor(0xd6, 0x6a, 0x1f); break;
    case HealthState::Disabled: colour = QColor(0xd6, 0x45, 0x41); break;
    }
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(8, 8, 16, 16));
    painter.end();
    return cache.insert(key, QIcon(pixmap)).value();
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

    m_exposureAction = m_menu->addAction(QString());
    m_exposureAction->setObjectName(QStringLiteral("exposureAction"));
    m_exposureAction->setEnabled(false);
    m_exposureAction->setVisible(false);
    m_endpointsEnd = m_menu->addSeparator();
    m_showAction = m_menu->addAction(tr("Open Tarn"));
    m_showAction->setObjectName(QStringLiteral("showAction"));
    m_connectAction = m_menu->addAction(tr("Connect a client…"));
    m_connectAction->setObjectName(QStringLiteral("connectAction"));
    m_pauseAction = m_menu->addAction(tr("Pause gateway"));
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setCheckable(true);
    m_channelsMenu = m_menu->addMenu(tr("Channels"));
    m_channelsMenu->setObjectName(QStringLiteral("channelsMenu"));
    m_noChannelsAction = m_channelsMenu->addAction(tr("No channels yet"));
    m_noChannelsAction->setObjectName(QStringLiteral("noChannelsAction"));
    m_noChannelsAction->setEnabled(false);
    m_menu->addSeparator();
    m_aboutAction = m_menu->addAction(tr("About Tarn"));
    m_aboutAction->setObjectName(QStringLiteral("aboutAction"));
    // Not AboutRole or the text heuristic: a role can move the entry out of the tray menu on macOS.
    m_aboutAction->setMenuRole(QAction::NoRole);
    m_quitAction = m_menu->addAction(tr("Quit"));
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setMenuRole(QAction::QuitRole);

    connect(m_showAction, &QAction::triggered, this, &TrayIcon::showWindowRequested);
    connect(m_connectAction, &QAction::triggered, this, &TrayIcon::connectRequested);
    connect(m_pauseAction, &QAction::triggered, this, &TrayIcon::pauseRequested);
    connect(m_pauseAction, &QAction::toggled, this, &TrayIcon::updatePauseText);
    connect(m_aboutAction, &QAction::triggered, this, &TrayIcon::aboutRequested);
    connect(m_quitAction, &QAction::triggered, this, &TrayIcon::quitRequested);

    m_iconPath = iconPathFor(m_state);
    m_tray->setIcon(QIcon(m_iconPath));
    m_tray->setToolTip(tr("Tarn"));
    m_tray->setContextMenu(m_menu.get());
    connect(m_tray, &QSystemTrayIcon::activated, this, &TrayIcon::onActivated);

    m_retryTimer->setObjectName(QStringLiteral("retryTimer"));
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

void TrayIcon::setState(TrayState state)
{
    m_state = state;
    // Also when unchanged: the theme (and so the variant) may have changed since.
    const QString path = iconPathFor(state);
    if (path != m_iconPath) {
        m_iconPath = path;
        m_tray->setIcon(QIcon(path));
    }
}

void TrayIcon::setToolTip(const QString &tooltip)
{
    if (m_tray->toolTip() != tooltip)
        m_tray->setToolTip(tooltip);
}

QString TrayIcon::formatTodayTotals(qint64 requests, qint64 tokens, double costUsd)
{
    const QLocale locale;
    return tr("Tarn — %1 requests, %2 tokens, $%3 today")
        .arg(locale.toString(requests), locale.toString(tokens), locale.toString(costUsd, 'f', 2));
}

void TrayIcon::setTodayTotals(qint64 requests, qint64 tokens, double costUsd)
{
    setToolTip(formatTodayTotals(requests, tokens, costUsd));
}

void TrayIcon::setPaused(bool paused)
{
    // setChecked emits toggled(), not triggered(): no pauseRequested loop back to the app.
    m_pauseAction->setChecked(paused);
    updatePauseText();
}

void TrayIcon::updatePauseText()
{
    m_pauseAction->setText(m_pauseAction->isChecked() ? tr("Resume gateway") : tr("Pause gateway"));
}

void TrayIcon::setEndpoints(const QStringList &urls)
{
    while (m_endpointActions.size() > urls.size()) {
        QAction *action = m_endpointActions.takeLast();
        m_menu->removeAction(action);
        action->deleteLater();
    }
    for (qsizetype i = 0; i < urls.size(); ++i) {
        if (i == m_endpointActions.size()) {
            auto *action = new QAction(m_menu.get());
            action->setObjectName(QStringLiteral("endpointAction%1").arg(i));
            connect(action, &QAction::triggered, this, [this, action] { copyToClipboard(action->data().toString()); });
            m_menu->insertAction(m_endpointsEnd, action);
            m_endpointActions.append(action);
        }
        QAction *action = m_endpointActions.at(i);
        action->setData(urls.at(i));
        action->setText(tr("Copy %1").arg(urls.at(i)));
        action->setToolTip(tr("Copy the endpoint URL to the clipboard"));
    }
    m_endpointsEnd->setVisible(!urls.isEmpty());
}

void TrayIcon::setExposure(const QString &text)
{
    if (m_exposureAction->text() != text)
        m_exposureAction->setText(text);
    m_exposureAction->setVisible(!text.isEmpty());
}

void TrayIcon::copyToClipboard(const QString &text)
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

void TrayIcon::setChannels(const QList<gateway::ChannelStatus> &channels)
{
    QSet<QString> present;
    for (const gateway::ChannelStatus &channel : channels)
        present.insert(channel.name);
    for (auto it = m_channelActions.begin(); it != m_channelActions.end();) {
        if (present.contains(it.key())) {
            ++it;
            continue;
        }
        m_channelsMenu->removeAction(it.value());
        it.value()->deleteLater();
        it = m_channelActions.erase(it);
    }
    // Backwards, so a new entry goes just before the entry that follows it.
    QAction *before = nullptr;
    for (qsizetype i = channels.size() - 1; i >= 0; --i) {
        const gateway::ChannelStatus &channel = channels.at(i);
        QAction *action = m_channelActions.value(channel.name);
        if (!action) {
            action = new QAction(m_channelsMenu);
            action->setObjectName(QStringLiteral("channel:") + channel.name);
            connect(action, &QAction::triggered, this, &TrayIcon::showWindowRequested);
            m_channelsMenu->insertAction(before, action);
            m_channelActions.insert(channel.name, action);
        }
        const QString text = QStringLiteral("%1 — %2").arg(channel.name, TrayStatusTracker::describe(channel));
        if (action->text() != text)
            action->setText(text);
        action->setIcon(stateDot(TrayStatusTracker::effectiveState(channel)));
        before = action;
    }
    m_noChannelsAction->setVisible(channels.isEmpty());
}

void TrayIcon::notify(const QString &title, const QString &text)
{
    if (m_available && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(title, text, QSystemTrayIcon::Warning);
    Q_EMIT notificationRaised(title, text);
}

void TrayIcon::setRetryPolicy(std::chrono::milliseconds interval, int attempts, std::chrono::milliseconds slowInterval)
{
    m_retryAttempts = attempts;
    m_slowRetryInterval = slowInterval;
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

QIcon TrayIcon::icon() const
{
    return m_tray->icon();
}

QString TrayIcon::iconPath() const
{
    return m_iconPath;
}

void TrayIcon::onActivated(QSystemTrayIcon::ActivationReason reason)
{
    switch (reason) {
    case QSystemTrayIcon::Trigger:
    case QSystemTrayIcon::DoubleClick:
        Q_EMIT showWindowRequested();
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
        Q_EMIT availabilityChanged(true);
        return;
    }
    // Said once; the slower retries go on for as long as there is no host.
    if (--m_retriesLeft == 0) {
        m_retryTimer->setInterval(m_slowRetryInterval);
        Q_EMIT availabilityChanged(false);
    }
}

void TrayIcon::showWhenAvailable()
{
    m_available = true;
    m_tray->show();
}

} // namespace tarn::ui
