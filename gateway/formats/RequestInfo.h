// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/ApiFormat.h"
#include "gateway/formats/Conversation.h"

#include <QString>

namespace tarn::gateway {

// What the request path needs to know about a client's request, whatever its format: what it
// asks for (model, stream) and what routing needs (what it needs from a channel, which
// conversation it belongs to).
struct RequestInfo
{
    ApiFormat format = ApiFormat::OpenAI;
    QString model;
    bool stream = false;
    bool clientWantsUsage = false; // OpenAI stream_options.include_usage was true
    bool hasTools = false;
    bool hasImages = false;        // an image (or document) part
    bool wantsJson = false;        // JSON mode / a JSON schema
    qint64 maxOutputTokens = 0;    // max_tokens and kin; 0 = not given
    qint64 promptTokensEstimate = 0;
    QString promptCacheKey;        // prompt_cache_key, when the client keys its cache itself
    // The decoded request is not what the client sent (a stored conversation was put before it):
    // a channel of the client's own format gets it encoded, not the client's body.
    bool bodyRewritten = false;
    quint64 conversationHash = 0;  // hash of the conversation's opening (system + first user
                                   // message): the same on every turn of one conversation; 0 = none
};

// The info of a decoded request; bodyBytes is its size on the wire.
RequestInfo requestInfoOf(const ir::Request &request, ApiFormat format, qint64 bodyBytes);

} // namespace tarn::gateway
