// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/RawClient.h"

#include "tests/support/HttpWire.h"

#include <QThread>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tarn::test {

QByteArray RawResponse::header(QByteArrayView name) const
{
    return wire::headerValue(headers, name);
}

QList<RawResponse> takeResponses(QByteArray &bytes, bool peerClosed)
{
    QList<RawResponse> out;
    RawResponse current;
    while (!bytes.isEmpty()) {
        const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
        if (headEnd < 0)
            break;
        const qsizetype lineEnd = bytes.indexOf("\r\n");
        current.statusLine = bytes.left(lineEnd);
        const QList<QByteArray> parts = current.statusLine.split(' ');
        current.status = parts.size() >= 2 ? parts.at(1).toInt() : 0;
        current.headers.clear();
        wire::parseHeaderLines(QByteArrayView(bytes).sliced(lineEnd + 2, headEnd - lineEnd - 2), current.headers);
        if (current.status >= 100 && current.status < 200) {
            ++current.interim;
            bytes.remove(0, headEnd + 4);
            continue;
        }
        QByteArray rest = bytes.mid(headEnd + 4);
        current.chunked = current.header("Transfer-Encoding").toLower().contains("chunked");
        const QByteArray length = current.header("Content-Length");
        current.body.clear();
        if (current.chunked) {
            wire::ChunkedDecoder decoder;
            const auto status = decoder.feed(rest, current.body);
            if (status == wire::ChunkedDecoder::Status::NeedMore && !peerClosed)
                break;
            current.complete = status == wire::ChunkedDecoder::Status::Done;
            if (!current.complete)
                rest.clear(); // malformed or cut short: the stream position is lost
        } else if (!length.isEmpty()) {
            const qint64 size = length.toLongLong();
            if (rest.size() < size && !peerClosed)
                break;
            current.body = rest.left(size);
            current.complete = current.body.size() == size;
            rest.remove(0, qMin<qint64>(size, rest.size()));
        } else {
            if (!peerClosed)
                break;
            current.body = rest;
            current.complete = true;
            rest.clear();
        }
        bytes = rest;
        out.append(current);
        current = RawResponse{};
    }
    return out;
}

QList<QByteArray> splitAt(QByteArrayView bytes, QList<qsizetype> cuts)
{
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    QList<QByteArray> pieces;
    qsizetype from = 0;
    for (const qsizetype cut : std::as_const(cuts)) {
        if (cut <= from || cut >= bytes.size())
            continue;
        pieces.append(bytes.sliced(from, cut - from).toByteArray());
        from = cut;
    }
    pieces.append(bytes.sliced(from).toByteArray());
    return pieces;
}

QList<QByteArray> sseEvents(QByteArrayView body)
{
    QList<QByteArray> events;
    QByteArray data;
    bool hasData = false;
    qsizetype pos = 0;
    while (pos < body.size()) {
        qsizetype end = pos;
        while (end < body.size() && body[end] != '\r' && body[end] != '\n')
            ++end;
        if (end == body.size())
            break; // an unterminated last line is not an event (yet)
        const QByteArrayView line = body.sliced(pos, end - pos);
        pos = end + ((body[end] == '\r' && end + 1 < body.size() && body[end + 1] == '\n') ? 2 : 1);
        if (line.isEmpty()) {
            if (hasData)
                events.append(data);
            data.clear();
            hasData = false;
        } else if (line.startsWith("data:")) {
            QByteArrayView value = line.sliced(5);
            if (value.startsWith(' '))
                value = value.sliced(1);
            if (hasData)
                data.append('\n');
            data.append(value);
            hasData = true;
        }
    }
    return events;
}

qint64 processCpuMsWhileSleeping(int ms)
{
    const auto cpuNs = [] {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    };
    const qint64 before = cpuNs();
    QThread::msleep(ms);
    return (cpuNs() - before) / 1'000'000;
}

RawClient::RawClient(quint16 port, int receiveBufferBytes)
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        return;
    }
    if (receiveBufferBytes > 0)
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &receiveBufferBytes, sizeof receiveBufferBytes);
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(m_fd);
        m_fd = -1;
        return;
    }
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
}

RawClient::~RawClient()
{
    close();
}

bool RawClient::send(QByteArrayView bytes, int timeoutMs)
{
    if (m_fd < 0 || m_writeFailed)
        return false;
    QElapsedTimer timer;
    timer.start();
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(m_fd, bytes.data() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
        if (n > 0) {
            done += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const qint64 left = timeoutMs - timer.elapsed();
            if (left <= 0) {
                m_error = QStringLiteral("send timed out");
                return false;
            }
            pollfd p{m_fd, POLLOUT, 0};
            ::poll(&p, 1, int(qMin<qint64>(left, 100)));
            continue;
        }
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        m_writeFailed = true;
        return false;
    }
    return true;
}

bool RawClient::sendPieces(const QList<QByteArray> &pieces, int pauseMs)
{
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        if (!send(pieces.at(i)))
            return false;
        // Take what the server already answered (a 100 Continue, an early error) so a reset
        // after its lingering close cannot destroy it before we read.
        while (!readSome(0).isEmpty()) {
        }
        if (i + 1 < pieces.size() && pauseMs > 0)
            QThread::usleep(qulonglong(pauseMs) * 1000);
    }
    return true;
}

bool RawClient::waitReadable(int timeoutMs)
{
    pollfd p{m_fd, POLLIN, 0};
    int r = -1;
    do {
        r = ::poll(&p, 1, timeoutMs);
    } while (r < 0 && errno == EINTR);
    return r > 0;
}

QByteArray RawClient::readSome(int timeoutMs, qsizetype maxBytes)
{
    if (m_fd < 0 || m_peerClosed || !waitReadable(timeoutMs))
        return {};
    QByteArray buffer(qMin<qsizetype>(maxBytes, 256 * 1024), Qt::Uninitialized);
    ssize_t n = -1;
    do {
        n = ::recv(m_fd, buffer.data(), size_t(buffer.size()), 0);
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
        m_peerClosed = true;
        return {};
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            m_peerClosed = true; // reset by the peer counts as closed
        }
        return {};
    }
    buffer.truncate(n);
    m_received += buffer;
    m_total += n;
    return buffer;
}

bool RawClient::readUntilContains(QByteArrayView marker, int timeoutMs)
{
    return readUntil([marker](const QByteArray &all) { return all.contains(marker); }, timeoutMs);
}

QList<RawResponse> RawClient::readResponses(int count, int timeoutMs)
{
    readUntil(
        [this, count](const QByteArray &all) {
            QByteArray copy = all;
            return takeResponses(copy, m_peerClosed).size() >= count;
        },
        timeoutMs);
    QByteArray copy = m_received;
    return takeResponses(copy, m_peerClosed);
}

void RawClient::readThrottled(int bytesPerSecond, int durationMs)
{
    constexpr int kSliceMs = 50;
    const qsizetype slice = qMax(1, bytesPerSecond * kSliceMs / 1000);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < durationMs && !m_peerClosed && m_fd >= 0) {
        readSome(kSliceMs, slice);
        QThread::msleep(kSliceMs);
    }
}

bool RawClient::waitForClose(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!m_peerClosed && m_fd >= 0 && timer.elapsed() < timeoutMs)
        readSome(50);
    return m_peerClosed;
}

void RawClient::shutdownWrite()
{
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_WR);
}

void RawClient::close(bool reset)
{
    if (m_fd < 0)
        return;
    if (reset) {
        const linger hard{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    ::close(m_fd);
    m_fd = -1;
}

} // namespace tarn::test
