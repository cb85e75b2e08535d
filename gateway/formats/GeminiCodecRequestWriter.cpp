// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiCodec.h"

#include "gateway/formats/GeminiCodecInternal.h"

#include <algorithm>
#include <unordered_map>

// The IR written as a GenerateContentRequest for a Gemini channel (GeminiCodec::encodeRequest),
// and as a countTokens body.

namespace tarn::gateway {

namespace {

// Google's documented value for a function call that has no signature of its own (history written
// by another model): Gemini 3 rejects an unsigned call in the current turn otherwise.
constexpr std::string_view kSkipSignatureValidation = "skip_thought_signature_validator";
// Gemini allows at most this many stop sequences.
constexpr std::size_t kMaxStopSequences = 5;
// The largest thinking budget every Gemini 2.5 model takes (Flash's maximum).
constexpr qint64 kMaxThinkingBudget = 24576;

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return (x >= 'A' && x <= 'Z' ? char(x - 'A' + 'a') : x) == y;
    });
}

std::string_view mimeTypeOfUrl(std::string_view url)
{
    url = url.substr(0, std::min(url.find('?'), url.find('#')));
    const std::size_t slash = url.rfind('/');
    const std::size_t dot = url.rfind('.');
    if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) {
        const std::string_view extension = url.substr(dot + 1);
        static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
            {"png", "image/png"},   {"jpg", "image/jpeg"},  {"jpeg", "image/jpeg"},
            {"gif", "image/gif"},   {"webp", "image/webp"}, {"heic", "image/heic"},
            {"heif", "image/heif"}, {"pdf", "application/pdf"},
        };
        for (const auto &[name, type] : kTypes) {
            if (equalsIgnoringCase(extension, name))
                return type;
        }
    }
    return "image/jpeg";
}

// A payload without a media type: its first bytes, in base64, say what it is.
std::string_view mimeTypeOfData(std::string_view base64)
{
    if (startsWith(base64, "iVBORw0KGgo"))
        return "image/png";
    if (startsWith(base64, "R0lGOD"))
        return "image/gif";
    if (startsWith(base64, "UklGR"))
        return "image/webp";
    if (startsWith(base64, "JVBERi0"))
        return "application/pdf";
    return "image/jpeg";
}

void writeInlineData(JsonWriter &json, std::string_view mimeType, std::string_view data)
{
    json.beginObject().key("inlineData").beginObject().member("mimeType", mimeType).member("data", data)
        .endObject().endObject();
}

void writeImage(JsonWriter &json, const ir::Image &image)
{
    if (!image.data.empty()) {
        writeInlineData(json, image.mediaType.empty() ? mimeTypeOfData(image.data) : std::string_view(image.mediaType),
                        image.data);
        return;
    }
    const std::string_view url = image.url;
    // A data: URL is inline data, which Gemini takes; fileUri would not.
    const std::size_t comma = url.find(',');
    if (startsWith(url, "data:") && comma != std::string_view::npos) {
        const std::string_view header = url.substr(5, comma - 5);
        const std::size_t base64 = header.find(";base64");
        if (base64 != std::string_view::npos) {
            const std::string_view type = header.substr(0, std::min(header.find(';'), header.size()));
            const std::string_view data = url.substr(comma + 1);
            writeInlineData(json, !type.empty() ? type : mimeTypeOfData(data), data);
            return;
        }
    }
    json.beginObject().key("fileData").beginObject()
        .member("mimeType", image.mediaType.empty() ? mimeTypeOfUrl(url) : std::string_view(image.mediaType))
        .member("fileUri", url).endObject().endObject();
}

bool isWritten(const ir::Part &part)
{
    switch (part.kind) {
    case ir::Part::Kind::Text: return !part.text.empty();
    case ir::Part::Kind::Image: return !part.image.data.empty() || !part.image.url.empty();
    case ir::Part::Kind::ToolCall:
    case ir::Part::Kind::ToolResult: return true;
    case ir::Part::Kind::Thinking:
    case ir::Part::Kind::RedactedThinking: return false; // Gemini takes no thoughts back
    }
    return false;
}

// Writes contents[], merging consecutive messages of one role: Gemini wants the function
// responses in the one user turn right after the model's function-call turn.
class ContentsWriter
{
public:
    ContentsWriter(JsonWriter &json, const ir::Request &request) : m_json(json), m_request(request) {}

