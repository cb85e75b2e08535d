// SPDX-License-Identifier: GPL-3.0-or-later
// ir::Request → a Messages body for an Anthropic channel, shaped to pass Anthropic's validation:
// max_tokens always set (and above the thinking budget), the first message a user one, same-role
// messages merged, tool_result blocks first in their message, no empty or whitespace-only text,
// unsigned thinking dropped, thinking sent only when Anthropic would accept it (not with forced
// tool use, a prefill, or a tool loop whose last assistant turn carries no signed thinking), and
// the sampling settings thinking forbids (and top_p beside temperature) left out. JSON mode
// becomes a system instruction.
#include "gateway/formats/AnthropicCodec.h"

#include "gateway/formats/AnthropicCodecInternal.h"
#include "gateway/formats/JsonMembers.h"
#include "gateway/formats/JsonWriter.h"

#include <algorithm>
#include <limits>

namespace tarn::gateway {

namespace {

using Kind = ir::Part::Kind;

// Anthropic's largest max_tokens (Claude's 128k output with extended output): a larger budget is
// one no model can spend, and must leave room for max_tokens above it.
constexpr qint64 kMaxThinkingBudget = 128000;

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
}

bool blank(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), isSpace);
}

std::string_view trimmedRight(std::string_view text)
{
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return text;
}

bool looksLikeObject(std::string_view json)
{
    const auto first = std::find_if_not(json.begin(), json.end(), isSpace);
    return first != json.end() && *first == '{';
}

// Anthropic takes tool ids of [A-Za-z0-9_-] only; other upstreams' ids ("functions.Read:0") are
// mapped alike in a tool_use and in the tool_result that answers it. A changed id gets a hash of
// the original appended, so ids differing only in forbidden characters ("fn.1", "fn:1") stay apart.
// A Gemini thoughtSignature is not packed into it: it means nothing to this channel.
std::string wireToolId(std::string_view id)
{
    std::string out(id);
    bool changed = false;
    for (char &c : out) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            c = '_';
            changed = true;
        }
    }
    if (changed) {
        quint32 hash = 2166136261u; // FNV-1a: deterministic, so a call and its result agree
        for (const char c : id)
            hash = (hash ^ quint8(c)) * 16777619u;
        static constexpr char kHex[] = "0123456789abcdef";
        out.push_back('_');
        for (int shift = 28; shift >= 0; shift -= 4)
            out.push_back(kHex[(hash >> shift) & 0xF]);
    }
    return out;
}

// One message as it will be written: the IR parts Anthropic accepts in it, in wire order.
struct WireMessage
{
    ir::Role role = ir::Role::User;
    std::vector<const ir::Part *> parts;
};

bool emitted(const ir::Part &part, ir::Role role)
{
    const bool assistant = role == ir::Role::Assistant;
    switch (part.kind) {
    case Kind::Text: return !blank(part.text);
    case Kind::Image: return !part.image.data.empty() || !part.image.url.empty();
    // Anthropic rejects unsigned thinking, and cannot read OpenAI's encrypted reasoning.
    case Kind::Thinking: return assistant && !part.signature.empty() && !part.openAiEncrypted;
    case Kind::RedactedThinking: return assistant && !part.text.empty();
    case Kind::ToolCall: return assistant && !part.name.empty();
    case Kind::ToolResult: return !assistant;
    }
    return false;
}

std::vector<WireMessage> wireMessages(const std::vector<ir::Message> &messages)
{
    std::vector<WireMessage> out;
    out.reserve(messages.size() + 1);
    for (const ir::Message &message : messages) {
        for (const ir::Part &part : message.parts) {
            if (!emitted(part, message.role))
                continue;
            if (out.empty() || out.back().role != message.role)
                out.push_back({message.role, {}});
            out.back().parts.push_back(&part);
        }
    }
    for (WireMessage &message : out) {
        if (message.role == ir::Role::User)
            std::stable_partition(message.parts.begin(), message.parts.end(),
                                  [](const ir::Part *part) { return part->kind == Kind::ToolResult; });
    }
    return out;
}

