// SPDX-License-Identifier: GPL-3.0-or-later
// Schema version 3: channel parameter overrides and stripped betas, the channel's format on usage
// rows, and the upgrade of a version 2 database.
#include "StorageTestSupport.h"

#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Migrations.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTimeZone>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

Channel channelWithParams(const QString &name)
{
    Channel c;
    c.name = name;
    c.type = ChannelType::Anthropic;
    c.baseUrl = s("https://api.anthropic.com");
    c.keys = {s("sk-ant-1234567")};
    c.models = {s("claude-sonnet-4")};
    c.params.set = {{s("temperature"), "1"},
                    {s("tool_choice"), R"({"type":"auto"})"},
                    {s("metadata.user_id"), R"("tarn")"},
                    {s("thinking.budget_tokens"), "1024"},
                    {s("note"), R"("é \"q\"")"}};
    c.params.drop = {s("top_p"), s("top_k")};
    c.stripBetas = {s("prompt-caching-2024-07-31"), s("context-1m-2025-08-07")};
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

using ParamStorageTest = tarn::gateway::test::StorageTest;

TEST_F(ParamStorageTest, ParamsAndStripBetasRoundTripThroughAddUpdateAndList)
{
    ChannelRepository repo(db());
    const Channel c = channelWithParams(s("claude"));
    auto id = repo.add(c);
    ASSERT_TRUE(id.ok()) << id.error().message.toStdString();
    auto found = repo.findByName(s("claude"));
    ASSERT_TRUE(found.ok());
    Channel expected = c;
    expected.id = *id;
    expected.createdAt = found->createdAt;
    expected.updatedAt = found->updatedAt;
    EXPECT_EQ(*found, expected);
    EXPECT_EQ(found->params.set.value(s("note")), QByteArray(R"("é \"q\"")"));

    Channel changed = *found;
    changed.params.set.remove(s("temperature"));
    changed.params.set.insert(s("generationConfig.topK"), "40");
    changed.params.drop = {s("stop")};
    changed.stripBetas = {s("interleaved-thinking-2025-05-14")};
    ASSERT_TRUE(repo.update(changed).ok());
    auto updated = repo.findByName(s("claude"));
    ASSERT_TRUE(updated.ok());
    changed.updatedAt = updated->updatedAt;
    EXPECT_EQ(*updated, changed);
    auto listed = repo.list();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1);
    EXPECT_EQ(listed->first(), changed);

    changed.params = {};
    changed.stripBetas = {};
    ASSERT_TRUE(repo.update(changed).ok());
    EXPECT_TRUE(repo.findByName(s("claude"))->params.isEmpty());
    EXPECT_TRUE(repo.findByName(s("claude"))->stripBetas.isEmpty());
}

TEST_F(ParamStorageTest, ValuesNotInCompactFormReadBackCompact)
{
    // The column holds JSON, not the text given: what reads back is compactJsonValue's form.
    ChannelRepository repo(db());
    Channel c = channelWithParams(s("loose"));
    c.params.set = {{s("tool_choice"), "{ \"type\" : \"auto\" }"}, {s("n"), " 2 "}, {s("t"), "1.0"}};
    ASSERT_TRUE(repo.add(c).ok());
    const QMap<QString, QByteArray> compact{{s("tool_choice"), R"({"type":"auto"})"}, {s("n"), "2"}, {s("t"), "1"}};
    EXPECT_EQ(repo.findByName(s("loose"))->params.set, compact);
}

TEST_F(ParamStorageTest, StoredShapeIsSetObjectAndDropArray)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(channelWithParams(s("claude"))).ok());
    const QJsonObject params = QJsonDocument::fromJson(queryText(db(), s("SELECT params FROM channels")).toUtf8()).object();
    EXPECT_EQ(params.value(s("set")).toObject().value(s("temperature")), QJsonValue(1));
    EXPECT_EQ(params.value(s("set")).toObject().value(s("tool_choice")).toObject().value(s("type")).toString(), s("auto"));
    EXPECT_EQ(params.value(s("set")).toObject().value(s("metadata.user_id")).toString(), s("tarn"));
    EXPECT_EQ(params.value(s("drop")).toArray(), (QJsonArray{s("top_p"), s("top_k")}));
    const QJsonArray betas = QJsonDocument::fromJson(queryText(db(), s("SELECT strip_betas FROM channels")).toUtf8()).array();
    EXPECT_EQ(betas, (QJsonArray{s("prompt-caching-2024-07-31"), s("context-1m-2025-08-07")}));

    Channel plain = channelWithParams(s("plain"));
    plain.params = {};
    plain.stripBetas = {};
    ASSERT_TRUE(repo.add(plain).ok());
    EXPECT_EQ(queryText(db(), s("SELECT params FROM channels WHERE name = 'plain'")), s(R"({"drop":[],"set":{}})"));
    EXPECT_EQ(queryText(db(), s("SELECT strip_betas FROM channels WHERE name = 'plain'")), s("[]"));
}

