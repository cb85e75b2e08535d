// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/RouterStateRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QSqlQuery>

namespace tarn::gateway {

using namespace storage;

namespace {

HealthState healthStateFromName(const QString &name)
{
    for (const HealthState state : {HealthState::Cooling, HealthState::Open, HealthState::Disabled}) {
        if (healthStateName(state) == name)
            return state;
    }
    return HealthState::Healthy;
}

} // namespace

RouterStateRepository::RouterStateRepository(Database &db)
    : m_db(db)
{
}

Status RouterStateRepository::save(const RouterStatus &status)
{
    const QString takenAt = status.takenAt.isValid() ? toDbTime(status.takenAt).toString() : nowDbTime();
    return m_db.transaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        const QString what = QStringLiteral("saving the router state");
        if (Status s = execute(q, QStringLiteral("DELETE FROM router_state"), {}, what); !s)
            return s;
        // Prepared once: the gateway saves every second.
        if (!q.prepare(QStringLiteral("INSERT INTO router_state (channel_id, key_id, name, state, cooldown_until, reason, "
                                      "effective_weight, latency_ms, error_rate, requests, failures, updated_at) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
            return queryError(q, what);
        auto insert = [&](const QVariantList &values) -> Status {
            for (int i = 0; i < values.size(); ++i)
                q.bindValue(i, bindable(values.at(i)));
            return q.exec() ? Status{} : Status{queryError(q, what)};
        };
        for (const ChannelStatus &c : status.channels) {
            if (Status s = insert({c.channelId, QString(), c.name, healthStateName(c.state), toDbTime(c.cooldownUntil),
                                   c.reason, c.effectiveWeight, c.latencyMs, c.errorRate, c.requests, 0, takenAt});
                !s)
                return s;
            for (const KeyStatus &k : c.keys) {
                if (k.keyId.isEmpty())
                    continue; // '' is the channel's own row
                if (Status s = insert({c.channelId, k.keyId, c.name, healthStateName(k.state), toDbTime(k.cooldownUntil),
                                       k.reason, 0.0, -1.0, 0.0, k.requests, k.failures, takenAt});
                    !s)
                    return s;
            }
        }
        return {};
    });
}

Result<RouterStatus> RouterStateRepository::load() const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT channel_id, key_id, name, state, cooldown_until, reason, effective_weight, "
                                             "latency_ms, error_rate, requests, failures, updated_at FROM router_state "
                                             "ORDER BY channel_id, key_id"),
                           {}, QStringLiteral("reading the router state"));
        !s)
        return s.error();
    RouterStatus status;
    while (q.next()) {
        const qint64 channelId = q.value(0).toLongLong();
        const QString key = q.value(1).toString();
        // Rows come ordered by channel, its own row ('' sorts first) before its keys'.
        if (status.channels.isEmpty() || status.channels.last().channelId != channelId) {
            ChannelStatus channel;
            channel.channelId = channelId;
            channel.name = q.value(2).toString();
            status.channels.append(channel);
        }
        ChannelStatus &channel = status.channels.last();
        const QDateTime updatedAt = fromDbTime(q.value(11));
        if (updatedAt.isValid() && (!status.takenAt.isValid() || updatedAt > status.takenAt))
            status.takenAt = updatedAt;
        if (key.isEmpty()) {
            channel.state = healthStateFromName(q.value(3).toString());
            channel.cooldownUntil = fromDbTime(q.value(4));
            channel.reason = q.value(5).toString();
            channel.effectiveWeight = q.value(6).toDouble();
            channel.latencyMs = q.value(7).toDouble();
            channel.errorRate = q.value(8).toDouble();
            channel.requests = q.value(9).toLongLong();
        } else {
            KeyStatus k;
            k.keyId = key;
            k.state = healthStateFromName(q.value(3).toString());
            k.cooldownUntil = fromDbTime(q.value(4));
            k.reason = q.value(5).toString();
            k.requests = q.value(9).toLongLong();
            k.failures = q.value(10).toLongLong();
            channel.keys.append(k);
        }
    }
    return status;
}

} // namespace tarn::gateway
