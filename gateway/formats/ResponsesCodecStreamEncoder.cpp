// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodecInternal.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"

#include <QByteArrayView>

namespace tarn::gateway::responses {

namespace {

using Event = ir::StreamEvent;
using Kind = ir::Part::Kind;

enum class Status { InProgress, Completed, Incomplete, Failed };

// IR events → the Responses API's semantic SSE events, as a Responses client (Codex CLI, the
// openai SDKs' responses.stream) reads them: response.created and response.in_progress; each
// part as an output item (added, its own deltas, done), numbered by output_index in the order the
// parts start, so overlapping parts (parallel tool calls) stay apart, every event naming its
// item; then response.completed (or .incomplete) carrying the whole response, every item as its
// .done event had it: the SDKs take the final response from it, so this encoder, unlike the
// others, holds the answer's text until the end. An Error is response.failed.
class Encoder final : public StreamEncoder
{
public:
    explicit Encoder(const StreamEncoderOptions &options) : m_options(options) {}

    void encode(const Event &event, std::string &out) override;
    void end(std::string &) override {} // response.completed / .failed was the end; no terminator

private:
    struct Item
    {
        Kind kind = Kind::Text;
        int outputIndex = 0;
        std::string id;        // the item's id: msg_…, fc_…, ctc_…, rs_…
        std::string callId;    // ToolCall
        std::string name;      // ToolCall
        std::string signature; // ToolCall: Gemini's thoughtSignature (rides in call_id);
                               // Thinking: encrypted_content when openAiEncrypted
        std::string text;      // Text, Thinking summary, ToolCall arguments: all of it so far
        bool custom = false;   // ToolCall to a custom tool
        bool summaryOpen = false; // Thinking: its summary part was added
        bool done = false;
    };

    void start(const Event &event, std::string &out);
    void ensureStarted(std::string &out);
    void partStart(const Event &event, std::string &out);
    void partDelta(const Event &event, std::string &out);
    void partStop(Item &item, std::string &out);
    void finish(const Event &event, std::string &out);
    void error(const Event &event, std::string &out);
    Item *itemAt(int index);

    // event: <type> / data: {"type":…, <what write adds>, "sequence_number":…}
    template<typename Write>
    void writeEvent(std::string &out, std::string_view type, Write write);
    void writeResponse(JsonWriter &json, Status status, const ir::Usage *usage, const Event *event);
    void writeItem(JsonWriter &json, const Item &item) const;

