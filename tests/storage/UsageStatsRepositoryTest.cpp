// SPDX-License-Identifier: GPL-3.0-or-later
// UsageStatsRepository against a real SQLite file: every aggregate is checked against the same
// numbers computed here from the records, for ranges on and off hour boundaries, before and after
// the rollups have caught up.
#include "StorageTestSupport.h"

#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QMap>
#include <QSqlQuery>
#include <QTimeZone>

#include <algorithm>
#include <functional>

using namespace tarn::gateway;

namespace {

using UsageStatsRepositoryTest = tarn::gateway::test::StorageTest;

// A Sunday, so weeks start the next day.
const QDateTime kBase(QDate(2030, 1, 6), QTime(0, 0), QTimeZone::utc());

UsageRecord record(int i)
{
    UsageRecord r;
    // About 37 minutes apart: rows land on every hour and weekday over ten days.
    r.time = kBase.addSecs(qint64(i) * 2222);
    r.clientKeyId = i % 3;
    r.inboundFormat = i % 4 == 0 ? QStringLiteral("anthropic") : QStringLiteral("openai");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = i % 2 == 0 ? QStringLiteral("gpt-4o") : QStringLiteral("claude");
    r.channelId = i % 7 == 0 ? 0 : i % 3 + 1; // channel 0: never reached one
    r.channelName = r.channelId == 0 ? QString() : QStringLiteral("ch%1").arg(r.channelId);
    r.upstreamModel = i % 5 == 0 ? QStringLiteral("gpt-4o-2024") : r.requestedModel;
    r.status = i % 10 == 0 ? 502 : (i % 13 == 1 ? 0 : 200);
    r.promptTokens = 100 + i % 100;
    r.completionTokens = i % 7;
    r.cachedTokens = i % 3 * 10;
    r.reasoningTokens = i % 7 / 3;
    r.latencyMs = i % 31;
    r.ttftMs = i % 2 ? -1 : i % 17;
    r.attempts = 1;
    return r;
}

struct Fixture
{
    QList<UsageRecord> records;
    QMap<QString, ModelPrice> prices;

    bool inRange(const UsageRecord &r, const UsageRange &range) const
    {
        return (!range.from.isValid() || r.time >= range.from) && (!range.to.isValid() || r.time < range.to);
    }
    double cost(const UsageRecord &r) const
    {
        auto it = prices.constFind(r.upstreamModel);
        if (it == prices.cend())
            it = prices.constFind(r.requestedModel);
        if (it == prices.cend())
            return 0;
        return (double(r.promptTokens - r.cachedTokens) * it->inputPerMTok + double(r.cachedTokens) * it->cachedPerMTok
                + double(r.completionTokens) * it->outputPerMTok) / 1e6;
    }
    void add(UsageTotals &t, const UsageRecord &r) const
    {
        ++t.requests;
        t.errors += (r.status >= 400 || r.status == 0) ? 1 : 0;
        t.promptTokens += r.promptTokens;
        t.completionTokens += r.completionTokens;
        t.cachedTokens += r.cachedTokens;
        t.reasoningTokens += r.reasoningTokens;
        t.costUsd += cost(r);
    }
};

void expectTotals(const UsageTotals &actual, const UsageTotals &expected, const QString &where)
{
    SCOPED_TRACE(where.toStdString());
    EXPECT_EQ(actual.requests, expected.requests);
    EXPECT_EQ(actual.errors, expected.errors);
    EXPECT_EQ(actual.promptTokens, expected.promptTokens);
    EXPECT_EQ(actual.completionTokens, expected.completionTokens);
    EXPECT_EQ(actual.cachedTokens, expected.cachedTokens);
    EXPECT_EQ(actual.reasoningTokens, expected.reasoningTokens);
    EXPECT_NEAR(actual.costUsd, expected.costUsd, 1e-9);
}

QDateTime weekStart(const QDateTime &t)
{
    return QDateTime(t.date().addDays(1 - t.date().dayOfWeek()), QTime(0, 0), QTimeZone::utc());
}

QDateTime bucketOf(const QDateTime &t, UsageGranularity g)
{
    switch (g) {
    case UsageGranularity::Hour: return QDateTime(t.date(), QTime(t.time().hour(), 0), QTimeZone::utc());
    case UsageGranularity::Day: return QDateTime(t.date(), QTime(0, 0), QTimeZone::utc());
    case UsageGranularity::Week: return weekStart(t);
    case UsageGranularity::Month: return QDateTime(QDate(t.date().year(), t.date().month(), 1), QTime(0, 0), QTimeZone::utc());
    }
    return {};
}

qint64 lowerMedian(QList<qint64> values)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    return values[(values.size() - 1) / 2];
}

