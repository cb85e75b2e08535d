// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace tarn::gateway {

// One attempt of a request at a channel: usage rows keep every one, failed ones included.
struct AttemptRecord
{
    qint64 channelId = 0;
    QString channelName;
    QString keyId;   // see keyId() in Channel.h
    int status = 0;  // upstream HTTP status; 0 = no answer (connect failure, timeout)
    QString error;   // empty on success
    qint64 ms = 0;   // how long the attempt took

    friend bool operator==(const AttemptRecord &, const AttemptRecord &) = default;
};

// One row per API request that reached Tarn, success or not.
struct UsageRecord
{
    qint64 id = 0;
    QDateTime time;            // when the request arrived (UTC)
    qint64 clientKeyId = 0;    // 0 = none (loopback without a key)
    QString clientAddress;     // the caller's address: becomes the key's last-used address (no usage column)
    QString inboundFormat;     // the client's format: "openai", "anthropic", "gemini"
    QString channelFormat;     // the last channel tried's format; empty = none reached
    QString endpoint;          // "/v1/chat/completions", …
    QString requestedModel;
    qint64 channelId = 0;      // 0 = never reached a channel
    QString channelName;
    QString upstreamModel;
    int status = 0;            // HTTP status the client saw (0 = client went away first)
    bool stream = false;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 cachedTokens = 0;
    qint64 reasoningTokens = 0; // part of completionTokens (thinking the provider billed as output)
    qint64 latencyMs = 0;      // arrival to last byte
    qint64 ttftMs = -1;        // arrival to first byte of the answer; -1 = none
    int attempts = 0;
    QList<AttemptRecord> attemptLog; // every attempt, in order (stored as JSON)
    QString error;
};

} // namespace tarn::gateway
