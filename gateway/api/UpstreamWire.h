// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/formats/Conversation.h"
#include "gateway/formats/RequestInfo.h"
#include "gateway/http/HttpRequest.h"
#include "gateway/routing/RouteCandidate.h"
#include "gateway/upstream/UpstreamRequest.h"

namespace tarn::gateway {

// How a proxied exchange looks on the wire, apart from the exchange that sequences it: the request
// to a channel of any type, the upstream headers passed back, and the answers it inspects.

// What the client sent, as every attempt needs it.
struct ClientCall
{
    const HttpRequest *request = nullptr; // headers and body
    const RequestInfo *info = nullptr;
    QString endpoint;                      // "/v1/chat/completions", "/v1/messages", …
    const ir::Request *decoded = nullptr;  // the body decoded, when a translation needs it
    bool countTokens = false;              // the channel's token-counting endpoint, not a completion
};

// The request for one attempt: the channel's URL for its format, its key in the header that
// format uses, the body — the client's own with the channel's model name when the formats match,
// else translated — with the channel's parameter overrides applied, extra headers and proxy.
// Timeouts are the caller's. Needs call.decoded when the channel's format is not the client's.
// With call.countTokens (an Anthropic client's count): Anthropic's /v1/messages/count_tokens or
// Gemini's :countTokens; OpenAI channels have none (the caller estimates).
UpstreamRequest channelRequest(const RouteCandidate &candidate, const ClientCall &call);

// The upstream response headers worth passing on (content type, retry-after, request ids,
// x-ratelimit-*); framing, cookies and servers are Tarn's own.
HeaderList relayedHeaders(const HeaderList &upstream);
// Everything of a channel's that is a credential: its keys and its extra header values.
QStringList channelSecrets(const Channel &channel);

// A channel's extra headers onto an upstream request, minus any framing header (Host,
// Content-Length, …) stored before ExtraHeaderRule refused them.
void appendExtraHeaders(HeaderList &headers, const Channel &channel);
// Whether an error body is already in the format's own error shape, which its clients parse.
bool isErrorBodyOf(ApiFormat format, const QByteArray &body);
// A streamed answer's text as the whole OpenAI answer it stands for, for the checks that read one.
QByteArray streamedAnswer(const QString &content);

} // namespace tarn::gateway
