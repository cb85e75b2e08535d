// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodec.h"

#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"

#include <algorithm>
#include <charconv>

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using Event = ir::StreamEvent;

// Reads a channel's chat.completion.chunk events into IR stream events.
class OpenAiStreamDecoder final : public StreamDecoder
{
public:
    void decode(std::string_view eventName, std::string_view data, std::vector<Event> &out) override;
    void end(std::vector<Event> &out) override;

private:
    struct ToolCall
    {
        int64_t openAiIndex = 0;
        int part = -1;
        std::string id; // as the upstream wrote it, to tell a reused index
        bool open = true;
        bool gotArguments = false; // without any, it stops with "{}" (a call with no arguments)
    };

    void start(element chunk, std::vector<Event> &out);
    void readChoice(element choice, std::vector<Event> &out);
    void readToolCall(element call, std::vector<Event> &out);
    void appendText(ir::Part::Kind kind, std::string_view text, std::vector<Event> &out);
    void stop(int &part, std::vector<Event> &out);
    void stopAll(std::vector<Event> &out);
    void finish(std::vector<Event> &out);
    void fail(element root, std::string_view data, std::vector<Event> &out);

    bool m_started = false;
    bool m_finishSeen = false;
    bool m_done = false; // Finish or Error emitted: nothing more
    int m_nextPart = 0;
    int m_text = -1;
    int m_thinking = -1;
    std::vector<ToolCall> m_calls;
    ir::StopReason m_stop = ir::StopReason::Unknown;
    ir::Usage m_usage;
};

Event eventOf(Event::Kind kind, int index = -1)
{
    Event event;
    event.kind = kind;
    event.index = index;
    return event;
}

void OpenAiStreamDecoder::decode(std::string_view eventName, std::string_view data, std::vector<Event> &out)
{
    if (m_done)
        return;
    std::string_view marker = data;
    while (!marker.empty() && (marker.back() == '\r' || marker.back() == ' '))
        marker.remove_suffix(1);
    if (marker == "[DONE]") {
        finish(out);
        return;
    }
    openai::ParsedJson parsed;
    object chunk;
    if (parsed.parse(data) || parsed.root().get(chunk))
        return; // keep-alives and malformed events are not fatal
    element error;
    if ((!chunk["error"].get(error) && !error.is_null()) || eventName == "error") {
        fail(parsed.root(), data, out);
        return;
    }
    start(parsed.root(), out);
    array choices;
    if (!chunk["choices"].get(choices)) {
        for (const element choice : choices) {
            int64_t index = 0;
            if (choice["index"].get(index) || index == 0) { // n > 1 is not supported: choice 0 only
                readChoice(choice, out);
                break;
            }
        }
    }
    element usage;
    if (!chunk["usage"].get(usage) && usage.is_object())
        m_usage = openai::usageOf(usage);
}

void OpenAiStreamDecoder::start(element chunk, std::vector<Event> &out)
{
    if (m_started)
        return;
    m_started = true;
    Event event = eventOf(Event::Kind::Start);
    std::string_view text;
    if (!chunk["id"].get(text))
        event.id = std::string(text);
    if (!chunk["model"].get(text))
        event.model = std::string(text);
    out.push_back(std::move(event));
}

void OpenAiStreamDecoder::readChoice(element choice, std::vector<Event> &out)
{
    element delta;
    if (!m_finishSeen && !choice["delta"].get(delta) && delta.is_object()) {
        std::string_view text;
        for (const char *key : {"reasoning_content", "reasoning"}) { // DeepSeek's name, OpenRouter's
            if (!delta[key].get(text) && !text.empty()) {
                appendText(ir::Part::Kind::Thinking, text, out);
                break;
            }
        }
        if (!delta["content"].get(text) && !text.empty())
            appendText(ir::Part::Kind::Text, text, out);
        array calls;
        if (!delta["tool_calls"].get(calls)) {
            for (const element call : calls)
                readToolCall(call, out);
        }
    }
    element usage; // Moonshot reports usage inside the choice
    if (!choice["usage"].get(usage) && usage.is_object())
        m_usage = openai::usageOf(usage);
    std::string_view reason;
    if (!choice["finish_reason"].get(reason) && !reason.empty()) {
        stopAll(out);
        m_finishSeen = true;
        m_stop = openai::stopReasonOf(reason);
        if (m_stop == ir::StopReason::EndTurn && !m_calls.empty()) // some servers say "stop" after calls
            m_stop = ir::StopReason::ToolUse;
    }
}

void OpenAiStreamDecoder::appendText(ir::Part::Kind kind, std::string_view text, std::vector<Event> &out)
{
    int &current = kind == ir::Part::Kind::Text ? m_text : m_thinking;
    stop(kind == ir::Part::Kind::Text ? m_thinking : m_text, out);
    if (current < 0) {
        current = m_nextPart++;
        Event event = eventOf(Event::Kind::PartStart, current);
        event.partKind = kind;
        out.push_back(std::move(event));
    }
    Event delta = eventOf(Event::Kind::PartDelta, current);
    delta.text = std::string(text);
    out.push_back(std::move(delta));
}

