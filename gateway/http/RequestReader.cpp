// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/RequestReader.h"

namespace tarn::gateway {

RequestReader::RequestReader(const HttpLimits &limits) : m_parser(limits) {}

void RequestReader::append(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_offset == m_input.size()) {
        m_input.clear();
        m_offset = 0;
    } else if (m_offset > 0) {
        // What is left is a partial token (at most a header block): keep the buffer from growing.
        m_input.remove(0, m_offset);
        m_offset = 0;
    }
    m_input.append(bytes);
}

void RequestReader::appendAdopting(QByteArray &&bytes)
{
    if (buffered() == 0) {
        m_input = std::move(bytes);
        m_offset = 0;
        return;
    }
    append(QByteArrayView(bytes));
}

RequestReader::Event RequestReader::next()
{
    if (m_parser.state() == RequestParser::State::Failed)
        return Event::Failed;
    const qsizetype used = m_parser.feed(m_input.constData() + m_offset, buffered());
    m_offset += used;
    if (m_offset == m_input.size()) {
        m_input.clear();
        m_offset = 0;
    }
    switch (m_parser.state()) {
    case RequestParser::State::NeedMore: return Event::NeedMore;
    case RequestParser::State::HeaderDone: return Event::HeaderDone;
    case RequestParser::State::Complete: return Event::Complete;
    case RequestParser::State::Failed: return Event::Failed;
    }
    return Event::Failed;
}

HttpRequest RequestReader::takeRequest()
{
    HttpRequest request = m_parser.takeRequest();
    m_parser.reset();
    return request;
}

int RequestReader::failureStatus() const
{
    switch (m_parser.failure()) {
    case RequestParser::Failure::BodyTooLarge: return 413;
    case RequestParser::Failure::HeaderTooLarge: return 431;
    default: return 400;
    }
}

void RequestReader::clear()
{
    m_input.clear();
    m_offset = 0;
    m_parser.reset();
}

} // namespace tarn::gateway
