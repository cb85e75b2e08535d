// SPDX-License-Identifier: GPL-3.0-or-later
// ConfigStore against a real SQLite file: snapshots, swaps, polling and failed reloads.
#include "gateway/config/ConfigStore.h"

#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/PoolRepository.h"
#include "gateway/storage/RouterStateRepository.h"
#include "gateway/storage/SettingsRepository.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/TempDataDir.h"

#include <QDeadlineTimer>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace tarn::gateway;

namespace {

// Generous: the condition is what is waited for; the ceiling only stops a hang.
constexpr int kCeilingMs = 20'000;

Channel channel(const QString &name, int priority)
{
    Channel c;
    c.name = name;
    c.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
    c.keys = {QStringLiteral("sk-test")};
    c.models = {QStringLiteral("m")};
    c.priority = priority;
    return c;
}

class ConfigStoreTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_db = openConnection(QStringLiteral("config-store-test"));
        ASSERT_TRUE(m_db);
    }

    std::unique_ptr<Database> openConnection(const QString &name)
    {
        auto db = Database::open(m_dir.dbPath(), name);
        EXPECT_TRUE(db.ok()) << db.error().message.toStdString();
        return db.ok() ? std::move(db).value() : nullptr;
    }

    void addChannel(const QString &name, int priority = 0)
    {
        const auto id = ChannelRepository(*m_db).add(channel(name, priority));
        ASSERT_TRUE(id.ok()) << id.error().message.toStdString();
    }

    qint64 revision() { return *SettingsRepository(*m_db).configRevision(); }

    static bool waitFor(const std::function<bool()> &condition)
    {
        QDeadlineTimer deadline(kCeilingMs);
        while (!condition()) {
            if (deadline.hasExpired())
                return false;
            QTest::qWait(10);
        }
        return true;
    }

    tarn::test::TempDataDir m_dir;
    std::unique_ptr<Database> m_db;
};

TEST_F(ConfigStoreTest, StartsEmptyBeforeTheFirstReload)
{
    ConfigStore store(*m_db);
    const ConfigSnapshot snapshot = store.snapshot();
    ASSERT_TRUE(snapshot);
    EXPECT_TRUE(snapshot->channels.isEmpty());
    EXPECT_TRUE(snapshot->keysByHash.isEmpty());
    EXPECT_EQ(snapshot->revision, 0);
}

TEST_F(ConfigStoreTest, ReloadBuildsASnapshotFromTheDatabase)
{
    addChannel(QStringLiteral("low"), 1);
    addChannel(QStringLiteral("high"), 10);
    ClientKey meta;
    meta.name = QStringLiteral("laptop");
    meta.models = {QStringLiteral("m")};
    const auto plaintext = ClientKeyRepository(*m_db).create(meta);
    ASSERT_TRUE(plaintext.ok()) << plaintext.error().message.toStdString();
    ASSERT_TRUE(SettingsRepository(*m_db)
                    .setValue(QString::fromLatin1(SettingKeys::LoopbackWithoutKey), QStringLiteral("false"))
                    .ok());

    ConfigStore store(*m_db);
    QSignalSpy changed(&store, &ConfigStore::changed);
    const Status status = store.reload();
    ASSERT_TRUE(status.ok()) << status.error().message.toStdString();
    EXPECT_EQ(changed.count(), 1);

    const ConfigSnapshot snapshot = store.snapshot();
    ASSERT_EQ(snapshot->channels.size(), 2);
    EXPECT_EQ(snapshot->channels[0].name, QStringLiteral("high")); // priority order
    EXPECT_EQ(snapshot->channels[1].name, QStringLiteral("low"));
    EXPECT_EQ(snapshot->channels[0].keys, QStringList{QStringLiteral("sk-test")});
    ASSERT_EQ(snapshot->keysByHash.size(), 1);
    const QByteArray hash = *ClientKeyRepository(*m_db).saltedHash(plaintext->toUtf8());
    EXPECT_EQ(snapshot->keySalt, *ClientKeyRepository(*m_db).installSalt());
    ASSERT_TRUE(snapshot->keysByHash.contains(hash));
    EXPECT_EQ(snapshot->keysByHash.value(hash).name, QStringLiteral("laptop"));
    EXPECT_EQ(snapshot->keysByHash.value(hash).models, QStringList{QStringLiteral("m")});
    EXPECT_FALSE(snapshot->loopbackWithoutKey);
    EXPECT_EQ(snapshot->revision, revision());
    EXPECT_GT(snapshot->revision, 0);
}

TEST_F(ConfigStoreTest, LoopbackWithoutKeyDefaultsToTrue)
{
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    EXPECT_TRUE(store.snapshot()->loopbackWithoutKey);
    ASSERT_TRUE(SettingsRepository(*m_db)
                    .setValue(QString::fromLatin1(SettingKeys::LoopbackWithoutKey), QStringLiteral("0"))
                    .ok());
    ASSERT_TRUE(store.reload().ok());
    EXPECT_FALSE(store.snapshot()->loopbackWithoutKey);
}

