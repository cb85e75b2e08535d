// SPDX-License-Identifier: GPL-3.0-or-later
// Usage series by the user's days (issue 11): day, week and month buckets are calendar ones of the
// time zone passed in, checked against Qt's own conversion of every stored row, in a zone east of
// UTC (Asia/Shanghai), one with daylight saving (Europe/Berlin, whose 25 October 2026 lasts 25
// hours) and one half an hour off the UTC hours (Asia/Kolkata), before and after the rollups have
// caught up.
#include "StorageTestSupport.h"

#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QMap>
#include <QSqlQuery>
#include <QTimeZone>

using namespace tarn::gateway;

namespace {

using UsageStatsLocalDaysTest = tarn::gateway::test::StorageTest;

QTimeZone zone(const char *id)
{
    return QTimeZone(QByteArray(id));
}

QDateTime utc(int y, int m, int d, int h, int min, int s = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min, s), QTimeZone::utc());
}

UsageRecord record(const QDateTime &time, int i)
{
    UsageRecord r;
    r.time = time;
    r.inboundFormat = QStringLiteral("openai");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = i % 2 == 0 ? QStringLiteral("gpt-4o") : QStringLiteral("claude");
    r.channelId = i % 3 + 1;
    r.channelName = QStringLiteral("ch%1").arg(r.channelId);
    r.upstreamModel = r.requestedModel;
    r.status = i % 10 == 0 ? 502 : 200;
    r.promptTokens = 100 + i % 100;
    r.completionTokens = i % 7;
    r.cachedTokens = i % 3 * 10;
    r.latencyMs = 500;
    r.attempts = 1;
    return r;
}

// Rows every 37 minutes from 20 October to 8 November 2026 (over Berlin's clock change and a
// month boundary), and rows a minute either side of each zone's midnights around the change.
QList<UsageRecord> records()
{
    QList<UsageRecord> rows;
    int i = 0;
    for (QDateTime t = utc(2026, 10, 20, 0, 7); t < utc(2026, 11, 8, 0, 0); t = t.addSecs(37 * 60))
        rows.append(record(t, i++));
    for (const char *id : {"Asia/Shanghai", "Europe/Berlin", "Asia/Kolkata"}) {
        for (QDate day(2026, 10, 23); day <= QDate(2026, 11, 2); day = day.addDays(1)) {
            const QDateTime midnight = QDateTime(day, QTime(0, 0), zone(id)).toUTC();
            rows.append(record(midnight.addSecs(-60), i++));
            rows.append(record(midnight, i++));
            rows.append(record(midnight.addSecs(60), i++));
        }
    }
    return rows;
}

QDate bucketDate(const QDateTime &time, UsageGranularity g, const QTimeZone &tz)
{
    const QDate day = time.toTimeZone(tz).date();
    switch (g) {
    case UsageGranularity::Week: return day.addDays(1 - day.dayOfWeek());
    case UsageGranularity::Month: return QDate(day.year(), day.month(), 1);
    case UsageGranularity::Hour:
    case UsageGranularity::Day: break;
    }
    return day;
}

// The series asked for against the rows, bucketed here by Qt's conversion to the zone.
void checkSeries(const UsageStatsRepository &repo, const QList<UsageRecord> &rows, const UsageRange &range,
                 UsageGranularity g, const QTimeZone &tz, const QString &label)
{
    SCOPED_TRACE(QString(label + u' ' + QString::fromUtf8(tz.id())).toStdString());
    QMap<QPair<QDateTime, QString>, UsageTotals> expected;
    for (const UsageRecord &r : rows) {
        if ((range.from.isValid() && r.time < range.from) || (range.to.isValid() && r.time >= range.to))
            continue;
        // Qt's own midnight of the date: none of these zones skips one.
        const QDateTime start = QDateTime(bucketDate(r.time, g, tz), QTime(0, 0), tz).toUTC();
        UsageTotals &t = expected[{start, r.channelName}];
        ++t.requests;
        t.errors += r.status >= 400 ? 1 : 0;
        t.promptTokens += r.promptTokens;
        t.completionTokens += r.completionTokens;
        t.cachedTokens += r.cachedTokens;
    }
    const Result<QList<UsagePoint>> points = repo.series(range, g, UsageGrouping::Channel, tz);
    ASSERT_TRUE(points.ok()) << points.error().message.toStdString();
    ASSERT_EQ(points->size(), expected.size());
    auto it = expected.cbegin();
    for (const UsagePoint &p : *points) {
        EXPECT_EQ(p.bucketStart, it.key().first);
        EXPECT_EQ(p.series, it.key().second);
        EXPECT_EQ(p.totals.requests, it.value().requests) << p.bucketStart.toString(Qt::ISODate).toStdString();
        EXPECT_EQ(p.totals.errors, it.value().errors);
        EXPECT_EQ(p.totals.promptTokens, it.value().promptTokens);
        EXPECT_EQ(p.totals.completionTokens, it.value().completionTokens);
        EXPECT_EQ(p.totals.cachedTokens, it.value().cachedTokens);
        ++it;
    }
}

