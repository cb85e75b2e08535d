// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

#include <string>
#include <string_view>

namespace tarn::gateway {

// The events of a Server-Sent Events byte stream, read as the SSE spec reads them, chunk by chunk:
// lines end in LF, CRLF or CR (a CRLF may be split across chunks); a blank line ends an event;
// `event:` names it, `data:` lines are joined with "\n" (one space after the colon dropped);
// comments and other fields are skipped; events without data are not events. Each byte is scanned
// once, and no more than the one partial event is held.
//
//     events.feed(chunk);
//     while (events.next()) use(events.name(), events.data());
class SseEvents
{
public:
    explicit SseEvents(qsizetype maxEventBytes = 1024 * 1024) : m_maxEventBytes(maxEventBytes) {}

    // The next chunk to read; it must stay valid until next() returns false.
    void feed(QByteArrayView chunk);
    // Reads on to the next complete event with data: true when one is ready. False when the chunk
    // is used up or an event grew past the limit (failed()).
    bool next();
    // End of the stream: true when a last event without its blank line had data (it is ready).
    bool finish();

    // The ready event: valid until the next call to next(), feed() or finish().
    std::string_view name() const { return m_name; }
    std::string_view data() const;

    // Offset in the current chunk just past the last event that ended there (with data or not,
    // with the LF of its closing CRLF), or past that LF when it came in a chunk of its own; 0 when
    // neither. The bytes up to it belong to complete events.
    qsizetype eventEnd() const { return m_eventEnd; }
    // An event (or the partial one) grew past maxEventBytes, its line ends and blank line
    // included; nothing more is read.
    bool failed() const { return m_failed; }
    // Events that ended without data so far (comments only, as keep-alives are, or a name
    // alone): next() never returns them, but they say the other end is still there.
    qsizetype dataLessEvents() const { return m_dataLessEvents; }

private:
    enum class LineKind { Field, Blank };
    LineKind readLine(std::string_view line);
    void clearEvent();

    qsizetype m_maxEventBytes;
    QByteArrayView m_chunk;
    qsizetype m_pos = 0;
    qsizetype m_eventEnd = 0;
    qsizetype m_eventBytes = 0; // bytes of the current event so far
    qsizetype m_dataLessEvents = 0;
    std::string m_line;         // the partial line a previous chunk ended in
    std::string m_name;
    std::string m_data;         // each data line followed by "\n"
    bool m_hasData = false;
    bool m_ready = false;       // next() returned the current event: clear it first
    bool m_afterCR = false;     // the last line ended in CR: an LF next completes the CRLF
    bool m_atEventStart = true; // nothing of the current event read yet
    bool m_firstLine = true;    // a UTF-8 byte order mark may start the stream
    bool m_failed = false;
};

} // namespace tarn::gateway
