// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiCodec.h"

#include "gateway/formats/GeminiCodecInternal.h"

#include <QString>

#include <algorithm>
#include <unordered_map>

// A Gemini client's GenerateContentRequest read into the IR (GeminiCodec::decodeRequest).

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using gemini::invalid;
using gemini::member;
using gemini::Path;

// Proto-JSON takes a field as camelCase or snake_case: both spellings are one key.
std::string canonicalKey(std::string_view key)
{
    std::string out;
    out.reserve(key.size());
    bool upper = false;
    for (const char c : key) {
        if (c == '_' && !out.empty()) {
            upper = true;
            continue;
        }
        out.push_back(upper && c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c);
        upper = false;
    }
    return out;
}

// inlineData → Image{data}, fileData → Image{url}; `found` says whether the part was one.
Status readMedia(object part, const Path &path, std::vector<ir::Part> &parts, bool &found)
{
    element value;
    for (const bool inlined : {true, false}) {
        const std::string_view camel = inlined ? "inlineData" : "fileData";
        if (!member(part, camel, inlined ? "inline_data" : "file_data", value))
            continue;
        found = true;
        object media;
        if (value.get(media))
            return invalid(path / camel, "must be an object");
        std::string_view mimeType, data;
        element field;
        if (member(media, "mimeType", "mime_type", field) && field.get(mimeType))
            return invalid(path / camel / "mimeType", "must be a string");
        const std::string_view dataName = inlined ? "data" : "fileUri";
        if (!member(media, dataName, inlined ? "data" : "file_uri", field) || field.get(data) || data.empty())
            return invalid(path / camel / dataName, "must be a non-empty string");
        ir::Part out;
        out.kind = ir::Part::Kind::Image;
        out.image.mediaType = std::string(mimeType);
        (inlined ? out.image.data : out.image.url) = std::string(data);
        parts.push_back(std::move(out));
        return {};
    }
    return {};
}

// Reads one request; the first problem found is the answer.
class RequestReader
{
public:
    Result<ir::Request> read(object root);

private:
    Status readContent(element content, const Path &path);
    Status readPart(object part, const Path &path, ir::Role role, std::vector<ir::Part> &parts);
    Status readFunctionCall(element value, std::string_view signature, const Path &path,
                            std::vector<ir::Part> &parts);
    Status readFunctionResponse(element value, const Path &path, std::vector<ir::Part> &parts);
    Status readSystem(element value);

    // The calls of one function, in the order they came: a response that names no id answers
    // the earliest one not answered yet. Maps, not a scan: a body may hold 100 000 calls.
    struct Calls
    {
        std::vector<std::string> ids;
        std::vector<bool> answered;
        std::size_t next = 0; // ids before it are all answered
    };

    ir::Request m_request;
    std::unordered_map<std::string, Calls> m_callsByName;
    std::unordered_map<std::string, std::pair<Calls *, std::size_t>> m_callsById;
};

Result<ir::Request> RequestReader::read(object root)
{
    {
        std::vector<std::string> keys;
        for (const auto field : root)
            keys.push_back(canonicalKey(field.key));
        std::sort(keys.begin(), keys.end());
        const auto twice = std::adjacent_find(keys.begin(), keys.end());
        if (twice != keys.end())
            return Error::invalid(QStringLiteral("duplicate top-level key '%1' in the request body")
                                      .arg(QString::fromStdString(*twice)));
    }

    element value;
    array contents;
    if (!member(root, "contents", value) || value.get(contents))
        return Error::invalid(QStringLiteral("contents must be an array"));
    if (contents.size() == 0)
        return Error::invalid(QStringLiteral("contents must not be empty"));
    const Path contentsPath{nullptr, "contents"};
    std::size_t index = 0;
    for (const element content : contents) {
        if (Status status = readContent(content, contentsPath[index++]); !status)
            return status.error();
    }
    if (member(root, "systemInstruction", "system_instruction", value)) {
        if (Status status = readSystem(value); !status)
            return status.error();
    }
    if (member(root, "tools", value)) {
        if (Status status = gemini::readTools(value, m_request); !status)
            return status.error();
    }
    if (member(root, "toolConfig", "tool_config", value)) {
        if (Status status = gemini::readToolConfig(value, m_request); !status)
            return status.error();
    }
    if (member(root, "generationConfig", "generation_config", value)) {
        if (Status status = gemini::readGenerationConfig(value, m_request); !status)
            return status.error();
    }
    return std::move(m_request);
}

