// SPDX-License-Identifier: GPL-3.0-or-later
// curl's C callbacks for UpstreamClient. They run inside curl: they only record state and call the
// observer; anything that would re-enter curl is deferred by the client.
#include "gateway/upstream/UpstreamCall.h"
#include "gateway/upstream/UpstreamClient.h"

#include <utility>

#ifndef Q_OS_WIN
#include <unistd.h>
#endif

namespace tarn::gateway {

size_t UpstreamCallbacks::onWrite(char *data, size_t size, size_t count, void *userData)
{
    auto *call = static_cast<UpstreamCall *>(userData);
    UpstreamClient *client = call->client;
    const size_t bytes = size * count;
    if (!call->observer || call->state != UpstreamCallState::Active)
        return 0; // cancelled: a short write makes curl abort the transfer
    UpstreamCall *outer = std::exchange(client->m_inCallback, call);
    if (!call->headDelivered) { // only if curl skipped the header callback (HTTP/0.9)
        call->headDelivered = true;
        call->observer->onUpstreamHead(call->head);
    }
    call->lastDataAt = client->m_now;
    if (call->observer && bytes > 0)
        call->observer->onUpstreamData(QByteArrayView(data, qsizetype(bytes)));
    client->m_inCallback = outer;
    return call->observer ? bytes : 0;
}

size_t UpstreamCallbacks::onHeader(char *data, size_t size, size_t count, void *userData)
{
    auto *call = static_cast<UpstreamCall *>(userData);
    const size_t bytes = size * count;
    if (!call->observer || call->state != UpstreamCallState::Active)
        return 0;
    if (call->headDelivered) // trailers
        return bytes;
    if (call->consumeHeaderLine(QByteArrayView(data, qsizetype(bytes)))) {
        UpstreamClient *client = call->client;
        call->headDelivered = true;
        call->lastDataAt = client->m_now;
        UpstreamCall *outer = std::exchange(client->m_inCallback, call);
        call->observer->onUpstreamHead(call->head);
        client->m_inCallback = outer;
    }
    return call->observer ? bytes : 0;
}

int UpstreamCallbacks::onSocket(CURL *, curl_socket_t socket, int what, void *clientPtr,
                                void *socketPtr)
{
    static_cast<UpstreamClient *>(clientPtr)
        ->watchSocket(qintptr(socket), what, static_cast<UpstreamSocketWatch *>(socketPtr));
    return 0;
}

int UpstreamCallbacks::onTimer(CURLM *, long timeoutMs, void *clientPtr)
{
    static_cast<UpstreamClient *>(clientPtr)->updateCurlTimer(timeoutMs);
    return 0;
}

int UpstreamCallbacks::onCloseSocket(void *clientPtr, curl_socket_t socket)
{
    static_cast<UpstreamClient *>(clientPtr)->forgetSocket(qintptr(socket));
#ifdef Q_OS_WIN
    return closesocket(socket);
#else
    return close(socket);
#endif
}

} // namespace tarn::gateway
