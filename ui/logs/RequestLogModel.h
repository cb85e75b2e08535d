// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/storage/UsageStats.h"

#include <QAbstractTableModel>
#include <QList>

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The request log, newest first, read a page at a time through the desktop service: the view's
// fetch-more loads older pages (keyset on the row id), pollNewer() puts rows that arrived since at
// the top. The whole usage table is never loaded.
class RequestLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestLogModel)

public:
    // Status comes early and the client format last: in the default window every column but the
    // last fits, and the last one (the least read) stretches.
    enum Column { Time, Status, Client, Route, Tokens, Latency, Ttft, Attempts, Inbound, ColumnCount };
    static constexpr int kPageSize = 200;
    // More new rows than this in one poll: the log starts over from the newest.
    static constexpr int kMaxCatchUp = 10 * kPageSize;
    // The row's usage id, for tests and for a details view.
    static constexpr int IdRole = Qt::UserRole + 1;

    explicit RequestLogModel(gateway::DesktopService &service, QObject *parent = nullptr);
    ~RequestLogModel() override;

    // Drops what is loaded and reads the first page of rows matching filter (paging fields ignored).
    void setFilter(const gateway::RequestLogFilter &filter);
    const gateway::RequestLogFilter &filter() const { return m_filter; }
    // Asks for rows newer than the newest shown; they are inserted at the top.
    void pollNewer();
    // True while a page or a poll is being read.
    bool isLoading() const { return m_fetching || m_polling; }
    const gateway::RequestLogRow &rowAt(int row) const { return m_rows.at(row); }
    // The Tokens column's tooltip: what each count is (reasoning is part of the output).
    static QString tokensToolTip(const gateway::UsageRecord &record);
    // Everything the row's cells shorten, spelled out for the page's details pane: when and from
    // whom, the route, every attempt with its status, time and error, the token split, the timings.
    QString detailsText(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    // A page or a poll came back (rows may or may not have been added).
    void loaded();
    void loadFailed(const QString &message);

private:
    using Rows = gateway::Result<QList<gateway::RequestLogRow>>;
    enum class Load { OlderPage, Newer };
    void requestPage();
    void load(const gateway::RequestLogFilter &filter, Load kind);
    // Where an answer's rows go; false when nothing is to be reported yet.
    bool appendPage(const QList<gateway::RequestLogRow> &rows);
    bool prependNewer(QList<gateway::RequestLogRow> rows);
    // Rows newer than the ones shown, gathered page by page (newest first) until the gap to the
    // shown ones is closed; then they go in at the top in one insertion.
    QList<gateway::RequestLogRow> m_pendingNewer;
    QString displayText(const gateway::RequestLogRow &row, int column) const;

    gateway::DesktopService &m_service;
    gateway::RequestLogFilter m_filter;
    QList<gateway::RequestLogRow> m_rows;
    quint64 m_generation = 0; // bumped by setFilter: answers for an older filter are dropped
    bool m_fetching = false;
    bool m_polling = false;
    bool m_exhausted = true;  // no older row left to load (or nothing asked for yet)
};

} // namespace tarn::ui
