// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/cli/UsageJson.h"

#include "gateway/cli/CliSupport.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace tarn::gateway::cli {

namespace {

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

} // namespace

Result<QDateTime> parseSince(const QString &text, const QDateTime &now, const QString &name)
{
    static const QRegularExpression duration(QStringLiteral("^(\\d{1,9})([smhdw])$"));
    const QRegularExpressionMatch m = duration.match(text.trimmed());
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 seconds = unit == u's' ? 1 : unit == u'm' ? 60 : unit == u'h' ? 3600 : unit == u'd' ? 86400 : 604800;
        return now.addSecs(-n * seconds);
    }
    const Error bad = Error::invalid(
        QStringLiteral("bad %1 '%2' (expected a duration such as 30m, 24h, 7d or an ISO date)").arg(name, text));
    if (text.trimmed().isEmpty() || !text.trimmed().at(0).isDigit() || text.size() < 10)
        return bad;
    Result<QDateTime> date = parseDateTime(name, text);
    if (!date)
        return bad;
    return date;
}

QJsonObject usageSummaryJson(const QDateTime &since, const UsageSummary &summary)
{
    QJsonArray channels;
    for (const UsageSummaryRow &r : summary.channels)
        channels.append(rowJson(r));
    QJsonArray models;
    for (const UsageSummaryRow &r : summary.models)
        models.append(rowJson(r));
    QJsonObject total = rowJson(summary.total);
    total.remove(QStringLiteral("name"));
    return {{QStringLiteral("since"), QJsonValue::fromVariant(jsonTime(since))},
            {QStringLiteral("channels"), channels},
            {QStringLiteral("models"), models},
            {QStringLiteral("total"), total}};
}

QJsonObject usageRecordJson(const UsageRecord &r)
{
    return {{QStringLiteral("id"), r.id},
            {QStringLiteral("time"), QJsonValue::fromVariant(jsonTime(r.time))},
            {QStringLiteral("inbound_format"), r.inboundFormat},
            {QStringLiteral("channel_format"), r.channelFormat},
            {QStringLiteral("endpoint"), r.endpoint},
            {QStringLiteral("requested_model"), r.requestedModel},
            {QStringLiteral("channel"), r.channelName},
            {QStringLiteral("upstream_model"), r.upstreamModel},
            {QStringLiteral("status"), r.status},
            {QStringLiteral("stream"), r.stream},
            {QStringLiteral("prompt_tokens"), r.promptTokens},
            {QStringLiteral("completion_tokens"), r.completionTokens},
            {QStringLiteral("cached_tokens"), r.cachedTokens},
            {QStringLiteral("latency_ms"), r.latencyMs},
            {QStringLiteral("ttft_ms"), r.ttftMs},
            {QStringLiteral("attempts"), r.attempts},
            {QStringLiteral("error"), r.error}};
}

} // namespace tarn::gateway::cli
