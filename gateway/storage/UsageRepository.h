// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/storage/UsageSummary.h"

#include <QHash>
#include <QList>

#include <memory>

class QSqlQuery;

namespace tarn::gateway {

class Database;
struct NativeUsageStatements;

// The usage columns a UsageRecord is read from, in the order usageRecordFrom reads them, each
// name prefixed (e.g. "u." for a joined query). Shared so every reader of usage rows agrees.
QString usageRecordColumns(const QString &prefix = {});
// Reads a UsageRecord from q's columns first onwards, listed by usageRecordColumns.
UsageRecord usageRecordFrom(const QSqlQuery &q, int first = 0);

// Appends usage records and answers aggregate questions about them.
class UsageRepository final
{
public:
    explicit UsageRepository(Database &db);
    ~UsageRepository();
    UsageRepository(const UsageRepository &) = delete;
    UsageRepository &operator=(const UsageRepository &) = delete;

    // How insert() talks to SQLite. Native binds straight through the connection's sqlite3 handle
    // when this build may (see gateway/storage/CMakeLists.txt) and falls back to Portable
    // otherwise; Portable goes through QSqlQuery. Both write the same rows (tests compare them).
    enum class InsertPath { Native, Portable };
    // Inserts all records in one transaction (all or none).
    Status insert(const QList<UsageRecord> &records, InsertPath path = InsertPath::Native);
    // Totals for records with time >= since.
    Result<UsageSummary> summarize(const QDateTime &since) const;
    // The newest records first.
    Result<QList<UsageRecord>> recent(int limit) const;
    Result<qint64> count() const;
    // Per channel id (the channel that answered; 0 = none is left out), records with
    // time >= sinceUtc.
    Result<QHash<qint64, ChannelUsageTotals>> channelTotalsSince(const QDateTime &sinceUtc) const;
    // Tokens (prompt + completion) per client key id (0 = no key is left out) of records with
    // time >= sinceUtc: what the key limits count.
    Result<QHash<qint64, qint64>> clientKeyTokensSince(const QDateTime &sinceUtc) const;

private:
    Database &m_db;
    // The native path's prepared statements, kept for the next insert: preparing the 32-row
    // statement costs more than writing a hundred rows. A long-lived repository (the usage
    // writer's) keeps them; they are finalized with it, before its connection closes.
    std::unique_ptr<NativeUsageStatements> m_native;
};

} // namespace tarn::gateway
