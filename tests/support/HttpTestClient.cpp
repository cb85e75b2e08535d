// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/HttpTestClient.h"

#include "tests/support/HttpWire.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>
#include <QUrl>

namespace tarn::test {

namespace {

// Incremental response parser: head, then a Content-Length, chunked or close-delimited body.
class ResponseReader
{
public:
    enum class State { Head, Body, Done, Error };

    explicit ResponseReader(bool headRequest) : m_headRequest(headRequest) {}

    // Feeds received bytes; returns the body bytes decoded from them.
    QByteArray feed(const QByteArray &data, HttpResult &result)
    {
        m_buffer += data;
        QByteArray decoded;
        while (m_state == State::Head && parseHead(result)) {
        }
        if (m_state != State::Body)
            return decoded;
        if (m_chunked) {
            const auto status = m_decoder.feed(m_buffer, decoded);
            if (status == wire::ChunkedDecoder::Status::Done)
                m_state = State::Done;
            else if (status == wire::ChunkedDecoder::Status::Error)
                fail(result, QStringLiteral("malformed chunked body"));
        } else if (m_length >= 0) {
            const qint64 take = qMin<qint64>(m_length - m_received, m_buffer.size());
            decoded = m_buffer.left(take);
            m_buffer.remove(0, take);
            m_received += take;
            if (m_received == m_length)
                m_state = State::Done;
        } else {
            decoded = std::exchange(m_buffer, {});
        }
        result.body += decoded;
        return decoded;
    }

    // The peer closed: completes a close-delimited body.
    void closed(HttpResult &result)
    {
        if (m_state == State::Body && !m_chunked && m_length < 0)
            m_state = State::Done;
        result.peerClosed = true;
    }

    State state() const { return m_state; }
    bool headSeen() const { return m_state != State::Head; }
    bool keepAlive() const { return m_keepAlive; }
    bool leftover() const { return !m_buffer.isEmpty(); }

private:
    bool parseHead(HttpResult &result)
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const qsizetype lineEnd = m_buffer.indexOf("\r\n");
        const QByteArray line = m_buffer.left(lineEnd);
        const qsizetype firstSpace = line.indexOf(' ');
        if (!line.startsWith("HTTP/1.") || firstSpace < 0) {
            fail(result, QStringLiteral("malformed status line"));
            return false;
        }
        const qsizetype secondSpace = line.indexOf(' ', firstSpace + 1);
        const int status = line.mid(firstSpace + 1, secondSpace < 0 ? -1 : secondSpace - firstSpace - 1)
                               .toInt();
        HttpHeaders headers;
        if (status < 100 || !wire::parseHeaderLines(
                QByteArrayView(m_buffer).sliced(lineEnd + 2, end - lineEnd - 2), headers)) {
            fail(result, QStringLiteral("malformed response head"));
            return false;
        }
        m_buffer.remove(0, end + 4);
        if (status < 200)
            return true; // interim (100 Continue): the real head follows
        result.status = status;
        result.reason = secondSpace < 0 ? QByteArray() : line.mid(secondSpace + 1);
        result.headers = headers;
        const QByteArray connection = result.header("Connection").toLower();
        m_keepAlive = line.startsWith("HTTP/1.1") ? !connection.contains("close")
                                                   : connection.contains("keep-alive");
        m_chunked = result.header("Transfer-Encoding").toLower().contains("chunked");
        const QByteArray length = result.header("Content-Length");
        m_length = length.isEmpty() ? -1 : length.toLongLong();
        if (m_headRequest || status == 204 || status == 304 || (!m_chunked && m_length == 0)) {
            m_state = State::Done;
        } else {
            m_state = State::Body;
            if (!m_chunked && m_length < 0)
                m_keepAlive = false;
        }
        return false;
    }

    void fail(HttpResult &result, const QString &error)
    {
        m_state = State::Error;
        result.error = error;
    }

    bool m_headRequest;
    State m_state = State::Head;
    QByteArray m_buffer;
    bool m_chunked = false;
    bool m_keepAlive = true;
    qint64 m_length = -1;
    qint64 m_received = 0;
    wire::ChunkedDecoder m_decoder;
};

} // namespace

QByteArray HttpResult::header(QByteArrayView name) const
{
    return wire::headerValue(headers, name);
}

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QList<QByteArray> HttpStreamResult::sseData() const
{
    QList<QByteArray> out;
    QByteArray normalized = body;
    normalized.replace("\r\n", "\n");
    for (const QByteArray &event : normalized.split('\n')) {
        if (event.startsWith("data:"))
            out.append(event.mid(5).trimmed());
    }
    return out;
}

HttpTestClient::~HttpTestClient()
{
    close();
}

void HttpTestClient::close()
{
    if (m_socket) {
        m_socket->abort();
        delete m_socket;
    }
}

