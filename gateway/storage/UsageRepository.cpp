// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/UsageRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSqlDriver>
#include <QSqlQuery>

#include <vector>

#ifdef TARN_SQLITE_NATIVE
#include <sqlite3.h>
#endif

namespace tarn::gateway {

using namespace storage;

// Empty in builds without the native path, so ~UsageRepository has one definition either way.
struct NativeUsageStatements
{
#ifdef TARN_SQLITE_NATIVE
    sqlite3 *db = nullptr; // the connection they were prepared on
    sqlite3_stmt *full = nullptr; // kRowsPerStatement rows
    sqlite3_stmt *single = nullptr;
    void clear()
    {
        sqlite3_finalize(full);
        sqlite3_finalize(single);
        full = single = nullptr;
    }
    ~NativeUsageStatements() { clear(); }
#endif
};

namespace {

const QString kAggregates = QStringLiteral(
    "count(*), sum(CASE WHEN status >= 400 OR status = 0 THEN 1 ELSE 0 END), total(prompt_tokens), "
    "total(completion_tokens), total(cached_tokens), avg(latency_ms)");

UsageSummaryRow rowFrom(const QSqlQuery &q, int first, const QString &name)
{
    UsageSummaryRow row;
    row.name = name;
    row.requests = q.value(first).toLongLong();
    row.errors = q.value(first + 1).toLongLong();
    row.promptTokens = q.value(first + 2).toLongLong();
    row.completionTokens = q.value(first + 3).toLongLong();
    row.cachedTokens = q.value(first + 4).toLongLong();
    row.avgLatencyMs = q.value(first + 5).toDouble();
    return row;
}

// Written by hand: this runs for every usage row, and a QJsonDocument per row cost more than the
// row's own insert. Numbers are integers; strings are escaped as JSON requires.
void appendJsonString(QString &out, const QString &text)
{
    out += u'"';
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'"': out += u"\\\""; break;
        case u'\\': out += u"\\\\"; break;
        case u'\n': out += u"\\n"; break;
        case u'\r': out += u"\\r"; break;
        case u'\t': out += u"\\t"; break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += u'"';
}

QString attemptLogJson(const QList<AttemptRecord> &log)
{
    if (log.isEmpty())
        return QStringLiteral("[]");
    QString out;
    out.reserve(96 * log.size());
    out += u'[';
    for (const AttemptRecord &a : log) {
        if (out.size() > 1)
            out += u',';
        out += u"{\"channel_id\":" + QString::number(a.channelId) + u",\"channel\":";
        appendJsonString(out, a.channelName);
        out += u",\"key\":";
        appendJsonString(out, a.keyId);
        out += u",\"status\":" + QString::number(a.status) + u",\"error\":";
        appendJsonString(out, a.error);
        out += u",\"ms\":" + QString::number(a.ms) + u'}';
    }
    out += u']';
    return out;
}

QList<AttemptRecord> attemptLogFromJson(const QString &text)
{
    QList<AttemptRecord> log;
    if (text.isEmpty() || text == u"[]")
        return log;
    for (const QJsonValue &value : QJsonDocument::fromJson(text.toUtf8()).array()) {
        const QJsonObject o = value.toObject();
        AttemptRecord a;
        a.channelId = o.value(QStringLiteral("channel_id")).toInteger();
        a.channelName = o.value(QStringLiteral("channel")).toString();
        a.keyId = o.value(QStringLiteral("key")).toString();
        a.status = o.value(QStringLiteral("status")).toInt();
        a.error = o.value(QStringLiteral("error")).toString();
        a.ms = o.value(QStringLiteral("ms")).toInteger();
        log.append(a);
    }
    return log;
}

// Named placeholders in column order: the native path binds them by index (1-based, in order of
// first appearance), the portable one by name.
constexpr char kInsertSql[] =
    "INSERT INTO usage (ts, client_key_id, inbound_format, endpoint, requested_model, channel_id, "
    "channel_name, upstream_model, status, stream, prompt_tokens, completion_tokens, cached_tokens, "
    "latency_ms, ttft_ms, attempts, error, attempt_log, channel_format, reasoning_tokens) VALUES (:ts, "
    ":client_key_id, :inbound_format, :endpoint, :requested_model, :channel_id, :channel_name, "
    ":upstream_model, :status, :stream, :prompt_tokens, :completion_tokens, :cached_tokens, :latency_ms, "
    ":ttft_ms, :attempts, :error, :attempt_log, :channel_format, :reasoning_tokens)";

qint64 rowTime(const UsageRecord &r)
{
    return r.time.isValid() ? r.time.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
}

#ifdef TARN_SQLITE_NATIVE
// The connection's own sqlite3 handle, as QSqlDriver::handle() documents it. Only a build whose
// Qt SQLite driver uses this same libsqlite3 defines TARN_SQLITE_NATIVE (a driver with SQLite
// compiled in has its own copy, which must never see another copy's functions).
sqlite3 *nativeHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

// The usage writer's hot path: one row per proxied request. Through QSqlQuery a row cost about
// 50 k instructions, two thirds of them wrapping and unwrapping twenty QVariants. Bound here
// directly, and 32 rows to a statement (AUTOINCREMENT reads and writes sqlite_sequence once per
// statement, not per row), a row costs about a third of that (bench/README.md, "Usage rows").
constexpr int kColumns = 20;
constexpr int kTextColumns = 9;
constexpr int kRowsPerStatement = 32;

QByteArray nativeInsertSql(int rows)
{
    QByteArray sql(kInsertSql, qstrlen(kInsertSql));
    sql.truncate(sql.indexOf(" VALUES ("));
    sql += " VALUES ";
    const QByteArray row = "(?" + QByteArray(",?").repeated(kColumns - 1) + ")";
    for (int i = 0; i < rows; ++i)
        sql += (i > 0 ? "," : "") + row;
    return sql;
}

Status insertNative(sqlite3 *db, NativeUsageStatements &statements, const QList<UsageRecord> &records)
{
    auto fail = [db](const char *step) {
        return Error::storage(QStringLiteral("recording usage failed (%1): %2")
                                  .arg(QLatin1String(step), QString::fromUtf8(sqlite3_errmsg(db))));
    };
    // Text columns are NOT NULL: a null QString is stored as the empty string, as bindable() does.
    // SQLITE_STATIC: each value's UTF-8 stays in its own slot until its statement is stepped.
    std::vector<QByteArray> text(size_t(kTextColumns * kRowsPerStatement));
    auto insertRows = [&](sqlite3_stmt *statement, qsizetype first, int rows) -> Status {
        size_t slot = 0;
        int index = 0;
        bool ok = true;
        auto bindText = [&](const QString &value) {
            QByteArray &utf8 = text[slot++];
            utf8 = value.toUtf8();
            ok = ok && sqlite3_bind_text(statement, ++index, utf8.isNull() ? "" : utf8.constData(),
                                         int(utf8.size()), SQLITE_STATIC) == SQLITE_OK;
        };
        auto bindInt = [&](qint64 value) { ok = ok && sqlite3_bind_int64(statement, ++index, value) == SQLITE_OK; };
        for (qsizetype i = first; i < first + rows; ++i) { // in kInsertSql's column order
            const UsageRecord &r = records.at(i);
            bindText(dbTimeFromMSecs(rowTime(r)));
            bindInt(r.clientKeyId);
            bindText(r.inboundFormat);
            bindText(r.endpoint);
            bindText(r.requestedModel);
            bindInt(r.channelId);
            bindText(r.channelName);
            bindText(r.upstreamModel);
            bindInt(r.status);
            bindInt(r.stream ? 1 : 0);
            bindInt(r.promptTokens);
            bindInt(r.completionTokens);
            bindInt(r.cachedTokens);
            bindInt(r.latencyMs);
            bindInt(r.ttftMs);
            bindInt(r.attempts);
            bindText(r.error);
            bindText(attemptLogJson(r.attemptLog));
            bindText(r.channelFormat);
            bindInt(r.reasoningTokens);
        }
        if (!ok)
            return fail("bind");
        const bool done = sqlite3_step(statement) == SQLITE_DONE;
        const Status status = done ? Status() : Status(fail("insert"));
        sqlite3_reset(statement);
        return status;
    };
    auto prepare = [db](int rows, sqlite3_stmt **statement) {
        const QByteArray sql = nativeInsertSql(rows);
        return sqlite3_prepare_v2(db, sql.constData(), int(sql.size()), statement, nullptr) == SQLITE_OK;
    };
    if (statements.db != db) { // another connection's statements cannot run on this one
        statements.clear();
        statements.db = db;
    }
    qsizetype next = 0;
    while (next < records.size()) {
        const bool whole = records.size() - next >= kRowsPerStatement;
        sqlite3_stmt **statement = whole ? &statements.full : &statements.single;
        if (!*statement && !prepare(whole ? kRowsPerStatement : 1, statement))
            return fail("prepare");
        const int rows = whole ? kRowsPerStatement : 1;
        if (Status status = insertRows(*statement, next, rows); !status)
            return status;
        next += rows;
    }
    return {};
}
#endif

} // namespace

UsageRepository::UsageRepository(Database &db)
    : m_db(db)
{
}

UsageRepository::~UsageRepository() = default;

Status UsageRepository::insert(const QList<UsageRecord> &records, InsertPath path)
{
    if (records.isEmpty())
        return {};
#ifdef TARN_SQLITE_NATIVE
    if (path == InsertPath::Native) {
        if (sqlite3 *native = nativeHandle(m_db.handle())) {
            if (!m_native)
                m_native = std::make_unique<NativeUsageStatements>();
            return m_db.transaction([&] { return insertNative(native, *m_native, records); });
        }
    }
#else
    Q_UNUSED(path)
#endif
    // Named placeholders bound by prebuilt names: QSqlResult::bindValue(int) formats ":%1" into a
    // new string for every positional value, which was a third of the cost of a row.
    static const QString ts = QStringLiteral(":ts"), clientKey = QStringLiteral(":client_key_id"),
                         format = QStringLiteral(":inbound_format"), endpoint = QStringLiteral(":endpoint"),
                         requested = QStringLiteral(":requested_model"), channelId = QStringLiteral(":channel_id"),
                         channelName = QStringLiteral(":channel_name"), upstream = QStringLiteral(":upstream_model"),
                         status = QStringLiteral(":status"), stream = QStringLiteral(":stream"),
                         prompt = QStringLiteral(":prompt_tokens"), completion = QStringLiteral(":completion_tokens"),
                         cached = QStringLiteral(":cached_tokens"), latency = QStringLiteral(":latency_ms"),
                         ttft = QStringLiteral(":ttft_ms"), attempts = QStringLiteral(":attempts"),
                         error = QStringLiteral(":error"), attemptLog = QStringLiteral(":attempt_log"),
                         channelFormat = QStringLiteral(":channel_format"),
                         reasoning = QStringLiteral(":reasoning_tokens");
    return m_db.transaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        const QString what = QStringLiteral("recording usage");
        if (!q.prepare(QString::fromLatin1(kInsertSql)))
            return queryError(q, what);
        for (const UsageRecord &r : records) {
            q.bindValue(ts, dbTimeFromMSecs(rowTime(r)));
            q.bindValue(clientKey, r.clientKeyId);
            q.bindValue(format, bindable(r.inboundFormat));
            q.bindValue(endpoint, bindable(r.endpoint));
            q.bindValue(requested, bindable(r.requestedModel));
            q.bindValue(channelId, r.channelId);
            q.bindValue(channelName, bindable(r.channelName));
            q.bindValue(upstream, bindable(r.upstreamModel));
            q.bindValue(status, r.status);
            q.bindValue(stream, r.stream ? 1 : 0);
            q.bindValue(prompt, r.promptTokens);
            q.bindValue(completion, r.completionTokens);
            q.bindValue(cached, r.cachedTokens);
            q.bindValue(latency, r.latencyMs);
            q.bindValue(ttft, r.ttftMs);
            q.bindValue(attempts, r.attempts);
            q.bindValue(error, bindable(r.error));
            q.bindValue(attemptLog, attemptLogJson(r.attemptLog));
            q.bindValue(channelFormat, bindable(r.channelFormat));
            q.bindValue(reasoning, r.reasoningTokens);
            if (!q.exec())
                return queryError(q, what);
        }
        return {};
    });
}

