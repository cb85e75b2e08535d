// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QWidget>

class QChartView;
class QLabel;
class QPieSeries;
class QTableWidget;
class QTimer;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

struct OverviewData;

// The Overview page: the pool at a glance (requests, tokens, cost, success rate for today and the
// last 7 days, the last 24 h per hour, where the tokens went, and each channel's live health).
// Refreshes when shown and every few seconds while visible; the store is read on the service's
// thread and a result older than the newest request is dropped.
class OverviewPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewPage)

public:
    explicit OverviewPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~OverviewPage() override;

    // Asks for fresh aggregates and reads the router's live state now.
    void refresh();

Q_SIGNALS:
    // A refresh's result has been shown (tests wait on it).
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *createCards(const QString &period, const QString &title);
    QChartView *createPie(const QString &name, const QString &title, QPieSeries **series);
    void showData(const OverviewData &data);
    void showHealth();

    gateway::DesktopService &m_service;
    QTimer *m_timer = nullptr;
    quint64 m_sequence = 0;
    QHash<QString, QLabel *> m_cards; // "<period>.<metric>" -> value label
    QChartView *m_hourlyView = nullptr;
    QPieSeries *m_modelPie = nullptr;
    QPieSeries *m_channelPie = nullptr;
    QTableWidget *m_health = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace tarn::ui
