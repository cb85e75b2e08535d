// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/upstream/UpstreamRequest.h" // HeaderList

#include <QByteArray>

namespace tarn::gateway {

// Content length that asks for a chunked (streamed) response instead.
inline constexpr qint64 kChunked = -1;

// The status line and header block of a response. Framing is the server's alone: the caller's
// Content-Length, Transfer-Encoding, Connection and Keep-Alive headers are dropped and replaced by
// `contentLength` (or chunked) and, when closing, `Connection: close`.
QByteArray responseHead(int status, const HeaderList &headers, qint64 contentLength, bool closing);

// "Not Found" for 404 and so on.
QByteArray reasonPhrase(int status);

} // namespace tarn::gateway
