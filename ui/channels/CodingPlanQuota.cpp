// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/CodingPlanQuota.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace tarn::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("CodingPlanQuota", text);
}

// Providers write counts as numbers or as decimal strings.
std::optional<double> number(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isString()) {
        bool ok = false;
        const double parsed = value.toString().toDouble(&ok);
        if (ok)
            return parsed;
    }
    return std::nullopt;
}

QDateTime fromEpochMs(const QJsonValue &value)
{
    const std::optional<double> ms = number(value);
    if (!ms || *ms <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(qint64(*ms)).toUTC();
}

QString windowLabel(qint64 minutes)
{
    if (minutes <= 0)
        return tr("window");
    if (minutes % (7 * 1440) == 0)
        return minutes == 7 * 1440 ? tr("week") : tr("%1 weeks").arg(minutes / (7 * 1440));
    if (minutes % 1440 == 0)
        return tr("%1 d").arg(minutes / 1440);
    if (minutes % 60 == 0)
        return tr("%1 h").arg(minutes / 60);
    return tr("%1 min").arg(minutes);
}

double clampPercent(double percent)
{
    return std::clamp(percent, 0.0, 100.0);
}

QString countText(double used, double limit)
{
    return tr("%1 of %2").arg(QLocale().toString(used, 'f', 0), QLocale().toString(limit, 'f', 0));
}

// A Kimi tier: {limit, used?, remaining?, resetTime}.
std::optional<QuotaWindow> kimiTier(const QJsonObject &tier, const QString &label, qint64 minutes)
{
    const std::optional<double> limit = number(tier.value(QLatin1String("limit")));
    std::optional<double> used = number(tier.value(QLatin1String("used")));
    const std::optional<double> remaining = number(tier.value(QLatin1String("remaining")));
    if (!used && limit && remaining)
        used = *limit - *remaining;
    if (!limit || !used || *limit <= 0)
        return std::nullopt;
    QuotaWindow window{label, minutes, clampPercent(*used / *limit * 100.0), {}, countText(*used, *limit)};
    window.resetsAt = QDateTime::fromString(tier.value(QLatin1String("resetTime")).toString(), Qt::ISODateWithMs);
    return window;
}

void sortWindows(QList<QuotaWindow> &windows)
{
    constexpr qint64 kNever = std::numeric_limits<qint64>::max();
    std::stable_sort(windows.begin(), windows.end(), [](const QuotaWindow &a, const QuotaWindow &b) {
        return (a.minutes > 0 ? a.minutes : kNever) < (b.minutes > 0 ? b.minutes : kNever);
    });
}

QuotaReading unreadable()
{
    return {{}, tr("unexpected answer")};
}

} // namespace

QuotaReading readKimiQuota(const QByteArray &body)
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    QuotaReading reading;
    for (const QJsonValue &entry : root.value(QLatin1String("limits")).toArray()) {
        const QJsonObject limit = entry.toObject();
        const QJsonObject span = limit.value(QLatin1String("window")).toObject();
        const double duration = number(span.value(QLatin1String("duration"))).value_or(0);
        const QString unit = span.value(QLatin1String("timeUnit")).toString();
        qint64 minutes = qint64(duration);
        if (unit.endsWith(QLatin1String("HOUR")))
            minutes *= 60;
        else if (unit.endsWith(QLatin1String("DAY")))
            minutes *= 1440;
        else if (!unit.isEmpty() && !unit.endsWith(QLatin1String("MINUTE")))
            minutes = 0;
        if (auto window = kimiTier(limit.value(QLatin1String("detail")).toObject(), windowLabel(minutes), minutes))
            reading.windows.append(*window);
    }
    // The top-level tier is the weekly one.
    if (auto weekly = kimiTier(root.value(QLatin1String("usage")).toObject(), windowLabel(7 * 1440), 7 * 1440))
        reading.windows.append(*weekly);
    if (reading.windows.isEmpty())
        return unreadable();
    sortWindows(reading.windows);
    return reading;
}

