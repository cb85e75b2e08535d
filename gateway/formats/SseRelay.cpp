// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/SseRelay.h"

#include "gateway/formats/JsonMembers.h"
#include "gateway/formats/OpenAiResponse.h"

namespace tarn::gateway {

namespace {

// End of the first event in s at or after from: index just past its blank line, or -1.
qsizetype eventEnd(QByteArrayView s, qsizetype from)
{
    for (qsizetype i = s.indexOf('\n', from); i >= 0; i = s.indexOf('\n', i + 1)) {
        if (i + 1 < s.size() && s[i + 1] == '\n')
            return i + 2;
        if (i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n')
            return i + 3;
    }
    return -1;
}

} // namespace

QByteArray SseRelay::feed(QByteArrayView chunk)
{
    QByteArray out;
    QByteArrayView input = chunk;
    if (!m_pending.isEmpty()) {
        m_pending.append(chunk);
        input = m_pending;
    }
    qsizetype start = 0;
    for (qsizetype end = eventEnd(input, start); end >= 0; end = eventEnd(input, start)) {
        processEvent(input.sliced(start, end - start), out);
        start = end;
    }
    if (input.data() == m_pending.constData()) {
        m_pending.remove(0, start);
    } else if (start < input.size()) {
        m_pending = input.sliced(start).toByteArray();
    }
    return out;
}

QByteArray SseRelay::finish()
{
    QByteArray out;
    if (!m_pending.isEmpty()) {
        processEvent(m_pending, out);
        m_pending.clear();
    }
    return out;
}

void SseRelay::processEvent(QByteArrayView event, QByteArray &out)
{
    // OpenAI events are a single `data:` line; find it.
    qsizetype dataAt = event.startsWith("data:") ? 0 : event.indexOf("\ndata:");
    if (dataAt < 0) {
        out.append(event); // comments, keep-alives, named events: untouched
        return;
    }
    if (dataAt > 0)
        ++dataAt;
    qsizetype payloadBegin = dataAt + 5;
    if (payloadBegin < event.size() && event[payloadBegin] == ' ')
        ++payloadBegin;
    qsizetype payloadEnd = event.indexOf('\n', payloadBegin);
    if (payloadEnd < 0)
        payloadEnd = event.size();
    if (payloadEnd > payloadBegin && event[payloadEnd - 1] == '\r')
        --payloadEnd;
    const QByteArrayView payload = event.sliced(payloadBegin, payloadEnd - payloadBegin);

    if (payload == "[DONE]") {
        m_sawDone = true;
        out.append(event);
        return;
    }
    bool usageOnly = false;
    if (payload.contains("\"usage\"")) {
        const JsonSpan span = findTopLevelMember(payload, "usage");
        if (span.found() && payload.sliced(span.begin, span.end - span.begin) != "null") {
            const TokenUsage usage = parseOpenAiUsage(payload.sliced(span.begin, span.end - span.begin));
            if (usage.reported)
                m_usage = usage;
            const JsonSpan choices = findTopLevelMember(payload, "choices");
            usageOnly = choices.found() && payload.sliced(choices.begin, choices.end - choices.begin).trimmed() == "[]";
        }
    }
    if (usageOnly && !m_options.forwardUsageChunk)
        return;
    if (m_options.clientModel.isEmpty()) {
        out.append(event);
        return;
    }
    const JsonSpan model = findTopLevelMember(payload, "model");
    if (!model.found()) {
        out.append(event);
        return;
    }
    out.append(event.first(payloadBegin + model.begin));
    out.append(jsonQuoted(m_options.clientModel));
    out.append(event.sliced(payloadBegin + model.end));
}

} // namespace tarn::gateway
