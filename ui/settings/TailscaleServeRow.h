// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/net/TailscaleServe.h"

#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// Settings' one-click alternative to binding the tailnet address: `tailscale serve` gives Tarn an
// HTTPS address on this node's MagicDNS name for the tailnet, and `tailscale funnel` (asked for,
// with a warning, only while a client key exists) opens it to the internet for clients that call
// from the cloud. Both proxy to Tarn on loopback, so nothing else is bound and no firewall asks.
// The row says what tailscale serves for Tarn now. The CLI runs as a child process the row owns
// (never blocking the GUI thread, killed with the row); one operation at a time, and a refresh
// asked for meanwhile follows it.
class TailscaleServeRow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TailscaleServeRow)

public:
    TailscaleServeRow(gateway::DesktopService &service, std::function<bool(const QString &)> confirm, QWidget *parent = nullptr);
    ~TailscaleServeRow() override;

    // Asks tailscale what it serves for Tarn's loopback port (in the background).
    void refresh();

Q_SIGNALS:
    // A refresh or a change finished and the row shows its outcome (tests wait on it).
    void settled();

private:
    void toggle(gateway::ServeReach reach);
    void change(gateway::ServeReach reach, bool on, quint16 port);
    // Asks what is served now and shows it, with failure said above it.
    void readBack(quint16 port, const QString &failure);
    // What is served now; a failed change's reason (failure) is said above it, and the buttons
    // stay usable so it can be tried again or undone.
    void showEntries(const gateway::Result<QList<gateway::ServeEntry>> &entries, const QString &failure = {});
    void setBusy(const QString &text);
    // Tarn's loopback port, which tailscale proxies to; 0 when Tarn listens on no loopback address.
    quint16 loopbackPort() const;

    gateway::DesktopService &m_service;
    std::function<bool(const QString &)> m_confirm;
    QLabel *m_state = nullptr;
    QPushButton *m_serve = nullptr;
    QPushButton *m_funnel = nullptr;
    bool m_served = false;
    bool m_funnelled = false;
    bool m_busy = false;          // an operation is under way
    bool m_refreshWanted = false; // refresh() was called meanwhile
};

} // namespace tarn::ui