QuotaReading readZhipuQuota(const QByteArray &body)
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    // A refusal comes back as {"code": 1001, "msg": "…", "success": false}, sometimes with HTTP 200.
    const std::optional<double> code = number(root.value(QLatin1String("code")));
    if (code && *code != 200 && !root.value(QLatin1String("data")).isObject()) {
        const QString msg = root.value(QLatin1String("msg")).toString();
        return {{}, msg.isEmpty() ? tr("code %1").arg(*code) : msg};
    }
    QuotaReading reading;
    const QJsonArray limits = root.value(QLatin1String("data")).toObject().value(QLatin1String("limits")).toArray();
    for (const QJsonValue &entry : limits) {
        const QJsonObject limit = entry.toObject();
        const std::optional<double> percentage = number(limit.value(QLatin1String("percentage")));
        if (!percentage)
            continue;
        const qint64 n = qint64(number(limit.value(QLatin1String("number"))).value_or(1));
        qint64 minutes = 0;
        switch (int(number(limit.value(QLatin1String("unit"))).value_or(0))) {
        case 3: minutes = n * 60; break;
        case 4: minutes = n * 1440; break;
        case 6: minutes = n * 7 * 1440; break;
        case 5: minutes = n * 30 * 1440; break; // months: only for sorting
        default: break;
        }
        const bool calls = limit.value(QLatin1String("type")).toString() == u"TIME_LIMIT";
        QString label = minutes % (30 * 1440) == 0 && minutes > 0 ? (n == 1 ? tr("month") : tr("%1 months").arg(n))
                                                                   : windowLabel(minutes);
        // TIME_LIMIT counts tool calls (web search, reader), not tokens: said so, and not shown first.
        if (calls)
            label = tr("tool calls (%1)").arg(label);
        QuotaWindow window{label, calls ? 0 : minutes, clampPercent(*percentage),
                           fromEpochMs(limit.value(QLatin1String("nextResetTime"))), {}};
        const std::optional<double> total = number(limit.value(QLatin1String("usage")));
        const std::optional<double> current = number(limit.value(QLatin1String("currentValue")));
        if (total && current && *total > 0)
            window.counts = countText(*current, *total);
        reading.windows.append(window);
    }
    if (reading.windows.isEmpty())
        return unreadable();
    sortWindows(reading.windows);
    return reading;
}

