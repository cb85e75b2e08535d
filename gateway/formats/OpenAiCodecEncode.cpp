// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodec.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"


// ir::Request → a body for an OpenAI-compatible channel. Never fails: what Chat Completions cannot
// say is dropped (thinking, top_k) or reshaped (a tool result's images follow it as a user turn).

namespace tarn::gateway {

namespace {

using Kind = ir::Part::Kind;

void writeImage(JsonWriter &json, const ir::Image &image)
{
    if (image.url.empty() && image.mediaType == "application/pdf") {
        std::string data;
        data.reserve(image.data.size() + 40);
        data.append("data:application/pdf;base64,").append(image.data);
        json.beginObject().member("type", "file").key("file").beginObject()
            .member("filename", "document.pdf").member("file_data", data).endObject().endObject();
        return;
    }
    std::string url;
    if (image.url.empty()) {
        url.reserve(image.data.size() + image.mediaType.size() + 13);
        url.append("data:").append(image.mediaType).append(";base64,").append(image.data);
    }
    json.beginObject().member("type", "image_url").key("image_url").beginObject()
        .member("url", image.url.empty() ? std::string_view(url) : std::string_view(image.url)).endObject().endObject();
}

void writeUserMessage(JsonWriter &json, const ir::Message &message)
{
    std::vector<const ir::Part *> content; // a tool result's images, then the message's own parts
    for (const ir::Part &part : message.parts) {
        if (part.kind != Kind::ToolResult)
            continue;
        std::string text = part.isError ? "Error: " : "";
        text.append(openai::joinedText(part.content, Kind::Text, "\n"));
        // Call ids go upstream bare: a Gemini thoughtSignature means nothing to this channel, and
        // packed into the id it passes OpenAI's 40-character limit.
        json.beginObject().member("role", "tool")
            .member("tool_call_id", part.id)
            .member("content", text).endObject();
        for (const ir::Part &inner : part.content) {
            if (inner.kind == Kind::Image)
                content.push_back(&inner);
        }
    }
    bool hasToolResults = false;
    for (const ir::Part &part : message.parts) {
        hasToolResults = hasToolResults || part.kind == Kind::ToolResult;
        if (part.kind == Kind::Text || part.kind == Kind::Image)
            content.push_back(&part);
    }
    if (content.empty() && hasToolResults)
        return;
    json.beginObject().member("role", "user").key("content");
    if (content.empty()) {
        json.string("");
    } else if (content.size() == 1 && content.front()->kind == Kind::Text) {
        json.string(content.front()->text);
    } else {
        json.beginArray();
        for (const ir::Part *part : content) {
            if (part->kind == Kind::Text)
                json.beginObject().member("type", "text").member("text", part->text).endObject();
            else
                writeImage(json, part->image);
        }
        json.endArray();
    }
    json.endObject();
}

void writeAssistantMessage(JsonWriter &json, const ir::Message &message)
{
    bool hasText = false, hasCalls = false;
    for (const ir::Part &part : message.parts) {
        hasText = hasText || part.kind == Kind::Text;
        hasCalls = hasCalls || part.kind == Kind::ToolCall;
    }
    json.beginObject().member("role", "assistant").key("content");
    if (hasText)
        json.string(openai::joinedText(message.parts, Kind::Text, {}));
    else if (hasCalls)
        json.null();
    else
        json.string("");
    if (hasCalls) {
        json.key("tool_calls").beginArray();
        for (const ir::Part &part : message.parts) {
            if (part.kind != Kind::ToolCall)
                continue;
            json.beginObject().member("id", part.id).member("type", "function")
                .key("function").beginObject().member("name", part.name)
                .member("arguments", part.arguments.empty() ? std::string_view("{}") : std::string_view(part.arguments))
                .endObject().endObject();
        }
        json.endArray();
    }
    json.endObject();
}

void writeTools(JsonWriter &json, const ir::Request &request)
{
    json.key("tools").beginArray();
    for (const ir::Tool &tool : request.tools) {
        json.beginObject().member("type", "function").key("function").beginObject().member("name", tool.name);
        if (!tool.description.empty())
            json.member("description", tool.description);
        if (!tool.parameters.empty())
            json.memberRaw("parameters", tool.parameters);
        json.endObject().endObject();
    }
    json.endArray();

    if (const char *mode = openai::toolChoiceModeName(request.toolChoice.mode)) {
        json.member("tool_choice", mode);
    } else if (request.toolChoice.mode == ir::ToolChoice::Mode::Named) {
        json.key("tool_choice").beginObject().member("type", "function").key("function").beginObject()
            .member("name", request.toolChoice.name).endObject().endObject();
    }
    if (request.parallelToolCalls)
        json.memberBool("parallel_tool_calls", *request.parallelToolCalls);
}

// o1, o3, o4 and gpt-5 models reject max_tokens (also behind a router's "openai/" prefix).
bool takesMaxCompletionTokens(std::string_view model)
{
    if (const std::size_t slash = model.rfind('/'); slash != std::string_view::npos)
        model.remove_prefix(slash + 1);
    return model.starts_with("o1") || model.starts_with("o3") || model.starts_with("o4") || model.starts_with("gpt-5");
}

} // namespace

std::string OpenAiCodec::encodeRequest(const ir::Request &request, const RequestTarget &target) const
{
    std::string out;
    out.reserve(openai::requestSizeEstimate(request));
    JsonWriter json(out);
    json.beginObject().member("model", target.model).key("messages").beginArray();
    const std::string system = openai::joinedText(request.system, Kind::Text, "\n\n");
    if (!system.empty())
        json.beginObject().member("role", "system").member("content", system).endObject();
    for (const ir::Message &message : request.messages) {
        if (message.role == ir::Role::User)
            writeUserMessage(json, message);
        else
            writeAssistantMessage(json, message);
    }
    json.endArray();

    if (!request.tools.empty()) // tool_choice and parallel_tool_calls without tools are rejected
        writeTools(json, request);
    if (request.maxTokens)
        json.member(takesMaxCompletionTokens(target.model) ? "max_completion_tokens" : "max_tokens", *request.maxTokens);
    if (request.temperature)
        json.member("temperature", *request.temperature);
    if (request.topP)
        json.member("top_p", *request.topP);
    if (!request.stop.empty()) {
        json.key("stop").beginArray();
        for (const std::string &stop : request.stop)
            json.string(stop);
        json.endArray();
    }
    if (request.stream) // usage is recorded whatever the client asked for
        json.memberBool("stream", true).key("stream_options").beginObject().memberBool("include_usage", true).endObject();

    if (request.responseFormat == ir::ResponseFormat::JsonObject) {
        json.key("response_format").beginObject().member("type", "json_object").endObject();
    } else if (request.responseFormat == ir::ResponseFormat::JsonSchema) {
        json.key("response_format").beginObject().member("type", "json_schema").key("json_schema").beginObject()
            .member("name", request.jsonSchemaName.empty() ? std::string_view("response") : std::string_view(request.jsonSchemaName));
        if (!request.jsonSchema.empty())
            json.memberRaw("schema", request.jsonSchema);
        json.endObject().endObject();
    }
    if (const char *effort = openai::reasoningEffortToSend(request, target.sendReasoning))
        json.member("reasoning_effort", effort);
    if (!request.user.empty())
        json.member("user", request.user);
    json.endObject();
    return out;
}

} // namespace tarn::gateway
