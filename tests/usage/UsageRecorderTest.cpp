// SPDX-License-Identifier: GPL-3.0-or-later
// UsageRecorder: the writer thread commits every row exactly once, in batches, and on shutdown.
#include "gateway/usage/UsageRecorder.h"

#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/UsageRepository.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/TempDataDir.h"

#include <QSet>
#include <QTimeZone>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace tarn::gateway;

namespace {

const QDateTime kBase(QDate(2030, 1, 1), QTime(0, 0), QTimeZone::utc());

// Each row carries its number in latency_ms, so the rows in the database can be told apart.
UsageRecord row(qint64 n, qint64 clientKeyId = 0)
{
    UsageRecord r;
    r.time = kBase.addSecs(n);
    r.clientKeyId = clientKeyId;
    r.inboundFormat = QStringLiteral("openai");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = QStringLiteral("m");
    r.status = 200;
    r.latencyMs = n;
    r.attempts = 1;
    return r;
}

class UsageRecorderTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        // The test's own connection: it migrates the file and reads what the writer committed.
        auto db = Database::open(m_dir.dbPath(), QStringLiteral("usage-recorder-test"));
        ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
        m_db = std::move(db).value();
    }

    qint64 rowsInDatabase() { return *UsageRepository(*m_db).count(); }

    // Every latency_ms value in the table, with how often it occurs.
    QHash<qint64, int> rowNumbers()
    {
        QHash<qint64, int> numbers;
        const auto rows = UsageRepository(*m_db).recent(1'000'000);
        EXPECT_TRUE(rows.ok());
        if (rows.ok()) {
            for (const UsageRecord &r : *rows)
                ++numbers[r.latencyMs];
        }
        return numbers;
    }

    tarn::test::TempDataDir m_dir;
    std::unique_ptr<Database> m_db;
};

TEST_F(UsageRecorderTest, StartFailsOnAnUnusablePath)
{
    UsageRecorder recorder(m_dir.path()); // a directory, not a database file
    EXPECT_FALSE(recorder.start().ok());
    recorder.record(row(1)); // harmless without a writer
    recorder.flush();        // returns at once
    recorder.stop();
}

TEST_F(UsageRecorderTest, StopCommitsEveryRecordedRow)
{
    UsageRecorder recorder(m_dir.dbPath());
    ASSERT_TRUE(recorder.start().ok());
    for (int i = 0; i < 100; ++i)
        recorder.record(row(i));
    recorder.stop(); // well before the writer's batch interval
    EXPECT_EQ(recorder.committedCount(), 100);
    EXPECT_EQ(recorder.pendingCount(), 0);
    EXPECT_EQ(rowsInDatabase(), 100);
}

TEST_F(UsageRecorderTest, DestructorFlushesLikeStop)
{
    {
        UsageRecorder recorder(m_dir.dbPath());
        ASSERT_TRUE(recorder.start().ok());
        for (int i = 0; i < 37; ++i)
            recorder.record(row(i));
    }
    EXPECT_EQ(rowsInDatabase(), 37);
}

TEST_F(UsageRecorderTest, FlushReturnsOnlyAfterTheRowsAreCommitted)
{
    UsageRecorder recorder(m_dir.dbPath());
    ASSERT_TRUE(recorder.start().ok());
    for (int round = 1; round <= 3; ++round) {
        for (int i = 0; i < 10; ++i)
            recorder.record(row(round * 100 + i));
        recorder.flush();
        // Read at once, through another connection: no waiting, no polling.
        EXPECT_EQ(rowsInDatabase(), round * 10);
        EXPECT_EQ(recorder.committedCount(), round * 10);
        EXPECT_EQ(recorder.pendingCount(), 0);
    }
}

TEST_F(UsageRecorderTest, FlushWithNothingRecordedReturns)
{
    UsageRecorder recorder(m_dir.dbPath());
    ASSERT_TRUE(recorder.start().ok());
    recorder.flush();
    EXPECT_EQ(recorder.committedCount(), 0);
    EXPECT_EQ(rowsInDatabase(), 0);
}

class UsageRecorderBatchTest : public UsageRecorderTest, public ::testing::WithParamInterface<int>
{
};

