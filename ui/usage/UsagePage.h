// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/usage/UsageQuery.h"

#include <QTimeZone>
#include <QWidget>

class QButtonGroup;
class QChartView;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class HeatmapWidget;

// The Usage page: tokens over time stacked by channel or model, the input/cached/output/reasoning split,
// requests and errors, shares, an hour-by-weekday heatmap and each channel's success rate and
// median latency, for a chosen range and bucket size. Only aggregates are read, on the service's
// thread; a result for a query that has been replaced meanwhile is dropped.
class UsagePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsagePage)

public:
    explicit UsagePage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~UsagePage() override;

    // The query the controls describe now (presets are taken relative to the current time).
    UsageQuery currentQuery() const;
    // The data on screen (that of the newest query answered).
    const UsageData &data() const { return m_data; }
    // True until the first query has been answered: the page shows "Summarising usage…" with an
    // indeterminate progress bar instead of empty charts.
    bool isLoading() const;
    // Writes the series on screen as CSV; false (and why, in error) when the file cannot be written.
    bool exportCsv(const QString &path, QString *error = nullptr) const;
    // The zone whose days, weeks, months and clock times the page shows: the system's, unless a
    // test sets another (the custom range's fields are read as wall times in it). Takes effect
    // with the next refresh.
    void setTimeZone(const QTimeZone &zone) { m_zone = zone; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    // A query's result has been shown (tests wait on it).
    void refreshed();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *createControls();
    QChartView *createChart(const QString &name, const QString &title);
    QWidget *withSpan(QChartView *chart, QLabel **span, const QString &name);
    void onRangeChanged();
    void showPresetInFields(UsageRangePreset preset);
    void onExport();
    void showData(UsageData data);
    void showQuality();

    gateway::DesktopService &m_service;
    QTimer *m_timer = nullptr;
    UsageData m_data;
    QTimeZone m_zone = QTimeZone::systemTimeZone();

    QComboBox *m_range = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QComboBox *m_granularity = nullptr;
    QButtonGroup *m_grouping = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_summary = nullptr;
    QWidget *m_loading = nullptr; // shown until the first answer, in place of m_charts
    QWidget *m_charts = nullptr;
    QLabel *m_empty = nullptr;  // "No requests in this range", in place of m_charts

    QChartView *m_tokens = nullptr;
    QChartView *m_split = nullptr;
    QChartView *m_requests = nullptr;
    // Under each bar chart: the span it covers when its bars are too many to carry labels.
    QLabel *m_tokensSpan = nullptr;
    QLabel *m_splitSpan = nullptr;
    QLabel *m_requestsSpan = nullptr;
    QChartView *m_modelShare = nullptr;
    QChartView *m_channelShare = nullptr;
    HeatmapWidget *m_heatmap = nullptr;
    QTableWidget *m_quality = nullptr;
};

} // namespace tarn::ui
