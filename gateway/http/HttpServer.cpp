// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/HttpServer.h"

#include "gateway/core/Logging.h"
#include "gateway/core/ThreadHop.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QSet>
#include <QTcpServer>
#include <QThread>
#include <QTimer>

#ifdef Q_OS_WIN
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace tarn::gateway {

namespace {

// A QTcpServer that hands the raw descriptor on instead of creating a QTcpSocket in this thread.
class HandOffListener final : public QTcpServer
{
public:
    HandOffListener(std::function<void(qintptr)> handOff, QObject *parent)
        : QTcpServer(parent), m_handOff(std::move(handOff))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override { m_handOff(descriptor); }

private:
    std::function<void(qintptr)> m_handOff;
};

} // namespace

HttpServer::HttpServer(const HttpLimits &limits, int workerCount, RequestHandlerFactory factory, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_workerCount(workerCount > 0 ? workerCount : qMax(1, QThread::idealThreadCount()))
    , m_factory(std::move(factory))
{
}

HttpServer::~HttpServer()
{
    shutdown(0);
}

void HttpServer::startWorkers()
{
    m_acceptor = new QThread(this);
    m_acceptor->setObjectName(QStringLiteral("tarn-accept"));
    m_acceptor->start();
    for (int i = 0; i < m_workerCount; ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(QStringLiteral("tarn-http-%1").arg(i));
        auto *worker = new HttpWorker(m_limits, m_factory, &m_load);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        runOnThreadOf(worker, [worker] { worker->start(); });
        m_threads.append(thread);
        m_workers.append(worker);
    }
}

Result<QUrl> HttpServer::listen(const QString &host, quint16 port)
{
    if (m_workers.isEmpty())
        startWorkers();
    QHostAddress address;
    if (host == u"localhost")
        address = QHostAddress(QHostAddress::LocalHost);
    else if (host == u"*" || host.isEmpty())
        address = QHostAddress(QHostAddress::Any);
    else if (!address.setAddress(host))
        return Error::invalid(QStringLiteral("cannot listen on '%1': not an IP address").arg(host));

    auto *listener = new HandOffListener([this](qintptr fd) { dispatch(fd); }, nullptr);
    listener->setMaxPendingConnections(1024);
    // The kernel's accept queue (Qt's default is 50, capped by net.core.somaxconn): when a burst of
    // connects overflows it, the handshake's last ACK is dropped and the client's first data
    // segment waits out a 200 ms retransmission (256 agents starting streams at once did).
    listener->setListenBacklogSize(1024);
    listener->moveToThread(m_acceptor);
    const bool listening = runOnThreadOf(listener, [listener, &address, port] { return listener->listen(address, port); });
    if (!listening) {
        const QString why = listener->errorString();
        listener->deleteLater();
        return Error{ErrorCode::Io, QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(port).arg(why)};
    }
    if (!m_accepting) // opened while paused: it waits like the others
        runOnThreadOf(listener, [listener] { listener->pauseAccepting(); });
    m_listeners.append(listener);
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(listener->serverAddress().toString());
    url.setPort(listener->serverPort());
    m_urls.append(url);
    return url;
}

void HttpServer::stopListening(const QUrl &url)
{
    const qsizetype index = m_urls.indexOf(url);
    if (index < 0)
        return;
    QTcpServer *listener = m_listeners.takeAt(index);
    m_urls.removeAt(index);
    runOnThreadOf(listener, [listener] { listener->close(); });
    listener->deleteLater();
}

namespace {

#ifdef Q_OS_WIN
using NativeSocket = SOCKET;
using SocketLength = int;
#else
using NativeSocket = int;
using SocketLength = socklen_t;
#endif

QHostAddress peerOf(qintptr descriptor)
{
    sockaddr_storage peer{};
    SocketLength length = sizeof peer;
    if (::getpeername(NativeSocket(descriptor), reinterpret_cast<sockaddr *>(&peer), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&peer));
}

void closeDescriptor(qintptr descriptor)
{
#ifdef Q_OS_WIN
    ::closesocket(NativeSocket(descriptor));
#else
    ::close(NativeSocket(descriptor));
#endif
}

} // namespace

void HttpServer::dispatch(qintptr descriptor)
{
    if (const ExposeMode mode = m_exposeMode.load(std::memory_order_relaxed); mode != ExposeMode::All) {
        // A peer that cannot be read is refused too: nothing says it may come in.
        const QHostAddress peer = peerOf(descriptor);
        if (!peerAllowed(mode, peer)) {
            if (m_refusedPeers.fetch_add(1, std::memory_order_relaxed) < 20) // a scan would flood the log
                qCWarning(lcHttp) << "refused a connection from" << peer.toString() << "outside"
                                  << exposeModeName(mode);
            closeDescriptor(descriptor);
            return;
        }
    }
    HttpWorker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % m_workers.size();
    QMetaObject::invokeMethod(worker, [worker, descriptor] { worker->adopt(descriptor); }, Qt::QueuedConnection);
}

void HttpServer::setAccepting(bool accepting)
{
    m_accepting = accepting;
    for (QTcpServer *listener : std::as_const(m_listeners)) {
        QMetaObject::invokeMethod(listener, [listener, accepting] {
            if (accepting)
                listener->resumeAccepting();
            else
                listener->pauseAccepting();
        });
    }
}

void HttpServer::shutdown(int graceMs)
{
    if (m_stopped)
        return;
    m_stopped = true;
    for (QTcpServer *listener : std::as_const(m_listeners)) {
        runOnThreadOf(listener, [listener] { listener->close(); });
        listener->deleteLater();
    }
    m_listeners.clear();
    if (m_acceptor) {
        m_acceptor->quit();
        m_acceptor->wait();
    }
    // Every worker drains at the same time, under one grace period in total: stopping them one
    // after another gave N workers N grace periods, and the later ones kept serving meanwhile.
    QEventLoop loop;
    QSet<HttpWorker *> draining(m_workers.cbegin(), m_workers.cend());
    for (HttpWorker *worker : std::as_const(m_workers)) {
        connect(worker, &HttpWorker::drained, &loop, [&loop, &draining, worker] {
            draining.remove(worker);
            if (draining.isEmpty())
                loop.quit();
        }, Qt::QueuedConnection);
    }
    for (HttpWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, [worker, graceMs] { worker->shutdown(graceMs); }, Qt::QueuedConnection);
    QTimer::singleShot(graceMs + 1000, &loop, &QEventLoop::quit);
    if (!draining.isEmpty())
        loop.exec();
    for (QThread *thread : std::as_const(m_threads))
        thread->quit();
    for (QThread *thread : std::as_const(m_threads))
        thread->wait();
    m_workers.clear();
    m_threads.clear();
}

} // namespace tarn::gateway
