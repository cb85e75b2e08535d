// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/logs/RequestLogModel.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/UsageStatsRepository.h"
#include "ui/NumberFormat.h"

#include <QBrush>
#include <QLocale>
#include <QPalette>

#include <algorithm>
#include <utility>

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

// A token count short enough for four to share a narrow column: "23.5k"; the tooltip has them whole.
QString shortTokens(qint64 tokens)
{
    if (tokens < 1000)
        return QString::number(tokens);
    if (tokens < 1000000)
        return QString::number(double(tokens) / 1e3, 'f', tokens < 100000 ? 1 : 0) + QLatin1Char('k');
    return QString::number(double(tokens) / 1e6, 'f', 1) + QLatin1Char('M');
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

QString RequestLogModel::tokensToolTip(const UsageRecord &r)
{
    // Providers count thinking as output (and bill it so): the tooltip says what the column's
    // last number is part of.
    return tr("Input: %1 tokens, %2 of them cached\nOutput: %3 tokens, %4 of them reasoning")
        .arg(formatCount(r.promptTokens), formatCount(r.cachedTokens), formatCount(r.completionTokens),
             formatCount(r.reasoningTokens));
}

QString RequestLogModel::detailsText(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    const RequestLogRow &logRow = m_rows.at(row);
    const UsageRecord &r = logRow.record;
    QStringList lines;
    lines.append(tr("%1 · %2 · %3 %4%5")
                     .arg(r.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                          displayText(logRow, Client), r.inboundFormat, r.endpoint,
                          r.stream ? tr(" (stream)") : QString()));
    QString route = tr("Model %1 → %2").arg(r.requestedModel, r.channelName.isEmpty() ? tr("no channel") : r.channelName);
    if (!r.upstreamModel.isEmpty() && r.upstreamModel != r.requestedModel)
        route += tr(" as %1").arg(r.upstreamModel);
    lines.append(route);
    for (int i = 0; i < r.attemptLog.size(); ++i) {
        const AttemptRecord &a = r.attemptLog[i];
        lines.append(tr("Attempt %1: %2, key %3 – %4 in %5%6")
                         .arg(i + 1)
                         .arg(a.channelName, a.keyId.isEmpty() ? tr("?") : a.keyId,
                              a.status ? QString::number(a.status) : tr("no answer"), durationText(a.ms),
                              a.error.isEmpty() ? QString() : QStringLiteral(": ") + a.error));
    }
    lines.append(tr("Tokens: input %1 (%2 cached) · output %3 (%4 reasoning)")
                     .arg(formatCount(r.promptTokens), formatCount(r.cachedTokens), formatCount(r.completionTokens),
                          formatCount(r.reasoningTokens)));
    QString outcome = tr("Status %1 · latency %2 · first token %3")
                          .arg(r.status ? QString::number(r.status) : tr("client gone"), durationText(r.latencyMs),
                               durationText(r.ttftMs));
    lines.append(outcome);
    if (!r.error.isEmpty())
        lines.append(tr("Error: %1").arg(r.error));
    return lines.join(u'\n');
}

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
    m_pendingNewer.clear();
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
    load(filter, Load::OlderPage);
}

void RequestLogModel::pollNewer()
{
    // With nothing shown yet, the first page is what a poll would read: let it arrive first.
    if (m_polling || (m_fetching && m_rows.isEmpty()))
        return;
    m_polling = true;
    RequestLogFilter filter = m_filter;
    filter.afterId = m_rows.isEmpty() ? 0 : m_rows.first().record.id;
    load(filter, Load::Newer);
}

void RequestLogModel::load(const RequestLogFilter &filter, Load kind)
{
    // One query and one answer path for pages and polls: an answer for an older filter is
    // dropped, a failure is reported the same way, and only where the rows go differs.
    const quint64 generation = m_generation;
    m_service.run<Rows>(
        this, [filter](Database &database) { return UsageStatsRepository(database).requestLog(filter); },
        [this, generation, kind](Rows rows) {
            if (generation != m_generation)
                return;
            if (!rows) {
                if (kind == Load::Newer) {
                    m_polling = false;
                    m_pendingNewer.clear();
                }
                if (kind == Load::OlderPage) {
                    m_fetching = false;
                    m_exhausted = true;
                }
                Q_EMIT loadFailed(rows.error().message);
                return;
            }
            if (kind == Load::OlderPage ? appendPage(*rows) : prependNewer(*rows))
                Q_EMIT loaded();
        });
}