bool startsWithThinking(const WireMessage &message)
{
    const Kind first = message.parts.front()->kind;
    return first == Kind::Thinking || first == Kind::RedactedThinking;
}

bool hasKind(const WireMessage &message, Kind kind)
{
    return std::any_of(message.parts.begin(), message.parts.end(), [kind](const ir::Part *part) { return part->kind == kind; });
}

// The thinking budget to send, 0 for none.
qint64 thinkingBudget(const ir::Request &request, const RequestTarget &target, const std::vector<WireMessage> &messages)
{
    if (!target.sendReasoning)
        return 0;
    qint64 budget = 0;
    if (request.thinkingBudget) {
        budget = *request.thinkingBudget > 0 ? std::clamp<qint64>(*request.thinkingBudget, 1024, kMaxThinkingBudget) : 0;
    } else if (request.reasoningEffort == "low") {
        budget = 2048;
    } else if (request.reasoningEffort == "medium") {
        budget = 8192;
    } else if (request.reasoningEffort == "high") {
        budget = 16384;
    }
    if (budget == 0)
        return 0;
    // Anthropic answers 400 to thinking with forced tool use, with a prefilled answer, and in a tool
    // loop whose assistant turn has no signed thinking to continue from (clients of other formats
    // never have one): such a request goes without thinking rather than failing.
    using Mode = ir::ToolChoice::Mode;
    if (!request.tools.empty() && (request.toolChoice.mode == Mode::Required || request.toolChoice.mode == Mode::Named))
        return 0;
    if (!messages.empty() && messages.back().role == ir::Role::Assistant)
        return 0;
    if (messages.size() >= 2 && hasKind(messages.back(), Kind::ToolResult)) {
        const WireMessage &turn = messages[messages.size() - 2];
        if (turn.role == ir::Role::Assistant && hasKind(turn, Kind::ToolCall) && !startsWithThinking(turn))
            return 0;
    }
    return budget;
}

class RequestWriter
{
public:
    RequestWriter(const ir::Request &request, JsonWriter &json) : m_request(request), m_json(json) {}

    void system(bool jsonMode);
    void messages(const std::vector<WireMessage> &messages);
    void tools();

private:
    void cacheControl(const ir::Part &part);
    void text(const ir::Part &part, std::string_view text);
    void media(const ir::Part &part);
    void toolResult(const ir::Part &part);
    void part(const ir::Part &part, bool finalText);

    const ir::Request &m_request;
    JsonWriter &m_json;
};

void RequestWriter::cacheControl(const ir::Part &part)
{
    if (looksLikeObject(part.cacheControl))
        m_json.memberRaw("cache_control", part.cacheControl);
}

void RequestWriter::text(const ir::Part &part, std::string_view text)
{
    m_json.beginObject().member("type", "text").member("text", text);
    cacheControl(part);
    m_json.endObject();
}

void RequestWriter::media(const ir::Part &part)
{
    const ir::Image &image = part.image;
    m_json.beginObject().member("type", image.mediaType == "application/pdf" ? "document" : "image").key("source").beginObject();
    std::string_view mediaType = image.mediaType;
    std::string_view data = image.data;
    // A data: URL (OpenAI clients inline images so) is base64 to Anthropic.
    const std::string_view url = image.url;
    if (data.empty() && url.substr(0, 5) == "data:") {
        const std::size_t comma = url.find(',');
        const std::size_t marker = url.find(";base64");
        if (comma != std::string_view::npos && marker != std::string_view::npos && marker < comma) {
            mediaType = url.substr(5, marker - 5);
            data = url.substr(comma + 1);
        }
    }
    if (!data.empty())
        m_json.member("type", "base64").member("media_type", mediaType).member("data", data);
    else
        m_json.member("type", "url").member("url", url);
    m_json.endObject();
    cacheControl(part);
    m_json.endObject();
}

