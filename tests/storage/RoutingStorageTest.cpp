// SPDX-License-Identifier: GPL-3.0-or-later
// Schema version 2 (routing): the upgrade from version 1, channel routing fields, key and
// capability state, pools, the router's published state and per-attempt usage logs.
#include "StorageTestSupport.h"

#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Migrations.h"
#include "gateway/storage/PoolRepository.h"
#include "gateway/storage/RouterStateRepository.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageRepository.h"

#include <QSqlQuery>
#include <QTimeZone>

using namespace tarn::gateway;

namespace {

const QDateTime kBase(QDate(2030, 1, 1), QTime(12, 0), QTimeZone::utc());

Channel routedChannel(const QString &name)
{
    Channel c;
    c.name = name;
    c.type = ChannelType::OpenAI;
    c.baseUrl = QStringLiteral("https://api.example.com/v1");
    c.keys = {QStringLiteral("sk-one-1234567"), QStringLiteral("sk-two-1234567")};
    c.models = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini")};
    c.capabilities = {CapabilityMode::On, CapabilityMode::Off, CapabilityMode::On, 128000, 16384};
    c.budget = {60, 100000, 2'000'000, 50'000'000};
    c.price = {2.5, 10, 1.25};
    c.failoverStatuses = {400, 404};
    c.testModel = QStringLiteral("gpt-4o-mini");
    return c;
}

qint64 countRows(Database &db, const QString &sql)
{
    QSqlQuery q(db.handle());
    EXPECT_TRUE(q.exec(sql) && q.next()) << sql.toStdString();
    return q.value(0).toLongLong();
}

class RoutingStorageTest : public tarn::gateway::test::StorageTest
{
protected:
    qint64 revision() { return *SettingsRepository(db()).configRevision(); }
    qint64 addChannel(const Channel &c)
    {
        auto id = ChannelRepository(db()).add(c);
        EXPECT_TRUE(id.ok()) << id.error().message.toStdString();
        return id.ok() ? *id : 0;
    }
};

TEST(SchemaUpgradeTest, VersionOneDatabaseUpgradesInPlaceKeepingItsData)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tarn.sqlite3"));
    {
        auto v1 = Database::open(path, QStringLiteral("v1"), {schemaMigrations().first()});
        ASSERT_TRUE(v1.ok()) << v1.error().message.toStdString();
        QSqlQuery q((*v1)->handle());
        ASSERT_TRUE(q.exec(QStringLiteral(
            "INSERT INTO channels (name, type, base_url, keys, models, priority, weight, capabilities, created_at, updated_at) "
            "VALUES ('old', 'openai', 'https://api.openai.com/v1', '[\"sk-old-123456\"]', '[\"gpt-4o\"]', 3, 2, "
            "'{\"tools\":false,\"vision\":true,\"context_tokens\":8192}', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')")));
        ASSERT_TRUE(q.exec(QStringLiteral("INSERT INTO usage (ts, channel_id, channel_name, status, prompt_tokens) "
                                          "VALUES ('2024-01-02T00:00:00.000Z', 1, 'old', 200, 42)")));
        ASSERT_TRUE(q.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('kept', 'yes')")));
    }
    auto db = Database::open(path, QStringLiteral("v2"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), Database::latestSchemaVersion());
    EXPECT_GE((*db)->schemaVersion(), 2);

    auto old = ChannelRepository(**db).findByName(QStringLiteral("old"));
    ASSERT_TRUE(old.ok()) << old.error().message.toStdString();
    EXPECT_EQ(old->priority, 3);
    EXPECT_EQ(old->keys, QStringList{QStringLiteral("sk-old-123456")});
    EXPECT_EQ(old->capabilities.tools, CapabilityMode::Off);  // v1 false: declared off
    EXPECT_EQ(old->capabilities.vision, CapabilityMode::On);  // v1 true: declared on
    EXPECT_EQ(old->capabilities.contextTokens, 8192);
    EXPECT_EQ(old->budget, ChannelBudget{});
    EXPECT_EQ(old->price, ChannelPrice{});
    EXPECT_TRUE(old->failoverStatuses.isEmpty());
    EXPECT_TRUE(old->testModel.isEmpty());
    EXPECT_TRUE(old->disabledKeys.isEmpty());

    auto recent = UsageRepository(**db).recent(10);
    ASSERT_TRUE(recent.ok()) << recent.error().message.toStdString();
    ASSERT_EQ(recent->size(), 1);
    EXPECT_EQ(recent->at(0).promptTokens, 42);
    EXPECT_TRUE(recent->at(0).attemptLog.isEmpty());
    EXPECT_EQ(*SettingsRepository(**db).value(QStringLiteral("kept")), QStringLiteral("yes"));

    // The new tables work on the upgraded file, triggers included.
    const qint64 before = *SettingsRepository(**db).configRevision();
    ASSERT_TRUE(ChannelRepository(**db).setKeyDisabled(old->id, keyId(old->keys.first()), QStringLiteral("401")).ok());
    EXPECT_GT(*SettingsRepository(**db).configRevision(), before);
    EXPECT_TRUE(PoolRepository(**db).set(QStringLiteral("gpt-4o"), {RoutingStrategy::Latency, false}).ok());
}

TEST_F(RoutingStorageTest, EveryRoutingFieldRoundTrips)
{
    ChannelRepository repo(db());
    const Channel c = routedChannel(QStringLiteral("routed"));
    const qint64 id = addChannel(c);
    auto found = repo.findByName(QStringLiteral("routed"));
    ASSERT_TRUE(found.ok());
    Channel expected = c;
    expected.id = id;
    expected.createdAt = found->createdAt;
    expected.updatedAt = found->updatedAt;
    EXPECT_EQ(*found, expected);

    Channel changed = *found;
    changed.capabilities = {CapabilityMode::Auto, CapabilityMode::On, CapabilityMode::Off, 0, 0};
    changed.budget = {0, 5, 0, 7};
    changed.price = {0, 0.15, 0};
    changed.failoverStatuses = {};
    changed.testModel.clear();
    ASSERT_TRUE(repo.update(changed).ok());
    auto again = repo.findByName(QStringLiteral("routed"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->capabilities, changed.capabilities);
    EXPECT_EQ(again->budget, changed.budget);
    EXPECT_EQ(again->price, changed.price);
    EXPECT_TRUE(again->failoverStatuses.isEmpty());
    EXPECT_TRUE(again->testModel.isEmpty());
}

TEST_F(RoutingStorageTest, DisabledKeysAndLearnedCapabilitiesAreLoadedIntoChannels)
{
    ChannelRepository repo(db());
    const Channel a = routedChannel(QStringLiteral("a"));
    const qint64 idA = addChannel(a);
    const qint64 idB = addChannel(routedChannel(QStringLiteral("b")));
    const QString key = keyId(a.keys.at(1));

    qint64 r = revision();
    ASSERT_TRUE(repo.setKeyDisabled(idA, key, QStringLiteral("401 invalid api key")).ok());
    EXPECT_GT(revision(), r);
    const LearnedCapability noTools{QStringLiteral("gpt-4o-mini"), Capability::Tools, false,
                                    QStringLiteral("tools are not supported"), kBase};
    const LearnedCapability vision{QStringLiteral("gpt-4o"), Capability::Vision, true, QString(), kBase.addSecs(60)};
    r = revision();
    ASSERT_TRUE(repo.recordLearned(idA, noTools).ok());
    ASSERT_TRUE(repo.recordLearned(idA, vision).ok());
    EXPECT_GT(revision(), r);

    auto list = repo.list();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2);
    const Channel &gotA = list->at(0).id == idA ? list->at(0) : list->at(1);
    const Channel &gotB = list->at(0).id == idB ? list->at(0) : list->at(1);
    EXPECT_EQ(gotA.disabledKeys, (QMap<QString, QString>{{key, QStringLiteral("401 invalid api key")}}));
    EXPECT_EQ(gotA.learned, (QList<LearnedCapability>{noTools, vision}));
    EXPECT_TRUE(gotB.disabledKeys.isEmpty());
    EXPECT_TRUE(gotB.learned.isEmpty());
    EXPECT_EQ(repo.findByName(QStringLiteral("a"))->learned, gotA.learned);

    // Upsert: a later lesson about the same capability replaces the earlier one.
    LearnedCapability relearned = noTools;
    relearned.supported = true;
    relearned.reason.clear();
    ASSERT_TRUE(repo.recordLearned(idA, relearned).ok());
    ASSERT_TRUE(repo.setKeyDisabled(idA, key, QStringLiteral("403 forbidden")).ok());
    auto updated = repo.findByName(QStringLiteral("a"));
    ASSERT_EQ(updated->learned.size(), 2);
    EXPECT_TRUE(updated->learned.contains(relearned));
    EXPECT_EQ(updated->disabledKeys.value(key), QStringLiteral("403 forbidden"));

    ASSERT_TRUE(repo.clearLearned(idA).ok());
    ASSERT_TRUE(repo.clearKeyDisabled(idA, key).ok());
    EXPECT_TRUE(repo.findByName(QStringLiteral("a"))->learned.isEmpty());
    EXPECT_TRUE(repo.findByName(QStringLiteral("a"))->disabledKeys.isEmpty());

    // Unknown channels are NotFound, not a storage failure.
    EXPECT_EQ(repo.setKeyDisabled(9999, key, QStringLiteral("x")).error().code, ErrorCode::NotFound);
    EXPECT_EQ(repo.recordLearned(9999, noTools).error().code, ErrorCode::NotFound);
}

TEST_F(RoutingStorageTest, ClearingWithoutAKeyReEnablesEveryKey)
{
    ChannelRepository repo(db());
    const Channel c = routedChannel(QStringLiteral("c"));
    const qint64 id = addChannel(c);
    for (const QString &key : c.keys)
        ASSERT_TRUE(repo.setKeyDisabled(id, keyId(key), QStringLiteral("401")).ok());
    EXPECT_EQ(repo.findByName(QStringLiteral("c"))->disabledKeys.size(), 2);
    ASSERT_TRUE(repo.clearKeyDisabled(id).ok());
    EXPECT_TRUE(repo.findByName(QStringLiteral("c"))->disabledKeys.isEmpty());
}

TEST_F(RoutingStorageTest, KeyStateIsPrunedWhenTheChannelsKeysChange)
{
    ChannelRepository repo(db());
    const Channel c = routedChannel(QStringLiteral("c"));
    const qint64 id = addChannel(c);
    const QString kept = keyId(c.keys.at(0));
    const QString dropped = keyId(c.keys.at(1));
    ASSERT_TRUE(repo.setKeyDisabled(id, kept, QStringLiteral("401")).ok());
    ASSERT_TRUE(repo.setKeyDisabled(id, dropped, QStringLiteral("403")).ok());

    // Other changes keep the state.
    Channel changed = *repo.findByName(QStringLiteral("c"));
    changed.priority = 5;
    ASSERT_TRUE(repo.update(changed).ok());
    EXPECT_EQ(repo.findByName(QStringLiteral("c"))->disabledKeys.size(), 2);

    changed.keys = {c.keys.at(0), QStringLiteral("sk-new-7654321")};
    ASSERT_TRUE(repo.update(changed).ok());
    EXPECT_EQ(repo.findByName(QStringLiteral("c"))->disabledKeys,
              (QMap<QString, QString>{{kept, QStringLiteral("401")}}));

    changed.keys.clear();
    ASSERT_TRUE(repo.update(changed).ok());
    EXPECT_TRUE(repo.findByName(QStringLiteral("c"))->disabledKeys.isEmpty());
}

TEST_F(RoutingStorageTest, RemovingAChannelRemovesItsStateRows)
{
    ChannelRepository repo(db());
    const Channel c = routedChannel(QStringLiteral("gone"));
    const qint64 id = addChannel(c);
    const qint64 otherId = addChannel(routedChannel(QStringLiteral("stays")));
    ASSERT_TRUE(repo.setKeyDisabled(id, keyId(c.keys.first()), QStringLiteral("401")).ok());
    ASSERT_TRUE(repo.recordLearned(id, {QStringLiteral("gpt-4o"), Capability::Tools, false, {}, kBase}).ok());
    ASSERT_TRUE(repo.recordLearned(otherId, {QStringLiteral("gpt-4o"), Capability::Tools, false, {}, kBase}).ok());
    RouterStatus status;
    status.takenAt = kBase;
    status.channels = {ChannelStatus{id, c.name, HealthState::Cooling, kBase.addSecs(30), QStringLiteral("429"), 1, 100, 0.5, 3,
                                     {KeyStatus{keyId(c.keys.first()), HealthState::Disabled, {}, QStringLiteral("401"), 1, 1}}, {}},
                       ChannelStatus{otherId, QStringLiteral("stays"), HealthState::Healthy, {}, {}, 1, -1, 0, 0, {}, {}}};
    ASSERT_TRUE(RouterStateRepository(db()).save(status).ok());

    ASSERT_TRUE(repo.remove(QStringLiteral("gone")).ok());
    EXPECT_EQ(countRows(db(), QStringLiteral("SELECT count(*) FROM channel_key_state")), 0);
    EXPECT_EQ(countRows(db(), QStringLiteral("SELECT count(*) FROM learned_capabilities")), 1);
    auto loaded = RouterStateRepository(db()).load();
    ASSERT_TRUE(loaded.ok());
    ASSERT_EQ(loaded->channels.size(), 1);
    EXPECT_EQ(loaded->channels.first().channelId, otherId);
}

TEST_F(RoutingStorageTest, PoolsListSetAndRemove)
{
    PoolRepository pools(db());
    EXPECT_TRUE(pools.list()->isEmpty());
    qint64 r = revision();
    ASSERT_TRUE(pools.set(QStringLiteral("gpt-4o"), {RoutingStrategy::Cheapest, false}).ok());
    EXPECT_GT(revision(), r);
    ASSERT_TRUE(pools.set(QStringLiteral("claude"), {RoutingStrategy::Latency, true}).ok());
    ASSERT_TRUE(pools.set(QStringLiteral("gpt-4o"), {RoutingStrategy::Weighted, true}).ok());
    const QHash<QString, PoolSettings> expected{{QStringLiteral("gpt-4o"), {RoutingStrategy::Weighted, true}},
                                                {QStringLiteral("claude"), {RoutingStrategy::Latency, true}}};
    EXPECT_EQ(*pools.list(), expected);
    r = revision();
    ASSERT_TRUE(pools.remove(QStringLiteral("claude")).ok());
    EXPECT_GT(revision(), r);
    EXPECT_EQ(pools.remove(QStringLiteral("claude")).error().code, ErrorCode::NotFound);
    EXPECT_EQ(pools.list()->size(), 1);
}

TEST_F(RoutingStorageTest, RouterStateSaveReplacesEverythingAndNeverBumpsTheRevision)
{
    RouterStateRepository repo(db());
    auto empty = repo.load();
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->channels.isEmpty());
    EXPECT_FALSE(empty->takenAt.isValid());

