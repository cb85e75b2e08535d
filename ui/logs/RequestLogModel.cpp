// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/logs/RequestLogModel.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QBrush>
#include <QLocale>
#include <QPalette>

#include <algorithm>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

bool isError(const UsageRecord &r)
{
    return r.status >= 400 || r.status == 0;
}

QString durationText(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("–");
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', ms < 10'000 ? 2 : 1));
}

QString attemptsText(const UsageRecord &r)
{
    QStringList steps;
    for (const AttemptRecord &a : r.attemptLog) {
        // A failed attempt shows why traffic moved on; the last, good one needs no status.
        if (a.error.isEmpty() && a.status > 0 && a.status < 400)
            steps.append(a.channelName);
        else
            steps.append(QStringLiteral("%1 (%2)").arg(a.channelName, a.status ? QString::number(a.status) : QStringLiteral("no answer")));
    }
    if (steps.isEmpty())
        return r.attempts > 0 ? QString::number(r.attempts) : QStringLiteral("–");
    return steps.join(QStringLiteral(" → "));
}

} // namespace

RequestLogModel::RequestLogModel(DesktopService &service, QObject *parent)
    : QAbstractTableModel(parent)
    , m_service(service)
{
}

RequestLogModel::~RequestLogModel() = default;

void RequestLogModel::setFilter(const RequestLogFilter &filter)
{
    ++m_generation;
    beginResetModel();
    m_filter = filter;
    m_filter.beforeId = 0;
    m_filter.afterId = 0;
    m_filter.limit = kPageSize;
    m_rows.clear();
    m_fetching = false;
    m_polling = false;
    m_exhausted = false;
    endResetModel();
    requestPage();
}

void RequestLogModel::requestPage()
{
    if (m_fetching || m_exhausted)
        return;
    m_fetching = true;
    RequestLogFilter filter = m_filter;
    filter.beforeId = m_rows.isEmpty() ? 0 : m_rows.last().record.id;
    const quint64 generation = m_generation;
    m_service.run<Rows>(
        this, [filter](Database &database) { return UsageStatsRepository(database).requestLog(filter); },
        [this, generation](Rows rows) {
            if (generation != m_generation)
                return;
            if (!rows) {
                m_fetching = false;
                m_exhausted = true;
                Q_EMIT loadFailed(rows.error().message);
                return;
            }
            m_exhausted = rows->size() < m_filter.limit;
            if (!rows->isEmpty()) {
                beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows->size() - 1));
                m_rows.append(*rows);
                endInsertRows();
            }
            // Only now: a view or tester asking for more while the rows go in would otherwise
            // read the same page again.
            m_fetching = false;
            Q_EMIT loaded();
        });
}

void RequestLogModel::pollNewer()
{
    // With nothing shown yet, the first page is what a poll would read: let it arrive first.
    if (m_polling || (m_fetching && m_rows.isEmpty()))
        return;
    m_polling = true;
    RequestLogFilter filter = m_filter;
    filter.afterId = m_rows.isEmpty() ? 0 : m_rows.first().record.id;
    const quint64 generation = m_generation;
    m_service.run<Rows>(
        this, [filter](Database &database) { return UsageStatsRepository(database).requestLog(filter); },
        [this, generation](Rows rows) {
            if (generation != m_generation)
                return;
            m_polling = false;
            if (!rows) {
                Q_EMIT loadFailed(rows.error().message);
                return;
            }
            if (rows->size() >= m_filter.limit) {
                // More arrived than a page holds: the newest page would leave a hole below it,
                // so start over from the newest.
                setFilter(m_filter);
                return;
            }
            QList<RequestLogRow> fresh = *rows;
            std::sort(fresh.begin(), fresh.end(), [](const RequestLogRow &a, const RequestLogRow &b) { return a.record.id > b.record.id; });
            const qint64 newest = m_rows.isEmpty() ? 0 : m_rows.first().record.id;
            fresh.erase(std::remove_if(fresh.begin(), fresh.end(), [newest](const RequestLogRow &r) { return r.record.id <= newest; }),
                        fresh.end());
            if (!fresh.isEmpty()) {
                beginInsertRows({}, 0, int(fresh.size() - 1));
                m_rows = fresh + m_rows;
                endInsertRows();
            }
            Q_EMIT loaded();
        });
}

int RequestLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RequestLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool RequestLogModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_exhausted && !m_fetching;
}

void RequestLogModel::fetchMore(const QModelIndex &parent)
{
    if (!parent.isValid())
        requestPage();
}

QString RequestLogModel::displayText(const RequestLogRow &row, int column) const
{
    const UsageRecord &r = row.record;
    const QLocale locale;
    switch (column) {
    case Time:
        return r.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Client:
        if (!row.clientKeyName.isEmpty())
            return row.clientKeyName;
        return r.clientKeyId ? tr("key #%1").arg(r.clientKeyId) : tr("local");
    case Inbound:
        return r.inboundFormat;
    case Route: {
        QString target = r.channelName.isEmpty() ? QStringLiteral("–") : r.channelName;
        if (!r.upstreamModel.isEmpty() && r.upstreamModel != r.requestedModel)
            target += QStringLiteral(" / ") + r.upstreamModel;
        return r.requestedModel + QStringLiteral(" → ") + target;
    }
    case Attempts:
        return attemptsText(r);
    case Tokens:
        return QStringLiteral("%1 / %2 / %3").arg(locale.toString(r.promptTokens), locale.toString(r.completionTokens),
                                                   locale.toString(r.cachedTokens));
    case Latency:
        return durationText(r.latencyMs);
    case Ttft:
        return durationText(r.ttftMs);
    case Status:
        if (r.status == 0)
            return r.error.isEmpty() ? tr("client gone") : tr("client gone: %1").arg(r.error);
        return r.error.isEmpty() ? QString::number(r.status) : QStringLiteral("%1 %2").arg(QString::number(r.status), r.error);
    default:
        return {};
    }
}

QVariant RequestLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RequestLogRow &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayText(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Status || index.column() == Attempts) {
            QStringList lines;
            for (const AttemptRecord &a : row.record.attemptLog) {
                lines.append(QStringLiteral("%1 [%2]: %3, %4").arg(a.channelName, a.keyId,
                                                                 a.status ? QString::number(a.status) : tr("no answer"),
                                                                 durationText(a.ms))
                             + (a.error.isEmpty() ? QString() : QStringLiteral(" – ") + a.error));
            }
            if (!row.record.error.isEmpty())
                lines.prepend(row.record.error);
            return lines.isEmpty() ? QVariant() : QVariant(lines.join(u'\n'));
        }
        if (index.column() == Route)
            return QString(row.record.endpoint + (row.record.stream ? tr(" (stream)") : QString()));
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Status && isError(row.record))
            return QBrush(QColor(0xc6, 0x28, 0x28));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Tokens || index.column() == Latency || index.column() == Ttft)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case IdRole:
        return row.record.id;
    default:
        return {};
    }
}

QVariant RequestLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Client: return tr("Client");
    case Inbound: return tr("Format");
    case Route: return tr("Model → channel");
    case Attempts: return tr("Attempts");
    case Tokens: return tr("Tokens in/out/cached");
    case Latency: return tr("Latency");
    case Ttft: return tr("TTFT");
    case Status: return tr("Status");
    default: return {};
    }
}

} // namespace tarn::ui
