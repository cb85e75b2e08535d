// SPDX-License-Identifier: GPL-3.0-or-later
// A tiny HTTP/1.1 client for tests: blocking with a timeout, but it spins the caller's event loop
// while it waits, so a gateway running on the same thread keeps serving. 127.0.0.1 use only.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QTcpSocket>

#include <utility>

namespace tarn::test {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpResult
{
    int status = 0;          // 0: no response head arrived
    QByteArray reason;
    HttpHeaders headers;
    QByteArray body;         // chunked encoding decoded
    bool complete = false;   // the body ended as its framing says (length, last chunk or close)
    bool timedOut = false;
    bool peerClosed = false; // the server closed the connection
    QString error;           // connection or framing error, empty when fine
    qint64 elapsedMs = 0;

    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent
    QJsonObject json() const;
};

struct HttpChunk
{
    qint64 ms = 0;   // arrival time since the request was written
    QByteArray data; // decoded body bytes that arrived in one read
};

struct HttpStreamResult : HttpResult
{
    qint64 headMs = -1;      // response head arrival
    qint64 firstByteMs = -1; // first body byte arrival
    QList<HttpChunk> chunks;
    QList<QByteArray> sseData() const; // the `data:` payloads of the SSE events in body
};

class HttpTestClient
{
public:
    HttpTestClient() = default;
    ~HttpTestClient();
    HttpTestClient(const HttpTestClient &) = delete;
    HttpTestClient &operator=(const HttpTestClient &) = delete;

    // Adds Host, and Content-Length (plus Content-Type: application/json) for a body, unless given.
    // Reuses the previous connection when it is still open for the same host and port.
    HttpResult request(QByteArray method, QString url, QByteArray body = {},
                       HttpHeaders headers = {}, int timeoutMs = 5000);
    // Same, recording each read with its arrival time. closeAfterChunks >= 0: the client hangs up
    // after that many body reads (client-gone tests); the result is then incomplete.
    HttpStreamResult stream(QByteArray method, QString url, QByteArray body = {},
                            HttpHeaders headers = {}, int timeoutMs = 10000,
                            int closeAfterChunks = -1);
    // Writes bytes as-is on a fresh connection; returns everything received until the peer closes
    // or the timeout passes.
    static QByteArray sendRaw(const QString &host, quint16 port, const QByteArray &bytes,
                              int timeoutMs = 5000);

    void setReuseConnection(bool reuse) { m_reuse = reuse; }
    int connectionsOpened() const { return m_opened; }
    void close();

private:
    bool exchange(const QByteArray &method, const QString &url, const QByteArray &body,
                  const HttpHeaders &headers, int timeoutMs, HttpStreamResult &result,
                  bool record, int closeAfterChunks);
    bool ensureConnected(const QString &host, quint16 port, int timeoutMs, QString &error);

    QPointer<QTcpSocket> m_socket;
    QString m_host;
    quint16 m_port = 0;
    bool m_reuse = true;
    int m_opened = 0;
};

} // namespace tarn::test