    RouterStatus status;
    status.takenAt = kBase;
    ChannelStatus one{1, QStringLiteral("one"), HealthState::Open, kBase.addSecs(20), QStringLiteral("5 failures"),
                      0.5, 812.5, 0.25, 40, {}, {}};
    one.keys = {KeyStatus{QStringLiteral("k-aaaaaaaaaa"), HealthState::Healthy, {}, {}, 30, 2},
                KeyStatus{QStringLiteral("k-bbbbbbbbbb"), HealthState::Cooling, kBase.addSecs(60), QStringLiteral("429"), 10, 8}};
    ChannelStatus two{2, QStringLiteral("two"), HealthState::Healthy, {}, {}, 1, -1, 0, 0, {}, {}};
    status.channels = {one, two};

    const qint64 r = *SettingsRepository(db()).configRevision();
    ASSERT_TRUE(repo.save(status).ok());
    auto loaded = repo.load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message.toStdString();
    EXPECT_EQ(loaded->takenAt, kBase);
    EXPECT_EQ(loaded->channels, status.channels);

    RouterStatus later;
    later.takenAt = kBase.addSecs(1);
    later.channels = {two};
    ASSERT_TRUE(repo.save(later).ok());
    loaded = repo.load();
    EXPECT_EQ(loaded->channels, later.channels);
    EXPECT_EQ(loaded->takenAt, later.takenAt);
    EXPECT_EQ(*SettingsRepository(db()).configRevision(), r);
}

