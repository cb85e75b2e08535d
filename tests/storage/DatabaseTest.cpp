// SPDX-License-Identifier: GPL-3.0-or-later
// Opening, creating, upgrading and refusing databases.
#include "StorageTestSupport.h"

#include "gateway/storage/Migrations.h"
#include "gateway/storage/SettingsRepository.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

using namespace tarn::gateway;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::ReadOnly));
    return file.readAll();
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

// Runs SQL on a plain connection that is not a Tarn Database, to craft files by hand.
void rawExec(const QString &path, const QStringList &statements)
{
    const QString name = QStringLiteral("raw-") + QString::number(QRandomGenerator::global()->generate());
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ASSERT_TRUE(db.open());
        QSqlQuery q(db);
        for (const QString &sql : statements)
            ASSERT_TRUE(q.exec(sql)) << sql.toStdString() << ": " << q.lastError().text().toStdString();
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

QString queryString(Database &db, const QString &sql)
{
    QSqlQuery q(db.handle());
    EXPECT_TRUE(q.exec(sql) && q.next()) << sql.toStdString();
    return q.value(0).toString();
}

QStringList tableNames(Database &db)
{
    QStringList names;
    QSqlQuery q(db.handle());
    EXPECT_TRUE(q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")));
    while (q.next())
        names << q.value(0).toString();
    return names;
}

class DatabaseTest : public ::testing::Test
{
protected:
    QString path() const { return m_dir.filePath(QStringLiteral("tarn.sqlite3")); }
    QTemporaryDir m_dir;
};

TEST_F(DatabaseTest, FreshDatabaseHasSchemaWalAndLatestVersion)
{
    const QString nested = m_dir.filePath(QStringLiteral("a/b/tarn.sqlite3"));
    auto db = Database::open(nested, QStringLiteral("fresh"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_TRUE(QFile::exists(nested));
    EXPECT_EQ((*db)->schemaVersion(), Database::latestSchemaVersion());
    EXPECT_GE(Database::latestSchemaVersion(), 1);
    EXPECT_EQ(queryString(**db, QStringLiteral("PRAGMA user_version")).toInt(), Database::latestSchemaVersion());
    EXPECT_EQ(queryString(**db, QStringLiteral("PRAGMA journal_mode")), QStringLiteral("wal"));
    EXPECT_EQ(queryString(**db, QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);
    EXPECT_EQ(queryString(**db, QStringLiteral("PRAGMA busy_timeout")).toInt(), 5000);
    EXPECT_EQ(queryString(**db, QStringLiteral("PRAGMA synchronous")).toInt(), 1); // NORMAL
    const QStringList tables = tableNames(**db);
    for (const char *t : {"channels", "client_keys", "usage", "settings", "meta"})
        EXPECT_TRUE(tables.contains(QString::fromLatin1(t))) << t;
    const QString indexes = queryString(**db, QStringLiteral(
        "SELECT group_concat(name) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage' AND sql IS NOT NULL"));
    EXPECT_TRUE(indexes.contains(u"usage_ts")) << indexes.toStdString();
    EXPECT_TRUE(indexes.contains(u"usage_channel_ts")) << indexes.toStdString();
    SettingsRepository settings(**db);
    ASSERT_TRUE(settings.configRevision().ok());
    EXPECT_EQ(*settings.configRevision(), 0);
}

TEST_F(DatabaseTest, ReopeningKeepsDataAndVersion)
{
    {
        auto db = Database::open(path(), QStringLiteral("first"));
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(SettingsRepository(**db).setValue(QStringLiteral("k"), QStringLiteral("v")).ok());
    }
    auto db = Database::open(path(), QStringLiteral("second"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ(*SettingsRepository(**db).value(QStringLiteral("k")), QStringLiteral("v"));
}

TEST_F(DatabaseTest, UpgradesAnEmptyVersionZeroDatabase)
{
    rawExec(path(), {QStringLiteral("CREATE TABLE t (a)"), QStringLiteral("DROP TABLE t")});
    auto db = Database::open(path(), QStringLiteral("v0"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), Database::latestSchemaVersion());
    EXPECT_TRUE(tableNames(**db).contains(QStringLiteral("channels")));
}

TEST_F(DatabaseTest, UpgradesFromAnOlderSchemaKeepingData)
{
    QList<Migration> v1Only = {schemaMigrations().first()};
    {
        auto db = Database::open(path(), QStringLiteral("old"), v1Only);
        ASSERT_TRUE(db.ok());
        EXPECT_EQ((*db)->schemaVersion(), 1);
        ASSERT_TRUE(SettingsRepository(**db).setValue(QStringLiteral("kept"), QStringLiteral("yes")).ok());
    }
    QList<Migration> later = v1Only;
    later.append({2, {QStringLiteral("ALTER TABLE channels ADD COLUMN notes TEXT NOT NULL DEFAULT ''"),
                      QStringLiteral("CREATE TABLE extra (a)")}});
    auto db = Database::open(path(), QStringLiteral("new"), later);
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), 2);
    EXPECT_EQ(queryString(**db, QStringLiteral("PRAGMA user_version")).toInt(), 2);
    EXPECT_TRUE(tableNames(**db).contains(QStringLiteral("extra")));
    EXPECT_EQ(*SettingsRepository(**db).value(QStringLiteral("kept")), QStringLiteral("yes"));
}

TEST_F(DatabaseTest, FailedMigrationRollsBackEverything)
{
    QList<Migration> v1Only = {schemaMigrations().first()};
    { ASSERT_TRUE(Database::open(path(), QStringLiteral("v1"), v1Only).ok()); }
    QList<Migration> broken = v1Only;
    broken.append({2, {QStringLiteral("CREATE TABLE half_done (a)"), QStringLiteral("THIS IS NOT SQL")}});
    auto failed = Database::open(path(), QStringLiteral("broken"), broken);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::StorageError);
    EXPECT_TRUE(failed.error().message.contains(u"nothing was changed")) << failed.error().message.toStdString();

    auto db = Database::open(path(), QStringLiteral("after"), v1Only);
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), 1);
    EXPECT_FALSE(tableNames(**db).contains(QStringLiteral("half_done")));
}

TEST_F(DatabaseTest, RefusesADatabaseFromANewerTarnAndLeavesItUntouched)
{
    { ASSERT_TRUE(Database::open(path(), QStringLiteral("make")).ok()); }
    const int newer = Database::latestSchemaVersion() + 1;
    rawExec(path(), {QStringLiteral("PRAGMA user_version = %1").arg(newer)});
    const QByteArray before = readFile(path());

    auto db = Database::open(path(), QStringLiteral("newer"));
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.error().code, ErrorCode::SchemaTooNew);
    EXPECT_TRUE(db.error().message.contains(u"newer Tarn")) << db.error().message.toStdString();
    EXPECT_TRUE(db.error().message.contains(QStringLiteral("schema %1").arg(newer))) << db.error().message.toStdString();
    EXPECT_EQ(readFile(path()), before);
    // The connection name is released after a refusal.
    EXPECT_FALSE(QSqlDatabase::contains(QStringLiteral("newer")));
}

TEST_F(DatabaseTest, RefusesACorruptFileAndNeverOverwritesIt)
{
    QByteArray garbage(8192, '\0');
    for (char &c : garbage)
        c = static_cast<char>(QRandomGenerator::global()->bounded(256));
    writeFile(path(), garbage);

    auto db = Database::open(path(), QStringLiteral("corrupt"));
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.error().code, ErrorCode::StorageError);
    EXPECT_TRUE(db.error().message.contains(u"is not a Tarn database or is corrupt")) << db.error().message.toStdString();
    EXPECT_EQ(readFile(path()), garbage);
}

