// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/formats/OpenAiRequest.h"
#include "gateway/routing/RouteCandidate.h"
#include "gateway/upstream/UpstreamRequest.h"

namespace tarn::gateway {

// How a proxied OpenAI exchange looks on the wire, apart from the exchange that sequences it: the
// request to a channel, the upstream headers passed back, and the answers it inspects.

// The request for one attempt: the channel's base URL + the endpoint, the body with the channel's
// model name, its key, extra headers and proxy. Timeouts are the caller's.
UpstreamRequest openAiUpstreamRequest(const RouteCandidate &candidate, const QString &endpoint,
                                      const QByteArray &body, const OpenAiRequestInfo &info);
// The upstream response headers worth passing on (content type, retry-after, request ids,
// x-ratelimit-*); framing, cookies and servers are Tarn's own.
HeaderList relayedHeaders(const HeaderList &upstream);
// Everything of a channel's that is a credential: its keys and its extra header values.
QStringList channelSecrets(const Channel &channel);
// Whether an error body is in OpenAI's shape ({"error": {...}}), which OpenAI clients parse.
bool isOpenAiErrorBody(const QByteArray &body);
// A streamed answer's text as the whole answer it stands for, for the checks that read one.
QByteArray streamedAnswer(const QString &content);

} // namespace tarn::gateway