Status RequestReader::readContent(element content, const Path &path)
{
    object fields;
    if (content.get(fields))
        return invalid(path, "must be an object");
    ir::Role role = ir::Role::User;
    element value;
    if (member(fields, "role", value)) {
        std::string_view name;
        if (value.get(name))
            return invalid(path / "role", "must be a string");
        // "function" is what older SDKs sent function responses as.
        if (name == "model")
            role = ir::Role::Assistant;
        else if (name != "user" && name != "function" && !name.empty())
            return invalid(path / "role", "must be 'user' or 'model'");
    }
    if (!member(fields, "parts", value))
        return {};
    array parts;
    if (value.get(parts))
        return invalid(path / "parts", "must be an array");
    ir::Message message;
    message.role = role;
    message.parts.reserve(parts.size());
    const Path partsPath = path / "parts";
    std::size_t index = 0;
    for (const element part : parts) {
        const Path partPath = partsPath[index++];
        object partFields;
        if (part.get(partFields))
            return invalid(partPath, "must be an object");
        if (Status status = readPart(partFields, partPath, role, message.parts); !status)
            return status;
    }
    if (!message.parts.empty())
        m_request.messages.push_back(std::move(message));
    return {};
}

Status RequestReader::readPart(object part, const Path &path, ir::Role role, std::vector<ir::Part> &parts)
{
    element value;
    std::string_view signature;
    if (member(part, "thoughtSignature", "thought_signature", value) && value.get(signature))
        return invalid(path / "thoughtSignature", "must be a string");
    bool thought = false;
    if (member(part, "thought", value) && value.get(thought))
        return invalid(path / "thought", "must be a boolean");

    if (member(part, "text", value)) {
        std::string_view text;
        if (value.get(text))
            return invalid(path / "text", "must be a string");
        ir::Part out;
        if (thought) {
            if (text.empty() && signature.empty())
                return {};
            out.kind = ir::Part::Kind::Thinking;
            out.signature = std::string(signature);
        } else if (text.empty()) {
            return {};
        }
        out.text = std::string(text);
        parts.push_back(std::move(out));
        return {};
    }
    bool found = false;
    if (Status status = readMedia(part, path, parts, found); !status || found)
        return status;
    // A call in a user turn or a response in a model turn has no place in the IR: dropped.
    if (member(part, "functionCall", "function_call", value))
        return role == ir::Role::Assistant ? readFunctionCall(value, signature, path / "functionCall", parts)
                                           : Status();
    if (member(part, "functionResponse", "function_response", value))
        return role == ir::Role::User ? readFunctionResponse(value, path / "functionResponse", parts)
                                      : Status();
    return {}; // executableCode, codeExecutionResult, videoMetadata…: nothing the IR says
}

Status RequestReader::readFunctionCall(element value, std::string_view signature, const Path &path,
                                       std::vector<ir::Part> &parts)
{
    object call;
    if (value.get(call))
        return invalid(path, "must be an object");
    element field;
    std::string_view name, id;
    if (!member(call, "name", field) || field.get(name) || name.empty())
        return invalid(path / "name", "must be a non-empty string");
    if (member(call, "id", field) && field.get(id))
        return invalid(path / "id", "must be a string");
    ir::Part out;
    out.kind = ir::Part::Kind::ToolCall;
    out.id = id.empty() ? ir::newId("call_") : std::string(id);
    out.name = std::string(name);
    out.signature = std::string(signature);
    if (member(call, "args", field)) {
        if (!field.is_object())
            return invalid(path / "args", "must be an object");
        out.arguments = simdjson::minify(field);
    } else {
        out.arguments = "{}";
    }
    Calls &calls = m_callsByName[out.name];
    m_callsById.try_emplace(out.id, &calls, calls.ids.size());
    calls.ids.push_back(out.id);
    calls.answered.push_back(false);
    parts.push_back(std::move(out));
    return {};
}

