// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/upstream/TestHttpServer.h"

#include <QHash>
#include <QHostAddress>
#include <QMutexLocker>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <zlib.h>

namespace tarn::test {

QByteArray RecordedRequest::header(QByteArrayView name) const
{
    for (const auto &[headerName, value] : headers) {
        if (headerName.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool RecordedRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Lives in the server thread: accepts connections, parses requests, writes scripted responses.
class TestHttpServerWorker final : public QObject
{
public:
    explicit TestHttpServerWorker(TestHttpServer *owner) : m_owner(owner) {}

    quint16 listen()
    {
        m_server = new QTcpServer(this);
        m_server->setListenBacklogSize(1024);
        m_server->setMaxPendingConnections(1024);
        connect(m_server, &QTcpServer::newConnection, this, &TestHttpServerWorker::onNewConnection);
        if (!m_server->listen(QHostAddress::LocalHost, 0))
            return 0;
        return m_server->serverPort();
    }

    void shutdown()
    {
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it)
            it.key()->disconnect(this);
        qDeleteAll(m_connections.keyBegin(), m_connections.keyEnd());
        m_connections.clear();
        delete m_server;
        m_server = nullptr;
    }

    void release()
    {
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
            Connection &connection = it.value();
            if (!connection.held)
                continue;
            connection.held = false;
            --m_owner->m_held;
            it.key()->write(std::exchange(connection.rest, {}));
        }
    }

private:
    struct Connection
    {
        int id = 0;
        QByteArray buffer;
        bool held = false;
        QByteArray rest; // written on release()
    };

    void onNewConnection()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            socket->setParent(this);
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            m_connections.insert(socket, Connection{++m_owner->m_connections, {}, false, {}});
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                const auto it = m_connections.find(socket);
                if (it != m_connections.end()) {
                    if (it->held)
                        --m_owner->m_held;
                    m_connections.erase(it);
                }
                ++m_owner->m_disconnects;
                socket->deleteLater();
            });
        }
    }

    void onReadyRead(QTcpSocket *socket)
    {
        const auto it = m_connections.find(socket);
        if (it == m_connections.end())
            return;
        it->buffer += socket->readAll();
        while (true) {
            Connection &connection = m_connections[socket];
            const qsizetype headEnd = connection.buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            RecordedRequest request;
            request.connection = connection.id;
            const QList<QByteArray> lines = connection.buffer.left(headEnd).split('\n');
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            request.method = requestLine.value(0);
            request.target = requestLine.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon > 0)
                    request.headers.emplaceBack(line.left(colon).trimmed(), line.mid(colon + 1).trimmed());
            }
            const qsizetype length = request.header("content-length").toLongLong();
            if (connection.buffer.size() < headEnd + 4 + length)
                return;
            request.body = connection.buffer.mid(headEnd + 4, length);
            connection.buffer.remove(0, headEnd + 4 + length);
            const QByteArray target = request.target;
            m_owner->record(std::move(request));
            if (!respond(socket, target))
                return; // closed
        }
    }

    static QByteArray plain(QByteArrayView status, const QByteArray &body, QByteArrayView extra = {})
    {
        return "HTTP/1.1 " + status.toByteArray() + "\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n" + extra.toByteArray() + "\r\n" + body;
    }

    static QByteArray chunk(QByteArrayView data)
    {
        return QByteArray::number(data.size(), 16) + "\r\n" + data.toByteArray() + "\r\n";
    }

    void hold(QTcpSocket *socket, QByteArray rest)
    {
        Connection &connection = m_connections[socket];
        connection.held = true;
        connection.rest = std::move(rest);
        ++m_owner->m_held;
    }

    // Writes the scripted answer; false when the connection was closed.
    bool respond(QTcpSocket *socket, const QByteArray &target)
    {
        static constexpr char streamHead[] =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        if (m_owner->m_mode == TestHttpServer::Mode::Proxy) {
            socket->write(plain("200 OK", "via-proxy"));
            return true;
        }
        const qsizetype query = target.indexOf('?');
        const QByteArray path = query < 0 ? target : target.left(query);
        const RecordedRequest last = m_owner->requests().constLast();
        if (path == "/echo") {
            socket->write(plain("200 OK", last.body,
                                QByteArray("Content-Type: application/octet-stream\r\nX-Echo-Method: "
                                           + last.method + "\r\n")));
        } else if (path == "/hello") {
            socket->write(plain("200 OK", "hello world", "X-Test: yes\r\n"));
        } else if (path == "/interim") {
            socket->write("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n");
            socket->write(plain("201 Created", "made", "X-Final: 1\r\n"));
        } else if (path == "/nocontent") {
            socket->write("HTTP/1.1 204 No Content\r\nX-Empty: 1\r\n\r\n");
        } else if (path == "/stream") {
            socket->write(streamHead + chunk("first\n"));
            hold(socket, chunk("second\n") + "0\r\n\r\n");
        } else if (path == "/hold") {
            socket->write(streamHead + chunk("first\n"));
            hold(socket, chunk("last\n") + "0\r\n\r\n");
        } else if (path == "/idle") {
            socket->write(streamHead + chunk("first\n"));
        } else if (path == "/close") {
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n"
                          "close-delimited body");
            socket->disconnectFromHost();
            return false;
        } else if (path == "/chunkext") {
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;ext=1\r\nhello\r\n6;name=\"quoted value\"\r\n world\r\n"
                          "0\r\nX-Trailer: t\r\n\r\n");
        } else if (path == "/gzip") {
            socket->write(plain("200 OK", TestHttpServer::gzip(TestHttpServer::gzipPayload()),
                                "Content-Encoding: gzip\r\nContent-Type: text/plain\r\n"));
        } else if (path == "/hang") {
            // never answers
        } else {
            socket->write(plain("404 Not Found", "no such path"));
        }
        return true;
    }

    TestHttpServer *m_owner;
    QTcpServer *m_server = nullptr;
    QHash<QTcpSocket *, Connection> m_connections;
};

TestHttpServer::TestHttpServer(Mode mode) : m_mode(mode)
{
    m_worker = new TestHttpServerWorker(this);
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, [this] { return m_worker->listen(); },
                              Qt::BlockingQueuedConnection, &m_port);
}

TestHttpServer::~TestHttpServer()
{
    QMetaObject::invokeMethod(m_worker, [this] { m_worker->shutdown(); },
                              Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
}

QByteArray TestHttpServer::url(QByteArrayView path) const
{
    return "http://127.0.0.1:" + QByteArray::number(m_port) + path.toByteArray();
}

QList<RecordedRequest> TestHttpServer::requests() const
{
    QMutexLocker locker(&m_mutex);
    return m_requests;
}

int TestHttpServer::requestCount() const
{
    QMutexLocker locker(&m_mutex);
    return int(m_requests.size());
}

void TestHttpServer::release()
{
    QMetaObject::invokeMethod(m_worker, [this] { m_worker->release(); }, Qt::QueuedConnection);
}

void TestHttpServer::record(RecordedRequest request)
{
    QMutexLocker locker(&m_mutex);
    m_requests.append(std::move(request));
}

QByteArray TestHttpServer::gzipPayload()
{
    QByteArray payload;
    for (int i = 0; i < 2000; ++i)
        payload += "data: {\"line\":" + QByteArray::number(i) + "}\n";
    return payload;
}

QByteArray TestHttpServer::gzip(const QByteArray &data)
{
    z_stream stream{};
    deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size()))) + 64, Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

} // namespace tarn::test
