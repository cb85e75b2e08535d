// SPDX-License-Identifier: GPL-3.0-or-later
// tarn_usage_stats_bench: how long the desktop's usage aggregates (UsageStatsRepository) take over
// a large usage table. Seeds N rows (10 channels, 30 models each served by two channels, 30 days
// ending now, a few % errors, 60 % streamed) with one INSERT ... SELECT in one transaction into a
// temp data dir, then times every aggregate for the last 24 h, 7 d, 30 d and all time.
//
//   tarn_usage_stats_bench [--rows N] [--zone IANA-ID]   (defaults 1000000, UTC)
//
// --zone is the zone the series' days, weeks and months and the heatmap follow, as the desktop
// passes the user's zone. Zones off whole hours (Asia/Kolkata) take the slower exact path: the
// UTC hours a local midnight cuts are read from usage rather than the hourly rollup.
//
// "first" is the first call ever, which rolls up every row (once per database, e.g. the first
// start after the upgrade). "cold" is the first call on a new connection (SQLite's page cache
// empty; the OS cache stays warm: dropping it needs root). "warm" is the median of 5 more calls.
// "raw" rows are the plain query the rollup replaces, for comparison.
#include "gateway/storage/Database.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

using namespace tarn::gateway;

namespace {

QTimeZone g_zone = QTimeZone::utc(); // --zone

double msOf(const std::function<void()> &work)
{
    QElapsedTimer timer;
    timer.start();
    work();
    return double(timer.nsecsElapsed()) / 1e6;
}

template<typename T>
void check(const Result<T> &result, const char *what)
{
    if (!result) {
        std::fprintf(stderr, "%s failed: %s\n", what, qPrintable(result.error().message));
        std::exit(1);
    }
}

bool exec(Database &db, const QString &sql)
{
    QSqlQuery q(db.handle());
    if (!q.exec(sql)) {
        std::fprintf(stderr, "%s\n", qPrintable(q.lastQuery()));
        return false;
    }
    return true;
}

// Deterministic pseudo-random columns from the row number (a few multiplicative hashes), so two
// runs seed the same table.
QString seedSql(qint64 rows, qint64 endSecs)
{
    const qint64 span = 30 * 86400;
    return QStringLiteral(
               "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %1), "
               "h AS (SELECT i, (i * 2654435761) % 1000003 AS a, (i * 40503 + 7) % 999983 AS b, "
               "(i * 69069 + 12345) % 1000033 AS c, (i * 22695477 + 1) % 999979 AS d FROM seq), "
               "r AS (SELECT i, a, b, c, d, min(a % 30, b % 30) AS m, a % 100 AS fail, c % 10 < 6 AS stream FROM h) "
               "INSERT INTO usage (ts, client_key_id, inbound_format, endpoint, requested_model, channel_id, channel_name, "
               "upstream_model, status, stream, prompt_tokens, completion_tokens, cached_tokens, latency_ms, ttft_ms, "
               "attempts, error, attempt_log, channel_format) "
               "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', %2 - %3 + i * %3.0 / %1, 'unixepoch'), 1 + d % 5, "
               "CASE d % 4 WHEN 0 THEN 'anthropic' WHEN 1 THEN 'gemini' ELSE 'openai' END, '/v1/chat/completions', "
               "'model-' || m, CASE WHEN fail = 99 THEN 0 ELSE (m * 3 + c % 2) % 10 + 1 END, "
               "CASE WHEN fail = 99 THEN '' ELSE 'channel-' || ((m * 3 + c % 2) % 10 + 1) END, "
               "CASE WHEN fail = 99 THEN '' ELSE 'upstream-' || m END, "
               "CASE WHEN fail < 2 THEN 429 WHEN fail < 4 THEN 502 WHEN fail = 4 THEN 0 WHEN fail = 99 THEN 503 ELSE 200 END, "
               "stream, 200 + a % 8000, b % 1500, CASE WHEN c % 3 = 0 THEN (200 + a % 8000) / 2 ELSE 0 END, "
               "300 + (c % 1000) * (d % 20), CASE WHEN stream THEN 80 + b % 2000 ELSE -1 END, 1 + (fail < 4), "
               "CASE WHEN fail < 4 OR fail = 99 THEN 'upstream error' ELSE '' END, '[]', 'openai' FROM r")
        .arg(rows)
        .arg(endSecs)
        .arg(span);
}

struct Case
{
    const char *name;
    std::function<void(const UsageStatsRepository &, const UsageRange &)> run;
    bool ranged = true;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 rows = 1'000'000;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--rows") == 0)
            rows = std::atoll(argv[i + 1]);
        else if (std::strcmp(argv[i], "--zone") == 0)
            g_zone = QTimeZone(QByteArray(argv[i + 1]));
    }
    if (!g_zone.isValid()) {
        std::fprintf(stderr, "unknown time zone\n");
        return 2;
    }
    std::printf("zone %s\n", g_zone.id().constData());

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tarn.sqlite3"));
    auto opened = Database::open(path, QStringLiteral("bench-seed"));
    check(opened, "opening the database");
    std::unique_ptr<Database> db = std::move(opened).value();

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const double seedMs = msOf([&] {
        if (!exec(*db, QStringLiteral("BEGIN")) || !exec(*db, seedSql(rows, now.toSecsSinceEpoch()))
            || !exec(*db, QStringLiteral("COMMIT")))
            std::exit(1);
    });
    UsageStatsRepository seedRepo(*db);
    for (int m = 0; m < 30; ++m)
        (void)seedRepo.setPrice({QStringLiteral("model-%1").arg(m), 1.0 + m, 4.0 + m, 0.1 + m / 10.0});
    std::printf("seeded %lld rows in %.0f ms (%s)\n", static_cast<long long>(rows), seedMs, qPrintable(path));

