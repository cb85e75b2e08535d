// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodec.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"
#include "gateway/formats/ResponsesCodecInternal.h"

#include <algorithm>
#include <unordered_map>

// A client's POST /v1/responses body → ir::Request. Fields Tarn reads are type-checked and a wrong
// one is answered with OpenAI's kind of message naming it; fields it does not read (include,
// metadata, truncation, service_tier, …) are ignored. Input items of hosted tools, item
// references and item types this codec does not know are dropped, as are built-in tools: no
// other format can run them.

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
using Kind = ir::Part::Kind;

// A grammar longer than this is cut in the description of a custom tool's `input` parameter: the
// description is prompt text, and the channel's model only needs the gist of a huge grammar.
constexpr std::size_t kMaxGrammarInDescription = 16 * 1024;

// At most `size` bytes of text, not cutting a UTF-8 sequence in two.
std::string_view utf8Prefix(std::string_view text, std::size_t size)
{
    if (text.size() <= size)
        return text;
    while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80)
        --size;
    return text.substr(0, size);
}

// A member that must be a string when given (null counts as not given).
template<typename... Pieces>
Status optionalString(object parent, std::string_view key, std::string_view &out, const Pieces &...path)
{
    const std::optional<element> value = member(parent, key);
    if (value && value->get(out))
        return invalidField("must be a string", path..., key);
    return {};
}

// Which content parts a message's role may carry.
enum class ContentOf { System, User, Assistant, ToolOutput };

class RequestReader
{
public:
    explicit RequestReader(ir::Request &into) : request(into) {}

    ir::Request &request;

    Status read(object body);

private:
    Status readTools(object body);
    Status readCustomTool(object tool, std::size_t i, ir::Tool &out);
    Status readToolChoice(object body);
    Status readParameters(object body);
    Status readText(object body);
    Status readInput(object body);
    Status readItem(element value, std::size_t i);
    Status readMessage(object item, std::size_t i);
    Status readContent(element content, std::size_t i, std::string_view key, ContentOf role, std::vector<ir::Part> &parts);
    Status readCall(object item, std::size_t i, bool custom);
    Status readCallOutput(object item, std::size_t i, bool custom);
    Status readReasoning(object item, std::size_t i);

    // The message the next item of a role goes into: consecutive items of one role merge.
    ir::Message &messageFor(ir::Role role);

    std::unordered_map<std::string_view, std::string_view> m_toolNames; // by call_id
};

ir::Message &RequestReader::messageFor(ir::Role role)
{
    if (request.messages.empty() || request.messages.back().role != role)
        request.messages.push_back({role, {}});
    return request.messages.back();
}

Status RequestReader::read(object body)
{
    const std::optional<element> model = member(body, "model");
    if (!model)
        return missingField("model");
    std::string_view modelName;
    if (model->get(modelName) || modelName.empty())
        return invalidField("must be a non-empty string", "model");
    request.model = std::string(modelName);

    std::string_view instructions;
    if (Status status = optionalString(body, "instructions", instructions); !status)
        return status;
    if (!instructions.empty()) {
        request.system.push_back(textPart(instructions));
        request.instructions = std::string(instructions);
    }
    for (const auto read : {&RequestReader::readInput, &RequestReader::readTools, &RequestReader::readToolChoice,
                            &RequestReader::readParameters, &RequestReader::readText}) {
        if (Status status = (this->*read)(body); !status)
            return status;
    }
    return {};
}

Status RequestReader::readTools(object body)
{
    return openai::readToolEntries(body, [this](object tool, std::string_view type, std::size_t i) -> Status {
        if (type != "function" && type != "custom") // built-in tools: only OpenAI can run them
            return {};
        ir::Tool out;
        std::string_view name, description;
        if (tool["name"].get(name) || name.empty())
            return missingField("tools", i, ".name");
        out.name = std::string(name);
        if (Status status = optionalString(tool, "description", description, "tools", i, "."); !status)
            return status;
        out.description = std::string(description);
        if (type == "custom") {
            if (Status status = readCustomTool(tool, i, out); !status)
                return status;
        } else if (const std::optional<element> parameters = member(tool, "parameters")) {
            if (!parameters->is_object())
                return invalidField("must be an object", "tools", i, ".parameters");
            out.parameters = simdjson::minify(*parameters);
        }
        if (const std::optional<element> strict = member(tool, "strict"); strict && !strict->is_bool())
            return invalidField("must be a boolean", "tools", i, ".strict");
        request.tools.push_back(std::move(out));
        return {};
    });
}