// Every aggregate for one range against the fixture's own arithmetic.
void checkRange(const UsageStatsRepository &repo, const Fixture &f, const UsageRange &range, const QString &label)
{
    SCOPED_TRACE(label.toStdString());
    UsageTotals total;
    QMap<QPair<QDateTime, QString>, UsageTotals> byDayChannel, byHourModel, byWeekModel, byMonthChannel;
    QMap<QString, UsageTotals> channelShares, modelShares;
    UsageHeatmap heat{};
    QMap<qint64, ChannelQuality> quality;
    QMap<qint64, QList<qint64>> latencies, ttfts;
    for (const UsageRecord &r : f.records) {
        if (!f.inRange(r, range))
            continue;
        f.add(total, r);
        f.add(byDayChannel[{bucketOf(r.time, UsageGranularity::Day), r.channelName}], r);
        f.add(byHourModel[{bucketOf(r.time, UsageGranularity::Hour), r.requestedModel}], r);
        f.add(byWeekModel[{bucketOf(r.time, UsageGranularity::Week), r.requestedModel}], r);
        f.add(byMonthChannel[{bucketOf(r.time, UsageGranularity::Month), r.channelName}], r);
        f.add(channelShares[r.channelName], r);
        f.add(modelShares[r.requestedModel], r);
        const QDateTime local = r.time.toLocalTime();
        ++heat[local.date().dayOfWeek() - 1][local.time().hour()];
        if (r.channelId != 0) {
            ChannelQuality &q = quality[r.channelId];
            q.channelId = r.channelId;
            q.channelName = r.channelName;
            ++q.requests;
            q.errors += (r.status >= 400 || r.status == 0) ? 1 : 0;
            latencies[r.channelId].append(r.latencyMs);
            if (r.ttftMs >= 0)
                ttfts[r.channelId].append(r.ttftMs);
        }
    }

    const Result<UsageTotals> totals = repo.totals(range);
    ASSERT_TRUE(totals.ok()) << totals.error().message.toStdString();
    expectTotals(*totals, total, QStringLiteral("totals"));

    auto checkSeries = [&](UsageGranularity g, UsageGrouping grouping, const QMap<QPair<QDateTime, QString>, UsageTotals> &expected) {
        const Result<QList<UsagePoint>> points = repo.series(range, g, grouping);
        ASSERT_TRUE(points.ok()) << points.error().message.toStdString();
        ASSERT_EQ(points->size(), expected.size());
        auto it = expected.cbegin();
        for (const UsagePoint &p : *points) {
            EXPECT_EQ(p.bucketStart, it.key().first);
            EXPECT_EQ(p.series, it.key().second);
            expectTotals(p.totals, it.value(), p.bucketStart.toString(Qt::ISODate) + u' ' + p.series);
            ++it;
        }
    };
    checkSeries(UsageGranularity::Day, UsageGrouping::Channel, byDayChannel);
    checkSeries(UsageGranularity::Hour, UsageGrouping::Model, byHourModel);
    checkSeries(UsageGranularity::Week, UsageGrouping::Model, byWeekModel);
    checkSeries(UsageGranularity::Month, UsageGrouping::Channel, byMonthChannel);

    auto checkShares = [&](UsageGrouping grouping, const QMap<QString, UsageTotals> &expected) {
        QList<UsageShare> want;
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            want.append({it.key(), it.value()});
        std::sort(want.begin(), want.end(), [](const UsageShare &a, const UsageShare &b) {
            const qint64 ta = a.totals.promptTokens + a.totals.completionTokens;
            const qint64 tb = b.totals.promptTokens + b.totals.completionTokens;
            if (ta != tb)
                return ta > tb;
            if (a.totals.requests != b.totals.requests)
                return a.totals.requests > b.totals.requests;
            return a.name < b.name;
        });
        const Result<QList<UsageShare>> shares = repo.shares(range, grouping);
        ASSERT_TRUE(shares.ok()) << shares.error().message.toStdString();
        ASSERT_EQ(shares->size(), want.size());
        for (qsizetype i = 0; i < want.size(); ++i) {
            EXPECT_EQ(shares->at(i).name, want[i].name);
            expectTotals(shares->at(i).totals, want[i].totals, want[i].name);
        }
    };
    checkShares(UsageGrouping::Channel, channelShares);
    checkShares(UsageGrouping::Model, modelShares);

    const Result<UsageHeatmap> heatmap = repo.heatmap(range);
    ASSERT_TRUE(heatmap.ok());
    EXPECT_EQ(*heatmap, heat);

    const Result<QList<ChannelQuality>> channels = repo.channelQuality(range);
    ASSERT_TRUE(channels.ok()) << channels.error().message.toStdString();
    QList<ChannelQuality> want;
    for (ChannelQuality q : quality) {
        q.medianLatencyMs = lowerMedian(latencies.value(q.channelId));
        q.medianTtftMs = lowerMedian(ttfts.value(q.channelId));
        want.append(q);
    }
    EXPECT_EQ(*channels, want);
}

