// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn usage`: totals per channel and per model, or the newest requests one by one.
#include "gateway/cli/CliSupport.h"
#include "gateway/cli/UsageJson.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/UsageRepository.h"

#include <QJsonArray>

namespace tarn::gateway::cli {

namespace {

QString table(const QString &first, const QList<UsageSummaryRow> &rows, const UsageSummaryRow &total)
{
    QList<QStringList> cells;
    auto cellsOf = [](const QString &name, const UsageSummaryRow &r) {
        return QStringList{name, QString::number(r.requests), QString::number(r.errors), QString::number(r.promptTokens),
                           QString::number(r.completionTokens), QString::number(r.cachedTokens),
                           QString::number(qRound64(r.avgLatencyMs))};
    };
    for (const UsageSummaryRow &r : rows)
        cells.append(cellsOf(r.name.isEmpty() ? QStringLiteral("(none)") : r.name, r));
    cells.append(cellsOf(QStringLiteral("TOTAL"), total));
    return formatTable({first, QStringLiteral("REQUESTS"), QStringLiteral("ERRORS"), QStringLiteral("PROMPT"),
                        QStringLiteral("COMPLETION"), QStringLiteral("CACHED"), QStringLiteral("AVG-MS")},
                       cells, {1, 2, 3, 4, 5, 6});
}

constexpr int kMaxRecent = 10000;

// "anthropic→openai": the client's format, then the format of the channel it last reached ("-"
// when it reached none).
QString formatsText(const UsageRecord &r)
{
    const QString inbound = r.inboundFormat.isEmpty() ? QStringLiteral("-") : r.inboundFormat;
    return inbound + u"→" + (r.channelFormat.isEmpty() ? QStringLiteral("-") : r.channelFormat);
}

// `tarn usage --recent N`: one line (or JSON object) per request, newest first; with --since,
// the older ones among them are left out.
int listRecent(Context &ctx, Database &db, int limit, const std::optional<QDateTime> &since, bool json)
{
    Result<QList<UsageRecord>> records = UsageRepository(db).recent(limit);
    if (!records)
        return runtimeError(ctx, records.error().message);
    QList<UsageRecord> shown;
    for (const UsageRecord &r : *records) {
        if (!since || r.time >= *since)
            shown.append(r);
    }
    if (json) {
        QJsonArray array;
        for (const UsageRecord &r : shown)
            array.append(usageRecordJson(r));
        ctx.out << toJsonText(QJsonObject{{QStringLiteral("requests"), array}});
        return ExitOk;
    }
    if (shown.isEmpty()) {
        ctx.out << "No requests recorded." << Qt::endl;
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const UsageRecord &r : shown) {
        rows.append({r.time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), formatsText(r),
                     r.requestedModel.isEmpty() ? QStringLiteral("-") : r.requestedModel,
                     r.channelName.isEmpty() ? QStringLiteral("-") : r.channelName, QString::number(r.status),
                     QString::number(r.promptTokens), QString::number(r.completionTokens), QString::number(r.latencyMs)});
    }
    ctx.out << formatTable({QStringLiteral("TIME (UTC)"), QStringLiteral("FORMATS"), QStringLiteral("MODEL"),
                            QStringLiteral("CHANNEL"), QStringLiteral("STATUS"), QStringLiteral("PROMPT"),
                            QStringLiteral("COMPLETION"), QStringLiteral("MS")},
                           rows, {4, 5, 6, 7});
    ctx.out.flush();
    return ExitOk;
}

} // namespace

int runUsageCommand(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("json"), FlagSpec::Kind::Switch}, {QStringLiteral("since")},
                                                  {QStringLiteral("recent")}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    Result<QDateTime> since = parseSince(flags->has(QStringLiteral("since")) ? flags->value(QStringLiteral("since"))
                                                                             : QStringLiteral("24h"),
                                         QDateTime::currentDateTimeUtc());
    if (!since)
        return usageError(ctx, since.error().message);
    int recent = 0;
    if (flags->has(QStringLiteral("recent"))) {
        Result<int> n = parseInt(QStringLiteral("--recent"), flags->value(QStringLiteral("recent")), 1);
        if (!n)
            return usageError(ctx, n.error().message);
        recent = std::min(*n, kMaxRecent);
    }

    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    if (recent > 0) {
        const std::optional<QDateTime> recentSince = flags->has(QStringLiteral("since")) ? std::optional(*since) : std::nullopt;
        return listRecent(ctx, **db, recent, recentSince, flags->has(QStringLiteral("json")));
    }
    Result<UsageSummary> summary = UsageRepository(**db).summarize(*since);
    if (!summary)
        return runtimeError(ctx, summary.error().message);

    if (flags->has(QStringLiteral("json"))) {
        ctx.out << toJsonText(usageSummaryJson(*since, *summary));
        return ExitOk;
    }
    ctx.out << "Usage since " << formatTime(*since) << '\n';
    if (summary->total.requests == 0) {
        ctx.out << "No requests in this period." << Qt::endl;
        return ExitOk;
    }
    ctx.out << '\n' << table(QStringLiteral("CHANNEL"), summary->channels, summary->total) << '\n'
            << table(QStringLiteral("MODEL"), summary->models, summary->total);
    ctx.out.flush();
    return ExitOk;
}

} // namespace tarn::gateway::cli
