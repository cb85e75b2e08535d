// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overview/OverviewPage.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/desktop/DesktopService.h"
#include "ui/ChartAxis.h"
#include "ui/ChartPalette.h"
#include "ui/PageLayout.h"
#include "ui/ShareChart.h"
#include "ui/overview/OverviewData.h"
#include "ui/overview/PoolHealth.h"
#include "ui/overview/UsageFormat.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QProgressBar>
#include <QScrollArea>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

constexpr int RefreshIntervalMs = 5000;
constexpr int kPieSlices = 6;

struct Metric
{
    const char *key;
    const char *title;
};

constexpr Metric Metrics[] = {
    {"requests", QT_TRANSLATE_NOOP("tarn::ui::OverviewPage", "Requests")},
    {"tokensIn", QT_TRANSLATE_NOOP("tarn::ui::OverviewPage", "Tokens in")},
    {"tokensOut", QT_TRANSLATE_NOOP("tarn::ui::OverviewPage", "Tokens out")},
    {"tokensCached", QT_TRANSLATE_NOOP("tarn::ui::OverviewPage", "Cached")},
    {"cost", QT_TRANSLATE_NOOP("tarn::ui::OverviewPage", "Est. cost")},
    {"success", QT_TRANSLATE_NOOP("tarn::ui::OverviewPage", "Success rate")},
};

QString metricText(const UsageTotals &totals, const QString &metric)
{
    if (metric == QLatin1String("requests"))
        return formatCount(totals.requests);
    if (metric == QLatin1String("tokensIn"))
        return formatTokens(totals.promptTokens);
    if (metric == QLatin1String("tokensOut"))
        return formatTokens(totals.completionTokens);
    if (metric == QLatin1String("tokensCached"))
        return formatTokens(totals.cachedTokens);
    if (metric == QLatin1String("cost"))
        return formatCost(totals.costUsd);
    return totals.requests > 0 ? formatRate(totals.successRate()) : QStringLiteral("–");
}

// The exact value behind a card's rounded one.
QString metricToolTip(const UsageTotals &totals, const QString &metric)
{
    if (metric == QLatin1String("tokensIn"))
        return OverviewPage::tr("%1 tokens").arg(formatCount(totals.promptTokens));
    if (metric == QLatin1String("tokensOut"))
        return OverviewPage::tr("%1 tokens").arg(formatCount(totals.completionTokens));
    if (metric == QLatin1String("tokensCached"))
        return OverviewPage::tr("%1 tokens").arg(formatCount(totals.cachedTokens));
    if (metric == QLatin1String("cost"))
        return QStringLiteral("$") + QString::number(totals.costUsd, 'f', 4);
    return {};
}

QColor poolColor(PoolHealth::State state)
{
    switch (state) {
    case PoolHealth::State::AllGood: return QColor(0x2e, 0x7d, 0x32);
    case PoolHealth::State::Degraded: return QColor(0xef, 0x6c, 0x00);
    case PoolHealth::State::Down: return QColor(0xc6, 0x28, 0x28);
    }
    return {};
}

} // namespace