QList<UsageRange> ranges(const QTimeZone &tz)
{
    return {
        {},                                                                   // all
        {utc(2026, 10, 22, 5, 0), utc(2026, 11, 3, 7, 0)},                    // whole UTC hours
        {utc(2026, 10, 22, 5, 17), utc(2026, 11, 3, 7, 41)},                  // ragged
        {QDateTime(QDate(2026, 10, 24), QTime(0, 0), tz).toUTC(),             // local days
         QDateTime(QDate(2026, 10, 27), QTime(0, 0), tz).toUTC()},
        {utc(2026, 10, 30, 18, 45), QDateTime()},                             // open end
        {QDateTime(), utc(2026, 10, 26, 18, 15)},                             // open start
    };
}

void checkZones(const UsageStatsRepository &repo, const QList<UsageRecord> &rows, const QString &label)
{
    for (const char *id : {"Asia/Shanghai", "Europe/Berlin", "Asia/Kolkata", "UTC"}) {
        const QTimeZone tz = zone(id);
        ASSERT_TRUE(tz.isValid()) << id;
        int n = 0;
        for (const UsageRange &range : ranges(tz)) {
            const QString where = QStringLiteral("%1, range %2").arg(label).arg(n++);
            for (UsageGranularity g : {UsageGranularity::Day, UsageGranularity::Week, UsageGranularity::Month})
                checkSeries(repo, rows, range, g, tz, where);
        }
    }
}

TEST_F(UsageStatsLocalDaysTest, DaysWeeksAndMonthsAreTheZonesCalendarOnes)
{
    const QList<UsageRecord> rows = records();
    ASSERT_TRUE(UsageRepository(db()).insert(rows).ok());
    const UsageStatsRepository repo(db());
    checkZones(repo, rows, QStringLiteral("first read"));
    checkZones(repo, rows, QStringLiteral("rolled up"));
}

TEST_F(UsageStatsLocalDaysTest, RowsNotRolledUpYetLandOnTheirLocalDay)
{
    QList<UsageRecord> rows = records();
    const qsizetype half = rows.size() / 2;
    ASSERT_TRUE(UsageRepository(db()).insert(rows.mid(0, half)).ok());
    const UsageStatsRepository repo(db());
    ASSERT_TRUE(repo.totals({}).ok()); // rolls up the first half
    ASSERT_TRUE(UsageRepository(db()).insert(rows.mid(half)).ok());
    // Another connection holds the write lock: the second half is read from usage itself.
    auto other = Database::open(dbPath(), QStringLiteral("local-days-locker"));
    ASSERT_TRUE(other.ok());
    QSqlQuery lock((*other)->handle());
    ASSERT_TRUE(lock.exec(QStringLiteral("BEGIN IMMEDIATE")));
    QSqlQuery busy(db().handle());
    ASSERT_TRUE(busy.exec(QStringLiteral("PRAGMA busy_timeout = 10")));
    checkZones(repo, rows, QStringLiteral("half rolled up"));
    ASSERT_TRUE(lock.exec(QStringLiteral("ROLLBACK")));
    ASSERT_TRUE(busy.exec(QStringLiteral("PRAGMA busy_timeout = 5000")));
}

// What the user at UTC+8 reported: a request at 00:30 on 1 December fell in the 30 November bar.
TEST_F(UsageStatsLocalDaysTest, HalfPastMidnightInShanghaiIsTheFirstOfDecember)
{
    const QTimeZone shanghai = zone("Asia/Shanghai");
    const QDateTime request = QDateTime(QDate(2026, 12, 1), QTime(0, 30), shanghai);
    ASSERT_TRUE(UsageRepository(db()).insert({record(request, 1), record(request.addSecs(-3600), 3)}).ok());
    const UsageStatsRepository repo(db());
    const auto days = repo.series({}, UsageGranularity::Day, UsageGrouping::Model, shanghai);
    ASSERT_TRUE(days.ok());
    ASSERT_EQ(days->size(), 2);
    EXPECT_EQ(days->at(0).bucketStart, QDateTime(QDate(2026, 11, 30), QTime(0, 0), shanghai));
    EXPECT_EQ(days->at(1).bucketStart, QDateTime(QDate(2026, 12, 1), QTime(0, 0), shanghai));
    EXPECT_EQ(days->at(1).bucketStart, utc(2026, 11, 30, 16, 0));
    EXPECT_EQ(days->at(1).series, QStringLiteral("claude"));
    EXPECT_EQ(days->at(1).totals.requests, 1);
    // The same request in UTC is still on 30 November.
    const auto utcDays = repo.series({}, UsageGranularity::Day, UsageGrouping::Model);
    ASSERT_EQ(utcDays->size(), 1);
    EXPECT_EQ(utcDays->at(0).totals.requests, 2);
    // The month is December for the one, November for the other.
    const auto months = repo.series({}, UsageGranularity::Month, UsageGrouping::Model, shanghai);
    ASSERT_EQ(months->size(), 2);
    EXPECT_EQ(months->at(1).bucketStart.toTimeZone(shanghai).date(), QDate(2026, 12, 1));
}