Result<UsageSummary> UsageRepository::summarize(const QDateTime &since) const
{
    UsageSummary summary;
    summary.since = since.toUTC();
    const QVariant sinceValue = since.isValid() ? toDbTime(since) : QVariant(QStringLiteral(""));
    const QString what = QStringLiteral("summarizing usage");
    auto grouped = [&](const QString &column, QList<UsageSummaryRow> &rows) -> Status {
        QSqlQuery q(m_db.handle());
        q.setForwardOnly(true);
        if (Status s = execute(q, QStringLiteral("SELECT %1, %2 FROM usage WHERE ts >= ? GROUP BY %1 "
                                                 "ORDER BY count(*) DESC, %1").arg(column, kAggregates),
                               {sinceValue}, what);
            !s)
            return s;
        while (q.next())
            rows.append(rowFrom(q, 1, q.value(0).toString()));
        return {};
    };
    if (Status s = grouped(QStringLiteral("channel_name"), summary.channels); !s)
        return s.error();
    if (Status s = grouped(QStringLiteral("requested_model"), summary.models); !s)
        return s.error();

    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT %1 FROM usage WHERE ts >= ?").arg(kAggregates), {sinceValue}, what); !s)
        return s.error();
    if (q.next())
        summary.total = rowFrom(q, 0, QStringLiteral("total"));
    return summary;
}

