// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/RouterStatus.h"
#include "ui/tray/TrayStatusTracker.h"

#include <QHash>
#include <QIcon>
#include <QList>
#include <QObject>
#include <QSystemTrayIcon>

#include <chrono>
#include <memory>

class QAction;
class QMenu;
class QTimer;

namespace tarn::ui {

// The system tray entry: shows gateway status and turns clicks and menu choices into intents.
// It never acts itself; the composition root connects the intents. Works without a tray host.
// Menu entries are updated in place (same QAction objects, new text and icon): rebuilding a menu
// while it is open closes it on macOS and flickers elsewhere.
class TrayIcon final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayIcon)

public:
    explicit TrayIcon(QObject *parent = nullptr);
    ~TrayIcon() override;

    // Icon variant: serving, degraded, paused or error, light or dark after the palette.
    void setState(TrayState state);
    [[nodiscard]] TrayState state() const { return m_state; }
    void setToolTip(const QString &tooltip);
    // "Tarn — N requests, M tokens, $C today".
    void setTodayTotals(qint64 requests, qint64 tokens, double costUsd);
    // Reflects the gateway's paused state in the menu entry without emitting an intent.
    void setPaused(bool paused);
    // One "Copy <url>" entry per endpoint.
    void setEndpoints(const QStringList &urls);
    // The menu's first line, who can reach Tarn (hidden when empty); updated in place.
    void setExposure(const QString &text);
    // The Channels submenu: one entry per channel with its live state, in the given order.
    void setChannels(const QList<gateway::ChannelStatus> &channels);
    // Raises a desktop notification (when a tray host shows messages) and notificationRaised.
    void notify(const QString &title, const QString &text);
    // How to look for a tray host that is not there yet: every interval for attempts (default
    // every 2 s for 30 s), then, the window being the fallback meanwhile, every slowInterval for
    // as long as there is none (a panel may start much later, or restart).
    void setRetryPolicy(std::chrono::milliseconds interval, int attempts,
                        std::chrono::milliseconds slowInterval = std::chrono::seconds(30));

    [[nodiscard]] bool isAvailable() const;
    [[nodiscard]] bool isVisible() const;
    [[nodiscard]] QString toolTip() const;
    [[nodiscard]] QMenu *menu() const;
    [[nodiscard]] QMenu *channelsMenu() const { return m_channelsMenu; }
    [[nodiscard]] QIcon icon() const;
    // The resource path of the icon shown now (tests and screenshots read it).
    [[nodiscard]] QString iconPath() const;

    static QString formatTodayTotals(qint64 requests, qint64 tokens, double costUsd);

Q_SIGNALS:
    void showWindowRequested();
    void connectRequested(); // "Connect a client…"
    void aboutRequested(); // "About Tarn"
    void pauseRequested(bool paused);
    void quitRequested();
    void notificationRaised(const QString &title, const QString &text);
    // Only when no tray host was there at start: true once one appeared and the icon is shown
    // (also after false), false when the first retries ran out and the app is window-only for now.
    void availabilityChanged(bool available);

private:
    void onActivated(QSystemTrayIcon::ActivationReason reason);
    void onRetryTimeout();
    void showWhenAvailable();
    void updatePauseText();
    void copyToClipboard(const QString &text);

    std::unique_ptr<QMenu> m_menu; // a top-level widget: QObject parents must be widgets
    QMenu *m_channelsMenu = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_exposureAction = nullptr; // who can reach Tarn; disabled, informative
    QAction *m_endpointsEnd = nullptr; // the separator after the endpoint entries
    QList<QAction *> m_endpointActions;
    QAction *m_showAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_noChannelsAction = nullptr;
    QHash<QString, QAction *> m_channelActions; // by channel name
    QAction *m_aboutAction = nullptr;
    QAction *m_quitAction = nullptr;
    QTimer *m_retryTimer = nullptr;
    int m_retryAttempts = 15;
    int m_retriesLeft = 0;
    std::chrono::milliseconds m_slowRetryInterval = std::chrono::seconds(30);
    bool m_available = false;
    TrayState m_state = TrayState::Serving;
    QString m_iconPath;
};

} // namespace tarn::ui
