// SPDX-License-Identifier: GPL-3.0-or-later
// UsageRepository against a real SQLite file.
#include "StorageTestSupport.h"

#include <QTimeZone>

#include <algorithm>

#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/StorageSupport.h"
#include "gateway/storage/UsageRepository.h"

using namespace tarn::gateway;

namespace {

using UsageRepositoryTest = tarn::gateway::test::StorageTest;

const QDateTime kBase(QDate(2030, 1, 1), QTime(0, 0), QTimeZone::utc());

UsageRecord record(int i)
{
    UsageRecord r;
    r.time = kBase.addSecs(i);
    r.clientKeyId = i % 3;
    r.inboundFormat = QStringLiteral("openai");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = i % 2 == 0 ? QStringLiteral("gpt-4o") : QStringLiteral("claude");
    r.channelId = i % 4 + 1;
    r.channelName = QStringLiteral("ch%1").arg(i % 4 + 1);
    r.upstreamModel = r.requestedModel + QStringLiteral("-up");
    r.status = i % 10 == 0 ? 502 : (i % 25 == 1 ? 0 : 200);
    r.stream = i % 5 == 0;
    r.promptTokens = i % 100;
    r.completionTokens = i % 7;
    r.cachedTokens = i % 3;
    r.reasoningTokens = i % 7 / 2;
    r.latencyMs = i % 50;
    r.ttftMs = i % 2 ? -1 : 10;
    r.attempts = 1 + i % 2;
    r.error = r.status >= 400 ? QStringLiteral("bad gateway") : QString();
    return r;
}

TEST_F(UsageRepositoryTest, InsertTenThousandAndSummarizeExactly)
{
    UsageRepository repo(db());
    QList<UsageRecord> records;
    for (int i = 0; i < 10000; ++i)
        records.append(record(i));
    ASSERT_TRUE(repo.insert(records).ok());
    EXPECT_EQ(*repo.count(), 10000);

    // Compute the expected numbers independently, for records at or after `since`.
    const QDateTime since = kBase.addSecs(2500);
    QMap<QString, UsageSummaryRow> channels;
    QMap<QString, UsageSummaryRow> models;
    QMap<QString, qint64> channelLatency;
    UsageSummaryRow total;
    qint64 totalLatency = 0;
    auto add = [](UsageSummaryRow &row, const UsageRecord &r) {
        ++row.requests;
        row.errors += (r.status >= 400 || r.status == 0) ? 1 : 0;
        row.promptTokens += r.promptTokens;
        row.completionTokens += r.completionTokens;
        row.cachedTokens += r.cachedTokens;
    };
    for (const UsageRecord &r : records) {
        if (r.time < since)
            continue;
        add(channels[r.channelName], r);
        add(models[r.requestedModel], r);
        add(total, r);
        channelLatency[r.channelName] += r.latencyMs;
        totalLatency += r.latencyMs;
    }

    auto summary = repo.summarize(since);
    ASSERT_TRUE(summary.ok()) << summary.error().message.toStdString();
    ASSERT_EQ(summary->channels.size(), 4);
    ASSERT_EQ(summary->models.size(), 2);
    EXPECT_EQ(summary->total.requests, 7500);
    EXPECT_EQ(summary->total.errors, total.errors);
    EXPECT_EQ(summary->total.promptTokens, total.promptTokens);
    EXPECT_EQ(summary->total.completionTokens, total.completionTokens);
    EXPECT_EQ(summary->total.cachedTokens, total.cachedTokens);
    EXPECT_DOUBLE_EQ(summary->total.avgLatencyMs, double(totalLatency) / 7500);
    for (const UsageSummaryRow &row : summary->channels) {
        const UsageSummaryRow &e = channels.value(row.name);
        EXPECT_EQ(row.requests, e.requests) << row.name.toStdString();
        EXPECT_EQ(row.errors, e.errors) << row.name.toStdString();
        EXPECT_EQ(row.promptTokens, e.promptTokens) << row.name.toStdString();
        EXPECT_EQ(row.completionTokens, e.completionTokens) << row.name.toStdString();
        EXPECT_EQ(row.cachedTokens, e.cachedTokens) << row.name.toStdString();
        EXPECT_DOUBLE_EQ(row.avgLatencyMs, double(channelLatency.value(row.name)) / e.requests);
    }
    for (const UsageSummaryRow &row : summary->models) {
        const UsageSummaryRow &e = models.value(row.name);
        EXPECT_EQ(row.requests, e.requests);
        EXPECT_EQ(row.errors, e.errors);
        EXPECT_EQ(row.promptTokens, e.promptTokens);
    }
    EXPECT_EQ(summary->models.at(0).requests, 3750);
}

TEST_F(UsageRepositoryTest, SummarizeExcludesOlderRecordsAndHandlesEmpty)
{
    UsageRepository repo(db());
    auto empty = repo.summarize(kBase);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->channels.isEmpty());
    EXPECT_EQ(empty->total.requests, 0);

