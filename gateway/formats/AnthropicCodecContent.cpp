// SPDX-License-Identifier: GPL-3.0-or-later
// A client's messages and their blocks → IR parts. Kept: text (with cache_control), images, PDF
// and plain-text documents, tool_use (id split from a carried signature), tool_result (named after
// its tool_use), thinking and redacted_thinking. Dropped: server tool blocks (server_tool_use,
// web_search_tool_result…), unknown block types, sources no other format can take (Files API ids).
#include "gateway/formats/AnthropicCodecRequestDecoder.h"

namespace tarn::gateway::anthropic {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using Kind = ir::Part::Kind;

bool RequestDecoder::message(element value, const Path &path)
{
    object message;
    if (value.get(message))
        return fail(path, kDictionary);
    std::string_view role;
    if (!string(message, "role", path, true, role))
        return false;
    ir::Message out;
    if (role == "user")
        out.role = ir::Role::User;
    else if (role == "assistant")
        out.role = ir::Role::Assistant;
    else if (role != "system")
        return fail(path / "role", "Input should be 'user', 'assistant' or 'system'");
    const auto content = message["content"];
    if (absent(content))
        return fail(path / "content", kRequired);
    if (role == "system") {
        // A mid-conversation system message (Claude Code's mid-conversation-system beta): the IR
        // keeps system text in one place, so it joins the system prompt, as OpenAI's decoder does
        // for system messages between turns.
        std::vector<ir::Part> parts;
        if (!this->content(content.value_unsafe(), path / "content", parts, true))
            return false;
        for (ir::Part &part : parts) {
            if (part.kind == Kind::Text && !part.text.empty())
                request.system.push_back(std::move(part));
        }
        return true;
    }
    if (!this->content(content.value_unsafe(), path / "content", out.parts, false))
        return false;
    request.messages.push_back(std::move(out));
    return true;
}

bool RequestDecoder::content(element value, const Path &path, std::vector<ir::Part> &into, bool inToolResult)
{
    std::string_view text;
    if (!value.get(text)) {
        ir::Part part;
        part.text = std::string(text);
        into.push_back(std::move(part));
        return true;
    }
    array blocks;
    if (value.get(blocks))
        return fail(path, inToolResult ? kList : "Input should be a valid string or a list of content blocks");
    std::size_t index = 0;
    for (const element item : blocks) {
        const Path at = path / index++;
        if (inToolResult) {
            // A tool's answer is text and media; tool_reference and the like stay behind.
            object block;
            std::string_view type;
            if (item.get(block))
                return fail(at, kDictionary);
            if (block["type"].get(type) || (type != "text" && type != "image" && type != "document"))
                continue;
        }
        if (!this->block(item, at, into))
            return false;
    }
    return true;
}

bool RequestDecoder::block(element value, const Path &path, std::vector<ir::Part> &into)
{
    object block;
    std::string_view type;
    if (value.get(block))
        return fail(path, kDictionary);
    if (!string(block, "type", path, true, type))
        return false;
    if (type == "image" || type == "document")
        return media(block, type == "document", path, into);
    if (type == "tool_use")
        return toolUse(block, path, into);
    if (type == "tool_result")
        return toolResult(block, path, into);
    ir::Part part;
    std::string_view text, signature;
    if (type == "text") {
        if (!string(block, "text", path, true, text) || !cacheControl(block, path, part))
            return false;
    } else if (type == "thinking") {
        if (!string(block, "thinking", path, true, text) || !string(block, "signature", path, false, signature))
            return false;
        part.kind = Kind::Thinking;
        part.signature = std::string(signature);
    } else if (type == "redacted_thinking") {
        if (!string(block, "data", path, true, text))
            return false;
        part.kind = Kind::RedactedThinking;
    } else {
        return true; // server_tool_use, web_search_tool_result, search_result…: the server's business
    }
    part.text = std::string(text);
    into.push_back(std::move(part));
    return true;
}

bool RequestDecoder::media(object block, bool document, const Path &path, std::vector<ir::Part> &into)
{
    object source;
    const Path at = path / "source";
    const auto field = block["source"];
    if (absent(field))
        return fail(at, kRequired);
    if (field.get(source))
        return fail(at, kDictionary);
    std::string_view type, mediaType, data, url;
    if (!string(source, "type", at, true, type))
        return false;
    ir::Part part;
    part.kind = Kind::Image;
    if (type == "base64") {
        if (!string(source, "media_type", at, true, mediaType) || !string(source, "data", at, true, data))
            return false;
        part.image.mediaType = std::string(mediaType);
        part.image.data = std::string(data);
    } else if (type == "url") {
        if (!string(source, "url", at, true, url))
            return false;
        part.image.url = std::string(url);
        if (document)
            part.image.mediaType = "application/pdf";
    } else if (document && type == "text") {
        // A plain-text document is text to every other format.
        if (!string(source, "data", at, true, data))
            return false;
        part.kind = Kind::Text;
        part.text = std::string(data);
    } else {
        return true; // Files API ids, content documents: nothing another format could take
    }
    if (!cacheControl(block, path, part))
        return false;
    into.push_back(std::move(part));
    return true;
}

bool RequestDecoder::toolUse(object block, const Path &path, std::vector<ir::Part> &into)
{
    std::string_view id, name;
    if (!string(block, "id", path, true, id) || !string(block, "name", path, true, name))
        return false;
    ir::Part part;
    part.kind = Kind::ToolCall;
    ir::IdAndSignature split = ir::splitIdAndSignature(id);
    part.id = std::move(split.id);
    part.signature = std::move(split.signature);
    part.name = std::string(name);
    const auto input = block["input"];
    if (absent(input))
        part.arguments = "{}";
    else if (!input.value_unsafe().is_object())
        return fail(path / "input", kDictionary);
    else
        part.arguments = simdjson::minify(input.value_unsafe());
    if (!cacheControl(block, path, part))
        return false;
    toolNames[part.id] = part.name;
    into.push_back(std::move(part));
    return true;
}

bool RequestDecoder::toolResult(object block, const Path &path, std::vector<ir::Part> &into)
{
    std::string_view id;
    if (!string(block, "tool_use_id", path, true, id))
        return false;
    ir::Part part;
    part.kind = Kind::ToolResult;
    part.id = ir::splitIdAndSignature(id).id;
    if (const auto known = toolNames.find(part.id); known != toolNames.end())
        part.name = known->second;
    const auto isError = block["is_error"];
    if (!absent(isError) && isError.get(part.isError))
        return fail(path / "is_error", kBoolean);
    const auto result = block["content"];
    if (!absent(result) && !content(result.value_unsafe(), path / "content", part.content, true))
        return false;
    if (!cacheControl(block, path, part))
        return false;
    into.push_back(std::move(part));
    return true;
}

} // namespace tarn::gateway::anthropic
