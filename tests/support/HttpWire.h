// SPDX-License-Identifier: GPL-3.0-or-later
// Small HTTP/1.1 framing helpers shared by the mock upstream and the test client (test code only).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace tarn::test::wire {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// First value of a header, case-insensitive name match; empty when absent.
QByteArray headerValue(const Headers &headers, QByteArrayView name);

// Parses "Name: value" lines separated by CRLF (no start line, no final blank line).
bool parseHeaderLines(QByteArrayView block, Headers &out);

// Standard reason phrase for a status code ("Unknown" when not listed).
QByteArray reasonPhrase(int status);

// Incremental decoder for Transfer-Encoding: chunked bodies.
class ChunkedDecoder
{
public:
    enum class Status { NeedMore, Done, Error };

    // Consumes what it can from the front of `in`, appending decoded bytes to `out`.
    Status feed(QByteArray &in, QByteArray &out);
    void reset() { m_state = State::Size; m_remaining = 0; }

private:
    enum class State { Size, Data, DataCrlf, Trailer };
    State m_state = State::Size;
    qint64 m_remaining = 0;
};

// Frames `data` as one chunk of a chunked body.
QByteArray chunk(QByteArrayView data);

} // namespace tarn::test::wire
