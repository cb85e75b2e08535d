// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/SseEvents.h"

namespace tarn::gateway {

void SseEvents::feed(QByteArrayView chunk)
{
    if (m_ready)
        clearEvent();
    m_chunk = chunk;
    m_pos = 0;
    m_eventEnd = 0;
}

std::string_view SseEvents::data() const
{
    // Every data line was stored with its "\n"; the last one is not part of the data.
    return m_data.empty() ? std::string_view() : std::string_view(m_data.data(), m_data.size() - 1);
}

void SseEvents::clearEvent()
{
    m_name.clear();
    m_data.clear();
    m_hasData = false;
    m_ready = false;
}

bool SseEvents::next()
{
    if (m_ready)
        clearEvent();
    if (m_failed)
        return false;
    const char *const bytes = m_chunk.data();
    const qsizetype size = m_chunk.size();
    while (m_pos < size) {
        if (m_afterCR) {
            m_afterCR = false;
            if (bytes[m_pos] == '\n') { // the LF of a CRLF: the line ended at the CR
                ++m_pos;
                if (m_atEventStart) {
                    m_eventEnd = m_pos; // it closed the last event, whichever chunk it came in
                } else if (++m_eventBytes > m_maxEventBytes) {
                    m_failed = true;
                    return false;
                }
                continue;
            }
        }
        qsizetype end = m_pos;
        while (end < size && bytes[end] != '\n' && bytes[end] != '\r')
            ++end;
        // The line end counts too: a line that ends here is (end - m_pos + 1) bytes.
        m_eventBytes += end - m_pos + (end < size ? 1 : 0);
        if (m_eventBytes > m_maxEventBytes) {
            m_failed = true;
            m_line.clear();
            clearEvent();
            return false;
        }
        if (end > m_pos)
            m_atEventStart = false;
        if (end == size) {
            m_line.append(bytes + m_pos, std::size_t(end - m_pos));
            m_pos = size;
            break;
        }
        std::string_view line(bytes + m_pos, std::size_t(end - m_pos));
        if (!m_line.empty()) {
            m_line.append(line);
            line = m_line;
        }
        m_afterCR = bytes[end] == '\r';
        m_pos = end + 1;
        const LineKind kind = readLine(line);
        m_line.clear();
        if (kind == LineKind::Field)
            m_atEventStart = false;
        if (kind == LineKind::Blank) {
            // A CRLF's LF already here goes with its event (a client splitting on LF alone would
            // otherwise wait for it); one that comes later is skipped above.
            m_eventEnd = m_afterCR && m_pos < size && bytes[m_pos] == '\n' ? m_pos + 1 : m_pos;
            if (!m_hasData && !m_atEventStart)
                ++m_dataLessEvents;
            m_atEventStart = true;
            m_eventBytes = 0;
            if (m_hasData) {
                m_ready = true;
                return true;
            }
            clearEvent(); // a name without data, or only comments: not an event
        }
    }
    return false;
}

bool SseEvents::finish()
{
    if (m_ready)
        clearEvent();
    m_chunk = {};
    m_pos = 0;
    m_eventEnd = 0;
    if (m_failed)
        return false;
    if (!m_line.empty()) {
        readLine(m_line);
        m_line.clear();
    }
    m_eventBytes = 0;
    m_afterCR = false;
    if (m_hasData) {
        m_ready = true;
        return true;
    }
    clearEvent();
    return false;
}

SseEvents::LineKind SseEvents::readLine(std::string_view line)
{
    if (m_firstLine) {
        m_firstLine = false;
        if (line.substr(0, 3) == "\xEF\xBB\xBF")
            line.remove_prefix(3);
    }
    if (line.empty())
        return LineKind::Blank;
    if (line.front() == ':')
        return LineKind::Field; // a comment: keep-alives and the like
    std::string_view field = line;
    std::string_view value;
    if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
    }
    if (field == "data") {
        m_data.append(value);
        m_data.push_back('\n');
        m_hasData = true;
    } else if (field == "event") {
        m_name.assign(value);
    }
    return LineKind::Field;
}

} // namespace tarn::gateway
