// SPDX-License-Identifier: GPL-3.0-or-later
// UsageStatsRepository's request log: single usage rows, newest first, filtered and paged.
#include "gateway/storage/UsageStatsRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"
#include "gateway/storage/UsageRepository.h"

#include <QSqlQuery>

#include <algorithm>

namespace tarn::gateway {

using namespace storage;

namespace {

RequestLogRow logRowFrom(const QSqlQuery &q)
{
    RequestLogRow row;
    row.record = usageRecordFrom(q);
    row.clientKeyName = q.value(21).toString(); // the column after the record's
    return row;
}

} // namespace

Result<QList<RequestLogRow>> UsageStatsRepository::requestLog(const RequestLogFilter &filter) const
{
    QStringList where;
    QVariantList bindings;
    if (!filter.model.isEmpty()) {
        where << QStringLiteral("(u.requested_model = ? OR u.upstream_model = ?)");
        bindings << filter.model << filter.model;
    }
    if (!filter.channel.isEmpty()) {
        where << QStringLiteral("u.channel_name = ?");
        bindings << filter.channel;
    }
    if (filter.clientKeyId == RequestLogFilter::NoClientKey) {
        where << QStringLiteral("(u.client_key_id IS NULL OR u.client_key_id = 0)");
    } else if (filter.clientKeyId != 0) {
        where << QStringLiteral("u.client_key_id = ?");
        bindings << filter.clientKeyId;
    }
    if (!filter.inboundFormat.isEmpty()) {
        where << QStringLiteral("u.inbound_format = ?");
        bindings << filter.inboundFormat;
    }
    if (filter.status == RequestLogFilter::Status::Success)
        where << QStringLiteral("u.status > 0 AND u.status < 400");
    else if (filter.status == RequestLogFilter::Status::Error)
        where << QStringLiteral("(u.status >= 400 OR u.status = 0)");
    // Keyset paging on the rowid: a page costs the same however deep it is.
    if (filter.beforeId > 0) {
        where << QStringLiteral("u.id < ?");
        bindings << filter.beforeId;
    }
    if (filter.afterId > 0) {
        where << QStringLiteral("u.id > ?");
        bindings << filter.afterId;
    }
    bindings << std::max(filter.limit, 0);
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral(
                                  "SELECT %1, k.name FROM usage u LEFT JOIN client_keys k ON k.id = u.client_key_id "
                                  "%2 ORDER BY u.id DESC LIMIT ?")
                                  .arg(usageRecordColumns(QStringLiteral("u.")),
                                       where.isEmpty() ? QString() : QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND "))),
                           bindings, QStringLiteral("reading the request log"));
        !s)
        return s.error();
    QList<RequestLogRow> rows;
    while (q.next())
        rows.append(logRowFrom(q));
    return rows;
}

} // namespace tarn::gateway