    ASSERT_TRUE(repo.insert({record(0), record(10)}).ok());
    EXPECT_EQ(repo.summarize(kBase.addSecs(5))->total.requests, 1);
    EXPECT_EQ(repo.summarize(kBase.addSecs(11))->total.requests, 0);
    // A local-time `since` means the same instant.
    EXPECT_EQ(repo.summarize(kBase.addSecs(5).toLocalTime())->total.requests, 1);
}

TEST_F(UsageRepositoryTest, RecentReturnsNewestFirstWithEveryField)
{
    UsageRepository repo(db());
    ASSERT_TRUE(repo.insert({record(1), record(3), record(2)}).ok());
    auto recent = repo.recent(2);
    ASSERT_TRUE(recent.ok());
    ASSERT_EQ(recent->size(), 2);
    UsageRecord expected = record(3);
    const UsageRecord &got = recent->at(0);
    EXPECT_GT(got.id, 0);
    EXPECT_EQ(got.time, expected.time);
    EXPECT_EQ(got.clientKeyId, expected.clientKeyId);
    EXPECT_EQ(got.inboundFormat, expected.inboundFormat);
    EXPECT_EQ(got.endpoint, expected.endpoint);
    EXPECT_EQ(got.requestedModel, expected.requestedModel);
    EXPECT_EQ(got.channelId, expected.channelId);
    EXPECT_EQ(got.channelName, expected.channelName);
    EXPECT_EQ(got.upstreamModel, expected.upstreamModel);
    EXPECT_EQ(got.status, expected.status);
    EXPECT_EQ(got.stream, expected.stream);
    EXPECT_EQ(got.promptTokens, expected.promptTokens);
    EXPECT_EQ(got.completionTokens, expected.completionTokens);
    EXPECT_EQ(got.cachedTokens, expected.cachedTokens);
    EXPECT_EQ(got.reasoningTokens, expected.reasoningTokens);
    EXPECT_GT(expected.reasoningTokens, 0);
    EXPECT_EQ(got.latencyMs, expected.latencyMs);
    EXPECT_EQ(got.ttftMs, expected.ttftMs);
    EXPECT_EQ(got.attempts, expected.attempts);
    EXPECT_EQ(got.error, expected.error);
    EXPECT_EQ(recent->at(1).time, record(2).time);
    EXPECT_TRUE(repo.recent(0)->isEmpty());
}

