// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelTableModel.h"

#include <QLocale>
#include <QRegularExpression>

#include <algorithm>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

QString untilText(const QDateTime &utc)
{
    return ChannelTableModel::tr("cooling until %1").arg(utc.toLocalTime().toString(QStringLiteral("HH:mm")));
}

// A reason short enough for the State column: the HTTP status when it names one ("HTTP 401: Incorrect
// API key provided" and "every key is disabled (HTTP 401: …)" both say "HTTP 401"); the tooltip
// has the whole reason.
QString shortReason(const QString &reason)
{
    static const QRegularExpression httpStatus(QStringLiteral("HTTP \\d{3}"));
    const QRegularExpressionMatch match = httpStatus.match(reason);
    return match.hasMatch() ? match.captured() : reason;
}

bool isNumeric(int column)
{
    return column == ChannelTableModel::Priority || column == ChannelTableModel::Weight
        || column == ChannelTableModel::Latency || column == ChannelTableModel::TodayRequests
        || column == ChannelTableModel::TodayTokens || column == ChannelTableModel::Balance;
}

} // namespace

ChannelTableModel::ChannelTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

ChannelTableModel::~ChannelTableModel() = default;

int ChannelTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ChannelTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChannelTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Name");
    case Type: return tr("Type");
    case Models: return tr("Models");
    case Priority: return tr("Priority");
    case Weight: return tr("Weight");
    case State: return tr("State");
    case Latency: return tr("Latency");
    // Two lines: one-line headers left the models column a few letters wide in the default window.
    case TodayRequests: return tr("Requests\ntoday");
    case TodayTokens: return tr("Tokens\ntoday");
    case Balance: return tr("Balance /\nquota");
    default: return {};
    }
}

QVariant ChannelTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ForegroundRole:
        return foreground(row, index.column());
    case Qt::TextAlignmentRole:
        return isNumeric(index.column()) ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == State && row.status && !row.status->reason.isEmpty()) {
            QStringList lines{row.status->reason};
            for (const KeyStatus &k : row.status->keys) {
                if (k.state != HealthState::Healthy && !k.reason.isEmpty() && k.reason != row.status->reason)
                    lines.append(QStringLiteral("%1: %2").arg(k.keyId, k.reason));
            }
            return lines.join(u'\n');
        }
        if (index.column() == Latency && m_tests.contains(row.channel.id))
            return m_tests.value(row.channel.id).error;
        if (index.column() == Balance)
            return m_balances.value(row.channel.id).detail;
        if (index.column() == Models)
            return row.channel.servedModels().join(QLatin1Char('\n'));
        return {};
    case ChannelIdRole:
        return row.channel.id;
    default:
        return {};
    }
}

QVariant ChannelTableModel::display(const Row &row, int column) const
{
    const Channel &c = row.channel;
    switch (column) {
    case Name: return c.name;
    case Type: return channelTypeName(c.type);
    case Models: return c.servedModels().join(QStringLiteral(", "));
    case Priority: return c.priority;
    case Weight: return QLocale().toString(c.weight, 'g', 4);
    case State: return liveState(c, row.status ? &*row.status : nullptr).text;
    case Latency: return latencyText(row);
    case TodayRequests: return QLocale().toString(row.today.requests);
    case TodayTokens: return QLocale().toString(row.today.tokens);
    case Balance: return m_balances.value(c.id).text;
    default: return {};
    }
}

QVariant ChannelTableModel::foreground(const Row &row, int column) const
{
    if (column == Latency) {
        if (const auto test = m_tests.constFind(row.channel.id); test != m_tests.cend()) {
            if (!test->error.isEmpty())
                return latencyColor(1e12);
            return latencyColor(double(test->latencyMs));
        }
        if (row.status && row.status->latencyMs >= 0)
            return latencyColor(row.status->latencyMs);
        return {};
    }
    if (column == Balance) {
        const auto cell = m_balances.constFind(row.channel.id);
        return cell != m_balances.cend() && cell->usedPercent >= 0 ? QVariant(quotaColor(cell->usedPercent)) : QVariant();
    }
    if (column == State) {
        // The latency scale's colours: green serves, yellow waits, red cannot serve.
        switch (liveState(row.channel, row.status ? &*row.status : nullptr).kind) {
        case StateKind::Healthy: return latencyColor(0);
        case StateKind::Cooling: return latencyColor(4000);
        case StateKind::Open:
        case StateKind::Disabled: return latencyColor(1e12);
        case StateKind::Unknown: return {};
        }
        return {};
    }
    return {};
}

