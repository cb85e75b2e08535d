// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/Result.h"

#include <QWidget>

#include <functional>

class QAction;
class QLabel;
class QTableView;
class QTimer;

namespace tarn::gateway {
class Database;
class DesktopService;
}

namespace tarn::ui {

class BalanceFetcher;
class ChannelTableModel;

// The Channels page: the upstream provider accounts with their live state, and the actions on
// them (add, edit, duplicate, enable/disable, delete, test).
class ChannelsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelsPage)

public:
    explicit ChannelsPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~ChannelsPage() override;

    ChannelTableModel *model() const { return m_model; }
    // Reads the channels and today's usage again (off the GUI thread) and merges the live state.
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    const gateway::Channel *selectedChannel() const;
    void selectChannel(const QString &name);
    void updateActions();
    void openDialog(const gateway::Channel &channel);
    void addChannel();
    void editChannel();
    void duplicateChannel();
    void toggleChannel();
    void deleteChannel();
    void testChannel();
    void checkBalances();
    // Runs a write, then applies it to the router and refreshes; failures go to the status line.
    void write(std::function<gateway::Status(gateway::Database &)> work);

    gateway::DesktopService &m_service;
    ChannelTableModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_status = nullptr;
    QTimer *m_timer = nullptr;
    QAction *m_add = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_duplicate = nullptr;
    QAction *m_toggle = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_test = nullptr;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
    QString m_selectAfterRefresh;
    BalanceFetcher *m_balances = nullptr;
};

} // namespace tarn::ui
