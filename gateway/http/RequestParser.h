// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/http/HttpLimits.h"
#include "gateway/http/HttpRequest.h"

#include <memory>

namespace tarn::gateway {

// Incremental HTTP/1.1 request parser: Boost.Beast's request_parser behind a small interface, so
// only one translation unit pays for Beast's headers.
class RequestParser
{
public:
    enum class State { NeedMore, HeaderDone, Complete, Failed };
    enum class Failure { None, BadRequest, HeaderTooLarge, BodyTooLarge };

    explicit RequestParser(const HttpLimits &limits);
    ~RequestParser();
    Q_DISABLE_COPY_MOVE(RequestParser)

    // Starts a new message (one parser per message, as Beast requires).
    void reset();
    // Parses as much of [data, data+size) as possible and returns how many bytes it used. Stops
    // once after the header (State::HeaderDone, reported for every request, bodiless ones too)
    // so the caller can authenticate, answer `Expect: 100-continue` or refuse the body; the next
    // feed() continues with the body. NeedMore means every byte that can be used was used: what
    // is left (a partial header, chunk-size line or CRLF) needs more input before it parses.
    qsizetype feed(const char *data, qsizetype size);

    State state() const { return m_state; }
    Failure failure() const { return m_failure; }
    QString failureText() const { return m_failureText; }
    bool expectsContinue() const;
    bool inProgress() const { return m_started; }

    // The request line and headers, body still empty (valid from State::HeaderDone on).
    const HttpRequest &head() const { return m_head; }
    HttpRequest &head() { return m_head; } // the caller adds what the wire does not say (peer)
    // The declared Content-Length, or -1 (chunked, or no body framing yet).
    qint64 contentLength() const;
    // Body bytes parsed so far.
    qint64 bodyBytes() const;

    // Moves the parsed message out (valid once state() is Complete).
    HttpRequest takeRequest();

private:
    void captureHead();
    qsizetype parse(const char *data, qsizetype size);
    bool scanHeader(const char *data, qsizetype size);
    bool failBadLineEnd();
    bool fail(Failure failure, const QString &text);
    bool checkFraming();

    struct Impl;
    std::unique_ptr<Impl> m_impl;
    HttpLimits m_limits;
    State m_state = State::NeedMore;
    Failure m_failure = Failure::None;
    QString m_failureText;
    HttpRequest m_head;
    qsizetype m_headerScanned = 0;  // header bytes already checked (the block is fed whole)
    struct LineEnds
    {
        bool afterCR = false;
        bool atLineStart = false; // the request line is never empty: no blank line before it
        bool headerEnded = false;
    } m_lines;
    bool m_started = false;
};

} // namespace tarn::gateway