class StatsWithRows : public UsageStatsRepositoryTest
{
protected:
    void SetUp() override
    {
        UsageStatsRepositoryTest::SetUp();
        for (int i = 0; i < 400; ++i)
            m_f.records.append(record(i));
        ASSERT_TRUE(UsageRepository(db()).insert(m_f.records).ok());
        UsageStatsRepository repo(db());
        for (const ModelPrice &p : {ModelPrice{QStringLiteral("gpt-4o"), 2.5, 10, 1.25},
                                    ModelPrice{QStringLiteral("claude"), 3, 15, 0.3},
                                    ModelPrice{QStringLiteral("gpt-4o-2024"), 5, 20, 2}}) {
            ASSERT_TRUE(repo.setPrice(p).ok());
            m_f.prices.insert(p.model, p);
        }
    }

    QList<UsageRange> ranges() const
    {
        return {
            {},                                                          // all time
            {kBase.addSecs(3600 * 5), kBase.addSecs(3600 * 50)},         // whole hours
            {kBase.addSecs(3600 * 5 + 1234), kBase.addSecs(3600 * 77 + 99)}, // ragged edges
            {kBase.addSecs(2222 * 10), kBase.addSecs(2222 * 11)},        // one row, inside an hour
            {kBase.addSecs(2222 * 10), kBase.addSecs(2222 * 10)},        // empty
            {kBase.addSecs(86400 * 3 + 17), QDateTime()},                // open end
            {QDateTime(), kBase.addSecs(86400 * 2 + 3600 * 3 + 5)},      // open start
        };
    }

    Fixture m_f;
};

