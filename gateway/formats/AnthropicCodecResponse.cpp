// SPDX-License-Identifier: GPL-3.0-or-later
// Anthropic "message" objects ↔ ir::Response. Read: text, thinking, redacted_thinking and
// tool_use blocks (server tool blocks and citations dropped), the stop reason and usage (cached
// tokens added into input). Written: only the blocks the answer has, in its order, with usage
// split back into Anthropic's fields.
#include "gateway/formats/AnthropicCodec.h"

#include "gateway/formats/AnthropicCodecInternal.h"
#include "gateway/formats/JsonWriter.h"

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

enum class BlockRead { Kept, Skipped, Malformed };

// A block of an upstream answer: Skipped when it is one the IR does not carry, Malformed when a
// field it must have is missing or of the wrong type (the answer is then no Anthropic message).
BlockRead responsePart(element value, ir::Part &part)
{
    object block;
    std::string_view type;
    if (value.get(block) || block["type"].get(type))
        return BlockRead::Malformed;
    std::string_view text;
    if (type == "text") {
        if (block["text"].get(text))
            return BlockRead::Malformed;
        part.text = std::string(text);
        return BlockRead::Kept;
    }
    if (type == "thinking") {
        std::string_view signature;
        if (block["thinking"].get(text))
            return BlockRead::Malformed;
        part.kind = ir::Part::Kind::Thinking;
        part.text = std::string(text);
        if (!block["signature"].get(signature))
            part.signature = std::string(signature);
        return BlockRead::Kept;
    }
    if (type == "redacted_thinking") {
        if (block["data"].get(text))
            return BlockRead::Malformed;
        part.kind = ir::Part::Kind::RedactedThinking;
        part.text = std::string(text);
        return BlockRead::Kept;
    }
    if (type == "tool_use") {
        std::string_view name;
        if (block["name"].get(name))
            return BlockRead::Malformed;
        part.kind = ir::Part::Kind::ToolCall;
        ir::IdAndSignature split = ir::splitIdAndSignature(anthropic::stringOf(block["id"]));
        // A call without an id still reaches the client, under one it can answer.
        part.id = split.id.empty() ? ir::newId("toolu_") : std::move(split.id);
        part.signature = std::move(split.signature);
        part.name = std::string(name);
        element input;
        part.arguments = !block["input"].get(input) && input.is_object() ? simdjson::minify(input) : std::string("{}");
        return BlockRead::Kept;
    }
    return BlockRead::Skipped; // server_tool_use, web_search_tool_result, …
}

} // namespace

Result<ir::Response> AnthropicCodec::decodeResponse(std::string_view json) const
{
    anthropic::Document doc;
    object message;
    if (doc.parse(json) || doc.root.get(message))
        return Error::invalid(QStringLiteral("upstream answer is not a JSON object"));
    std::string_view type;
    array content;
    element contentValue;
    const bool typed = !message["type"].get(type);
    const bool hasContent = !message["content"].get(content);
    if (typed ? type != "message" : !hasContent)
        return Error::invalid(QStringLiteral("upstream answer is not an Anthropic message object"));
    // A content that is there but no list would otherwise pass as an empty answer.
    if (!hasContent && !message["content"].get(contentValue) && !contentValue.is_null())
        return Error::invalid(QStringLiteral("upstream answer's content is not a list"));

    ir::Response response;
    std::string_view text;
    if (!message["id"].get(text))
        response.id = std::string(text);
    if (!message["model"].get(text))
        response.model = std::string(text);
    if (hasContent) {
        response.parts.reserve(content.size());
        for (const element block : content) {
            ir::Part part;
            const BlockRead read = responsePart(block, part);
            if (read == BlockRead::Malformed)
                return Error::invalid(QStringLiteral("upstream answer has a malformed content block"));
            if (read == BlockRead::Kept)
                response.parts.push_back(std::move(part));
        }
    }
    if (!message["stop_reason"].get(text))
        response.stop = anthropic::stopReasonOf(text);
    if (!message["stop_sequence"].get(text))
        response.stopSequence = std::string(text);
    element usage;
    if (!message["usage"].get(usage)) {
        anthropic::RawUsage raw;
        raw.read(usage);
        response.usage = raw.toIr();
    }
    return response;
}

std::string AnthropicCodec::encodeResponse(const ir::Response &response) const
{
    std::string out;
    out.reserve(512);
    JsonWriter json(out);
    json.beginObject().member("id", anthropic::clientMessageId(response.id)).member("type", "message")
        .member("role", "assistant").member("model", response.model).key("content").beginArray();
    for (const ir::Part &part : response.parts) {
        switch (part.kind) {
        case ir::Part::Kind::Text:
            if (!part.text.empty())
                json.beginObject().member("type", "text").member("text", part.text).endObject();
            break;
        case ir::Part::Kind::Thinking:
            // OpenAI's encrypted reasoning is no signature Anthropic can read (as in the stream
            // encoder): the thinking goes unsigned, and without text it says nothing.
            if (part.openAiEncrypted && part.text.empty())
                break;
            json.beginObject().member("type", "thinking").member("thinking", part.text)
                .member("signature", part.openAiEncrypted ? std::string_view() : std::string_view(part.signature)).endObject();
            break;
        case ir::Part::Kind::RedactedThinking:
            json.beginObject().member("type", "redacted_thinking").member("data", part.text).endObject();
            break;
        case ir::Part::Kind::ToolCall:
            json.beginObject().member("type", "tool_use").member("id", ir::idWithSignature(part.id, part.signature))
                .member("name", part.name).memberRaw("input", anthropic::inputObject(part.arguments)).endObject();
            break;
        case ir::Part::Kind::Image:
        case ir::Part::Kind::ToolResult:
            break; // not in an answer
        }
    }
    json.endArray().member("stop_reason", anthropic::stopReasonName(response.stop)).key("stop_sequence");
    if (response.stop == ir::StopReason::StopSequence && !response.stopSequence.empty())
        json.string(response.stopSequence);
    else
        json.null();
    const ir::Usage &usage = response.usage;
    json.key("usage").beginObject()
        .member("input_tokens", anthropic::uncachedInput(usage))
        .member("cache_creation_input_tokens", ir::clampTokens(usage.cacheWrite))
        .member("cache_read_input_tokens", ir::clampTokens(usage.cacheRead))
        .member("output_tokens", ir::clampTokens(usage.output))
        .endObject().endObject();
    return out;
}

} // namespace tarn::gateway