OverviewPage::OverviewPage(DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_timer(new QTimer(this))
    , m_healthTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("overviewPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Overview"),
        tr("Requests, tokens, cost and success rate for today and the last 7 days, and the live health of every "
           "model pool."));

    // The first summary of a large usage table can take seconds: say so rather than show zeros.
    m_loading = new QWidget(this);
    m_loading->setObjectName(QStringLiteral("overviewLoading"));
    auto *loadingLayout = new QHBoxLayout(m_loading);
    auto *loadingLabel = new QLabel(tr("Summarising usage…"), m_loading);
    loadingLabel->setObjectName(QStringLiteral("overviewLoadingLabel"));
    auto *loadingBar = new QProgressBar(m_loading);
    loadingBar->setObjectName(QStringLiteral("overviewLoadingBar"));
    loadingBar->setRange(0, 0); // indeterminate
    loadingBar->setTextVisible(false);
    loadingBar->setMaximumWidth(240);
    loadingBar->setAccessibleName(tr("Summarising usage"));
    loadingLayout->addWidget(loadingLabel);
    loadingLayout->addWidget(loadingBar);
    loadingLayout->addStretch(1);
    layout->addWidget(m_loading);

    auto *cards = new QHBoxLayout;
    QWidget *today = createCards(QStringLiteral("today"), tr("Today"));
    QWidget *week = createCards(QStringLiteral("week"), tr("Last 7 days"));
    cards->addWidget(today);
    cards->addWidget(week);
    layout->addLayout(cards);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("overviewError"));
    m_error->setVisible(false);
    layout->addWidget(m_error);

    auto *chart = new QChart;
    chart->setTitle(tr("Last 24 hours"));
    // Height is what the default window is short of, width it has: the legend goes beside the
    // plot and the frame is tight, so the value axes keep room for their titles (at 150 px with
    // the legend on top the plot was 30 px high and "Requests" was cut to "R…").
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(4, 2, 4, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_hourlyView = new QChartView(chart, this);
    m_hourlyView->setObjectName(QStringLiteral("overviewHourlyChart"));
    m_hourlyView->setAccessibleName(tr("Requests and tokens per hour, last 24 hours"));
    m_hourlyView->setRenderHint(QPainter::Antialiasing);
    m_hourlyView->setMinimumHeight(150);
    layout->addWidget(m_hourlyView, 3);

    auto *lower = new QHBoxLayout;
    m_modelPie = createPie(QStringLiteral("overviewModelShare"), tr("Tokens by model (7 days)"));
    m_channelPie = createPie(QStringLiteral("overviewChannelShare"), tr("Tokens by channel (7 days)"));
    QChartView *modelPie = m_modelPie;
    QChartView *channelPie = m_channelPie;
    lower->addWidget(modelPie, 1);
    lower->addWidget(channelPie, 1);
    layout->addLayout(lower, 3);
    m_usageWidgets = {today, week, m_hourlyView, modelPie, channelPie};
    for (QWidget *widget : std::as_const(m_usageWidgets))
        widget->hide();

    m_health = new QTableWidget(0, 4, this);
    m_health->setObjectName(QStringLiteral("overviewPoolTable"));
    m_health->setAccessibleName(tr("Model pools and their live health"));
    m_health->setHorizontalHeaderLabels({tr("Pool (model)"), tr("Channels"), tr("State"), tr("Requests, last hour")});
    m_health->verticalHeader()->setVisible(false);
    m_health->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_health->setSelectionMode(QAbstractItemView::NoSelection);
    m_health->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_health->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    // Compact rows, and room for at least four pools at the default window size (the reviewer saw
    // two and a half).
    m_health->verticalHeader()->setDefaultSectionSize(m_health->fontMetrics().height() + 8);
    m_health->setMinimumHeight(m_health->horizontalHeader()->sizeHint().height()
                               + 4 * m_health->verticalHeader()->defaultSectionSize() + 2 * m_health->frameWidth());
    layout->addWidget(m_health, 2);

    m_healthTimer->setInterval(kHealthIntervalMs);
    connect(m_healthTimer, &QTimer::timeout, this, &OverviewPage::showHealth);
    m_timer->setInterval(RefreshIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &OverviewPage::refresh);
    connect(&m_service, &DesktopService::configurationChanged, this, [this] {
        if (isVisible())
            refresh();
    });
}

OverviewPage::~OverviewPage() = default;