// A custom tool becomes a function with one string parameter `input` (what formats without
// custom tools can call); its format object rides along for a Responses channel.
Status RequestReader::readCustomTool(object tool, std::size_t i, ir::Tool &out)
{
    out.custom = true;
    std::string inputDescription = "The raw input text, passed to the tool as it is.";
    if (const std::optional<element> format = member(tool, "format")) {
        if (!format->is_object())
            return invalidField("must be an object", "tools", i, ".format");
        std::string_view type;
        if ((*format)["type"].get(type))
            return missingField("tools", i, ".format.type");
        if (type == "grammar") {
            std::string_view syntax, definition;
            if ((*format)["syntax"].get(syntax))
                return missingField("tools", i, ".format.syntax");
            if ((*format)["definition"].get(definition))
                return missingField("tools", i, ".format.definition");
            inputDescription = "The raw input text. It must follow this ";
            inputDescription.append(syntax).append(" grammar exactly:\n").append(utf8Prefix(definition, kMaxGrammarInDescription));
            if (definition.size() > kMaxGrammarInDescription)
                inputDescription.append("\n(grammar cut short)");
        } else if (type != "text") {
            return invalidField("must be 'text' or 'grammar'", "tools", i, ".format.type");
        }
        out.format = simdjson::minify(*format);
    }
    std::string schema;
    JsonWriter(schema).beginObject().member("type", "object").key("properties").beginObject()
        .key("input").beginObject().member("type", "string").member("description", inputDescription).endObject()
        .endObject().key("required").beginArray().string("input").endArray()
        .memberBool("additionalProperties", false).endObject();
    out.parameters = std::move(schema);
    return {};
}

Status RequestReader::readToolChoice(object body)
{
    const Result<openai::ToolChoiceObject> choice =
        openai::readToolChoiceMode(body, request.toolChoice, "must be 'none', 'auto', 'required' or an object");
    if (!choice)
        return choice.error();
    const std::string_view type = choice->type;
    const element value = choice->value;
    if (type == "function" || type == "custom") {
        std::string_view name;
        if (value["name"].get(name) || name.empty())
            return missingField("tool_choice.name");
        request.toolChoice = {ir::ToolChoice::Mode::Named, std::string(name)};
    } else if (type == "allowed_tools") {
        // A subset of the tools with a mode: the nearest the other formats say is the mode alone.
        std::string_view allowed;
        if (value["mode"].get(allowed) || (allowed != "auto" && allowed != "required"))
            return invalidField("must be 'auto' or 'required'", "tool_choice.mode");
        request.toolChoice.mode = allowed == "auto" ? ir::ToolChoice::Mode::Auto : ir::ToolChoice::Mode::Required;
    } // a built-in tool or an MCP server: dropped with the tools, so the default
    return {};
}

Status RequestReader::readParameters(object body)
{
    if (Status status = openai::readCommonParameters(body, {"max_output_tokens"}, request); !status)
        return status;
    for (const auto &[key, target] : {std::pair{"stream", &request.stream}, std::pair{"store", &request.store}}) {
        const std::optional<element> value = member(body, key);
        if (value && value->get(*target))
            return invalidField("must be a boolean", key);
    }
    std::string_view text;
    for (const auto &[key, target] : {std::pair{"prompt_cache_key", &request.promptCacheKey},
                                      std::pair{"previous_response_id", &request.previousResponseId},
                                      std::pair{"safety_identifier", &request.user}, std::pair{"user", &request.user}}) {
        text = {};
        if (Status status = optionalString(body, key, text); !status)
            return status;
        if (!text.empty())
            *target = std::string(text); // `user` wins over safety_identifier: read last
    }
    if (const std::optional<element> value = member(body, "reasoning")) {
        if (!value->is_object())
            return invalidField("must be an object", "reasoning");
        std::string_view effort;
        if (Status status = optionalString(*value, "effort", effort, "reasoning."); !status)
            return status;
        if (effort == "none") // GPT-5.1's "no reasoning": a zero budget in IR terms
            request.thinkingBudget = 0;
        else if (effort == "xhigh") // beyond the four efforts the other formats map
            request.reasoningEffort = "high";
        else
            request.reasoningEffort = std::string(effort);
    }
    return {};
}