TEST_F(UsageStatsRepositoryTest, EmptyTableGivesZeroesAndEmptyLists)
{
    const UsageStatsRepository repo(db());
    const UsageRange all;
    EXPECT_EQ(*repo.totals(all), UsageTotals{});
    EXPECT_DOUBLE_EQ(repo.totals(all)->successRate(), 1.0);
    EXPECT_TRUE(repo.series(all, UsageGranularity::Day, UsageGrouping::Channel)->isEmpty());
    EXPECT_TRUE(repo.shares(all, UsageGrouping::Model)->isEmpty());
    EXPECT_EQ(*repo.heatmap(all), UsageHeatmap{});
    EXPECT_TRUE(repo.channelQuality(all)->isEmpty());
    EXPECT_TRUE(repo.requestLog({})->isEmpty());
    EXPECT_TRUE(repo.knownModels()->isEmpty());
    EXPECT_TRUE(repo.knownChannels()->isEmpty());
    EXPECT_TRUE(repo.prices()->isEmpty());
}

TEST_F(StatsWithRows, AggregatesMatchTheRowsForEveryRange)
{
    // The first call rolls everything up; the later ranges read its whole hours and usage's edges.
    const UsageStatsRepository repo(db());
    int n = 0;
    for (const UsageRange &range : ranges())
        checkRange(repo, m_f, range, QStringLiteral("range %1").arg(n++));
}

