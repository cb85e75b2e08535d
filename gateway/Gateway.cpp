// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/Gateway.h"

#include "gateway/api/ApiHandler.h"
#include "gateway/api/ResponseStore.h"
#include "gateway/auth/ClientKeyLimiter.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/cli/SavedListen.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/core/Logging.h"
#include "gateway/core/Paths.h"
#include "gateway/core/SettingKeys.h"
#include "gateway/core/ThreadHop.h"
#include "gateway/http/HttpServer.h"
#include "gateway/net/TailscaleNodeWatch.h"
#include "gateway/routing/Router.h"
#include "gateway/routing/RouterUpkeep.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/usage/UsageRecorder.h"
#include "gateway/usage/UsageRetention.h"

#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace tarn::gateway {

Gateway::Gateway(GatewayOptions options, QObject *parent) : QObject(parent), m_options(std::move(options)) {}

Gateway::~Gateway()
{
    stop(0);
    stopControl();
}

Status Gateway::start()
{
    const QString dbPath = databasePath(m_options.dataDir);
    m_router = std::make_unique<Router>(m_options.router);
    m_limiter = std::make_unique<ClientKeyLimiter>();
    m_explicitListen = !m_options.listen.isEmpty();

    // The control plane (the gateway's own connection, the configuration it polls every second, the
    // router's upkeep that writes what the router learned, retention) runs on a thread of its own,
    // so its SQL, writes included, never stalls the thread that owns the gateway: the GUI thread in
    // the desktop app, where a write waiting for the database's lock froze the window.
    m_control = new QThread(this);
    m_control->setObjectName(QStringLiteral("tarn-control"));
    m_control->start();
    m_controlRoot = new QObject;
    m_controlRoot->moveToThread(m_control);
    const Status started = runOnThreadOf(m_controlRoot, [this, &dbPath] { return startControl(dbPath); });
    if (!started)
        return started;
    connect(m_config, &ConfigStore::changed, this, &Gateway::configurationChanged);

    m_usage = std::make_unique<UsageRecorder>(dbPath);
    m_usage->setObserver([limiter = m_limiter.get()](const UsageRecord &record) {
        limiter->addTokens(record.clientKeyId, record.promptTokens + record.completionTokens);
    });
    if (const Status status = m_usage->start(); !status)
        return status;
    GatewayContext context;
    context.config = m_config;
    context.router = m_router.get();
    context.usage = m_usage.get();
    context.limiter = m_limiter.get();
    m_responses = std::make_unique<ResponseStore>();
    context.responses = m_responses.get();
    context.timeouts = m_options.timeouts;
    m_server = new HttpServer(
        m_options.limits, m_options.workers,
        [context](QObject *threadContext) { return std::make_unique<ApiHandler>(context, threadContext); }, this);
    if (m_options.expose && m_explicitListen)
        qCInfo(lcGateway) << "--listen given: --expose" << exposeModeName(*m_options.expose) << "is not applied";
    if (m_options.expose && !m_explicitListen)
        return bindExposed();
    for (const ListenAddress &address : std::as_const(m_options.listen)) {
        const auto url = m_server->listen(address.host, address.port);
        if (!url)
            return url.error();
        m_bound.append({address, *url});
    }
    return {};
}

// --expose: the mode's addresses, all on one port (port 0, in tests, is the one the first gets).
Status Gateway::bindExposed()
{
    const ExposeMode mode = *m_options.expose;
    m_server->setExposeMode(mode);
    const QList<InterfaceAddress> interfaces = m_options.interfaces();
    const QList<ListenAddress> plan = exposeAddresses(mode, m_options.exposePort, interfaces);
    quint16 port = m_options.exposePort;
    for (ListenAddress address : plan) {
        address.port = port;
        const auto url = m_server->listen(address.host, address.port);
        if (!url) {
            // Loopback must bind; a tailnet address that cannot yet (tailscaled still bringing it
            // up) never fails the start: the interface watch tries it again.
            if (!isTailnetAddress(QHostAddress(address.host)))
                return url.error();
            qCWarning(lcGateway) << "not yet listening on the Tailscale address:" << url.error().message;
            continue;
        }
        port = quint16(url->port());
        m_bound.append({address, *url});
    }
    m_options.exposePort = port;
    m_options.listen.clear();
    for (const auto &bound : std::as_const(m_bound))
        m_options.listen.append(bound.first);
    if (mode == ExposeMode::All)
        qCWarning(lcGateway) << "exposed on every interface: any host that reaches this machine can try a client key";
    if (mode == ExposeMode::Tailscale) {
        if (findTailnetAddresses(interfaces).isEmpty()) // the same look as the plan's
            qCInfo(lcGateway) << "no Tailscale address yet; listening on loopback and watching for one";
        startTailnetWatch();
    }
    return {};
}

