// SPDX-License-Identifier: GPL-3.0-or-later
// When to come back, and the upstream's own counters, as the headers carry them: Retry-After
// (seconds or an HTTP date), retry-after-ms, OpenAI's Go-style durations, RFC 3339 resets,
// epoch seconds or milliseconds. Everything clamped to [0, 24 h].
#include "gateway/routing/AttemptVerdict.h"
#include "gateway/routing/RetryTime.h"

#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace tarn::gateway {

namespace {

constexpr qint64 kMaxRetryMs = 24LL * 60 * 60 * 1000;

} // namespace

qint64 clampRetryMs(double ms)
{
    if (!std::isfinite(ms))
        return ms > 0 ? kMaxRetryMs : 0;
    return qint64(std::clamp(ms, 0.0, double(kMaxRetryMs)));
}

// ---- durations, dates and numbers as the headers carry them ----

// Go-style durations as OpenAI sends them: "1m30.5s", "6m0s", "20ms", "0.5s", "1h2m3s", "250us".
std::optional<double> parseDurationMs(QByteArrayView text)
{
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d*)?|\\.\\d+)(ms|us|µs|ns|h|m|s|d)"));
    const QString s = QString::fromLatin1(text).trimmed().toLower();
    if (s.isEmpty() || s.size() > 64)
        return std::nullopt;
    double total = 0;
    qsizetype at = 0;
    auto it = part.globalMatch(s);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedStart() != at)
            return std::nullopt;
        at = m.capturedEnd();
        const double value = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        if (unit == u"d") total += value * 86400000.0;
        else if (unit == u"h") total += value * 3600000.0;
        else if (unit == u"m") total += value * 60000.0;
        else if (unit == u"s") total += value * 1000.0;
        else if (unit == u"ms") total += value;
        else if (unit == u"ns") total += value / 1e6;
        else total += value / 1000.0; // us, µs
    }
    if (at == 0 || at != s.size())
        return std::nullopt;
    return total;
}

namespace {

std::optional<double> parseNumber(QByteArrayView text)
{
    const QByteArray s = text.toByteArray().trimmed();
    if (s.isEmpty() || s.size() > 32)
        return std::nullopt;
    bool ok = false;
    const double value = s.toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// RFC 3339 / ISO 8601 ("2025-01-01T00:00:30Z", with fractions or an offset) or an HTTP date
// (IMF-fixdate, RFC 850, asctime; Qt's RFC 2822 parser covers the first with a numeric zone only).
std::optional<QDateTime> parseDate(QByteArrayView text)
{
    const QString s = QString::fromLatin1(text).trimmed();
    if (s.size() < 8 || s.size() > 64)
        return std::nullopt;
    QDateTime when = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!when.isValid())
        when = QDateTime::fromString(s, Qt::ISODate);
    if (!when.isValid()) {
        QString zoned = s;
        if (zoned.endsWith(u" GMT") || zoned.endsWith(u" UTC"))
            zoned = zoned.chopped(4) + u" +0000";
        when = QDateTime::fromString(zoned, Qt::RFC2822Date);
        if (!when.isValid()) {
            // RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
            static const QRegularExpression rfc850(
                QStringLiteral("^[A-Za-z]+, (\\d{2})-([A-Za-z]{3})-(\\d{2}) (\\d{2}:\\d{2}:\\d{2}) GMT$"));
            static const QRegularExpression asctime(
                QStringLiteral("^[A-Za-z]{3} ([A-Za-z]{3}) +(\\d{1,2}) (\\d{2}:\\d{2}:\\d{2}) (\\d{4})$"));
            QString rebuilt;
            if (const auto m = rfc850.match(s); m.hasMatch()) {
                const int yy = m.captured(3).toInt();
                rebuilt = m.captured(1) + u' ' + m.captured(2) + u' ' + QString::number(yy < 70 ? 2000 + yy : 1900 + yy)
                    + u' ' + m.captured(4) + u" +0000";
            } else if (const auto a = asctime.match(s); a.hasMatch()) {
                rebuilt = a.captured(2) + u' ' + a.captured(1) + u' ' + a.captured(4) + u' ' + a.captured(3) + u" +0000";
            }
            if (!rebuilt.isEmpty())
                when = QDateTime::fromString(rebuilt, Qt::RFC2822Date);
        }
    }
    if (!when.isValid())
        return std::nullopt;
    return when;
}

// A reset given as a duration, a delta in seconds, an epoch timestamp (s or ms) or a date.
std::optional<qint64> resetValueMs(QByteArrayView value, const QDateTime &now, bool plainNumberIsSeconds = true)
{
    if (value.trimmed().isEmpty())
        return std::nullopt;
    if (const auto number = parseNumber(value)) {
        const double n = *number;
        const double nowMs = double(now.toMSecsSinceEpoch());
        if (n > 1e12)
            return clampRetryMs(n - nowMs);                 // epoch milliseconds
        if (n > 1e9)
            return clampRetryMs(n * 1000.0 - nowMs);        // epoch seconds
        return clampRetryMs(plainNumberIsSeconds ? n * 1000.0 : n);
    }
    if (const auto duration = parseDurationMs(value))
        return clampRetryMs(*duration);
    if (const auto when = parseDate(value))
        return clampRetryMs(double(now.msecsTo(*when)));
    return std::nullopt;
}

qint64 headerCount(const HeaderList &headers, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        const QByteArray value = headerValue(headers, name).trimmed();
        if (value.isEmpty())
            continue;
        if (const auto number = parseNumber(value); number && *number >= 0 && *number < 9e18)
            return qint64(*number);
    }
    return -1;
}