TEST_F(UsageStatsLocalDaysTest, BerlinsDayOfTheClockChangeHoldsTwentyFiveHours)
{
    const QTimeZone berlin = zone("Europe/Berlin");
    // 00:30 summer time and 23:30 winter time of 25 October, 25 hours apart.
    const QDateTime first = QDateTime(QDate(2026, 10, 25), QTime(0, 30), berlin);
    const QDateTime last = QDateTime(QDate(2026, 10, 25), QTime(23, 30), berlin);
    ASSERT_EQ(first.secsTo(last), 24 * 3600);
    ASSERT_TRUE(UsageRepository(db()).insert({record(first, 1), record(last, 2), record(last.addSecs(3600), 3)}).ok());
    const auto days = UsageStatsRepository(db()).series({}, UsageGranularity::Day, UsageGrouping::Model, berlin);
    ASSERT_TRUE(days.ok());
    QMap<QDateTime, qint64> requests;
    for (const UsagePoint &p : *days)
        requests[p.bucketStart] += p.totals.requests;
    ASSERT_EQ(requests.size(), 2);
    EXPECT_EQ(requests.firstKey(), utc(2026, 10, 24, 22, 0));
    EXPECT_EQ(requests.first(), 2);
    EXPECT_EQ(requests.lastKey(), utc(2026, 10, 25, 23, 0)); // 26 October starts an hour later in UTC
    EXPECT_EQ(requests.last(), 1);
    EXPECT_EQ(usageDayStart(QDate(2026, 10, 26), berlin).toSecsSinceEpoch() - usageDayStart(QDate(2026, 10, 25), berlin).toSecsSinceEpoch(),
              25 * 3600);
}

TEST_F(UsageStatsLocalDaysTest, KolkatasMidnightSplitsAUtcHourExactly)
{
    const QTimeZone kolkata = zone("Asia/Kolkata");
    // 23:50 and 00:10 in Kolkata: both in the UTC hour 18:00 of 30 November.
    ASSERT_TRUE(UsageRepository(db())
                    .insert({record(utc(2026, 11, 30, 18, 20), 1), record(utc(2026, 11, 30, 18, 40), 2),
                             record(utc(2026, 11, 30, 18, 50), 4)})
                    .ok());
    const UsageStatsRepository repo(db());
    for (int pass = 0; pass < 2; ++pass) { // before and after the rollup holds the hour
        SCOPED_TRACE(pass);
        const auto days = repo.series({}, UsageGranularity::Day, UsageGrouping::Model, kolkata);
        ASSERT_TRUE(days.ok()) << days.error().message.toStdString();
        ASSERT_EQ(days->size(), 2);
        EXPECT_EQ(days->at(0).bucketStart, utc(2026, 11, 29, 18, 30));
        EXPECT_EQ(days->at(0).totals.requests, 1);
        EXPECT_EQ(days->at(1).bucketStart, utc(2026, 11, 30, 18, 30));
        EXPECT_EQ(days->at(1).totals.requests, 2);
    }
    EXPECT_EQ(usageDayStart(QDate(2026, 12, 1), kolkata), utc(2026, 11, 30, 18, 30));
}

TEST_F(UsageStatsLocalDaysTest, HeatmapTakesTheZonesWeekdayAndHour)
{
    // Monday 30 November 2026, 16:30 UTC: Tuesday 00:30 in Shanghai, Monday 22:00 in Kolkata.
    ASSERT_TRUE(UsageRepository(db()).insert({record(utc(2026, 11, 30, 16, 30), 1)}).ok());
    const UsageStatsRepository repo(db());
    EXPECT_EQ((*repo.heatmap({}, zone("Asia/Shanghai")))[1][0], 1);
    EXPECT_EQ((*repo.heatmap({}, zone("Asia/Kolkata")))[0][22], 1);
    EXPECT_EQ((*repo.heatmap({}))[0][16], 1);
}

TEST(UsageDayStart, MidnightSkippedByAClockChangeStartsTheDayAtTheChange)
{
    // Chile's spring change moves its clocks from 00:00 to 01:00 (first Sunday of September).
    const QTimeZone santiago(QByteArrayLiteral("America/Santiago"));
    ASSERT_TRUE(santiago.isValid());
    const QDateTime start = usageDayStart(QDate(2026, 9, 6), santiago);
    EXPECT_EQ(start.toTimeZone(santiago).date(), QDate(2026, 9, 6));
    EXPECT_EQ(start.addSecs(-1).toTimeZone(santiago).date(), QDate(2026, 9, 5));
}

} // namespace