    const double firstMs = msOf([&] { check(seedRepo.totals({}), "totals"); });
    std::printf("first call (rolls up every row once, 50 000 rows per write transaction): %.0f ms\n", firstMs);
    for (const QString &table : {QStringLiteral("usage_hourly"), QStringLiteral("usage_latency_daily")}) {
        QSqlQuery q(db->handle());
        if (q.exec(QStringLiteral("SELECT count(*) FROM ") + table) && q.next())
            std::printf("%s: %lld rows\n", qPrintable(table), q.value(0).toLongLong());
    }
    std::printf("\n");

    const QList<QPair<const char *, UsageRange>> ranges = {
        {"24 h", {now.addDays(-1), now}},
        {"7 d", {now.addDays(-7), now}},
        {"30 d", {now.addDays(-30), now}},
        {"all", {}},
    };
    const std::vector<Case> cases = {
        {"totals", [](const auto &r, const auto &range) { check(r.totals(range), "totals"); }, true},
        {"series hour/channel", [](const auto &r, const auto &range) { check(r.series(range, UsageGranularity::Hour, UsageGrouping::Channel, g_zone), "series"); }, true},
        {"series day/model", [](const auto &r, const auto &range) { check(r.series(range, UsageGranularity::Day, UsageGrouping::Model, g_zone), "series"); }, true},
        {"series week/model", [](const auto &r, const auto &range) { check(r.series(range, UsageGranularity::Week, UsageGrouping::Model, g_zone), "series"); }, true},
        {"shares channel", [](const auto &r, const auto &range) { check(r.shares(range, UsageGrouping::Channel), "shares"); }, true},
        {"shares model", [](const auto &r, const auto &range) { check(r.shares(range, UsageGrouping::Model), "shares"); }, true},
        {"heatmap", [](const auto &r, const auto &range) { check(r.heatmap(range, g_zone), "heatmap"); }, true},
        {"channelQuality", [](const auto &r, const auto &range) { check(r.channelQuality(range), "quality"); }, true},
        {"requestLog first page", [](const auto &r, const auto &) { check(r.requestLog({}), "log"); }, false},
        {"requestLog page at id 500000", [](const auto &r, const auto &) {
             RequestLogFilter f;
             f.beforeId = 500'000;
             check(r.requestLog(f), "log");
         }, false},
        {"requestLog channel-3 + errors", [](const auto &r, const auto &) {
             RequestLogFilter f;
             f.channel = QStringLiteral("channel-3");
             f.status = RequestLogFilter::Status::Error;
             check(r.requestLog(f), "log");
         }, false},
        {"requestLog model-29 (rare)", [](const auto &r, const auto &) {
             RequestLogFilter f;
             f.model = QStringLiteral("model-29");
             check(r.requestLog(f), "log");
         }, false},
        {"knownModels", [](const auto &r, const auto &) { check(r.knownModels(), "models"); }, false},
        {"knownChannels", [](const auto &r, const auto &) { check(r.knownChannels(), "channels"); }, false},
    };