Status RequestReader::readFunctionResponse(element value, const Path &path, std::vector<ir::Part> &parts)
{
    object response;
    if (value.get(response))
        return invalid(path, "must be an object");
    element field;
    std::string_view name, id;
    if (!member(response, "name", field) || field.get(name) || name.empty())
        return invalid(path / "name", "must be a non-empty string");
    if (member(response, "id", field) && field.get(id))
        return invalid(path / "id", "must be a string");
    ir::Part out;
    out.kind = ir::Part::Kind::ToolResult;
    out.name = std::string(name);
    if (!id.empty()) {
        out.id = std::string(id);
        if (const auto call = m_callsById.find(out.id); call != m_callsById.end())
            call->second.first->answered[call->second.second] = true;
    } else if (const auto calls = m_callsByName.find(out.name); calls != m_callsByName.end()) {
        Calls &of = calls->second;
        while (of.next < of.ids.size() && of.answered[of.next])
            ++of.next;
        if (of.next < of.ids.size()) {
            of.answered[of.next] = true;
            out.id = of.ids[of.next];
        }
    }
    if (out.id.empty())
        out.id = ir::newId("call_"); // answers no call Tarn saw

    ir::Part text;
    text.text = member(response, "response", field) ? simdjson::minify(field) : std::string("{}");
    // {"output": "…"} (Gemini CLI), {"result": "…"} (what Tarn's encoder writes), {"error": "…"}:
    // a lone string is the tool's text itself, which is what other formats carry.
    object wrapper;
    if (member(response, "response", field) && !field.get(wrapper) && wrapper.size() == 1) {
        const auto only = *wrapper.begin();
        std::string_view single;
        const std::string_view key = only.key;
        if ((key == "output" || key == "result" || key == "content" || key == "text" || key == "error")
            && !only.value.get(single)) {
            text.text = std::string(single);
            out.isError = key == "error";
        }
    }
    out.content.push_back(std::move(text));
    // Gemini 3's multimodal function responses carry media in functionResponse.parts.
    array mediaParts;
    if (member(response, "parts", field) && !field.get(mediaParts)) {
        const Path itemsPath = path / "parts";
        std::size_t index = 0;
        for (const element item : mediaParts) {
            object itemFields;
            const Path itemPath = itemsPath[index++];
            if (item.get(itemFields))
                return invalid(itemPath, "must be an object");
            bool found = false;
            if (Status status = readMedia(itemFields, itemPath, out.content, found); !status)
                return status;
        }
    }
    parts.push_back(std::move(out));
    return {};
}

Status RequestReader::readSystem(element value)
{
    object content;
    if (value.get(content))
        return invalid("systemInstruction", "must be an object");
    element field;
    if (!member(content, "parts", field))
        return {};
    array parts;
    if (field.get(parts))
        return invalid("systemInstruction.parts", "must be an array");
    const Path partsPath{nullptr, "systemInstruction.parts"};
    std::size_t index = 0;
    for (const element part : parts) {
        const Path path = partsPath[index++];
        object partFields;
        if (part.get(partFields))
            return invalid(path, "must be an object");
        std::string_view text;
        if (!member(partFields, "text", field))
            continue;
        if (field.get(text))
            return invalid(path / "text", "must be a string");
        if (!text.empty()) {
            ir::Part out;
            out.text = std::string(text);
            m_request.system.push_back(std::move(out));
        }
    }
    return {};
}

} // namespace

Result<ir::Request> GeminiCodec::decodeRequest(std::string_view json) const
{
    if (json.empty())
        return Error::invalid(QStringLiteral("request body is empty; expected a JSON object"));
    gemini::Document document;
    if (const auto error = document.parse(json))
        return Error::invalid(QStringLiteral("request body is not valid JSON: %1")
                                  .arg(QString::fromUtf8(simdjson::error_message(error))));
    object root;
    if (document.root().get(root))
        return Error::invalid(QStringLiteral("request body must be a JSON object"));
    RequestReader reader;
    return reader.read(root);
}

} // namespace tarn::gateway
