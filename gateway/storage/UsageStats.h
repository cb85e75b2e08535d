// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/UsageRecord.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <array>

class QTimeZone;

namespace tarn::gateway {

// What the desktop's overview, usage and log pages show, as plain values (see
// UsageStatsRepository). Times are UTC; a range is half-open [from, to); an invalid bound is open.
struct UsageRange
{
    QDateTime from;
    QDateTime to;
};

enum class UsageGranularity { Hour, Day, Week, Month };
enum class UsageGrouping { Channel, Model };

struct UsageTotals
{
    qint64 requests = 0;
    qint64 errors = 0;          // status >= 400, or 0 (the client went away first)
    qint64 promptTokens = 0;    // input, cached included
    qint64 completionTokens = 0;
    qint64 cachedTokens = 0;
    qint64 reasoningTokens = 0; // part of completionTokens
    double costUsd = 0;         // estimated from the model prices (0 where a model has none)

    double successRate() const { return requests > 0 ? double(requests - errors) / double(requests) : 1.0; }
    friend bool operator==(const UsageTotals &, const UsageTotals &) = default;
};

// One bucket of a time series for one series (a channel or a model name; empty = none).
struct UsagePoint
{
    // The instant (in UTC) the bucket starts: the UTC hour, or the day, ISO week (Monday) or month
    // of the time zone the series was asked for, at that zone's midnight.
    QDateTime bucketStart;
    QString series;
    UsageTotals totals;

    friend bool operator==(const UsagePoint &, const UsagePoint &) = default;
};

// A channel's or a model's share over a range.
struct UsageShare
{
    QString name;
    UsageTotals totals;

    friend bool operator==(const UsageShare &, const UsageShare &) = default;
};

// Success rate and typical speed of one channel over a range.
struct ChannelQuality
{
    qint64 channelId = 0;
    QString channelName;
    qint64 requests = 0;
    qint64 errors = 0;
    qint64 medianLatencyMs = -1; // -1 = no request
    qint64 medianTtftMs = -1;    // -1 = no request with a first byte

    friend bool operator==(const ChannelQuality &, const ChannelQuality &) = default;
};

// Requests by weekday (0 = Monday) and hour of day, in the time zone asked for.
using UsageHeatmap = std::array<std::array<qint64, 24>, 7>;

// Price of a model, in US dollars per million tokens.
struct ModelPrice
{
    QString model;
    double inputPerMTok = 0;
    double outputPerMTok = 0;
    double cachedPerMTok = 0; // cached input tokens, charged instead of inputPerMTok

    friend bool operator==(const ModelPrice &, const ModelPrice &) = default;
};

// Which rows the request log shows, newest first. Empty strings and 0 match everything.
struct RequestLogFilter
{
    static constexpr qint64 NoClientKey = -1;
    QString model;          // requested or upstream model
    QString channel;        // channel name
    qint64 clientKeyId = 0; // NoClientKey: only requests made without a key (from this machine)
    QString inboundFormat;  // "openai", "anthropic", "gemini", "responses"
    enum class Status { Any, Success, Error } status = Status::Any;
    qint64 beforeId = 0;    // keyset paging: only rows with id < beforeId; 0 = from the newest
    qint64 afterId = 0;     // live updates: only rows with id > afterId
    int limit = 200;
};

// One request of the log: the usage row and the client key's name.
struct RequestLogRow
{
    UsageRecord record;
    QString clientKeyName; // empty = none (loopback without a key)
};

// The first instant of date in zone, in UTC: its midnight, or the end of a clock change that
// skipped midnight. A local day lasts from here to the next day's start (23, 24 or 25 hours).
QDateTime usageDayStart(const QDate &date, const QTimeZone &zone);

} // namespace tarn::gateway