TEST_F(ConfigStoreTest, HeldSnapshotIsStableWhileANewOneIsSwappedIn)
{
    addChannel(QStringLiteral("a"));
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    const ConfigSnapshot held = store.snapshot();
    const qint64 heldRevision = held->revision;

    addChannel(QStringLiteral("b"));
    ASSERT_TRUE(ChannelRepository(*m_db).setEnabled(QStringLiteral("a"), false).ok());
    ASSERT_TRUE(store.reload().ok());

    // The request that took `held` still sees the configuration it started with.
    ASSERT_EQ(held->channels.size(), 1);
    EXPECT_TRUE(held->channels[0].enabled);
    EXPECT_EQ(held->revision, heldRevision);
    const ConfigSnapshot fresh = store.snapshot();
    EXPECT_NE(fresh.get(), held.get());
    EXPECT_EQ(fresh->channels.size(), 2);
    EXPECT_GT(fresh->revision, heldRevision);
}

TEST_F(ConfigStoreTest, ReadersOnOtherThreadsSeeWholeSnapshotsDuringSwaps)
{
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    std::atomic<bool> done{false};
    std::atomic<int> reads{0};
    std::atomic<int> problems{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
        readers.emplace_back([&] {
            qsizetype lastCount = 0;
            qint64 lastRevision = 0;
            while (!done.load()) {
                const ConfigSnapshot s = store.snapshot();
                // Channels are only ever added, so neither number may go back.
                if (!s || s->channels.size() < lastCount || s->revision < lastRevision)
                    ++problems;
                for (const Channel &c : s->channels) {
                    if (c.name.isEmpty() || c.models != QStringList{QStringLiteral("m")})
                        ++problems;
                }
                lastCount = s->channels.size();
                lastRevision = s->revision;
                ++reads;
            }
        });
    }
    // No ASSERT while the readers run: returning early would leave them unjoined.
    for (int i = 0; i < 20; ++i) {
        addChannel(QStringLiteral("c%1").arg(i));
        EXPECT_TRUE(store.reload().ok());
    }
    // Let every reader see the final snapshot at least once.
    const int readsAtEnd = reads.load();
    QDeadlineTimer deadline(kCeilingMs);
    while (reads.load() < readsAtEnd + 10 && !deadline.hasExpired())
        std::this_thread::yield();
    done = true;
    for (std::thread &t : readers)
        t.join();
    EXPECT_EQ(problems.load(), 0);
    EXPECT_EQ(store.snapshot()->channels.size(), 20);
}

TEST_F(ConfigStoreTest, PollPicksUpAChangeMadeByAnotherConnection)
{
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    QSignalSpy changed(&store, &ConfigStore::changed);
    store.startWatching(20);

    // The command line writes through its own connection (another process in real life).
    {
        auto cli = openConnection(QStringLiteral("config-store-test-cli"));
        ASSERT_TRUE(cli);
        ASSERT_TRUE(ChannelRepository(*cli).add(channel(QStringLiteral("from-cli"), 0)).ok());
    }

    ASSERT_TRUE(waitFor([&] { return store.snapshot()->channels.size() == 1; }));
    EXPECT_EQ(store.snapshot()->channels[0].name, QStringLiteral("from-cli"));
    EXPECT_EQ(store.snapshot()->revision, revision());
    EXPECT_GE(changed.count(), 1);
}

TEST_F(ConfigStoreTest, PollDoesNotReloadWhenTheRevisionIsUnchanged)
{
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    const ConfigSnapshot before = store.snapshot();
    QSignalSpy changed(&store, &ConfigStore::changed);
    store.startWatching(10);
    QTest::qWait(200); // about 20 polls
    EXPECT_EQ(changed.count(), 0);
    EXPECT_EQ(store.snapshot().get(), before.get());
}

TEST_F(ConfigStoreTest, FailedReloadKeepsTheOldSnapshot)
{
    addChannel(QStringLiteral("a"));
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    const ConfigSnapshot good = store.snapshot();

    // Channels cannot be read while the table is gone.
    QSqlQuery sql(m_db->handle());
    ASSERT_TRUE(sql.exec(QStringLiteral("ALTER TABLE channels RENAME TO channels_away")));
    QSignalSpy changed(&store, &ConfigStore::changed);
    const Status failed = store.reload();
    EXPECT_FALSE(failed.ok());
    EXPECT_EQ(changed.count(), 0);
    EXPECT_EQ(store.snapshot().get(), good.get());
    EXPECT_EQ(store.snapshot()->channels.size(), 1);
}

TEST_F(ConfigStoreTest, PollRetriesAfterAFailedReload)
{
    addChannel(QStringLiteral("a"));
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    const ConfigSnapshot good = store.snapshot();

    QSqlQuery sql(m_db->handle());
    ASSERT_TRUE(sql.exec(QStringLiteral("ALTER TABLE channels RENAME TO channels_away")));
    // A settings change moves the revision, so the next poll tries (and fails) to reload.
    ASSERT_TRUE(SettingsRepository(*m_db).setValue(QStringLiteral("test.poke"), QStringLiteral("1")).ok());
    store.startWatching(10);
    QTest::qWait(100);
    EXPECT_EQ(store.snapshot().get(), good.get()); // kept through the failures

    ASSERT_TRUE(sql.exec(QStringLiteral("ALTER TABLE channels_away RENAME TO channels")));
    // The revision did not move again, but the store never caught up with it: it retries.
    ASSERT_TRUE(waitFor([&] { return store.snapshot().get() != good.get(); }));
    EXPECT_EQ(store.snapshot()->revision, revision());
    EXPECT_EQ(store.snapshot()->channels.size(), 1);
}

