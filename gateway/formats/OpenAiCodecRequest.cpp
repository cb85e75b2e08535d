// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodec.h"

#include "gateway/formats/OpenAiCodecShared.h"

#include <unordered_map>

// A client's Chat Completions body → ir::Request. Fields Tarn reads are type-checked and a wrong
// one is answered with OpenAI's kind of message naming it; fields it does not read are ignored.

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using openai::invalidField;
using openai::member;
using openai::missingField;
using openai::imagePart;
using openai::textPart;

// Which content parts a role may carry.
enum class ContentOf { System, User, Assistant, Tool };

class RequestReader
{
public:
    explicit RequestReader(ir::Request &into) : request(into) {}

    ir::Request &request;

    Status read(object body);

private:
    Status readMessages(object body);
    Status readContent(object message, std::size_t i, ContentOf role, std::vector<ir::Part> &parts);
    Status readContentPart(element value, std::size_t i, std::size_t j, ContentOf role, std::vector<ir::Part> &parts);
    Status readAssistant(object message, std::size_t i);
    Status readTool(object message, std::size_t i);

    // Names of the calls made so far, by the id the client wrote: a tool message names only the id.
    std::unordered_map<std::string_view, std::string_view> m_toolNames;
    bool m_afterToolMessage = false; // the last IR message holds the tool results just read
};

Status RequestReader::read(object body)
{
    element model;
    if (body["model"].get(model) || model.is_null())
        return Error::invalid(QStringLiteral("you must provide a model parameter"));
    std::string_view modelName;
    if (model.get(modelName) || modelName.empty())
        return invalidField("must be a non-empty string", "model");
    request.model = std::string(modelName);

    if (Status status = readMessages(body); !status)
        return status;
    return openai::readRequestParameters(body, request);
}

Status RequestReader::readMessages(object body)
{
    element value;
    if (body["messages"].get(value) || value.is_null())
        return missingField("messages");
    array messages;
    if (value.get(messages))
        return invalidField("must be an array", "messages");
    request.messages.reserve(messages.size());
    std::size_t i = 0;
    for (const element item : messages) {
        object message;
        if (item.get(message))
            return invalidField("must be an object", "messages", i);
        const std::optional<element> roleValue = member(message, "role");
        if (!roleValue)
            return missingField("messages", i, ".role");
        std::string_view role;
        if (roleValue->get(role))
            return invalidField("must be a string", "messages", i, ".role");

        Status status;
        if (role == "system" || role == "developer") {
            status = readContent(message, i, ContentOf::System, request.system);
        } else if (role == "user") {
            if (!m_afterToolMessage)
                request.messages.push_back({ir::Role::User, {}});
            status = readContent(message, i, ContentOf::User, request.messages.back().parts);
            m_afterToolMessage = false;
        } else if (role == "assistant") {
            status = readAssistant(message, i);
        } else if (role == "tool") {
            status = readTool(message, i);
        } else if (role != "function") { // legacy function results: no call id to answer
            return invalidField("must be one of 'system', 'developer', 'user', 'assistant', 'tool'", "messages", i, ".role");
        }
        if (!status)
            return status;
        ++i;
    }
    return {};
}

Status RequestReader::readContent(object message, std::size_t i, ContentOf role, std::vector<ir::Part> &parts)
{
    const std::optional<element> content = member(message, "content");
    if (!content)
        return {};
    if (openai::readTextContent(*content, role == ContentOf::User, parts))
        return {};
    array list;
    if (content->get(list))
        return invalidField("must be a string or an array of content parts", "messages", i, ".content");
    std::size_t j = 0;
    for (const element value : list) {
        if (Status status = readContentPart(value, i, j, role, parts); !status)
            return status;
        ++j;
    }
    return {};
}

