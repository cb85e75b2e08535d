// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodecInternal.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"

namespace tarn::gateway::responses {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using Event = ir::StreamEvent;
using Kind = ir::Part::Kind;

std::string_view stringOf(simdjson::simdjson_result<element> field)
{
    std::string_view value;
    return field.get(value) ? std::string_view() : value;
}

// A string's JSON escaping without its quotes: a piece of a JSON string built a delta at a time.
std::string escaped(std::string_view text)
{
    std::string out;
    appendJsonString(out, text);
    return out.substr(1, out.size() - 2);
}

ir::Usage usageIn(object response)
{
    element usage;
    return response["usage"].get(usage) ? ir::Usage{} : usageOf(usage);
}

// A Responses error code's meaning; the code itself is kept for the client.
ir::ApiError apiErrorOf(std::string_view code, std::string_view message)
{
    ir::ApiError error;
    if (code == "rate_limit_exceeded" || code == "insufficient_quota")
        error.kind = ir::ErrorKind::RateLimit;
    else if (code == "invalid_api_key")
        error.kind = ir::ErrorKind::Authentication;
    else if (code == "context_length_exceeded" || code == "invalid_prompt" || code.starts_with("invalid_")
             || code.starts_with("image_") || code.starts_with("unsupported_") || code.starts_with("empty_"))
        error.kind = ir::ErrorKind::InvalidRequest;
    else if (code == "model_not_found")
        error.kind = ir::ErrorKind::NotFound;
    else
        error.kind = ir::ErrorKind::Server; // server_error, vector_store_timeout, unknown codes
    error.status = ir::statusForErrorKind(error.kind);
    error.code = std::string(code);
    error.message = message.empty() ? std::string(code.empty() ? "upstream stream error" : code) : std::string(message);
    return error;
}

// A Responses channel's semantic events → IR events. Items are told apart by output_index (every
// event names one), so interleaved items stay apart. A message item is a Text part from its first
// content; a function_call or custom_tool_call a ToolCall part from its output_item.added (a
// custom call's raw input streams as the JSON text of {"input": "…"}, the IR's shape for it); a
// reasoning item a Thinking part from its first summary text or, for reasoning that is only
// encrypted, its encrypted_content at output_item.done. Items of built-in tools (web_search_call…)
// carry nothing the IR keeps and are skipped.
class Decoder final : public StreamDecoder
{
public:
    void decode(std::string_view eventName, std::string_view data, std::vector<Event> &out) override;
    void end(std::vector<Event> &out) override;

private:
    enum class ItemKind { Message, FunctionCall, CustomCall, Reasoning, Other };

    struct Item
    {
        int64_t outputIndex = 0;
        std::string id; // the item's id, for events naming it only by item_id
        ItemKind kind = ItemKind::Other;
        int part = -1;            // IR index once its part started
        bool gotInput = false;    // ToolCall: argument/input text came
        int64_t summaryIndex = 0; // Reasoning: the summary part the deltas are in
        bool open = true;
    };

    void start(const object *response, std::vector<Event> &out);
    void ensureStarted(std::vector<Event> &out);
    Item *itemOf(object event);
    void itemAdded(object event, std::vector<Event> &out);
    void itemDone(object event, std::vector<Event> &out);
    void startPart(Item &item, Kind kind, std::vector<Event> &out, std::string_view id = {}, std::string_view name = {});
    void text(Item &item, Kind kind, std::string_view text, std::vector<Event> &out);
    void input(Item &item, std::string_view text, std::vector<Event> &out);
    void stop(Item &item, std::vector<Event> &out);
    void finish(const object *response, ir::StopReason stop, std::vector<Event> &out);
    void fail(const ir::ApiError &error, std::vector<Event> &out);
    static void delta(std::vector<Event> &out, int index, std::string text);

