// SPDX-License-Identifier: GPL-3.0-or-later
// A client's Messages body → ir::Request: the body and its settings (messages and their blocks
// are AnthropicCodecContent.cpp's). Kept: system (with cache_control), custom tools, tool_choice,
// sampling, stop_sequences, stream, max_tokens (absent stays absent), thinking and
// output_config.effort, output_config.format's JSON schema, metadata.user_id. Dropped: server
// tools (web_search_…, bash_…, text_editor_…, tool_search_…), fields of tools other formats lack
// (cache_control, defer_loading), and settings only Anthropic has (context_management, container,
// mcp_servers, service_tier…).
#include "gateway/formats/AnthropicCodec.h"

#include "gateway/formats/AnthropicCodecInternal.h"
#include "gateway/formats/AnthropicCodecRequestDecoder.h"

#include <algorithm>
#include <cmath>

namespace tarn::gateway {

namespace anthropic {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

QString Path::text() const
{
    std::string out;
    for (int i = 0; i < m_count; ++i) {
        if (i > 0)
            out.push_back('.');
        if (const auto *name = std::get_if<std::string_view>(&m_segments[std::size_t(i)]))
            out.append(*name);
        else
            out.append(std::to_string(std::get<std::size_t>(m_segments[std::size_t(i)])));
    }
    return QString::fromStdString(out);
}

bool absent(simdjson::simdjson_result<element> field)
{
    return field.error() == simdjson::NO_SUCH_FIELD || (!field.error() && field.value_unsafe().is_null());
}

bool integerOf(element value, qint64 &out)
{
    int64_t number = 0;
    if (!value.get(number)) {
        out = number;
        return true;
    }
    double real = 0;
    if (!value.get(real) && std::trunc(real) == real && std::fabs(real) < 9e18) {
        out = qint64(real);
        return true;
    }
    return false;
}

bool RequestDecoder::fail(const Path &path, const char *problem)
{
    failure = Error::invalid(path.text() + QStringLiteral(": ") + QLatin1StringView(problem));
    return false;
}

bool RequestDecoder::string(object from, std::string_view key, const Path &path, bool required, std::string_view &out)
{
    const auto field = from[key];
    if (absent(field))
        return !required || fail(path / key, kRequired);
    return !field.get(out) || fail(path / key, kString);
}

bool RequestDecoder::cacheControl(object block, const Path &path, ir::Part &part)
{
    const auto field = block["cache_control"];
    if (absent(field))
        return true;
    if (!field.value_unsafe().is_object())
        return fail(path / "cache_control", kDictionary);
    part.cacheControl = simdjson::minify(field.value_unsafe());
    return true;
}

bool RequestDecoder::tool(element value, const Path &path)
{
    object tool;
    std::string_view type, name, description;
    if (value.get(tool))
        return fail(path, kDictionary);
    if (!string(tool, "type", path, false, type))
        return false;
    if (!type.empty() && type != "custom")
        return true; // web_search_…, bash_…, text_editor_…, tool_search_…: run by Anthropic itself
    if (!string(tool, "name", path, true, name) || !string(tool, "description", path, false, description))
        return false;
    ir::Tool out{std::string(name), std::string(description), {}};
    const auto schema = tool["input_schema"];
    if (!absent(schema)) {
        if (!schema.value_unsafe().is_object())
            return fail(path / "input_schema", kDictionary);
        out.parameters = simdjson::minify(schema.value_unsafe());
    }
    request.tools.push_back(std::move(out));
    return true;
}

bool RequestDecoder::toolChoice(element value)
{
    using Mode = ir::ToolChoice::Mode;
    const Path path = Path() / "tool_choice";
    object choice;
    std::string_view type, name;
    if (value.get(choice))
        return fail(path, kDictionary);
    if (!string(choice, "type", path, true, type))
        return false;
    if (type == "auto") {
        request.toolChoice.mode = Mode::Auto;
    } else if (type == "any") {
        request.toolChoice.mode = Mode::Required;
    } else if (type == "none") {
        request.toolChoice.mode = Mode::None;
    } else if (type == "tool") {
        if (!string(choice, "name", path, true, name))
            return false;
        request.toolChoice = {Mode::Named, std::string(name)};
    } else {
        return fail(path / "type", "Input should be 'auto', 'any', 'tool' or 'none'");
    }
    const auto disable = choice["disable_parallel_tool_use"];
    bool disabled = false;
    if (!absent(disable) && disable.get(disabled))
        return fail(path / "disable_parallel_tool_use", kBoolean);
    if (disabled)
        request.parallelToolCalls = false;
    return true;
}

bool RequestDecoder::thinking(element value)
{
    const Path path = Path() / "thinking";
    object thinking;
    std::string_view type;
    if (value.get(thinking))
        return fail(path, kDictionary);
    if (!string(thinking, "type", path, true, type))
        return false;
    if (type == "enabled") {
        const auto budget = thinking["budget_tokens"];
        qint64 tokens = 0;
        if (absent(budget))
            return fail(path / "budget_tokens", kRequired);
        if (!integerOf(budget.value_unsafe(), tokens))
            return fail(path / "budget_tokens", kInteger);
        request.thinkingBudget = std::max<qint64>(tokens, 0);
    } else if (type == "disabled") {
        request.thinkingBudget = 0;
    } else if (type == "adaptive") {
        if (request.reasoningEffort.empty())
            request.reasoningEffort = "medium";
    } else {
        return fail(path / "type", "Input should be 'enabled', 'disabled' or 'adaptive'");
    }
    return true;
}

bool RequestDecoder::outputConfig(element value)
{
    const Path path = Path() / "output_config";
    object config;
    std::string_view effort;
    if (value.get(config))
        return fail(path, kDictionary);
    if (!string(config, "effort", path, false, effort))
        return false;
    // The IR's efforts stop at "high"; Anthropic's go on to "xhigh" and "max".
    if (effort == "xhigh" || effort == "max")
        request.reasoningEffort = "high";
    else if (!effort.empty())
        request.reasoningEffort = std::string(effort);
    object format, schema;
    std::string_view formatType;
    if (!config["format"].get(format) && !format["type"].get(formatType) && formatType == "json_schema"
        && !format["schema"].get(schema)) {
        request.responseFormat = ir::ResponseFormat::JsonSchema;
        request.jsonSchema = simdjson::minify(schema);
        request.jsonSchemaName = "response";
    }
    return true;
}

bool RequestDecoder::setting(std::string_view key, element value)
{
    const Path at = Path() / key;
    if (key == "system") {
        if (!content(value, at, request.system, false))
            return false;
        // Only text belongs in a system prompt.
        std::erase_if(request.system, [](const ir::Part &part) { return part.kind != ir::Part::Kind::Text; });
    } else if (key == "max_tokens" || key == "top_k") {
        qint64 number = 0;
        if (!integerOf(value, number))
            return fail(at, kInteger);
        if (key == "top_k")
            request.topK = number;
        else if (number < 1)
            return fail(at, "Input should be greater than or equal to 1");
        else
            request.maxTokens = number;
    } else if (key == "temperature" || key == "top_p") {
        double number = 0;
        if (value.get(number))
            return fail(at, kNumber);
        (key == "temperature" ? request.temperature : request.topP) = number;
    } else if (key == "stop_sequences") {
        array stops;
        if (value.get(stops))
            return fail(at, kList);
        std::size_t index = 0;
        for (const element stop : stops) {
            std::string_view text;
            if (stop.get(text))
                return fail(at / index, kString);
            ++index;
            request.stop.emplace_back(text);
        }
    } else if (key == "stream") {
        if (value.get(request.stream))
            return fail(at, kBoolean);
    } else if (key == "tools") {
        array tools;
        if (value.get(tools))
            return fail(at, kList);
        std::size_t index = 0;
        for (const element tool : tools) {
            if (!this->tool(tool, at / index++))
                return false;
        }
    } else if (key == "tool_choice") {
        return toolChoice(value);
    } else if (key == "thinking") {
        return thinking(value);
    } else if (key == "metadata") {
        object metadata;
        std::string_view user;
        if (value.get(metadata))
            return fail(at, kDictionary);
        if (!string(metadata, "user_id", at, false, user))
            return false;
        request.user = std::string(user);
    }
    return true;
}

} // namespace anthropic

Result<ir::Request> AnthropicCodec::decodeRequest(std::string_view json) const
{
    if (json.empty())
        return Error::invalid(QStringLiteral("request body is empty; expected a JSON object"));
    anthropic::Document doc;
    if (const auto error = doc.parse(json))
        return Error::invalid(QStringLiteral("request body is not valid JSON: %1").arg(QLatin1StringView(simdjson::error_message(error))));
    simdjson::dom::object body;
    if (doc.root.get(body))
        return Error::invalid(QStringLiteral("request body must be a JSON object"));

    // A member given twice is read differently by different parsers: refuse to guess.
    std::vector<std::string_view> keys;
    keys.reserve(32);
    for (const auto field : body)
        keys.push_back(field.key);
    std::sort(keys.begin(), keys.end());
    if (const auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end()) {
        return Error::invalid(QStringLiteral("duplicate top-level key '%1' in the request body")
                                  .arg(QString::fromUtf8(twice->data(), qsizetype(twice->size()))));
    }

    ir::Request request;
    anthropic::RequestDecoder decoder{request, {}, {}};
    const anthropic::Path root;
    std::string_view model;
    if (!decoder.string(body, "model", root, true, model))
        return *decoder.failure;
    if (model.empty())
        return Error::invalid(QStringLiteral("model: String should have at least 1 character"));
    request.model = std::string(model);

    simdjson::dom::array messages;
    const auto messagesField = body["messages"];
    if (anthropic::absent(messagesField))
        return Error::invalid(QStringLiteral("messages: Field required"));
    if (messagesField.get(messages))
        return Error::invalid(QStringLiteral("messages: Input should be a valid list"));
    request.messages.reserve(messages.size());
    std::size_t index = 0;
    for (const simdjson::dom::element message : messages) {
        if (!decoder.message(message, root / "messages" / index++))
            return *decoder.failure;
    }
    for (const auto field : body) {
        if (!field.value.is_null() && !decoder.setting(field.key, field.value))
            return *decoder.failure;
    }
    // output_config after thinking: an explicit effort wins over adaptive's default.
    const auto config = body["output_config"];
    if (!anthropic::absent(config) && !decoder.outputConfig(config.value_unsafe()))
        return *decoder.failure;
    return request;
}

} // namespace tarn::gateway