bool HttpTestClient::ensureConnected(const QString &host, quint16 port, int timeoutMs,
                                     QString &error)
{
    if (m_socket && m_reuse && m_host == host && m_port == port
        && m_socket->state() == QAbstractSocket::ConnectedState && m_socket->bytesAvailable() == 0)
        return true;
    close();
    m_socket = new QTcpSocket;
    m_host = host;
    m_port = port;
    ++m_opened;
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    QObject::connect(m_socket, &QTcpSocket::connected, &loop, &QEventLoop::quit);
    QObject::connect(m_socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
    m_socket->connectToHost(host, port);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        loop.exec();
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        error = m_socket->error() == QAbstractSocket::UnknownSocketError
            ? QStringLiteral("connect timed out")
            : m_socket->errorString();
        close();
        return false;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    return true;
}

bool HttpTestClient::exchange(const QByteArray &method, const QString &url, const QByteArray &body,
                              const HttpHeaders &headers, int timeoutMs, HttpStreamResult &result,
                              bool record, int closeAfterChunks)
{
    QElapsedTimer clock;
    clock.start();
    const QUrl parsed(url);
    const QString host = parsed.host();
    const quint16 port = quint16(parsed.port(80));
    if (!ensureConnected(host, port, timeoutMs, result.error)) {
        result.elapsedMs = clock.elapsed();
        return false;
    }
    QByteArray target = parsed.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (parsed.hasQuery())
        target += '?' + parsed.query(QUrl::FullyEncoded).toUtf8();
    QByteArray wireRequest = method + ' ' + target + " HTTP/1.1\r\n";
    if (wire::headerValue(headers, "Host").isEmpty())
        wireRequest += "Host: " + host.toUtf8() + ':' + QByteArray::number(port) + "\r\n";
    const bool framed = !wire::headerValue(headers, "Content-Length").isEmpty()
        || !wire::headerValue(headers, "Transfer-Encoding").isEmpty();
    if (!framed && (!body.isEmpty() || method == "POST" || method == "PUT"))
        wireRequest += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (!body.isEmpty() && wire::headerValue(headers, "Content-Type").isEmpty())
        wireRequest += "Content-Type: application/json\r\n";
    for (const auto &[name, value] : headers)
        wireRequest += name + ": " + value + "\r\n";
    wireRequest += "\r\n" + body;

    ResponseReader reader(method == "HEAD");
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
        result.timedOut = true;
        loop.quit();
    });
    int reads = 0;
    bool hungUp = false;
    const auto onData = [&] {
        const QByteArray data = m_socket->readAll();
        if (data.isEmpty())
            return;
        const qint64 now = clock.elapsed();
        const bool hadHead = reader.headSeen();
        const QByteArray decoded = reader.feed(data, result);
        if (!hadHead && reader.headSeen())
            result.headMs = now;
        if (!decoded.isEmpty()) {
            if (result.firstByteMs < 0)
                result.firstByteMs = now;
            if (record)
                result.chunks.append({now, decoded});
            ++reads;
        }
        if (reader.state() == ResponseReader::State::Done
            || reader.state() == ResponseReader::State::Error) {
            loop.quit();
        } else if (closeAfterChunks >= 0 && reads >= closeAfterChunks && reader.headSeen()) {
            hungUp = true;
            loop.quit();
        }
    };
    QObject::connect(m_socket, &QTcpSocket::readyRead, &loop, onData);
    const auto onClosed = [&] {
        onData();
        reader.closed(result);
        loop.quit();
    };
    QObject::connect(m_socket, &QTcpSocket::disconnected, &loop, onClosed);
    QObject::connect(m_socket, &QTcpSocket::errorOccurred, &loop, onClosed);
    timer.start(timeoutMs);
    m_socket->write(wireRequest);
    loop.exec();
    timer.stop();
    if (m_socket)
        m_socket->disconnect(&loop);
    result.complete = reader.state() == ResponseReader::State::Done && !hungUp;
    if (!result.complete && result.error.isEmpty()) {
        if (result.timedOut)
            result.error = QStringLiteral("timed out");
        else if (hungUp)
            result.error = QStringLiteral("client hung up");
        else
            result.error = QStringLiteral("connection closed before the response ended");
    }
    result.elapsedMs = clock.elapsed();
    if (!result.complete || !reader.keepAlive() || !m_reuse || reader.leftover())
        close();
    return result.complete;
}

HttpResult HttpTestClient::request(QByteArray method, QString url, QByteArray body,
                                   HttpHeaders headers, int timeoutMs)
{
    return stream(method, url, body, headers, timeoutMs, -1);
}

HttpStreamResult HttpTestClient::stream(QByteArray method, QString url, QByteArray body,
                                        HttpHeaders headers, int timeoutMs, int closeAfterChunks)
{
    const int openedBefore = m_opened;
    const bool mayReuse = m_socket && m_reuse;
    HttpStreamResult result;
    exchange(method, url, body, headers, timeoutMs, result, true, closeAfterChunks);
    if (mayReuse && m_opened == openedBefore && result.status == 0 && !result.timedOut) {
        // The kept-alive connection had been closed by the server: retry once on a fresh one.
        result = HttpStreamResult{};
        exchange(method, url, body, headers, timeoutMs, result, true, closeAfterChunks);
    }
    return result;
}

QByteArray HttpTestClient::sendRaw(const QString &host, quint16 port, const QByteArray &bytes,
                                   int timeoutMs)
{
    QTcpSocket socket;
    QByteArray received;
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::connected, &loop, [&] { socket.write(bytes); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&] { received += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, [&] {
        received += socket.readAll();
        loop.quit();
    });
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, [&](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            loop.quit();
    });
    socket.connectToHost(host, port);
    loop.exec();
    received += socket.readAll();
    socket.disconnect(&loop);
    socket.abort();
    return received;
}

} // namespace tarn::test