Status RequestReader::readContentPart(element value, std::size_t i, std::size_t j, ContentOf role,
                                      std::vector<ir::Part> &parts)
{
    object part;
    if (value.get(part))
        return invalidField("must be an object", "messages", i, ".content", j);
    std::string_view type;
    if (part["type"].get(type))
        return missingField("messages", i, ".content", j, ".type");

    if (type == "text" || (type == "refusal" && role == ContentOf::Assistant)) {
        const std::string_view key = type == "text" ? "text" : "refusal";
        std::string_view text;
        if (part[key].get(text))
            return invalidField("must be a string", "messages", i, ".content", j, ".", key);
        if (!text.empty() || role == ContentOf::User)
            parts.push_back(textPart(text));
    } else if (type == "image_url" && (role == ContentOf::User || role == ContentOf::Tool)) {
        const std::optional<element> image = member(part, "image_url");
        std::string_view url;
        if (!image || (image->get(url) && (*image)["url"].get(url)))
            return invalidField("must be an object with a string 'url'", "messages", i, ".content", j, ".image_url");
        parts.push_back(imagePart(url));
    } else if (type == "file" && role == ContentOf::User) {
        const std::optional<element> file = member(part, "file");
        if (!file || !file->is_object())
            return invalidField("must be an object", "messages", i, ".content", j, ".file");
        std::string_view data;
        if (!(*file)["file_data"].get(data)) {
            ir::Part document = imagePart(data);
            if (!document.image.url.empty()) { // bare base64, as some clients send it
                document.image.data = std::move(document.image.url);
                document.image.url.clear();
                document.image.mediaType = "application/pdf";
            }
            parts.push_back(std::move(document));
        } // a file_id names an upload this gateway's channels do not share: dropped
    }
    // input_audio and part types this gateway does not know are dropped.
    return {};
}

Status RequestReader::readAssistant(object message, std::size_t i)
{
    m_afterToolMessage = false;
    ir::Message out{ir::Role::Assistant, {}};

    // DeepSeek, Qwen, GLM and Kimi want their reasoning_content echoed; OpenRouter names it reasoning.
    for (const char *key : {"reasoning_content", "reasoning"}) {
        const std::optional<element> reasoning = member(message, key);
        std::string_view text;
        if (!reasoning || reasoning->get(text)) {
            if (reasoning && key == std::string_view("reasoning_content"))
                return invalidField("must be a string", "messages", i, ".reasoning_content");
            continue;
        }
        if (!text.empty()) {
            out.parts.push_back(textPart(text, ir::Part::Kind::Thinking));
        }
        break;
    }
    if (Status status = readContent(message, i, ContentOf::Assistant, out.parts); !status)
        return status;

    if (const std::optional<element> calls = member(message, "tool_calls")) {
        array list;
        if (calls->get(list))
            return invalidField("must be an array", "messages", i, ".tool_calls");
        std::size_t j = 0;
        for (const element value : list) {
            object call;
            if (value.get(call))
                return invalidField("must be an object", "messages", i, ".tool_calls", j);
            std::string_view type = "function";
            if (const std::optional<element> typeValue = member(call, "type"); typeValue && typeValue->get(type))
                return invalidField("must be a string", "messages", i, ".tool_calls", j, ".type");
            if (type != "function") { // custom tools: this gateway maps function tools only
                ++j;
                continue;
            }
            std::string_view id, name;
            if (call["id"].get(id))
                return missingField("messages", i, ".tool_calls", j, ".id");
            const std::optional<element> function = member(call, "function");
            if (!function || !function->is_object())
                return missingField("messages", i, ".tool_calls", j, ".function");
            if ((*function)["name"].get(name))
                return missingField("messages", i, ".tool_calls", j, ".function.name");
            element arguments;
            const bool hasArguments = !(*function)["arguments"].get(arguments);

            ir::Part part;
            part.kind = ir::Part::Kind::ToolCall;
            ir::IdAndSignature split = ir::splitIdAndSignature(id);
            part.id = std::move(split.id);
            part.signature = split.signature.empty() ? std::string(openai::thoughtSignatureOf(value)) : std::move(split.signature);
            part.name = std::string(name);
            part.arguments = hasArguments ? openai::argumentsOf(arguments) : "{}";
            out.parts.push_back(std::move(part));
            m_toolNames[id] = name;
            ++j;
        }
    }
    request.messages.push_back(std::move(out));
    return {};
}

Status RequestReader::readTool(object message, std::size_t i)
{
    std::string_view id;
    if (message["tool_call_id"].get(id))
        return missingField("messages", i, ".tool_call_id");
    ir::Part result;
    result.kind = ir::Part::Kind::ToolResult;
    ir::IdAndSignature split = ir::splitIdAndSignature(id);
    result.id = std::move(split.id);
    if (const auto known = m_toolNames.find(id); known != m_toolNames.end())
        result.name = std::string(known->second);
    if (Status status = readContent(message, i, ContentOf::Tool, result.content); !status)
        return status;

    if (!m_afterToolMessage)
        request.messages.push_back({ir::Role::User, {}});
    request.messages.back().parts.push_back(std::move(result));
    m_afterToolMessage = true;
    return {};
}

} // namespace

Result<ir::Request> OpenAiCodec::decodeRequest(std::string_view json) const
{
    return openai::decodeRequestBody(json, [](object body, ir::Request &request) { return RequestReader(request).read(body); });
}

} // namespace tarn::gateway
