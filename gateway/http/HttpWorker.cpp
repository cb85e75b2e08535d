// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/HttpWorker.h"

#include "gateway/http/HttpConnection.h"
#include "gateway/http/ServerLoad.h"

#include <QTimer>

namespace tarn::gateway {

HttpWorker::HttpWorker(const HttpLimits &limits, RequestHandlerFactory factory, ServerLoad *load, QObject *parent)
    : QObject(parent), m_limits(limits), m_factory(std::move(factory)), m_load(load)
{
}

HttpWorker::~HttpWorker()
{
    // Connections (children) go first: they may still hold exchanges that reference the handler.
    const auto connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections)
        delete c;
    m_handler.reset();
}

void HttpWorker::start()
{
    m_handler = m_factory(this);
}

void HttpWorker::adopt(qintptr descriptor)
{
    auto *connection = new HttpConnection(descriptor, m_limits, m_handler.get(), m_load, this);
    ++m_liveConnections;
    connect(connection, &HttpConnection::closed, this, [this] {
        --m_liveConnections;
        checkDrained();
    });
    if (m_shuttingDown || m_load->openConnections.load(std::memory_order_relaxed) > m_limits.maxConnections)
        connection->refuseOverloaded();
}

void HttpWorker::shutdown(int graceMs)
{
    m_shuttingDown = true;
    const auto connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections)
        c->closeWhenIdle();
    // In-flight responses get graceMs to finish; then they are cut.
    QTimer::singleShot(graceMs, this, [this] {
        const auto left = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
        for (HttpConnection *c : left)
            c->abort();
        Q_EMIT drained();
    });
    checkDrained();
}

void HttpWorker::checkDrained()
{
    if (!m_shuttingDown)
        return;
    if (m_liveConnections == 0)
        Q_EMIT drained();
}

} // namespace tarn::gateway