    std::vector<Item> m_items; // in the order they were added
    int m_nextPart = 0;
    bool m_sawCall = false;
    bool m_started = false;
    bool m_done = false; // Finish or Error emitted: nothing more
};

void Decoder::decode(std::string_view eventName, std::string_view data, std::vector<Event> &out)
{
    if (m_done || data.empty())
        return;
    openai::ParsedJson parsed;
    object event;
    if (parsed.parse(data) || parsed.root().get(event))
        return; // a malformed event is skipped, never fatal
    std::string_view type = stringOf(event["type"]);
    if (type.empty())
        type = eventName;
    Item *item = nullptr;
    object response;
    const object *responseIfAny = event["response"].get(response) ? nullptr : &response;
    if (type == "response.created" || type == "response.in_progress") {
        start(responseIfAny, out);
    } else if (type == "response.output_item.added") {
        itemAdded(event, out);
    } else if (type == "response.output_item.done") {
        itemDone(event, out);
    } else if (type == "response.content_part.added" || type == "response.output_text.delta" || type == "response.refusal.delta") {
        if ((item = itemOf(event)) && item->kind == ItemKind::Message)
            text(*item, Kind::Text, stringOf(event["delta"]), out);
    } else if (type == "response.function_call_arguments.delta") {
        if ((item = itemOf(event)) && item->kind == ItemKind::FunctionCall)
            input(*item, stringOf(event["delta"]), out);
    } else if (type == "response.function_call_arguments.done") {
        if ((item = itemOf(event)) && item->kind == ItemKind::FunctionCall && !item->gotInput)
            input(*item, stringOf(event["arguments"]), out);
    } else if (type == "response.custom_tool_call_input.delta") {
        if ((item = itemOf(event)) && item->kind == ItemKind::CustomCall)
            input(*item, escaped(stringOf(event["delta"])), out);
    } else if (type == "response.custom_tool_call_input.done") {
        if ((item = itemOf(event)) && item->kind == ItemKind::CustomCall && !item->gotInput)
            input(*item, escaped(stringOf(event["input"])), out);
    } else if (type == "response.reasoning_summary_text.delta" || type == "response.reasoning_text.delta") {
        if ((item = itemOf(event)) && item->kind == ItemKind::Reasoning) {
            int64_t summary = 0;
            if (!event["summary_index"].get(summary) && summary != item->summaryIndex && item->part >= 0) {
                item->summaryIndex = summary;
                delta(out, item->part, "\n\n"); // the summary's parts are paragraphs of one text
            }
            text(*item, Kind::Thinking, stringOf(event["delta"]), out);
        }
    } else if (type == "response.completed") {
        finish(responseIfAny, ir::StopReason::EndTurn, out);
    } else if (type == "response.incomplete") {
        const std::string_view reason = stringOf(event["response"]["incomplete_details"]["reason"]);
        finish(responseIfAny, reason == "content_filter" ? ir::StopReason::ContentFilter : ir::StopReason::MaxTokens, out);
    } else if (type == "response.failed") {
        object error;
        if (event["response"]["error"].get(error))
            fail(apiErrorOf("server_error", "the upstream response failed"), out);
        else
            fail(apiErrorOf(stringOf(error["code"]), stringOf(error["message"])), out);
    } else if (type == "error") {
        // {"type":"error","code","message","param"}; some servers nest it in "error".
        object error;
        if (!event["error"].get(error))
            fail(apiErrorOf(stringOf(error["code"]), stringOf(error["message"])), out);
        else
            fail(apiErrorOf(stringOf(event["code"]), stringOf(event["message"])), out);
    }
    // other events (annotations, built-in tools' progress, *.done already known) carry nothing new
}

void Decoder::start(const object *response, std::vector<Event> &out)
{
    if (m_started)
        return;
    m_started = true;
    Event event;
    event.kind = Event::Kind::Start;
    if (response) {
        event.id = std::string(stringOf((*response)["id"]));
        event.model = std::string(stringOf((*response)["model"]));
        event.usage = usageIn(*response);
    }
    out.push_back(std::move(event));
}

void Decoder::ensureStarted(std::vector<Event> &out)
{
    if (!m_started)
        start(nullptr, out);
}

Decoder::Item *Decoder::itemOf(object event)
{
    int64_t index = 0;
    if (!event["output_index"].get(index)) {
        for (Item &item : m_items) {
            if (item.outputIndex == index)
                return item.open ? &item : nullptr;
        }
        return nullptr;
    }
    const std::string_view id = stringOf(event["item_id"]);
    for (Item &item : m_items) {
        if (!id.empty() && item.id == id)
            return item.open ? &item : nullptr;
    }
    return nullptr;
}

void Decoder::delta(std::vector<Event> &out, int index, std::string text)
{
    if (text.empty())
        return;
    Event event;
    event.kind = Event::Kind::PartDelta;
    event.index = index;
    event.text = std::move(text);
    out.push_back(std::move(event));
}

void Decoder::startPart(Item &item, Kind kind, std::vector<Event> &out, std::string_view id, std::string_view name)
{
    item.part = m_nextPart++;
    Event event;
    event.kind = Event::Kind::PartStart;
    event.index = item.part;
    event.partKind = kind;
    if (kind == Kind::ToolCall) {
        ir::IdAndSignature split = ir::splitIdAndSignature(id);
        event.id = split.id.empty() ? ir::newId("call_") : std::move(split.id);
        event.signature = std::move(split.signature);
        event.name = std::string(name);
        event.custom = item.kind == ItemKind::CustomCall;
    } else if (kind == Kind::Thinking) {
        event.id = item.id; // the reasoning item's id, which its encrypted_content belongs to
    }
    out.push_back(std::move(event));
}

void Decoder::itemAdded(object event, std::vector<Event> &out)
{
    int64_t index = 0;
    object added;
    if (event["output_index"].get(index) || event["item"].get(added))
        return;
    for (const Item &item : m_items) {
        if (item.outputIndex == index)
            return; // added twice: the first one counts
    }
    ensureStarted(out);
    Item item;
    item.outputIndex = index;
    item.id = std::string(stringOf(added["id"]));
    const std::string_view type = stringOf(added["type"]);
    if (type == "message")
        item.kind = ItemKind::Message;
    else if (type == "function_call")
        item.kind = ItemKind::FunctionCall;
    else if (type == "custom_tool_call")
        item.kind = ItemKind::CustomCall;
    else if (type == "reasoning")
        item.kind = ItemKind::Reasoning;
    if (item.kind == ItemKind::FunctionCall || item.kind == ItemKind::CustomCall) {
        m_sawCall = true;
        startPart(item, Kind::ToolCall, out, stringOf(added["call_id"]), stringOf(added["name"]));
        if (item.kind == ItemKind::CustomCall)
            delta(out, item.part, R"({"input":")");
    }
    m_items.push_back(std::move(item));
}

void Decoder::text(Item &item, Kind kind, std::string_view text, std::vector<Event> &out)
{
    if (item.part < 0)
        startPart(item, kind, out);
    delta(out, item.part, std::string(text));
}

void Decoder::input(Item &item, std::string_view text, std::vector<Event> &out)
{
    if (text.empty())
        return;
    item.gotInput = true;
    delta(out, item.part, std::string(text));
}

void Decoder::itemDone(object event, std::vector<Event> &out)
{
    Item *item = itemOf(event);
    object done;
    if (!item || event["item"].get(done))
        return;
    switch (item->kind) {
    case ItemKind::FunctionCall:
        if (!item->gotInput) { // the arguments came whole, or not at all: no arguments
            const std::string_view arguments = stringOf(done["arguments"]);
            input(*item, arguments.empty() ? std::string_view("{}") : arguments, out);
        }
        break;
    case ItemKind::CustomCall:
        if (!item->gotInput)
            input(*item, escaped(stringOf(done["input"])), out);
        break;
    case ItemKind::Message: {
        // A proxy that sends the message only whole loses nothing.
        array content;
        if (item->part < 0 && !done["content"].get(content)) {
            for (const element part : content)
                text(*item, Kind::Text, stringOf(part["text"]), out);
        }
        break;
    }
    case ItemKind::Reasoning: {
        array summary;
        if (item->part < 0 && !done["summary"].get(summary)) {
            bool first = true;
            for (const element part : summary) {
                const std::string_view text = stringOf(part["text"]);
                if (text.empty())
                    continue;
                if (!first)
                    delta(out, item->part, "\n\n");
                this->text(*item, Kind::Thinking, text, out);
                first = false;
            }
        }
        const std::string_view encrypted = stringOf(done["encrypted_content"]);
        if (!encrypted.empty()) {
            if (item->part < 0)
                startPart(*item, Kind::Thinking, out);
            Event signature;
            signature.kind = Event::Kind::PartDelta;
            signature.index = item->part;
            signature.signature = std::string(encrypted);
            signature.openAiEncrypted = true;
            out.push_back(std::move(signature));
        }
        break;
    }
    case ItemKind::Other: break;
    }
    stop(*item, out);
}

void Decoder::stop(Item &item, std::vector<Event> &out)
{
    if (!item.open)
        return;
    item.open = false;
    if (item.part < 0)
        return;
    if (item.kind == ItemKind::CustomCall)
        delta(out, item.part, R"("})");
    else if (item.kind == ItemKind::FunctionCall && !item.gotInput)
        delta(out, item.part, "{}"); // cut short before any arguments: a call without any
    Event event;
    event.kind = Event::Kind::PartStop;
    event.index = item.part;
    out.push_back(std::move(event));
}

void Decoder::finish(const object *response, ir::StopReason stop, std::vector<Event> &out)
{
    ensureStarted(out);
    for (Item &item : m_items)
        this->stop(item, out);
    Event event;
    event.kind = Event::Kind::Finish;
    event.stop = stop == ir::StopReason::EndTurn && m_sawCall ? ir::StopReason::ToolUse : stop;
    if (response)
        event.usage = usageIn(*response);
    out.push_back(std::move(event));
    m_done = true;
}

void Decoder::fail(const ir::ApiError &error, std::vector<Event> &out)
{
    Event event;
    event.kind = Event::Kind::Error;
    event.error = error;
    out.push_back(std::move(event));
    m_done = true;
}

void Decoder::end(std::vector<Event> &out)
{
    if (m_done)
        return;
    for (Item &item : m_items)
        stop(item, out);
}

} // namespace

std::unique_ptr<StreamDecoder> newStreamDecoder()
{
    return std::make_unique<Decoder>();
}

} // namespace tarn::gateway::responses
