// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/AnthropicCodecInternal.h"

#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/JsonWriter.h"

#include <deque>

namespace tarn::gateway::anthropic {

namespace {

using Event = ir::StreamEvent;
using Kind = ir::Part::Kind;

// IR events → Anthropic's SSE, as its API writes them: message_start and a ping, content blocks
// one at a time with wire indexes 0, 1, 2…, message_delta with the final usage, message_stop.
// Parts that overlap (OpenAI's parallel tool calls) are held, deltas and all, until the part
// before them stops. A tool_use block starts at its first delta, so a Gemini signature that
// arrives with it still rides in the id.
class Encoder final : public StreamEncoder
{
public:
    void encode(const Event &event, std::string &out) override;
    void end(std::string &) override {}

private:
    struct Part
    {
        int index = 0;
        Kind kind = Kind::Text;
        std::string id, name, signature, data; // ToolCall; RedactedThinking: data
        std::string heldText;                   // deltas that came while the part waited
        std::string heldSignature;
        bool opened = false;  // its content_block_start is written
        bool stopped = false; // its PartStop came
    };

    void start(const Event &event, std::string &out);
    void partStart(const Event &event, std::string &out);
    void partDelta(const Event &event, std::string &out);
    void partStop(const Event &event, std::string &out);
    void finish(const Event &event, std::string &out);
    void error(const Event &event, std::string &out);

    Part *find(int index);
    void ensureStarted(std::string &out);
    void open(Part &part, std::string &out);
    void writeDelta(Part &part, std::string_view text, std::string_view signature, std::string &out);
    void close(std::string &out); // stops the front part and brings out the ones held behind it

    void beginEvent(std::string &out, std::string_view type);
    void endEvent(std::string &out) { out.append("\n\n"); }