QWidget *OverviewPage::createCards(const QString &period, const QString &title)
{
    auto *box = new QGroupBox(title, this);
    box->setObjectName(QStringLiteral("overviewCards_") + period);
    box->setAccessibleName(title);
    auto *grid = new QGridLayout(box);
    int column = 0;
    for (const Metric &metric : Metrics) {
        const QString key = QString::fromLatin1(metric.key);
        const QString name = tr(metric.title);
        auto *caption = new QLabel(name, box);
        auto *value = new QLabel(QStringLiteral("–"), box);
        value->setObjectName(QStringLiteral("overview_%1_%2").arg(period, key));
        value->setAccessibleName(QStringLiteral("%1: %2").arg(title, name));
        QFont font = value->font();
        font.setPointSizeF(font.pointSizeF() * 1.4);
        font.setBold(true);
        value->setFont(font);
        // Three metrics a row keeps both periods side by side within the default window width.
        grid->addWidget(value, (column / 3) * 2, column % 3);
        grid->addWidget(caption, (column / 3) * 2 + 1, column % 3);
        m_cards.insert(period + QLatin1Char('.') + key, value);
        ++column;
    }
    return box;
}

QChartView *OverviewPage::createPie(const QString &name, const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    // The pies share a row with the health table: a tighter frame and a smaller legend font keep
    // model names readable, and a name that still does not fit shows whole on hover.
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->legend()->setAlignment(Qt::AlignRight);
    QFont legendFont = chart->legend()->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    chart->legend()->setFont(legendFont);
    chart->legend()->setShowToolTips(true);
    auto *view = new QChartView(chart, this);
    view->setObjectName(name);
    view->setAccessibleName(title);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(150);
    return view;
}

void OverviewPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyChartPalette(this);
}

void OverviewPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer->start();
    m_healthTimer->start();
}

void OverviewPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
    m_healthTimer->stop();
}

bool OverviewPage::isLoading() const
{
    return !m_loading->isHidden();
}

void OverviewPage::refresh()
{
    showHealth();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Only the newest of the refreshes still waiting runs: a slow first roll-up does not pile up
    // the 5 s polls behind it.
    m_service.runLatest<OverviewData>(
        this, QStringLiteral("overview"), [now, zone = m_zone](Database &database) { return loadOverview(database, now, zone); },
        [this](OverviewData data) {
            showData(data);
            Q_EMIT refreshed();
        });
}

