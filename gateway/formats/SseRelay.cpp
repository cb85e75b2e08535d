// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/SseRelay.h"

#include "gateway/core/Redaction.h"
#include "gateway/formats/ErrorResponse.h"

#include "gateway/formats/JsonMembers.h"
#include "gateway/formats/OpenAiResponse.h"

#include <simdjson.h>

#include <array>
#include <string_view>

namespace tarn::gateway {

QByteArray SseRelay::feed(QByteArrayView chunk)
{
    QByteArray out;
    if (m_failed || chunk.isEmpty())
        return out;
    QByteArrayView input = chunk;
    qsizetype i = 0; // bytes before i were scanned already, with the line state in m_atLineStart/m_afterCR
    if (!m_pending.isEmpty()) {
        i = m_pending.size();
        m_pending.append(chunk);
        input = m_pending;
    }
    const qsizetype size = input.size();
    const char *const data = input.data();
    qsizetype eventStart = 0;
    for (; i < size; ++i) {
        const char c = data[i];
        if (c != '\n' && c != '\r') {
            m_atLineStart = false;
            m_afterCR = false;
            continue;
        }
        if (c == '\n' && m_afterCR) { // the LF of a CRLF: the line ended at the CR
            m_afterCR = false;
            continue;
        }
        m_afterCR = c == '\r';
        if (!m_atLineStart) {
            m_atLineStart = true;
            continue;
        }
        // A blank line: the event ends after this line end (a CRLF's LF included when it is here;
        // when it comes with the next chunk it is skipped there as m_afterCR says).
        qsizetype end = i + 1;
        if (c == '\r' && end < size && data[end] == '\n') {
            ++end;
            m_afterCR = false;
        }
        if (end - eventStart > m_options.maxEventBytes) {
            m_failed = true;
            break;
        }
        processEvent(input.sliced(eventStart, end - eventStart), out);
        eventStart = end;
        i = end - 1;
    }
    if (!m_failed && size - eventStart > m_options.maxEventBytes)
        m_failed = true;
    if (m_failed) {
        m_pending.clear();
        return out;
    }
    if (input.data() == m_pending.constData())
        m_pending.remove(0, eventStart);
    else if (eventStart < size)
        m_pending = input.sliced(eventStart).toByteArray();
    return out;
}

QByteArray SseRelay::finish()
{
    QByteArray out;
    if (!m_pending.isEmpty() && !m_failed) {
        processEvent(m_pending, out);
        m_pending.clear();
    }
    return out;
}

void SseRelay::processEvent(QByteArrayView event, QByteArray &out)
{
    // OpenAI events carry a single `data:` line; find it, whatever the line ends.
    qsizetype payloadBegin = -1;
    qsizetype payloadEnd = -1;
    for (qsizetype line = 0; line < event.size();) {
        qsizetype lineEnd = line;
        while (lineEnd < event.size() && event[lineEnd] != '\n' && event[lineEnd] != '\r')
            ++lineEnd;
        if (lineEnd > line && event.sliced(line, lineEnd - line).startsWith("data:")) {
            payloadBegin = line + 5;
            if (payloadBegin < lineEnd && event[payloadBegin] == ' ')
                ++payloadBegin;
            payloadEnd = lineEnd;
            break;
        }
        line = lineEnd + 1;
    }
    if (payloadBegin < 0) {
        out.append(event); // comments, keep-alives, named events: untouched
        return;
    }
    const QByteArrayView payload = event.sliced(payloadBegin, payloadEnd - payloadBegin);
    if (m_firstData.isNull()) {
        m_firstData = payload.first(std::min<qsizetype>(payload.size(), 64 * 1024)).toByteArray();
        if (m_firstData.isNull())
            m_firstData = QByteArray(""); // an empty data line is data too
    }

    if (payload == "[DONE]") {
        m_sawDone = true;
        out.append(event);
        return;
    }
    // Where the members that matter first occur, in one pass over the event's quotes.
    enum : std::size_t { FinishReason, Error, ToolCalls, Content, Usage };
    static constexpr std::array<std::string_view, 5> kNames{"finish_reason", "error", "tool_calls", "content", "usage"};
    const std::array<qsizetype, 5> at = jsonscan::findQuoted(payload, kNames);
    if (!m_sawFinish && at[FinishReason] >= 0) {
        // A choice that finished ("finish_reason":"stop", …): the answer is complete even if the
        // upstream never sends [DONE].
        qsizetype i = at[FinishReason] + 15;
        while (i < payload.size() && (payload[i] == ' ' || payload[i] == ':' || payload[i] == '\t'))
            ++i;
        m_sawFinish = i < payload.size() && payload[i] == '"';
    }
    if (at[Error] >= 0 && findTopLevelMember(payload, "error").found()) {
        if (m_errorPayload.isEmpty())
            m_errorPayload = payload.first(std::min<qsizetype>(payload.size(), 4096)).toByteArray();
        if (!m_options.secrets.isEmpty()) {
            // Providers quote the key they refused: the event goes out redacted.
            out.append(redactSecrets(event.toByteArray(), m_options.secrets));
            return;
        }
    }
    if (m_options.collectContentBytes > 0 && !m_sawToolCalls) {
        if (at[ToolCalls] >= 0) {
            m_sawToolCalls = true;
            m_content.clear();
        } else if (m_content.size() < m_options.collectContentBytes && at[Content] >= 0) {
            thread_local simdjson::dom::parser parser;
            simdjson::dom::element doc;
            simdjson::dom::array choices;
            if (!parser.parse(payload.data(), std::size_t(payload.size())).get(doc) && !doc["choices"].get(choices)) {
                for (const simdjson::dom::element choice : choices) {
                    std::string_view text;
                    if (!choice["delta"]["content"].get(text))
                        m_content += QString::fromUtf8(text.data(), qsizetype(text.size()));
                }
            }
        }
    }
    bool usageOnly = false;
    if (at[Usage] >= 0) {
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

QByteArray SseRelay::errorEvent(int status, const QString &message, QByteArrayView code) const
{
    return "data: " + errorBody(ApiFormat::OpenAI, status, message, code) + "\n\n";
}

} // namespace tarn::gateway
