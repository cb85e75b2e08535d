// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/HttpResponse.h"

#include "gateway/http/HttpConnection.h"

namespace tarn::gateway {

HttpResponse::HttpResponse(HttpConnection *connection, quint64 exchange)
    : m_connection(connection), m_exchange(exchange)
{
}

HttpConnection *HttpResponse::connectionIfCurrent() const
{
    HttpConnection *c = m_connection.data();
    return (c && c->currentExchange() == m_exchange) ? c : nullptr;
}

bool HttpResponse::isActive() const { return connectionIfCurrent() != nullptr; }

bool HttpResponse::hasStarted() const
{
    const HttpConnection *c = connectionIfCurrent();
    return !c || c->hasResponseStarted();
}

void HttpResponse::setObserver(ResponseObserver *observer) const
{
    if (HttpConnection *c = connectionIfCurrent())
        c->setObserver(observer);
}

void HttpResponse::send(int status, const HeaderList &headers, const QByteArray &body) const
{
    if (HttpConnection *c = connectionIfCurrent())
        c->sendResponse(status, headers, body);
}

void HttpResponse::sendJson(int status, const QByteArray &json) const
{
    send(status, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}}, json);
}

void HttpResponse::beginStream(int status, const HeaderList &headers) const
{
    if (HttpConnection *c = connectionIfCurrent())
        c->beginStream(status, headers);
}

bool HttpResponse::write(QByteArrayView chunk) const
{
    HttpConnection *c = connectionIfCurrent();
    return c && c->writeChunk(chunk);
}

void HttpResponse::end() const
{
    if (HttpConnection *c = connectionIfCurrent())
        c->endStream();
}

} // namespace tarn::gateway