bool RequestLogModel::appendPage(const QList<RequestLogRow> &rows)
{
    m_exhausted = rows.size() < m_filter.limit;
    if (!rows.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size() - 1));
        m_rows.append(rows);
        endInsertRows();
    }
    // Only now: a view or tester asking for more while the rows go in would otherwise read the
    // same page again.
    m_fetching = false;
    return true;
}

bool RequestLogModel::prependNewer(QList<RequestLogRow> rows)
{
    const qint64 newest = m_rows.isEmpty() ? 0 : m_rows.first().record.id;
    std::sort(rows.begin(), rows.end(), [](const RequestLogRow &a, const RequestLogRow &b) { return a.record.id > b.record.id; });
    const bool full = rows.size() >= m_filter.limit;
    rows.erase(std::remove_if(rows.begin(), rows.end(), [newest](const RequestLogRow &r) { return r.record.id <= newest; }),
               rows.end());
    m_pendingNewer.append(rows);
    if (full && !m_pendingNewer.isEmpty()) {
        if (m_pendingNewer.size() >= kMaxCatchUp) {
            // Far behind (the page sat hidden through a burst): start over from the newest.
            m_polling = false;
            setFilter(m_filter);
            return false;
        }
        // A full page may leave a gap below it: read the next page down to the rows shown, and
        // insert everything at once, so the view's scroll position and selection survive.
        RequestLogFilter filter = m_filter;
        filter.afterId = newest;
        filter.beforeId = m_pendingNewer.last().record.id;
        load(filter, Load::Newer);
        return false;
    }
    m_polling = false;
    rows = std::exchange(m_pendingNewer, {});
    if (!rows.isEmpty()) {
        beginInsertRows({}, 0, int(rows.size() - 1));
        m_rows = rows + m_rows;
        endInsertRows();
    }
    return true;
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
    switch (column) {
    case Time: {
        // Today's requests need no date; older ones get theirs (the tooltip has the full time).
        const QDateTime local = r.time.toLocalTime();
        return local.date() == QDate::currentDate() ? local.toString(QStringLiteral("HH:mm:ss"))
                                                    : local.toString(QStringLiteral("MM-dd HH:mm:ss"));
    }
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
        return QStringLiteral("%1 / %2 / %3 / %4")
            .arg(shortTokens(r.promptTokens), shortTokens(r.completionTokens), shortTokens(r.cachedTokens),
                 shortTokens(r.reasoningTokens));
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
        // The whole route (the column elides it in a narrow window) and the endpoint it came in on.
        if (index.column() == Route)
            return QString(displayText(row, Route) + u'\n' + row.record.endpoint
                           + (row.record.stream ? tr(" (stream)") : QString()));
        if (index.column() == Tokens)
            return tokensToolTip(row.record);
        if (index.column() == Time)
            return row.record.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t"));
        // Narrow columns elide: the tooltip has the whole text.
        return displayText(row, index.column());
    case Qt::BackgroundRole:
        // A failed request stands out across its whole row, not only in its status cell.
        if (isError(row.record))
            return QBrush(QColor(0xc6, 0x28, 0x28, 40));
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
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == Tokens)
        return tr("Input / output / cached / reasoning tokens. Cached tokens are part of the input, reasoning "
                  "tokens part of the output.");
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Client: return tr("Client");
    case Inbound: return tr("Format");
    case Route: return tr("Model → channel");
    case Attempts: return tr("Attempts");
    // The four numbers do not leave room for four words: the header's tooltip names them.
    case Tokens: return tr("Tokens");
    case Latency: return tr("Latency");
    case Ttft: return tr("TTFT");
    case Status: return tr("Status");
    default: return {};
    }
}

} // namespace tarn::ui
