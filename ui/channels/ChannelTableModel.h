// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/RouterStatus.h"
#include "gateway/storage/UsageSummary.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QList>

#include <optional>

namespace tarn::ui {

// The channels as stored, with the router's live state, the last test and today's usage beside
// each: what the Channels page's table shows.
class ChannelTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelTableModel)

public:
    enum Column { Name, Type, Models, Priority, Weight, State, Latency, TodayRequests, TodayTokens, Balance, ColumnCount };
    enum Role { ChannelIdRole = Qt::UserRole + 1 };

    explicit ChannelTableModel(QObject *parent = nullptr);
    ~ChannelTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the rows. When the same channels come back in the same order the rows change in
    // place (dataChanged for the rows that differ), so selection and scrolling survive the
    // page's periodic refresh; otherwise the model resets.
    void update(const QList<gateway::Channel> &channels, const QHash<qint64, gateway::ChannelUsageTotals> &today,
                const gateway::RouterStatus &status);
    // A finished test of a channel: shown in the Latency column until the next test.
    void setTestResult(qint64 channelId, qint64 latencyMs, const QString &error);
    // The provider's answer about the key's balance ("CNY 110.00") or coding-plan quota, or "?"
    // with why not; detail is the tooltip. usedPercent (0-100, -1 = not a quota) colours a quota
    // as the tray does: green below 70 %, orange from 70 %, red from 90 %.
    void setBalance(qint64 channelId, const QString &balance, const QString &detail, double usedPercent = -1);
    // The quota scale's colours.
    static QColor quotaColor(double usedPercent);

    const gateway::Channel *channelAt(int row) const;
    int rowOf(const QString &name) const;

    // How a channel can serve now, for the State column's text and colour.
    enum class StateKind { Healthy, Cooling, Open, Disabled, Unknown };
    struct LiveState
    {
        StateKind kind = StateKind::Unknown;
        QString text; // "healthy", "cooling until 14:05", "circuit open", "disabled: <reason>"
    };
    static LiveState liveState(const gateway::Channel &channel, const gateway::ChannelStatus *status);
    // Green up to 1 s, lime up to 3 s, yellow up to 5 s, red beyond.
    static QColor latencyColor(double latencyMs);

private:
    struct TestResult
    {
        qint64 latencyMs = 0;
        QString error;
        bool operator==(const TestResult &) const = default;
    };
    struct Row
    {
        gateway::Channel channel;
        std::optional<gateway::ChannelStatus> status;
        gateway::ChannelUsageTotals today;
        bool operator==(const Row &) const = default;
    };

    QVariant display(const Row &row, int column) const;
    QVariant foreground(const Row &row, int column) const;
    QString latencyText(const Row &row) const;

    QList<Row> m_rows;
    QHash<qint64, TestResult> m_tests;
    struct BalanceCell
    {
        QString text;
        QString detail;
        double usedPercent = -1;
    };
    QHash<qint64, BalanceCell> m_balances;
};

} // namespace tarn::ui
