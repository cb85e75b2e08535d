// SPDX-License-Identifier: GPL-3.0-or-later
// A mock LLM provider for integration tests: speaks OpenAI's wire shapes on 127.0.0.1:<ephemeral>
// from its own thread, records every request and injects faults on demand.
//
// Deterministic answers (see MockOpenAi.cpp):
//   reply words   "Hello", " from", " the", " mock", " upstream", then repeating; `chunks` words.
//   prompt_tokens P = floor(B / 4) + 7, B = UTF-8 bytes of the request text (chat: every message's
//                 content, text parts of array contents included; completions: prompt;
//                 embeddings: input), strings in arrays summed.
//   completion_tokens C = number of content deltas (`chunks`, default 5); 5 for tool calls
//                 (the arguments are streamed in 5 fragments); 0 for embeddings.
//   cached_tokens K = min(MockBehaviour::cachedTokens, P).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QThread>

#include <memory>
#include <utility>

namespace tarn::test {

using MockHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct MockRequest
{
    QByteArray method, path; // path includes the query string, e.g. "/v1/chat/completions"
    MockHeaders headers;
    QByteArray body;         // de-chunked
    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent
    QJsonObject json() const;                     // body parsed as a JSON object (empty if not)
};

struct MockBehaviour
{
    int status = 200;
    QByteArray body;              // raw body override (empty: generate the OpenAI-shaped answer)
    MockHeaders headers;          // extra headers, e.g. Retry-After (a Content-Type here wins)
    int delayMs = 0;              // before the response head
    int chunkDelayMs = 0;         // between stream chunks
    bool hang = false;            // accept, read the request, never answer
    bool truncateStream = false;  // send half the SSE events then close the connection abruptly
    bool closeWithoutResponse = false;
    // Extensions:
    int cachedTokens = 0;         // prompt_tokens_details.cached_tokens (clamped to P)
    int chunks = 5;               // content deltas in a stream (= words in the reply)
    bool closeDelimited = false;  // stream/answer without Content-Length or chunking, then close
    QList<QByteArray> rawEvents;  // stream these raw body pieces instead (one write each)
    // Adversarial extensions (defaults keep the behaviour above):
    QByteArray eventSeparator;    // generated SSE events end with this instead of "\n\n"
                                  // (e.g. "\r\n\r\n" or "\r\r"); rawEvents are sent as given
    int silenceAfterEvents = -1;  // >= 0: after that many stream pieces, go quiet for silenceMs
    int silenceMs = 0;
    int streamEventsBeforeClose = -1; // >= 0: a stream sends its head and that many pieces, then
                                      // closes (FIN, no last chunk: everything sent arrives);
                                      // 0 = the stream dies before its first event
};

namespace detail {
struct MockState;
class MockServer;
} // namespace detail

class MockUpstream
{
public:
    MockUpstream();  // starts its thread and listens on 127.0.0.1:0
    ~MockUpstream(); // stops listening, drops connections, joins the thread
    MockUpstream(const MockUpstream &) = delete;
    MockUpstream &operator=(const MockUpstream &) = delete;

    quint16 port() const;
    QString baseUrl() const; // "http://127.0.0.1:PORT/v1"

    void pushBehaviour(MockBehaviour b); // queue: consumed one per request, then the default
    void setDefaultBehaviour(MockBehaviour b);
    void clearBehaviours();              // drops queued behaviours, default back to MockBehaviour{}

    QList<MockRequest> requests() const; // everything received so far, in arrival order
    MockRequest lastRequest() const;     // empty when none
    int requestCount() const;
    void clearRequests();
    bool waitForRequests(int n, int timeoutMs); // spins the caller's event loop, bounded

    int openConnections() const;
    int totalConnections() const;
    bool waitForDisconnect(int timeoutMs); // true once a peer closed a connection since last call
    int abortedStreams() const;            // streams whose client went away before the end
                                           // (including before the mock's queued bytes left)
    int completedStreams() const;          // streams whose last piece the mock has written

private:
    std::unique_ptr<detail::MockState> m_state;
    std::unique_ptr<QThread> m_thread;
    detail::MockServer *m_server = nullptr; // lives in m_thread
    quint16 m_port = 0;
};

} // namespace tarn::test