    StreamEncoderOptions m_options;
    std::string m_id;
    std::string m_model;
    qint64 m_createdAt = 0;
    qint64 m_sequence = 0;
    ir::Usage m_startUsage;
    std::vector<Item> m_items;      // by output_index
    std::vector<int> m_itemOfPart;  // IR part index → output_index, -1 = none (RedactedThinking)
    bool m_started = false;
    bool m_done = false; // response.completed/.incomplete/.failed written
};

template<typename Write>
void Encoder::writeEvent(std::string &out, std::string_view type, Write write)
{
    out.append("event: ").append(type).append("\ndata: ");
    JsonWriter json(out);
    json.beginObject().member("type", type);
    write(json);
    json.member("sequence_number", m_sequence++).endObject();
    out.append("\n\n");
}

void Encoder::encode(const Event &event, std::string &out)
{
    if (m_done)
        return;
    switch (event.kind) {
    case Event::Kind::Start: start(event, out); break;
    case Event::Kind::PartStart: partStart(event, out); break;
    case Event::Kind::PartDelta: partDelta(event, out); break;
    case Event::Kind::PartStop:
        if (Item *item = itemAt(event.index); item && !item->done)
            partStop(*item, out);
        break;
    case Event::Kind::Finish: finish(event, out); break;
    case Event::Kind::Error: error(event, out); break;
    case Event::Kind::KeepAlive:
        out.append(": keep-alive\n\n"); // a comment: every SSE client skips it, the idle timer sees bytes
        break;
    }
}

void Encoder::start(const Event &event, std::string &out)
{
    if (m_started)
        return;
    m_started = true;
    // A Responses upstream's own id is kept (a client may quote it back); any other format's id
    // is not a response id.
    m_id = event.id.starts_with("resp_") ? event.id : ir::newId("resp_");
    m_model = event.model;
    m_createdAt = openai::unixTimeNow();
    m_startUsage = event.usage;
    writeEvent(out, "response.created", [&](JsonWriter &json) {
        json.key("response");
        writeResponse(json, Status::InProgress, nullptr, nullptr);
    });
    writeEvent(out, "response.in_progress", [&](JsonWriter &json) {
        json.key("response");
        writeResponse(json, Status::InProgress, nullptr, nullptr);
    });
}

void Encoder::ensureStarted(std::string &out)
{
    if (!m_started)
        start(Event{}, out);
}

Encoder::Item *Encoder::itemAt(int index)
{
    if (index < 0 || std::size_t(index) >= m_itemOfPart.size() || m_itemOfPart[std::size_t(index)] < 0)
        return nullptr;
    return &m_items[std::size_t(m_itemOfPart[std::size_t(index)])];
}

void Encoder::partStart(const Event &event, std::string &out)
{
    constexpr int kMaxParts = 1 << 16; // a bound on what a broken decoder can make us allocate
    if (event.index < 0 || event.index >= kMaxParts)
        return;
    if (std::size_t(event.index) < m_itemOfPart.size() && m_itemOfPart[std::size_t(event.index)] != -1)
        return; // started before
    ensureStarted(out);
    if (std::size_t(event.index) >= m_itemOfPart.size())
        m_itemOfPart.resize(std::size_t(event.index) + 1, -1);
    // Anthropic's redacted thinking is opaque data only Anthropic reads, and a reasoning item has
    // no field for it (encrypted_content is OpenAI's): an item with neither summary nor content
    // would tell the client nothing, so the part is not written.
    if (event.partKind == Kind::RedactedThinking) {
        m_itemOfPart[std::size_t(event.index)] = -2;
        return;
    }
    Item item;
    item.kind = event.partKind == Kind::Thinking || event.partKind == Kind::ToolCall ? event.partKind : Kind::Text;
    item.outputIndex = int(m_items.size());
    switch (item.kind) {
    case Kind::ToolCall:
        item.custom = event.custom || isCustomTool(m_options.request, event.name);
        item.id = ir::newId(item.custom ? "ctc_" : "fc_");
        item.callId = event.id.empty() ? ir::newId("call_") : event.id;
        item.name = event.name;
        item.signature = event.signature;
        break;
    case Kind::Thinking:
        item.id = event.id.starts_with("rs_") ? event.id : ir::newId("rs_");
        break;
    default: item.id = ir::newId("msg_"); break;
    }
    m_itemOfPart[std::size_t(event.index)] = item.outputIndex;
    m_items.push_back(std::move(item));
    const Item &added = m_items.back();
    // A custom call's item is added now, with its input empty, rather than at its stop: output
    // indexes must come in the order items are added (the SDKs address snapshot.output by them),
    // and the call's name is known already.
    writeEvent(out, "response.output_item.added", [&](JsonWriter &json) {
        json.member("output_index", added.outputIndex).key("item");
        writeItem(json, added);
    });
    if (added.kind == Kind::Text) {
        writeEvent(out, "response.content_part.added", [&](JsonWriter &json) {
            json.member("item_id", added.id).member("output_index", added.outputIndex).member("content_index", 0)
                .key("part").beginObject().member("type", "output_text").member("text", "")
                .key("annotations").beginArray().endArray().endObject();
        });
    }
}

void Encoder::partDelta(const Event &event, std::string &out)
{
    Item *item = itemAt(event.index);
    if (!item || item->done)
        return;
    switch (item->kind) {
    case Kind::ToolCall:
        if (!event.signature.empty())
            item->signature = event.signature;
        if (event.text.empty())
            return;
        item->text.append(event.text);
        // A custom call's input is the unwrapped {"input": …}: only known whole, at its stop.
        if (!item->custom) {
            writeEvent(out, "response.function_call_arguments.delta", [&](JsonWriter &json) {
                json.member("item_id", item->id).member("output_index", item->outputIndex).member("delta", event.text);
            });
        }
        return;
    case Kind::Thinking:
        // Only OpenAI's encrypted reasoning is encrypted_content; Anthropic's signature is not.
        if (!event.signature.empty() && event.openAiEncrypted)
            item->signature = event.signature;
        if (event.text.empty())
            return;
        if (!item->summaryOpen) {
            item->summaryOpen = true;
            writeEvent(out, "response.reasoning_summary_part.added", [&](JsonWriter &json) {
                json.member("item_id", item->id).member("output_index", item->outputIndex).member("summary_index", 0)
                    .key("part").beginObject().member("type", "summary_text").member("text", "").endObject();
            });
        }
        item->text.append(event.text);
        writeEvent(out, "response.reasoning_summary_text.delta", [&](JsonWriter &json) {
            json.member("item_id", item->id).member("output_index", item->outputIndex).member("summary_index", 0)
                .member("delta", event.text);
        });
        return;
    default:
        if (event.text.empty())
            return;
        item->text.append(event.text);
        writeEvent(out, "response.output_text.delta", [&](JsonWriter &json) {
            json.member("item_id", item->id).member("output_index", item->outputIndex).member("content_index", 0)
                .member("delta", event.text).key("logprobs").beginArray().endArray();
        });
        return;
    }
}

void Encoder::partStop(Item &item, std::string &out)
{
    item.done = true;
    switch (item.kind) {
    case Kind::ToolCall:
        if (item.custom) {
            item.text = unwrappedCustomInput(item.text);
            writeEvent(out, "response.custom_tool_call_input.delta", [&](JsonWriter &json) {
                json.member("item_id", item.id).member("output_index", item.outputIndex).member("delta", item.text);
            });
            writeEvent(out, "response.custom_tool_call_input.done", [&](JsonWriter &json) {
                json.member("item_id", item.id).member("output_index", item.outputIndex).member("input", item.text);
            });
        } else {
            if (item.text.empty())
                item.text = "{}"; // a call without arguments takes none; clients parse the text
            writeEvent(out, "response.function_call_arguments.done", [&](JsonWriter &json) {
                json.member("item_id", item.id).member("output_index", item.outputIndex).member("arguments", item.text);
            });
        }
        break;
    case Kind::Thinking:
        if (item.summaryOpen) {
            writeEvent(out, "response.reasoning_summary_text.done", [&](JsonWriter &json) {
                json.member("item_id", item.id).member("output_index", item.outputIndex).member("summary_index", 0)
                    .member("text", item.text);
            });
            writeEvent(out, "response.reasoning_summary_part.done", [&](JsonWriter &json) {
                json.member("item_id", item.id).member("output_index", item.outputIndex).member("summary_index", 0)
                    .key("part").beginObject().member("type", "summary_text").member("text", item.text).endObject();
            });
        }
        break;
    default:
        writeEvent(out, "response.output_text.done", [&](JsonWriter &json) {
            json.member("item_id", item.id).member("output_index", item.outputIndex).member("content_index", 0)
                .member("text", item.text).key("logprobs").beginArray().endArray();
        });
        writeEvent(out, "response.content_part.done", [&](JsonWriter &json) {
            json.member("item_id", item.id).member("output_index", item.outputIndex).member("content_index", 0)
                .key("part").beginObject().member("type", "output_text").member("text", item.text)
                .key("annotations").beginArray().endArray().endObject();
        });
        break;
    }
    writeEvent(out, "response.output_item.done", [&](JsonWriter &json) {
        json.member("output_index", item.outputIndex).key("item");
        writeItem(json, item);
    });
}

void Encoder::writeItem(JsonWriter &json, const Item &item) const
{
    json.beginObject();
    switch (item.kind) {
    case Kind::ToolCall: {
        const std::string callId = ir::idWithSignature(item.callId, item.signature);
        if (item.custom) {
            json.member("type", "custom_tool_call").member("id", item.id).member("call_id", callId).member("name", item.name).member("input", item.done ? std::string_view(item.text) : "");
        } else {
            json.member("type", "function_call").member("id", item.id).member("status", item.done ? "completed" : "in_progress")
                .member("call_id", callId).member("name", item.name).member("arguments", item.done ? std::string_view(item.text) : "");
        }
        break;
    }
    case Kind::Thinking:
        json.member("type", "reasoning").member("id", item.id).key("summary").beginArray();
        if (item.done && item.summaryOpen)
            json.beginObject().member("type", "summary_text").member("text", item.text).endObject();
        json.endArray();
        if (item.done && !item.signature.empty())
            json.member("encrypted_content", item.signature);
        break;
    default:
        json.member("type", "message").member("id", item.id).member("status", item.done ? "completed" : "in_progress")
            .member("role", "assistant").key("content").beginArray();
        if (item.done) {
            json.beginObject().member("type", "output_text").member("text", item.text)
                .key("annotations").beginArray().endArray().endObject();
        }
        json.endArray();
        break;
    }
    json.endObject();
}

void Encoder::finish(const Event &event, std::string &out)
{
    ensureStarted(out);
    for (Item &item : m_items) { // parts the upstream left open are closed, in output order
        if (!item.done)
            partStop(item, out);
    }
    ir::Usage usage = event.usage;
    if (usage.input == 0 && usage.cacheRead == 0) {
        // The upstream said nothing of the prompt at the end: what the start said stands.
        usage.input = m_startUsage.input;
        usage.cacheRead = m_startUsage.cacheRead;
    }
    const bool incomplete = event.stop == ir::StopReason::MaxTokens || event.stop == ir::StopReason::ContentFilter;
    m_done = true;
    writeEvent(out, incomplete ? "response.incomplete" : "response.completed", [&](JsonWriter &json) {
        json.key("response");
        writeResponse(json, incomplete ? Status::Incomplete : Status::Completed, &usage, &event);
    });
}

// Responses error codes as Codex acts on them (rate_limit_exceeded, insufficient_quota,
// context_length_exceeded); the upstream's own code when it gave one.
std::string errorCode(const ir::ApiError &error)
{
    if (!error.code.empty())
        return error.code;
    const QByteArrayView message(error.message.data(), qsizetype(error.message.size()));
    const auto mentions = [&](const char *word) { return message.contains(word); };
    switch (error.kind) {
    case ir::ErrorKind::RateLimit: return mentions("quota") ? "insufficient_quota" : "rate_limit_exceeded";
    case ir::ErrorKind::InvalidRequest:
        return mentions("context") || mentions("too long") ? "context_length_exceeded" : "invalid_prompt";
    case ir::ErrorKind::RequestTooLarge: return "context_length_exceeded";
    case ir::ErrorKind::Authentication: return "invalid_api_key";
    case ir::ErrorKind::Permission: return "permission_denied";
    case ir::ErrorKind::NotFound: return "model_not_found";
    case ir::ErrorKind::Server:
    case ir::ErrorKind::Overloaded:
    case ir::ErrorKind::Timeout: return "server_error";
    }
    return "server_error";
}

void Encoder::error(const Event &event, std::string &out)
{
    // No response.created first when none went out: a fresh encoder writes the error that ends a
    // stream already under way (StreamTranslator::errorEvent), where a second response would
    // restart the client's.
    if (!m_started) {
        m_id = ir::newId("resp_");
        m_createdAt = openai::unixTimeNow();
    }
    m_done = true;
    writeEvent(out, "response.failed", [&](JsonWriter &json) {
        json.key("response");
        writeResponse(json, Status::Failed, nullptr, &event);
    });
}

const char *statusName(Status status)
{
    switch (status) {
    case Status::Completed: return "completed";
    case Status::Incomplete: return "incomplete";
    case Status::Failed: return "failed";
    case Status::InProgress: break;
    }
    return "in_progress";
}

void Encoder::writeResponse(JsonWriter &json, Status status, const ir::Usage *usage, const Event *event)
{
    json.beginObject().member("id", m_id).member("object", "response").member("created_at", m_createdAt)
        .member("status", statusName(status)).member("model", m_model);
    json.key("output").beginArray();
    if (status == Status::Completed || status == Status::Incomplete) {
        for (const Item &item : m_items)
            writeItem(json, item);
    }
    json.endArray();
    if (usage)
        writeUsage(json.key("usage"), *usage);
    else
        json.key("usage").null();
    json.key("error");
    if (status == Status::Failed && event) {
        json.beginObject().member("code", errorCode(event->error))
            .member("message", event->error.message.empty() ? std::string_view("upstream error") : std::string_view(event->error.message))
            .endObject();
    } else {
        json.null();
    }
    json.key("incomplete_details");
    if (status == Status::Incomplete && event) {
        const char *reason = incompleteReasonOf(event->stop);
        json.beginObject().member("reason", reason ? reason : "max_output_tokens").endObject();
    } else {
        json.null();
    }
    if (m_options.request)
        writeRequestEcho(json, m_options.request);
    json.endObject();
}

} // namespace

std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options)
{
    return std::make_unique<Encoder>(options);
}

} // namespace tarn::gateway::responses
