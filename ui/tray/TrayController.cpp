// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayController.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/UsageStatsRepository.h"
#include "ui/tray/TrayIcon.h"

#include <QHostAddress>
#include <QNetworkInterface>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>

#include <optional>

namespace tarn::ui {

namespace {

struct TodayTotals
{
    qint64 requests = 0;
    qint64 tokens = 0;
    double costUsd = 0;
};

} // namespace

TrayController::TrayController(gateway::DesktopService &service, TrayIcon &tray, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_tray(tray)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(std::chrono::seconds(2));
    connect(m_timer, &QTimer::timeout, this, &TrayController::refresh);
    connect(&tray, &TrayIcon::pauseRequested, this, [this](bool paused) {
        m_service.gateway().setPaused(paused);
        refresh();
    });
    connect(&service, &gateway::DesktopService::configurationChanged, this, &TrayController::refresh);
    connect(&service.gateway(), &gateway::Gateway::tailnetNodeChanged, this, &TrayController::refresh);
    m_timer->start();
    refresh();
}

TrayController::~TrayController() = default;

void TrayController::setInterval(std::chrono::milliseconds interval)
{
    m_timer->setInterval(interval);
}

QStringList TrayController::endpointUrls(const QList<QUrl> &listening, const QList<QHostAddress> &interfaceAddresses)
{
    QStringList urls;
    const auto add = [&urls](QUrl url, const QHostAddress &host) {
        url.setHost(host.toString());
        if (const QString text = url.toString(); !urls.contains(text))
            urls.append(text);
    };
    for (const QUrl &url : listening) {
        const QHostAddress host(url.host());
        const bool anyV4 = host == QHostAddress(QHostAddress::AnyIPv4);
        const bool anyV6 = host == QHostAddress(QHostAddress::AnyIPv6);
        if (!anyV4 && !anyV6) {
            if (!urls.contains(url.toString()))
                urls.append(url.toString());
            continue;
        }
        // Qt binds "::" IPv6 only, so each wildcard offers its own family.
        add(url, QHostAddress(anyV4 ? QHostAddress::LocalHost : QHostAddress::LocalHostIPv6));
        for (const QHostAddress &address : interfaceAddresses) {
            if (address.isLoopback() || address.isLinkLocal())
                continue; // loopback is above; link-local needs a scope no client URL carries
            if (address.protocol() == (anyV4 ? QAbstractSocket::IPv4Protocol : QAbstractSocket::IPv6Protocol))
                add(url, address);
        }
    }
    return urls;
}

QString TrayController::exposureText(std::optional<gateway::ExposeMode> mode, const QList<QUrl> &listening,
                                     const std::optional<gateway::TailscaleStatus> &node)
{
    if (!mode)
        return {};
    switch (*mode) {
    case gateway::ExposeMode::Loopback: return tr("Only this machine can reach Tarn");
    case gateway::ExposeMode::All: return tr("Reachable from every network");
    case gateway::ExposeMode::Tailscale: break;
    }
    QStringList tailnet;
    for (const QUrl &url : listening) {
        if (gateway::isTailnetAddress(QHostAddress(url.host())))
            tailnet.append(url.host());
    }
    if (node && !node->running()) {
        return tr("Tailscale is not running here (%1): this machine only")
            .arg(node->backendState.isEmpty() ? tr("no state") : node->backendState);
    }
    if (tailnet.isEmpty())
        return tr("Tailscale: waiting for an address (this machine only until then)");
    if (node && !node->dnsName.isEmpty())
        tailnet.prepend(node->dnsName);
    const QString text = tr("Reachable on your tailnet at %1").arg(tailnet.join(QStringLiteral(", ")));
    return node && !node->online ? tr("%1 (Tailscale says this node is offline)").arg(text) : text;
}

QHash<QString, QStringList> TrayController::poolsOf(gateway::DesktopService &service)
{
    QHash<QString, QStringList> pools;
    const gateway::ConfigSnapshot config = service.gateway().config().snapshot();
    if (!config)
        return pools;
    for (const gateway::Channel &channel : config->channels) {
        if (!channel.enabled)
            continue;
        for (const QString &model : channel.servedModels())
            pools[model].append(channel.name);
    }
    return pools;
}

void TrayController::refresh()
{
    gateway::Gateway &gateway = m_service.gateway();
    m_tray.setEndpoints(endpointUrls(gateway.urls(), QNetworkInterface::allAddresses()));
    m_tray.setExposure(exposureText(gateway.exposeMode(), gateway.urls(), gateway.tailnetNode()));
    m_tray.setPaused(gateway.isPaused());
    applyStatus(gateway.routerStatus(), poolsOf(m_service));
    refreshTotals();
}

void TrayController::applyStatus(const gateway::RouterStatus &status, const QHash<QString, QStringList> &pools)
{
    gateway::Gateway &gateway = m_service.gateway();
    m_tray.setState(TrayStatusTracker::overallState(status, gateway.isPaused(), !gateway.urls().isEmpty()));
    m_tray.setChannels(status.channels);
    const QDateTime now = status.takenAt.isValid() ? status.takenAt : QDateTime::currentDateTimeUtc();
    if (const std::optional<TrayNotification> notification = m_tracker.update(status, pools, now))
        m_tray.notify(notification->title, notification->text);
    Q_EMIT statusApplied();
}

void TrayController::refreshTotals()
{
    if (m_totalsPending)
        return; // a slow read is still running; do not queue up more behind it
    m_totalsPending = true;
    // The user's midnight, as the Overview's "Today" (a zone whose clocks skip midnight starts the
    // day at its first instant).
    const QTimeZone zone = QTimeZone::systemTimeZone();
    const QDateTime midnight = gateway::usageDayStart(QDateTime::currentDateTimeUtc().toTimeZone(zone).date(), zone);
    // The same totals and cost estimate (model prices) as the Overview page shows for today.
    m_service.run<std::optional<TodayTotals>>(
        this,
        [midnight](gateway::Database &database) -> std::optional<TodayTotals> {
            gateway::Result<gateway::UsageTotals> totals =
                gateway::UsageStatsRepository(database).totals(gateway::UsageRange{midnight, {}});
            if (!totals)
                return std::nullopt;
            return TodayTotals{totals->requests, totals->promptTokens + totals->completionTokens, totals->costUsd};
        },
        [this](std::optional<TodayTotals> totals) {
            m_totalsPending = false;
            if (totals)
                m_tray.setTodayTotals(totals->requests, totals->tokens, totals->costUsd);
        });
}

} // namespace tarn::ui