TEST_F(RoutingStorageTest, AttemptLogRoundTrips)
{
    UsageRepository usage(db());
    UsageRecord r;
    r.time = kBase;
    r.channelId = 2;
    r.channelName = QStringLiteral("backup");
    r.status = 200;
    r.attempts = 2;
    r.attemptLog = {AttemptRecord{1, QStringLiteral("main"), QStringLiteral("k-0123456789"), 429, QStringLiteral("rate limited"), 120},
                    AttemptRecord{2, QStringLiteral("backup"), QStringLiteral("k-9876543210"), 200, QString(), 850},
                    // Everything JSON must escape, and text beyond ASCII.
                    AttemptRecord{3, QStringLiteral("q\"uote\\d"), QStringLiteral("k-x"), 502,
                                  QStringLiteral("line\nbreak\ttab\r\x01\x1f 余额不足 \U0001F600 </tool_call>"), 7}};
    UsageRecord plain;
    plain.time = kBase.addSecs(1);
    ASSERT_TRUE(usage.insert({r, plain}).ok());
    auto recent = usage.recent(2);
    ASSERT_TRUE(recent.ok());
    ASSERT_EQ(recent->size(), 2);
    EXPECT_TRUE(recent->at(0).attemptLog.isEmpty());
    EXPECT_EQ(recent->at(1).attemptLog, r.attemptLog);
    EXPECT_EQ(countRows(db(), QStringLiteral("SELECT count(*) FROM usage WHERE attempt_log = '[]'")), 1);
    // Valid JSON to SQLite's own parser too (other tools read the column).
    EXPECT_EQ(countRows(db(), QStringLiteral("SELECT count(*) FROM usage WHERE json_valid(attempt_log)")), 2);
}