void OpenAiStreamDecoder::readToolCall(element call, std::vector<Event> &out)
{
    int64_t index = 0;
    const bool hasIndex = !call["index"].get(index);
    std::string_view id, name, arguments;
    openai::readOptional(call["id"], id);
    element function;
    if (!call["function"].get(function) && function.is_object()) {
        openai::readOptional(function["name"], name);
        openai::readOptional(function["arguments"], arguments);
    }
    ToolCall *state = nullptr;
    for (auto it = m_calls.rbegin(); it != m_calls.rend() && !state; ++it) {
        if (hasIndex ? it->openAiIndex == index : id.empty() || it->id == id)
            state = &*it;
    }
    // Some compatible servers number every call 0: a new id at a known index is a new call.
    if (state && !id.empty() && !state->id.empty() && state->id != id)
        state = nullptr;

    if (!state) {
        stop(m_text, out);
        stop(m_thinking, out);
        m_calls.push_back({hasIndex ? index : int64_t(m_calls.size()), m_nextPart++, std::string(id), true});
        state = &m_calls.back();
        Event event = eventOf(Event::Kind::PartStart, state->part);
        event.partKind = ir::Part::Kind::ToolCall;
        ir::IdAndSignature split = ir::splitIdAndSignature(id);
        event.id = split.id.empty() ? ir::newId("call_") : std::move(split.id);
        event.signature = split.signature.empty() ? std::string(openai::thoughtSignatureOf(call)) : std::move(split.signature);
        event.name = std::string(name);
        out.push_back(std::move(event));
    }
    if (!arguments.empty() && state->open) {
        state->gotArguments = true;
        Event delta = eventOf(Event::Kind::PartDelta, state->part);
        delta.text = std::string(arguments);
        out.push_back(std::move(delta));
    }
}

void OpenAiStreamDecoder::stop(int &part, std::vector<Event> &out)
{
    if (part < 0)
        return;
    out.push_back(eventOf(Event::Kind::PartStop, part));
    part = -1;
}

void OpenAiStreamDecoder::stopAll(std::vector<Event> &out)
{
    // In the order the parts started, so a one-block-at-a-time encoder flushes without waiting.
    std::vector<int> open;
    if (m_text >= 0)
        open.push_back(m_text);
    if (m_thinking >= 0)
        open.push_back(m_thinking);
    for (ToolCall &call : m_calls) {
        if (call.open) {
            open.push_back(call.part);
            if (!call.gotArguments) {
                Event delta = eventOf(Event::Kind::PartDelta, call.part);
                delta.text = "{}";
                out.push_back(std::move(delta));
            }
        }
        call.open = false;
    }
    m_text = m_thinking = -1;
    std::sort(open.begin(), open.end());
    for (const int part : open)
        out.push_back(eventOf(Event::Kind::PartStop, part));
}

void OpenAiStreamDecoder::finish(std::vector<Event> &out)
{
    if (m_done)
        return;
    if (!m_started) {
        m_started = true;
        out.push_back(eventOf(Event::Kind::Start));
    }
    stopAll(out);
    Event event = eventOf(Event::Kind::Finish);
    event.stop = m_stop == ir::StopReason::Unknown && !m_calls.empty() ? ir::StopReason::ToolUse : m_stop;
    event.usage = m_usage;
    out.push_back(std::move(event));
    m_done = true;
}

void OpenAiStreamDecoder::fail(element root, std::string_view data, std::vector<Event> &out)
{
    // The status an in-band error has is its code when that is one (some servers write "429").
    int status = 500;
    element code;
    int64_t number = 0;
    std::string_view text;
    if (!root["error"]["code"].get(code)) {
        if (!code.get(text))
            std::from_chars(text.data(), text.data() + text.size(), number);
        else
            openai::readOptional(code, number);
    }
    if (number >= 100 && number <= 599)
        status = int(number);
    Event event = eventOf(Event::Kind::Error);
    event.error = openai::apiErrorOf(status, &root, data);
    out.push_back(std::move(event));
    m_done = true;
}

void OpenAiStreamDecoder::end(std::vector<Event> &out)
{
    if (m_done)
        return;
    stopAll(out);
    if (m_finishSeen)
        finish(out);
}

// Writes IR stream events as chat.completion.chunk events for an OpenAI client.
class OpenAiStreamEncoder final : public StreamEncoder
{
public:
    explicit OpenAiStreamEncoder(const StreamEncoderOptions &options) : m_options(options) {}

    void encode(const Event &event, std::string &out) override;
    void end(std::string &out) override;

private:
    struct PartState
    {
        ir::Part::Kind kind = ir::Part::Kind::Text;
        int toolOrdinal = -1;
        bool known = false;
    };

    void start(std::string_view id, std::string_view model, std::string &out);
    template<typename WriteDelta>
    void writeChunk(std::string &out, WriteDelta writeDelta, const char *finishReason = nullptr) const;
    PartState *partAt(int index);

