// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/KeyMigration.h"

#include "gateway/core/Logging.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace tarn::gateway {

using namespace storage;

namespace {

bool hasPlainKey(const QStringList &keys)
{
    return std::any_of(keys.cbegin(), keys.cend(), [](const QString &k) { return !SecretVault::isReference(k); });
}

Status moveOneChannel(Database &db, qint64 channelId)
{
    return db.transaction([&]() -> Status {
        QSqlQuery q(db.handle());
        // Read again under the write lock: another process may have moved them meanwhile.
        if (Status s = execute(q, QStringLiteral("SELECT keys FROM channels WHERE id = ?"), {channelId},
                               QStringLiteral("reading the keys of channel %1").arg(channelId));
            !s)
            return s;
        if (!q.next())
            return {};
        QStringList keys = fromJsonArray(q.value(0).toString());
        q.finish();
        if (!hasPlainKey(keys))
            return {};
        SecretVault &vault = db.secrets();
        for (QString &key : keys) {
            if (SecretVault::isReference(key))
                continue;
            Result<QString> reference = vault.store(key);
            if (!reference)
                return Error{reference.error().code, QStringLiteral("cannot store a key of channel %1: %2")
                                                         .arg(channelId).arg(reference.error().message)};
            db.afterRollback([&vault, ref = *reference] { (void)vault.forget(ref); });
            key = *reference;
        }
        return execute(q, QStringLiteral("UPDATE channels SET keys = ? WHERE id = ?"), {toJsonArray(keys), channelId},
                       QStringLiteral("storing the key references of channel %1").arg(channelId));
    });
}

// Rebuilds the database and empties its WAL, so the pages that held keys are gone from both.
void scrubOldPages(Database &db)
{
    QSqlQuery q(db.handle());
    if (!q.exec(QStringLiteral("VACUUM")))
        qCWarning(lcStorage) << "could not compact the database after moving keys:" << q.lastError().text();
    if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")) || !q.next() || q.value(0).toInt() != 0)
        qCWarning(lcStorage) << "could not empty the database's WAL after moving keys (another connection reads it);"
                             << "it is emptied at a later checkpoint";
}

} // namespace

Status moveChannelKeysToVault(Database &db, int stopAfterChannels)
{
    QList<qint64> pending;
    {
        QSqlQuery q(db.handle());
        q.setForwardOnly(true);
        if (Status s = execute(q, QStringLiteral("SELECT id, keys FROM channels ORDER BY id"), {},
                               QStringLiteral("looking for keys to move"));
            !s)
            return s;
        while (q.next()) {
            if (hasPlainKey(fromJsonArray(q.value(1).toString())))
                pending.append(q.value(0).toLongLong());
        }
    }
    if (pending.isEmpty())
        return {};
    qCInfo(lcSecrets).noquote() << QStringLiteral("moving the provider keys of %1 channels out of the database into the %2")
                                       .arg(pending.size()).arg(db.secrets().backendName());
    {
        // Pages freed from now on are zeroed, not left with the keys in them.
        QSqlQuery q(db.handle());
        q.exec(QStringLiteral("PRAGMA secure_delete = ON"));
    }
    int moved = 0;
    for (const qint64 id : pending) {
        if (stopAfterChannels >= 0 && moved >= stopAfterChannels)
            return Error{ErrorCode::Internal, QStringLiteral("stopped after %1 channels (test)").arg(moved)};
        if (Status s = moveOneChannel(db, id); !s)
            return s;
        ++moved;
    }
    scrubOldPages(db);
    QSqlQuery(db.handle()).exec(QStringLiteral("PRAGMA secure_delete = OFF"));
    qCInfo(lcSecrets) << "provider keys moved out of the database";
    return {};
}

} // namespace tarn::gateway
