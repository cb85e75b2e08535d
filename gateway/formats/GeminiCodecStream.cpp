// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiCodec.h"

#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/GeminiCodecInternal.h"

// streamGenerateContent?alt=sse: every event is `data: {GenerateContentResponse}`, with no event
// names and no terminator; the chunk with a finishReason is the last one.

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using gemini::member;
using gemini::stringMember;

std::string_view trimmed(std::string_view text)
{
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && space(text.back()))
        text.remove_suffix(1);
    return text;
}

// Google's chunks → IR events. Text runs are kept open across chunks (one IR part however many
// chunks carry it); function calls come whole, so each is a complete part at once.
class GeminiStreamDecoder final : public StreamDecoder
{
public:
    void decode(std::string_view, std::string_view data, std::vector<ir::StreamEvent> &out) override
    {
        if (m_failed)
            return;
        data = trimmed(data);
        if (data.empty() || data == "[DONE]")
            return;
        gemini::Document document;
        if (document.parse(data))
            return; // malformed events are skipped
        ir::StreamEvent error;
        error.kind = ir::StreamEvent::Kind::Error;
        if (gemini::apiErrorOf(document.root(), 0, error.error)) {
            m_failed = true;
            out.push_back(std::move(error));
            return;
        }
        array chunks;
        object chunk;
        if (!document.root().get(chunks)) {
            for (const element item : chunks) {
                if (!item.get(chunk))
                    decodeChunk(chunk, out);
            }
        } else if (!document.root().get(chunk)) {
            decodeChunk(chunk, out);
        }
    }

    void end(std::vector<ir::StreamEvent> &out) override
    {
        if (!m_failed)
            stopOpenPart(out);
    }

private:
    void decodeChunk(object chunk, std::vector<ir::StreamEvent> &out)
    {
        if (m_finished)
            return; // usage that comes after the finish is lost (Google sends it with the finish)
        element value;
        object usage;
        if (member(chunk, "usageMetadata", "usage_metadata", value) && !value.get(usage))
            m_usage = gemini::usageOf(usage);
        if (!m_started) {
            ir::StreamEvent start;
            start.kind = ir::StreamEvent::Kind::Start;
            start.id = std::string(stringMember(chunk, "responseId", "response_id"));
            start.model = std::string(stringMember(chunk, "modelVersion", "model_version"));
            if (m_usage.reported) {
                start.usage.input = m_usage.input;
                start.usage.cacheRead = m_usage.cacheRead;
                start.usage.reported = true;
            }
            out.push_back(std::move(start));
            m_started = true;
        }
        object candidate;
        if (!gemini::firstCandidate(chunk, candidate)) {
            object feedback;
            if (member(chunk, "promptFeedback", "prompt_feedback", value) && !value.get(feedback)
                && !stringMember(feedback, "blockReason", "block_reason").empty())
                finish(ir::StopReason::ContentFilter, out);
            return;
        }
        object content;
        array parts;
        if (member(candidate, "content", value) && !value.get(content) && member(content, "parts", value)
            && !value.get(parts)) {
            for (const element item : parts) {
                object part;
                if (!item.get(part))
                    decodePart(part, out);
            }
        }
        const std::string_view reason = stringMember(candidate, "finishReason", "finish_reason");
        if (!reason.empty() && reason != "FINISH_REASON_UNSPECIFIED")
            finish(gemini::stopReasonOf(reason, m_calledFunction), out);
    }

