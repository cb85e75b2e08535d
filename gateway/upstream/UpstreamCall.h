// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/upstream/UpstreamRequest.h"

#include <curl/curl.h>

namespace tarn::gateway {

class UpstreamClient;

enum class UpstreamCallState : quint8 {
    Free,       // in the free list, easy handle idle
    PendingAdd, // started inside a curl callback, added on the next settle
    Active,     // added to the multi handle
    Cancelled,  // cancelled inside a curl callback, removed on the next settle
};

// One pooled transfer: a reusable easy handle plus the state of the call it currently carries.
struct UpstreamCall
{
    explicit UpstreamCall(UpstreamClient *owner);
    ~UpstreamCall();
    UpstreamCall(const UpstreamCall &) = delete;
    UpstreamCall &operator=(const UpstreamCall &) = delete;

    // Applies every per-call option for `request` to the pooled handle. False if curl refused one.
    bool configure(const QByteArray &envNoProxy);
    // Feeds one response header line; true when the final (non-1xx) head is complete.
    bool consumeHeaderLine(QByteArrayView line);
    // Whether the connection (and TLS/proxy handshakes) completed.
    bool connected() const;
    // Whether the whole request, body included, has been handed to the socket.
    bool requestSent() const;
    // Forgets the finished call; keeps the easy handle (and its buffers) for the next one.
    void clear();

    bool setFixedOptions();

    UpstreamClient *client;
    CURL *easy = nullptr;
    bool optionsSet = false;
    curl_slist *headerList = nullptr;
    quint64 id = 0;
    UpstreamObserver *observer = nullptr;
    UpstreamRequest request;
    UpstreamResponseHead head;
    UpstreamCallState state = UpstreamCallState::Free;
    bool headDelivered = false;
    bool paused = false;          // requested by the observer
    bool pauseApplied = false;    // as last told to curl
    bool inMulti = false;
    qint64 sentAt = -1;           // when the sweep first saw the request fully sent
    qint64 lastDataAt = 0;        // last body chunk (or head)
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

// curl's C callbacks; defined in UpstreamClient.cpp (they drive the client's private state).
struct UpstreamCallbacks
{
    static size_t onWrite(char *data, size_t size, size_t count, void *userData);
    static size_t onHeader(char *data, size_t size, size_t count, void *userData);
    static int onSocket(CURL *easy, curl_socket_t socket, int what, void *clientPtr, void *socketPtr);
    static int onTimer(CURLM *multi, long timeoutMs, void *clientPtr);
    static int onCloseSocket(void *clientPtr, curl_socket_t socket);
};

UpstreamFailure failureForCurlCode(CURLcode code, bool connected);
QString failureDetail(CURLcode code, const char *errorBuffer);

} // namespace tarn::gateway
