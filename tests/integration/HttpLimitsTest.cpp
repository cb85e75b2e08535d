// SPDX-License-Identifier: GPL-3.0-or-later
// The front end's HTTP/1.1 behaviour and limits, spoken to in raw bytes.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QThread>

#include <QJsonArray>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

// A raw client connection for the cases HttpTestClient deliberately does not produce.
class RawConnection
{
public:
    explicit RawConnection(quint16 port)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        EXPECT_TRUE(m_socket.waitForConnected(2000));
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(2000);
    }
    // Reads until `marker` has arrived (or the peer closes / timeout); returns all bytes so far.
    QByteArray readUntil(const QByteArray &marker, int timeoutMs = 3000)
    {
        QElapsedTimer timer;
        timer.start();
        while (!m_received.contains(marker) && timer.elapsed() < timeoutMs) {
            if (m_socket.state() != QAbstractSocket::ConnectedState && m_socket.bytesAvailable() == 0)
                break;
            m_socket.waitForReadyRead(50);
            m_received.append(m_socket.readAll());
        }
        return m_received;
    }
    bool waitForClose(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (m_socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < timeoutMs) {
            m_socket.waitForReadyRead(50);
            m_received.append(m_socket.readAll());
        }
        return m_socket.state() != QAbstractSocket::ConnectedState;
    }
    QByteArray received() const { return m_received; }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray post(const QByteArray &path, const QByteArray &body, const QByteArray &extra = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: tarn\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body;
}

} // namespace

TEST(HttpLimits, OversizedContentLengthIs413BeforeAnyBodyIsSent)
{
    tarn::gateway::HttpLimits limits;
    limits.maxBodyBytes = 64 * 1024;
    GatewayHarness tarn(limits);
    ASSERT_TRUE(tarn.start());
    RawConnection c(tarn.port());
    c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\nContent-Length: 100000000000\r\n\r\n");
    const QByteArray answer = c.readUntil("}}");
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 413 ")) << answer.constData();
    EXPECT_TRUE(answer.contains("\"error\""));
    EXPECT_TRUE(c.waitForClose(4000));
}

TEST(HttpLimits, OversizedChunkedBodyIs413)
{
    tarn::gateway::HttpLimits limits;
    limits.maxBodyBytes = 1024;
    GatewayHarness tarn(limits);
    ASSERT_TRUE(tarn.start());
    RawConnection c(tarn.port());
    const QByteArray chunk(800, 'a');
    c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\nTransfer-Encoding: chunked\r\n\r\n"
           + QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n" + QByteArray::number(chunk.size(), 16)
           + "\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_TRUE(c.readUntil("}}").startsWith("HTTP/1.1 413 "));
}

TEST(HttpLimits, HeaderBlockOver64KiBIs431EvenWhenSentInPieces)
{
    GatewayHarness tarn; // default 64 KiB
    ASSERT_TRUE(tarn.start());
    RawConnection c(tarn.port());
    c.send("GET /health HTTP/1.1\r\nHost: tarn\r\n");
    const QByteArray line = "X-Filler: " + QByteArray(8000, 'f') + "\r\n";
    for (int i = 0; i < 10; ++i) { // 80 KiB in 8 KiB writes
        c.send(line);
        QThread::msleep(5);
    }
    c.send("\r\n");
    const QByteArray answer = c.readUntil("}}");
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 431 ")) << answer.left(80).constData();
}

TEST(HttpLimits, SlowHeadersGet408AndTheConnectionCloses)
{
    tarn::gateway::HttpLimits limits;
    limits.headerTimeoutMs = 300;
    GatewayHarness tarn(limits);
    ASSERT_TRUE(tarn.start());
    RawConnection c(tarn.port());
    c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\n");
    for (int i = 0; i < 4; ++i) { // a slowloris keeps trickling bytes; the deadline does not move
        QThread::msleep(100);
        c.send("X-A: b\r\n");
    }
    const QByteArray answer = c.readUntil("}}", 3000);
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 408 ")) << answer.constData();
    EXPECT_TRUE(c.waitForClose(3000));
}

TEST(HttpLimits, IdleKeepAliveConnectionIsClosed)
{
    tarn::gateway::HttpLimits limits;
    limits.idleTimeoutMs = 300;
    GatewayHarness tarn(limits);
    ASSERT_TRUE(tarn.start());
    RawConnection c(tarn.port());
    c.send("GET /health HTTP/1.1\r\nHost: tarn\r\n\r\n");
    EXPECT_TRUE(c.readUntil("{\"status\":\"ok\"}").startsWith("HTTP/1.1 200 "));
    EXPECT_TRUE(c.waitForClose(3000));
}