    void decodePart(object part, std::vector<ir::StreamEvent> &out)
    {
        element value;
        const std::string_view signature = stringMember(part, "thoughtSignature", "thought_signature");
        std::string_view text;
        if (member(part, "text", value) && !value.get(text)) {
            bool thought = false;
            if (member(part, "thought", value) && value.get(thought))
                thought = false;
            if (thought) {
                if (m_openKind != ir::Part::Kind::Thinking || m_open < 0)
                    startPart(ir::Part::Kind::Thinking, out);
                delta(text, {}, out);
                delta({}, signature, out);
                return;
            }
            // The signature of thoughts may come on the answer's first text.
            if (m_open >= 0 && m_openKind == ir::Part::Kind::Thinking)
                delta({}, signature, out);
            if (text.empty())
                return;
            if (m_openKind != ir::Part::Kind::Text || m_open < 0)
                startPart(ir::Part::Kind::Text, out);
            delta(text, {}, out);
            return;
        }
        object call;
        if (!member(part, "functionCall", "function_call", value) || value.get(call))
            return; // inlineData, executableCode…: no IR answer part says them
        const std::string_view name = stringMember(call, "name");
        if (name.empty())
            return;
        stopOpenPart(out);
        const std::string_view id = stringMember(call, "id");
        ir::StreamEvent start;
        start.kind = ir::StreamEvent::Kind::PartStart;
        start.index = m_nextIndex++;
        start.partKind = ir::Part::Kind::ToolCall;
        start.id = id.empty() ? ir::newId("call_") : std::string(id);
        start.name = std::string(name);
        start.signature = std::string(signature);
        const int index = start.index;
        out.push_back(std::move(start));
        ir::StreamEvent arguments;
        arguments.kind = ir::StreamEvent::Kind::PartDelta;
        arguments.index = index;
        arguments.text = member(call, "args", value) && value.is_object() ? simdjson::minify(value) : std::string("{}");
        out.push_back(std::move(arguments));
        ir::StreamEvent stop;
        stop.kind = ir::StreamEvent::Kind::PartStop;
        stop.index = index;
        out.push_back(std::move(stop));
        m_calledFunction = true;
    }

    void startPart(ir::Part::Kind kind, std::vector<ir::StreamEvent> &out)
    {
        stopOpenPart(out);
        ir::StreamEvent start;
        start.kind = ir::StreamEvent::Kind::PartStart;
        start.index = m_open = m_nextIndex++;
        start.partKind = m_openKind = kind;
        out.push_back(std::move(start));
    }

    // One delta on the open part; nothing when there is nothing to say.
    void delta(std::string_view text, std::string_view signature, std::vector<ir::StreamEvent> &out)
    {
        if (text.empty() && signature.empty())
            return;
        ir::StreamEvent event;
        event.kind = ir::StreamEvent::Kind::PartDelta;
        event.index = m_open;
        event.text = std::string(text);
        event.signature = std::string(signature);
        out.push_back(std::move(event));
    }

    void stopOpenPart(std::vector<ir::StreamEvent> &out)
    {
        if (m_open < 0)
            return;
        ir::StreamEvent stop;
        stop.kind = ir::StreamEvent::Kind::PartStop;
        stop.index = m_open;
        out.push_back(std::move(stop));
        m_open = -1;
    }

    void finish(ir::StopReason reason, std::vector<ir::StreamEvent> &out)
    {
        stopOpenPart(out);
        ir::StreamEvent finish;
        finish.kind = ir::StreamEvent::Kind::Finish;
        finish.stop = reason;
        finish.usage = m_usage;
        out.push_back(std::move(finish));
        m_finished = true;
    }

    ir::Usage m_usage; // the latest usageMetadata
    int m_open = -1;   // the open text or thinking part
    ir::Part::Kind m_openKind = ir::Part::Kind::Text;
    int m_nextIndex = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_calledFunction = false;
};

// IR events → Google's chunks. Text and thoughts go out delta by delta; a function call is held
// until its part stops, since Gemini sends calls whole.
class GeminiStreamEncoder final : public StreamEncoder
{
public:
    void encode(const ir::StreamEvent &event, std::string &out) override
    {
        if (m_ended)
            return;
        switch (event.kind) {
        case ir::StreamEvent::Kind::Start:
            m_id = event.id;
            m_model = event.model;
            m_startUsage = event.usage;
            break;
        case ir::StreamEvent::Kind::PartStart: {
            OpenPart part;
            part.index = event.index;
            part.kind = event.partKind;
            part.id = event.id;
            part.name = event.name;
            part.signature = event.signature;
            m_parts.push_back(std::move(part));
            break;
        }
        case ir::StreamEvent::Kind::PartDelta: onDelta(event, out); break;
        case ir::StreamEvent::Kind::PartStop:
            for (auto it = m_parts.begin(); it != m_parts.end(); ++it) {
                if (it->index != event.index)
                    continue;
                if (it->kind == ir::Part::Kind::ToolCall)
                    writeCall(*it, out);
                m_parts.erase(it);
                break;
            }
            break;
        case ir::StreamEvent::Kind::Finish: onFinish(event, out); break;
        case ir::StreamEvent::Kind::Error: {
            const QByteArray body = errorBody(ApiFormat::Gemini, event.error);
            gemini::appendDataEvent(out, std::string_view(body.constData(), std::size_t(body.size())));
            m_ended = true;
            break;
        }
        case ir::StreamEvent::Kind::KeepAlive:
            // Google's SSE has none of its own; its SDK reads only `data:` lines, so a comment
            // is safe and keeps the connection busy.
            out.append(": keep-alive\n\n");
            break;
        }
    }

