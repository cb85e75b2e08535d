// SPDX-License-Identifier: GPL-3.0-or-later
// ClientKeyRepository against a real SQLite file.
#include "StorageTestSupport.h"

#include <QTimeZone>

#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/SettingsRepository.h"

#include <QRegularExpression>
#include <QSet>

using namespace tarn::gateway;

namespace {

class ClientKeyRepositoryTest : public tarn::gateway::test::StorageTest
{
protected:
    qint64 revision() { return *SettingsRepository(db()).configRevision(); }
};

ClientKey meta(const QString &name)
{
    ClientKey k;
    k.name = name;
    return k;
}

TEST_F(ClientKeyRepositoryTest, HashKeyIsHexSha256)
{
    // sha256("abc")
    EXPECT_EQ(ClientKeyRepository::hashKey("abc"),
              QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

TEST_F(ClientKeyRepositoryTest, CreateReturnsAKeyAndStoresOnlyItsHash)
{
    ClientKeyRepository repo(db());
    ClientKey m = meta(QStringLiteral("laptop"));
    m.models = {QStringLiteral("gpt-4o")};
    m.expiresAt = QDateTime(QDate(2099, 1, 2), QTime(3, 4, 5), QTimeZone::utc());
    m.limits = {100, 1000, 7};
    auto key = repo.create(m);
    ASSERT_TRUE(key.ok()) << key.error().message.toStdString();
    EXPECT_TRUE(QRegularExpression(QStringLiteral("^tarn-[A-Za-z0-9_-]{40}$")).match(*key).hasMatch()) << key->toStdString();

    auto stored = repo.findByName(QStringLiteral("laptop"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->hash, *repo.saltedHash(key->toLatin1()));
    EXPECT_NE(stored->hash, ClientKeyRepository::hashKey(key->toLatin1())); // never the plain SHA-256
    EXPECT_EQ(stored->hashScheme, KeyHashScheme::HmacSha256);
    EXPECT_EQ(stored->prefix, key->left(9));
    EXPECT_TRUE(stored->prefix.startsWith(u"tarn-"));
    EXPECT_EQ(stored->models, m.models);
    EXPECT_EQ(stored->expiresAt, m.expiresAt);
    EXPECT_EQ(stored->limits, (ClientKeyLimits{100, 1000, 7}));
    EXPECT_FALSE(stored->revoked);
    EXPECT_TRUE(stored->createdAt.isValid());
    EXPECT_FALSE(stored->lastUsedAt.isValid());

    auto byHash = repo.findByHash(*repo.saltedHash(key->toLatin1()));
    ASSERT_TRUE(byHash.ok());
    EXPECT_EQ(byHash->name, QStringLiteral("laptop"));
    EXPECT_EQ(repo.findByHash(ClientKeyRepository::hashKey("tarn-wrong")).error().code, ErrorCode::NotFound);
}

TEST_F(ClientKeyRepositoryTest, KeysAreRandomAndNamesUnique)
{
    ClientKeyRepository repo(db());
    QSet<QString> keys;
    for (int i = 0; i < 20; ++i) {
        auto key = repo.create(meta(QStringLiteral("k%1").arg(i)));
        ASSERT_TRUE(key.ok());
        keys.insert(*key);
    }
    EXPECT_EQ(keys.size(), 20);
    auto dup = repo.create(meta(QStringLiteral("k1")));
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(repo.list()->size(), 20);
}

TEST_F(ClientKeyRepositoryTest, ListIsOrderedByName)
{
    ClientKeyRepository repo(db());
    ASSERT_TRUE(repo.create(meta(QStringLiteral("zeta"))).ok());
    ASSERT_TRUE(repo.create(meta(QStringLiteral("alpha"))).ok());
    auto list = repo.list();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2);
    EXPECT_EQ(list->at(0).name, QStringLiteral("alpha"));
    EXPECT_EQ(list->at(1).name, QStringLiteral("zeta"));
}

TEST_F(ClientKeyRepositoryTest, RevokeMarksTheKeyAndBumpsRevision)
{
    ClientKeyRepository repo(db());
    ASSERT_TRUE(repo.create(meta(QStringLiteral("phone"))).ok());
    const qint64 before = revision();
    ASSERT_TRUE(repo.revoke(QStringLiteral("phone")).ok());
    EXPECT_TRUE(repo.findByName(QStringLiteral("phone"))->revoked);
    EXPECT_GT(revision(), before);
    EXPECT_EQ(repo.revoke(QStringLiteral("ghost")).error().code, ErrorCode::NotFound);
}

TEST_F(ClientKeyRepositoryTest, UpdateChangesModelsAndExpiryAndBumpsRevision)
{
    ClientKeyRepository repo(db());
    auto secret = repo.create(meta(QStringLiteral("ci")));
    ASSERT_TRUE(secret.ok());
    const qint64 before = revision();
    const QDateTime expiry(QDate(2099, 5, 6), QTime(7, 0), QTimeZone::utc());
    ASSERT_TRUE(repo.update(QStringLiteral("ci"), {QStringLiteral("gpt-4o"), QStringLiteral("glm-4.6")}, expiry).ok());
    auto stored = repo.findByName(QStringLiteral("ci"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->models, (QStringList{QStringLiteral("gpt-4o"), QStringLiteral("glm-4.6")}));
    EXPECT_EQ(stored->expiresAt, expiry);
    EXPECT_EQ(stored->hash, *repo.saltedHash(secret->toLatin1())); // the same key
    EXPECT_GT(revision(), before);

    // Back to all models, never expiring.
    ASSERT_TRUE(repo.update(QStringLiteral("ci"), {}, QDateTime()).ok());
    stored = repo.findByName(QStringLiteral("ci"));
    EXPECT_TRUE(stored->models.isEmpty());
    EXPECT_FALSE(stored->expiresAt.isValid());
    EXPECT_EQ(repo.update(QStringLiteral("ghost"), {}, QDateTime()).error().code, ErrorCode::NotFound);
}

TEST_F(ClientKeyRepositoryTest, TouchLastUsedRecordsTimesWithoutBumpingRevision)
{
    ClientKeyRepository repo(db());
    const qint64 r0 = revision();
    ASSERT_TRUE(repo.create(meta(QStringLiteral("a"))).ok());
    ASSERT_TRUE(repo.create(meta(QStringLiteral("b"))).ok());
    EXPECT_GT(revision(), r0);
    const qint64 idA = repo.findByName(QStringLiteral("a"))->id;
    const qint64 idB = repo.findByName(QStringLiteral("b"))->id;
    const QDateTime tA(QDate(2030, 5, 6), QTime(7, 8, 9, 123), QTimeZone::utc());
    const QDateTime tB = tA.addSecs(60);
    const qint64 before = revision();
    ASSERT_TRUE(repo.touchLastUsed({{idA, tA}, {idB, tB}}).ok());
    EXPECT_EQ(repo.findByName(QStringLiteral("a"))->lastUsedAt, tA);
    EXPECT_EQ(repo.findByName(QStringLiteral("b"))->lastUsedAt, tB);
    EXPECT_EQ(revision(), before);
    EXPECT_TRUE(repo.touchLastUsed({}).ok());
}

TEST_F(ClientKeyRepositoryTest, ImportKeyRestoresWithHashAndUpdatesExistingMetadata)
{
    ClientKeyRepository repo(db());
    ClientKey restored = meta(QStringLiteral("restored"));
    restored.hash = ClientKeyRepository::hashKey("tarn-secret");
    restored.prefix = QStringLiteral("tarn-secr");
    restored.models = {QStringLiteral("m")};
    ASSERT_TRUE(repo.importKey(restored).ok());
    EXPECT_EQ(repo.findByHash(restored.hash)->name, QStringLiteral("restored"));

    // Existing key, no hash in the import: metadata changes, the key keeps working.
    ClientKey update = meta(QStringLiteral("restored"));
    update.revoked = true;
    update.limits.tokensPerMonth = 5;
    ASSERT_TRUE(repo.importKey(update).ok());
    auto after = repo.findByName(QStringLiteral("restored"));
    EXPECT_EQ(after->hash, restored.hash);
    EXPECT_EQ(after->prefix, QStringLiteral("tarn-secr"));
    EXPECT_TRUE(after->revoked);
    EXPECT_EQ(after->limits.tokensPerMonth, 5);
    EXPECT_TRUE(after->models.isEmpty());

    // New key without a hash cannot be restored.
    auto missing = repo.importKey(meta(QStringLiteral("new-without-hash")));
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(missing.error().message.contains(u"--secrets"));
    EXPECT_EQ(repo.list()->size(), 1);
}

} // namespace