void RequestWriter::toolResult(const ir::Part &part)
{
    m_json.beginObject().member("type", "tool_result").member("tool_use_id", wireToolId(part.id));
    std::vector<const ir::Part *> content;
    for (const ir::Part &inner : part.content) {
        if ((inner.kind == Kind::Text || inner.kind == Kind::Image) && emitted(inner, ir::Role::User))
            content.push_back(&inner);
    }
    if (content.size() == 1 && content.front()->kind == Kind::Text && content.front()->cacheControl.empty()) {
        m_json.member("content", content.front()->text);
    } else if (!content.empty()) {
        m_json.key("content").beginArray();
        for (const ir::Part *inner : content) {
            if (inner->kind == Kind::Text)
                text(*inner, inner->text);
            else
                media(*inner);
        }
        m_json.endArray();
    }
    if (part.isError)
        m_json.memberBool("is_error", true);
    cacheControl(part);
    m_json.endObject();
}

void RequestWriter::part(const ir::Part &part, bool finalText)
{
    switch (part.kind) {
    case Kind::Text:
        // A final assistant turn (a prefill) must not end in whitespace.
        text(part, finalText ? trimmedRight(part.text) : std::string_view(part.text));
        break;
    case Kind::Image: media(part); break;
    case Kind::Thinking:
        m_json.beginObject().member("type", "thinking").member("thinking", part.text).member("signature", part.signature).endObject();
        break;
    case Kind::RedactedThinking:
        m_json.beginObject().member("type", "redacted_thinking").member("data", part.text).endObject();
        break;
    case Kind::ToolCall:
        m_json.beginObject().member("type", "tool_use").member("id", wireToolId(part.id))
            .member("name", part.name).memberRaw("input", anthropic::inputObject(part.arguments));
        cacheControl(part);
        m_json.endObject();
        break;
    case Kind::ToolResult: toolResult(part); break;
    }
}

void RequestWriter::system(bool jsonMode)
{
    const bool any = jsonMode || std::any_of(m_request.system.begin(), m_request.system.end(),
                                             [](const ir::Part &part) { return !blank(part.text); });
    if (!any)
        return;
    m_json.key("system").beginArray();
    for (const ir::Part &part : m_request.system) {
        if (part.kind == Kind::Text && !blank(part.text))
            text(part, part.text);
    }
    if (jsonMode) {
        // Messages has no JSON mode: the instruction is the closest it comes.
        std::string instruction = "Respond with a single valid JSON object and nothing else.";
        if (m_request.responseFormat == ir::ResponseFormat::JsonSchema && !m_request.jsonSchema.empty())
            instruction.append(" It must conform to this JSON Schema: ").append(m_request.jsonSchema);
        m_json.beginObject().member("type", "text").member("text", instruction).endObject();
    }
    m_json.endArray();
}

void RequestWriter::messages(const std::vector<WireMessage> &messages)
{
    m_json.key("messages").beginArray();
    if (messages.empty() || messages.front().role != ir::Role::User) {
        // Anthropic requires the conversation to open with a user turn.
        m_json.beginObject().member("role", "user").key("content").beginArray()
            .beginObject().member("type", "text").member("text", ".").endObject().endArray().endObject();
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const WireMessage &message = messages[i];
        const bool final = i + 1 == messages.size() && message.role == ir::Role::Assistant;
        m_json.beginObject().member("role", message.role == ir::Role::User ? "user" : "assistant").key("content").beginArray();
        for (std::size_t j = 0; j < message.parts.size(); ++j)
            part(*message.parts[j], final && j + 1 == message.parts.size());
        m_json.endArray().endObject();
    }
    m_json.endArray();
}