TEST(HttpLimits, ConnectionsBeyondTheLimitGet503)
{
    tarn::gateway::HttpLimits limits;
    limits.maxConnections = 2;
    GatewayHarness tarn(limits);
    ASSERT_TRUE(tarn.start());
    RawConnection a(tarn.port());
    RawConnection b(tarn.port());
    for (RawConnection *c : {&a, &b}) { // make sure both are adopted by the server
        c->send("GET /health HTTP/1.1\r\nHost: tarn\r\n\r\n");
        EXPECT_TRUE(c->readUntil("{\"status\":\"ok\"}").startsWith("HTTP/1.1 200 "));
    }
    RawConnection third(tarn.port());
    third.send("GET /health HTTP/1.1\r\nHost: tarn\r\n\r\n");
    const QByteArray answer = third.readUntil("}}");
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 503 ")) << answer.constData();
    EXPECT_TRUE(answer.contains("Retry-After: 1"));
    EXPECT_TRUE(third.waitForClose(3000));
}

TEST(HttpLimits, PipelinedRequestsAreAnsweredInOrder)
{
    MockUpstream mock;
    MockBehaviour slow;
    slow.delayMs = 300;
    mock.setDefaultBehaviour(slow);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    RawConnection c(tarn.port());
    c.send(post("/v1/chat/completions", chatBody(QStringLiteral("gpt-x"))) + "GET /health HTTP/1.1\r\nHost: tarn\r\n\r\n"
           + "GET /v1/nothing HTTP/1.1\r\nHost: tarn\r\n\r\n");
    const QByteArray all = c.readUntil("unknown_url", 5000);
    const qsizetype chat = all.indexOf("chat.completion");
    const qsizetype health = all.indexOf("{\"status\":\"ok\"}");
    const qsizetype missing = all.indexOf("unknown_url");
    ASSERT_GE(chat, 0) << all.constData();
    ASSERT_GE(health, 0);
    ASSERT_GE(missing, 0);
    EXPECT_LT(chat, health) << "the slow first answer must come first";
    EXPECT_LT(health, missing);
}

TEST(HttpLimits, ExpectContinueGets100BeforeTheBody)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    const QByteArray body = chatBody(QStringLiteral("gpt-x"));
    RawConnection c(tarn.port());
    c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\nContent-Length: " + QByteArray::number(body.size())
           + "\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_TRUE(c.readUntil("\r\n\r\n").startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
    c.send(body);
    EXPECT_TRUE(c.readUntil("chat.completion").contains("HTTP/1.1 200 "));
    EXPECT_EQ(mock.lastRequest().body, body);
}

TEST(HttpLimits, ChunkedRequestBodyIsAccepted)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    const QByteArray body = chatBody(QStringLiteral("gpt-x"));
    const QByteArray a = body.left(10);
    const QByteArray b = body.mid(10);
    RawConnection c(tarn.port());
    c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\nTransfer-Encoding: chunked\r\n\r\n"
           + QByteArray::number(a.size(), 16) + "\r\n" + a + "\r\n" + QByteArray::number(b.size(), 16) + "\r\n" + b
           + "\r\n0\r\n\r\n");
    EXPECT_TRUE(c.readUntil("chat.completion").startsWith("HTTP/1.1 200 "));
    EXPECT_EQ(mock.lastRequest().body, body);
}

TEST(HttpLimits, ConnectionCloseIsHonoured)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    RawConnection c(tarn.port());
    c.send("GET /health HTTP/1.1\r\nHost: tarn\r\nConnection: close\r\n\r\n");
    const QByteArray answer = c.readUntil("{\"status\":\"ok\"}");
    EXPECT_TRUE(answer.contains("Connection: close\r\n"));
    EXPECT_TRUE(c.waitForClose(2000));
}

TEST(HttpLimits, KeepAliveServesManyRequestsOnOneConnection)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    for (int i = 0; i < 20; ++i)
        ASSERT_EQ(client.request("GET", tarn.url(QStringLiteral("/health"))).status, 200);
    EXPECT_EQ(client.connectionsOpened(), 1);
}

TEST(HttpLimits, GarbageIs400)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    const QByteArray answer = HttpTestClient::sendRaw(QStringLiteral("127.0.0.1"), tarn.port(), "HELLO THERE\r\n\r\n", 3000);
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 400 ")) << answer.constData();
}
