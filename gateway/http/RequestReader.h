// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/http/HttpLimits.h"
#include "gateway/http/HttpRequest.h"
#include "gateway/http/RequestParser.h"

#include <QByteArray>
#include <QString>

namespace tarn::gateway {

// Turns the bytes of one connection, as they arrive in reads of any size, into requests: the
// framing loop of HttpConnection, kept free of sockets and timers so it can be tested and fuzzed
// split at every byte. Pipelined bytes stay buffered until the request before them is taken.
class RequestReader
{
public:
    enum class Event {
        NeedMore,   // every usable byte is used; call again after append()
        HeaderDone, // head() is valid; the body (if any) has not been read yet
        Complete,   // takeRequest() is valid
        Failed,     // failureStatus()/failureText(); the stream position is lost
    };

    explicit RequestReader(const HttpLimits &limits);
    Q_DISABLE_COPY_MOVE(RequestReader)

    void append(QByteArrayView bytes);
    // Same, adopting the buffer when nothing is pending (a socket's read: no copy, no page faults
    // on a fresh megabyte for a large body).
    void appendAdopting(QByteArray &&bytes);
    // Parses what is buffered. Each call either consumes bytes, reports a new event, or returns
    // NeedMore — it never returns the same non-final event twice without progress.
    Event next();

    const HttpRequest &head() const { return m_parser.head(); }
    HttpRequest &head() { return m_parser.head(); }
    bool expectsContinue() const { return m_parser.expectsContinue(); }
    qint64 contentLength() const { return m_parser.contentLength(); }
    // Body bytes held for the current request: parsed plus still buffered.
    qint64 bufferedBodyBytes() const { return m_parser.bodyBytes() + buffered(); }
    // The complete request; the reader starts on the next one (pipelined bytes included).
    HttpRequest takeRequest();

    int failureStatus() const;
    QString failureText() const { return m_parser.failureText(); }

    qsizetype buffered() const { return m_input.size() - m_offset; }
    void clear();

private:
    RequestParser m_parser;
    QByteArray m_input;
    qsizetype m_offset = 0;
};

} // namespace tarn::gateway