void Gateway::startTailnetWatch()
{
    if (!m_interfaceWatch) {
        m_interfaceWatch = new QTimer(this);
        connect(m_interfaceWatch, &QTimer::timeout, this, &Gateway::followInterfaces);
        m_tailnetNode = new TailscaleNodeWatch(10'000, this);
        connect(m_tailnetNode, &TailscaleNodeWatch::changed, this, &Gateway::tailnetNodeChanged);
    }
    m_interfaceWatch->start(m_options.exposeWatchMs);
    m_tailnetNode->refresh();
}

std::optional<TailscaleStatus> Gateway::tailnetNode() const
{
    if (m_options.expose != ExposeMode::Tailscale || !m_tailnetNode)
        return std::nullopt;
    return m_tailnetNode->node();
}

Result<QList<QUrl>> Gateway::setExposeMode(std::optional<ExposeMode> mode, quint16 port)
{
    if (!m_server || m_stopped)
        return Error::invalid(QStringLiteral("the gateway is not running"));
    const bool hadNode = tailnetNode().has_value();
    if (!mode) {
        m_options.expose.reset();
        m_server->setExposeMode(ExposeMode::All); // explicit addresses: every peer that reaches one
        if (m_interfaceWatch)
            m_interfaceWatch->stop();
        if (hadNode)
            Q_EMIT tailnetNodeChanged(); // none outside Tailscale mode
        return urls();
    }
    QList<ListenAddress> plan = exposeAddresses(*mode, port, m_options.interfaces());
    Result<QList<QUrl>> bound = setListenAddresses(plan);
    if (!bound && *mode == ExposeMode::Tailscale) {
        // The tailnet address may not be bindable yet (tailscaled coming up): loopback now, the
        // watch binds the rest when it can.
        plan.erase(std::remove_if(plan.begin(), plan.end(),
                                  [](const ListenAddress &a) { return isTailnetAddress(QHostAddress(a.host)); }),
                   plan.end());
        qCWarning(lcGateway) << "not yet listening on the Tailscale address:" << bound.error().message;
        bound = setListenAddresses(plan);
    }
    if (!bound)
        return bound;
    m_options.expose = mode;
    m_options.exposePort = bound->isEmpty() ? port : quint16(bound->first().port());
    m_server->setExposeMode(*mode);
    if (*mode == ExposeMode::All)
        qCWarning(lcGateway) << "exposed on every interface: any host that reaches this machine can try a client key";
    if (*mode == ExposeMode::Tailscale)
        startTailnetWatch();
    else if (m_interfaceWatch)
        m_interfaceWatch->stop();
    if (hadNode != tailnetNode().has_value())
        Q_EMIT tailnetNodeChanged(); // the node is shown only in Tailscale mode
    return bound;
}

// Tailscale mode: the tailnet address may come seconds after boot, change, or go when the node
// logs out; what is listened on follows it. A bind that fails is tried again on the next look.
void Gateway::followInterfaces()
{
    if (m_stopped || !m_options.expose)
        return;
    const QList<ListenAddress> plan = exposeAddresses(*m_options.expose, m_options.exposePort, m_options.interfaces());
    // The node's name and state: again every minute, and at once when its addresses change (not
    // at every look while an address keeps failing to bind).
    if (++m_watchTicks * qint64(m_options.exposeWatchMs) >= 60'000 || plan != m_lastPlan) {
        m_watchTicks = 0;
        m_lastPlan = plan;
        m_tailnetNode->refresh();
    }
    if (plan == m_options.listen)
        return;
    if (const Result<QList<QUrl>> urls = setListenAddresses(plan); !urls)
        qCWarning(lcGateway) << "could not follow the Tailscale address:" << urls.error().message;
}

QString Gateway::secretBackend() const
{
    return SecretVault::forDataDir(QFileInfo(databasePath(m_options.dataDir)).absolutePath())->backendName();
}

QString Gateway::secretStatus() const
{
    return SecretVault::forDataDir(QFileInfo(databasePath(m_options.dataDir)).absolutePath())->status();
}

bool Gateway::secretsFellBack() const
{
    return SecretVault::forDataDir(QFileInfo(databasePath(m_options.dataDir)).absolutePath())->fellBack();
}

// Runs on the control thread: everything created here lives there.
Status Gateway::startControl(const QString &dbPath)
{
    auto database = Database::open(dbPath, QStringLiteral("tarn-main-%1").arg(reinterpret_cast<quintptr>(this)));
    if (!database)
        return database.error();
    m_database = std::move(database.value());

    // The backend is chosen (and a fallback to the encrypted file said in the log) now, not on the
    // first key written.
    m_database->secrets().logStatus();
    m_config = new ConfigStore(*m_database, m_controlRoot);
    if (const Status status = m_config->reload(); !status)
        return status;
    m_config->startWatching(m_options.configPollMs);
    seedKeyLimits();
    m_upkeep = new RouterUpkeep(*m_router, *m_config, *m_database, m_controlRoot);
    m_upkeep->start(m_options.routerPublishMs);
    m_retention = new UsageRetention(dbPath, m_controlRoot);
    m_retention->start();
    if (m_options.listen.isEmpty()) {
        m_options.listen = savedListenAddresses(*m_database);
        // The mode chosen in Settings, on the saved port, when the command line names none.
        if (!m_options.expose) {
            if (const auto saved = SettingsRepository(*m_database).value(QString::fromLatin1(SettingKeys::Expose));
                saved && !saved->isEmpty()) {
                if (const std::optional<ExposeMode> mode = exposeModeFromString(*saved)) {
                    m_options.expose = mode;
                    m_options.exposePort = m_options.listen.first().port;
                } else {
                    qCWarning(lcGateway) << "ignoring the saved exposure" << *saved;
                }
            }
        }
    }
    return {};
}

// Client key limits count what was already spent this local day and month, across restarts.
void Gateway::seedKeyLimits()
{
    const ClientKeyLimiter::Periods periods = m_limiter->currentPeriods();
    UsageRepository usage(*m_database);
    const auto today = usage.clientKeyTokensSince(periods.dayStart);
    const auto month = usage.clientKeyTokensSince(periods.monthStart);
    if (today && month)
        m_limiter->seed(*today, *month);
    else
        qCWarning(lcGateway) << "cannot read stored usage for client key limits:"
                             << (today ? month.error().message : today.error().message);
}

void Gateway::stopControl()
{
    if (!m_control)
        return;
    // The control objects and the connection end on their own thread, then the thread.
    runOnThreadOf(m_controlRoot, [this] {
        qDeleteAll(m_controlRoot->children());
        m_database.reset();
    });
    m_config = nullptr;
    m_upkeep = nullptr;
    m_retention = nullptr;
    m_control->quit();
    m_control->wait();
    delete m_controlRoot; // its thread has finished: safe from here
    m_controlRoot = nullptr;
    delete m_control;
    m_control = nullptr;
}

Result<QList<QUrl>> Gateway::setListenAddresses(const QList<ListenAddress> &addresses)
{
    if (!m_server || m_stopped)
        return Error::invalid(QStringLiteral("the gateway is not running"));
    QList<ListenAddress> wanted;
    for (const ListenAddress &address : addresses) {
        if (!wanted.contains(address))
            wanted.append(address);
    }
    if (wanted.isEmpty())
        return Error::invalid(QStringLiteral("Tarn needs at least one address to listen on"));

    const QList<QUrl> previous = urls();
    QList<std::pair<ListenAddress, QUrl>> kept;
    QList<std::pair<ListenAddress, QUrl>> dropped;
    for (const auto &bound : std::as_const(m_bound))
        (wanted.contains(bound.first) ? kept : dropped).append(bound);
    const auto isKept = [&kept](const ListenAddress &address) {
        return std::any_of(kept.cbegin(), kept.cend(), [&](const auto &bound) { return bound.first == address; });
    };
    // Closed first: the same port on a wider address (127.0.0.1:8276 -> 0.0.0.0:8276) cannot be
    // bound while the narrower one still listens.
    for (const auto &bound : std::as_const(dropped))
        m_server->stopListening(bound.second);
    QList<std::pair<ListenAddress, QUrl>> opened;
    for (const ListenAddress &address : std::as_const(wanted)) {
        if (isKept(address))
            continue;
        const Result<QUrl> url = m_server->listen(address.host, address.port);
        if (url) {
            opened.append({address, *url});
            continue;
        }
        // All or nothing: back to the addresses listened on before.
        for (const auto &bound : std::as_const(opened))
            m_server->stopListening(bound.second);
        m_bound = kept;
        for (const auto &bound : std::as_const(dropped)) {
            // The port it had, not the one asked for: port 0 would pick a new one.
            if (const Result<QUrl> again = m_server->listen(bound.first.host, quint16(bound.second.port())))
                m_bound.append({bound.first, *again});
            else
                qCWarning(lcGateway) << "could not listen again on" << bound.second.toString() << ':'
                                     << again.error().message;
        }
        if (urls() != previous) // a rolled-back address may have come back in another order
            Q_EMIT listeningChanged(urls());
        return url.error();
    }
    m_bound = kept + opened;
    m_options.listen = wanted;
    if (urls() != previous) {
        qCInfo(lcGateway) << "now listening on" << urls();
        Q_EMIT listeningChanged(urls());
    }
    return urls();
}

void Gateway::stop(int graceMs)
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_interfaceWatch)
        m_interfaceWatch->stop();
    if (m_server)
        m_server->shutdown(graceMs);
    if (m_upkeep)
        m_upkeep->flush(); // lessons learned by the last requests are kept
    if (m_usage)
        m_usage->stop(); // flushes every recorded row
}

void Gateway::setPaused(bool paused)
{
    m_paused = paused;
    if (m_server)
        m_server->setAccepting(!paused);
}

qint64 Gateway::bufferedRequestBytes() const
{
    return m_server ? m_server->bufferedRequestBytes() : 0;
}

RouterStatus Gateway::routerStatus() const
{
    return m_router && m_config ? m_router->status(*m_config->snapshot()) : RouterStatus{};
}

QList<QUrl> Gateway::urls() const
{
    return m_server ? m_server->urls() : QList<QUrl>{};
}

} // namespace tarn::gateway
