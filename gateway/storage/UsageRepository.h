// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/storage/UsageSummary.h"

#include <QHash>
#include <QList>

namespace tarn::gateway {

class Database;

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
