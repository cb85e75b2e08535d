// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsagePage.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/desktop/DesktopService.h"
#include "ui/ChartPalette.h"
#include "ui/NumberFormat.h"
#include "ui/PageLayout.h"
#include "ui/usage/HeatmapWidget.h"
#include "ui/usage/PricesDialog.h"
#include "ui/usage/UsageCharts.h"

#include <QButtonGroup>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

// A page left open keeps following new traffic, but less eagerly than the Overview.
constexpr int RefreshIntervalMs = 15000;

QString medianText(qint64 ms)
{
    return ms < 0 ? QStringLiteral("–") : UsagePage::tr("%1 ms").arg(formatCount(ms));
}

// The half-width charts have room for about a dozen standing labels before Qt elides them, the
// full-width one for 16.
constexpr int HalfWidthLabels = 12;
constexpr int FullWidthLabels = 16;

QString granularityName(UsageGranularity granularity)
{
    switch (granularity) {
    case UsageGranularity::Hour: return UsagePage::tr("hour");
    case UsageGranularity::Day: return UsagePage::tr("day");
    case UsageGranularity::Week: return UsagePage::tr("week");
    case UsageGranularity::Month: return UsagePage::tr("month");
    }
    return {};
}

QString granularityPlural(UsageGranularity granularity)
{
    switch (granularity) {
    case UsageGranularity::Hour: return UsagePage::tr("hours");
    case UsageGranularity::Day: return UsagePage::tr("days");
    case UsageGranularity::Week: return UsagePage::tr("weeks");
    case UsageGranularity::Month: return UsagePage::tr("months");
    }
    return {};
}

} // namespace