    std::deque<Part> m_parts; // started, not yet stopped on the wire; the front one is on the wire
    int m_wireIndex = 0;
    ir::Usage m_startUsage;
    bool m_started = false;
    bool m_done = false; // Finish or Error written
};

void Encoder::beginEvent(std::string &out, std::string_view type)
{
    out.append("event: ").append(type).append("\ndata: ");
}

void Encoder::encode(const Event &event, std::string &out)
{
    if (m_done)
        return;
    switch (event.kind) {
    case Event::Kind::Start: start(event, out); break;
    case Event::Kind::PartStart: partStart(event, out); break;
    case Event::Kind::PartDelta: partDelta(event, out); break;
    case Event::Kind::PartStop: partStop(event, out); break;
    case Event::Kind::Finish: finish(event, out); break;
    case Event::Kind::Error: error(event, out); break;
    case Event::Kind::KeepAlive:
        if (m_started) { // before message_start the client has no stream to keep alive
            beginEvent(out, "ping");
            out.append(R"({"type":"ping"})");
            endEvent(out);
        }
        break;
    }
}

void writeUsage(JsonWriter &json, const ir::Usage &usage, qint64 output)
{
    json.key("usage").beginObject()
        .member("input_tokens", uncachedInput(usage))
        .member("cache_creation_input_tokens", ir::clampTokens(usage.cacheWrite))
        .member("cache_read_input_tokens", ir::clampTokens(usage.cacheRead))
        .member("output_tokens", ir::clampTokens(output))
        .endObject();
}

void Encoder::start(const Event &event, std::string &out)
{
    if (m_started)
        return;
    m_started = true;
    m_startUsage = event.usage;
    beginEvent(out, "message_start");
    JsonWriter json(out);
    json.beginObject().member("type", "message_start").key("message").beginObject()
        .member("id", clientMessageId(event.id)).member("type", "message").member("role", "assistant")
        .member("model", event.model).key("content").beginArray().endArray()
        .key("stop_reason").null().key("stop_sequence").null();
    writeUsage(json, event.usage, 1);
    json.endObject().endObject();
    endEvent(out);
    beginEvent(out, "ping");
    out.append(R"({"type":"ping"})");
    endEvent(out);
}

void Encoder::ensureStarted(std::string &out)
{
    if (!m_started)
        start(Event{}, out);
}

Encoder::Part *Encoder::find(int index)
{
    for (Part &part : m_parts) {
        if (part.index == index)
            return &part;
    }
    return nullptr;
}

void Encoder::open(Part &part, std::string &out)
{
    part.opened = true;
    beginEvent(out, "content_block_start");
    JsonWriter json(out);
    json.beginObject().member("type", "content_block_start").member("index", m_wireIndex).key("content_block").beginObject();
    switch (part.kind) {
    case Kind::Thinking: json.member("type", "thinking").member("thinking", "").member("signature", ""); break;
    case Kind::RedactedThinking: json.member("type", "redacted_thinking").member("data", part.data); break;
    case Kind::ToolCall:
        json.member("type", "tool_use").member("id", ir::idWithSignature(part.id, part.signature))
            .member("name", part.name).key("input").beginObject().endObject();
        break;
    default: json.member("type", "text").member("text", ""); break;
    }
    json.endObject().endObject();
    endEvent(out);
}

void Encoder::writeDelta(Part &part, std::string_view text, std::string_view signature, std::string &out)
{
    const auto write = [&](const char *type, const char *field, std::string_view value) {
        beginEvent(out, "content_block_delta");
        JsonWriter json(out);
        json.beginObject().member("type", "content_block_delta").member("index", m_wireIndex)
            .key("delta").beginObject().member("type", type).member(field, value).endObject().endObject();
        endEvent(out);
    };
    if (part.kind == Kind::ToolCall) {
        if (!signature.empty())
            part.signature = std::string(signature);
        if (text.empty())
            return;
        if (!part.opened)
            open(part, out);
        write("input_json_delta", "partial_json", text);
        return;
    }
    if (!part.opened)
        open(part, out);
    if (!text.empty() && part.kind == Kind::Text)
        write("text_delta", "text", text);
    else if (!text.empty() && part.kind == Kind::Thinking)
        write("thinking_delta", "thinking", text);
    if (!signature.empty() && part.kind == Kind::Thinking)
        write("signature_delta", "signature", signature);
}

void Encoder::partStart(const Event &event, std::string &out)
{
    if (find(event.index))
        return;
    ensureStarted(out);
    Part part;
    part.index = event.index;
    part.kind = event.partKind == Kind::Image || event.partKind == Kind::ToolResult ? Kind::Text : event.partKind;
    if (part.kind == Kind::ToolCall) {
        part.id = event.id.empty() ? ir::newId("toolu_") : event.id;
        part.name = event.name;
        part.signature = event.signature;
    } else if (part.kind == Kind::RedactedThinking) {
        part.data = event.text;
    }
    m_parts.push_back(std::move(part));
    if (m_parts.size() == 1 && m_parts.front().kind != Kind::ToolCall)
        open(m_parts.front(), out);
}

void Encoder::partDelta(const Event &event, std::string &out)
{
    Part *part = find(event.index);
    // OpenAI's encrypted reasoning is no signature Anthropic can read: the thinking goes unsigned.
    const std::string_view signature = event.openAiEncrypted ? std::string_view() : std::string_view(event.signature);
    if (!part || part->stopped || (event.text.empty() && signature.empty()))
        return;
    if (part == &m_parts.front()) {
        writeDelta(*part, event.text, signature, out);
        return;
    }
    part->heldText.append(event.text);
    if (!signature.empty())
        part->heldSignature = std::string(signature); // a signature replaces the one before, as clients read it
}

void Encoder::close(std::string &out)
{
    Part &front = m_parts.front();
    if (!front.opened)
        open(front, out);
    beginEvent(out, "content_block_stop");
    JsonWriter(out).beginObject().member("type", "content_block_stop").member("index", m_wireIndex).endObject();
    endEvent(out);
    ++m_wireIndex;
    m_parts.pop_front();
    if (m_parts.empty())
        return;
    // The next part comes out with everything it was sent while it waited.
    Part &next = m_parts.front();
    std::string text = std::move(next.heldText);
    std::string signature = std::move(next.heldSignature);
    if (next.kind == Kind::ToolCall) {
        writeDelta(next, {}, signature, out);
        signature.clear();
    }
    if (next.kind != Kind::ToolCall || !text.empty())
        writeDelta(next, text, signature, out);
}

void Encoder::partStop(const Event &event, std::string &out)
{
    Part *part = find(event.index);
    if (!part || part->stopped)
        return;
    part->stopped = true;
    while (!m_parts.empty() && m_parts.front().stopped)
        close(out);
}

void Encoder::finish(const Event &event, std::string &out)
{
    ensureStarted(out);
    while (!m_parts.empty())
        close(out);
    ir::Usage usage = event.usage;
    if (usage.input == 0 && usage.cacheRead == 0 && usage.cacheWrite == 0) {
        // The upstream said nothing of the prompt at the end: what message_start said stands.
        usage.input = m_startUsage.input;
        usage.cacheRead = m_startUsage.cacheRead;
        usage.cacheWrite = m_startUsage.cacheWrite;
    }
    beginEvent(out, "message_delta");
    JsonWriter json(out);
    json.beginObject().member("type", "message_delta").key("delta").beginObject()
        .member("stop_reason", stopReasonName(event.stop)).key("stop_sequence");
    if (event.stop == ir::StopReason::StopSequence && !event.stopSequence.empty())
        json.string(event.stopSequence);
    else
        json.null();
    json.endObject();
    writeUsage(json, usage, usage.output);
    json.endObject();
    endEvent(out);
    beginEvent(out, "message_stop");
    out.append(R"({"type":"message_stop"})");
    endEvent(out);
    m_done = true;
}

void Encoder::error(const Event &event, std::string &out)
{
    m_done = true;
    beginEvent(out, "error");
    const QByteArray body = errorBody(ApiFormat::Anthropic, event.error);
    out.append(body.constData(), std::size_t(body.size()));
    endEvent(out);
}

} // namespace

std::unique_ptr<StreamEncoder> newStreamEncoder()
{
    return std::make_unique<Encoder>();
}

} // namespace tarn::gateway::anthropic
