// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/Database.h"

#include "gateway/core/Logging.h"
#include "gateway/storage/FilePermissions.h"
#include "gateway/storage/KeyMigration.h"
#include "gateway/storage/Migrations.h"
#include "gateway/secrets/SecretVault.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace tarn::gateway {

namespace {

const QString kDriver = QStringLiteral("QSQLITE");

QString sqlErrorText(const QSqlError &error)
{
    return error.databaseText().isEmpty() ? error.text() : error.databaseText();
}

void dropConnection(const QString &connectionName)
{
    {
        QSqlDatabase db = QSqlDatabase::database(connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

} // namespace

Database::Database(QString path, QString connectionName)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
{
}

Database::~Database()
{
    dropConnection(m_connectionName);
}

int Database::latestSchemaVersion()
{
    int latest = 0;
    for (const Migration &m : schemaMigrations())
        latest = std::max(latest, m.version);
    return latest;
}

Result<std::unique_ptr<Database>> Database::open(const QString &path, const QString &connectionName)
{
    return open(path, connectionName, schemaMigrations());
}

Result<std::unique_ptr<Database>> Database::open(const QString &path, const QString &connectionName,
                                                 const QList<Migration> &migrations)
{
    if (!QSqlDatabase::isDriverAvailable(kDriver))
        return Error::storage(QStringLiteral("the Qt SQLite driver (QSQLITE) is not available; install the Qt 6 SQLite plugin"));
    if (QSqlDatabase::contains(connectionName))
        return Error{ErrorCode::Internal, QStringLiteral("database connection name '%1' is already in use").arg(connectionName)};

    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return Error::storage(QStringLiteral("database %1 is not a regular file").arg(path));
    if (const Status secured = secureDatabaseFiles(path); !secured)
        return secured.error();

    // Owns the connection until it is handed to the Database, so every early return cleans up.
    std::unique_ptr<Database> database(new Database(path, connectionName));
    QSqlDatabase db = QSqlDatabase::addDatabase(kDriver, connectionName);
    db.setDatabaseName(path);
    if (!db.open())
        return Error::storage(QStringLiteral("cannot open database %1: %2").arg(path, sqlErrorText(db.lastError())));

    QSqlQuery query(db);
    // Waits for a writer in another process instead of failing at once. Writes nothing.
    query.exec(QStringLiteral("PRAGMA busy_timeout = 5000"));

    // Cheap integrity check before anything could write: SQLite only reads the header lazily.
    int tableCount = 0;
    if (!query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !query.next()) {
        return Error::storage(QStringLiteral("%1 is not a Tarn database or is corrupt: %2")
                                  .arg(path, sqlErrorText(query.lastError())));
    }
    tableCount = query.value(0).toInt();
    query.finish();

    Result<int> version = readSchemaVersion(db);
    if (!version)
        return Error::storage(QStringLiteral("%1 is not a Tarn database or is corrupt: %2").arg(path, version.error().message));
    int latest = 0;
    for (const Migration &m : migrations)
        latest = std::max(latest, m.version);
    if (*version > latest) {
        return Error{ErrorCode::SchemaTooNew,
                     QStringLiteral("database %1 was written by a newer Tarn (schema %2, this build knows %3); refusing to open it")
                         .arg(path).arg(*version).arg(latest)};
    }
    if (*version == 0 && tableCount > 0) {
        return Error::storage(QStringLiteral("%1 is not a Tarn database or is corrupt: it already holds other tables and no Tarn schema version")
                                  .arg(path));
    }

    if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next()
        || query.value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0) {
        return Error::storage(QStringLiteral("cannot switch %1 to WAL mode: %2").arg(path, sqlErrorText(query.lastError())));
    }
    query.finish();
    for (const QString &pragma : {QStringLiteral("PRAGMA synchronous = NORMAL"), QStringLiteral("PRAGMA foreign_keys = ON")}) {
        if (!query.exec(pragma))
            return Error::storage(QStringLiteral("%1 failed on %2: %3").arg(pragma, path, sqlErrorText(query.lastError())));
    }

    Result<int> migrated = applyMigrations(db, migrations);
    if (!migrated)
        return Error::storage(QStringLiteral("database %1: %2").arg(path, migrated.error().message));
    if (*migrated != *version)
        qCInfo(lcStorage) << "database" << path << "upgraded from schema" << *version << "to" << *migrated;
    database->m_schemaVersion = *migrated;
    // Keys an older Tarn stored in the database move to the vault; on failure they stay where they
    // were (and still work) until the next start tries again.
    if (const Status moved = moveChannelKeysToVault(*database); !moved)
        qCWarning(lcStorage).noquote() << "provider keys stay in the database for now:" << moved.error().message;
    return database;
}

QSqlDatabase Database::handle() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

int Database::schemaVersion() const
{
    return m_schemaVersion;
}

Status Database::transaction(const std::function<Status()> &work)
{
    const QSqlDatabase db = handle();
    const int depth = m_transactionDepth;
    const QString savepoint = QStringLiteral("tarn_sp%1").arg(depth);
    {
        QSqlQuery query(db);
        const QString begin = depth == 0 ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("SAVEPOINT ") + savepoint;
        if (!query.exec(begin))
            return Error::storage(QStringLiteral("cannot start a transaction: %1").arg(sqlErrorText(query.lastError())));
    }
    ++m_transactionDepth;
    const qsizetype effectsBefore = m_pendingEffects.size();
    Status result = work();
    --m_transactionDepth;

    QSqlQuery query(db);
    if (result) {
        const QString commit = depth == 0 ? QStringLiteral("COMMIT") : QStringLiteral("RELEASE ") + savepoint;
        if (query.exec(commit)) {
            if (depth == 0)
                runPendingEffects(true);
            return result;
        }
        result = Error::storage(QStringLiteral("cannot commit: %1").arg(sqlErrorText(query.lastError())));
    }
    if (depth == 0) {
        query.exec(QStringLiteral("ROLLBACK"));
        runPendingEffects(false);
    } else {
        query.exec(QStringLiteral("ROLLBACK TO ") + savepoint);
        query.exec(QStringLiteral("RELEASE ") + savepoint);
        // What the rolled-back work meant to do after a commit will not happen; its undo does now.
        const QList<PendingEffect> undone = m_pendingEffects.mid(effectsBefore);
        m_pendingEffects.resize(effectsBefore);
        for (const PendingEffect &effect : undone) {
            if (!effect.onCommit)
                effect.fn();
        }
    }
    return result;
}

void Database::runPendingEffects(bool committed)
{
    const QList<PendingEffect> effects = std::exchange(m_pendingEffects, {});
    for (const PendingEffect &effect : effects) {
        if (effect.onCommit == committed)
            effect.fn();
    }
}

void Database::afterCommit(std::function<void()> fn)
{
    if (m_transactionDepth == 0)
        fn();
    else
        m_pendingEffects.append({std::move(fn), true});
}

void Database::afterRollback(std::function<void()> fn)
{
    if (m_transactionDepth > 0)
        m_pendingEffects.append({std::move(fn), false});
}

SecretVault &Database::secrets()
{
    if (!m_secrets)
        m_secrets = SecretVault::forDataDir(QFileInfo(m_path).absolutePath());
    return *m_secrets;
}

Status Database::readTransaction(const std::function<Status()> &work)
{
    if (m_transactionDepth > 0)
        return work();
    const QSqlDatabase db = handle();
    {
        QSqlQuery query(db);
        // DEFERRED: the snapshot is taken by the first read and held until COMMIT.
        if (!query.exec(QStringLiteral("BEGIN DEFERRED")))
            return Error::storage(QStringLiteral("cannot start a read transaction: %1").arg(sqlErrorText(query.lastError())));
    }
    ++m_transactionDepth;
    Status result = work();
    --m_transactionDepth;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("COMMIT")))
        query.exec(QStringLiteral("ROLLBACK"));
    runPendingEffects(true); // nothing a read transaction holds can roll back
    return result;
}

} // namespace tarn::gateway