UsagePage::UsagePage(DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("usagePage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Usage"),
        tr("Requests, tokens and errors over time, by channel or model, with each channel's success rate and speed."));
    layout->addWidget(createControls());
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("usageSummary"));
    m_summary->setAccessibleName(tr("Totals for the range"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    // Until the first answer: the first roll-up of a large usage table takes seconds, and empty
    // charts would read as "no usage".
    m_loading = new QWidget(this);
    m_loading->setObjectName(QStringLiteral("usageLoading"));
    auto *loadingLayout = new QVBoxLayout(m_loading);
    loadingLayout->addStretch(1);
    auto *loadingText = new QLabel(tr("Summarising usage…"), m_loading);
    loadingText->setObjectName(QStringLiteral("usageLoadingLabel"));
    loadingText->setAlignment(Qt::AlignCenter);
    auto *loadingBar = new QProgressBar(m_loading);
    loadingBar->setObjectName(QStringLiteral("usageLoadingBar"));
    loadingBar->setAccessibleName(tr("Summarising usage"));
    loadingBar->setRange(0, 0); // indeterminate: the store cannot say how far it is
    loadingBar->setTextVisible(false);
    loadingBar->setFixedWidth(280);
    loadingLayout->addWidget(loadingText);
    loadingLayout->addWidget(loadingBar, 0, Qt::AlignHCenter);
    loadingLayout->addStretch(2);
    layout->addWidget(m_loading, 1);

    m_empty = new QLabel(tr("No requests in this range"), this);
    m_empty->setObjectName(QStringLiteral("usageEmptyState"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->hide();
    layout->addWidget(m_empty, 1);

    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("usageScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *body = new QWidget(scroll);
    auto *grid = new QGridLayout(body);
    m_tokens = createChart(QStringLiteral("usageTokensChart"), tr("Tokens over time"));
    m_split = createChart(QStringLiteral("usageSplitChart"), tr("Token split (output = answer + reasoning)"));
    m_requests = createChart(QStringLiteral("usageRequestsChart"), tr("Requests and errors"));
    m_modelShare = createChart(QStringLiteral("usageModelShareChart"), tr("Tokens by model"));
    m_channelShare = createChart(QStringLiteral("usageChannelShareChart"), tr("Tokens by channel"));
    // Pies keep their names whole beside them (under the pie a legend row elides "claude-son…").
    for (QChartView *pie : {m_modelShare, m_channelShare})
        pie->chart()->legend()->setAlignment(Qt::AlignRight);
    m_heatmap = new HeatmapWidget(body);
    m_quality = new QTableWidget(0, 5, body);
    m_quality->setObjectName(QStringLiteral("usageQualityTable"));
    m_quality->setAccessibleName(tr("Success rate and median latency per channel"));
    m_quality->setHorizontalHeaderLabels(
        {tr("Channel"), tr("Requests"), tr("Success rate"), tr("Median latency"), tr("Median TTFT")});
    m_quality->verticalHeader()->setVisible(false);
    m_quality->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_quality->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_quality->setMinimumHeight(160);

    grid->addWidget(withSpan(m_tokens, &m_tokensSpan, QStringLiteral("usageTokensSpan")), 0, 0, 1, 2);
    grid->addWidget(withSpan(m_split, &m_splitSpan, QStringLiteral("usageSplitSpan")), 1, 0);
    grid->addWidget(withSpan(m_requests, &m_requestsSpan, QStringLiteral("usageRequestsSpan")), 1, 1);
    grid->addWidget(m_modelShare, 2, 0);
    grid->addWidget(m_channelShare, 2, 1);
    auto *heatmapTitle = new QLabel(tr("Requests by weekday and hour (local time)"), body);
    grid->addWidget(heatmapTitle, 3, 0, 1, 2);
    grid->addWidget(m_heatmap, 4, 0, 1, 2);
    grid->addWidget(m_quality, 5, 0, 1, 2);
    scroll->setWidget(body);
    layout->addWidget(scroll, 1);
    m_charts = scroll;
    m_charts->hide();

    m_timer->setInterval(RefreshIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &UsagePage::refresh);
}

UsagePage::~UsagePage() = default;

QWidget *UsagePage::createControls()
{
    auto *bar = new QWidget(this);
    // Two rows (what to read, then how to show it) keep the page within the default window width.
    auto *rows = new QVBoxLayout(bar);
    rows->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    auto *second = new QHBoxLayout;
    rows->addLayout(row);
    rows->addLayout(second);

    m_range = new QComboBox(bar);
    m_range->setObjectName(QStringLiteral("usageRangeCombo"));
    m_range->setAccessibleName(tr("Time range"));
    m_range->addItem(tr("Last 24 hours"), int(UsageRangePreset::Day));
    m_range->addItem(tr("Last 7 days"), int(UsageRangePreset::Week));
    m_range->addItem(tr("Last 30 days"), int(UsageRangePreset::Month));
    m_range->addItem(tr("All"), int(UsageRangePreset::All));
    m_range->addItem(tr("Custom"), int(UsageRangePreset::Custom));

    const QDateTime now = QDateTime::currentDateTime();
    m_from = new QDateTimeEdit(now.addDays(-7), bar);
    m_from->setObjectName(QStringLiteral("usageFromEdit"));
    m_from->setAccessibleName(tr("From"));
    m_from->setCalendarPopup(true);
    m_to = new QDateTimeEdit(now, bar);
    m_to->setObjectName(QStringLiteral("usageToEdit"));
    m_to->setAccessibleName(tr("To"));
    m_to->setCalendarPopup(true);

    m_granularity = new QComboBox(bar);
    m_granularity->setObjectName(QStringLiteral("usageGranularityCombo"));
    m_granularity->setAccessibleName(tr("Granularity"));
    m_granularity->addItem(tr("Hour"), int(UsageGranularity::Hour));
    m_granularity->addItem(tr("Day"), int(UsageGranularity::Day));
    m_granularity->addItem(tr("Week"), int(UsageGranularity::Week));
    m_granularity->addItem(tr("Month"), int(UsageGranularity::Month));

    m_grouping = new QButtonGroup(bar);
    auto *byChannel = new QToolButton(bar);
    byChannel->setObjectName(QStringLiteral("usageGroupByChannel"));
    byChannel->setText(tr("By channel"));
    byChannel->setAccessibleName(tr("Group by channel"));
    byChannel->setCheckable(true);
    byChannel->setChecked(true);
    auto *byModel = new QToolButton(bar);
    byModel->setObjectName(QStringLiteral("usageGroupByModel"));
    byModel->setText(tr("By model"));
    byModel->setAccessibleName(tr("Group by model"));
    byModel->setCheckable(true);
    m_grouping->addButton(byChannel, int(UsageGrouping::Channel));
    m_grouping->addButton(byModel, int(UsageGrouping::Model));

    m_export = new QPushButton(tr("Export CSV…"), bar);
    m_export->setObjectName(QStringLiteral("usageExportButton"));
    m_status = new QLabel(bar);
    m_status->setObjectName(QStringLiteral("usageStatus"));
    auto *prices = new QPushButton(tr("Prices…"), bar);
    prices->setObjectName(QStringLiteral("usagePricesButton"));
    prices->setAccessibleName(tr("Edit model prices"));

    row->addWidget(new QLabel(tr("Range:"), bar));
    row->addWidget(m_range);
    row->addWidget(m_from);
    row->addWidget(m_to);
    row->addWidget(m_status, 1);
    second->addWidget(new QLabel(tr("Per:"), bar));
    second->addWidget(m_granularity);
    second->addWidget(byChannel);
    second->addWidget(byModel);
    second->addStretch(1);
    second->addWidget(prices);
    second->addWidget(m_export);

    m_from->setEnabled(false);
    m_to->setEnabled(false);
    showPresetInFields(UsageRangePreset(m_range->currentData().toInt()));
    m_export->setEnabled(false); // nothing to export until the first answer
    connect(m_range, &QComboBox::currentIndexChanged, this, &UsagePage::onRangeChanged);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &UsagePage::refresh);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &UsagePage::refresh);
    connect(m_granularity, &QComboBox::currentIndexChanged, this, &UsagePage::refresh);
    connect(m_grouping, &QButtonGroup::idClicked, this, &UsagePage::refresh);
    connect(m_export, &QPushButton::clicked, this, &UsagePage::onExport);
    connect(prices, &QPushButton::clicked, this, [this] {
        auto *dialog = new PricesDialog(m_service, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &PricesDialog::saved, this, &UsagePage::refresh);
        dialog->open();
    });
    return bar;
}

QChartView *UsagePage::createChart(const QString &name, const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    applyChartPalette(chart, palette());
    auto *view = new QChartView(chart, this);
    view->setObjectName(name);
    view->setAccessibleName(title);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(240);
    return view;
}

QWidget *UsagePage::withSpan(QChartView *chart, QLabel **span, const QString &name)
{
    auto *box = new QWidget(chart->parentWidget());
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(chart, 1);
    *span = new QLabel(box);
    (*span)->setObjectName(name);
    (*span)->setAlignment(Qt::AlignCenter);
    (*span)->setAccessibleName(tr("Time span of %1").arg(chart->accessibleName()));
    (*span)->hide();
    layout->addWidget(*span);
    return box;
}

void UsagePage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyChartPalette(this);
}

// The greyed From/To fields show the range a preset stands for (they showed 7 days under "Last 24
// hours"), so Custom starts from what was on screen.
void UsagePage::showPresetInFields(UsageRangePreset preset)
{
    if (preset == UsageRangePreset::Custom || preset == UsageRangePreset::All)
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const gateway::UsageRange range = usageRangeFor(preset, now, m_zone);
    // The fields hold wall-clock times of the page's zone (see currentQuery).
    const auto wallClock = [this](const QDateTime &utc) {
        const QDateTime there = utc.toTimeZone(m_zone);
        return QDateTime(there.date(), there.time());
    };
    const QSignalBlocker fromBlocker(m_from);
    const QSignalBlocker toBlocker(m_to);
    m_from->setDateTime(wallClock(range.from));
    m_to->setDateTime(wallClock(range.to.isValid() ? range.to : now));
}

void UsagePage::onRangeChanged()
{
    const auto preset = UsageRangePreset(m_range->currentData().toInt());
    m_from->setEnabled(preset == UsageRangePreset::Custom);
    m_to->setEnabled(preset == UsageRangePreset::Custom);
    showPresetInFields(preset);
    // A range comes with the bucket size that reads best; the user can still change it after.
    const QSignalBlocker blocker(m_granularity);
    switch (preset) {
    case UsageRangePreset::Day: m_granularity->setCurrentIndex(int(UsageGranularity::Hour)); break;
    case UsageRangePreset::Week:
    case UsageRangePreset::Month: m_granularity->setCurrentIndex(int(UsageGranularity::Day)); break;
    case UsageRangePreset::All: m_granularity->setCurrentIndex(int(UsageGranularity::Month)); break;
    case UsageRangePreset::Custom: break;
    }
    refresh();
}

UsageQuery UsagePage::currentQuery() const
{
    UsageQuery query;
    query.zone = m_zone;
    const auto preset = UsageRangePreset(m_range->currentData().toInt());
    // The fields hold wall-clock times of the page's zone.
    const auto inZone = [this](const QDateTime &shown) { return QDateTime(shown.date(), shown.time(), m_zone).toUTC(); };
    if (preset == UsageRangePreset::Custom)
        query.range = {inZone(m_from->dateTime()), inZone(m_to->dateTime())};
    else
        query.range = usageRangeFor(preset, QDateTime::currentDateTimeUtc(), m_zone);
    query.granularity = UsageGranularity(m_granularity->currentData().toInt());
    query.grouping = UsageGrouping(m_grouping->checkedId());
    return query;
}

void UsagePage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer->start();
}

