// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiCodecInternal.h"

#include <QString>

#include <algorithm>
#include <tuple>

// A Gemini client's tools, toolConfig and generationConfig read into the IR, for
// GeminiCodec::decodeRequest (GeminiCodecRequest.cpp reads the conversation).

namespace tarn::gateway::gemini {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

bool isUpperCaseWord(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

void writeLowerCase(JsonWriter &json, std::string_view text)
{
    std::string lower(text);
    for (char &c : lower)
        c = c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
    json.string(lower);
}

// Google's OpenAPI-subset schemas spell types in capitals ("OBJECT"); JSON Schema, which every
// other format takes, in lower case. Everything else is copied as it is.
void writeSchema(JsonWriter &json, element value, bool isTypeValue = false)
{
    switch (value.type()) {
    case simdjson::dom::element_type::OBJECT: {
        object fields;
        if (value.get(fields))
            break;
        json.beginObject();
        for (const auto field : fields) {
            json.key(field.key);
            writeSchema(json, field.value, field.key == "type");
        }
        json.endObject();
        break;
    }
    case simdjson::dom::element_type::ARRAY: {
        array items;
        if (value.get(items))
            break;
        json.beginArray();
        for (const element item : items)
            writeSchema(json, item, isTypeValue);
        json.endArray();
        break;
    }
    case simdjson::dom::element_type::STRING: {
        const std::string_view text = value.get_string().value_unsafe();
        if (isTypeValue && isUpperCaseWord(text))
            writeLowerCase(json, text);
        else
            json.string(text);
        break;
    }
    case simdjson::dom::element_type::INT64: json.number(qint64(value.get_int64().value_unsafe())); break;
    case simdjson::dom::element_type::UINT64: json.raw(std::to_string(value.get_uint64().value_unsafe())); break;
    case simdjson::dom::element_type::DOUBLE: json.number(value.get_double().value_unsafe()); break;
    case simdjson::dom::element_type::BOOL: json.boolean(value.get_bool().value_unsafe()); break;
    case simdjson::dom::element_type::NULL_VALUE: json.null(); break;
    }
}

std::string openApiSchemaText(element schema)
{
    std::string out;
    JsonWriter json(out);
    writeSchema(json, schema);
    return out;
}

Status readThinkingConfig(element value, ir::Request &request)
{
    object config;
    if (value.get(config))
        return invalid("generationConfig.thinkingConfig", "must be an object");
    element field;
    if (member(config, "thinkingBudget", "thinking_budget", field)) {
        qint64 budget = 0;
        if (!gemini::integerValue(field, budget) || budget < -1)
            return invalid("generationConfig.thinkingConfig.thinkingBudget", "must be -1 or a non-negative integer");
        if (budget == -1)
            request.reasoningEffort = "medium"; // dynamic: the model decides
        else
            request.thinkingBudget = budget;
    }
    if (member(config, "thinkingLevel", "thinking_level", field)) {
        std::string_view level;
        if (field.get(level))
            return invalid("generationConfig.thinkingConfig.thinkingLevel", "must be a string");
        for (const char *effort : {"minimal", "low", "medium", "high"}) {
            const std::string_view name(effort);
            if (level.size() == name.size()
                && std::equal(level.begin(), level.end(), name.begin(),
                              [](char a, char b) { return (a >= 'A' && a <= 'Z' ? char(a - 'A' + 'a') : a) == b; }))
                request.reasoningEffort = effort;
        }
    }
    return {};
}

} // namespace

std::string Path::text() const
{
    std::string out = parent ? parent->text() : std::string();
    if (!name.empty()) {
        if (!out.empty())
            out.push_back('.');
        out.append(name);
    }
    if (index >= 0)
        out.append("[").append(std::to_string(index)).append("]");
    return out;
}

Error invalid(const Path &path, std::string_view what)
{
    return Error::invalid(QString::fromStdString(path.text()) + QLatin1Char(' ')
                          + QString::fromUtf8(what.data(), qsizetype(what.size())));
}

Status readTools(element value, ir::Request &request)
{
    array tools;
    if (value.get(tools))
        return invalid("tools", "must be an array");
    const Path toolsPath{nullptr, "tools"};
    std::size_t toolIndex = 0;
    for (const element tool : tools) {
        const Path path = toolsPath[toolIndex++];
        object toolFields;
        if (tool.get(toolFields))
            return invalid(path, "must be an object");
        element field;
        // googleSearch, codeExecution, urlContext… run inside Google: no other format has them.
        if (!member(toolFields, "functionDeclarations", "function_declarations", field))
            continue;
        array declarations;
        if (field.get(declarations))
            return invalid(path / "functionDeclarations", "must be an array");
        const Path declarationsPath = path / "functionDeclarations";
        std::size_t index = 0;
        for (const element declaration : declarations) {
            const Path declPath = declarationsPath[index++];
            object fields;
            if (declaration.get(fields))
                return invalid(declPath, "must be an object");
            ir::Tool out;
            std::string_view text;
            if (!member(fields, "name", field) || field.get(text) || text.empty())
                return invalid(declPath / "name", "must be a non-empty string");
            out.name = std::string(text);
            if (member(fields, "description", field)) {
                if (field.get(text))
                    return invalid(declPath / "description", "must be a string");
                out.description = std::string(text);
            }
            if (member(fields, "parametersJsonSchema", "parameters_json_schema", field)) {
                if (!field.is_object())
                    return invalid(declPath / "parametersJsonSchema", "must be an object");
                out.parameters = simdjson::minify(field);
            } else if (member(fields, "parameters", field)) {
                if (!field.is_object())
                    return invalid(declPath / "parameters", "must be an object");
                out.parameters = openApiSchemaText(field);
            }
            request.tools.push_back(std::move(out));
        }
    }
    return {};
}

Status readToolConfig(element value, ir::Request &request)
{
    object config;
    if (value.get(config))
        return invalid("toolConfig", "must be an object");
    element field;
    object calling;
    if (!member(config, "functionCallingConfig", "function_calling_config", field))
        return {};
    if (field.get(calling))
        return invalid("toolConfig.functionCallingConfig", "must be an object");
    std::string_view mode;
    if (member(calling, "mode", field) && field.get(mode))
        return invalid("toolConfig.functionCallingConfig.mode", "must be a string");
    std::vector<std::string_view> allowed;
    if (member(calling, "allowedFunctionNames", "allowed_function_names", field)) {
        array names;
        if (field.get(names))
            return invalid("toolConfig.functionCallingConfig.allowedFunctionNames", "must be an array");
        for (const element name : names) {
            std::string_view text;
            if (name.get(text))
                return invalid("toolConfig.functionCallingConfig.allowedFunctionNames", "must hold strings");
            allowed.push_back(text);
        }
    }
    ir::ToolChoice &choice = request.toolChoice;
    if (mode == "AUTO" || mode == "VALIDATED") {
        choice.mode = ir::ToolChoice::Mode::Auto;
    } else if (mode == "NONE") {
        choice.mode = ir::ToolChoice::Mode::None;
    } else if (mode == "ANY") {
        // Several allowed names cannot be said elsewhere: any call is required, of any tool.
        choice.mode = allowed.size() == 1 ? ir::ToolChoice::Mode::Named : ir::ToolChoice::Mode::Required;
        if (allowed.size() == 1)
            choice.name = std::string(allowed.front());
    } else if (!mode.empty() && mode != "MODE_UNSPECIFIED") {
        return invalid("toolConfig.functionCallingConfig.mode", "must be AUTO, ANY, NONE or VALIDATED");
    }
    return {};
}

Status readGenerationConfig(element value, ir::Request &request)
{
    object config;
    if (value.get(config))
        return invalid("generationConfig", "must be an object");
    element field;
    qint64 integer = 0;
    double number = 0;
    if (member(config, "maxOutputTokens", "max_output_tokens", field)) {
        if (!gemini::integerValue(field, integer) || integer < 0)
            return invalid("generationConfig.maxOutputTokens", "must be a non-negative integer");
        request.maxTokens = integer;
    }
    for (const auto &[camel, snake, target] :
         {std::tuple{"temperature", "", &request.temperature}, std::tuple{"topP", "top_p", &request.topP}}) {
        if (!member(config, camel, snake, field))
            continue;
        if (field.get(number))
            return invalid(std::string("generationConfig.") + camel, "must be a number");
        *target = number;
    }
    if (member(config, "topK", "top_k", field)) {
        if (!gemini::integerValue(field, integer))
            return invalid("generationConfig.topK", "must be an integer");
        request.topK = integer;
    }
    if (member(config, "stopSequences", "stop_sequences", field)) {
        array stops;
        if (field.get(stops))
            return invalid("generationConfig.stopSequences", "must be an array");
        for (const element stop : stops) {
            std::string_view text;
            if (stop.get(text))
                return invalid("generationConfig.stopSequences", "must hold strings");
            request.stop.emplace_back(text);
        }
    }
    std::string_view mimeType;
    if (member(config, "responseMimeType", "response_mime_type", field) && field.get(mimeType))
        return invalid("generationConfig.responseMimeType", "must be a string");
    if (mimeType == "application/json") {
        request.responseFormat = ir::ResponseFormat::JsonObject;
        const bool jsonSchema = member(config, "responseJsonSchema", "response_json_schema", field);
        if (jsonSchema || member(config, "responseSchema", "response_schema", field)) {
            if (!field.is_object())
                return invalid(jsonSchema ? "generationConfig.responseJsonSchema" : "generationConfig.responseSchema",
                               "must be an object");
            request.responseFormat = ir::ResponseFormat::JsonSchema;
            request.jsonSchema = jsonSchema ? simdjson::minify(field) : openApiSchemaText(field);
            request.jsonSchemaName = "response"; // Gemini's schemas have no name; OpenAI's must
        }
    }
    if (member(config, "thinkingConfig", "thinking_config", field))
        return readThinkingConfig(field, request);
    return {};
}

} // namespace tarn::gateway::gemini
