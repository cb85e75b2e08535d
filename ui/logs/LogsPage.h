// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QTimer;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class RequestLogColumns;
class RequestLogModel;

// The Logs page: every request, newest first, filterable by model, channel, status, client key and
// client format; new requests appear at the top while the page is open.
class LogsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogsPage)

public:
    static constexpr int kPollMs = 2000;
    // The details pane holds this many lines (one request with four attempts) without resizing.
    static constexpr int kDetailsLines = 7;

    explicit LogsPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~LogsPage() override;

    RequestLogModel *model() const { return m_model; }
    RequestLogColumns *columns() const { return m_columns; }
    QTableView *view() const { return m_view; }
    // The details pane's text: the selected request in full, or how to get it.
    QString detailsText() const;
    // The filter the combos describe.
    gateway::RequestLogFilter currentFilter() const;

public Q_SLOTS:
    // Reads the filter choices again and the rows newer than those shown (F5).
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void refreshFilterChoices();
    void applyFilter();
    void showDetails();
    // Keeps the rows under a user who scrolled down in place while new ones go in at the top.
    void keepScrollAnchored(int first, int last);

    gateway::DesktopService &m_service;
    RequestLogModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    RequestLogColumns *m_columns = nullptr;
    QComboBox *m_modelCombo = nullptr;
    QComboBox *m_channelCombo = nullptr;
    QComboBox *m_statusCombo = nullptr;
    QComboBox *m_clientCombo = nullptr;
    QComboBox *m_formatCombo = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_details = nullptr;
    QTimer *m_pollTimer = nullptr;
    bool m_loadedOnce = false;
};

} // namespace tarn::ui
