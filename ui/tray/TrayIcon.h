// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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
class TrayIcon final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayIcon)

public:
    explicit TrayIcon(QObject *parent = nullptr);
    ~TrayIcon() override;

    // Tooltip text and icon variant (normal when healthy, greyed otherwise).
    void setStatus(const QString &tooltip, bool healthy);
    // Reflects the gateway's paused state in the checkable menu entry without emitting an intent.
    void setPaused(bool paused);
    // How long to keep looking for a tray host that is not there yet (default every 2 s for 30 s).
    void setRetryPolicy(std::chrono::milliseconds interval, int attempts);

    [[nodiscard]] bool isAvailable() const;
    [[nodiscard]] bool isVisible() const;
    [[nodiscard]] QString toolTip() const;
    [[nodiscard]] QMenu *menu() const;

signals:
    void showWindowRequested();
    void pauseRequested(bool paused);
    void quitRequested();
    // Only when no tray host was there at start: true once one appeared and the icon is shown,
    // false when the retries ran out and the app stays window-only.
    void availabilityChanged(bool available);

private:
    void onActivated(QSystemTrayIcon::ActivationReason reason);
    void onRetryTimeout();
    void showWhenAvailable();

    std::unique_ptr<QMenu> m_menu; // a top-level widget: QObject parents must be widgets
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_showAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_quitAction = nullptr;
    QTimer *m_retryTimer = nullptr;
    int m_retryAttempts = 15;
    int m_retriesLeft = 0;
    bool m_available = false;
    bool m_healthy = true;
};

} // namespace tarn::ui
