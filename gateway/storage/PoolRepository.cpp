// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/PoolRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QSqlQuery>

namespace tarn::gateway {

using namespace storage;

PoolRepository::PoolRepository(Database &db)
    : m_db(db)
{
}

Result<QHash<QString, PoolSettings>> PoolRepository::list() const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT model, strategy, sticky FROM pools"), {},
                           QStringLiteral("reading pool settings"));
        !s)
        return s.error();
    QHash<QString, PoolSettings> pools;
    while (q.next()) {
        PoolSettings settings;
        settings.strategy = routingStrategyFromName(q.value(1).toString()).value_or(RoutingStrategy::Weighted);
        settings.sticky = q.value(2).toInt() != 0;
        pools.insert(q.value(0).toString(), settings);
    }
    return pools;
}

Status PoolRepository::set(const QString &model, const PoolSettings &settings)
{
    QSqlQuery q(m_db.handle());
    return execute(q, QStringLiteral("INSERT INTO pools (model, strategy, sticky) VALUES (?, ?, ?) "
                                     "ON CONFLICT(model) DO UPDATE SET strategy = excluded.strategy, sticky = excluded.sticky"),
                   {model, routingStrategyName(settings.strategy), settings.sticky ? 1 : 0},
                   QStringLiteral("saving the pool settings of '%1'").arg(model));
}

Status PoolRepository::remove(const QString &model)
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("DELETE FROM pools WHERE model = ?"), {model},
                           QStringLiteral("removing the pool settings of '%1'").arg(model));
        !s)
        return s;
    if (q.numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("model '%1' has no pool settings of its own").arg(model));
    return {};
}

} // namespace tarn::gateway
