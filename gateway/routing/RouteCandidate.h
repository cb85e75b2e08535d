// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

namespace tarn::gateway {

// What a request needs from a channel beyond serving its model.
struct RouteRequirements
{
    ChannelType inboundFormat = ChannelType::OpenAI; // channels of other types need a translator
    bool tools = false;
};

// One channel to try, with the upstream model name and the key to use.
struct RouteCandidate
{
    const Channel *channel = nullptr; // points into the request's ConfigSnapshot
    QString upstreamModel;
    QString key;
};

// How one attempt at a candidate ended; the selector learns from it (cooldowns, breakers: later).
enum class AttemptOutcome { Success, RateLimited, ServerError, ConnectFailed, Timeout, ClientError };

} // namespace tarn::gateway
