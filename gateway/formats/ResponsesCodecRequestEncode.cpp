// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodec.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"
#include "gateway/formats/ResponsesCodecInternal.h"

#include <algorithm>
#include <unordered_set>

// ir::Request → a body for an OpenAI channel set to the Responses API. Never fails: thinking
// that is not OpenAI's encrypted reasoning, stop sequences and top_k have no Responses field and
// are dropped. The channel keeps nothing (store: false): the whole history goes every turn, and
// reasoning comes back encrypted so the next turn can carry it.

namespace tarn::gateway {

namespace {

using Kind = ir::Part::Kind;

// The Responses API rejects max_output_tokens below 16; a client's smaller limit (a probe asking
// for one token) would otherwise fail the whole request.
constexpr qint64 kMinOutputTokens = 16;

std::string dataUrl(const ir::Image &image)
{
    std::string url;
    url.reserve(image.data.size() + image.mediaType.size() + 13);
    url.append("data:").append(image.mediaType).append(";base64,").append(image.data);
    return url;
}

void writeImage(JsonWriter &json, const ir::Image &image)
{
    if (image.url.empty() && !image.mediaType.empty() && !image.mediaType.starts_with("image/")) {
        json.beginObject().member("type", "input_file").member("filename", image.mediaType == "application/pdf" ? "document.pdf" : "document")
            .member("file_data", dataUrl(image)).endObject();
        return;
    }
    json.beginObject().member("type", "input_image").member("detail", "auto")
        .member("image_url", image.url.empty() ? dataUrl(image) : image.url).endObject();
}

class InputWriter
{
public:
    InputWriter(JsonWriter &json, const ir::Request &request) : m_json(json), m_request(request) {}

    void writeUser(const ir::Message &message);
    void writeAssistant(const ir::Message &message);

private:
    void writeToolOutput(const ir::Part &result);

