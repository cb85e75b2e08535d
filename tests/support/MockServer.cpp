// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/MockServer.h"

#include "tests/support/MockOpenAi.h"
#include "tests/support/MockScript.h"

#include <QMutexLocker>
#include <QTimer>

namespace tarn::test::detail {

namespace {
constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
} // namespace

std::pair<MockBehaviour, quint64> MockState::take(const MockRequest &request)
{
    QMutexLocker lock(&mutex);
    requests.append(request);
    MockBehaviour behaviour = queue.isEmpty() ? fallback : queue.dequeue();
    return {std::move(behaviour), ++seq};
}

quint16 MockServer::listen()
{
    m_tcp = new QTcpServer(this);
    m_tcp->setListenBacklogSize(1024);
    m_tcp->setMaxPendingConnections(1024);
    connect(m_tcp, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
            {
                QMutexLocker lock(&m_state.mutex);
                ++m_state.open;
                ++m_state.total;
            }
            new MockConnection(socket, m_state, m_tcp);
        }
    });
    if (!m_tcp->listen(QHostAddress::LocalHost, 0))
        return 0;
    return m_tcp->serverPort();
}

void MockServer::shutdown()
{
    delete m_tcp; // deletes the remaining connections (children) and their sockets
    m_tcp = nullptr;
}

MockConnection::MockConnection(QTcpSocket *socket, MockState &state, QObject *parent)
    : QObject(parent), m_socket(socket), m_state(state)
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        m_in += m_socket->readAll();
        processNext();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &MockConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_flushingStream && m_socket->bytesToWrite() == 0)
            m_flushingStream = false;
    });
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, [this] {
            m_in += m_socket->readAll();
            processNext();
        });
}

MockConnection::~MockConnection()
{
    m_socket->disconnect(this);
    if (!m_gone) {
        m_socket->abort();
        QMutexLocker lock(&m_state.mutex);
        --m_state.open;
    }
}

void MockConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    {
        QMutexLocker lock(&m_state.mutex);
        --m_state.open;
        if (!m_closing) {
            ++m_state.peerClosed;
            if (m_streaming || m_flushingStream)
                ++m_state.aborted;
        }
    }
    deleteLater();
}

MockConnection::Parse MockConnection::parseRequest(MockRequest &out)
{
    if (!m_pending) {
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return m_in.size() > kMaxHeaderBytes ? Parse::Error : Parse::NeedMore;
        const qsizetype lineEnd = m_in.indexOf("\r\n");
        const QList<QByteArray> parts = m_in.left(lineEnd).split(' ');
        if (parts.size() != 3 || !parts[2].startsWith("HTTP/1."))
            return Parse::Error;
        MockRequest request;
        request.method = parts[0];
        request.path = parts[1];
        if (!wire::parseHeaderLines(QByteArrayView(m_in).sliced(lineEnd + 2, end - lineEnd - 2),
                                    request.headers))
            return Parse::Error;
        m_in.remove(0, end + 4);
        const QByteArray connection = request.header("Connection").toLower();
        m_keepAlive = parts[2] == "HTTP/1.1" ? !connection.contains("close")
                                               : connection.contains("keep-alive");
        m_chunkedIn = request.header("Transfer-Encoding").toLower().contains("chunked");
        const QByteArray length = request.header("Content-Length");
        m_contentLength = 0;
        if (!m_chunkedIn && !length.isEmpty()) {
            bool ok = false;
            m_contentLength = length.toLongLong(&ok);
            if (!ok || m_contentLength < 0)
                return Parse::Error;
        }
        m_sentContinue = false;
        m_decoder.reset();
        m_pending = std::move(request);
    }
    const bool expects = m_pending->header("Expect").toLower() == "100-continue";
    if (m_chunkedIn) {
        const auto status = m_decoder.feed(m_in, m_pending->body);
        if (status == wire::ChunkedDecoder::Status::Error)
            return Parse::Error;
        if (status == wire::ChunkedDecoder::Status::NeedMore) {
            if (expects && !m_sentContinue && m_pending->body.isEmpty()) {
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
                m_sentContinue = true;
            }
            return Parse::NeedMore;
        }
    } else {
        const qint64 missing = m_contentLength - m_pending->body.size();
        const qsizetype take = qMin<qint64>(missing, m_in.size());
        m_pending->body += m_in.left(take);
        m_in.remove(0, take);
        if (m_pending->body.size() < m_contentLength) {
            if (expects && !m_sentContinue && m_pending->body.isEmpty()) {
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
                m_sentContinue = true;
            }
            return Parse::NeedMore;
        }
    }
    out = std::move(*m_pending);
    m_pending.reset();
    return Parse::Ready;
}