Status RequestReader::readText(object body)
{
    const std::optional<element> value = member(body, "text");
    if (!value)
        return {};
    if (!value->is_object())
        return invalidField("must be an object", "text");
    const std::optional<element> format = member(*value, "format");
    if (!format)
        return {};
    if (!format->is_object())
        return invalidField("must be an object", "text.format");
    const Result<bool> schemaFollows = openai::readResponseFormatType(*format, "text.format", request);
    if (!schemaFollows)
        return schemaFollows.error();
    if (!*schemaFollows)
        return {};
    request.responseFormat = ir::ResponseFormat::JsonSchema;
    std::string_view name;
    if (Status status = optionalString(*format, "name", name, "text.format."); !status)
        return status;
    request.jsonSchemaName = std::string(name);
    const std::optional<element> schema = member(*format, "schema");
    if (!schema)
        return missingField("text.format.schema");
    if (!schema->is_object())
        return invalidField("must be an object", "text.format.schema");
    request.jsonSchema = simdjson::minify(*schema);
    if (const std::optional<element> strict = member(*format, "strict"); strict && !strict->is_bool())
        return invalidField("must be a boolean", "text.format.strict");
    return {};
}

Status RequestReader::readInput(object body)
{
    const std::optional<element> value = member(body, "input");
    if (!value)
        return {};
    std::string_view text;
    if (!value->get(text)) {
        request.messages.push_back({ir::Role::User, {textPart(text)}});
        return {};
    }
    array items;
    if (value->get(items))
        return invalidField("must be a string or an array of input items", "input");
    std::size_t i = 0;
    for (const element item : items) {
        if (Status status = readItem(item, i); !status)
            return status;
        ++i;
    }
    return {};
}

Status RequestReader::readItem(element value, std::size_t i)
{
    object item;
    if (value.get(item))
        return invalidField("must be an object", "input", i);
    std::string_view type;
    if (Status status = optionalString(item, "type", type, "input", i, "."); !status)
        return status;
    if (type.empty() || type == "message") // an "easy" message has a role and no type
        return readMessage(item, i);
    if (type == "function_call" || type == "custom_tool_call")
        return readCall(item, i, type == "custom_tool_call");
    if (type == "function_call_output" || type == "custom_tool_call_output")
        return readCallOutput(item, i, type == "custom_tool_call_output");
    if (type == "reasoning")
        return readReasoning(item, i);
    // item_reference (needs stored items), hosted tools' calls and outputs, unknown types: dropped.
    return {};
}

Status RequestReader::readMessage(object item, std::size_t i)
{
    const std::optional<element> roleValue = member(item, "role");
    if (!roleValue)
        return missingField("input", i, ".role");
    std::string_view role;
    if (roleValue->get(role))
        return invalidField("must be a string", "input", i, ".role");
    const std::optional<element> content = member(item, "content");
    if (!content)
        return missingField("input", i, ".content");
    if (role == "system" || role == "developer")
        return readContent(*content, i, "content", ContentOf::System, request.system);
    if (role == "user")
        return readContent(*content, i, "content", ContentOf::User, messageFor(ir::Role::User).parts);
    if (role == "assistant") {
        std::vector<ir::Part> parts;
        if (Status status = readContent(*content, i, "content", ContentOf::Assistant, parts); !status)
            return status;
        std::vector<ir::Part> &into = messageFor(ir::Role::Assistant).parts;
        std::move(parts.begin(), parts.end(), std::back_inserter(into));
        return {};
    }
    return invalidField("must be one of 'user', 'assistant', 'system', 'developer'", "input", i, ".role");
}

