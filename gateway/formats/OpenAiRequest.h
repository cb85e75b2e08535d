// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QByteArray>
#include <QString>

namespace tarn::gateway {

// What the request path needs to know about an OpenAI-style request body.
struct OpenAiRequestInfo
{
    QString model;
    bool stream = false;
    bool clientWantsUsage = false; // stream_options.include_usage was true
    bool hasTools = false;
    // What routing needs to know of the request beyond its model:
    bool hasImages = false;        // an image_url (or input_image) content part
    bool wantsJson = false;        // response_format json_object / json_schema
    qint64 maxOutputTokens = 0;    // max_tokens / max_completion_tokens; 0 = not given
    qint64 promptTokensEstimate = 0; // text bytes / 4, images not counted
    QString promptCacheKey;        // prompt_cache_key, when the client keys its cache itself
    quint64 conversationHash = 0;  // hash of the conversation's opening (system + first user
                                   // message): the same on every turn of one conversation; 0 = none
};

// Validates the body as a JSON object (simdjson, so a 1 MB history costs well under a millisecond)
// and reads model / stream / stream_options. The body must have 64 bytes of spare capacity or it
// is copied once.
Result<OpenAiRequestInfo> inspectOpenAiRequest(const QByteArray &body);

// The body to send upstream: `model` replaced when the channel maps it, and for streams
// stream_options.include_usage forced on so usage can be recorded. Everything else is kept byte
// for byte; when nothing changes the original (shared) buffer is returned.
QByteArray upstreamOpenAiBody(const QByteArray &body, const OpenAiRequestInfo &info,
                              const QString &upstreamModel);

} // namespace tarn::gateway