    JsonWriter &m_json;
    const ir::Request &m_request;
    // Call ids written as custom_tool_call: their results must go back as custom_tool_call_output.
    std::unordered_set<std::string_view> m_customCalls;
};

void InputWriter::writeToolOutput(const ir::Part &result)
{
    const bool custom = result.custom || m_customCalls.contains(result.id);
    m_json.beginObject().member("type", custom ? "custom_tool_call_output" : "function_call_output")
        .member("call_id", result.id)
        .key("output");
    const bool hasImages = std::any_of(result.content.begin(), result.content.end(),
                                       [](const ir::Part &part) { return part.kind == Kind::Image; });
    if (!hasImages) {
        std::string text = result.isError ? "Error: " : "";
        text.append(openai::joinedText(result.content, Kind::Text, "\n"));
        m_json.string(text);
    } else {
        m_json.beginArray();
        if (result.isError)
            m_json.beginObject().member("type", "input_text").member("text", "Error:").endObject();
        for (const ir::Part &part : result.content) {
            if (part.kind == Kind::Text)
                m_json.beginObject().member("type", "input_text").member("text", part.text).endObject();
            else if (part.kind == Kind::Image)
                writeImage(m_json, part.image);
        }
        m_json.endArray();
    }
    m_json.endObject();
}

void InputWriter::writeUser(const ir::Message &message)
{
    // Tool outputs are items of their own; the text and images between them make message items.
    bool open = false;
    const auto close = [&] {
        if (open)
            m_json.endArray().endObject();
        open = false;
    };
    for (const ir::Part &part : message.parts) {
        if (part.kind == Kind::ToolResult) {
            close();
            writeToolOutput(part);
            continue;
        }
        if (part.kind != Kind::Text && part.kind != Kind::Image)
            continue;
        if (!open)
            m_json.beginObject().member("type", "message").member("role", "user").key("content").beginArray();
        open = true;
        if (part.kind == Kind::Text)
            m_json.beginObject().member("type", "input_text").member("text", part.text).endObject();
        else
            writeImage(m_json, part.image);
    }
    close();
}

void InputWriter::writeAssistant(const ir::Message &message)
{
    for (std::size_t i = 0; i < message.parts.size(); ++i) {
        const ir::Part &part = message.parts[i];
        if (part.kind == Kind::Thinking && part.openAiEncrypted && !part.signature.empty()) {
            m_json.beginObject().member("type", "reasoning");
            if (!part.id.empty())
                m_json.member("id", part.id);
            m_json.key("summary").beginArray();
            if (!part.text.empty())
                m_json.beginObject().member("type", "summary_text").member("text", part.text).endObject();
            m_json.endArray().member("encrypted_content", part.signature).endObject();
        } else if (part.kind == Kind::Text) {
            // Consecutive texts are one message, as the answer that carried them was.
            std::string text = part.text;
            while (i + 1 < message.parts.size() && message.parts[i + 1].kind == Kind::Text)
                text.append(message.parts[++i].text);
            if (text.empty())
                continue;
            m_json.beginObject().member("type", "message").member("role", "assistant").key("content").beginArray()
                .beginObject().member("type", "output_text").member("text", text).endObject().endArray().endObject();
        } else if (part.kind == Kind::ToolCall) {
            // Bare, as every channel of another format gets it: a Gemini thoughtSignature means
            // nothing here and would only lengthen the id.
            const std::string &callId = part.id;
            if (responses::isCustomCall(part, &m_request)) {
                m_customCalls.insert(part.id);
                m_json.beginObject().member("type", "custom_tool_call").member("call_id", callId).member("name", part.name)
                    .member("input", responses::unwrappedCustomInput(part.arguments)).endObject();
            } else {
                m_json.beginObject().member("type", "function_call").member("call_id", callId).member("name", part.name)
                    .member("arguments", part.arguments.empty() ? std::string_view("{}") : std::string_view(part.arguments))
                    .endObject();
            }
        }
        // Other thinking (Anthropic's, Gemini's, plain text) and redacted thinking: only the model
        // that wrote them reads them.
    }
}

void writeTools(JsonWriter &json, const ir::Request &request)
{
    json.key("tools").beginArray();
    for (const ir::Tool &tool : request.tools) {
        responses::beginToolItem(json, tool);
        if (!tool.custom) {
            json.memberRaw("parameters", tool.parameters.empty() ? std::string_view(R"({"type":"object","properties":{}})")
                                                                 : std::string_view(tool.parameters));
            // Responses functions default to strict, which rejects schemas other formats allow.
            json.memberBool("strict", false);
        }
        json.endObject();
    }
    json.endArray();

    if (const char *mode = openai::toolChoiceModeName(request.toolChoice.mode)) {
        json.member("tool_choice", mode);
    } else if (request.toolChoice.mode == ir::ToolChoice::Mode::Named) {
        json.key("tool_choice").beginObject()
            .member("type", responses::isCustomTool(&request, request.toolChoice.name) ? "custom" : "function")
            .member("name", request.toolChoice.name).endObject();
    }
    if (request.parallelToolCalls)
        json.memberBool("parallel_tool_calls", *request.parallelToolCalls);
}

bool carriesEncryptedReasoning(const ir::Request &request)
{
    for (const ir::Message &message : request.messages) {
        for (const ir::Part &part : message.parts) {
            if (part.kind == Kind::Thinking && part.openAiEncrypted && !part.signature.empty())
                return true;
        }
    }
    return false;
}

} // namespace

std::string ResponsesCodec::encodeRequest(const ir::Request &request, const RequestTarget &target) const
{
    std::string out;
    out.reserve(openai::requestSizeEstimate(request));
    JsonWriter json(out);
    json.beginObject().member("model", target.model);
    const std::string instructions = openai::joinedText(request.system, Kind::Text, "\n\n");
    if (!instructions.empty())
        json.member("instructions", instructions);
    json.key("input").beginArray();
    InputWriter input(json, request);
    for (const ir::Message &message : request.messages) {
        if (message.role == ir::Role::User)
            input.writeUser(message);
        else
            input.writeAssistant(message);
    }
    json.endArray();

    if (!request.tools.empty()) // tool_choice and parallel_tool_calls without tools are rejected
        writeTools(json, request);
    if (request.maxTokens)
        json.member("max_output_tokens", std::max(*request.maxTokens, kMinOutputTokens));
    if (request.temperature)
        json.member("temperature", *request.temperature);
    if (request.topP)
        json.member("top_p", *request.topP);
    if (request.stream)
        json.memberBool("stream", true);

    const char *effort = openai::reasoningEffortToSend(request, target.sendReasoning);
    if (effort)
        json.key("reasoning").beginObject().member("effort", effort).endObject();

    if (request.responseFormat != ir::ResponseFormat::Text) {
        json.key("text").beginObject().key("format").beginObject();
        responses::writeTextFormatMembers(json, request);
        json.endObject().endObject();
    }
    json.memberBool("store", false);
    if (effort || carriesEncryptedReasoning(request))
        json.key("include").beginArray().string("reasoning.encrypted_content").endArray();
    if (!request.promptCacheKey.empty())
        json.member("prompt_cache_key", request.promptCacheKey);
    if (!request.user.empty())
        json.member("user", request.user);
    json.endObject();
    return out;
}

} // namespace tarn::gateway