QString ChannelTableModel::latencyText(const Row &row) const
{
    double ms = -1;
    if (const auto test = m_tests.constFind(row.channel.id); test != m_tests.cend()) {
        if (!test->error.isEmpty())
            return tr("failed");
        ms = double(test->latencyMs);
    } else if (row.status) {
        ms = row.status->latencyMs;
    }
    if (ms < 0)
        return QStringLiteral("–");
    if (ms < 1000)
        return tr("%1 ms").arg(qRound(ms));
    return tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', 1));
}

ChannelTableModel::LiveState ChannelTableModel::liveState(const Channel &channel, const ChannelStatus *status)
{
    if (!channel.enabled)
        return {StateKind::Disabled, tr("disabled: turned off")};
    if (!status)
        return {StateKind::Unknown, tr("not loaded")};
    switch (status->state) {
    case HealthState::Cooling: return {StateKind::Cooling, untilText(status->cooldownUntil)};
    case HealthState::Open: return {StateKind::Open, tr("circuit open")};
    case HealthState::Disabled: return {StateKind::Disabled, tr("disabled: %1").arg(shortReason(status->reason))};
    case HealthState::Healthy: break;
    }
    // The channel itself is fine; it still cannot serve while every key is out.
    const bool anyKeyHealthy = status->keys.isEmpty()
        || std::any_of(status->keys.cbegin(), status->keys.cend(),
                       [](const KeyStatus &k) { return k.state == HealthState::Healthy; });
    if (anyKeyHealthy)
        return {StateKind::Healthy, tr("healthy")};
    QDateTime soonest;
    for (const KeyStatus &k : status->keys) {
        if (k.state != HealthState::Disabled && k.cooldownUntil.isValid() && (!soonest.isValid() || k.cooldownUntil < soonest))
            soonest = k.cooldownUntil;
    }
    if (soonest.isValid())
        return {StateKind::Cooling, untilText(soonest)};
    return {StateKind::Disabled, tr("disabled: %1").arg(shortReason(status->keys.first().reason))};
}

QColor ChannelTableModel::latencyColor(double latencyMs)
{
    if (latencyMs <= 1000)
        return QColor(0x2e, 0x7d, 0x32); // green
    if (latencyMs <= 3000)
        return QColor(0x7c, 0xb3, 0x42); // lime
    if (latencyMs <= 5000)
        return QColor(0xf9, 0xa8, 0x25); // yellow, dark enough to read on a light background
    return QColor(0xc6, 0x28, 0x28);     // red
}

QColor ChannelTableModel::quotaColor(double usedPercent)
{
    if (usedPercent >= 90)
        return latencyColor(1e12); // red
    if (usedPercent >= 70)
        return QColor(0xef, 0x6c, 0x00); // orange
    return latencyColor(0); // green
}

void ChannelTableModel::update(const QList<Channel> &channels, const QHash<qint64, ChannelUsageTotals> &today,
                               const RouterStatus &status)
{
    QList<Row> rows;
    rows.reserve(channels.size());
    for (const Channel &c : channels) {
        Row row{c, std::nullopt, today.value(c.id)};
        for (const ChannelStatus &s : status.channels) {
            if (s.channelId == c.id) {
                row.status = s;
                break;
            }
        }
        rows.append(std::move(row));
    }
    const bool sameSet = rows.size() == m_rows.size()
        && std::equal(rows.cbegin(), rows.cend(), m_rows.cbegin(),
                      [](const Row &a, const Row &b) { return a.channel.id == b.channel.id; });
    if (!sameSet) {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        return;
    }
    for (int i = 0; i < rows.size(); ++i) {
        if (rows.at(i) == m_rows.at(i))
            continue;
        m_rows[i] = std::move(rows[i]);
        Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

void ChannelTableModel::setTestResult(qint64 channelId, qint64 latencyMs, const QString &error)
{
    m_tests.insert(channelId, TestResult{latencyMs, error});
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).channel.id == channelId)
            Q_EMIT dataChanged(index(i, Latency), index(i, Latency));
    }
}

void ChannelTableModel::setBalance(qint64 channelId, const QString &balance, const QString &detail, double usedPercent)
{
    m_balances.insert(channelId, BalanceCell{balance, detail, usedPercent});
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).channel.id == channelId)
            Q_EMIT dataChanged(index(i, Balance), index(i, Balance));
    }
}

const Channel *ChannelTableModel::channelAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row).channel : nullptr;
}

int ChannelTableModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).channel.name == name)
            return i;
    }
    return -1;
}

} // namespace tarn::ui