void MockConnection::processNext()
{
    while (!m_busy && !m_closing && !m_gone) {
        MockRequest request;
        switch (parseRequest(request)) {
        case Parse::NeedMore:
            return;
        case Parse::Error: {
            const QByteArray body = openAiError(400);
            m_socket->write("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                            "Connection: close\r\nContent-Length: "
                            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            closeOurselves(false);
            return;
        }
        case Parse::Ready:
            handle(request);
            break;
        }
    }
}

void MockConnection::handle(const MockRequest &request)
{
    m_busy = true;
    auto taken = m_state.take(request);
    const MockBehaviour behaviour = std::move(taken.first);
    const quint64 seq = taken.second;
    m_streaming = wantsStream(request);
    if (behaviour.hang)
        return;
    if (behaviour.delayMs > 0) {
        QTimer::singleShot(behaviour.delayMs, this, [this, request, behaviour, seq] {
            respond(request, behaviour, seq);
        });
    } else {
        respond(request, behaviour, seq);
    }
}

void MockConnection::respond(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq)
{
    if (m_gone)
        return;
    if (behaviour.closeWithoutResponse) {
        m_streaming = false;
        closeOurselves(false);
        return;
    }
    const MockReply reply = buildReply(request, behaviour, seq);
    if (behaviour.closeDelimited)
        m_keepAlive = false;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + ' '
                      + wire::reasonPhrase(reply.status) + "\r\n";
    for (const auto &[name, value] : reply.headers)
        head += name + ": " + value + "\r\n";
    if (!m_keepAlive)
        head += "Connection: close\r\n";
    if (!reply.stream) {
        m_streaming = false;
        if (!behaviour.closeDelimited)
            head += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
        m_socket->write(head + "\r\n" + reply.body);
        finish();
        return;
    }
    m_chunkedOut = !behaviour.closeDelimited;
    if (m_chunkedOut)
        head += "Transfer-Encoding: chunked\r\n";
    m_socket->write(head + "\r\n");
    m_events = reply.events;
    m_eventIndex = 0;
    m_truncate = behaviour.truncateStream || behaviour.streamEventsBeforeClose >= 0;
    m_truncateGracefully = !behaviour.truncateStream;
    m_eventLimit = behaviour.streamEventsBeforeClose >= 0
        ? qMin<qsizetype>(behaviour.streamEventsBeforeClose, m_events.size())
        : (m_truncate ? m_events.size() / 2 : m_events.size());
    m_chunkDelayMs = behaviour.chunkDelayMs;
    m_silenceAfter = behaviour.silenceAfterEvents;
    m_silenceMs = behaviour.silenceMs;
    sendNextEvent();
}

void MockConnection::sendNextEvent()
{
    while (!m_gone) {
        if (m_eventIndex >= m_eventLimit) {
            m_streaming = false;
            if (m_truncate) {
                closeOurselves(!m_truncateGracefully);
                return;
            }
            if (m_chunkedOut)
                m_socket->write("0\r\n\r\n");
            {
                QMutexLocker lock(&m_state.mutex);
                ++m_state.completed;
            }
            m_flushingStream = m_socket->bytesToWrite() > 0;
            finish();
            return;
        }
        const QByteArray &event = m_events.at(m_eventIndex++);
        m_socket->write(m_chunkedOut ? wire::chunk(event) : event);
        if (m_silenceAfter >= 0 && m_eventIndex == m_silenceAfter && m_eventIndex < m_eventLimit) {
            m_socket->flush();
            QTimer::singleShot(m_silenceMs, this, [this] { sendNextEvent(); });
            return;
        }
        if (m_chunkDelayMs > 0 && m_eventIndex < m_eventLimit) {
            m_socket->flush();
            QTimer::singleShot(m_chunkDelayMs, this, [this] { sendNextEvent(); });
            return;
        }
    }
}

void MockConnection::finish()
{
    m_busy = false;
    m_events.clear();
    if (!m_keepAlive) {
        closeOurselves(false);
        return;
    }
    QTimer::singleShot(0, this, [this] { processNext(); });
}

void MockConnection::closeOurselves(bool abrupt)
{
    if (m_gone || m_closing)
        return;
    m_closing = true;
    if (abrupt) {
        m_socket->flush();
        m_socket->abort();
    } else {
        m_socket->disconnectFromHost();
    }
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        onDisconnected();
}

} // namespace tarn::test::detail