TEST_F(ParamStorageTest, MalformedStoredParamsReadAsNone)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(channelWithParams(s("claude"))).ok());
    QSqlQuery q(db().handle());
    ASSERT_TRUE(q.exec(s(R"(UPDATE channels SET params = 'not json', strip_betas = '{"a":1}')")));
    auto found = repo.findByName(s("claude"));
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found->params.isEmpty());
    EXPECT_TRUE(found->stripBetas.isEmpty());
    // Wrong member types are skipped, the rest kept.
    ASSERT_TRUE(q.exec(s(R"(UPDATE channels SET params = '{"set":{"a":1,"b":[true]},"drop":["c",5,"c"]}')")));
    found = repo.findByName(s("claude"));
    const QMap<QString, QByteArray> set{{s("a"), "1"}, {s("b"), "[true]"}};
    EXPECT_EQ(found->params.set, set);
    EXPECT_EQ(found->params.drop, QStringList{s("c")});
}

TEST_F(ParamStorageTest, UsageChannelFormatRoundTrips)
{
    UsageRepository usage(db());
    const QDateTime t(QDate(2030, 1, 1), QTime(0, 0), QTimeZone::utc());
    UsageRecord translated;
    translated.time = t;
    translated.inboundFormat = s("anthropic");
    translated.channelFormat = s("openai");
    translated.channelId = 1;
    translated.status = 200;
    UsageRecord unrouted;
    unrouted.time = t.addSecs(1);
    unrouted.inboundFormat = s("gemini");
    unrouted.status = 404;
    ASSERT_TRUE(usage.insert({translated, unrouted}).ok());
    auto recent = usage.recent(10);
    ASSERT_TRUE(recent.ok());
    ASSERT_EQ(recent->size(), 2);
    EXPECT_EQ(recent->at(0).inboundFormat, s("gemini"));
    EXPECT_EQ(recent->at(0).channelFormat, QString());
    EXPECT_EQ(recent->at(1).inboundFormat, s("anthropic"));
    EXPECT_EQ(recent->at(1).channelFormat, s("openai"));
    EXPECT_EQ(queryText(db(), s("SELECT channel_format FROM usage WHERE inbound_format = 'gemini'")), s(""));
}

TEST(ParamSchemaUpgradeTest, VersionTwoDatabaseUpgradesInPlaceWithDefaults)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(s("tarn.sqlite3"));
    {
        // Version 2 as it shipped: the first two migrations.
        auto v2 = Database::open(path, s("v2"), schemaMigrations().mid(0, 2));
        ASSERT_TRUE(v2.ok()) << v2.error().message.toStdString();
        EXPECT_EQ((*v2)->schemaVersion(), 2);
        EXPECT_FALSE(columnsOf(**v2, s("channels")).contains(s("params")));
        QSqlQuery q((*v2)->handle());
        ASSERT_TRUE(q.exec(s(
            "INSERT INTO channels (name, type, base_url, keys, models, priority, capabilities, budget, failover_on, "
            "test_model, created_at, updated_at) VALUES ('old', 'anthropic', 'https://api.anthropic.com', "
            "'[\"sk-old-123456\"]', '[\"claude\"]', 2, '{}', '{\"rpm\":5}', '[429]', 'claude', "
            "'2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')")));
        ASSERT_TRUE(q.exec(s("INSERT INTO usage (ts, inbound_format, channel_id, channel_name, status, prompt_tokens, attempt_log) "
                             "VALUES ('2024-01-02T00:00:00.000Z', 'openai', 1, 'old', 200, 42, '[]')")));
    }
    auto db = Database::open(path, s("v3"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), Database::latestSchemaVersion());
    EXPECT_GE((*db)->schemaVersion(), 3);
    const QStringList channelColumns = columnsOf(**db, s("channels"));
    EXPECT_TRUE(channelColumns.contains(s("params")));
    EXPECT_TRUE(channelColumns.contains(s("strip_betas")));
    EXPECT_TRUE(columnsOf(**db, s("usage")).contains(s("channel_format")));
    EXPECT_EQ(queryText(**db, s("SELECT params || strip_betas FROM channels")), s("{}[]"));

    ChannelRepository repo(**db);
    auto old = repo.findByName(s("old"));
    ASSERT_TRUE(old.ok()) << old.error().message.toStdString();
    EXPECT_TRUE(old->params.isEmpty());
    EXPECT_TRUE(old->stripBetas.isEmpty());
    EXPECT_EQ(old->budget.requestsPerMinute, 5);
    EXPECT_EQ(old->failoverStatuses, QList<int>{429});
    auto usage = UsageRepository(**db).recent(5);
    ASSERT_TRUE(usage.ok());
    ASSERT_EQ(usage->size(), 1);
    EXPECT_EQ(usage->at(0).inboundFormat, s("openai"));
    EXPECT_TRUE(usage->at(0).channelFormat.isEmpty());
    EXPECT_EQ(usage->at(0).promptTokens, 42);

    // The new columns take writes on the upgraded file, and changing them is a config change.
    const qint64 before = *SettingsRepository(**db).configRevision();
    Channel changed = *old;
    changed.params.set.insert(s("temperature"), "0.5");
    changed.stripBetas = {s("beta-1")};
    ASSERT_TRUE(repo.update(changed).ok());
    EXPECT_GT(*SettingsRepository(**db).configRevision(), before);
    EXPECT_EQ(repo.findByName(s("old"))->params.set.value(s("temperature")), QByteArray("0.5"));
    EXPECT_EQ(repo.findByName(s("old"))->stripBetas, QStringList{s("beta-1")});
}

} // namespace
