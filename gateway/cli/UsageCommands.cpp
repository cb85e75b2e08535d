// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn usage`: totals per channel and per model.
#include "gateway/cli/CliSupport.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/UsageRepository.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace tarn::gateway::cli {

namespace {

// "30m", "24h", "7d", "2w", "90s" before now, or an ISO date.
Result<QDateTime> parseSince(const QString &text, const QDateTime &now)
{
    static const QRegularExpression duration(QStringLiteral("^(\\d{1,9})([smhdw])$"));
    const QRegularExpressionMatch m = duration.match(text.trimmed());
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 seconds = unit == u's' ? 1 : unit == u'm' ? 60 : unit == u'h' ? 3600 : unit == u'd' ? 86400 : 604800;
        return now.addSecs(-n * seconds);
    }
    if (text.trimmed().isEmpty() || !text.trimmed().at(0).isDigit() || text.size() < 10)
        return Error::invalid(QStringLiteral("bad --since '%1' (expected a duration such as 30m, 24h, 7d or an ISO date)").arg(text));
    Result<QDateTime> date = parseDateTime(QStringLiteral("--since"), text);
    if (!date)
        return Error::invalid(QStringLiteral("bad --since '%1' (expected a duration such as 30m, 24h, 7d or an ISO date)").arg(text));
    return date;
}

QJsonObject rowJson(const UsageSummaryRow &row)
{
    return {{QStringLiteral("name"), row.name},
            {QStringLiteral("requests"), row.requests},
            {QStringLiteral("errors"), row.errors},
            {QStringLiteral("prompt_tokens"), row.promptTokens},
            {QStringLiteral("completion_tokens"), row.completionTokens},
            {QStringLiteral("cached_tokens"), row.cachedTokens},
            {QStringLiteral("avg_latency_ms"), qRound64(row.avgLatencyMs)}};
}

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

} // namespace

int runUsageCommand(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("json"), FlagSpec::Kind::Switch}, {QStringLiteral("since")}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    Result<QDateTime> since = parseSince(flags->has(QStringLiteral("since")) ? flags->value(QStringLiteral("since"))
                                                                             : QStringLiteral("24h"),
                                         QDateTime::currentDateTimeUtc());
    if (!since)
        return usageError(ctx, since.error().message);

    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<UsageSummary> summary = UsageRepository(**db).summarize(*since);
    if (!summary)
        return runtimeError(ctx, summary.error().message);

    if (flags->has(QStringLiteral("json"))) {
        QJsonArray channels;
        for (const UsageSummaryRow &r : summary->channels)
            channels.append(rowJson(r));
        QJsonArray models;
        for (const UsageSummaryRow &r : summary->models)
            models.append(rowJson(r));
        QJsonObject total = rowJson(summary->total);
        total.remove(QStringLiteral("name"));
        ctx.out << toJsonText(QJsonObject{{QStringLiteral("since"), QJsonValue::fromVariant(jsonTime(*since))},
                                          {QStringLiteral("channels"), channels},
                                          {QStringLiteral("models"), models},
                                          {QStringLiteral("total"), total}});
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