    void end(std::string &) override {} // Gemini's stream has no terminator

private:
    struct OpenPart
    {
        int index = -1;
        ir::Part::Kind kind = ir::Part::Kind::Text;
        std::string id;
        std::string name;
        std::string signature;
        std::string arguments;
    };

    OpenPart *find(int index)
    {
        for (OpenPart &part : m_parts) {
            if (part.index == index)
                return &part;
        }
        return nullptr;
    }

    void onDelta(const ir::StreamEvent &event, std::string &out)
    {
        OpenPart *part = find(event.index);
        if (!part)
            return;
        switch (part->kind) {
        case ir::Part::Kind::Text:
            if (event.text.empty())
                return;
            writeChunk(out, [&](JsonWriter &json) { json.beginObject().member("text", event.text).endObject(); });
            break;
        case ir::Part::Kind::Thinking: {
            // OpenAI's encrypted reasoning is no thoughtSignature Gemini can read: the thought goes unsigned.
            const std::string_view signature = event.openAiEncrypted ? std::string_view() : std::string_view(event.signature);
            if (event.text.empty() && signature.empty())
                return;
            writeChunk(out, [&](JsonWriter &json) {
                json.beginObject().member("text", event.text).memberBool("thought", true);
                if (!signature.empty())
                    json.member("thoughtSignature", signature);
                json.endObject();
            });
            break;
        }
        case ir::Part::Kind::ToolCall:
            part->arguments.append(event.text);
            if (!event.signature.empty())
                part->signature = event.signature;
            break;
        case ir::Part::Kind::RedactedThinking:
        case ir::Part::Kind::Image:
        case ir::Part::Kind::ToolResult: break;
        }
    }

    void writeCall(OpenPart &open, std::string &out)
    {
        ir::Part call;
        call.kind = ir::Part::Kind::ToolCall;
        call.id = std::move(open.id);
        call.name = std::move(open.name);
        call.signature = std::move(open.signature);
        call.arguments = std::move(open.arguments);
        writeChunk(out, [&](JsonWriter &json) { gemini::writeResponsePart(json, call); });
    }

    void onFinish(const ir::StreamEvent &event, std::string &out)
    {
        // Calls whose stop never came still go out whole before the end.
        for (OpenPart &part : m_parts) {
            if (part.kind == ir::Part::Kind::ToolCall)
                writeCall(part, out);
        }
        m_parts.clear();
        const ir::Usage &usage = event.usage.reported ? event.usage : m_startUsage;
        writeChunk(
            out, [](JsonWriter &json) { json.beginObject().member("text", "").endObject(); },
            gemini::finishReasonFor(event.stop), usage.reported ? &usage : nullptr);
    }

    template<typename WriteParts>
    void writeChunk(std::string &out, WriteParts writeParts, const char *finishReason = nullptr,
                    const ir::Usage *usage = nullptr)
    {
        m_chunk.clear();
        JsonWriter json(m_chunk);
        json.beginObject().key("candidates").beginArray().beginObject().key("content").beginObject()
            .key("parts").beginArray();
        writeParts(json);
        json.endArray().member("role", "model").endObject();
        if (finishReason)
            json.member("finishReason", finishReason);
        json.member("index", 0).endObject().endArray();
        // Google sends the prompt's count from the first chunk on; so does this, when it is known.
        if (!usage && !m_wroteChunk && m_startUsage.reported)
            usage = &m_startUsage;
        m_wroteChunk = true;
        if (usage)
            gemini::writeUsageMetadata(json, *usage);
        if (!m_model.empty())
            json.member("modelVersion", m_model);
        if (!m_id.empty())
            json.member("responseId", m_id);
        json.endObject();
        gemini::appendDataEvent(out, m_chunk);
    }

    std::vector<OpenPart> m_parts; // started, not stopped
    std::string m_id;
    std::string m_model;
    ir::Usage m_startUsage;
    std::string m_chunk; // reused per chunk
    bool m_wroteChunk = false;
    bool m_ended = false;
};

} // namespace

std::unique_ptr<StreamDecoder> GeminiCodec::newStreamDecoder() const
{
    return std::make_unique<GeminiStreamDecoder>();
}

std::unique_ptr<StreamEncoder> GeminiCodec::newStreamEncoder(const StreamEncoderOptions &) const
{
    return std::make_unique<GeminiStreamEncoder>();
}

} // namespace tarn::gateway