void UsagePage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void UsagePage::refresh()
{
    const UsageQuery query = currentQuery();
    m_status->setText(tr("Loading…"));
    // Only the newest query runs and answers: typing a custom range or clicking through the
    // controls does not queue one aggregate per keystroke on the database thread.
    m_service.runLatest<UsageData>(
        this, QStringLiteral("usage"), [query](Database &database) { return loadUsage(database, query); },
        [this](UsageData data) {
            showData(std::move(data));
            Q_EMIT refreshed();
        });
}

bool UsagePage::isLoading() const
{
    return !m_loading->isHidden();
}

void UsagePage::showData(UsageData data)
{
    m_data = std::move(data);
    m_loading->hide();
    // A range without usage says so instead of drawing blank axes.
    const bool empty = m_data.series.isEmpty() && m_data.error.isEmpty();
    m_empty->setVisible(empty);
    m_charts->setVisible(!empty);
    m_export->setEnabled(true);
    if (!m_data.error.isEmpty())
        m_status->setText(tr("Could not read usage: %1").arg(m_data.error));
    else if (m_data.query.granularity != m_data.requestedGranularity)
        m_status->setText(tr("Shown per %1: too many %2 for this range")
                              .arg(granularityName(m_data.query.granularity), granularityPlural(m_data.requestedGranularity)));
    else
        m_status->clear();
    UsageTotals total;
    for (const UsagePoint &point : m_data.series) {
        total.requests += point.totals.requests;
        total.errors += point.totals.errors;
        total.promptTokens += point.totals.promptTokens;
        total.completionTokens += point.totals.completionTokens;
        total.cachedTokens += point.totals.cachedTokens;
        total.reasoningTokens += point.totals.reasoningTokens;
        total.costUsd += point.totals.costUsd;
    }
    m_summary->setText(tr("%1 requests · %2 tokens in (%3 cached) · %4 out (%5 reasoning) · %6 estimated · %7 success")
                           .arg(formatCount(total.requests), formatTokens(total.promptTokens),
                                formatTokens(total.cachedTokens), formatTokens(total.completionTokens),
                                formatTokens(total.reasoningTokens), formatCost(total.costUsd),
                                formatPercent(total.successRate())));
    // The exact numbers, for whoever needs more than the rounded ones.
    m_summary->setToolTip(tr("%1 tokens in (%2 cached) · %3 out (%4 reasoning) · $%5 estimated")
                              .arg(formatCount(total.promptTokens), formatCount(total.cachedTokens),
                                   formatCount(total.completionTokens), formatCount(total.reasoningTokens),
                                   QString::number(total.costUsd, 'f', 4)));
    // Colours shared out among the configuration's names, as on the Overview.
    const ColourNames known = colourNames(*m_service.gateway().config().snapshot());
    fillTokensChart(m_tokens->chart(), m_data, FullWidthLabels, known.of(m_data.query.grouping));
    fillSplitChart(m_split->chart(), m_data, HalfWidthLabels);
    fillRequestsChart(m_requests->chart(), m_data, HalfWidthLabels);
    for (const auto &[span, labels] : {std::pair{m_tokensSpan, FullWidthLabels}, std::pair{m_splitSpan, HalfWidthLabels},
                                       std::pair{m_requestsSpan, HalfWidthLabels}}) {
        span->setText(usageSpanText(m_data, labels));
        span->setVisible(!span->text().isEmpty());
    }
    fillShareChart(m_modelShare->chart(), m_data.byModel, tr("Tokens by model"), 8, ShareLabels::OnSlices, known.models);
    fillShareChart(m_channelShare->chart(), m_data.byChannel, tr("Tokens by channel"), 8, ShareLabels::OnSlices,
                   known.channels);
    applyChartPalette(this); // the axes are new
    m_heatmap->setHeatmap(m_data.heatmap);
    showQuality();
}

void UsagePage::showQuality()
{
    m_quality->setRowCount(int(m_data.quality.size()));
    for (int row = 0; row < m_data.quality.size(); ++row) {
        const ChannelQuality &quality = m_data.quality[row];
        const double rate = quality.requests > 0 ? double(quality.requests - quality.errors) / double(quality.requests) : 1.0;
        const QStringList cells = {
            quality.channelName,
            formatCount(quality.requests),
            quality.requests > 0 ? formatPercent(rate) : QStringLiteral("–"),
            medianText(quality.medianLatencyMs),
            medianText(quality.medianTtftMs),
        };
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            if (column > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_quality->setItem(row, column, item);
        }
    }
}

bool UsagePage::exportCsv(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(usageSeriesCsv(m_data).toUtf8()) < 0
        || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void UsagePage::onExport()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export usage"), QStringLiteral("tarn-usage.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export usage"), tr("Could not write %1: %2").arg(path, error));
}

} // namespace tarn::ui
