// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/AnthropicCodecInternal.h"

namespace tarn::gateway::anthropic {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using Event = ir::StreamEvent;
using Kind = ir::Part::Kind;

// Anthropic's SSE (message_start, content_block_*, message_delta, message_stop, ping, error) →
// IR events. Blocks of server tools (server_tool_use, web_search_tool_result…) and their deltas
// are skipped, so IR part indexes count only the blocks that are kept.
class Decoder final : public StreamDecoder
{
public:
    void decode(std::string_view eventName, std::string_view data, std::vector<Event> &out) override;
    void end(std::vector<Event> &out) override;

private:
    struct Block
    {
        int64_t wireIndex = 0;
        int index = -1;            // IR index; -1 = skipped
        Kind kind = Kind::Text;
        bool gotInput = false;     // ToolCall: an input_json_delta came
        std::string startInput;    // ToolCall: a non-empty input given in content_block_start
    };

    void messageStart(object event, std::vector<Event> &out);
    void blockStart(object event, std::vector<Event> &out);
    void blockDelta(object event, std::vector<Event> &out);
    void blockStop(object event, std::vector<Event> &out);
    void messageDelta(object event);
    void messageStop(std::vector<Event> &out);
    void error(object event, std::vector<Event> &out);

    void ensureStarted(std::vector<Event> &out);
    Block *openBlock(object event);
    void stopBlock(std::size_t at, std::vector<Event> &out);
    static void delta(std::vector<Event> &out, int index, std::string_view text, std::string_view signature);

