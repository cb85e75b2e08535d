// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/HttpConnection.h"

#include "gateway/core/Logging.h"
#include "gateway/http/HttpResponse.h"
#include "gateway/http/ResponseHead.h"
#include "gateway/http/ServerLoad.h"

#include <QScopeGuard>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#include <sys/uio.h>
#include <cerrno>
#endif

namespace tarn::gateway {

namespace {

// Below this much queued output a backed-up stream is resumed.
constexpr qint64 kLowWaterMark = 256 * 1024;

} // namespace

HttpConnection::HttpConnection(qintptr descriptor, const HttpLimits &limits, RequestHandler *handler,
                               ServerLoad *load, QObject *parent)
    : QObject(parent)
    , m_socket(new QTcpSocket(this))
    , m_timer(new QTimer(this))
    , m_limits(limits)
    , m_reader(limits)
    , m_handler(handler)
    , m_load(load)
{
    m_load->openConnections.fetch_add(1, std::memory_order_relaxed);
    m_timer->setSingleShot(true);
    m_socket->setSocketDescriptor(descriptor);
    // The socket is already connected, so these take effect (before connectToHost they are dropped).
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    m_peer = m_socket->peerAddress();
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_timer, &QTimer::timeout, this, &HttpConnection::onTimerFired);
    armTimer(m_limits.idleTimeoutMs);
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

HttpConnection::~HttpConnection()
{
    releaseRequestBytes();
    m_load->openConnections.fetch_sub(1, std::memory_order_relaxed);
}

void HttpConnection::refuseOverloaded()
{
    m_closing = true;
    beginExchange();
    sendResponse(503, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
                       {QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")}},
                 m_handler->protocolErrorBody({}, 503, QStringLiteral("Tarn has too many open connections; retry shortly"),
                                              "too_many_connections"));
}

void HttpConnection::closeWhenIdle()
{
    m_closing = true;
    if (!m_exchangeActive)
        m_socket->disconnectFromHost();
}

void HttpConnection::abort()
{
    m_socket->abort();
}

// One deadline per connection, checked lazily. A keep-alive request moves it three or four times
// (header, body, none while handling, idle), and restarting a QTimer unregisters and registers a
// timer each time; so only an earlier deadline restarts the timer, and a timer that fires before
// the current deadline re-arms itself for the rest.
void HttpConnection::armTimer(int ms)
{
    if (ms <= 0) {
        m_deadlineMs = 0;
        return; // a timer still running finds no deadline and stops
    }
    const qint64 now = monotonicNs() / 1'000'000;
    m_deadlineMs = now + ms;
    if (!m_timer->isActive() || m_timerExpiryMs > m_deadlineMs) {
        m_timer->start(ms);
        m_timerExpiryMs = m_deadlineMs;
    }
}

void HttpConnection::onTimerFired()
{
    if (m_deadlineMs == 0)
        return;
    const qint64 now = monotonicNs() / 1'000'000;
    if (now < m_deadlineMs) {
        m_timer->start(int(m_deadlineMs - now));
        m_timerExpiryMs = m_deadlineMs;
        return;
    }
    m_deadlineMs = 0;
    onTimeout();
}

void HttpConnection::onReadyRead()
{
    if (m_lingering) {
        m_socket->readAll(); // discard the rest of a refused request
        return;
    }
    m_reader.appendAdopting(m_socket->readAll());
    if (m_phase == Phase::Body)
        armTimer(m_limits.bodyIdleTimeoutMs);
    if (m_exchangeActive && m_reader.buffered() > m_limits.maxHeaderBytes + m_limits.maxBodyBytes) {
        qCWarning(lcHttp) << "client pipelined more than one full request ahead; closing";
        m_socket->abort();
        return;
    }
    processInput();
}

void HttpConnection::processInput()
{
    m_processQueued = false;
    while (!m_exchangeActive && !m_closing && !m_gone) {
        if (m_phase == Phase::Idle) {
            if (m_reader.buffered() == 0) {
                armTimer(m_limits.idleTimeoutMs);
                return;
            }
            m_phase = Phase::Header;
            m_requestStartNs = monotonicNs();
            armTimer(m_limits.headerTimeoutMs); // absolute: a slowloris client cannot extend it
        }
        switch (m_reader.next()) {
        case RequestReader::Event::NeedMore:
            // Whatever is left is a partial token: only more input can move the parser on.
            // (A chunked body has no declared length: it is counted as it arrives.)
            if (m_phase == Phase::Body)
                reserveRequestBytes(m_reader.bufferedBodyBytes());
            return;
        case RequestReader::Event::HeaderDone:
            m_phase = Phase::Body;
            armTimer(m_limits.bodyIdleTimeoutMs);
            if (!admitHead())
                return;
            if (m_reader.expectsContinue())
                m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
            break;
        case RequestReader::Event::Complete:
            dispatch();
            break;
        case RequestReader::Event::Failed:
            failRequest(m_reader.failureStatus(), m_reader.failureText());
            return;
        }
    }
}

// Decides on the header block whether the body may be read at all: the handler's admission
// (authentication) first, then the server-wide budget for buffered request bodies.
bool HttpConnection::admitHead()
{
    HttpRequest &head = m_reader.head();
    head.peer = m_peer;
    head.arrivedNs = m_requestStartNs;
    if (std::optional<Refusal> refusal = m_handler->admit(head)) {
        refuse(*refusal);
        return false;
    }
    if (!reserveRequestBytes(qMax<qint64>(0, m_reader.contentLength())))
        return false;
    return true;
}

bool HttpConnection::reserveRequestBytes(qint64 total)
{
    if (total <= m_reservedBytes)
        return true;
    const qint64 more = total - m_reservedBytes;
    const qint64 before = m_load->bufferedRequestBytes.fetch_add(more, std::memory_order_relaxed);
    if (before + more > m_limits.maxBufferedRequestBytes) {
        m_load->bufferedRequestBytes.fetch_sub(more, std::memory_order_relaxed);
        qCWarning(lcHttp) << "request bodies in flight exceed" << m_limits.maxBufferedRequestBytes
                          << "bytes; refusing one of" << total << "bytes";
        refuse({503,
                {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
                 {QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")}},
                m_handler->protocolErrorBody(m_reader.head().path(), 503,
                                             QStringLiteral("Tarn is receiving too many large requests at once; retry shortly"),
                                             "overloaded")});
        return false;
    }
    m_reservedBytes = total;
    return true;
}

void HttpConnection::releaseRequestBytes()
{
    if (m_reservedBytes > 0) {
        m_load->bufferedRequestBytes.fetch_sub(m_reservedBytes, std::memory_order_relaxed);
        m_reservedBytes = 0;
    }
}

void HttpConnection::dispatch()
{
    HttpRequest request = m_reader.takeRequest(); // peer and arrival were set on its head
    m_keepAlive = request.keepAlive;
    if (!m_keepAlive)
        m_closing = true;
    m_phase = Phase::Handling;
    // The handler owns the timing of its answer (upstream timeouts); output the client has not
    // taken yet stays on its deadline.
    armTimer(m_watchingOutput ? m_limits.sendStallTimeoutMs : 0);
    const quint64 exchange = beginExchange();
    m_answeringHead = request.method == "HEAD";
    m_handler->handle(std::move(request), HttpResponse(this, exchange));
}

// Every answer, the handler's or the connection's own, is one exchange: a fresh response state
// (an error answer after a served keep-alive request must not find the last one "started").
quint64 HttpConnection::beginExchange()
{
    m_answeringHead = false;
    m_exchangeActive = true;
    m_responseStarted = false;
    m_observer = nullptr;
    m_wasBackedUp = false;
    return ++m_exchange;
}

void HttpConnection::refuse(const Refusal &refusal)
{
    // The body was not read (or not understood), so the stream position is lost: answer, then
    // close gently.
    m_closing = true;
    beginExchange();
    m_lingerAfterWrite = true;
    sendResponse(refusal.status, refusal.headers, refusal.body);
}

void HttpConnection::failRequest(int status, const QString &message)
{
    // The stream position is unknown after a framing error: answered like a refusal.
    refuse({status, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}},
            m_handler->protocolErrorBody(m_reader.head().path(), status, message, {})});
}

void HttpConnection::startLingeringClose()
{
    // Closing a socket with unread input makes the kernel send RST, which can destroy the error
    // response before the client reads it. Half-close instead, drain what the client still sends
    // for a moment, then close.
    m_lingering = true;
    m_phase = Phase::Handling;
    m_reader.clear();
    releaseRequestBytes();
    m_socket->flush();
#ifdef Q_OS_WIN
    ::shutdown(static_cast<SOCKET>(m_socket->socketDescriptor()), SD_SEND);
#else
    ::shutdown(static_cast<int>(m_socket->socketDescriptor()), SHUT_WR);
#endif
    m_socket->readAll();
    QTimer::singleShot(2000, this, [this] { m_socket->abort(); });
}

// Sends at once, not on the next event-loop pass. While nothing is queued in the socket the bytes
// go straight to the descriptor: QAbstractSocket::write arms its write notifier and flush() disarms
// it, and each of those wakes the event loop (glib signals its eventfd) — two wakeups per response.
// What the kernel does not take now is queued in the socket, whose notifier sends it when writable;
// an error is left for that write to hit and report the usual way (errorOccurred, disconnected).
void HttpConnection::writeOut(QByteArrayView first, QByteArrayView second)
{
    ++m_writeDepth;
    const auto leave = qScopeGuard([this] { --m_writeDepth; });
#ifdef MSG_NOSIGNAL
    if (m_socket->bytesToWrite() == 0 && m_socket->state() == QAbstractSocket::ConnectedState) {
        iovec parts[2] = {{const_cast<char *>(first.data()), size_t(first.size())},
                          {const_cast<char *>(second.data()), size_t(second.size())}};
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = second.isEmpty() ? 1 : 2;
        const int descriptor = int(m_socket->socketDescriptor());
        ssize_t sent = -1;
        do {
            sent = ::sendmsg(descriptor, &message, MSG_NOSIGNAL);
        } while (sent < 0 && errno == EINTR);
        if (sent > 0) {
            const qsizetype fromFirst = qMin(qsizetype(sent), first.size());
            first = first.sliced(fromFirst);
            second = second.sliced(qMin(qsizetype(sent) - fromFirst, second.size()));
        }
        if (!first.isEmpty())
            m_socket->write(first.data(), first.size());
        if (!second.isEmpty())
            m_socket->write(second.data(), second.size());
        watchOutput();
        return;
    }
#endif
    m_socket->write(first.data(), first.size());
    if (!second.isEmpty())
        m_socket->write(second.data(), second.size());
    m_socket->flush();
    watchOutput();
}

// Output the client has not taken yet is on a deadline: a client that stops reading (and keeps
// its socket open) would otherwise pin the exchange, its upstream call and its buffers forever.
// The deadline moves on with every byte taken (onBytesWritten).
void HttpConnection::watchOutput()
{
    // Armed when output starts to queue, not on every write: a producer that keeps writing must
    // not keep a client that takes nothing alive.
    if (m_watchingOutput || m_lingering || m_phase == Phase::Header || m_phase == Phase::Body
        || m_socket->bytesToWrite() == 0)
        return;
    m_watchingOutput = true;
    armTimer(m_limits.sendStallTimeoutMs);
}

void HttpConnection::sendResponse(int status, const HeaderList &headers, const QByteArray &body)
{
    if (m_responseStarted || m_gone)
        return;
    m_responseStarted = true;
    // A HEAD answer is the head alone: a body would be read as the next pipelined answer.
    writeOut(responseHead(status, headers, body.size(), m_closing), m_answeringHead ? QByteArrayView() : body);
    finishExchange();
}

void HttpConnection::beginStream(int status, const HeaderList &headers)
{
    if (m_responseStarted || m_gone)
        return;
    m_responseStarted = true;
    writeOut(responseHead(status, headers, kChunked, m_closing));
}

bool HttpConnection::writeChunk(QByteArrayView chunk)
{
    if (!m_responseStarted || m_gone || chunk.isEmpty() || m_answeringHead)
        return false;
    QByteArray framed;
    framed.reserve(chunk.size() + 16);
    framed.append(QByteArray::number(chunk.size(), 16)).append("\r\n").append(chunk).append("\r\n");
    writeOut(framed); // SSE events go out as they come
    if (m_socket->bytesToWrite() > m_limits.maxPendingResponseBytes)
        m_wasBackedUp = true; // the producer pauses on this answer and waits for the drain
    return m_wasBackedUp;
}

void HttpConnection::endStream()
{
    if (!m_responseStarted || m_gone)
        return;
    if (!m_answeringHead)
        writeOut("0\r\n\r\n");
    finishExchange();
}

void HttpConnection::finishExchange()
{
    m_exchangeActive = false;
    m_observer = nullptr;
    m_wasBackedUp = false;
    m_phase = Phase::Idle;
    releaseRequestBytes();
    if (m_closing) {
        watchOutput(); // disconnectFromHost waits for the queue to drain: not forever
        if (m_lingerAfterWrite) {
            if (m_socket->bytesToWrite() == 0)
                startLingeringClose();
            return; // onBytesWritten starts it once the response is out
        }
        m_socket->disconnectFromHost(); // flushes what is queued, then closes
        return;
    }
    if (m_reader.buffered() > 0) {
        // A pipelined request is waiting; answer it from the event loop, not from inside the
        // handler that just finished.
        if (!m_processQueued) {
            m_processQueued = true;
            QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
        }
    } else if (m_socket->bytesToWrite() > 0) {
        watchOutput();
    } else {
        armTimer(m_limits.idleTimeoutMs);
    }
}

void HttpConnection::onBytesWritten()
{
    if (m_lingerAfterWrite && !m_lingering && !m_exchangeActive && m_socket->bytesToWrite() == 0) {
        startLingeringClose();
        return;
    }
    const qint64 pending = m_socket->bytesToWrite();
    if (m_watchingOutput) {
        if (pending > 0) {
            armTimer(m_limits.sendStallTimeoutMs); // the client took some: the deadline moves on
        } else {
            m_watchingOutput = false;
            armTimer(m_exchangeActive ? 0 : m_limits.idleTimeoutMs);
        }
    }
    if (!m_observer)
        return;
    if (pending > m_limits.maxPendingResponseBytes) {
        m_wasBackedUp = true;
    } else if (m_wasBackedUp && pending < kLowWaterMark) {
        m_wasBackedUp = false;
        m_observer->onResponseDrained();
    }
}

void HttpConnection::onTimeout()
{
    if (m_socket->bytesToWrite() > 0 && (m_phase == Phase::Idle || m_phase == Phase::Handling)) {
        qCInfo(lcHttp) << "client took no response bytes for" << m_limits.sendStallTimeoutMs << "ms; closing";
        m_stalled = true;
        m_socket->abort();
        return;
    }
    switch (m_phase) {
    case Phase::Idle:
        m_socket->disconnectFromHost();
        break;
    case Phase::Header:
        failRequest(408, QStringLiteral("timed out reading the request header"));
        break;
    case Phase::Body:
        failRequest(408, QStringLiteral("timed out reading the request body"));
        break;
    case Phase::Handling:
        break;
    }
}

void HttpConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_timer->stop();
    if (m_writeDepth > 0) {
        // Qt can report the peer gone from inside our own flush (a write error aborts the socket
        // and emits disconnected at once): the producer is on the stack, writing. It hears of it
        // from the event loop, not in the middle of its own call.
        QMetaObject::invokeMethod(this, &HttpConnection::notifyGone, Qt::QueuedConnection);
        return;
    }
    notifyGone();
}

void HttpConnection::notifyGone()
{
    if (m_exchangeActive && m_observer) {
        ResponseObserver *observer = m_observer;
        m_observer = nullptr;
        m_exchangeActive = false;
        observer->onClientGone(m_stalled ? ClientGone::StoppedReading : ClientGone::Closed);
    }
    m_exchangeActive = false;
    Q_EMIT closed();
    deleteLater();
}

} // namespace tarn::gateway
