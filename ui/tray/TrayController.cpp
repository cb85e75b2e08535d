// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayController.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/UsageRepository.h"
#include "ui/tray/TrayIcon.h"

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

// Estimated from each channel's prices, as the channels stood when the totals were read.
double estimateCost(const gateway::UsageSummary &summary, const QList<gateway::Channel> &channels)
{
    QHash<QString, gateway::ChannelPrice> prices;
    for (const gateway::Channel &channel : channels)
        prices.insert(channel.name, channel.price);
    double cost = 0;
    for (const gateway::UsageSummaryRow &row : summary.channels) {
        const gateway::ChannelPrice price = prices.value(row.name);
        const qint64 uncached = std::max<qint64>(0, row.promptTokens - row.cachedTokens);
        const double cachedPrice = price.cachedPerMillion > 0 ? price.cachedPerMillion : price.inputPerMillion;
        cost += (double(uncached) * price.inputPerMillion + double(row.cachedTokens) * cachedPrice
                 + double(row.completionTokens) * price.outputPerMillion) / 1e6;
    }
    return cost;
}

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
    m_timer->start();
    refresh();
}

TrayController::~TrayController() = default;

void TrayController::setInterval(std::chrono::milliseconds interval)
{
    m_timer->setInterval(interval);
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
    QStringList urls;
    for (const QUrl &url : gateway.urls())
        urls.append(url.toString());
    m_tray.setEndpoints(urls);
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
    for (const TrayNotification &notification : m_tracker.update(status, pools, now))
        m_tray.notify(notification.title, notification.text);
}

void TrayController::refreshTotals()
{
    if (m_totalsPending)
        return; // a slow read is still running; do not queue up more behind it
    m_totalsPending = true;
    const QDateTime midnight = QDateTime(QDate::currentDate(), QTime(0, 0)).toUTC();
    const gateway::ConfigSnapshot config = m_service.gateway().config().snapshot();
    const QList<gateway::Channel> channels = config ? config->channels : QList<gateway::Channel>();
    m_service.run<std::optional<TodayTotals>>(
        this,
        [midnight, channels](gateway::Database &database) -> std::optional<TodayTotals> {
            gateway::Result<gateway::UsageSummary> summary = gateway::UsageRepository(database).summarize(midnight);
            if (!summary)
                return std::nullopt;
            return TodayTotals{summary->total.requests,
                               summary->total.promptTokens + summary->total.completionTokens,
                               estimateCost(*summary, channels)};
        },
        [this](std::optional<TodayTotals> totals) {
            m_totalsPending = false;
            if (totals)
                m_tray.setTodayTotals(totals->requests, totals->tokens, totals->costUsd);
        });
}

} // namespace tarn::ui
