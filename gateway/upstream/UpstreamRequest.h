// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/HeaderList.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <utility>

namespace tarn::gateway {

struct UpstreamTimeouts
{
    int connectMs = 10'000;    // TCP + TLS + proxy handshake
    int firstByteMs = 300'000; // request sent -> response head (reasoning models think for minutes)
    int idleMs = 120'000;      // gap between two body chunks
};

// One HTTP request to a provider. The body is shared, not copied (QByteArray is implicitly shared),
// and stays alive for the whole call.
struct UpstreamRequest
{
    QByteArray method = "POST";
    QByteArray url;            // absolute http(s) URL
    HeaderList headers;
    QByteArray body;
    QByteArray proxy;          // per-channel proxy URL; empty = HTTPS_PROXY/NO_PROXY environment
    UpstreamTimeouts timeouts;
};

struct UpstreamResponseHead
{
    int status = 0;
    HeaderList headers;        // final response's headers, names as the upstream sent them
};

enum class UpstreamFailure {
    None,       // finished normally (any HTTP status)
    Connect,    // DNS, refused, unreachable, TLS handshake, proxy
    FirstByteTimeout,
    IdleTimeout,
    Protocol,   // malformed response, truncated body
    Aborted,    // cancel() was called
    Other,
};

const char *upstreamFailureName(UpstreamFailure failure);

// Receives one call's events, all on the UpstreamClient's thread. After onUpstreamFinished (or
// after cancel()) no further callback arrives for that call.
class UpstreamObserver
{
public:
    virtual void onUpstreamHead(const UpstreamResponseHead &head) = 0;
    // A piece of the (decompressed) body, delivered as soon as it arrives; the view is only valid
    // during the call.
    virtual void onUpstreamData(QByteArrayView data) = 0;
    virtual void onUpstreamFinished(UpstreamFailure failure, const QString &detail) = 0;

protected:
    ~UpstreamObserver() = default;
};

} // namespace tarn::gateway
