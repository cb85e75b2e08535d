// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodecInternal.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"

// What whole answers and streams in the Responses shape share: custom tool inputs, usage, status,
// the request echo of a Response object and its call and reasoning items.

namespace tarn::gateway::responses {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

qint64 tokenCount(element parent, std::string_view key)
{
    int64_t value = 0;
    if (!parent[key].get(value))
        return ir::clampTokens(qint64(value));
    double number = 0; // some servers write counts as 12.0
    if (!parent[key].get(number) && number > 0)
        return number < double(ir::kMaxTokens) ? qint64(number) : ir::kMaxTokens;
    return 0;
}

const ir::Tool *toolNamed(const ir::Request *request, std::string_view name)
{
    if (!request)
        return nullptr;
    for (const ir::Tool &tool : request->tools) {
        if (tool.name == name)
            return &tool;
    }
    return nullptr;
}

} // namespace

std::string wrappedCustomInput(std::string_view input)
{
    std::string out;
    out.reserve(input.size() + 16);
    JsonWriter(out).beginObject().member("input", input).endObject();
    return out;
}

std::string unwrappedCustomInput(std::string_view arguments)
{
    openai::ParsedJson parsed(openai::ParsedJson::Slot::Arguments);
    object wrapper;
    std::string_view input;
    if (parsed.parse(arguments) || parsed.root().get(wrapper) || wrapper["input"].get(input))
        return std::string(arguments);
    return std::string(input);
}

bool isCustomTool(const ir::Request *request, std::string_view name)
{
    const ir::Tool *tool = toolNamed(request, name);
    return tool && tool->custom;
}

bool isCustomCall(const ir::Part &call, const ir::Request *request)
{
    return call.custom || isCustomTool(request, call.name);
}

ir::Usage usageOf(element usage)
{
    ir::Usage out;
    if (!usage.is_object())
        return out;
    out.reported = true;
    out.input = tokenCount(usage, "input_tokens");
    out.output = tokenCount(usage, "output_tokens");
    element details;
    if (!usage["input_tokens_details"].get(details) && details.is_object())
        out.cacheRead = tokenCount(details, "cached_tokens");
    if (!usage["output_tokens_details"].get(details) && details.is_object())
        out.reasoning = tokenCount(details, "reasoning_tokens");
    return out;
}

void writeUsage(JsonWriter &json, const ir::Usage &usage)
{
    json.beginObject()
        .member("input_tokens", ir::clampTokens(usage.input))
        .key("input_tokens_details").beginObject().member("cached_tokens", ir::clampTokens(usage.cacheRead)).endObject()
        .member("output_tokens", ir::clampTokens(usage.output))
        .key("output_tokens_details").beginObject().member("reasoning_tokens", ir::clampTokens(usage.reasoning)).endObject()
        .member("total_tokens", ir::addTokens(usage.input, usage.output))
        .endObject();
}

const char *statusOf(ir::StopReason stop)
{
    return incompleteReasonOf(stop) ? "incomplete" : "completed";
}

const char *incompleteReasonOf(ir::StopReason stop)
{
    switch (stop) {
    case ir::StopReason::MaxTokens: return "max_output_tokens";
    case ir::StopReason::ContentFilter: return "content_filter";
    default: return nullptr;
    }
}

ir::StopReason stopReasonOf(std::string_view status, std::string_view incompleteReason)
{
    if (status == "completed")
        return ir::StopReason::EndTurn;
    if (status != "incomplete")
        return ir::StopReason::Unknown;
    if (incompleteReason == "content_filter")
        return ir::StopReason::ContentFilter;
    // max_output_tokens, and reasons this codec does not know: the answer was cut short.
    return ir::StopReason::MaxTokens;
}

void beginToolItem(JsonWriter &json, const ir::Tool &tool)
{
    json.beginObject().member("type", tool.custom ? "custom" : "function").member("name", tool.name);
    if (!tool.description.empty())
        json.member("description", tool.description);
    if (tool.custom && !tool.format.empty())
        json.memberRaw("format", tool.format);
}

void writeTextFormatMembers(JsonWriter &json, const ir::Request &request)
{
    switch (request.responseFormat) {
    case ir::ResponseFormat::Text: json.member("type", "text"); break;
    case ir::ResponseFormat::JsonObject: json.member("type", "json_object"); break;
    case ir::ResponseFormat::JsonSchema:
        json.member("type", "json_schema")
            .member("name", request.jsonSchemaName.empty() ? std::string_view("response") : std::string_view(request.jsonSchemaName))
            .memberRaw("schema", request.jsonSchema.empty() ? std::string_view("{}") : std::string_view(request.jsonSchema));
        break;
    }
}

