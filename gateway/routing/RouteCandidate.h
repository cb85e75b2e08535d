// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/routing/AttemptVerdict.h"
#include "gateway/routing/CapabilityResolver.h"

#include <QString>

#include <optional>

namespace tarn::gateway {

// What a request needs from a channel beyond serving its model.
struct RouteRequirements
{
    // Only channels of this type: endpoints no translator covers (completions, embeddings).
    std::optional<ChannelType> channelType;
    bool tools = false;
    bool vision = false;
    bool jsonMode = false;
    qint64 promptTokens = 0;    // estimate
    qint64 maxOutputTokens = 0; // what the client asked for; 0 = not given
};

// One request, as the router sees it.
struct RouteRequest
{
    QString model;
    RouteRequirements needs;
    QString stickyKey; // identifies the conversation; empty = none
};

// One channel to try, with the upstream model name and the key to use.
struct RouteCandidate
{
    const Channel *channel = nullptr; // points into the request's ConfigSnapshot
    QString upstreamModel;
    QString key;
    QString keyId;
    bool probe = false; // the half-open circuit's one trial request
    EffectiveCapabilities caps; // of this channel-model, as routing resolved them
};

// How one attempt ended, as the exchange saw it; the router learns from it and decides whether
// the request goes on to the next candidate.
struct AttemptReport
{
    enum class Transport { Answered, ConnectFailed, Timeout, Broken, Abandoned };
    Transport transport = Transport::Answered;
    AttemptVerdict verdict;     // when Answered
    int status = 0;             // upstream HTTP status; 0 = none
    bool emptyAnswer = false;   // 2xx without content or output tokens
    bool textualToolCall = false; // 2xx to a tools request with the call written as text
    qint64 ttfbMs = -1;         // request sent -> first byte of the answer
    qint64 tokens = 0;          // prompt + completion, for budgets
    RateLimitHeaders rateLimits;
    QString detail;             // transport failure text
};

} // namespace tarn::gateway
