// SPDX-License-Identifier: GPL-3.0-or-later
// Internals of MockUpstream: shared state and the QTcpServer living in the mock's thread.
#pragma once

#include "tests/support/HttpWire.h"
#include "tests/support/MockUpstream.h"

#include <QMutex>
#include <QObject>
#include <QQueue>
#include <QTcpServer>
#include <QTcpSocket>

#include <optional>

namespace tarn::test::detail {

struct MockState
{
    mutable QMutex mutex;
    QQueue<MockBehaviour> queue;
    MockBehaviour fallback;
    QList<MockRequest> requests;
    quint64 seq = 0;
    int open = 0;
    int total = 0;
    int peerClosed = 0;
    int peerClosedSeen = 0;
    int aborted = 0;
    int completed = 0;

    // Records the request and returns its behaviour and sequence number.
    std::pair<MockBehaviour, quint64> take(const MockRequest &request);
};

class MockServer : public QObject
{
public:
    explicit MockServer(MockState &state) : m_state(state) {}
    quint16 listen(); // in the mock thread; 0 on failure
    void shutdown();  // in the mock thread: closes everything

private:
    MockState &m_state;
    QTcpServer *m_tcp = nullptr;
};

class MockConnection : public QObject
{
public:
    MockConnection(QTcpSocket *socket, MockState &state, QObject *parent);
    ~MockConnection() override;

private:
    enum class Parse { NeedMore, Ready, Error };
    Parse parseRequest(MockRequest &out);
    void processNext();
    void handle(const MockRequest &request);
    void respond(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq);
    void sendNextEvent();
    void finish();
    void closeOurselves(bool abrupt);
    void onDisconnected();

    QTcpSocket *m_socket;
    MockState &m_state;
    QByteArray m_in;
    // Request being read.
    std::optional<MockRequest> m_pending;
    qint64 m_contentLength = -1;
    bool m_chunkedIn = false;
    bool m_sentContinue = false;
    wire::ChunkedDecoder m_decoder;
    // Response being written.
    bool m_busy = false;
    bool m_keepAlive = true;
    bool m_streaming = false;   // a stream response is owed or in progress
    bool m_chunkedOut = true;
    bool m_closing = false;     // we closed (not the peer)
    bool m_gone = false;
    QList<QByteArray> m_events;
    qsizetype m_eventIndex = 0;
    qsizetype m_eventLimit = 0;
    bool m_truncate = false;
    bool m_truncateGracefully = false; // FIN instead of RST when truncating
    int m_chunkDelayMs = 0;
    int m_silenceAfter = -1;
    int m_silenceMs = 0;
    bool m_flushingStream = false; // the whole stream is queued but not yet handed to the kernel
};

} // namespace tarn::test::detail