// The usage writer binds rows straight through sqlite3 where the build allows it, 32 rows to a
// statement; both paths must store exactly the same rows, whatever the text holds.
TEST_F(UsageRepositoryTest, NativeAndPortableInsertsStoreTheSameRows)
{
    QList<UsageRecord> records;
    for (int i = 0; i < 70; ++i) { // two full 32-row statements and six single rows
        UsageRecord r = record(i);
        if (i % 7 == 3) {
            r.requestedModel = QStringLiteral("模型-\"quoted\"\n\\ ü 🦊");
            r.channelName = QString(); // a null string is stored as ''
            r.error = QStringLiteral("nul\u0000inside and a tab\t");
            r.attemptLog = {{1, QStringLiteral("ch\"1"), QStringLiteral("k\u0001"), 429, QStringLiteral("slow\ndown"), 12},
                            {2, QStringLiteral("ch2"), QString(), 200, QString(), 30}};
        }
        records.append(r);
    }
    UsageRepository repo(db());
    ASSERT_TRUE(repo.insert(records.first(40), UsageRepository::InsertPath::Native).ok());
    ASSERT_TRUE(repo.insert(records.sliced(40), UsageRepository::InsertPath::Native).ok()); // reuses its statements
    ASSERT_TRUE(repo.insert(records, UsageRepository::InsertPath::Portable).ok());
    const auto stored = repo.recent(1000);
    ASSERT_TRUE(stored.ok());
    ASSERT_EQ(stored->size(), 2 * records.size());
    // recent() is newest first; equal times fall back to id order, so compare by id.
    QList<UsageRecord> rows = *stored;
    std::sort(rows.begin(), rows.end(), [](const UsageRecord &a, const UsageRecord &b) { return a.id < b.id; });
    for (qsizetype i = 0; i < records.size(); ++i) {
        const UsageRecord &native = rows.at(i);
        const UsageRecord &portable = rows.at(i + records.size());
        SCOPED_TRACE(i);
        EXPECT_FALSE(native.channelName.isNull());
        for (const UsageRecord *r : {&native, &portable}) {
            EXPECT_EQ(r->time, records.at(i).time);
            EXPECT_EQ(r->clientKeyId, records.at(i).clientKeyId);
            EXPECT_EQ(r->inboundFormat, records.at(i).inboundFormat);
            EXPECT_EQ(r->endpoint, records.at(i).endpoint);
            EXPECT_EQ(r->requestedModel, records.at(i).requestedModel);
            EXPECT_EQ(r->channelId, records.at(i).channelId);
            EXPECT_EQ(r->channelName, records.at(i).channelName.isNull() ? QStringLiteral("") : records.at(i).channelName);
            EXPECT_EQ(r->upstreamModel, records.at(i).upstreamModel);
            EXPECT_EQ(r->status, records.at(i).status);
            EXPECT_EQ(r->stream, records.at(i).stream);
            EXPECT_EQ(r->promptTokens, records.at(i).promptTokens);
            EXPECT_EQ(r->completionTokens, records.at(i).completionTokens);
            EXPECT_EQ(r->cachedTokens, records.at(i).cachedTokens);
            EXPECT_EQ(r->reasoningTokens, records.at(i).reasoningTokens);
            EXPECT_EQ(r->latencyMs, records.at(i).latencyMs);
            EXPECT_EQ(r->ttftMs, records.at(i).ttftMs);
            EXPECT_EQ(r->attempts, records.at(i).attempts);
            EXPECT_EQ(r->error, records.at(i).error);
            ASSERT_EQ(r->attemptLog.size(), records.at(i).attemptLog.size());
            for (qsizetype a = 0; a < r->attemptLog.size(); ++a) {
                EXPECT_EQ(r->attemptLog.at(a).channelName, records.at(i).attemptLog.at(a).channelName);
                EXPECT_EQ(r->attemptLog.at(a).keyId, records.at(i).attemptLog.at(a).keyId);
                EXPECT_EQ(r->attemptLog.at(a).error, records.at(i).attemptLog.at(a).error);
                EXPECT_EQ(r->attemptLog.at(a).status, records.at(i).attemptLog.at(a).status);
            }
        }
    }
}

TEST_F(UsageRepositoryTest, InsertDoesNotBumpConfigRevision)
{
    UsageRepository repo(db());
    const qint64 before = *SettingsRepository(db()).configRevision();
    ASSERT_TRUE(repo.insert({record(1)}).ok());
    EXPECT_EQ(*SettingsRepository(db()).configRevision(), before);
    EXPECT_TRUE(repo.insert({}).ok());
    EXPECT_EQ(*repo.count(), 1);
}

} // namespace

namespace {

// The usage writer formats timestamps by hand; the text must stay exactly Qt's ISO form, which the
// rest of the storage layer (and `ts >= ?` comparisons) relies on.
TEST(DbTimeTest, HandFormattedTimestampsMatchQtIsoText)
{
    const qint64 samples[] = {
        0, 1, 999, 86'399'999, 86'400'000, -1, -86'400'001, 951'782'400'000 /* 2000-02-29 */,
        4'107'542'399'999 /* 2100-02-28T23:59:59.999 */, 1'709'210'096'123, -62'135'596'800'000 /* 0001-01-01 */,
        253'402'300'799'999 /* 9999-12-31T23:59:59.999 */,
    };
    for (qint64 ms : samples) {
        const QString expected = QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs);
        EXPECT_EQ(storage::dbTimeFromMSecs(ms), expected) << ms;
    }
    // A pseudo-random walk over four centuries, leap days and day boundaries included.
    quint64 state = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20'000; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const qint64 ms = qint64(state >> 20) % (400LL * 366 * 86'400'000) - 200LL * 366 * 86'400'000;
        const QString expected = QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs);
        ASSERT_EQ(storage::dbTimeFromMSecs(ms), expected) << ms;
    }
}

} // namespace