TEST_F(ConfigStoreTest, ReloadReadsPoolsRoutingSettingsAndChannelState)
{
    addChannel(QStringLiteral("main"));
    ChannelRepository channels(*m_db);
    const Channel main = *channels.findByName(QStringLiteral("main"));
    ASSERT_TRUE(channels.setKeyDisabled(main.id, keyId(main.keys.first()), QStringLiteral("401 bad key")).ok());
    const LearnedCapability lesson{QStringLiteral("m"), Capability::Vision, false, QStringLiteral("no images"),
                                   QDateTime::currentDateTimeUtc()};
    ASSERT_TRUE(channels.recordLearned(main.id, lesson).ok());
    ASSERT_TRUE(PoolRepository(*m_db).set(QStringLiteral("m"), {RoutingStrategy::Latency, false}).ok());
    SettingsRepository settings(*m_db);
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::MaxAttempts), QStringLiteral("3")).ok());
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::TimeBudgetMs), QStringLiteral("45000")).ok());
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::RetryEmptyAnswers), QStringLiteral("true")).ok());
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::RetestIntervalS), QStringLiteral("0")).ok());

    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    ConfigSnapshot snapshot = store.snapshot();
    ASSERT_EQ(snapshot->channels.size(), 1);
    EXPECT_EQ(snapshot->channels[0].disabledKeys.value(keyId(main.keys.first())), QStringLiteral("401 bad key"));
    ASSERT_EQ(snapshot->channels[0].learned.size(), 1);
    EXPECT_EQ(snapshot->channels[0].learned[0].capability, Capability::Vision);
    EXPECT_FALSE(snapshot->channels[0].learned[0].supported);
    EXPECT_EQ(snapshot->pools.value(QStringLiteral("m")), (PoolSettings{RoutingStrategy::Latency, false}));
    EXPECT_EQ(snapshot->routing.maxAttempts, 3);
    EXPECT_EQ(snapshot->routing.timeBudgetMs, 45000);
    EXPECT_TRUE(snapshot->routing.retryEmptyAnswers);
    EXPECT_EQ(snapshot->routing.retestIntervalS, 0);

    // Garbage reads as the defaults rather than failing the reload.
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::MaxAttempts), QStringLiteral("99")).ok());
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::TimeBudgetMs), QStringLiteral("soon")).ok());
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::RetryEmptyAnswers), QStringLiteral("maybe")).ok());
    ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::RetestIntervalS), QStringLiteral("-1")).ok());
    ASSERT_TRUE(channels.clearKeyDisabled(main.id).ok());
    ASSERT_TRUE(store.reload().ok());
    snapshot = store.snapshot();
    const RoutingSettings defaults;
    EXPECT_EQ(snapshot->routing.maxAttempts, defaults.maxAttempts);
    EXPECT_EQ(snapshot->routing.timeBudgetMs, defaults.timeBudgetMs);
    EXPECT_EQ(snapshot->routing.retryEmptyAnswers, defaults.retryEmptyAnswers);
    EXPECT_EQ(snapshot->routing.retestIntervalS, defaults.retestIntervalS);
    EXPECT_TRUE(snapshot->channels[0].disabledKeys.isEmpty());
}

TEST_F(ConfigStoreTest, PollReloadsWhenKeyStateOrPoolsChangeButNotForRouterState)
{
    addChannel(QStringLiteral("main"));
    ConfigStore store(*m_db);
    ASSERT_TRUE(store.reload().ok());
    const qint64 before = store.snapshot()->revision;
    auto other = openConnection(QStringLiteral("config-store-cli"));
    ASSERT_TRUE(other);
    const Channel main = *ChannelRepository(*other).findByName(QStringLiteral("main"));
    RouterStatus status;
    status.channels = {ChannelStatus{main.id, main.name, HealthState::Cooling, {}, {}, 1, -1, 0, 0, {}, {}}};
    ASSERT_TRUE(RouterStateRepository(*other).save(status).ok());
    EXPECT_EQ(revision(), before);

    store.startWatching(20);
    ASSERT_TRUE(PoolRepository(*other).set(QStringLiteral("m"), {RoutingStrategy::Cheapest, true}).ok());
    EXPECT_TRUE(waitFor([&] { return store.snapshot()->pools.contains(QStringLiteral("m")); }));
    ASSERT_TRUE(ChannelRepository(*other).setKeyDisabled(main.id, keyId(main.keys.first()), QStringLiteral("403")).ok());
    EXPECT_TRUE(waitFor([&] { return !store.snapshot()->channels.value(0).disabledKeys.isEmpty(); }));
}

} // namespace