    void write()
    {
        for (const ir::Message &message : m_request.messages) {
            for (const ir::Part &part : message.parts) {
                if (part.kind != ir::Part::Kind::ToolCall)
                    continue;
                // Gemini takes no nameless call: such a call (and its answer) goes as "unknown".
                const std::string_view name = part.name.empty() ? std::string_view("unknown") : std::string_view(part.name);
                m_callNames.emplace(part.id, name);
                ir::IdAndSignature split = ir::splitIdAndSignature(part.id);
                if (!split.signature.empty())
                    m_callNames.emplace(std::move(split.id), name);
            }
        }
        m_json.key("contents").beginArray();
        bool open = false;
        ir::Role openRole = ir::Role::User;
        for (const ir::Message &message : m_request.messages) {
            if (std::none_of(message.parts.begin(), message.parts.end(), isWritten))
                continue;
            if (!open || message.role != openRole) {
                if (open)
                    m_json.endArray().endObject();
                m_json.beginObject().member("role", message.role == ir::Role::User ? "user" : "model")
                    .key("parts").beginArray();
                open = true;
                openRole = message.role;
                m_turnHasCall = false;
            }
            for (const ir::Part &part : message.parts)
                writePart(part);
        }
        if (open)
            m_json.endArray().endObject();
        else // nothing Gemini can take (only thinking, say): contents may not be empty
            m_json.beginObject().member("role", "user").key("parts").beginArray()
                .beginObject().member("text", ".").endObject().endArray().endObject();
        m_json.endArray();
    }

private:
    void writePart(const ir::Part &part)
    {
        switch (part.kind) {
        case ir::Part::Kind::Text:
            if (!part.text.empty())
                m_json.beginObject().member("text", part.text).endObject();
            break;
        case ir::Part::Kind::Image:
            if (isWritten(part))
                writeImage(m_json, part.image);
            break;
        case ir::Part::Kind::ToolCall: writeCall(part); break;
        case ir::Part::Kind::ToolResult: writeResult(part); break;
        case ir::Part::Kind::Thinking:
        case ir::Part::Kind::RedactedThinking: break;
        }
    }

    void writeCall(const ir::Part &part)
    {
        std::string signature = part.signature;
        if (signature.empty())
            signature = ir::splitIdAndSignature(part.id).signature;
        if (signature.empty() && !m_turnHasCall)
            signature = kSkipSignatureValidation;
        m_turnHasCall = true;
        const std::string args = gemini::compactObject(part.arguments);
        // No id: Gemini 2.5 does not take one, and the response is matched by name and order.
        m_json.beginObject().key("functionCall").beginObject().member("name", part.name.empty() ? std::string_view("unknown") : std::string_view(part.name))
            .memberRaw("args", args.empty() ? std::string_view("{}") : std::string_view(args)).endObject();
        if (!signature.empty())
            m_json.member("thoughtSignature", signature);
        m_json.endObject();
    }

    void writeResult(const ir::Part &part)
    {
        std::string_view name = part.name;
        if (name.empty()) {
            auto found = m_callNames.find(part.id);
            if (found == m_callNames.end())
                found = m_callNames.find(ir::splitIdAndSignature(part.id).id);
            name = found != m_callNames.end() ? found->second : std::string_view("unknown");
        }
        std::string text;
        for (const ir::Part &item : part.content) {
            if (item.kind != ir::Part::Kind::Text)
                continue;
            if (!text.empty())
                text.push_back('\n');
            text.append(item.text);
        }
        const std::string object = gemini::compactObject(text);
        m_json.beginObject().key("functionResponse").beginObject().member("name", name).key("response");
        if (!object.empty())
            m_json.raw(object);
        else
            m_json.beginObject().member(part.isError ? "error" : "result", text).endObject();
        m_json.endObject().endObject();
        for (const ir::Part &item : part.content) {
            if (item.kind == ir::Part::Kind::Image && (!item.image.data.empty() || !item.image.url.empty()))
                writeImage(m_json, item.image);
        }
    }

    JsonWriter &m_json;
    const ir::Request &m_request;
    std::unordered_map<std::string, std::string_view> m_callNames; // call id → function
    bool m_turnHasCall = false;
};

void writeSystem(JsonWriter &json, const ir::Request &request)
{
    std::string text;
    for (const ir::Part &part : request.system) {
        if (part.kind != ir::Part::Kind::Text || part.text.empty())
            continue;
        if (!text.empty())
            text.append("\n\n");
        text.append(part.text);
    }
    if (!text.empty())
        json.key("systemInstruction").beginObject().key("parts").beginArray()
            .beginObject().member("text", text).endObject().endArray().endObject();
}

