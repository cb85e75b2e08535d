// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/MockUpstream.h"

#include "tests/support/HttpWire.h"
#include "tests/support/MockScript.h"
#include "tests/support/MockServer.h"

#include <QJsonDocument>
#include <QMutexLocker>
#include <QTest>

namespace tarn::test {

QByteArray MockRequest::header(QByteArrayView name) const
{
    return wire::headerValue(headers, name);
}

QJsonObject MockRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray MockRequest::format() const
{
    const QByteArray bare = detail::pathWithoutQuery(path);
    if (bare.endsWith("/responses"))
        return QByteArrayLiteral("responses");
    if (bare.endsWith("/messages") || bare.endsWith("/messages/count_tokens"))
        return QByteArrayLiteral("anthropic");
    const qsizetype models = bare.indexOf("/models/");
    if (models >= 0 && bare.indexOf(':', models) > models)
        return QByteArrayLiteral("gemini");
    return QByteArrayLiteral("openai");
}

MockUpstream::MockUpstream()
    : m_state(std::make_unique<detail::MockState>()), m_thread(std::make_unique<QThread>())
{
    m_thread->setObjectName(QStringLiteral("MockUpstream"));
    m_server = new detail::MockServer(*m_state);
    m_server->moveToThread(m_thread.get());
    m_thread->start();
    QMetaObject::invokeMethod(
        m_server, [this] { m_port = m_server->listen(); }, Qt::BlockingQueuedConnection);
    if (m_port == 0)
        qWarning("MockUpstream: could not listen on 127.0.0.1");
}

MockUpstream::~MockUpstream()
{
    QMetaObject::invokeMethod(m_server, [this] { m_server->shutdown(); },
                              Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_server; // its thread has finished and it owns nothing any more
}

quint16 MockUpstream::port() const
{
    return m_port;
}

QString MockUpstream::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1/v1").arg(m_port);
}

QString MockUpstream::anthropicBaseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QString MockUpstream::geminiBaseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

void MockUpstream::pushBehaviour(MockBehaviour b)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->queue.enqueue(std::move(b));
}

void MockUpstream::setDefaultBehaviour(MockBehaviour b)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->fallback = std::move(b);
}

void MockUpstream::clearBehaviours()
{
    QMutexLocker lock(&m_state->mutex);
    m_state->queue.clear();
    m_state->fallback = MockBehaviour{};
}

QList<MockRequest> MockUpstream::requests() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->requests;
}

MockRequest MockUpstream::lastRequest() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->requests.isEmpty() ? MockRequest{} : m_state->requests.constLast();
}

int MockUpstream::requestCount() const
{
    QMutexLocker lock(&m_state->mutex);
    return int(m_state->requests.size());
}

void MockUpstream::clearRequests()
{
    QMutexLocker lock(&m_state->mutex);
    m_state->requests.clear();
}

bool MockUpstream::waitForRequests(int n, int timeoutMs)
{
    return QTest::qWaitFor([this, n] { return requestCount() >= n; }, timeoutMs);
}

int MockUpstream::openConnections() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->open;
}

int MockUpstream::totalConnections() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->total;
}

bool MockUpstream::waitForDisconnect(int timeoutMs)
{
    const auto seen = [this] {
        QMutexLocker lock(&m_state->mutex);
        if (m_state->peerClosed > m_state->peerClosedSeen) {
            m_state->peerClosedSeen = m_state->peerClosed;
            return true;
        }
        return false;
    };
    return QTest::qWaitFor(seen, timeoutMs);
}

int MockUpstream::abortedStreams() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->aborted;
}

int MockUpstream::completedStreams() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->completed;
}

} // namespace tarn::test
