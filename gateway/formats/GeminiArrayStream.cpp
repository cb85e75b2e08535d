// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiArrayStream.h"

#include "gateway/formats/JsonMembers.h"

#include <QByteArrayList>

namespace tarn::gateway {

namespace {

// The inner pipe has already held each event to its own limit; what it writes may be larger
// (escaped, renamed), so the re-framing reads with room to spare.
constexpr qsizetype kMaxReframedEventBytes = 8 * 1024 * 1024;

} // namespace

bool geminiWantsSse(QByteArrayView target)
{
    const qsizetype question = target.indexOf('?');
    if (question < 0)
        return false;
    // The last alt= counts, as Google's front end reads repeated parameters.
    bool sse = false;
    for (const QByteArrayView parameter : target.sliced(question + 1).toByteArray().split('&')) {
        if (parameter.startsWith("alt="))
            sse = QByteArray::fromPercentEncoding(parameter.sliced(4).toByteArray()) == "sse";
    }
    return sse;
}

GeminiArrayStream::GeminiArrayStream(std::unique_ptr<StreamPipe> geminiSse)
    : m_inner(std::move(geminiSse)), m_events(kMaxReframedEventBytes)
{
}

GeminiArrayStream::~GeminiArrayStream() = default;

QByteArray GeminiArrayStream::feed(QByteArrayView chunk)
{
    QByteArray out;
    if (m_closed)
        return out;
    reframe(m_inner->feed(chunk), false, out);
    return out;
}

QByteArray GeminiArrayStream::finish()
{
    QByteArray out;
    if (m_closed)
        return out;
    reframe(m_inner->finish(), true, out);
    if (!m_closed && m_inner->sawFinish() && !m_inner->failed()) {
        out.append(closing());
        m_closed = true;
    }
    return out;
}

void GeminiArrayStream::reframe(const QByteArray &sse, bool last, QByteArray &out)
{
    if (!sse.isEmpty()) {
        m_events.feed(sse); // `sse` outlives the loop
        while (!m_closed && m_events.next())
            appendElement(m_events.data(), out);
    }
    if (last && !m_closed && m_events.finish())
        appendElement(m_events.data(), out);
}

void GeminiArrayStream::appendElement(std::string_view json, QByteArray &out)
{
    const QByteArrayView element(json.data(), qsizetype(json.size()));
    out.append(m_opened ? QByteArrayView(",\r\n") : QByteArrayView("["));
    m_opened = true;
    out.append(element);
    // An error element is the stream's last: the array ends with it, whatever the upstream sends on.
    if (findTopLevelMember(element, "error").found()) {
        out.append(']');
        m_closed = true;
    }
}

QByteArray GeminiArrayStream::closing() const
{
    return m_opened ? QByteArrayLiteral("]") : QByteArrayLiteral("[]");
}

QByteArray GeminiArrayStream::errorEvent(int status, const QString &message, QByteArrayView code) const
{
    if (m_closed)
        return {};
    // The inner pipe writes the error as a Gemini SSE event: its data is the element.
    SseEvents events(kMaxReframedEventBytes);
    const QByteArray sse = m_inner->errorEvent(status, message, code);
    events.feed(sse);
    if (!events.next() && !events.finish())
        return closing();
    const std::string_view data = events.data();
    return (m_opened ? QByteArrayLiteral(",\r\n") : QByteArrayLiteral("[")) + QByteArrayView(data.data(), qsizetype(data.size()))
        + ']';
}

QByteArray GeminiArrayStream::contentType() const
{
    return QByteArrayLiteral("application/json");
}

} // namespace tarn::gateway
