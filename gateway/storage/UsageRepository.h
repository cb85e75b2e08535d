// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/storage/UsageSummary.h"

#include <QHash>
#include <QList>

class QSqlQuery;

namespace tarn::gateway {

class Database;

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

    // Inserts all records in one transaction (all or none).
    Status insert(const QList<UsageRecord> &records);
    // Totals for records with time >= since.
    Result<UsageSummary> summarize(const QDateTime &since) const;
    // The newest records first.
    Result<QList<UsageRecord>> recent(int limit) const;
    Result<qint64> count() const;
    // Per channel id (the channel that answered; 0 = none is left out), records with
    // time >= sinceUtc.
    Result<QHash<qint64, ChannelUsageTotals>> channelTotalsSince(const QDateTime &sinceUtc) const;

private:
    Database &m_db;
};

} // namespace tarn::gateway
