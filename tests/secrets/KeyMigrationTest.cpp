// SPDX-License-Identifier: GPL-3.0-or-later
// Keys an older Tarn kept in the database move into the vault on the first open: afterwards no
// byte of them is left in the database, its WAL or shared memory; key ids (disabled keys) still
// match; and a stop midway (between channels, or inside one) loses no key.
#include "gateway/secrets/EncryptedFileSecretStore.h"
#include "gateway/secrets/MemorySecretStore.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/KeyMigration.h"
#include "gateway/storage/Migrations.h"
#include "tests/support/TempDataDir.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using tarn::test::TempDataDir;

namespace {

QString legacyKey(int channel, int key)
{
    return QStringLiteral("sk-legacy-%1-%2-7f3a9c2e5b1d4f608a7c").arg(channel).arg(key);
}

// A database as Tarn stored it before keys moved out: plain keys in channels.keys, edited a few
// times (so older copies sit in freed pages and the WAL too), one key disabled.
void makeOldDatabase(const TempDataDir &dir, int channels)
{
    auto db = Database::open(dir.dbPath(), QStringLiteral("old-tarn"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    QSqlQuery q((*db)->handle());
    for (int c = 0; c < channels; ++c) {
        const QString keys = QString::fromUtf8(
            QJsonDocument(QJsonArray{QStringLiteral("sk-legacy-old-%1-ffffffffffff").arg(c)}).toJson(QJsonDocument::Compact));
        q.prepare(QStringLiteral("INSERT INTO channels (name, type, base_url, keys, models, created_at, updated_at) "
                                 "VALUES (?, 'openai', 'http://127.0.0.1:9/v1', ?, '[\"gpt-x\"]', '2025-01-01T00:00:00Z', "
                                 "'2025-01-01T00:00:00Z')"));
        q.addBindValue(QStringLiteral("c%1").arg(c));
        q.addBindValue(keys);
        ASSERT_TRUE(q.exec()) << q.lastError().text().toStdString();
        const QString newKeys = QString::fromUtf8(QJsonDocument(QJsonArray{legacyKey(c, 0), legacyKey(c, 1)}).toJson(QJsonDocument::Compact));
        q.prepare(QStringLiteral("UPDATE channels SET keys = ? WHERE name = ?"));
        q.addBindValue(newKeys);
        q.addBindValue(QStringLiteral("c%1").arg(c));
        ASSERT_TRUE(q.exec());
    }
    ASSERT_TRUE(q.exec(QStringLiteral("INSERT INTO channel_key_state (channel_id, key_id, disabled_reason, disabled_at) "
                                      "SELECT id, '%1', 'HTTP 401', '2025-01-01T00:00:00Z' FROM channels WHERE name = 'c0'")
                           .arg(keyId(legacyKey(0, 1)))));
}

QStringList storedKeys(Database &db, const QString &name)
{
    QSqlQuery q(db.handle());
    q.prepare(QStringLiteral("SELECT keys FROM channels WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return {};
    QStringList keys;
    for (const QJsonValue &v : QJsonDocument::fromJson(q.value(0).toString().toUtf8()).array())
        keys << v.toString();
    return keys;
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void expectEveryKeyResolves(Database &db, int channels)
{
    Result<QList<Channel>> list = ChannelRepository(db).list();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), channels);
    for (const Channel &c : *list) {
        const int n = c.name.mid(1).toInt();
        EXPECT_EQ(c.keys, (QStringList{legacyKey(n, 0), legacyKey(n, 1)})) << c.name.toStdString();
    }
}

std::shared_ptr<SecretVault> fileVault(const TempDataDir &dir)
{
    return std::make_shared<SecretVault>(dir.path(), std::make_unique<EncryptedFileSecretStore>(dir.path()));
}

} // namespace

TEST(KeyMigration, PlainKeysMoveOutOnOpenAndNoByteOfThemIsLeft)
{
    TempDataDir dir;
    makeOldDatabase(dir, 3);
    {
        auto db = Database::open(dir.dbPath(), QStringLiteral("new-tarn"));
        ASSERT_TRUE(db.ok());
        for (int c = 0; c < 3; ++c) {
            const QStringList refs = storedKeys(**db, QStringLiteral("c%1").arg(c));
            ASSERT_EQ(refs.size(), 2);
            EXPECT_TRUE(SecretVault::isReference(refs[0]) && SecretVault::isReference(refs[1]));
        }
        expectEveryKeyResolves(**db, 3);
        // The disabled key is still the same key: ids come from the key, not its reference.
        const Result<Channel> c0 = ChannelRepository(**db).findByName(QStringLiteral("c0"));
        ASSERT_TRUE(c0.ok());
        EXPECT_TRUE(c0->disabledKeys.contains(keyId(c0->keys.at(1))));
        // While the connection is open too (the WAL exists then).
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            EXPECT_FALSE(fileBytes(dir.dbPath() + suffix).contains("sk-legacy")) << "open, tarn.sqlite3" << suffix.toStdString();
    }
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QByteArray bytes = fileBytes(dir.dbPath() + suffix);
        EXPECT_FALSE(bytes.contains("sk-legacy")) << "tarn.sqlite3" << suffix.toStdString();
    }
    EXPECT_FALSE(fileBytes(dir.filePath(QStringLiteral("secrets.enc"))).contains("sk-legacy"));
    // A second open finds nothing left to move.
    auto again = Database::open(dir.dbPath(), QStringLiteral("new-tarn-2"));
    ASSERT_TRUE(again.ok());
    expectEveryKeyResolves(**again, 3);
}

TEST(KeyMigration, AStopMidwayLosesNothingAndTheNextStartFinishes)
{
    TempDataDir dir;
    makeOldDatabase(dir, 4);
    // A vault that cannot store anything: opening leaves every key where it was, and working.
    auto broken = std::make_unique<MemorySecretStore>();
    broken->failWritesAfter(0);
    SecretVault::install(dir.path(), std::make_shared<SecretVault>(dir.path(), std::move(broken)));
    auto db = Database::open(dir.dbPath(), QStringLiteral("broken-vault"));
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(storedKeys(**db, QStringLiteral("c0")), (QStringList{legacyKey(0, 0), legacyKey(0, 1)}));
    expectEveryKeyResolves(**db, 4);

    // Killed after two channels: those hold references, the others their plain keys, and every
    // channel still has every key.
    const std::shared_ptr<SecretVault> file = fileVault(dir);
    (*db)->useSecrets(file);
    EXPECT_FALSE(moveChannelKeysToVault(**db, 2).ok());
    EXPECT_TRUE(SecretVault::isReference(storedKeys(**db, QStringLiteral("c0")).value(0)));
    EXPECT_TRUE(SecretVault::isReference(storedKeys(**db, QStringLiteral("c1")).value(1)));
    EXPECT_EQ(storedKeys(**db, QStringLiteral("c2")), (QStringList{legacyKey(2, 0), legacyKey(2, 1)}));
    expectEveryKeyResolves(**db, 4);

    // Killed inside a channel, after its first key was stored: the channel keeps its plain keys
    // (its transaction never committed) and the half-stored secret is taken back.
    auto flaky = std::make_unique<MemorySecretStore>();
    MemorySecretStore *flakyStore = flaky.get();
    flaky->failWritesAfter(1);
    (*db)->useSecrets(std::make_shared<SecretVault>(dir.path(), std::move(flaky)));
    EXPECT_FALSE(moveChannelKeysToVault(**db).ok());
    EXPECT_EQ(storedKeys(**db, QStringLiteral("c2")), (QStringList{legacyKey(2, 0), legacyKey(2, 1)}));
    EXPECT_EQ(flakyStore->size(), 0);
    (*db)->useSecrets(file);
    expectEveryKeyResolves(**db, 4);

    // The next start moves the rest.
    SecretVault::install(dir.path(), file);
    auto next = Database::open(dir.dbPath(), QStringLiteral("next-start"));
    ASSERT_TRUE(next.ok());
    for (int c = 0; c < 4; ++c) {
        const QStringList refs = storedKeys(**next, QStringLiteral("c%1").arg(c));
        ASSERT_EQ(refs.size(), 2);
        EXPECT_TRUE(SecretVault::isReference(refs[0]) && SecretVault::isReference(refs[1])) << c;
    }
    expectEveryKeyResolves(**next, 4);
    db->reset();
    next->reset();
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        EXPECT_FALSE(fileBytes(dir.dbPath() + suffix).contains("sk-legacy")) << suffix.toStdString();
    SecretVault::install(dir.path(), nullptr);
}

// A Tarn from before the vault would send a reference upstream as if it were the key. The move
// comes with a schema version that build does not know, so it refuses the database instead.
TEST(KeyMigration, ATarnFromBeforeTheVaultRefusesTheMovedDatabase)
{
    TempDataDir dir;
    makeOldDatabase(dir, 1);
    {
        auto db = Database::open(dir.dbPath(), QStringLiteral("vault-tarn"));
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(SecretVault::isReference(storedKeys(**db, QStringLiteral("c0")).value(0)));
        QSqlQuery q((*db)->handle());
        ASSERT_TRUE(q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'channel_keys'")) && q.next());
        EXPECT_EQ(q.value(0).toString(), QStringLiteral("vault references"));
    }
    QList<Migration> beforeTheVault;
    for (const Migration &m : schemaMigrations()) {
        if (m.version <= 7)
            beforeTheVault << m;
    }
    auto old = Database::open(dir.dbPath(), QStringLiteral("pre-vault-tarn"), beforeTheVault);
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.error().code, ErrorCode::SchemaTooNew);
    EXPECT_TRUE(old.error().message.contains(u"newer Tarn")) << old.error().message.toStdString();
}