TEST_F(DatabaseTest, RefusesATextFile)
{
    const QByteArray text = "channels:\n  - name: openai\n";
    writeFile(path(), text);
    auto db = Database::open(path(), QStringLiteral("text"));
    ASSERT_FALSE(db.ok());
    EXPECT_TRUE(db.error().message.contains(u"is not a Tarn database or is corrupt"));
    EXPECT_EQ(readFile(path()), text);
}

TEST_F(DatabaseTest, RefusesAnotherApplicationsSqliteDatabase)
{
    rawExec(path(), {QStringLiteral("CREATE TABLE bookmarks (url TEXT)")});
    const QByteArray before = readFile(path());
    auto db = Database::open(path(), QStringLiteral("foreign"));
    ASSERT_FALSE(db.ok());
    EXPECT_TRUE(db.error().message.contains(u"is not a Tarn database")) << db.error().message.toStdString();
    EXPECT_EQ(readFile(path()), before);
}

TEST_F(DatabaseTest, ConnectionNamesAreExclusiveAndReleasedOnDestruction)
{
    auto first = Database::open(path(), QStringLiteral("shared-name"));
    ASSERT_TRUE(first.ok());
    auto second = Database::open(path(), QStringLiteral("shared-name"));
    EXPECT_FALSE(second.ok());
    first.value().reset();
    EXPECT_FALSE(QSqlDatabase::contains(QStringLiteral("shared-name")));
    EXPECT_TRUE(Database::open(path(), QStringLiteral("shared-name")).ok());
}

TEST_F(DatabaseTest, TwoConnectionsSeeEachOthersWrites)
{
    auto a = Database::open(path(), QStringLiteral("conn-a"));
    auto b = Database::open(path(), QStringLiteral("conn-b"));
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(SettingsRepository(**a).setValue(QStringLiteral("x"), QStringLiteral("1")).ok());
    EXPECT_EQ(*SettingsRepository(**b).value(QStringLiteral("x")), QStringLiteral("1"));
    EXPECT_EQ(*SettingsRepository(**b).configRevision(), 1);
}

TEST_F(DatabaseTest, TransactionsCommitOnSuccessAndRollBackOnFailure)
{
    auto db = Database::open(path(), QStringLiteral("tx"));
    ASSERT_TRUE(db.ok());
    SettingsRepository settings(**db);
    const Status failed = (*db)->transaction([&]() -> Status {
        EXPECT_TRUE(settings.setValue(QStringLiteral("a"), QStringLiteral("1")).ok());
        return Error::invalid(QStringLiteral("stop"));
    });
    EXPECT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().message, QStringLiteral("stop"));
    EXPECT_TRUE(settings.all()->isEmpty());

    const Status ok = (*db)->transaction([&]() -> Status {
        EXPECT_TRUE(settings.setValue(QStringLiteral("outer"), QStringLiteral("1")).ok());
        const Status inner = (*db)->transaction([&]() -> Status {
            EXPECT_TRUE(settings.setValue(QStringLiteral("inner"), QStringLiteral("1")).ok());
            return Error::invalid(QStringLiteral("inner fails"));
        });
        EXPECT_FALSE(inner.ok());
        return {};
    });
    EXPECT_TRUE(ok.ok());
    const QMap<QString, QString> expected{{QStringLiteral("outer"), QStringLiteral("1")}};
    EXPECT_EQ(*settings.all(), expected);
}

} // namespace
