// SPDX-License-Identifier: GPL-3.0-or-later
// A hostile HTTP/1.1 client for adversarial tests: a plain blocking POSIX socket to 127.0.0.1 that
// writes requests in pieces with pauses, reads slowly or not at all, and vanishes on demand. It
// never runs an event loop, so it only suits servers living on other threads (Tarn's workers).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QElapsedTimer>
#include <QList>
#include <QString>

#include <utility>

namespace tarn::test {

// One HTTP response cut out of a byte stream (interim 1xx answers are counted, not returned).
struct RawResponse
{
    QByteArray statusLine;                           // "HTTP/1.1 200 OK"
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;                                 // de-chunked
    bool chunked = false;
    bool complete = false;                           // the body ended as its framing says
    int interim = 0;                                 // 1xx heads seen before this one

    QByteArray header(QByteArrayView name) const;
};

// Cuts complete responses off the front of `bytes` (which keeps the rest). A response whose
// framing is unknown (no length, not chunked) takes everything up to the peer's close when
// `peerClosed`, otherwise it waits.
QList<RawResponse> takeResponses(QByteArray &bytes, bool peerClosed);

// Cuts `total` bytes at the given positions; positions are sorted, deduplicated and clipped.
QList<QByteArray> splitAt(QByteArrayView bytes, QList<qsizetype> cuts);

// The data payloads of the SSE events in `body`, honouring all three SSE line ends (CRLF, LF, CR).
QList<QByteArray> sseEvents(QByteArrayView body);

// CPU time used by the whole process while the caller sleeps for `ms`: a pinned worker thread
// shows up as roughly `ms`, an idle gateway as almost nothing.
qint64 processCpuMsWhileSleeping(int ms);

class RawClient
{
public:
    // Connects at once (blocking, bounded). receiveBufferBytes > 0 sets SO_RCVBUF before the
    // connect, so the window the server sees is small from the first byte.
    explicit RawClient(quint16 port, int receiveBufferBytes = 0);
    ~RawClient();
    RawClient(const RawClient &) = delete;
    RawClient &operator=(const RawClient &) = delete;

    bool isConnected() const { return m_fd >= 0 && !m_writeFailed; }
    QString error() const { return m_error; }

    // Writes everything (blocking, bounded by timeoutMs). False once the peer refuses bytes.
    bool send(QByteArrayView bytes, int timeoutMs = 10000);
    // Writes the pieces one by one, pausing pauseMs between them so the server sees separate
    // reads. Stops at the first failed write (the server may have answered and closed). Reads
    // whatever has arrived after each piece.
    bool sendPieces(const QList<QByteArray> &pieces, int pauseMs);

    // Reads what is there, waiting up to timeoutMs for the first byte; at most maxBytes.
    // Empty on timeout or when the peer closed (see peerClosed()).
    QByteArray readSome(int timeoutMs, qsizetype maxBytes = 1 << 20);
    // Reads until `done(received())` holds, the peer closes or timeoutMs passes.
    template<typename Predicate>
    bool readUntil(Predicate done, int timeoutMs);
    bool readUntilContains(QByteArrayView marker, int timeoutMs);
    // Like readUntil, for long transfers: gives up once no byte has arrived for idleMs (or after
    // ceilingMs in all), so a stalled stream fails fast while a slow machine still gets time.
    template<typename Predicate>
    bool readWhileProgressing(Predicate done, int idleMs, int ceilingMs);
    // Reads until `count` complete responses have arrived (or close / timeout) and returns them.
    QList<RawResponse> readResponses(int count, int timeoutMs);
    // Reads at about bytesPerSecond for durationMs, in small slices.
    void readThrottled(int bytesPerSecond, int durationMs);
    // Reads until the peer closes; true when it did within timeoutMs.
    bool waitForClose(int timeoutMs);

    QByteArray &received() { return m_received; }
    qint64 totalReceived() const { return m_total; }
    bool peerClosed() const { return m_peerClosed; }

    // Half-close: no more bytes from us, but we still read.
    void shutdownWrite();
    // Vanish: close(); with reset the kernel sends RST instead of FIN (SO_LINGER 0).
    void close(bool reset = false);

private:
    bool waitReadable(int timeoutMs);

    int m_fd = -1;
    QByteArray m_received;
    qint64 m_total = 0;
    bool m_peerClosed = false;
    bool m_writeFailed = false;
    QString m_error;
};

template<typename Predicate>
bool RawClient::readUntil(Predicate done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done(m_received)) {
        if (m_peerClosed || m_fd < 0 || timer.elapsed() >= timeoutMs)
            return done(m_received);
        readSome(50);
    }
    return true;
}

template<typename Predicate>
bool RawClient::readWhileProgressing(Predicate done, int idleMs, int ceilingMs)
{
    QElapsedTimer total;
    total.start();
    QElapsedTimer idle;
    idle.start();
    while (!done(m_received)) {
        if (m_peerClosed || m_fd < 0 || idle.elapsed() >= idleMs || total.elapsed() >= ceilingMs)
            return done(m_received);
        if (!readSome(50).isEmpty())
            idle.restart();
    }
    return true;
}

} // namespace tarn::test
