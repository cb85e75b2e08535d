// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/RouterStatus.h"
#include "gateway/net/Tailnet.h"
#include "ui/tray/TrayStatusTracker.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <chrono>
#include <optional>

class QHostAddress;
class QTimer;
class QUrl;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class TrayIcon;

// Feeds the tray: polls the router's live state (icon, Channels submenu, notifications) and
// today's usage totals (tooltip, read on the service's thread), and carries out the tray's pause
// intent on the gateway.
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)

public:
    TrayController(gateway::DesktopService &service, TrayIcon &tray, QObject *parent = nullptr);
    ~TrayController() override;

    void setInterval(std::chrono::milliseconds interval);
    // Polls now (also done every interval).
    void refresh();
    // One router snapshot: icon, channel entries and the notifications it deserves. pools maps a
    // model to the channels serving it.
    void applyStatus(const gateway::RouterStatus &status, const QHash<QString, QStringList> &pools);

    // The URLs a client can use: a wildcard listen (0.0.0.0, ::) is no address to copy, so it
    // becomes loopback plus this machine's interface addresses of that family.
    static QStringList endpointUrls(const QList<QUrl> &listening, const QList<QHostAddress> &interfaceAddresses);
    // Who can reach Tarn, for the tray menu's first line: "Only this machine", "Reachable on your
    // tailnet at 100.x.y.z", "Tailscale: waiting for an address", "Reachable from every network",
    // or empty for explicit addresses (the endpoint lines say it). node: what the tailscale CLI
    // said of this node, when it is there: its MagicDNS name leads, and a node that is logged out,
    // stopped or offline is said to be.
    static QString exposureText(std::optional<gateway::ExposeMode> mode, const QList<QUrl> &listening,
                                const std::optional<gateway::TailscaleStatus> &node = std::nullopt);

    // Model -> names of the enabled channels serving it, from the live configuration.
    static QHash<QString, QStringList> poolsOf(gateway::DesktopService &service);

Q_SIGNALS:
    // A router snapshot was applied (tests count polls instead of sleeping through them).
    void statusApplied();

private:
    void refreshTotals();

    gateway::DesktopService &m_service;
    TrayIcon &m_tray;
    TrayStatusTracker m_tracker;
    QTimer *m_timer = nullptr;
    bool m_totalsPending = false;
};

} // namespace tarn::ui
