// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/HeaderList.h"
#include "gateway/formats/ApiFormat.h"

#include <QByteArray>

namespace tarn::gateway {

// What a call to a channel asks of it.
enum class ChannelCall { Generate, Stream, CountTokens };

// Where a call to a channel goes and how it authenticates, by the channel's type: OpenAI-compatible
// bases carry their version (…/v1, …/api/paas/v4) and get the endpoint appended with a Bearer
// key; Anthropic-format bases are what one sets as ANTHROPIC_BASE_URL (a trailing /v1 tolerated)
// and get /v1/messages with x-api-key + anthropic-version; Gemini bases are the host (a trailing
// /v1beta tolerated) and get /v1beta/models/{model}:generateContent (or :streamGenerateContent?
// alt=sse, :countTokens) with x-goog-api-key. Content-Type, Accept, extra headers and the body
// are the caller's.
struct ChannelAddress
{
    QByteArray url;
    HeaderList headers;
};

// openAiEndpoint: the OpenAI path for OpenAI channels ("/chat/completions", "/embeddings").
ChannelAddress channelAddress(const Channel &channel, const QString &key, const QString &upstreamModel,
                              ChannelCall call, QByteArrayView openAiEndpoint = "/chat/completions");

} // namespace tarn::gateway