    std::vector<Block> m_open; // blocks started and not stopped, in start order
    int m_nextIndex = 0;
    RawUsage m_usage;
    ir::StopReason m_stop = ir::StopReason::Unknown;
    std::string m_stopSequence;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
};

void Decoder::decode(std::string_view eventName, std::string_view data, std::vector<Event> &out)
{
    if (m_failed || data.empty())
        return;
    Document doc;
    object event;
    if (doc.parse(data) || doc.root.get(event))
        return; // a malformed event is skipped, never fatal
    std::string_view type;
    if (event["type"].get(type))
        type = eventName;
    if (type == "error") {
        error(event, out);
        return;
    }
    if (m_finished)
        return;
    if (type == "message_start")
        messageStart(event, out);
    else if (type == "content_block_start")
        blockStart(event, out);
    else if (type == "content_block_delta")
        blockDelta(event, out);
    else if (type == "content_block_stop")
        blockStop(event, out);
    else if (type == "message_delta")
        messageDelta(event);
    else if (type == "message_stop")
        messageStop(out);
    else if (type == "ping")
        out.emplace_back().kind = Event::Kind::KeepAlive;
    // unknown event types carry nothing for the IR
}

void Decoder::end(std::vector<Event> &out)
{
    if (m_failed || m_finished)
        return;
    while (!m_open.empty())
        stopBlock(0, out);
}

void Decoder::ensureStarted(std::vector<Event> &out)
{
    if (m_started)
        return;
    m_started = true;
    Event start;
    start.kind = Event::Kind::Start;
    out.push_back(std::move(start));
}

void Decoder::messageStart(object event, std::vector<Event> &out)
{
    if (m_started)
        return;
    m_started = true;
    Event start;
    start.kind = Event::Kind::Start;
    object message;
    if (!event["message"].get(message)) {
        std::string_view text;
        if (!message["id"].get(text))
            start.id = std::string(text);
        if (!message["model"].get(text))
            start.model = std::string(text);
        element usage;
        if (!message["usage"].get(usage))
            m_usage.read(usage);
    }
    start.usage = m_usage.toIr();
    out.push_back(std::move(start));
}

Decoder::Block *Decoder::openBlock(object event)
{
    int64_t index = 0;
    if (event["index"].get(index))
        return nullptr;
    for (Block &block : m_open) {
        if (block.wireIndex == index)
            return &block;
    }
    return nullptr;
}

void Decoder::delta(std::vector<Event> &out, int index, std::string_view text, std::string_view signature)
{
    if (text.empty() && signature.empty())
        return; // an empty delta says nothing
    Event event;
    event.kind = Event::Kind::PartDelta;
    event.index = index;
    event.text = std::string(text);
    event.signature = std::string(signature);
    out.push_back(std::move(event));
}

void Decoder::blockStart(object event, std::vector<Event> &out)
{
    int64_t wireIndex = 0;
    object content;
    std::string_view type;
    if (event["index"].get(wireIndex) || openBlock(event) || event["content_block"].get(content) || content["type"].get(type))
        return;
    ensureStarted(out);
    Block block;
    block.wireIndex = wireIndex;
    Event start;
    start.kind = Event::Kind::PartStart;
    std::string_view text, signature;
    if (type == "text") {
        block.kind = Kind::Text;
        text = stringOf(content["text"]);
    } else if (type == "thinking") {
        block.kind = Kind::Thinking;
        text = stringOf(content["thinking"]);
        signature = stringOf(content["signature"]);
    } else if (type == "redacted_thinking") {
        block.kind = Kind::RedactedThinking;
        start.text = std::string(stringOf(content["data"]));
    } else if (type == "tool_use") {
        block.kind = Kind::ToolCall;
        ir::IdAndSignature split = ir::splitIdAndSignature(stringOf(content["id"]));
        // A call without an id (some Anthropic-compatible upstreams) gets one: a client cannot
        // answer a call it cannot name.
        start.id = split.id.empty() ? ir::newId("toolu_") : std::move(split.id);
        start.signature = std::move(split.signature);
        start.name = std::string(stringOf(content["name"]));
        object input;
        if (!content["input"].get(input) && input.size() > 0)
            block.startInput = simdjson::minify(input);
    } else {
        m_open.push_back(block); // server_tool_use, web_search_tool_result…: skipped with its deltas
        return;
    }
    block.index = m_nextIndex++;
    start.index = block.index;
    start.partKind = block.kind;
    out.push_back(std::move(start));
    // Anthropic starts blocks empty; a proxy that does not still loses nothing.
    delta(out, block.index, text, {});
    delta(out, block.index, {}, signature);
    m_open.push_back(std::move(block));
}

void Decoder::blockDelta(object event, std::vector<Event> &out)
{
    Block *block = openBlock(event);
    object delta;
    std::string_view type, text;
    if (!block || block->index < 0 || event["delta"].get(delta) || delta["type"].get(type))
        return;
    if (type == "text_delta" && block->kind == Kind::Text) {
        if (!delta["text"].get(text))
            this->delta(out, block->index, text, {});
    } else if (type == "thinking_delta" && block->kind == Kind::Thinking) {
        if (!delta["thinking"].get(text))
            this->delta(out, block->index, text, {});
    } else if (type == "signature_delta" && block->kind == Kind::Thinking) {
        if (!delta["signature"].get(text))
            this->delta(out, block->index, {}, text);
    } else if (type == "input_json_delta" && block->kind == Kind::ToolCall) {
        if (!delta["partial_json"].get(text) && !text.empty()) {
            block->gotInput = true;
            this->delta(out, block->index, text, {});
        }
    }
    // citations_delta and mismatched deltas carry nothing the IR keeps
}

void Decoder::stopBlock(std::size_t at, std::vector<Event> &out)
{
    Block block = std::move(m_open[at]);
    m_open.erase(m_open.begin() + std::ptrdiff_t(at));
    if (block.index < 0)
        return;
    // A call that got no argument text takes no arguments: "{}", as OpenAI clients must parse.
    if (block.kind == Kind::ToolCall && !block.gotInput)
        delta(out, block.index, block.startInput.empty() ? std::string_view("{}") : std::string_view(block.startInput), {});
    Event stop;
    stop.kind = Event::Kind::PartStop;
    stop.index = block.index;
    out.push_back(std::move(stop));
}

void Decoder::blockStop(object event, std::vector<Event> &out)
{
    if (const Block *block = openBlock(event))
        stopBlock(std::size_t(block - m_open.data()), out);
}

void Decoder::messageDelta(object event)
{
    object delta;
    std::string_view text;
    if (!event["delta"].get(delta)) {
        if (!delta["stop_reason"].get(text))
            m_stop = stopReasonOf(text);
        if (!delta["stop_sequence"].get(text))
            m_stopSequence = std::string(text);
    }
    element usage;
    if (!event["usage"].get(usage))
        m_usage.read(usage); // cumulative: present fields replace message_start's
}

void Decoder::messageStop(std::vector<Event> &out)
{
    ensureStarted(out);
    while (!m_open.empty())
        stopBlock(0, out);
    m_finished = true;
    Event finish;
    finish.kind = Event::Kind::Finish;
    finish.stop = m_stop;
    finish.stopSequence = m_stopSequence;
    finish.usage = m_usage.toIr();
    out.push_back(std::move(finish));
}

void Decoder::error(object event, std::vector<Event> &out)
{
    m_failed = true;
    Event failure;
    failure.kind = Event::Kind::Error;
    object error;
    std::string_view type, message;
    if (!event["error"].get(error)) {
        type = stringOf(error["type"]);
        message = stringOf(error["message"]);
    }
    failure.error.kind = errorKindOf(type, 500);
    const int status = statusOfErrorType(type);
    failure.error.status = status ? status : ir::statusForErrorKind(failure.error.kind);
    failure.error.message = message.empty() ? std::string(type.empty() ? "upstream stream error" : type) : std::string(message);
    failure.error.code = errorCodeFor(failure.error.kind, failure.error.message);
    out.push_back(std::move(failure));
}

} // namespace

std::unique_ptr<StreamDecoder> newStreamDecoder()
{
    return std::make_unique<Decoder>();
}

} // namespace tarn::gateway::anthropic
