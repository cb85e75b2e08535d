// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodecShared.h"

// A client's Chat Completions body, the part beside the messages: tools and sampling, output and
// reasoning parameters.

namespace tarn::gateway::openai {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

Status readTools(object body, ir::Request &request)
{
    return readToolEntries(body, [&request](object tool, std::string_view type, std::size_t i) -> Status {
        if (type != "function") // custom and hosted tools have no counterpart elsewhere
            return {};
        const std::optional<element> function = member(tool, "function");
        if (!function || !function->is_object())
            return missingField("tools", i, ".function");
        ir::Tool out;
        std::string_view name;
        if ((*function)["name"].get(name) || name.empty())
            return missingField("tools", i, ".function.name");
        out.name = std::string(name);
        if (const std::optional<element> description = member(*function, "description")) {
            std::string_view text;
            if (description->get(text))
                return invalidField("must be a string", "tools", i, ".function.description");
            out.description = std::string(text);
        }
        if (const std::optional<element> parameters = member(*function, "parameters")) {
            if (!parameters->is_object())
                return invalidField("must be an object", "tools", i, ".function.parameters");
            out.parameters = simdjson::minify(*parameters);
        }
        request.tools.push_back(std::move(out));
        return {};
    });
}

Status readToolChoice(object body, ir::Request &request)
{
    const Result<ToolChoiceObject> choice =
        readToolChoiceMode(body, request.toolChoice, "must be 'none', 'auto', 'required' or a named tool");
    if (!choice)
        return choice.error();
    if (choice->type != "function") // allowed_tools, custom: no counterpart elsewhere, so the default
        return {};
    std::string_view name;
    if (choice->value["function"]["name"].get(name) || name.empty())
        return missingField("tool_choice.function.name");
    request.toolChoice = {ir::ToolChoice::Mode::Named, std::string(name)};
    return {};
}

Status readParameters(object body, ir::Request &request)
{
    if (Status status = readCommonParameters(body, {"max_completion_tokens", "max_tokens"}, request); !status)
        return status;
    if (const std::optional<element> value = member(body, "top_k")) { // vLLM and others take it
        int64_t topK = 0;
        if (value->get(topK))
            return invalidField("must be an integer", "top_k");
        request.topK = qint64(topK);
    }
    if (const std::optional<element> value = member(body, "stop")) {
        std::string_view text;
        array list;
        if (!value->get(text)) {
            request.stop.emplace_back(text);
        } else if (!value->get(list)) {
            for (const element item : list) {
                if (item.get(text))
                    return invalidField("must be a string or an array of strings", "stop");
                request.stop.emplace_back(text);
            }
        } else {
            return invalidField("must be a string or an array of strings", "stop");
        }
    }
    if (const std::optional<element> value = member(body, "stream")) {
        if (value->get(request.stream))
            return invalidField("must be a boolean", "stream");
    }
    if (const std::optional<element> value = member(body, "stream_options")) {
        if (!value->is_object())
            return invalidField("must be an object", "stream_options");
        if (const std::optional<element> include = member(*value, "include_usage")) {
            if (include->get(request.includeUsage))
                return invalidField("must be a boolean", "stream_options.include_usage");
        }
    }
    if (const std::optional<element> value = member(body, "user")) {
        std::string_view user;
        if (value->get(user))
            return invalidField("must be a string", "user");
        request.user = std::string(user);
    }
    return {};
}

Status readResponseFormat(object body, ir::Request &request)
{
    const std::optional<element> value = member(body, "response_format");
    if (!value)
        return {};
    if (!value->is_object())
        return invalidField("must be an object", "response_format");
    const Result<bool> schemaFollows = readResponseFormatType(*value, "response_format", request);
    if (!schemaFollows)
        return schemaFollows.error();
    if (!*schemaFollows)
        return {};
    const std::optional<element> schema = member(*value, "json_schema");
    if (!schema || !schema->is_object())
        return missingField("response_format.json_schema");
    request.responseFormat = ir::ResponseFormat::JsonSchema;
    if (const std::optional<element> name = member(*schema, "name")) {
        std::string_view text;
        if (name->get(text))
            return invalidField("must be a string", "response_format.json_schema.name");
        request.jsonSchemaName = std::string(text);
    }
    if (const std::optional<element> object = member(*schema, "schema")) {
        if (!object->is_object())
            return invalidField("must be an object", "response_format.json_schema.schema");
        request.jsonSchema = simdjson::minify(*object);
    }
    return {};
}

Status readReasoning(object body, ir::Request &request)
{
    std::string_view effort;
    if (const std::optional<element> value = member(body, "reasoning_effort")) {
        if (value->get(effort))
            return invalidField("must be a string", "reasoning_effort");
    }
    // OpenRouter's unified form: {"effort": "high"} or {"max_tokens": 2000}, {"enabled": false}.
    if (const std::optional<element> value = member(body, "reasoning")) {
        if (!value->is_object())
            return invalidField("must be an object", "reasoning");
        std::string_view nested;
        if (effort.empty() && !(*value)["effort"].get(nested))
            effort = nested;
        int64_t budget = 0;
        bool enabled = true;
        if (!(*value)["max_tokens"].get(budget))
            request.thinkingBudget = qint64(budget);
        else if (!(*value)["enabled"].get(enabled) && !enabled)
            request.thinkingBudget = 0;
    }
    if (effort == "none") // GPT-5.1's "no reasoning": a zero budget in IR terms
        request.thinkingBudget = 0;
    else
        request.reasoningEffort = std::string(effort);
    return {};
}

} // namespace

Status readRequestParameters(object body, ir::Request &request)
{
    for (const auto read : {&readTools, &readToolChoice, &readParameters, &readResponseFormat, &readReasoning}) {
        if (Status status = read(body, request); !status)
            return status;
    }
    return {};
}

} // namespace tarn::gateway::openai
