// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/upstream/UpstreamRequest.h" // HeaderList

#include <QPointer>

namespace tarn::gateway {

class HttpConnection;

// Why a client's side of an exchange ended early.
enum class ClientGone {
    Closed,         // the client closed or reset the connection
    StoppedReading, // queued output went untaken for HttpLimits::sendStallTimeoutMs: cut off
};

// Told about the client's side of an exchange while a response is being produced.
class ResponseObserver
{
public:
    virtual void onClientGone(ClientGone why) = 0; // the connection is gone: stop work now
    virtual void onResponseDrained() = 0; // queued output fell back below the high-water mark

protected:
    ~ResponseObserver() = default;
};

// Handle to answer one request. Cheap to copy; every call is a no-op once the exchange has ended or
// the client has gone, so a handler never needs to know whether the connection still exists.
class HttpResponse
{
public:
    HttpResponse() = default;
    HttpResponse(HttpConnection *connection, quint64 exchange);

    bool isActive() const;
    bool hasStarted() const; // head already written: the status can no longer change
    void setObserver(ResponseObserver *observer) const;

    // Whole response with Content-Length.
    void send(int status, const HeaderList &headers, const QByteArray &body) const;
    void sendJson(int status, const QByteArray &json) const;
    // Streamed response with chunked framing; each write() goes to the socket at once. write()
    // returns true when the output is now backed up (above the high-water mark): the producer
    // should pause until its observer's onResponseDrained().
    void beginStream(int status, const HeaderList &headers) const;
    bool write(QByteArrayView chunk) const;
    void end() const;


private:
    HttpConnection *connectionIfCurrent() const;

    QPointer<HttpConnection> m_connection;
    quint64 m_exchange = 0;
};

} // namespace tarn::gateway