QString usageRecordColumns(const QString &prefix)
{
    static const QStringList columns = {
        QStringLiteral("id"), QStringLiteral("ts"), QStringLiteral("client_key_id"), QStringLiteral("inbound_format"),
        QStringLiteral("endpoint"), QStringLiteral("requested_model"), QStringLiteral("channel_id"),
        QStringLiteral("channel_name"), QStringLiteral("upstream_model"), QStringLiteral("status"), QStringLiteral("stream"),
        QStringLiteral("prompt_tokens"), QStringLiteral("completion_tokens"), QStringLiteral("cached_tokens"),
        QStringLiteral("latency_ms"), QStringLiteral("ttft_ms"), QStringLiteral("attempts"), QStringLiteral("error"),
        QStringLiteral("attempt_log"), QStringLiteral("channel_format"), QStringLiteral("reasoning_tokens")};
    QStringList prefixed;
    prefixed.reserve(columns.size());
    for (const QString &column : columns)
        prefixed.append(prefix + column);
    return prefixed.join(QStringLiteral(", "));
}

UsageRecord usageRecordFrom(const QSqlQuery &q, int first)
{
    UsageRecord r;
    r.id = q.value(first + 0).toLongLong();
    r.time = fromDbTime(q.value(first + 1));
    r.clientKeyId = q.value(first + 2).toLongLong();
    r.inboundFormat = q.value(first + 3).toString();
    r.endpoint = q.value(first + 4).toString();
    r.requestedModel = q.value(first + 5).toString();
    r.channelId = q.value(first + 6).toLongLong();
    r.channelName = q.value(first + 7).toString();
    r.upstreamModel = q.value(first + 8).toString();
    r.status = q.value(first + 9).toInt();
    r.stream = q.value(first + 10).toInt() != 0;
    r.promptTokens = q.value(first + 11).toLongLong();
    r.completionTokens = q.value(first + 12).toLongLong();
    r.cachedTokens = q.value(first + 13).toLongLong();
    r.latencyMs = q.value(first + 14).toLongLong();
    r.ttftMs = q.value(first + 15).toLongLong();
    r.attempts = q.value(first + 16).toInt();
    r.error = q.value(first + 17).toString();
    r.attemptLog = attemptLogFromJson(q.value(first + 18).toString());
    r.channelFormat = q.value(first + 19).toString();
    r.reasoningTokens = q.value(first + 20).toLongLong();
    return r;
}