    StreamEncoderOptions m_options;
    std::string m_id;
    std::string m_model;
    qint64 m_created = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    int m_toolCalls = 0;
    std::vector<PartState> m_parts; // by IR part index
};

template<typename WriteDelta>
void OpenAiStreamEncoder::writeChunk(std::string &out, WriteDelta writeDelta, const char *finishReason) const
{
    out.append("data: ");
    JsonWriter json(out);
    json.beginObject().member("id", m_id).member("object", "chat.completion.chunk").member("created", m_created)
        .member("model", m_model).key("choices").beginArray().beginObject().member("index", qint64(0)).key("delta").beginObject();
    writeDelta(json);
    json.endObject().key("logprobs").null().key("finish_reason");
    if (finishReason)
        json.string(finishReason);
    else
        json.null();
    json.endObject().endArray().endObject();
    out.append("\n\n");
}

OpenAiStreamEncoder::PartState *OpenAiStreamEncoder::partAt(int index)
{
    constexpr int kMaxParts = 1 << 16; // a bound on what a broken decoder can make us allocate
    if (index < 0 || index >= kMaxParts)
        return nullptr;
    if (std::size_t(index) >= m_parts.size())
        m_parts.resize(std::size_t(index) + 1);
    return &m_parts[std::size_t(index)];
}

void OpenAiStreamEncoder::start(std::string_view id, std::string_view model, std::string &out)
{
    m_started = true;
    m_id = openai::completionId(id);
    m_model = std::string(model);
    m_created = openai::unixTimeNow();
    writeChunk(out, [](JsonWriter &json) { json.member("role", "assistant").member("content", ""); });
}

void OpenAiStreamEncoder::encode(const Event &event, std::string &out)
{
    if (m_failed)
        return;
    if (event.kind == Event::Kind::Error) {
        out.append("data: ").append(errorBody(ApiFormat::OpenAI, event.error).toStdString()).append("\n\n");
        m_failed = true;
        return;
    }
    if (m_finished)
        return;
    if (event.kind == Event::Kind::KeepAlive) {
        out.append(": keep-alive\n\n"); // a comment, as OpenAI-compatible providers send them
        return;
    }
    if (event.kind == Event::Kind::Start) {
        if (!m_started)
            start(event.id, event.model, out);
        return;
    }
    if (!m_started)
        start({}, {}, out);

    switch (event.kind) {
    case Event::Kind::PartStart: {
        PartState *part = partAt(event.index);
        if (!part || part->known)
            return;
        part->known = true;
        part->kind = event.partKind;
        if (event.partKind != ir::Part::Kind::ToolCall)
            return;
        part->toolOrdinal = m_toolCalls++;
        const std::string id = ir::idWithSignature(event.id, event.signature);
        writeChunk(out, [&](JsonWriter &json) {
            json.key("tool_calls").beginArray().beginObject().member("index", qint64(part->toolOrdinal)).member("id", id)
                .member("type", "function").key("function").beginObject().member("name", event.name)
                .member("arguments", "").endObject().endObject().endArray();
        });
        return;
    }
    case Event::Kind::PartDelta: {
        PartState *part = partAt(event.index);
        if (!part || !part->known || event.text.empty())
            return;
        if (part->kind == ir::Part::Kind::Text) {
            writeChunk(out, [&](JsonWriter &json) { json.member("content", event.text); });
        } else if (part->kind == ir::Part::Kind::Thinking) {
            writeChunk(out, [&](JsonWriter &json) { json.member("reasoning_content", event.text); });
        } else if (part->kind == ir::Part::Kind::ToolCall) {
            writeChunk(out, [&](JsonWriter &json) {
                json.key("tool_calls").beginArray().beginObject().member("index", qint64(part->toolOrdinal))
                    .key("function").beginObject().member("arguments", event.text).endObject().endObject().endArray();
            });
        }
        return;
    }
    case Event::Kind::Finish:
        m_finished = true;
        writeChunk(out, [](JsonWriter &) {}, openai::finishReasonOf(event.stop));
        if (m_options.includeUsage) {
            out.append("data: ");
            JsonWriter json(out);
            json.beginObject().member("id", m_id).member("object", "chat.completion.chunk").member("created", m_created)
                .member("model", m_model).key("choices").beginArray().endArray().key("usage");
            openai::writeUsage(json, event.usage);
            json.endObject();
            out.append("\n\n");
        }
        return;
    case Event::Kind::Start:
    case Event::Kind::PartStop:
    case Event::Kind::Error:
    case Event::Kind::KeepAlive:
        return;
    }
}

void OpenAiStreamEncoder::end(std::string &out)
{
    if (m_finished && !m_failed)
        out.append("data: [DONE]\n\n");
}

} // namespace

std::unique_ptr<StreamDecoder> OpenAiCodec::newStreamDecoder() const
{
    return std::make_unique<OpenAiStreamDecoder>();
}

std::unique_ptr<StreamEncoder> OpenAiCodec::newStreamEncoder(const StreamEncoderOptions &options) const
{
    return std::make_unique<OpenAiStreamEncoder>(options);
}

} // namespace tarn::gateway
