// SPDX-License-Identifier: GPL-3.0-or-later
// Schema version 4: which OpenAI API an OpenAI-type channel is called with (openai_api), and the
// upgrade of a version 3 database.
#include "StorageTestSupport.h"

#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Migrations.h"
#include "gateway/storage/SettingsRepository.h"

#include <QSqlQuery>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

Channel openAiChannel(const QString &name, OpenAiApi api)
{
    Channel c;
    c.name = name;
    c.type = ChannelType::OpenAI;
    c.openAiApi = api;
    c.baseUrl = s("https://api.openai.com/v1");
    c.keys = {s("sk-openai-1234567")};
    c.models = {s("gpt-5-codex")};
    return c;
}

QString queryText(Database &db, const QString &sql)
{
    QSqlQuery q(db.handle());
    EXPECT_TRUE(q.exec(sql) && q.next()) << sql.toStdString();
    return q.value(0).toString();
}

QStringList columnsOf(Database &db, const QString &table)
{
    QStringList names;
    QSqlQuery q(db.handle());
    EXPECT_TRUE(q.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table)));
    while (q.next())
        names << q.value(1).toString();
    return names;
}

using OpenAiApiStorageTest = tarn::gateway::test::StorageTest;

TEST_F(OpenAiApiStorageTest, ApiRoundTripsThroughAddUpdateAndList)
{
    ChannelRepository repo(db());
    const Channel c = openAiChannel(s("codex"), OpenAiApi::Responses);
    auto id = repo.add(c);
    ASSERT_TRUE(id.ok()) << id.error().message.toStdString();
    auto found = repo.findByName(s("codex"));
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->openAiApi, OpenAiApi::Responses);
    Channel expected = c;
    expected.id = *id;
    expected.createdAt = found->createdAt;
    expected.updatedAt = found->updatedAt;
    EXPECT_EQ(*found, expected);
    EXPECT_EQ(queryText(db(), s("SELECT openai_api FROM channels WHERE name = 'codex'")), s("responses"));

    Channel changed = *found;
    changed.openAiApi = OpenAiApi::Chat;
    ASSERT_TRUE(repo.update(changed).ok());
    auto updated = repo.findByName(s("codex"));
    ASSERT_TRUE(updated.ok());
    EXPECT_EQ(updated->openAiApi, OpenAiApi::Chat);
    EXPECT_EQ(queryText(db(), s("SELECT openai_api FROM channels WHERE name = 'codex'")), s("chat"));

    changed.openAiApi = OpenAiApi::Responses;
    ASSERT_TRUE(repo.update(changed).ok());
    auto listed = repo.list();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1);
    EXPECT_EQ(listed->first().openAiApi, OpenAiApi::Responses);
}

TEST_F(OpenAiApiStorageTest, ChannelsDefaultToChat)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(openAiChannel(s("plain"), OpenAiApi::Chat)).ok());
    EXPECT_EQ(repo.findByName(s("plain"))->openAiApi, OpenAiApi::Chat);
    EXPECT_EQ(queryText(db(), s("SELECT openai_api FROM channels")), s("chat"));
    // A row written without the column (an older writer's INSERT) takes the default.
    QSqlQuery q(db().handle());
    ASSERT_TRUE(q.exec(s("INSERT INTO channels (name, type, base_url, created_at, updated_at) VALUES ('bare', 'openai', "
                         "'https://a.example/v1', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')")));
    EXPECT_EQ(repo.findByName(s("bare"))->openAiApi, OpenAiApi::Chat);
}

TEST_F(OpenAiApiStorageTest, TheColumnRefusesNamesTarnDoesNotKnow)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(openAiChannel(s("codex"), OpenAiApi::Responses)).ok());
    QSqlQuery q(db().handle());
    EXPECT_FALSE(q.exec(s("UPDATE channels SET openai_api = 'assistants'")));
    EXPECT_FALSE(q.exec(s("UPDATE channels SET openai_api = 'Responses'")));
    EXPECT_EQ(repo.findByName(s("codex"))->openAiApi, OpenAiApi::Responses);
}

TEST_F(OpenAiApiStorageTest, AnUnknownStoredNameReadsAsChat)
{
    // Only reachable past the CHECK (a hand-edited file): the channel still loads, as Chat Completions.
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(openAiChannel(s("codex"), OpenAiApi::Responses)).ok());
    QSqlQuery q(db().handle());
    ASSERT_TRUE(q.exec(s("PRAGMA ignore_check_constraints = ON")));
    ASSERT_TRUE(q.exec(s("UPDATE channels SET openai_api = 'assistants'")));
    ASSERT_TRUE(q.exec(s("PRAGMA ignore_check_constraints = OFF")));
    auto found = repo.findByName(s("codex"));
    ASSERT_TRUE(found.ok()) << found.error().message.toStdString();
    EXPECT_EQ(found->openAiApi, OpenAiApi::Chat);
    EXPECT_EQ(found->models, QStringList{s("gpt-5-codex")});
}

TEST(OpenAiApiSchemaUpgradeTest, VersionThreeDatabaseUpgradesInPlaceToChat)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(s("tarn.sqlite3"));
    {
        // Version 3 as it shipped: the first three migrations.
        auto v3 = Database::open(path, s("v3"), schemaMigrations().mid(0, 3));
        ASSERT_TRUE(v3.ok()) << v3.error().message.toStdString();
        EXPECT_EQ((*v3)->schemaVersion(), 3);
        EXPECT_FALSE(columnsOf(**v3, s("channels")).contains(s("openai_api")));
        QSqlQuery q((*v3)->handle());
        ASSERT_TRUE(q.exec(s(
            "INSERT INTO channels (name, type, base_url, keys, models, priority, params, strip_betas, created_at, updated_at) "
            "VALUES ('old', 'openai', 'https://api.openai.com/v1', '[\"sk-old-123456\"]', '[\"gpt-4o\"]', 2, "
            "'{\"set\":{\"temperature\":1},\"drop\":[]}', '[\"b-1\"]', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')")));
    }
    auto db = Database::open(path, s("v4"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), Database::latestSchemaVersion());
    EXPECT_GE((*db)->schemaVersion(), 4);
    EXPECT_TRUE(columnsOf(**db, s("channels")).contains(s("openai_api")));
    EXPECT_EQ(queryText(**db, s("SELECT openai_api FROM channels")), s("chat"));

    ChannelRepository repo(**db);
    auto old = repo.findByName(s("old"));
    ASSERT_TRUE(old.ok()) << old.error().message.toStdString();
    EXPECT_EQ(old->openAiApi, OpenAiApi::Chat);
    EXPECT_EQ(old->priority, 2);
    EXPECT_EQ(old->params.set.value(s("temperature")), QByteArray("1"));
    EXPECT_EQ(old->stripBetas, QStringList{s("b-1")});

    // The new column takes writes on the upgraded file, and changing it is a config change.
    const qint64 before = *SettingsRepository(**db).configRevision();
    Channel changed = *old;
    changed.openAiApi = OpenAiApi::Responses;
    ASSERT_TRUE(repo.update(changed).ok());
    EXPECT_GT(*SettingsRepository(**db).configRevision(), before);
    EXPECT_EQ(repo.findByName(s("old"))->openAiApi, OpenAiApi::Responses);
}

} // namespace
