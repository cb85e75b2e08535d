// SPDX-License-Identifier: GPL-3.0-or-later
// Schema version 6: reasoning tokens per usage row and in the hourly rollup, and the upgrade of a
// version 5 database that already holds usage rows, some rolled up and some not.
#include "StorageTestSupport.h"

#include "gateway/storage/Migrations.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QSqlQuery>
#include <QTimeZone>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
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

void exec(Database &db, const QString &sql)
{
    QSqlQuery q(db.handle());
    EXPECT_TRUE(q.exec(sql)) << sql.toStdString();
}

const QDateTime kBase(QDate(2030, 3, 4), QTime(10, 0), QTimeZone::utc());

UsageRecord reasoningRecord(qint64 seconds, qint64 completion, qint64 reasoning)
{
    UsageRecord r;
    r.time = kBase.addSecs(seconds);
    r.inboundFormat = s("openai");
    r.requestedModel = s("o3");
    r.upstreamModel = s("o3");
    r.channelId = 1;
    r.channelName = s("openai");
    r.status = 200;
    r.promptTokens = 100;
    r.completionTokens = completion;
    r.reasoningTokens = reasoning;
    r.attempts = 1;
    return r;
}

using ReasoningStorageTest = tarn::gateway::test::StorageTest;

} // namespace

TEST(ReasoningSchemaUpgradeTest, VersionFiveDatabaseWithUsageUpgradesInPlace)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(s("tarn.sqlite3"));
    {
        // Version 5 as it shipped, with three usage rows: two already rolled up into usage_hourly
        // (as version 5's catch-up wrote them) and one newer than the watermark.
        auto v5 = Database::open(path, s("v5"), schemaMigrations().mid(0, 5));
        ASSERT_TRUE(v5.ok()) << v5.error().message.toStdString();
        EXPECT_EQ((*v5)->schemaVersion(), 5);
        EXPECT_FALSE(columnsOf(**v5, s("usage")).contains(s("reasoning_tokens")));
        for (int i = 0; i < 3; ++i) {
            exec(**v5, QStringLiteral("INSERT INTO usage (ts, requested_model, channel_id, channel_name, upstream_model, "
                                      "status, prompt_tokens, completion_tokens, cached_tokens, attempts) VALUES "
                                      "('2030-03-04T10:%1:00.000Z', 'o3', 1, 'openai', 'o3', 200, 100, 40, 10, 1)")
                           .arg(10 + i));
        }
        exec(**v5, s("INSERT INTO usage_hourly (hour, channel_id, channel_name, requested_model, upstream_model, requests, "
                     "errors, prompt_tokens, completion_tokens, cached_tokens) "
                     "VALUES ('2030-03-04T10', 1, 'openai', 'o3', 'o3', 2, 0, 200, 80, 20)"));
        exec(**v5, s("UPDATE meta SET value = 2 WHERE key = 'usage_rollup_id'"));
    }
    auto db = Database::open(path, s("v6"));
    ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
    EXPECT_EQ((*db)->schemaVersion(), Database::latestSchemaVersion());
    EXPECT_GE((*db)->schemaVersion(), 6);
    EXPECT_TRUE(columnsOf(**db, s("usage")).contains(s("reasoning_tokens")));
    EXPECT_TRUE(columnsOf(**db, s("usage_hourly")).contains(s("reasoning_tokens")));

    // The old rows read with no reasoning, every other field as it was.
    UsageRepository usage(**db);
    auto old = usage.recent(10);
    ASSERT_TRUE(old.ok()) << old.error().message.toStdString();
    ASSERT_EQ(old->size(), 3);
    for (const UsageRecord &r : *old) {
        EXPECT_EQ(r.reasoningTokens, 0);
        EXPECT_EQ(r.completionTokens, 40);
        EXPECT_EQ(r.cachedTokens, 10);
    }

    // A new row with reasoning, then the totals over the old rollup, the old unrolled row and the
    // new one: the rollup catches up across the upgrade and sums reasoning exactly.
    ASSERT_TRUE(usage.insert({reasoningRecord(30 * 60, 500, 320)}).ok());
    UsageStatsRepository stats(**db);
    const UsageRange day{QDateTime(kBase.date(), QTime(0, 0), QTimeZone::utc()),
                         QDateTime(kBase.date().addDays(1), QTime(0, 0), QTimeZone::utc())};
    auto totals = stats.totals(day);
    ASSERT_TRUE(totals.ok()) << totals.error().message.toStdString();
    EXPECT_EQ(totals->requests, 4);
    EXPECT_EQ(totals->promptTokens, 400);
    EXPECT_EQ(totals->completionTokens, 620);
    EXPECT_EQ(totals->cachedTokens, 30);
    EXPECT_EQ(totals->reasoningTokens, 320);
    QSqlQuery q((*db)->handle());
    ASSERT_TRUE(q.exec(s("SELECT sum(reasoning_tokens), sum(requests) FROM usage_hourly")) && q.next());
    EXPECT_EQ(q.value(0).toLongLong(), 320);
    EXPECT_EQ(q.value(1).toLongLong(), 4);
}

TEST_F(ReasoningStorageTest, RequestLogAndSeriesCarryReasoning)
{
    UsageRepository usage(db());
    ASSERT_TRUE(usage.insert({reasoningRecord(0, 50, 0), reasoningRecord(60, 900, 700), reasoningRecord(3600, 300, 120)}).ok());
    UsageStatsRepository stats(db());

    auto log = stats.requestLog({});
    ASSERT_TRUE(log.ok()) << log.error().message.toStdString();
    ASSERT_EQ(log->size(), 3);
    EXPECT_EQ(log->at(0).record.reasoningTokens, 120); // newest first
    EXPECT_EQ(log->at(1).record.reasoningTokens, 700);
    EXPECT_EQ(log->at(2).record.reasoningTokens, 0);
    EXPECT_EQ(log->at(0).clientKeyName, QString()); // the column after the record still reads right

    auto series = stats.series({}, UsageGranularity::Hour, UsageGrouping::Model);
    ASSERT_TRUE(series.ok()) << series.error().message.toStdString();
    ASSERT_EQ(series->size(), 2);
    EXPECT_EQ(series->at(0).totals.reasoningTokens, 700);
    EXPECT_EQ(series->at(0).totals.completionTokens, 950);
    EXPECT_EQ(series->at(1).totals.reasoningTokens, 120);
}