void RequestWriter::tools()
{
    m_json.key("tools").beginArray();
    for (const ir::Tool &tool : m_request.tools) {
        m_json.beginObject().member("name", tool.name);
        if (!tool.description.empty())
            m_json.member("description", tool.description);
        m_json.key("input_schema");
        if (!looksLikeObject(tool.parameters)) {
            m_json.raw(R"({"type":"object","properties":{}})");
        } else if (findTopLevelMember(QByteArrayView(tool.parameters.data(), qsizetype(tool.parameters.size())), "type").found()) {
            m_json.raw(tool.parameters);
        } else {
            // Anthropic requires input_schema.type; OpenAI clients may leave it out.
            std::string schema = tool.parameters;
            const std::size_t brace = schema.find('{');
            const bool empty = schema.find_first_not_of(" \n\r\t", brace + 1) == schema.find('}', brace);
            schema.insert(brace + 1, empty ? R"("type":"object")" : R"("type":"object",)");
            m_json.raw(schema);
        }
        m_json.endObject();
    }
    m_json.endArray();
}

} // namespace

std::string AnthropicCodec::encodeRequest(const ir::Request &request, const RequestTarget &target) const
{
    const std::vector<WireMessage> messages = wireMessages(request.messages);
    const qint64 budget = thinkingBudget(request, target, messages);
    qint64 maxTokens = request.maxTokens.value_or(target.defaultMaxTokens);
    if (maxTokens < 1)
        maxTokens = target.defaultMaxTokens > 0 ? target.defaultMaxTokens : 8192;
    if (budget > 0 && maxTokens <= budget) // Anthropic requires max_tokens > budget_tokens
        maxTokens = budget < std::numeric_limits<qint64>::max() - 1024 ? budget + 1024 : std::numeric_limits<qint64>::max();

    std::string out;
    out.reserve(1024 + request.messages.size() * 256);
    JsonWriter json(out);
    RequestWriter writer(request, json);
    json.beginObject().member("model", target.model).member("max_tokens", maxTokens);
    writer.system(request.responseFormat != ir::ResponseFormat::Text);
    writer.messages(messages);

    using Mode = ir::ToolChoice::Mode;
    const bool noParallel = request.parallelToolCalls == false;
    if (!request.tools.empty()) {
        writer.tools();
        // Anthropic rejects a tool_choice with no tools, so it goes only with them.
        const Mode mode = request.toolChoice.mode == Mode::Unset && noParallel ? Mode::Auto : request.toolChoice.mode;
        if (mode != Mode::Unset) {
            json.key("tool_choice").beginObject();
            switch (mode) {
            case Mode::Unset:
            case Mode::Auto: json.member("type", "auto"); break;
            case Mode::Required: json.member("type", "any"); break;
            case Mode::Named: json.member("type", "tool").member("name", request.toolChoice.name); break;
            case Mode::None: json.member("type", "none"); break;
            }
            if (noParallel && mode != Mode::None)
                json.memberBool("disable_parallel_tool_use", true);
            json.endObject();
        }
    }
    if (budget == 0) {
        if (request.temperature)
            json.member("temperature", std::clamp(*request.temperature, 0.0, 1.0));
        // Anthropic's current models refuse temperature and top_p together; temperature is the
        // one clients mean.
        if (request.topP && !request.temperature)
            json.member("top_p", *request.topP);
        if (request.topK)
            json.member("top_k", *request.topK);
    } else if (request.topP && *request.topP >= 0.95 && *request.topP <= 1.0) {
        json.member("top_p", *request.topP); // the only sampling setting thinking allows
    }
    if (std::any_of(request.stop.begin(), request.stop.end(), [](const std::string &stop) { return !blank(stop); })) {
        json.key("stop_sequences").beginArray();
        for (const std::string &stop : request.stop) {
            if (!blank(stop))
                json.string(stop);
        }
        json.endArray();
    }
    if (request.stream)
        json.memberBool("stream", true);
    if (!request.user.empty())
        json.key("metadata").beginObject().member("user_id", request.user).endObject();
    if (budget > 0)
        json.key("thinking").beginObject().member("type", "enabled").member("budget_tokens", budget).endObject();
    json.endObject();
    return out;
}

} // namespace tarn::gateway
