// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/http/HttpLimits.h"
#include "gateway/http/HttpRequest.h"
#include "gateway/http/RequestReader.h"

#include <QObject>

#include <optional>

class QTcpSocket;
class QTimer;

namespace tarn::gateway {

class HttpResponse;
class ResponseObserver;
struct ServerLoad;

// An answer given on the header block alone; the body is never read.
struct Refusal
{
    int status = 0;
    HeaderList headers;
    QByteArray body;
};

// Answers the requests of one HTTP request: implemented by the API layer, one per worker thread.
class RequestHandler
{
public:
    virtual ~RequestHandler() = default;
    // Called once a request's header block is in and before any of its body is buffered (so an
    // unauthenticated client cannot make Tarn hold 32 MiB). A refusal is sent as the answer and
    // the connection closes.
    virtual std::optional<Refusal> admit(const HttpRequest &head) = 0;
    virtual void handle(HttpRequest &&request, const HttpResponse &response) = 0;
    // The body of an error the connection answers by itself (framing, limits, overload), in the
    // shape the client of `path` reads; path is empty when no request line has been read.
    virtual QByteArray protocolErrorBody(QByteArrayView path, int status, const QString &message,
                                         QByteArrayView code) const = 0;
};

// One client connection: parses requests, answers them strictly in order (pipelined requests wait
// for the one before), enforces the limits and timeouts, and writes plain, chunked or SSE responses.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    HttpConnection(qintptr descriptor, const HttpLimits &limits, RequestHandler *handler, ServerLoad *load,
                   QObject *parent);
    ~HttpConnection() override;

    // Refuses the connection with 503 (too many connections) and closes it.
    void refuseOverloaded();
    // Graceful shutdown: close now if idle, else once the current response ends.
    void closeWhenIdle();
    // Cuts the connection at once.
    void abort();

    // Used through HttpResponse.
    quint64 currentExchange() const { return m_exchangeActive ? m_exchange : 0; }
    bool hasResponseStarted() const { return m_responseStarted; }
    void setObserver(ResponseObserver *observer) { m_observer = observer; }
    void sendResponse(int status, const HeaderList &headers, const QByteArray &body);
    void beginStream(int status, const HeaderList &headers);
    bool writeChunk(QByteArrayView chunk); // true: backed up, onResponseDrained() will follow
    void endStream();

Q_SIGNALS:
    void closed();

private:
    void onReadyRead();
    void onDisconnected();
    void notifyGone();
    void onBytesWritten();
    void onTimerFired();
    void onTimeout();
    void processInput();
    bool admitHead();
    void dispatch();
    quint64 beginExchange();
    void failRequest(int status, const QString &message);
    void refuse(const Refusal &refusal);
    bool reserveRequestBytes(qint64 total);
    void releaseRequestBytes();
    void watchOutput();
    void writeOut(QByteArrayView first, QByteArrayView second = {});
    void finishExchange();
    void armTimer(int ms);
    void startLingeringClose();

    QTcpSocket *m_socket = nullptr;
    QTimer *m_timer = nullptr;
    HttpLimits m_limits;
    RequestReader m_reader;
    RequestHandler *m_handler = nullptr;
    ServerLoad *m_load = nullptr;
    ResponseObserver *m_observer = nullptr;
    QHostAddress m_peer;
    qint64 m_reservedBytes = 0; // this connection's share of ServerLoad::bufferedRequestBytes
    qint64 m_requestStartNs = 0;
    qint64 m_deadlineMs = 0;    // monotonic; 0 = none (see armTimer)
    qint64 m_timerExpiryMs = 0; // when m_timer fires, while active
    quint64 m_exchange = 0;
    bool m_exchangeActive = false;
    bool m_responseStarted = false;
    bool m_keepAlive = true;
    bool m_closing = false;     // no further requests: close after the current response
    bool m_gone = false;
    int m_writeDepth = 0;            // inside writeOut: a disconnect is reported from the event loop
    bool m_processQueued = false;
    bool m_wasBackedUp = false;      // told the producer it is backed up: owe it onResponseDrained
    bool m_answeringHead = false;    // a HEAD request: the response goes without its body
    bool m_watchingOutput = false;   // queued output is on the send-stall deadline
    bool m_stalled = false;          // cut off for not reading: the reason given to the observer
    bool m_lingerAfterWrite = false; // an error answer closes the connection gently
    bool m_lingering = false;
    enum class Phase { Idle, Header, Body, Handling } m_phase = Phase::Idle;
};

} // namespace tarn::gateway