QuotaReading readMiniMaxQuota(const QByteArray &body, const QDateTime &now)
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    const QJsonObject baseResp = root.value(QLatin1String("base_resp")).toObject();
    if (const std::optional<double> status = number(baseResp.value(QLatin1String("status_code"))); status && *status != 0) {
        const QString msg = baseResp.value(QLatin1String("status_msg")).toString();
        return {{}, msg.isEmpty() ? tr("status %1").arg(*status) : msg};
    }
    const QJsonArray remains = root.value(QLatin1String("model_remains")).toArray();
    // Several buckets share the answer (text, speech, image, video, music). The text bucket is named
    // "general" (before mid-2026 "MiniMax-M*"); otherwise it is the one with the biggest allowance.
    // Since mid-2026 the counts are 0 and only the *_remaining_percent fields carry the reading.
    // On this endpoint *_usage_count is what is LEFT, whatever its name says (MiniMax's own CLI
    // fixed the same misreading, MiniMax-AI/cli#104; the console shows 7/100 used for 93).
    QJsonObject best;
    double bestTotal = -1;
    for (const QJsonValue &entry : remains) {
        const QJsonObject model = entry.toObject();
        const QString name = model.value(QLatin1String("model_name")).toString();
        if (name.compare(QLatin1String("general"), Qt::CaseInsensitive) == 0
            || name.startsWith(QLatin1String("MiniMax-M"), Qt::CaseInsensitive)) {
            best = model;
            break;
        }
        const double total = number(model.value(QLatin1String("current_interval_total_count"))).value_or(0);
        if (total > bestTotal) {
            best = model;
            bestTotal = total;
        }
    }
    if (best.isEmpty())
        return unreadable();
    // One tier: its prefix ("current_interval" or "current_weekly") and its time fields.
    auto tier = [&](const QString &prefix, const char *start, const char *end, const char *remainsTime) -> std::optional<QuotaWindow> {
        const std::optional<double> total = number(best.value(QString(prefix + QLatin1String("_total_count"))));
        const std::optional<double> left = number(best.value(QString(prefix + QLatin1String("_usage_count"))));
        const std::optional<double> leftPercent = number(best.value(QString(prefix + QLatin1String("_remaining_percent"))));
        QuotaWindow window;
        if (leftPercent)
            window.usedPercent = clampPercent(100.0 - *leftPercent);
        else if (total && left && *total > 0)
            window.usedPercent = clampPercent((*total - *left) / *total * 100.0);
        else
            return std::nullopt;
        if (total && left && *total > 0)
            window.counts = countText(*total - *left, *total);
        const QDateTime from = fromEpochMs(best.value(QLatin1String(start)));
        window.resetsAt = fromEpochMs(best.value(QLatin1String(end)));
        if (!window.resetsAt.isValid()) {
            if (const std::optional<double> ms = number(best.value(QLatin1String(remainsTime))); ms && *ms > 0)
                window.resetsAt = now.addMSecs(qint64(*ms));
        }
        if (from.isValid() && window.resetsAt.isValid())
            window.minutes = std::max<qint64>(0, qRound64(double(from.msecsTo(window.resetsAt)) / 60000.0));
        window.label = windowLabel(window.minutes);
        return window;
    };
    QuotaReading reading;
    if (auto interval = tier(QStringLiteral("current_interval"), "start_time", "end_time", "remains_time"))
        reading.windows.append(*interval);
    if (auto weekly = tier(QStringLiteral("current_weekly"), "weekly_start_time", "weekly_end_time", "weekly_remains_time")) {
        if (weekly->minutes == 0) {
            weekly->minutes = 7 * 1440;
            weekly->label = windowLabel(weekly->minutes);
        }
        // Plans without a weekly tier report zeros for it.
        if (!weekly->counts.isEmpty() || weekly->usedPercent > 0)
            reading.windows.append(*weekly);
    }
    if (reading.windows.isEmpty())
        return unreadable();
    sortWindows(reading.windows);
    return reading;
}

QString quotaText(const QList<QuotaWindow> &windows, const QDateTime &now)
{
    if (windows.isEmpty())
        return {};
    const QuotaWindow &first = windows.first();
    QString text = tr("%1: %2 % used").arg(first.label).arg(qRound(first.usedPercent));
    if (first.resetsAt.isValid()) {
        const QDateTime local = first.resetsAt.toLocalTime();
        // Within a day the hour is enough; later resets name the day too.
        const QString when = now.secsTo(first.resetsAt) < 20 * 3600 ? local.toString(QStringLiteral("HH:mm"))
                                                                     : QLocale().toString(local, QStringLiteral("ddd HH:mm"));
        text += tr(" · resets %1").arg(when);
    }
    // The longest window of known length beside it (a weekly cap can bite before the 5-hour one).
    const QuotaWindow *longest = nullptr;
    for (const QuotaWindow &w : windows) {
        if (w.minutes > first.minutes && (!longest || w.minutes > longest->minutes))
            longest = &w;
    }
    if (longest)
        text += tr(" · %1 %2 %").arg(longest->label).arg(qRound(longest->usedPercent));
    return text;
}

QString quotaDetail(const QList<QuotaWindow> &windows)
{
    QStringList lines;
    for (const QuotaWindow &w : windows) {
        QString line = tr("%1: %2 % used").arg(w.label, QLocale().toString(w.usedPercent, 'f', 1));
        if (!w.counts.isEmpty())
            line += tr(" (%1)").arg(w.counts);
        if (w.resetsAt.isValid())
            line += tr(", resets %1").arg(QLocale().toString(w.resetsAt.toLocalTime(), QLocale::ShortFormat));
        lines << line;
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace tarn::ui