Status RequestReader::readContent(element content, std::size_t i, std::string_view key, ContentOf role,
                                  std::vector<ir::Part> &parts)
{
    if (openai::readTextContent(content, role == ContentOf::User, parts))
        return {};
    std::string_view text;
    array list;
    if (content.get(list))
        return invalidField("must be a string or an array of content parts", "input", i, ".", key);
    std::size_t j = 0;
    for (const element value : list) {
        object part;
        if (value.get(part))
            return invalidField("must be an object", "input", i, ".", key, j);
        std::string_view type;
        if (part["type"].get(type))
            return missingField("input", i, ".", key, j, ".type");
        if (type == "input_text" || type == "output_text" || type == "refusal") {
            const std::string_view field = type == "refusal" ? "refusal" : "text";
            if (part[field].get(text))
                return invalidField("must be a string", "input", i, ".", key, j, ".", field);
            if (!text.empty() || role == ContentOf::User)
                parts.push_back(textPart(text));
        } else if (type == "input_image" && role != ContentOf::System && role != ContentOf::Assistant) {
            std::string_view url;
            if (Status status = optionalString(part, "image_url", url, "input", i, ".", key, j, "."); !status)
                return status;
            if (!url.empty()) // a file_id names an upload this gateway's channels do not share: dropped
                parts.push_back(imagePart(url));
        } else if (type == "input_file" && role != ContentOf::System && role != ContentOf::Assistant) {
            std::string_view data;
            if (Status status = optionalString(part, "file_data", data, "input", i, ".", key, j, "."); !status)
                return status;
            // Inline data goes on as a document; file_id and file_url name what channels cannot fetch.
            if (data.starts_with("data:") && data.find(";base64,") != std::string_view::npos)
                parts.push_back(imagePart(data));
        }
        // input_audio and part types this gateway does not know are dropped.
        ++j;
    }
    return {};
}

Status RequestReader::readCall(object item, std::size_t i, bool custom)
{
    // Empty ids and names are the channel's to refuse: other formats' decoders let them through.
    std::string_view callId, name;
    if (item["call_id"].get(callId))
        return missingField("input", i, ".call_id");
    if (item["name"].get(name))
        return missingField("input", i, ".name");
    ir::Part part;
    part.kind = Kind::ToolCall;
    ir::IdAndSignature split = ir::splitIdAndSignature(callId);
    part.id = std::move(split.id);
    part.signature = std::move(split.signature);
    part.name = std::string(name);
    part.custom = custom;
    if (custom) {
        std::string_view input;
        if (item["input"].get(input))
            return invalidField("must be a string", "input", i, ".input");
        part.arguments = responses::wrappedCustomInput(input);
    } else {
        std::string_view arguments;
        if (Status status = optionalString(item, "arguments", arguments, "input", i, "."); !status)
            return status;
        part.arguments = openai::normalizedArguments(arguments);
    }
    m_toolNames[callId] = name;
    messageFor(ir::Role::Assistant).parts.push_back(std::move(part));
    return {};
}

Status RequestReader::readCallOutput(object item, std::size_t i, bool custom)
{
    std::string_view callId;
    if (item["call_id"].get(callId))
        return missingField("input", i, ".call_id");
    const std::optional<element> output = member(item, "output");
    if (!output)
        return missingField("input", i, ".output");
    ir::Part result;
    result.kind = Kind::ToolResult;
    result.custom = custom;
    result.id = ir::splitIdAndSignature(callId).id;
    if (const auto known = m_toolNames.find(callId); known != m_toolNames.end())
        result.name = std::string(known->second);
    if (Status status = readContent(*output, i, "output", ContentOf::ToolOutput, result.content); !status)
        return status;
    messageFor(ir::Role::User).parts.push_back(std::move(result));
    return {};
}

Status RequestReader::readReasoning(object item, std::size_t i)
{
    ir::Part thinking;
    thinking.kind = Kind::Thinking;
    std::string_view id, encrypted, text;
    if (Status status = optionalString(item, "id", id, "input", i, "."); !status)
        return status;
    if (Status status = optionalString(item, "encrypted_content", encrypted, "input", i, "."); !status)
        return status;
    if (const std::optional<element> summary = member(item, "summary")) {
        array list;
        if (summary->get(list))
            return invalidField("must be an array", "input", i, ".summary");
        std::size_t j = 0;
        for (const element entry : list) {
            if (entry["text"].get(text))
                return invalidField("must be an object with a string 'text'", "input", i, ".summary", j);
            if (!thinking.text.empty())
                thinking.text.append("\n\n");
            thinking.text.append(text);
            ++j;
        }
    }
    if (thinking.text.empty() && encrypted.empty())
        return {}; // nothing another model could read or this one continue from
    thinking.id = std::string(id);
    thinking.signature = std::string(encrypted);
    thinking.openAiEncrypted = !encrypted.empty();
    messageFor(ir::Role::Assistant).parts.push_back(std::move(thinking));
    return {};
}

} // namespace

Result<ir::Request> ResponsesCodec::decodeRequest(std::string_view json) const
{
    return openai::decodeRequestBody(json, [](object body, ir::Request &request) { return RequestReader(request).read(body); });
}

} // namespace tarn::gateway
