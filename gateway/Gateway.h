// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ListenAddress.h"
#include "gateway/core/Result.h"
#include "gateway/core/RouterStatus.h"
#include "gateway/routing/Router.h"
#include "gateway/http/HttpLimits.h"
#include "gateway/net/Tailnet.h"
#include "gateway/upstream/UpstreamRequest.h"

#include <QObject>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QThread;
class QTimer;

namespace tarn::gateway {

class TailscaleNodeWatch;

class Router;
class RouterUpkeep;
class ConfigStore;
class Database;
class HttpServer;
class UsageRecorder;
class UsageRetention;
class ResponseStore;
class ClientKeyLimiter;

struct GatewayOptions
{
    QString dataDir;
    QList<ListenAddress> listen; // empty: the addresses saved in Settings, else 127.0.0.1:8276
    int workers = 0; // 0 = one per core
    HttpLimits limits;
    UpstreamTimeouts timeouts;
    int configPollMs = 1000; // how often a change made by the command line is looked for
    RouterOptions router;    // clock and seed (tests inject both)
    int routerPublishMs = 1000; // how often the router's state is stored for the CLI
    // --expose: where to listen is worked out from the interfaces (exposeAddresses) on exposePort,
    // and peers the mode does not let in are refused. In Tailscale mode the interfaces are looked
    // at again every exposeWatchMs, so an address that comes late (tailscaled at boot) or changes
    // is bound without a restart. Ignored when `listen` names addresses (--listen overrides).
    std::optional<ExposeMode> expose;
    quint16 exposePort = kDefaultPort;
    int exposeWatchMs = 5000;
    std::function<QList<InterfaceAddress>()> interfaces = systemInterfaceAddresses; // tests inject theirs
};

// The gateway service: storage, live configuration, usage recording and the HTTP front end, wired
// together. Runs the same with or without a GUI; the UI reads state from it.
class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)

public:
    explicit Gateway(GatewayOptions options, QObject *parent = nullptr);
    ~Gateway() override;

    // Opens the database, loads the configuration and listens on every address. The configuration
    // store, the router's upkeep and retention run on a control thread of the gateway's own.
    Status start();
    // Stops accepting, lets in-flight requests finish for up to graceMs, flushes usage rows.
    void stop(int graceMs = 5000);

    // Paused: listeners stop accepting new connections (open ones finish what they do).
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; } // any thread (the management API reads it)

    QList<QUrl> urls() const;
    // Listens on exactly these addresses from now on, without a restart; connections already open
    // carry on. Either every address is bound or nothing changes (the error says which one failed).
    // Does not save them: Settings does, so that the next start listens there too.
    Result<QList<QUrl>> setListenAddresses(const QList<ListenAddress> &addresses);
    // The Settings choice, applied live: serve as mode says on port (loopback; loopback and this
    // node's Tailscale addresses, followed as they come and go; every interface), refusing peers
    // the mode does not let in. A Tailscale address that cannot be bound yet is left to the
    // interface watch. nullopt ends the mode (no peer filter, no watch): the caller sets the
    // addresses it wants with setListenAddresses. On failure nothing changes.
    Result<QList<QUrl>> setExposeMode(std::optional<ExposeMode> mode, quint16 port);
    // The mode served now (--expose, or the saved setting); nullopt when explicit addresses are.
    std::optional<ExposeMode> exposeMode() const { return m_options.expose; }
    const GatewayOptions &options() const { return m_options; }
    // In Tailscale mode, what `tailscale status --json` said of this node last (its MagicDNS name,
    // whether it is online); nullopt in other modes, or where the CLI is absent or failing. Asked
    // when the mode starts, when the tailnet addresses change, and every minute. The gateway's
    // thread only (the GUI thread in the desktop), like the watch that asks.
    std::optional<TailscaleStatus> tailnetNode() const;
    // Request body bytes held right now across all connections (see HttpLimits).
    qint64 bufferedRequestBytes() const;
    ConfigStore &config() const { return *m_config; }
    // The router's live per-channel and per-key state (cooldowns, circuits, disabled keys, …).
    RouterStatus routerStatus() const;
    Router &router() const { return *m_router; }
    // Persists lessons, publishes state, re-tests disabled keys, tests channels for the UI.
    RouterUpkeep &routerUpkeep() const { return *m_upkeep; }
    UsageRecorder &usage() const { return *m_usage; }
    ClientKeyLimiter &keyLimiter() const { return *m_limiter; }
    // Where provider keys are kept: "keychain", or "file" where no keychain service runs (the UI
    // says so), and one line for people saying where and why. Any thread, after start().
    QString secretBackend() const;
    QString secretStatus() const;
    // Whether the keychain was wanted and does not work here (the encrypted file stands in).
    bool secretsFellBack() const;

Q_SIGNALS:
    void configurationChanged();
    // The addresses listened on changed (setListenAddresses).
    void listeningChanged(const QList<QUrl> &urls);
    // tailnetNode() changed.
    void tailnetNodeChanged();

private:
    Status startControl(const QString &dbPath);
    void seedKeyLimits(); // on the control thread
    Status bindExposed();
    void followInterfaces();
    void startTailnetWatch();
    void stopControl();

    GatewayOptions m_options;
    QThread *m_control = nullptr;      // the control plane's thread (see start())
    QObject *m_controlRoot = nullptr;  // lives there; parent of everything that runs there
    std::unique_ptr<Database> m_database;
    ConfigStore *m_config = nullptr;
    std::unique_ptr<Router> m_router;
    RouterUpkeep *m_upkeep = nullptr;
    UsageRetention *m_retention = nullptr;
    std::unique_ptr<UsageRecorder> m_usage;
    std::unique_ptr<ResponseStore> m_responses;
    std::unique_ptr<ClientKeyLimiter> m_limiter;
    HttpServer *m_server = nullptr;
    QList<std::pair<ListenAddress, QUrl>> m_bound; // what was asked for, and what it gave
    bool m_stopped = false;
    std::atomic_bool m_paused = false;
    bool m_explicitListen = false;      // addresses came with the options (--listen), not from Settings
    QTimer *m_interfaceWatch = nullptr; // Tailscale mode: re-plans when the interfaces change
    TailscaleNodeWatch *m_tailnetNode = nullptr; // Tailscale mode: the CLI's view of this node
    int m_watchTicks = 0;
    QList<ListenAddress> m_lastPlan; // what followInterfaces saw last
};

} // namespace tarn::gateway