    std::printf("| aggregate | range | cold ms | warm ms (median of 5) |\n|---|---|---|---|\n");
    int connection = 0;
    for (const Case &c : cases) {
        for (const auto &[label, range] : ranges) {
            if (!c.ranged && std::strcmp(label, "all") != 0)
                continue;
            auto fresh = Database::open(path, QStringLiteral("bench-%1").arg(++connection));
            check(fresh, "opening a connection");
            const UsageStatsRepository repo(**fresh);
            const double cold = msOf([&] { c.run(repo, range); });
            std::vector<double> warm;
            for (int i = 0; i < 5; ++i)
                warm.push_back(msOf([&] { c.run(repo, range); }));
            std::sort(warm.begin(), warm.end());
            std::printf("| %s | %s | %.1f | %.1f |\n", c.name, c.ranged ? label : "-", cold, warm[2]);
        }
    }

    // What the rollup saves: the plain scan the totals would otherwise be.
    std::printf("\n| plain query on usage (no rollup) | range | ms |\n|---|---|---|\n");
    for (const auto &[label, range] : ranges) {
        QSqlQuery q(db->handle());
        q.prepare(QStringLiteral("SELECT count(*), sum(status >= 400 OR status = 0), sum(prompt_tokens), "
                                 "sum(completion_tokens), sum(cached_tokens) FROM usage WHERE ts >= ? AND ts < ?"));
        q.addBindValue(range.from.isValid() ? range.from.toString(Qt::ISODateWithMs) : QString(QStringLiteral("")));
        q.addBindValue(range.to.isValid() ? range.to.toString(Qt::ISODateWithMs) : QString(QStringLiteral("~")));
        const double ms = msOf([&] { (void)(q.exec() && q.next()); });
        std::printf("| totals | %s | %.1f |\n", label, ms);
    }

    // The incremental catch-up: rows written since the last aggregate, rolled up by the next one.
    UsageRepository writer(*db);
    for (const int batch : {1, 100, 1000}) {
        QList<UsageRecord> records;
        for (int i = 0; i < batch; ++i) {
            UsageRecord r;
            r.time = QDateTime::currentDateTimeUtc();
            r.requestedModel = QStringLiteral("model-%1").arg(i % 30);
            r.channelId = i % 10 + 1;
            r.channelName = QStringLiteral("channel-%1").arg(i % 10 + 1);
            r.status = 200;
            r.latencyMs = 500 + i;
            records.append(r);
        }
        const double insertMs = msOf([&] { (void)writer.insert(records); });
        const double nextMs = msOf([&] { check(seedRepo.totals(ranges[0].second), "totals"); });
        std::printf("\n%d new rows: insert %.1f ms; next totals (24 h, with catch-up) %.1f ms", batch, insertMs, nextMs);
    }
    std::printf("\n");
    return 0;
}