TEST_F(StatsWithRows, RowsWrittenAfterTheRollupCountWhetherOrNotItCatchesUp)
{
    const UsageStatsRepository repo(db());
    ASSERT_TRUE(repo.totals({}).ok()); // rolls up the first 400
    QList<UsageRecord> more;
    for (int i = 400; i < 520; ++i)
        more.append(record(i));
    ASSERT_TRUE(UsageRepository(db()).insert(more).ok());
    m_f.records.append(more);

    // Rows newer than the rollup are read from usage: hold the write lock on another connection
    // so the catch-up cannot run, and the answers must still be exact.
    {
        auto other = Database::open(dbPath(), QStringLiteral("stats-locker"));
        ASSERT_TRUE(other.ok());
        QSqlQuery lock((*other)->handle());
        ASSERT_TRUE(lock.exec(QStringLiteral("BEGIN IMMEDIATE")));
        QSqlQuery busy(db().handle());
        ASSERT_TRUE(busy.exec(QStringLiteral("PRAGMA busy_timeout = 10")));
        checkRange(repo, m_f, {}, QStringLiteral("locked, all"));
        checkRange(repo, m_f, {kBase.addSecs(86400 * 9 + 3600 * 2 + 77), QDateTime()}, QStringLiteral("locked, tail"));
        QSqlQuery watermark(db().handle());
        ASSERT_TRUE(watermark.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'usage_rollup_id'")) && watermark.next());
        EXPECT_EQ(watermark.value(0).toLongLong(), 400);
        ASSERT_TRUE(lock.exec(QStringLiteral("ROLLBACK")));
        ASSERT_TRUE(busy.exec(QStringLiteral("PRAGMA busy_timeout = 5000")));
    }
    for (const UsageRange &range : ranges())
        checkRange(repo, m_f, range, QStringLiteral("caught up"));
    QSqlQuery watermark(db().handle());
    ASSERT_TRUE(watermark.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'usage_rollup_id'")) && watermark.next());
    EXPECT_EQ(watermark.value(0).toLongLong(), 520);
}

TEST_F(UsageStatsRepositoryTest, ALargeBacklogIsRolledUpInChunks)
{
    // More rows than one catch-up transaction takes (50 000), written straight in SQL for speed.
    QSqlQuery q(db().handle());
    ASSERT_TRUE(q.exec(QStringLiteral(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 120000) "
        "INSERT INTO usage (ts, channel_id, channel_name, requested_model, status, prompt_tokens, latency_ms) "
        "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 1893456000 + i * 10, 'unixepoch'), 1 + i % 2, 'c' || (1 + i % 2), 'm', "
        "CASE WHEN i % 4 = 0 THEN 500 ELSE 200 END, i % 10, i % 20 FROM seq")));
    const UsageStatsRepository repo(db());
    const UsageTotals totals = *repo.totals({});
    EXPECT_EQ(totals.requests, 120000);
    EXPECT_EQ(totals.errors, 30000);
    EXPECT_EQ(totals.promptTokens, 12000 * 45);
    ASSERT_TRUE(q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'usage_rollup_id'")) && q.next());
    EXPECT_EQ(q.value(0).toLongLong(), 120000);
    const QList<ChannelQuality> channels = *repo.channelQuality({});
    ASSERT_EQ(channels.size(), 2);
    EXPECT_EQ(channels[0].requests, 60000);
    EXPECT_EQ(channels[0].medianLatencyMs, 8); // c1, even i: 0, 2, ..., 18 (the lower median)
    EXPECT_EQ(channels[1].medianLatencyMs, 9); // c2, odd i: 1, 3, ..., 19
}

TEST_F(StatsWithRows, CostFallsBackFromTheUpstreamModelToTheRequestedOneAndFollowsPriceChanges)
{
    UsageStatsRepository repo(db());
    ASSERT_TRUE(repo.removePrice(QStringLiteral("gpt-4o-2024")).ok());
    m_f.prices.remove(QStringLiteral("gpt-4o-2024"));
    checkRange(repo, m_f, {}, QStringLiteral("upstream price removed"));
    ASSERT_TRUE(repo.setPrice({QStringLiteral("claude"), 1, 2, 0.5}).ok());
    m_f.prices[QStringLiteral("claude")] = {QStringLiteral("claude"), 1, 2, 0.5};
    checkRange(repo, m_f, {kBase.addSecs(3600), kBase.addSecs(3600 * 30 + 1)}, QStringLiteral("claude repriced"));
}

TEST_F(UsageStatsRepositoryTest, PricesAreListedReplacedValidatedAndRemoved)
{
    UsageStatsRepository repo(db());
    ASSERT_TRUE(repo.setPrice({QStringLiteral("b"), 1, 2, 0.5}).ok());
    ASSERT_TRUE(repo.setPrice({QStringLiteral("a"), 3, 4, 0}).ok());
    ASSERT_TRUE(repo.setPrice({QStringLiteral("b"), 5, 6, 1}).ok());
    EXPECT_EQ(*repo.prices(), (QList<ModelPrice>{{QStringLiteral("a"), 3, 4, 0}, {QStringLiteral("b"), 5, 6, 1}}));
    EXPECT_EQ(repo.setPrice({QString(), 1, 1, 1}).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(repo.setPrice({QStringLiteral("c"), -1, 1, 1}).error().code, ErrorCode::InvalidArgument);
    ASSERT_TRUE(repo.removePrice(QStringLiteral("a")).ok());
    EXPECT_EQ(repo.removePrice(QStringLiteral("a")).error().code, ErrorCode::NotFound);
    EXPECT_EQ(*repo.prices(), (QList<ModelPrice>{{QStringLiteral("b"), 5, 6, 1}}));
}

TEST_F(UsageStatsRepositoryTest, RowsWithoutAChannelOrAFirstByteStayOutOfTheMedians)
{
    QList<UsageRecord> rows;
    for (int i = 0; i < 5; ++i) {
        UsageRecord r = record(0);
        r.channelId = i < 2 ? 0 : 9;
        r.channelName = i < 2 ? QString() : QStringLiteral("only");
        r.latencyMs = 1000 * (i + 1);
        r.ttftMs = -1;
        r.status = 200;
        rows.append(r);
    }
    ASSERT_TRUE(UsageRepository(db()).insert(rows).ok());
    const UsageStatsRepository repo(db());
    const QList<ChannelQuality> channels = *repo.channelQuality({});
    ASSERT_EQ(channels.size(), 1);
    EXPECT_EQ(channels[0].channelName, QStringLiteral("only"));
    EXPECT_EQ(channels[0].requests, 3);
    EXPECT_EQ(channels[0].medianTtftMs, -1);
    // 3000, 4000, 5000: the histogram's bucket around 4000 ms (within 3 %).
    EXPECT_NEAR(double(channels[0].medianLatencyMs), 4000.0, 120.0);
    const QList<UsageShare> shares = *repo.shares({}, UsageGrouping::Channel);
    ASSERT_EQ(shares.size(), 2);
    EXPECT_EQ(shares[0].name, QStringLiteral("only"));
    EXPECT_EQ(shares[1].name, QString());
    EXPECT_EQ(shares[1].totals.requests, 2);
}

TEST_F(StatsWithRows, RequestLogPagesNewestFirstAndFiltersOnEveryField)
{
    ClientKeyRepository keys(db());
    ClientKey laptop;
    laptop.name = QStringLiteral("laptop");
    ASSERT_TRUE(keys.create(laptop).ok()); // the first key: id 1
    const UsageStatsRepository repo(db());

    auto expectIds = [&](const RequestLogFilter &filter, const std::function<bool(const UsageRecord &)> &match, const char *label) {
        SCOPED_TRACE(label);
        QList<qint64> want;
        for (qsizetype i = m_f.records.size() - 1; i >= 0; --i) {
            const qint64 id = i + 1;
            if ((filter.beforeId == 0 || id < filter.beforeId) && id > filter.afterId && match(m_f.records[i]))
                want.append(id);
        }
        want = want.mid(0, filter.limit);
        QList<qint64> got;
        const Result<QList<RequestLogRow>> rows = repo.requestLog(filter);
        ASSERT_TRUE(rows.ok()) << rows.error().message.toStdString();
        for (const RequestLogRow &row : *rows)
            got.append(row.record.id);
        EXPECT_EQ(got, want);
    };
    RequestLogFilter f;
    f.limit = 50;
    expectIds(f, [](const UsageRecord &) { return true; }, "first page");
    f.beforeId = 351;
    expectIds(f, [](const UsageRecord &) { return true; }, "second page");
    f.beforeId = 0;
    f.afterId = 390;
    expectIds(f, [](const UsageRecord &) { return true; }, "newer than 390");
    f = {};
    f.model = QStringLiteral("gpt-4o-2024");
    expectIds(f, [](const UsageRecord &r) { return r.upstreamModel == u"gpt-4o-2024"; }, "upstream model");
    f.model = QStringLiteral("claude");
    expectIds(f, [](const UsageRecord &r) { return r.requestedModel == u"claude"; }, "requested model");
    f = {};
    f.channel = QStringLiteral("ch2");
    expectIds(f, [](const UsageRecord &r) { return r.channelName == u"ch2"; }, "channel");
    f = {};
    f.clientKeyId = 2;
    expectIds(f, [](const UsageRecord &r) { return r.clientKeyId == 2; }, "client key");
    f = {};
    f.inboundFormat = QStringLiteral("anthropic");
    expectIds(f, [](const UsageRecord &r) { return r.inboundFormat == u"anthropic"; }, "format");
    f = {};
    f.status = RequestLogFilter::Status::Error;
    expectIds(f, [](const UsageRecord &r) { return r.status >= 400 || r.status == 0; }, "errors");
    f.status = RequestLogFilter::Status::Success;
    f.channel = QStringLiteral("ch1");
    f.beforeId = 300;
    f.limit = 7;
    expectIds(f, [](const UsageRecord &r) { return r.status > 0 && r.status < 400 && r.channelName == u"ch1"; },
              "success on ch1, paged");

    // The full row comes back, with the client key's name where there is one.
    RequestLogFilter one;
    one.limit = 1;
    one.beforeId = 3; // id 2 = record(1), client key 1
    const QList<RequestLogRow> rows = *repo.requestLog(one);
    ASSERT_EQ(rows.size(), 1);
    UsageRecord want = m_f.records[1];
    want.id = 2;
    EXPECT_EQ(rows[0].record.time, want.time);
    EXPECT_EQ(rows[0].record.upstreamModel, want.upstreamModel);
    EXPECT_EQ(rows[0].record.latencyMs, want.latencyMs);
    EXPECT_EQ(rows[0].record.ttftMs, want.ttftMs);
    EXPECT_EQ(rows[0].record.status, want.status);
    EXPECT_EQ(rows[0].clientKeyName, QStringLiteral("laptop"));
    one.beforeId = 4; // id 3 = record(2), client key 2: no such key
    EXPECT_EQ(repo.requestLog(one)->at(0).clientKeyName, QString());
}

TEST_F(StatsWithRows, PruningCutsUsageAndItsRollupsAtTheSameDay)
{
    UsageStatsRepository repo(db());
    ASSERT_TRUE(repo.totals({}).ok()); // part rolled up, part not: pruning must handle both
    QList<UsageRecord> more;
    for (int i = 400; i < 450; ++i)
        more.append(record(i));
    ASSERT_TRUE(UsageRepository(db()).insert(more).ok());
    m_f.records.append(more);

    // Mid-day: everything before that day's midnight goes.
    const QDateTime cutoff = kBase.addDays(4).addSecs(3600 * 15);
    const QDateTime midnight = kBase.addDays(4);
    const qint64 before = std::count_if(m_f.records.cbegin(), m_f.records.cend(),
                                        [&](const UsageRecord &r) { return r.time < midnight; });
    const Result<qint64> removed = repo.pruneBefore(cutoff);
    ASSERT_TRUE(removed.ok()) << removed.error().message.toStdString();
    EXPECT_EQ(*removed, before);
    m_f.records.removeIf([&](const UsageRecord &r) { return r.time < midnight; });
    checkRange(repo, m_f, {}, QStringLiteral("after pruning, all"));
    checkRange(repo, m_f, {kBase.addDays(3), kBase.addDays(5).addSecs(123)}, QStringLiteral("across the cut"));
    EXPECT_EQ(repo.pruneBefore({}).error().code, ErrorCode::InvalidArgument);
}

// Pruning goes a few thousand rows per transaction (so writers are not held up for seconds): a
// prune of more rows than one chunk still removes every old row, and only those.
TEST_F(UsageStatsRepositoryTest, PruningMoreRowsThanOneChunkRemovesThemAll)
{
    QList<UsageRecord> rows;
    for (int i = 0; i < 12'345; ++i) {
        UsageRecord r = record(i % 400);
        r.time = kBase.addSecs(i); // the first 3.4 hours of the first day
        rows.append(r);
    }
    for (int i = 0; i < 10; ++i) {
        UsageRecord r = record(i);
        r.time = kBase.addDays(2).addSecs(i);
        rows.append(r);
    }
    ASSERT_TRUE(UsageRepository(db()).insert(rows).ok());
    UsageStatsRepository repo(db());
    const Result<qint64> removed = repo.pruneBefore(kBase.addDays(1));
    ASSERT_TRUE(removed.ok()) << removed.error().message.toStdString();
    EXPECT_EQ(*removed, 12'345);
    EXPECT_EQ(repo.totals({})->requests, 10);
}

TEST_F(StatsWithRows, KnownModelsAndChannelsIncludeRowsNotYetRolledUp)
{
    const UsageStatsRepository repo(db());
    EXPECT_EQ(*repo.knownModels(), (QStringList{QStringLiteral("claude"), QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-2024")}));
    EXPECT_EQ(*repo.knownChannels(), (QStringList{QStringLiteral("ch1"), QStringLiteral("ch2"), QStringLiteral("ch3")}));
    UsageRecord r = record(1);
    r.requestedModel = QStringLiteral("new-model");
    r.channelName = QStringLiteral("ch9");
    ASSERT_TRUE(UsageRepository(db()).insert({r}).ok());
    EXPECT_TRUE(repo.knownModels()->contains(QStringLiteral("new-model")));
    EXPECT_TRUE(repo.knownChannels()->contains(QStringLiteral("ch9")));
}

} // namespace
