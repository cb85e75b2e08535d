// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/StreamTranslator.h"

#include "gateway/core/Redaction.h"
#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/JsonMembers.h"

#include <algorithm>

namespace tarn::gateway {

namespace {

constexpr qsizetype kFirstDataBytes = 64 * 1024;
constexpr qsizetype kErrorPayloadBytes = 4 * 1024;

QByteArray cut(std::string_view bytes, qsizetype max)
{
    const qsizetype size = std::min(qsizetype(bytes.size()), max);
    return size == 0 ? QByteArray("") : QByteArray(bytes.data(), size); // "" is data too, not null
}

} // namespace

StreamTranslator::StreamTranslator(Options options)
    : m_options(std::move(options))
    , m_decoder(codecFor(m_options.from).newStreamDecoder())
    , m_sse(m_options.maxEventBytes)
{
    if (!m_options.passThrough)
        m_encoder = codecFor(m_options.to).newStreamEncoder(StreamEncoderOptions{m_options.includeUsage, m_options.request});
}

StreamTranslator::~StreamTranslator() = default;

QByteArray StreamTranslator::feed(QByteArrayView chunk)
{
    QByteArray out;
    if (m_failed || m_finished || chunk.isEmpty())
        return out;
    m_sse.feed(chunk);
    qsizetype rawFrom = 0; // passing through: chunk bytes before it have gone out
    const auto passRaw = [&](qsizetype to) { // the bytes of the events that ended before `to`
        if (to <= rawFrom)
            return;
        if (!m_raw.isEmpty()) {
            out.append(m_raw);
            m_raw.clear();
        }
        out.append(chunk.sliced(rawFrom, to - rawFrom));
        rawFrom = to;
    };
    while (m_sse.next()) {
        passOnKeepAlives(out); // the comments before this event, in their place
        const QByteArray replacement = handleEvent(m_sse.name(), m_sse.data(), out);
        if (!m_options.passThrough)
            continue;
        const bool rename = std::exchange(m_renameThis, false);
        if (rename || std::exchange(m_redactThis, false)) {
            const QByteArray raw = m_raw + chunk.sliced(rawFrom, m_sse.eventEnd() - rawFrom).toByteArray();
            m_raw.clear();
            rawFrom = m_sse.eventEnd();
            out.append(rename ? renamedMessageStart(raw, m_sse.data()) : redactSecrets(raw, m_options.secrets));
            continue;
        }
        if (replacement.isNull() && !m_ended) {
            passRaw(m_sse.eventEnd());
            continue;
        }
        // The event's bytes (and anything held before it) are replaced, or dropped after the
        // client's stream ended with an error event.
        m_raw.clear();
        rawFrom = m_sse.eventEnd();
        out.append(replacement);
    }
    if (m_options.passThrough && !m_ended)
        passRaw(m_sse.eventEnd()); // comments and other events without data
    passOnKeepAlives(out); // comments after the last event
    if (m_sse.failed()) {
        m_failed = true;
        m_raw.clear();
        return out;
    }
    if (m_options.passThrough && !m_ended)
        m_raw.append(chunk.sliced(rawFrom));
    return out;
}

QByteArray StreamTranslator::finish()
{
    QByteArray out;
    if (m_failed || m_finished)
        return out;
    m_finished = true;
    const QByteArray held = std::exchange(m_raw, {});
    if (m_sse.finish()) {
        const QByteArray replacement = handleEvent(m_sse.name(), m_sse.data(), out);
        if (m_options.passThrough && std::exchange(m_renameThis, false))
            out.append(renamedMessageStart(held, m_sse.data()));
        else if (m_options.passThrough && std::exchange(m_redactThis, false))
            out.append(redactSecrets(held, m_options.secrets));
        else if (m_options.passThrough)
            out.append(replacement.isNull() ? held : replacement);
    } else if (m_options.passThrough && !m_ended) {
        out.append(held);
    }
    if (m_decoder) {
        m_events.clear();
        m_decoder->end(m_events);
        handleIrEvents({}, out);
    }
    if (m_encoder && !m_ended) {
        m_encoder->end(m_encoded);
        out.append(m_encoded.data(), qsizetype(m_encoded.size()));
        m_encoded.clear();
    }
    return out;
}

// The upstream's keep-alive comments reach the client as its own format's keep-alive, one for
// one and in their place among the events, however the bytes were split.
void StreamTranslator::passOnKeepAlives(QByteArray &out)
{
    const qsizetype seen = std::exchange(m_dataLessSeen, m_sse.dataLessEvents());
    if (m_options.passThrough)
        return; // their own bytes go through
    for (qsizetype i = seen; i < m_dataLessSeen && !m_ended; ++i) {
        m_events.clear();
        m_events.emplace_back().kind = ir::StreamEvent::Kind::KeepAlive;
        handleIrEvents({}, out);
    }
}

QByteArray StreamTranslator::handleEvent(std::string_view name, std::string_view data, QByteArray &out)
{
    if (m_firstData.isNull())
        m_firstData = cut(data, kFirstDataBytes);
    if (!m_decoder || m_ended)
        return {};
    m_events.clear();
    m_decoder->decode(name, data, m_events);
    handleIrEvents(data, out);
    if (!m_options.passThrough)
        return {};
    for (const ir::StreamEvent &event : m_events) {
        if (event.kind == ir::StreamEvent::Kind::Error && !m_options.secrets.isEmpty())
            m_redactThis = true; // the caller has the event's bytes: they go out redacted
        if (event.kind == ir::StreamEvent::Kind::Start && !m_options.clientModel.empty()
            && m_options.from == ApiFormat::Anthropic)
            m_renameThis = true; // the caller has the event's bytes

    }
    return {};
}

QByteArray StreamTranslator::renamedMessageStart(const QByteArray &raw, std::string_view data) const
{
    // {"type":"message_start","message":{…,"model":"upstream-name",…}}: only the name changes, in
    // the event's own bytes (line ends and all).
    const QByteArrayView event(data.data(), qsizetype(data.size()));
    const qsizetype at = raw.indexOf(event);
    const JsonSpan message = findTopLevelMember(event, "message");
    if (at < 0 || !message.found() || event.at(message.begin) != '{')
        return raw;
    const QByteArrayView inner = event.sliced(message.begin, message.end - message.begin);
    const JsonSpan model = findTopLevelMember(inner, "model");
    if (!model.found() || inner.at(model.begin) != '"')
        return raw; // only a name is renamed; anything else is the upstream's to answer for
    return spliced(raw, {at + message.begin + model.begin, at + message.begin + model.end},
                   jsonQuoted(QString::fromStdString(m_options.clientModel)));
}

void StreamTranslator::handleIrEvents(std::string_view data, QByteArray &out)
{
    for (ir::StreamEvent &event : m_events) {
        observe(event, data);
        if (m_options.collectAnswer)
            collect(event); // as the client sees it (ids and model renamed)
        if (event.kind == ir::StreamEvent::Kind::Error && !m_options.secrets.isEmpty()) {
            const QString message = QString::fromStdString(event.error.message);
            event.error.message = redactSecrets(message, m_options.secrets).toStdString();
        }
        if (!m_encoder || m_ended)
            continue;
        m_encoder->encode(event, m_encoded);
        if (event.kind == ir::StreamEvent::Kind::Error)
            m_ended = true; // its error event was the end of the client's stream
    }
    if (!m_encoded.empty()) {
        out.append(m_encoded.data(), qsizetype(m_encoded.size()));
        m_encoded.clear();
    }
}

void StreamTranslator::observe(ir::StreamEvent &event, std::string_view data)
{
    using Kind = ir::StreamEvent::Kind;
    switch (event.kind) {
    case Kind::Start:
        if (!m_options.clientModel.empty())
            event.model = m_options.clientModel;
        // A Responses client may continue this answer by its id: one of Tarn's own when the
        // upstream's is not a Responses id (passing through, the client has the upstream's).
        if (m_options.to == ApiFormat::Responses && !m_options.passThrough && !event.id.starts_with("resp_"))
            event.id = ir::newId("resp_");
        // The client's usage must not say the prompt was free until the upstream tells.
        if (!event.usage.reported && event.usage.input == 0)
            event.usage.input = m_options.estimatedInputTokens;
        m_usage.prompt = event.usage.input;
        m_usage.cached = event.usage.cacheRead;
        if (event.usage.reported) {
            m_usage.completion = event.usage.output;
            m_usage.reasoning = event.usage.reasoning;
            m_usage.reported = true;
        }
        break;
    case Kind::PartStart:
        if (event.index >= 0 && event.index < 4096) {
            if (std::size_t(event.index) >= m_partKinds.size())
                m_partKinds.resize(std::size_t(event.index) + 1, ir::Part::Kind::Text);
            m_partKinds[std::size_t(event.index)] = event.partKind;
        }
        if (event.partKind == ir::Part::Kind::ToolCall)
            m_sawToolCalls = true;
        break;
    case Kind::PartDelta:
        if (m_options.collectContentBytes > 0 && m_content.size() < m_options.collectContentBytes
            && event.index >= 0 && std::size_t(event.index) < m_partKinds.size()
            && m_partKinds[std::size_t(event.index)] == ir::Part::Kind::Text)
            m_content += QString::fromUtf8(event.text.data(), qsizetype(event.text.size()));
        break;
    case Kind::PartStop:
    case Kind::KeepAlive:
        break;
    case Kind::Finish:
        m_sawFinish = true;
        if (event.usage.reported) {
            // Finish has the totals as known; a side it does not know keeps what Start said.
            if (event.usage.input > 0)
                m_usage.prompt = event.usage.input;
            if (event.usage.cacheRead > 0)
                m_usage.cached = event.usage.cacheRead;
            m_usage.completion = event.usage.output;
            m_usage.reasoning = event.usage.reasoning;
            m_usage.reported = true;
        }
        break;
    case Kind::Error:
        if (m_errorPayload.isEmpty())
            m_errorPayload = cut(data, kErrorPayloadBytes);
        break;
    }
}

// The answer as IR, part by part: what a Responses client may continue by previous_response_id.
void StreamTranslator::collect(const ir::StreamEvent &event)
{
    using Kind = ir::StreamEvent::Kind;
    const auto part = [this](int index) -> ir::Part * {
        if (index < 0 || std::size_t(index) >= m_answerParts.size() || m_answerParts[std::size_t(index)] < 0)
            return nullptr;
        return &m_answer.parts[std::size_t(m_answerParts[std::size_t(index)])];
    };
    switch (event.kind) {
    case Kind::Start:
        m_answer.id = event.id;
        m_answer.model = event.model;
        break;
    case Kind::PartStart: {
        if (event.index < 0 || event.index >= 4096)
            break;
        if (std::size_t(event.index) >= m_answerParts.size())
            m_answerParts.resize(std::size_t(event.index) + 1, -1);
        ir::Part added;
        added.kind = event.partKind;
        added.id = event.id;
        added.name = event.name;
        added.custom = event.custom;
        if (event.partKind == ir::Part::Kind::RedactedThinking)
            added.text = event.text;
        m_answerParts[std::size_t(event.index)] = int(m_answer.parts.size());
        m_answer.parts.push_back(std::move(added));
        break;
    }
    case Kind::PartDelta:
        if (ir::Part *target = part(event.index)) {
            (target->kind == ir::Part::Kind::ToolCall ? target->arguments : target->text) += event.text;
            if (!event.signature.empty()) {
                target->signature = event.signature;
                target->openAiEncrypted = event.openAiEncrypted;
            }
        }
        break;
    case Kind::Finish:
        m_answer.stop = event.stop;
        m_answer.usage = event.usage;
        for (ir::Part &each : m_answer.parts) {
            if (each.kind == ir::Part::Kind::ToolCall && each.arguments.empty())
                each.arguments = "{}";
        }
        break;
    case Kind::PartStop:
    case Kind::Error:
    case Kind::KeepAlive:
        break;
    }
}

QByteArray StreamTranslator::errorEvent(int status, const QString &message, QByteArrayView code) const
{
    ir::StreamEvent event;
    event.kind = ir::StreamEvent::Kind::Error;
    event.error.status = status;
    event.error.kind = ir::errorKindForStatus(status);
    event.error.message = redactSecrets(message, m_options.secrets).toStdString();
    event.error.code = std::string(code.data(), std::size_t(code.size()));
    if (m_encoder && !m_ended) {
        // The stream's own encoder: the failure continues the stream (Responses events carry the
        // response's id and a sequence number); the exchange ends the stream after it.
        std::string out;
        m_encoder->encode(event, out);
        return QByteArray(out.data(), qsizetype(out.size()));
    }
    const std::unique_ptr<StreamEncoder> encoder
        = codecFor(m_options.to).newStreamEncoder(StreamEncoderOptions{m_options.includeUsage, m_options.request});
    if (!encoder) { // a codec without a stream encoder: the format's error body as one event
        const QByteArray body = errorBody(m_options.to, event.error);
        const QByteArray prefix = m_options.to == ApiFormat::Anthropic ? "event: error\ndata: " : "data: ";
        return prefix + body + "\n\n";
    }
    std::string out;
    encoder->encode(event, out);
    return QByteArray(out.data(), qsizetype(out.size()));
}

} // namespace tarn::gateway
