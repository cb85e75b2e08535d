// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>

namespace tarn::gateway {

struct Migration;
class SecretVault;

// One named SQLite connection (one per thread), configured (WAL, foreign keys) and migrated.
class Database final
{
public:
    // Opens (creating if needed) the database at path on a new connection named connectionName,
    // refuses corrupt files and files written by a newer Tarn, and applies pending migrations.
    static Result<std::unique_ptr<Database>> open(const QString &path, const QString &connectionName);
    // Same, with an explicit migration list (tests use it to simulate a later schema).
    static Result<std::unique_ptr<Database>> open(const QString &path, const QString &connectionName,
                                                  const QList<Migration> &migrations);
    static int latestSchemaVersion();

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    QSqlDatabase handle() const;
    int schemaVersion() const;
    QString path() const { return m_path; }

    // Runs work inside a transaction (a savepoint when nested): committed when work succeeds,
    // rolled back when it fails. The outermost level takes the write lock up front.
    Status transaction(const std::function<Status()> &work);
    // Runs work inside one read transaction: every query sees the same state of the database (WAL
    // snapshot), whatever other connections commit meanwhile. Nested: just runs work.
    Status readTransaction(const std::function<Status()> &work);
    // Runs fn once the outermost transaction in progress commits (at once when none is); dropped
    // when the work it belongs to rolls back. For effects outside the database that must follow
    // it: a secret is only deleted once no committed row can point at it.
    void afterCommit(std::function<void()> fn);
    // Runs fn when the work in progress rolls back (dropped when it commits).
    void afterRollback(std::function<void()> fn);

    // The provider keys' vault of this database's data directory (made on first use).
    SecretVault &secrets();
    // Uses vault instead from now on (tests: a vault that fails, or one swapped in midway).
    void useSecrets(std::shared_ptr<SecretVault> vault) { m_secrets = std::move(vault); }

private:
    Database(QString path, QString connectionName);
    void runPendingEffects(bool committed);

    QString m_path;
    QString m_connectionName;
    int m_schemaVersion = 0;
    int m_transactionDepth = 0;
    struct PendingEffect
    {
        std::function<void()> fn;
        bool onCommit = true;
    };
    QList<PendingEffect> m_pendingEffects;
    std::shared_ptr<SecretVault> m_secrets;
};

} // namespace tarn::gateway