TEST_P(UsageRecorderBatchTest, EveryRowLandsOnceAcrossBatchBoundaries)
{
    const int count = GetParam();
    UsageRecorder recorder(m_dir.dbPath());
    ASSERT_TRUE(recorder.start().ok());
    for (int i = 0; i < count; ++i)
        recorder.record(row(i));
    recorder.flush();
    EXPECT_EQ(recorder.committedCount(), count);
    EXPECT_EQ(rowsInDatabase(), count);
    const QHash<qint64, int> numbers = rowNumbers();
    EXPECT_EQ(numbers.size(), count);
    for (int i = 0; i < count; ++i)
        ASSERT_EQ(numbers.value(i), 1) << "row " << i;
    recorder.stop();
    EXPECT_EQ(rowsInDatabase(), count); // stop() writes nothing twice
}

// The writer batches 512 rows: on, just past and well past the boundary.
INSTANTIATE_TEST_SUITE_P(BatchSizes, UsageRecorderBatchTest, ::testing::Values(1, 511, 512, 513, 1024, 1025, 5000));

TEST_F(UsageRecorderTest, RowsFromManyThreadsLandExactlyOnce)
{
    constexpr int kThreads = 4;
    constexpr int kRowsPerThread = 1500;
    UsageRecorder recorder(m_dir.dbPath());
    ASSERT_TRUE(recorder.start().ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&recorder, t] {
            for (int i = 0; i < kRowsPerThread; ++i) {
                recorder.record(row(qint64(t) * kRowsPerThread + i));
                if (i % 500 == 250)
                    recorder.flush(); // flushes racing with records and with each other
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    recorder.stop();

    constexpr int kTotal = kThreads * kRowsPerThread;
    EXPECT_EQ(recorder.committedCount(), kTotal);
    EXPECT_EQ(rowsInDatabase(), kTotal);
    const QHash<qint64, int> numbers = rowNumbers();
    EXPECT_EQ(numbers.size(), kTotal);
    int wrong = 0;
    for (int n = 0; n < kTotal; ++n)
        wrong += numbers.value(n) == 1 ? 0 : 1;
    EXPECT_EQ(wrong, 0);
}

TEST_F(UsageRecorderTest, UpdatesLastUsedOfClientKeys)
{
    ClientKeyRepository keys(*m_db);
    ClientKey used;
    used.name = QStringLiteral("used");
    ClientKey idle;
    idle.name = QStringLiteral("idle");
    ASSERT_TRUE(keys.create(used).ok());
    ASSERT_TRUE(keys.create(idle).ok());
    const qint64 usedId = keys.findByName(QStringLiteral("used"))->id;
    ASSERT_GT(usedId, 0);

    UsageRecorder recorder(m_dir.dbPath());
    ASSERT_TRUE(recorder.start().ok());
    recorder.record(row(10, usedId));
    recorder.record(row(20, 0)); // loopback without a key touches no key
    recorder.record(row(30, usedId));
    recorder.flush();

    EXPECT_EQ(keys.findByName(QStringLiteral("used"))->lastUsedAt, kBase.addSecs(30));
    EXPECT_FALSE(keys.findByName(QStringLiteral("idle"))->lastUsedAt.isValid());

    recorder.record(row(40, usedId));
    recorder.stop();
    EXPECT_EQ(keys.findByName(QStringLiteral("used"))->lastUsedAt, kBase.addSecs(40));
}

TEST_F(UsageRecorderTest, RecordedFieldsAreStoredAsGiven)
{
    UsageRecorder recorder(m_dir.dbPath());
    ASSERT_TRUE(recorder.start().ok());
    UsageRecord r = row(7);
    r.channelId = 3;
    r.channelName = QStringLiteral("glm");
    r.upstreamModel = QStringLiteral("glm-4.6");
    r.stream = true;
    r.promptTokens = 11;
    r.completionTokens = 22;
    r.cachedTokens = 5;
    r.ttftMs = 42;
    r.status = 502;
    r.error = QStringLiteral("bad gateway");
    recorder.record(r);
    recorder.flush();
    const auto rows = UsageRepository(*m_db).recent(10);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1);
    const UsageRecord &stored = rows->first();
    EXPECT_EQ(stored.time, r.time);
    EXPECT_EQ(stored.channelName, r.channelName);
    EXPECT_EQ(stored.upstreamModel, r.upstreamModel);
    EXPECT_TRUE(stored.stream);
    EXPECT_EQ(stored.promptTokens, 11);
    EXPECT_EQ(stored.completionTokens, 22);
    EXPECT_EQ(stored.cachedTokens, 5);
    EXPECT_EQ(stored.ttftMs, 42);
    EXPECT_EQ(stored.status, 502);
    EXPECT_EQ(stored.error, r.error);
}

} // namespace
