// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace tarn::gateway {

// Explicit limits of the client-facing HTTP server; each one has a tested answer.
struct HttpLimits
{
    qint64 maxBodyBytes = 32LL * 1024 * 1024; // larger -> 413, before any body byte is read
    qint64 maxHeaderBytes = 64 * 1024;        // request line + headers; larger -> 431
    int headerTimeoutMs = 10'000;             // first byte -> end of headers; slower -> 408 + close
    int bodyIdleTimeoutMs = 60'000;           // gap between body bytes; longer -> 408 + close
    int idleTimeoutMs = 60'000;               // idle keep-alive connection is closed after this
    int maxConnections = 1024;                // beyond this a new connection gets 503 + close
    qint64 maxPendingResponseBytes = 4 * 1024 * 1024; // relay pauses upstream above this
    int sendStallTimeoutMs = 120'000;        // output queued and not one byte taken -> close (499)
    // Request bytes buffered across all connections (declared Content-Length counts at once);
    // beyond it a request gets 503 + Retry-After before its body is read.
    qint64 maxBufferedRequestBytes = 256LL * 1024 * 1024;
};

} // namespace tarn::gateway