void writeRequestEcho(JsonWriter &json, const ir::Request *request)
{
    // What the client sent as `instructions`, not the system prompt it became (Codex sends its
    // prompt as developer messages: echoing those would repeat 26 KB in three events).
    const std::string_view instructions = request ? std::string_view(request->instructions) : std::string_view();
    json.key("instructions");
    if (instructions.empty())
        json.null();
    else
        json.string(instructions);
    json.key("max_output_tokens");
    if (request && request->maxTokens)
        json.number(*request->maxTokens);
    else
        json.null();
    json.memberBool("parallel_tool_calls", !request || request->parallelToolCalls.value_or(true));
    json.key("previous_response_id");
    if (request && !request->previousResponseId.empty())
        json.string(request->previousResponseId);
    else
        json.null();
    json.key("reasoning").beginObject().key("effort");
    if (request && !request->reasoningEffort.empty())
        json.string(request->reasoningEffort);
    else if (request && request->thinkingBudget && *request->thinkingBudget == 0)
        json.string("none");
    else
        json.null();
    json.key("summary").null().endObject();
    json.memberBool("store", request && request->store);
    json.key("temperature");
    if (request && request->temperature)
        json.number(*request->temperature);
    else
        json.null();
    json.key("text").beginObject().key("format").beginObject();
    if (request)
        writeTextFormatMembers(json, *request);
    else
        json.member("type", "text");
    json.endObject().endObject();

    json.key("tool_choice");
    const ir::ToolChoice choice = request ? request->toolChoice : ir::ToolChoice{};
    switch (choice.mode) {
    case ir::ToolChoice::Mode::Unset:
    case ir::ToolChoice::Mode::Auto: json.string("auto"); break;
    case ir::ToolChoice::Mode::None: json.string("none"); break;
    case ir::ToolChoice::Mode::Required: json.string("required"); break;
    case ir::ToolChoice::Mode::Named:
        json.beginObject().member("type", isCustomTool(request, choice.name) ? "custom" : "function")
            .member("name", choice.name).endObject();
        break;
    }
    json.key("tools").beginArray();
    if (request) {
        for (const ir::Tool &tool : request->tools) {
            beginToolItem(json, tool);
            if (!tool.custom) {
                json.key("parameters");
                if (tool.parameters.empty())
                    json.null();
                else
                    json.raw(tool.parameters);
                json.key("strict").null();
            }
            json.endObject();
        }
    }
    json.endArray();
    json.key("top_p");
    if (request && request->topP)
        json.number(*request->topP);
    else
        json.null();
    json.key("metadata").beginObject().endObject();
}

void writeReasoningItem(JsonWriter &json, const ir::Part &thinking, std::string_view id)
{
    const std::string generated = id.empty() ? ir::newId("rs_") : std::string();
    json.beginObject().member("type", "reasoning").member("id", id.empty() ? std::string_view(generated) : id)
        .key("summary").beginArray();
    if (!thinking.text.empty())
        json.beginObject().member("type", "summary_text").member("text", thinking.text).endObject();
    json.endArray();
    if (thinking.openAiEncrypted && !thinking.signature.empty())
        json.member("encrypted_content", thinking.signature);
    json.endObject();
}

void writeFunctionCallItem(JsonWriter &json, const ir::Part &call, std::string_view id, const ir::Request *request)
{
    const bool custom = isCustomCall(call, request);
    const std::string generated = id.empty() ? ir::newId(custom ? "ctc_" : "fc_") : std::string();
    const std::string_view itemId = id.empty() ? std::string_view(generated) : id;
    const std::string callId = ir::idWithSignature(call.id, call.signature);
    if (custom) {
        json.beginObject().member("type", "custom_tool_call").member("id", itemId).member("call_id", callId)
            .member("name", call.name).member("input", unwrappedCustomInput(call.arguments)).endObject();
        return;
    }
    json.beginObject().member("type", "function_call").member("id", itemId).member("call_id", callId)
        .member("name", call.name)
        .member("arguments", call.arguments.empty() ? std::string_view("{}") : std::string_view(call.arguments))
        .member("status", "completed").endObject();
}

} // namespace tarn::gateway::responses