void writeTools(JsonWriter &json, const ir::Request &request)
{
    if (request.tools.empty())
        return;
    json.key("tools").beginArray().beginObject().key("functionDeclarations").beginArray();
    for (const ir::Tool &tool : request.tools) {
        json.beginObject().member("name", tool.name);
        if (!tool.description.empty())
            json.member("description", tool.description);
        // parametersJsonSchema takes full JSON Schema; `parameters` rejects additionalProperties,
        // $schema and the like.
        const std::string schema = gemini::compactObject(tool.parameters);
        if (!schema.empty())
            json.memberRaw("parametersJsonSchema", schema);
        json.endObject();
    }
    json.endArray().endObject().endArray();
}

void writeToolConfig(JsonWriter &json, const ir::Request &request)
{
    const ir::ToolChoice &choice = request.toolChoice;
    if (request.tools.empty() || choice.mode == ir::ToolChoice::Mode::Unset)
        return;
    json.key("toolConfig").beginObject().key("functionCallingConfig").beginObject();
    switch (choice.mode) {
    case ir::ToolChoice::Mode::Auto: json.member("mode", "AUTO"); break;
    case ir::ToolChoice::Mode::None: json.member("mode", "NONE"); break;
    case ir::ToolChoice::Mode::Required: json.member("mode", "ANY"); break;
    case ir::ToolChoice::Mode::Named:
        json.member("mode", "ANY").key("allowedFunctionNames").beginArray().string(choice.name).endArray();
        break;
    case ir::ToolChoice::Mode::Unset: break;
    }
    json.endObject().endObject();
}

std::optional<qint64> thinkingBudgetOf(const ir::Request &request)
{
    if (request.thinkingBudget)
        return std::clamp<qint64>(*request.thinkingBudget, 0, kMaxThinkingBudget);
    const std::string &effort = request.reasoningEffort;
    if (effort == "none")
        return 0;
    if (effort == "minimal")
        return 512;
    if (effort == "low")
        return 1024;
    if (effort == "medium")
        return 8192;
    if (effort == "high" || effort == "xhigh")
        return 24576;
    return std::nullopt;
}

void writeGenerationConfig(JsonWriter &json, const ir::Request &request, const RequestTarget &target)
{
    bool open = false;
    const auto config = [&]() -> JsonWriter & {
        if (!open)
            json.key("generationConfig").beginObject();
        open = true;
        return json;
    };
    if (request.maxTokens)
        config().member("maxOutputTokens", *request.maxTokens);
    if (request.temperature)
        config().member("temperature", *request.temperature);
    if (request.topP)
        config().member("topP", *request.topP);
    if (request.topK)
        config().member("topK", *request.topK);
    if (!request.stop.empty()) {
        config().key("stopSequences").beginArray();
        for (std::size_t i = 0; i < request.stop.size() && i < kMaxStopSequences; ++i)
            json.string(request.stop[i]);
        json.endArray();
    }
    if (request.responseFormat != ir::ResponseFormat::Text) {
        config().member("responseMimeType", "application/json");
        const std::string schema = request.responseFormat == ir::ResponseFormat::JsonSchema
            ? gemini::compactObject(request.jsonSchema) : std::string();
        if (!schema.empty())
            json.memberRaw("responseJsonSchema", schema);
    }
    if (target.sendReasoning) {
        if (const std::optional<qint64> budget = thinkingBudgetOf(request)) {
            config().key("thinkingConfig").beginObject().member("thinkingBudget", *budget);
            if (*budget > 0)
                json.memberBool("includeThoughts", true);
            json.endObject();
        }
    }
    if (open)
        json.endObject();
}

} // namespace

std::string GeminiCodec::encodeRequest(const ir::Request &request, const RequestTarget &target) const
{
    std::string out;
    out.reserve(1024);
    JsonWriter json(out);
    json.beginObject();
    ContentsWriter(json, request).write();
    writeSystem(json, request);
    writeTools(json, request);
    writeToolConfig(json, request);
    writeGenerationConfig(json, request, target);
    json.endObject();
    return out;
}

std::string geminiCountTokensBody(const ir::Request &request, const std::string &model)
{
    std::string out;
    out.reserve(1024);
    JsonWriter json(out);
    json.beginObject().key("generateContentRequest").beginObject()
        .member("model", startsWith(model, "models/") ? model : "models/" + model);
    ContentsWriter(json, request).write();
    writeSystem(json, request);
    writeTools(json, request);
    json.endObject().endObject();
    return out;
}

} // namespace tarn::gateway
