// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/upstream/UpstreamRequest.h" // HeaderList

#include <QByteArray>
#include <QHostAddress>

namespace tarn::gateway {

// One parsed HTTP/1.1 request, handed to a RequestHandler on the connection's thread.
struct HttpRequest
{
    QByteArray method;
    QByteArray target;    // as sent: path plus optional query
    HeaderList headers;
    QByteArray body;      // reserved with spare capacity so JSON parsers can read past the end
    QHostAddress peer;
    qint64 arrivedNs = 0; // monotonic clock (QElapsedTimer::msecsSinceReference-like), first byte
    bool keepAlive = true;

    QByteArrayView path() const;
    QByteArray header(QByteArrayView name) const { return headerValue(headers, name); }
    bool isFromLoopback() const { return peer.isLoopback(); }
};

// Monotonic nanoseconds used for request timing.
qint64 monotonicNs();

} // namespace tarn::gateway
