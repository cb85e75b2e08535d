// SPDX-License-Identifier: GPL-3.0-or-later
// References in the database, the vault's cache and backends, and the channel repository writing
// keys through the vault: plain keys never reach the database, unchanged keys keep their
// references, removed keys' secrets go once the change is committed (not when it rolls back).
#include "gateway/cli/CliSupport.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/secrets/EncryptedFileSecretStore.h"
#include "gateway/secrets/MemorySecretStore.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"
#include "tests/support/TempDataDir.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using tarn::test::TempDataDir;

namespace {

Channel channelWithKeys(const QString &name, const QStringList &keys)
{
    Channel c;
    c.name = name;
    c.type = ChannelType::OpenAI;
    c.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
    c.keys = keys;
    c.models = {QStringLiteral("gpt-x")};
    return c;
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

} // namespace

TEST(SecretVault, ReferencesAreUnambiguous)
{
    EXPECT_TRUE(SecretVault::isReference(QStringLiteral("secret:file:0b6a6f43-5d7e-4d0c-9a1f-1c2d3e4f5a6b")));
    EXPECT_TRUE(SecretVault::isReference(QStringLiteral("secret:keychain:0b6a6f43-5d7e-4d0c-9a1f-1c2d3e4f5a6b")));
    EXPECT_FALSE(SecretVault::isReference(QStringLiteral("sk-proj-abc")));
    EXPECT_FALSE(SecretVault::isReference(QStringLiteral("secret:file:not-a-uuid")));
    EXPECT_FALSE(SecretVault::isReference(QStringLiteral("secret:")));
    EXPECT_FALSE(SecretVault::isReference(QString()));
}

TEST(SecretVault, StoresResolvesAndForgets)
{
    TempDataDir dir;
    auto memory = std::make_unique<MemorySecretStore>();
    MemorySecretStore *store = memory.get();
    SecretVault vault(dir.path(), std::move(memory));
    EXPECT_EQ(vault.backendName(), QStringLiteral("memory"));
    const Result<QString> ref = vault.store(QStringLiteral("sk-vault-1"));
    ASSERT_TRUE(ref.ok());
    EXPECT_TRUE(ref->startsWith(QStringLiteral("secret:memory:")));
    EXPECT_TRUE(SecretVault::isReference(*ref));
    EXPECT_EQ(*vault.resolve(*ref), QStringLiteral("sk-vault-1"));
    EXPECT_EQ(*vault.resolve(QStringLiteral("sk-plain")), QStringLiteral("sk-plain")); // not yet moved
    EXPECT_EQ(store->size(), 1);
    ASSERT_TRUE(vault.forget(*ref).ok());
    EXPECT_EQ(store->size(), 0);
    const Result<QString> gone = vault.resolve(*ref);
    ASSERT_FALSE(gone.ok());
    EXPECT_TRUE(gone.error().message.contains(*ref));
}

TEST(SecretVault, ReadsReferencesOfAnotherBackend)
{
    // A file reference written by another process (say the gateway as a service) reads from a
    // vault whose new secrets go elsewhere (the command line in a desktop session).
    TempDataDir dir;
    SecretVault fileVault(dir.path(), std::make_unique<EncryptedFileSecretStore>(dir.path()));
    const Result<QString> ref = fileVault.store(QStringLiteral("sk-from-the-file"));
    ASSERT_TRUE(ref.ok());
    SecretVault memoryVault(dir.path(), std::make_unique<MemorySecretStore>());
    EXPECT_EQ(*memoryVault.resolve(*ref), QStringLiteral("sk-from-the-file"));
}

TEST(SecretVault, ChannelRepositoryKeepsOnlyReferencesInTheDatabase)
{
    TempDataDir dir;
    auto memory = std::make_unique<MemorySecretStore>();
    MemorySecretStore *store = memory.get();
    SecretVault::install(dir.path(), std::make_shared<SecretVault>(dir.path(), std::move(memory)));
    auto db = Database::open(dir.dbPath(), QStringLiteral("vault-repo"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    ChannelRepository repo(**db);
    ASSERT_TRUE(repo.add(channelWithKeys(QStringLiteral("c"), {QStringLiteral("sk-one"), QStringLiteral("sk-two")})).ok());

    const QStringList first = storedKeys(**db, QStringLiteral("c"));
    ASSERT_EQ(first.size(), 2);
    EXPECT_TRUE(SecretVault::isReference(first[0]));
    EXPECT_TRUE(SecretVault::isReference(first[1]));
    EXPECT_EQ(store->size(), 2);

    Result<Channel> found = repo.findByName(QStringLiteral("c"));
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->keys, (QStringList{QStringLiteral("sk-one"), QStringLiteral("sk-two")}));
    EXPECT_EQ(repo.findByName(QStringLiteral("c"), KeyAccess::References)->keys, first);

    // Edit: one key kept (same reference), one replaced (old secret deleted, new one stored).
    Channel edited = *found;
    edited.keys = {QStringLiteral("sk-one"), QStringLiteral("sk-three")};
    ASSERT_TRUE(repo.update(edited).ok());
    const QStringList second = storedKeys(**db, QStringLiteral("c"));
    ASSERT_EQ(second.size(), 2);
    EXPECT_EQ(second[0], first[0]);
    EXPECT_NE(second[1], first[1]);
    EXPECT_EQ(store->size(), 2);
    EXPECT_EQ(repo.findByName(QStringLiteral("c"))->keys, edited.keys);

    // A change that rolls back deletes nothing it referenced and keeps nothing it stored.
    const Status rolledBack = (*db)->transaction([&]() -> Status {
        Channel again = edited;
        again.keys = {QStringLiteral("sk-four")};
        if (Status s = repo.update(again); !s)
            return s;
        return Error{ErrorCode::Internal, QStringLiteral("rolled back on purpose")};
    });
    EXPECT_FALSE(rolledBack.ok());
    EXPECT_EQ(storedKeys(**db, QStringLiteral("c")), second);
    EXPECT_EQ(store->size(), 2);
    EXPECT_EQ(repo.findByName(QStringLiteral("c"))->keys, edited.keys);

    ASSERT_TRUE(repo.remove(QStringLiteral("c")).ok());
    EXPECT_EQ(store->size(), 0);
    SecretVault::install(dir.path(), nullptr);
}

TEST(SecretVault, AKeyTheVaultCannotGiveIsLeftOutNotLost)
{
    TempDataDir dir;
    auto memory = std::make_unique<MemorySecretStore>();
    MemorySecretStore *store = memory.get();
    SecretVault::install(dir.path(), std::make_shared<SecretVault>(dir.path(), std::move(memory)));
    auto db = Database::open(dir.dbPath(), QStringLiteral("vault-missing"));
    ASSERT_TRUE(db.ok());
    ChannelRepository repo(**db);
    ASSERT_TRUE(repo.add(channelWithKeys(QStringLiteral("c"), {QStringLiteral("sk-one")})).ok());
    const QStringList refs = storedKeys(**db, QStringLiteral("c"));
    // Another process's vault (no cache) whose store lost the entry: the key reads as its
    // reference, and saving the channel keeps that reference instead of dropping the key.
    SecretVault::install(dir.path(), std::make_shared<SecretVault>(dir.path(), std::make_unique<MemorySecretStore>()));
    auto other = Database::open(dir.dbPath(), QStringLiteral("vault-missing-2"));
    ASSERT_TRUE(other.ok());
    Result<Channel> found = ChannelRepository(**other).findByName(QStringLiteral("c"));
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->keys, refs);
    found->weight = 3;
    ASSERT_TRUE(ChannelRepository(**other).update(*found).ok());
    EXPECT_EQ(storedKeys(**other, QStringLiteral("c")), refs);
    EXPECT_EQ(store->size(), 1);
    SecretVault::install(dir.path(), nullptr);
}

TEST(SecretVault, TheRuntimeSnapshotNeverHoldsAReference)
{
    TempDataDir dir;
    SecretVault::install(dir.path(), std::make_shared<SecretVault>(dir.path(), std::make_unique<MemorySecretStore>()));
    {
        auto db = Database::open(dir.dbPath(), QStringLiteral("snapshot-writer"));
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(ChannelRepository(**db).add(channelWithKeys(QStringLiteral("c"), {QStringLiteral("sk-one"), QStringLiteral("sk-two")})).ok());
        ConfigStore store(**db);
        ASSERT_TRUE(store.reload().ok());
        ASSERT_EQ(store.snapshot()->channels.size(), 1);
        EXPECT_EQ(store.snapshot()->channels.first().keys, (QStringList{QStringLiteral("sk-one"), QStringLiteral("sk-two")}));
    }
    // A process whose store cannot give the keys routes the channel without them: a reference is
    // never sent upstream as if it were a key.
    SecretVault::install(dir.path(), std::make_shared<SecretVault>(dir.path(), std::make_unique<MemorySecretStore>()));
    auto db = Database::open(dir.dbPath(), QStringLiteral("snapshot-reader"));
    ASSERT_TRUE(db.ok());
    ConfigStore store(**db);
    ASSERT_TRUE(store.reload().ok());
    ASSERT_EQ(store.snapshot()->channels.size(), 1);
    EXPECT_TRUE(store.snapshot()->channels.first().keys.isEmpty());
    SecretVault::install(dir.path(), nullptr);
}

TEST(SecretMasking, ProviderKeysShowTheirEndsShortSecretsLess)
{
    EXPECT_EQ(cli::maskSecret(QStringLiteral("sk-proj-0123456789abcdefghij")), QStringLiteral("sk-p…ghij"));
    EXPECT_EQ(cli::maskSecret(QStringLiteral("sk-secret-one-123456")), QStringLiteral("sk-s…"));
    EXPECT_EQ(cli::maskSecret(QStringLiteral("short")), QStringLiteral("…"));
}
