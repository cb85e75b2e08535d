// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/http/HttpLimits.h"
#include "gateway/http/HttpWorker.h"
#include "gateway/http/ServerLoad.h"
#include "gateway/net/Tailnet.h"

#include <QList>
#include <QObject>
#include <QUrl>

#include <atomic>

class QThread;
class QTcpServer;

namespace tarn::gateway {

// The client-facing HTTP/1.1 server: listeners on their own acceptor thread (so a busy GUI thread
// never delays an accept) hand sockets round-robin to worker threads, each with its own event loop,
// connections and request handler.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    HttpServer(const HttpLimits &limits, int workerCount, RequestHandlerFactory factory,
               QObject *parent = nullptr);
    ~HttpServer() override;

    // Listens on host:port (port 0 picks a free one); returns the URL actually bound.
    Result<QUrl> listen(const QString &host, quint16 port);
    // Stops listening on url (as listen() returned it). Connections already accepted carry on.
    void stopListening(const QUrl &url);
    QList<QUrl> urls() const { return m_urls; }
    int openConnections() const { return m_load.openConnections.load(std::memory_order_relaxed); }
    qint64 bufferedRequestBytes() const { return m_load.bufferedRequestBytes.load(std::memory_order_relaxed); }

    // Stops accepting, lets in-flight responses finish for up to graceMs, then cuts the rest and
    // stops the workers. Blocks the calling thread until done.
    void shutdown(int graceMs);
    void setAccepting(bool accepting);
    // Who may connect. A peer the mode does not let in (in Tailscale mode: neither loopback nor
    // the tailnet, e.g. a LAN host that reached the tailnet address through a route of its own) is
    // closed as it is accepted, before a byte is read. All (the default) leaves it to the
    // addresses listened on and to the client keys.
    void setExposeMode(ExposeMode mode) { m_exposeMode.store(mode, std::memory_order_relaxed); }
    // Connections closed by the expose mode so far.
    qint64 refusedPeers() const { return m_refusedPeers.load(std::memory_order_relaxed); }

private:
    void dispatch(qintptr descriptor);
    void startWorkers();

    HttpLimits m_limits;
    int m_workerCount;
    RequestHandlerFactory m_factory;
    QThread *m_acceptor = nullptr;
    QList<QTcpServer *> m_listeners; // live in m_acceptor
    QList<QThread *> m_threads;
    QList<HttpWorker *> m_workers;
    QList<QUrl> m_urls;
    ServerLoad m_load;
    int m_next = 0;
    bool m_stopped = false;
    bool m_accepting = true;
    std::atomic<ExposeMode> m_exposeMode{ExposeMode::All};
    std::atomic<qint64> m_refusedPeers{0};
};

} // namespace tarn::gateway
