// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QTimeZone>
#include <QWidget>

class QCategoryAxis;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QLabel;
class QTableWidget;
class QWidget;
class QTimer;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

struct OverviewData;

// The Overview page: the gateway at a glance (requests, tokens, cost, success rate for today and
// the last 7 days, the last 24 h per hour, where the tokens went, and each model pool's live
// health). Usage refreshes when shown and every few seconds while visible, read on the service's
// thread (a result older than the newest request is dropped); until the first one arrives the page
// says it is summarising instead of showing zeros. Pool health is the router's in-memory state,
// read every second while visible and redrawn when it changed.
class OverviewPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewPage)

public:
    explicit OverviewPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~OverviewPage() override;

    static constexpr int kHealthIntervalMs = 1000;

    // True until the first usage summary has been shown.
    bool isLoading() const;
    // The zone whose day "Today" is: the system's, unless a test sets another. Takes effect with
    // the next refresh.
    void setTimeZone(const QTimeZone &zone) { m_zone = zone; }

public Q_SLOTS:
    // Asks for fresh aggregates and reads the router's live state now.
    void refresh();

Q_SIGNALS:
    // A refresh's result has been shown (tests wait on it).
    void refreshed();
    // The pool table was redrawn (its content changed).
    void healthShown();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *createCards(const QString &period, const QString &title);
    QChartView *createPie(const QString &name, const QString &title);
    void showData(const OverviewData &data);
    void showHealth();

    gateway::DesktopService &m_service;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
    QTimer *m_timer = nullptr;
    QTimer *m_healthTimer = nullptr;
    QWidget *m_loading = nullptr;
    QList<QWidget *> m_usageWidgets; // hidden until the first summary arrives
    QHash<QString, qint64> m_requestsLastHour; // by requested model
    QString m_shownPools; // what the pool table shows, to redraw only on a change
    QHash<QString, QLabel *> m_cards; // "<period>.<metric>" -> value label
    QChartView *m_hourlyView = nullptr;
    QLineSeries *m_requestsSeries = nullptr; // the hourly chart's, made on the first summary
    QLineSeries *m_tokensSeries = nullptr;
    QDateTimeAxis *m_timeAxis = nullptr;
    QCategoryAxis *m_requestAxis = nullptr;
    QCategoryAxis *m_tokenAxis = nullptr;
    QChartView *m_modelPie = nullptr;
    QChartView *m_channelPie = nullptr;
    QTableWidget *m_health = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace tarn::ui