Result<QList<UsageRecord>> UsageRepository::recent(int limit) const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT %1 FROM usage ORDER BY ts DESC, id DESC LIMIT ?").arg(usageRecordColumns()),
                           {std::max(limit, 0)}, QStringLiteral("reading recent usage"));
        !s)
        return s.error();
    QList<UsageRecord> records;
    while (q.next())
        records.append(usageRecordFrom(q));
    return records;
}

Result<qint64> UsageRepository::count() const
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("SELECT count(*) FROM usage"), {}, QStringLiteral("counting usage")); !s)
        return s.error();
    return q.next() ? q.value(0).toLongLong() : 0;
}

Result<QHash<qint64, ChannelUsageTotals>> UsageRepository::channelTotalsSince(const QDateTime &sinceUtc) const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    const QVariant since = sinceUtc.isValid() ? toDbTime(sinceUtc) : QVariant(QStringLiteral(""));
    if (Status s = execute(q, QStringLiteral("SELECT channel_id, count(*), total(prompt_tokens) + total(completion_tokens) "
                                             "FROM usage WHERE ts >= ? AND channel_id != 0 GROUP BY channel_id"),
                           {since}, QStringLiteral("reading channel usage"));
        !s)
        return s.error();
    QHash<qint64, ChannelUsageTotals> totals;
    while (q.next())
        totals.insert(q.value(0).toLongLong(), {q.value(1).toLongLong(), q.value(2).toLongLong()});
    return totals;
}

Result<QHash<qint64, qint64>> UsageRepository::clientKeyTokensSince(const QDateTime &sinceUtc) const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    const QVariant since = sinceUtc.isValid() ? toDbTime(sinceUtc) : QVariant(QStringLiteral(""));
    if (Status s = execute(q, QStringLiteral("SELECT client_key_id, total(prompt_tokens) + total(completion_tokens) "
                                             "FROM usage WHERE client_key_id != 0 AND ts >= ? GROUP BY client_key_id"),
                           {since}, QStringLiteral("reading client key usage"));
        !s)
        return s.error();
    QHash<qint64, qint64> totals;
    while (q.next())
        totals.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
    return totals;
}

} // namespace tarn::gateway
