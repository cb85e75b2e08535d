// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiCodec.h"

#include "gateway/formats/GeminiCodecInternal.h"

#include <QString>

// A whole (not streamed) GenerateContentResponse: read from a Gemini channel, written for a
// Gemini client.

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using gemini::member;
using gemini::stringMember;

// candidates[0].content.parts → IR parts. Adjacent text pieces are one part, as a streamed
// answer would give them.
void readParts(array parts, std::vector<ir::Part> &out, bool &calledFunction)
{
    for (const element item : parts) {
        object part;
        if (item.get(part))
            continue;
        element value;
        const std::string_view signature = stringMember(part, "thoughtSignature", "thought_signature");
        ir::Part *last = out.empty() ? nullptr : &out.back();
        std::string_view text;
        if (member(part, "text", value) && !value.get(text)) {
            bool thought = false;
            if (member(part, "thought", value) && value.get(thought))
                thought = false;
            if (thought) {
                if (last && last->kind == ir::Part::Kind::Thinking && last->signature.empty()) {
                    last->text.append(text);
                    last->signature = std::string(signature);
                } else if (!text.empty() || !signature.empty()) {
                    ir::Part thinking;
                    thinking.kind = ir::Part::Kind::Thinking;
                    thinking.text = std::string(text);
                    thinking.signature = std::string(signature);
                    out.push_back(std::move(thinking));
                }
                continue;
            }
            // A signature on the answer's text belongs to the thoughts before it, when there are any.
            if (!signature.empty() && last && last->kind == ir::Part::Kind::Thinking && last->signature.empty())
                last->signature = std::string(signature);
            if (text.empty())
                continue;
            if (last && last->kind == ir::Part::Kind::Text) {
                last->text.append(text);
            } else {
                ir::Part answer;
                answer.text = std::string(text);
                out.push_back(std::move(answer));
            }
            continue;
        }
        object call;
        if (member(part, "functionCall", "function_call", value) && !value.get(call)) {
            const std::string_view name = stringMember(call, "name");
            if (name.empty())
                continue;
            const std::string_view id = stringMember(call, "id");
            ir::Part toolCall;
            toolCall.kind = ir::Part::Kind::ToolCall;
            toolCall.id = id.empty() ? ir::newId("call_") : std::string(id);
            toolCall.name = std::string(name);
            toolCall.signature = std::string(signature);
            toolCall.arguments = member(call, "args", value) && value.is_object() ? simdjson::minify(value)
                                                                                 : std::string("{}");
            out.push_back(std::move(toolCall));
            calledFunction = true;
        }
        // inlineData (generated images), executableCode…: no IR answer part says them.
    }
}

void writePart(JsonWriter &json, const ir::Part &part)
{
    switch (part.kind) {
    case ir::Part::Kind::Text:
        json.beginObject().member("text", part.text).endObject();
        break;
    case ir::Part::Kind::Thinking:
        // OpenAI's encrypted reasoning is no thoughtSignature (as in the stream encoder).
        if (part.openAiEncrypted && part.text.empty())
            break;
        json.beginObject().member("text", part.text).memberBool("thought", true);
        if (!part.signature.empty() && !part.openAiEncrypted)
            json.member("thoughtSignature", part.signature);
        json.endObject();
        break;
    case ir::Part::Kind::ToolCall: {
        const std::string args = gemini::compactObject(part.arguments);
        json.beginObject().key("functionCall").beginObject();
        if (!part.id.empty())
            json.member("id", part.id);
        json.member("name", part.name).memberRaw("args", args.empty() ? std::string_view("{}") : std::string_view(args))
            .endObject();
        if (!part.signature.empty())
            json.member("thoughtSignature", part.signature);
        json.endObject();
        break;
    }
    case ir::Part::Kind::RedactedThinking: // Anthropic's encrypted thoughts mean nothing to Gemini
    case ir::Part::Kind::Image:
    case ir::Part::Kind::ToolResult: break;
    }
}

bool isWritten(const ir::Part &part)
{
    return part.kind == ir::Part::Kind::Text || part.kind == ir::Part::Kind::ToolCall
        || (part.kind == ir::Part::Kind::Thinking && !(part.openAiEncrypted && part.text.empty()));
}

} // namespace

Result<ir::Response> GeminiCodec::decodeResponse(std::string_view json) const
{
    gemini::Document document;
    object root;
    if (json.empty() || document.parse(json) || document.root().get(root))
        return Error::invalid(QStringLiteral("the Gemini answer is not a JSON object"));
    ir::ApiError apiError;
    if (gemini::apiErrorOf(document.root(), 0, apiError))
        return Error::invalid(QStringLiteral("the Gemini answer is an error: %1").arg(QString::fromStdString(apiError.message)));

    ir::Response response;
    response.id = std::string(stringMember(root, "responseId", "response_id"));
    response.model = std::string(stringMember(root, "modelVersion", "model_version"));
    element value;
    object usage;
    if (member(root, "usageMetadata", "usage_metadata", value) && !value.get(usage))
        response.usage = gemini::usageOf(usage);

    object candidate;
    if (!gemini::firstCandidate(root, candidate)) {
        object feedback;
        if (member(root, "promptFeedback", "prompt_feedback", value) && !value.get(feedback)) {
            // The prompt itself was blocked: an empty answer, filtered.
            response.stop = ir::StopReason::ContentFilter;
            return response;
        }
        return Error::invalid(QStringLiteral("the Gemini answer has no candidates"));
    }
    bool calledFunction = false;
    object content;
    array parts;
    // A candidate may lack content (finishReason SAFETY, RECITATION…) and content may lack parts;
    // but a content or parts of the wrong type is no Gemini answer, not an empty one.
    if (member(candidate, "content", value) && !value.is_null()) {
        if (value.get(content))
            return Error::invalid(QStringLiteral("the Gemini answer's candidate content is not an object"));
        if (member(content, "parts", value) && !value.is_null()) {
            if (value.get(parts))
                return Error::invalid(QStringLiteral("the Gemini answer's content parts are not a list"));
            readParts(parts, response.parts, calledFunction);
        }
    }
    const std::string_view reason = stringMember(candidate, "finishReason", "finish_reason");
    response.stop = gemini::stopReasonOf(reason, calledFunction);
    return response;
}

std::string GeminiCodec::encodeResponse(const ir::Response &response) const
{
    std::string out;
    out.reserve(512);
    JsonWriter json(out);
    json.beginObject().key("candidates").beginArray().beginObject().key("content").beginObject().key("parts").beginArray();
    bool wrote = false;
    for (const ir::Part &part : response.parts) {
        if (isWritten(part)) {
            writePart(json, part);
            wrote = true;
        }
    }
    if (!wrote) // Google's own shape for an answer with nothing in it
        json.beginObject().member("text", "").endObject();
    json.endArray().member("role", "model").endObject()
        .member("finishReason", gemini::finishReasonFor(response.stop)).member("index", 0).endObject().endArray();
    if (response.usage.reported)
        gemini::writeUsageMetadata(json, response.usage);
    if (!response.model.empty())
        json.member("modelVersion", response.model);
    if (!response.id.empty())
        json.member("responseId", response.id);
    json.endObject();
    return out;
}

namespace gemini {

void writeResponsePart(JsonWriter &json, const ir::Part &part)
{
    writePart(json, part);
}

} // namespace gemini

} // namespace tarn::gateway