void OverviewPage::showData(const OverviewData &data)
{
    if (isLoading()) {
        m_loading->hide();
        for (QWidget *widget : std::as_const(m_usageWidgets))
            widget->show();
    }
    m_requestsLastHour.clear();
    for (const UsageShare &share : data.lastHourByModel)
        m_requestsLastHour.insert(share.name, share.totals.requests);
    m_shownPools.clear(); // the request counts changed: redraw
    m_error->setVisible(!data.error.isEmpty());
    m_error->setText(tr("Could not read usage: %1").arg(data.error));
    for (const Metric &metric : Metrics) {
        const QString key = QString::fromLatin1(metric.key);
        m_cards.value(QStringLiteral("today.") + key)->setText(metricText(data.today, key));
        m_cards.value(QStringLiteral("today.") + key)->setToolTip(metricToolTip(data.today, key));
        m_cards.value(QStringLiteral("week.") + key)->setText(metricText(data.week, key));
        m_cards.value(QStringLiteral("week.") + key)->setToolTip(metricToolTip(data.week, key));
    }

    // The series come per channel and leave empty hours out; the chart wants one point per hour.
    std::map<qint64, std::pair<qint64, qint64>> buckets; // bucket msecs -> requests, tokens
    for (int hour = 0; hour < 24; ++hour)
        buckets[data.hourlyFrom.addSecs(hour * 3600).toMSecsSinceEpoch()] = {0, 0};
    for (const UsagePoint &point : data.hourly) {
        auto &bucket = buckets[point.bucketStart.toMSecsSinceEpoch()];
        bucket.first += point.totals.requests;
        bucket.second += point.totals.promptTokens + point.totals.completionTokens;
    }
    QChart *chart = m_hourlyView->chart();
    if (!m_requestsSeries) {
        // Made once and then refilled: see setScaledAxis for why the axes stay.
        m_requestsSeries = new QLineSeries;
        m_requestsSeries->setName(tr("Requests"));
        m_tokensSeries = new QLineSeries;
        m_tokensSeries->setName(tr("Tokens"));
        chart->addSeries(m_requestsSeries);
        chart->addSeries(m_tokensSeries);
        m_timeAxis = new QDateTimeAxis;
        m_timeAxis->setFormat(QStringLiteral("HH:mm"));
        m_timeAxis->setTickCount(7);
        chart->addAxis(m_timeAxis, Qt::AlignBottom);
        m_requestAxis = createScaledAxis(1, tr("Requests"));
        chart->addAxis(m_requestAxis, Qt::AlignLeft);
        m_tokenAxis = createScaledAxis(1, tr("Tokens"));
        chart->addAxis(m_tokenAxis, Qt::AlignRight);
        m_requestsSeries->attachAxis(m_timeAxis);
        m_requestsSeries->attachAxis(m_requestAxis);
        m_tokensSeries->attachAxis(m_timeAxis);
        m_tokensSeries->attachAxis(m_tokenAxis);
    }
    QList<QPointF> requests;
    QList<QPointF> tokens;
    qint64 maxRequests = 1;
    qint64 maxTokens = 1;
    for (const auto &[msecs, values] : buckets) {
        requests.append(QPointF(double(msecs), double(values.first)));
        tokens.append(QPointF(double(msecs), double(values.second)));
        maxRequests = std::max(maxRequests, values.first);
        maxTokens = std::max(maxTokens, values.second);
    }
    m_requestsSeries->replace(requests);
    m_tokensSeries->replace(tokens);
    // 24 hours from a whole hour in 6 steps: a tick every 4 hours on the hour (over the 23 hours
    // between the first and last point the ticks fell at 00:50, 04:40).
    m_timeAxis->setRange(data.hourlyFrom.toLocalTime(), data.hourlyFrom.addSecs(24 * 3600).toLocalTime());
    setScaledAxis(m_requestAxis, double(maxRequests));
    setScaledAxis(m_tokenAxis, double(maxTokens));

    const ColourNames known = colourNames(*m_service.gateway().config().snapshot());
    fillShareChart(m_modelPie->chart(), data.byModel, tr("Tokens by model (7 days)"), kPieSlices, ShareLabels::InLegend,
                   known.models);
    fillShareChart(m_channelPie->chart(), data.byChannel, tr("Tokens by channel (7 days)"), kPieSlices,
                   ShareLabels::InLegend, known.channels);
    showHealth();
    applyChartPalette(this); // the hourly chart's axes are new
}

void OverviewPage::showHealth()
{
    // Live state comes from the router in memory, not the store: cheap enough for the GUI thread,
    // and the table is only redrawn when something in it changed.
    const QList<PoolHealth> pools = poolHealth(*m_service.gateway().config().snapshot(), m_service.gateway().routerStatus());
    QString key;
    for (const PoolHealth &pool : pools) {
        key += pool.model + u'|' + poolMembersText(pool) + u'|' + poolStateText(pool.state) + u'|'
            + pool.members.join(u',') + u'|' + QString::number(m_requestsLastHour.value(pool.model)) + u'\n';
    }
    if (key == m_shownPools)
        return;
    m_shownPools = key;
    m_health->setRowCount(int(pools.size()));
    for (int row = 0; row < pools.size(); ++row) {
        const PoolHealth &pool = pools[row];
        auto *members = new QTableWidgetItem(poolMembersText(pool));
        members->setToolTip(pool.members.join(u'\n'));
        auto *state = new QTableWidgetItem(poolStateText(pool.state));
        state->setForeground(poolColor(pool.state));
        auto *requests = new QTableWidgetItem(formatCount(m_requestsLastHour.value(pool.model)));
        requests->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_health->setItem(row, 0, new QTableWidgetItem(pool.model));
        m_health->setItem(row, 1, members);
        m_health->setItem(row, 2, state);
        m_health->setItem(row, 3, requests);
    }
    Q_EMIT healthShown();
}

} // namespace tarn::ui
