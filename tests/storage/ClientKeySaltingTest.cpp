// SPDX-License-Identifier: GPL-3.0-or-later
// Salted client key hashes, key limits and last use against a real SQLite file, and the schema v7
// migration from a database an older Tarn wrote.
#include "StorageTestSupport.h"

#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Migrations.h"
#include "gateway/storage/SettingsRepository.h"

#include <QFile>
#include <QSqlQuery>
#include <QTimeZone>

using namespace tarn::gateway;

namespace {

class ClientKeySaltingTest : public tarn::gateway::test::StorageTest
{
protected:
    qint64 revision() { return *SettingsRepository(db()).configRevision(); }
    QString saltPath() const { return m_dir.filePath(QString::fromLatin1(ClientKeyRepository::kSaltFileName)); }

    qint64 importLegacy(const QString &name, const QByteArray &plaintext)
    {
        ClientKey k;
        k.name = name;
        k.hash = ClientKeyRepository::hashKey(plaintext);
        k.prefix = QString::fromLatin1(plaintext.left(ClientKeyRepository::kPrefixLength));
        EXPECT_TRUE(ClientKeyRepository(db()).importKey(k).ok());
        return ClientKeyRepository(db()).findByName(name)->id;
    }
};

TEST_F(ClientKeySaltingTest, HmacSha256MatchesTheRfcVector)
{
    // RFC 4231-style check with the well-known example ("key", "The quick brown fox…").
    EXPECT_EQ(hashClientKey("The quick brown fox jumps over the lazy dog", KeyHashScheme::HmacSha256, "key"),
              QByteArray("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"));
    EXPECT_EQ(hashClientKey("abc", KeyHashScheme::Sha256, "ignored"), ClientKeyRepository::hashKey("abc"));
    bool ok = false;
    EXPECT_EQ(keyHashSchemeFromName(u"hmac-sha256", &ok), KeyHashScheme::HmacSha256);
    EXPECT_TRUE(ok);
    keyHashSchemeFromName(u"md5", &ok);
    EXPECT_FALSE(ok);
}

TEST_F(ClientKeySaltingTest, TheSaltIsMadeOnceInAnOwnerOnlyFileBesideTheDatabase)
{
    EXPECT_FALSE(QFile::exists(saltPath()));
    const Result<QByteArray> salt = ClientKeyRepository(db()).installSalt();
    ASSERT_TRUE(salt.ok()) << salt.error().message.toStdString();
    EXPECT_EQ(salt->size(), 32);
    ASSERT_TRUE(QFile::exists(saltPath()));
    EXPECT_EQ(QFile::permissions(saltPath()) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ReadOwner
                                                 | QFileDevice::WriteOwner),
              QFileDevice::Permissions());
    EXPECT_EQ(*ClientKeyRepository::installSalt(dbPath()), *salt); // read back, not made again
    // Nothing of it is in the database.
    QSqlQuery q(db().handle());
    ASSERT_TRUE(q.exec(QStringLiteral("SELECT count(*) FROM settings WHERE value LIKE '%%1%'").arg(QString::fromLatin1(salt->toHex()))));
    ASSERT_TRUE(q.next());
    EXPECT_EQ(q.value(0).toInt(), 0);
}

TEST_F(ClientKeySaltingTest, AnotherInstallsSaltGivesOtherHashes)
{
    QTemporaryDir other;
    const QString otherDb = other.filePath(QStringLiteral("tarn.sqlite3"));
    EXPECT_NE(*ClientKeyRepository::installSalt(otherDb), *ClientKeyRepository(db()).installSalt());
    EXPECT_NE(hashClientKey("tarn-x", KeyHashScheme::HmacSha256, *ClientKeyRepository::installSalt(otherDb)),
              *ClientKeyRepository(db()).saltedHash("tarn-x"));
}

TEST_F(ClientKeySaltingTest, UpgradeRewritesPlainRowsOnceAndBumpsTheRevision)
{
    ClientKeyRepository repo(db());
    const qint64 id = importLegacy(QStringLiteral("old"), "tarn-legacy-key");
    ClientKey before = *repo.findByName(QStringLiteral("old"));
    EXPECT_EQ(before.hashScheme, KeyHashScheme::Sha256);
    const QByteArray salted = *repo.saltedHash("tarn-legacy-key");
    const qint64 r0 = revision();
    ASSERT_TRUE(repo.upgradeHashes({{id, salted}}).ok());
    const ClientKey after = *repo.findByName(QStringLiteral("old"));
    EXPECT_EQ(after.hash, salted);
    EXPECT_EQ(after.hashScheme, KeyHashScheme::HmacSha256);
    EXPECT_GT(revision(), r0) << "a running gateway reloads and finds the key by its new hash";
    // A second upgrade (another request raced the reload) leaves a salted row alone.
    ASSERT_TRUE(repo.upgradeHashes({{id, QByteArray(64, 'a')}}).ok());
    EXPECT_EQ(repo.findByName(QStringLiteral("old"))->hash, salted);
}