TEST_F(RoutingStorageTest, ChannelTotalsSinceCountsRequestsAndTokensPerChannel)
{
    UsageRepository usage(db());
    QList<UsageRecord> records;
    auto add = [&](qint64 channel, int secs, qint64 prompt, qint64 completion) {
        UsageRecord r;
        r.time = kBase.addSecs(secs);
        r.channelId = channel;
        r.promptTokens = prompt;
        r.completionTokens = completion;
        r.cachedTokens = 1000; // part of prompt already, never counted twice
        records.append(r);
    };
    add(1, -120, 500, 500); // before the window
    add(1, 0, 10, 5);
    add(1, 30, 20, 7);
    add(2, 59, 100, 0);
    add(0, 10, 999, 999);   // never reached a channel
    ASSERT_TRUE(usage.insert(records).ok());

    auto totals = usage.channelTotalsSince(kBase);
    ASSERT_TRUE(totals.ok()) << totals.error().message.toStdString();
    const QHash<qint64, ChannelUsageTotals> expected{{1, {2, 42}}, {2, {1, 100}}};
    EXPECT_EQ(*totals, expected);
    EXPECT_TRUE(usage.channelTotalsSince(kBase.addSecs(60))->isEmpty());
    EXPECT_EQ(usage.channelTotalsSince(kBase.addSecs(-3600))->value(1), (ChannelUsageTotals{3, 1042}));
}

} // namespace
