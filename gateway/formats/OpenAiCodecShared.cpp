// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodecShared.h"

#include <algorithm>

// The reading and writing Chat Completions and Responses do alike. The Responses API took its
// parameter names, checks and error wording from Chat Completions, so one copy keeps them agreed.

namespace tarn::gateway::openai {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

ir::Part textPart(std::string_view text, ir::Part::Kind kind)
{
    ir::Part part;
    part.kind = kind;
    part.text = std::string(text);
    return part;
}

ir::Part imagePart(std::string_view url)
{
    ir::Part part;
    part.kind = ir::Part::Kind::Image;
    const std::size_t marker = url.find(";base64,");
    if (url.starts_with("data:") && marker != std::string_view::npos) {
        const std::string_view header = url.substr(5, marker - 5);
        part.image.mediaType = std::string(header.substr(0, header.find(';')));
        part.image.data = std::string(url.substr(marker + 8));
    } else {
        part.image.url = std::string(url);
    }
    return part;
}

bool readTextContent(element content, bool userTurn, std::vector<ir::Part> &parts)
{
    std::string_view text;
    if (content.get(text))
        return false;
    if (!text.empty() || userTurn) // a user's empty turn is a turn
        parts.push_back(textPart(text));
    return true;
}

namespace {

Status duplicateKeyCheck(object body)
{
    std::vector<std::string_view> keys;
    keys.reserve(body.size());
    for (const auto field : body)
        keys.push_back(field.key);
    std::sort(keys.begin(), keys.end());
    const auto twice = std::adjacent_find(keys.begin(), keys.end());
    if (twice != keys.end()) {
        return Error::invalid(QStringLiteral("duplicate top-level key '%1' in the request body")
                                  .arg(QString::fromUtf8(twice->data(), qsizetype(std::min<std::size_t>(twice->size(), 200)))));
    }
    return {};
}

const char *effortForBudget(qint64 budget)
{
    if (budget < 4096)
        return "low";
    return budget < 12288 ? "medium" : "high";
}

} // namespace

Result<ir::Request> decodeRequestBody(std::string_view json, RequestBodyReader read)
{
    if (json.empty())
        return Error::invalid(QStringLiteral("request body is empty; expected a JSON object"));
    ParsedJson parsed;
    if (const auto error = parsed.parse(json)) {
        return Error::invalid(QStringLiteral("request body is not valid JSON: %1")
                                  .arg(QString::fromUtf8(simdjson::error_message(error))));
    }
    object body;
    if (parsed.root().get(body))
        return Error::invalid(QStringLiteral("request body must be a JSON object"));
    if (Status status = duplicateKeyCheck(body); !status)
        return status.error();
    ir::Request request;
    if (Status status = read(body, request); !status)
        return status.error();
    return request;
}

Result<ToolChoiceObject> readToolChoiceMode(object body, ir::ToolChoice &choice, const char *badMode)
{
    const std::optional<element> value = member(body, "tool_choice");
    if (!value)
        return ToolChoiceObject{};
    std::string_view mode;
    if (!value->get(mode)) {
        if (mode == "auto")
            choice.mode = ir::ToolChoice::Mode::Auto;
        else if (mode == "none")
            choice.mode = ir::ToolChoice::Mode::None;
        else if (mode == "required")
            choice.mode = ir::ToolChoice::Mode::Required;
        else
            return invalidField(badMode, "tool_choice");
        return ToolChoiceObject{};
    }
    if (!value->is_object())
        return invalidField("must be a string or an object", "tool_choice");
    std::string_view type;
    if ((*value)["type"].get(type))
        return missingField("tool_choice.type");
    return ToolChoiceObject{*value, type};
}

Status readToolEntries(object body, const ToolEntryReader &read)
{
    const std::optional<element> value = member(body, "tools");
    if (!value)
        return {};
    array tools;
    if (value->get(tools))
        return invalidField("must be an array", "tools");
    std::size_t i = 0;
    for (const element item : tools) {
        object tool;
        if (item.get(tool))
            return invalidField("must be an object", "tools", i);
        std::string_view type;
        if (tool["type"].get(type))
            return missingField("tools", i, ".type");
        if (Status status = read(tool, type, i); !status)
            return status;
        ++i;
    }
    return {};
}

Status readCommonParameters(object body, std::initializer_list<const char *> maxTokenKeys, ir::Request &request)
{
    if (const std::optional<element> value = member(body, "parallel_tool_calls")) {
        bool parallel = false;
        if (value->get(parallel))
            return invalidField("must be a boolean", "parallel_tool_calls");
        request.parallelToolCalls = parallel;
    }
    for (const char *key : maxTokenKeys) {
        const std::optional<element> value = member(body, key);
        if (!value)
            continue;
        int64_t tokens = 0;
        if (value->get(tokens))
            return invalidField("must be an integer", key);
        if (tokens < 0) // no format takes one; translated, it would fail the channel's check instead
            return invalidField("must be a non-negative integer", key);
        if (!request.maxTokens)
            request.maxTokens = qint64(tokens);
    }
    for (const auto &[key, target] : {std::pair{"temperature", &request.temperature}, std::pair{"top_p", &request.topP}}) {
        const std::optional<element> value = member(body, key);
        if (!value)
            continue;
        double number = 0;
        if (value->get(number))
            return invalidField("must be a number", key);
        *target = number;
    }
    return {};
}

Result<bool> readResponseFormatType(element format, const char *path, ir::Request &request)
{
    std::string_view type;
    if (format["type"].get(type))
        return missingField(path, ".type");
    if (type == "text")
        return false;
    if (type == "json_object") {
        request.responseFormat = ir::ResponseFormat::JsonObject;
        return false;
    }
    if (type != "json_schema")
        return invalidField("must be 'text', 'json_object' or 'json_schema'", path, ".type");
    return true;
}

const char *reasoningEffortToSend(const ir::Request &request, bool sendReasoning)
{
    if (!sendReasoning)
        return nullptr;
    if (!request.reasoningEffort.empty())
        return request.reasoningEffort.c_str();
    if (request.thinkingBudget && *request.thinkingBudget > 0)
        return effortForBudget(*request.thinkingBudget);
    return nullptr;
}

const char *toolChoiceModeName(ir::ToolChoice::Mode mode)
{
    switch (mode) {
    case ir::ToolChoice::Mode::Auto: return "auto";
    case ir::ToolChoice::Mode::None: return "none";
    case ir::ToolChoice::Mode::Required: return "required";
    case ir::ToolChoice::Mode::Unset:
    case ir::ToolChoice::Mode::Named: break;
    }
    return nullptr;
}

std::size_t requestSizeEstimate(const ir::Request &request)
{
    std::size_t size = 256;
    for (const ir::Part &part : request.system)
        size += part.text.size();
    for (const ir::Message &message : request.messages) {
        for (const ir::Part &part : message.parts)
            size += 96 + part.text.size() + part.arguments.size() + part.image.data.size() + part.signature.size();
    }
    for (const ir::Tool &tool : request.tools)
        size += 64 + tool.description.size() + tool.parameters.size() + tool.format.size();
    return size;
}

Result<object> answerRootOf(ParsedJson &parsed, std::string_view json, std::string_view type, std::string_view listKey,
                            array &list)
{
    if (parsed.parse(json))
        return Error::invalid(QStringLiteral("the answer is not valid JSON"));
    object root;
    std::string_view actual;
    if (parsed.root().get(root) || (!root["object"].get(actual) && actual != type) || root[listKey].get(list)) {
        return Error::invalid(QStringLiteral("the answer is not a %1 object")
                                  .arg(QString::fromUtf8(type.data(), qsizetype(type.size()))));
    }
    return root;
}

void readIdAndModel(object root, ir::Response &response)
{
    std::string_view text;
    if (!root["id"].get(text))
        response.id = std::string(text);
    if (!root["model"].get(text))
        response.model = std::string(text);
}

} // namespace tarn::gateway::openai