TEST_F(ClientKeySaltingTest, LimitsAreSetByNameAndBumpTheRevision)
{
    ClientKeyRepository repo(db());
    ClientKey m;
    m.name = QStringLiteral("ci");
    ASSERT_TRUE(repo.create(m).ok());
    const qint64 r0 = revision();
    ASSERT_TRUE(repo.setLimits(QStringLiteral("ci"), {1000, 20000, 30}).ok());
    EXPECT_EQ(repo.findByName(QStringLiteral("ci"))->limits, (ClientKeyLimits{1000, 20000, 30}));
    EXPECT_GT(revision(), r0);
    EXPECT_EQ(repo.setLimits(QStringLiteral("ghost"), {}).error().code, ErrorCode::NotFound);
    EXPECT_EQ(repo.setLimits(QStringLiteral("ci"), {-1, 0, 0}).error().code, ErrorCode::InvalidArgument);
}

TEST_F(ClientKeySaltingTest, KeyUseRecordsTimeAndAddressWithoutBumpingTheRevision)
{
    ClientKeyRepository repo(db());
    ClientKey m;
    m.name = QStringLiteral("phone");
    ASSERT_TRUE(repo.create(m).ok());
    const qint64 id = repo.findByName(QStringLiteral("phone"))->id;
    const QDateTime t(QDate(2030, 1, 2), QTime(3, 4, 5), QTimeZone::utc());
    const qint64 r0 = revision();
    ASSERT_TRUE(repo.recordKeyUse({{id, {t, QStringLiteral("100.64.1.2")}}}).ok());
    ClientKey k = *repo.findByName(QStringLiteral("phone"));
    EXPECT_EQ(k.lastUsedAt, t);
    EXPECT_EQ(k.lastUsedAddress, QStringLiteral("100.64.1.2"));
    EXPECT_EQ(revision(), r0);
    // No address known: the stored one stays.
    ASSERT_TRUE(repo.recordKeyUse({{id, {t.addSecs(5), QString()}}}).ok());
    k = *repo.findByName(QStringLiteral("phone"));
    EXPECT_EQ(k.lastUsedAt, t.addSecs(5));
    EXPECT_EQ(k.lastUsedAddress, QStringLiteral("100.64.1.2"));
}

TEST_F(ClientKeySaltingTest, AdoptingASaltIsRefusedOnceSaltedKeysUseAnother)
{
    ClientKeyRepository repo(db());
    const QByteArray foreign(32, '\x07');
    // No salted key yet (a plain one does not count): the salt can be taken over.
    importLegacy(QStringLiteral("old"), "tarn-legacy-key");
    ASSERT_TRUE(repo.installSalt().ok());
    ASSERT_TRUE(repo.adoptSalt(foreign).ok());
    EXPECT_EQ(*repo.installSalt(), foreign);
    ClientKey m;
    m.name = QStringLiteral("new");
    ASSERT_TRUE(repo.create(m).ok());
    EXPECT_TRUE(repo.adoptSalt(foreign).ok()) << "the same salt again is fine";
    const Status refused = repo.adoptSalt(QByteArray(32, '\x08'));
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(refused.error().message.contains(u"another installation")) << refused.error().message.toStdString();
    EXPECT_EQ(*repo.installSalt(), foreign);
}

TEST(ClientKeyMigration, AVersion6DatabaseKeepsItsKeysWorkingAndItsQuota)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tarn.sqlite3"));
    const QList<Migration> v6 = schemaMigrations().mid(0, 6);
    ASSERT_EQ(v6.last().version, 6);
    {
        auto old = Database::open(path, QStringLiteral("v6"), v6);
        ASSERT_TRUE(old.ok());
        QSqlQuery q((*old)->handle());
        ASSERT_TRUE(q.exec(QStringLiteral(
            "INSERT INTO client_keys (name, key_hash, prefix, models, quota_tokens, created_at, last_used_at) "
            "VALUES ('laptop', '%1', 'tarn-lapt', '[]', 123456, '2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z')")
                               .arg(QString::fromLatin1(ClientKeyRepository::hashKey("tarn-laptop-key")))));
    }
    auto db = Database::open(path, QStringLiteral("v7"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), Database::latestSchemaVersion());
    ClientKeyRepository repo(**db);
    const Result<ClientKey> key = repo.findByHash(ClientKeyRepository::hashKey("tarn-laptop-key"));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->name, QStringLiteral("laptop"));
    EXPECT_EQ(key->hashScheme, KeyHashScheme::Sha256);
    EXPECT_EQ(key->limits, (ClientKeyLimits{0, 123456, 0})) << "quota_tokens became tokens_per_month";
    EXPECT_TRUE(key->lastUsedAt.isValid());
    EXPECT_TRUE(key->lastUsedAddress.isEmpty());
    // The revision trigger follows the new columns and still ignores last use.
    SettingsRepository settings(**db);
    const qint64 r0 = *settings.configRevision();
    ASSERT_TRUE(repo.setLimits(QStringLiteral("laptop"), {10, 0, 5}).ok());
    const qint64 r1 = *settings.configRevision();
    EXPECT_GT(r1, r0);
    ASSERT_TRUE(repo.recordKeyUse({{key->id, {QDateTime::currentDateTimeUtc(), QStringLiteral("::1")}}}).ok());
    EXPECT_EQ(*settings.configRevision(), r1);
}

} // namespace
