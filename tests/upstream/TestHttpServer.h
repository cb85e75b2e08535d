// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QThread>

#include <atomic>
#include <utility>

namespace tarn::test {

class TestHttpServerWorker;

// A request as the test server received it.
struct RecordedRequest
{
    QByteArray method;
    QByteArray target;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int connection = 0;

    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

// A scripted HTTP/1.1 server on 127.0.0.1:0 running in its own thread (origin or forward proxy).
//
// Origin paths: /echo, /hello, /interim, /nocontent, /stream (one chunk, the rest after release()),
// /hold (head and one chunk, ends after release()), /close (close-delimited), /chunkext, /gzip,
// /hang (never answers), /idle (head and one chunk, then silence).
// A proxy answers every request itself with "via-proxy", recording the absolute-URI target.
class TestHttpServer final
{
public:
    enum class Mode { Origin, Proxy };

    explicit TestHttpServer(Mode mode = Mode::Origin);
    ~TestHttpServer();
    TestHttpServer(const TestHttpServer &) = delete;
    TestHttpServer &operator=(const TestHttpServer &) = delete;

    quint16 port() const { return m_port; }
    QByteArray url(QByteArrayView path) const;

    QList<RecordedRequest> requests() const;
    int requestCount() const;
    int connectionCount() const { return m_connections.load(); }
    int disconnectCount() const { return m_disconnects.load(); }
    int heldCount() const { return m_held.load(); }
    // Lets every held /stream and /hold response continue (thread-safe, asynchronous).
    void release();

    static QByteArray gzipPayload();  // the uncompressed body /gzip serves
    static QByteArray gzip(const QByteArray &data);

private:
    friend class TestHttpServerWorker;
    void record(RecordedRequest request);

    Mode m_mode;
    quint16 m_port = 0;
    QThread m_thread;
    TestHttpServerWorker *m_worker = nullptr;
    mutable QMutex m_mutex;
    QList<RecordedRequest> m_requests;
    std::atomic<int> m_connections{0};
    std::atomic<int> m_disconnects{0};
    std::atomic<int> m_held{0};
};

} // namespace tarn::test