qint64 headerReset(const HeaderList &headers, const QDateTime &now, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        if (const auto ms = resetValueMs(headerValue(headers, name), now))
            return *ms;
    }
    return -1;
}

} // namespace

qint64 retryAfterMs(const HeaderList &headers, const QDateTime &now)
{
    qint64 longest = -1;
    const auto take = [&](std::optional<qint64> ms) {
        if (ms)
            longest = std::max(longest, *ms);
    };
    take(resetValueMs(headerValue(headers, "retry-after"), now));
    take(resetValueMs(headerValue(headers, "retry-after-ms"), now, false));
    take(resetValueMs(headerValue(headers, "x-ratelimit-reset-requests"), now));
    take(resetValueMs(headerValue(headers, "x-ratelimit-reset-tokens"), now));
    take(resetValueMs(headerValue(headers, "x-ratelimit-reset"), now));
    for (const auto &[name, value] : headers) {
        const QByteArray lower = name.toLower();
        if (lower.startsWith("anthropic-ratelimit-") && lower.endsWith("-reset"))
            take(resetValueMs(value, now));
    }
    return longest;
}

bool isRateLimitHeaderName(QByteArrayView name)
{
    return (name.size() > 12 && headerNameIs(name.first(12), "x-ratelimit-"))
        || (name.size() > 20 && headerNameIs(name.first(20), "anthropic-ratelimit-"));
}

RateLimitHeaders parseRateLimitHeaders(const HeaderList &headers, const QDateTime &now)
{
    RateLimitHeaders r;
    // Most answers carry no counters: one pass over the names spares the twenty lookups below.
    const bool hasCounters = std::any_of(headers.cbegin(), headers.cend(),
                                         [](const auto &header) { return isRateLimitHeaderName(header.first); });
    if (!hasCounters)
        return r;
    r.limitRequests = headerCount(headers, {"x-ratelimit-limit-requests", "anthropic-ratelimit-requests-limit",
                                            "x-ratelimit-limit"});
    r.remainingRequests = headerCount(headers, {"x-ratelimit-remaining-requests",
                                                "anthropic-ratelimit-requests-remaining", "x-ratelimit-remaining"});
    r.resetRequestsMs = headerReset(headers, now, {"x-ratelimit-reset-requests", "anthropic-ratelimit-requests-reset",
                                                   "x-ratelimit-reset"});
    r.limitTokens = headerCount(headers, {"x-ratelimit-limit-tokens", "anthropic-ratelimit-tokens-limit"});
    r.remainingTokens = headerCount(headers, {"x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining"});
    r.resetTokensMs = headerReset(headers, now, {"x-ratelimit-reset-tokens", "anthropic-ratelimit-tokens-reset"});
    return r;
}

} // namespace tarn::gateway
