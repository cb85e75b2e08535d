// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodec.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"

#include <algorithm>

// A channel's chat.completion ↔ ir::Response.

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Content as a string, or as parts: text, and Mistral's {"type":"thinking","thinking":[text parts]}.
void readContent(element content, std::vector<ir::Part> &parts)
{
    std::string_view text;
    if (!content.get(text)) {
        if (!text.empty())
            parts.push_back(openai::textPart(text));
        return;
    }
    array list;
    if (content.get(list))
        return;
    for (const element item : list) {
        std::string_view type;
        if (item["type"].get(type))
            continue;
        if (type == "text" && !item["text"].get(text) && !text.empty()) {
            parts.push_back(openai::textPart(text));
        } else if (type == "thinking") {
            array thoughts;
            if (item["thinking"].get(thoughts))
                continue;
            for (const element thought : thoughts) {
                if (!thought["text"].get(text) && !text.empty())
                    parts.push_back(openai::textPart(text, ir::Part::Kind::Thinking));
            }
        }
    }
}

void readToolCalls(element calls, std::vector<ir::Part> &parts)
{
    array list;
    if (calls.get(list))
        return;
    for (const element call : list) {
        std::string_view type = "function", id, name;
        openai::readOptional(call["type"], type);
        element function;
        if (type != "function" || call["function"].get(function) || function["name"].get(name))
            continue;
        ir::Part part;
        part.kind = ir::Part::Kind::ToolCall;
        openai::readOptional(call["id"], id);
        ir::IdAndSignature split = ir::splitIdAndSignature(id);
        part.id = split.id.empty() ? ir::newId("call_") : std::move(split.id);
        part.signature = split.signature.empty() ? std::string(openai::thoughtSignatureOf(call)) : std::move(split.signature);
        part.name = std::string(name);
        element arguments;
        part.arguments = function["arguments"].get(arguments) ? "{}" : openai::argumentsOf(arguments);
        parts.push_back(std::move(part));
    }
}

} // namespace

Result<ir::Response> OpenAiCodec::decodeResponse(std::string_view json) const
{
    openai::ParsedJson parsed;
    array choices;
    const Result<object> answer = openai::answerRootOf(parsed, json, "chat.completion", "choices", choices);
    if (!answer)
        return answer.error();
    const object root = *answer;

    ir::Response response;
    openai::readIdAndModel(root, response);
    std::string_view text;

    // No choice, or a message or content of the wrong type, is no answer: refused, not passed on
    // as an empty one.
    if (choices.size() == 0)
        return Error::invalid(QStringLiteral("the answer has no choices"));
    {
        const element choice = *choices.begin();
        element message, content;
        const bool hasMessage = choice.is_object() && !choice["message"].get(message);
        if (!choice.is_object() || (hasMessage && !message.is_object() && !message.is_null()))
            return Error::invalid(QStringLiteral("the answer's choice has no message object"));
        if (hasMessage && message.is_object() && !message["content"].get(content)
            && !(content.is_string() || content.is_array() || content.is_null()))
            return Error::invalid(QStringLiteral("the answer's message content is neither text nor a list"));
        if (hasMessage && message.is_object()) {
            for (const char *key : {"reasoning_content", "reasoning"}) {
                if (!message[key].get(text)) {
                    if (!text.empty())
                        response.parts.push_back(openai::textPart(text, ir::Part::Kind::Thinking));
                    break;
                }
            }
            if (!message["content"].get(content))
                readContent(content, response.parts);
            bool refused = false;
            if (!message["refusal"].get(text) && !text.empty()) {
                response.parts.push_back(openai::textPart(text));
                refused = true;
            }
            element calls;
            if (!message["tool_calls"].get(calls))
                readToolCalls(calls, response.parts);
            if (!choice["finish_reason"].get(text))
                response.stop = openai::stopReasonOf(text);
            if (refused)
                response.stop = ir::StopReason::Refusal;
        } else if (!choice["finish_reason"].get(text)) {
            response.stop = openai::stopReasonOf(text);
        }
        const bool calledTools = std::any_of(response.parts.begin(), response.parts.end(),
                                             [](const ir::Part &part) { return part.kind == ir::Part::Kind::ToolCall; });
        if (calledTools && response.stop == ir::StopReason::EndTurn)
            response.stop = ir::StopReason::ToolUse;
    }
    element usage;
    if (!root["usage"].get(usage))
        response.usage = openai::usageOf(usage);
    return response;
}

std::string OpenAiCodec::encodeResponse(const ir::Response &response) const
{
    std::string out;
    out.reserve(512);
    JsonWriter json(out);
    json.beginObject().member("id", openai::completionId(response.id)).member("object", "chat.completion")
        .member("created", openai::unixTimeNow()).member("model", response.model)
        .key("choices").beginArray().beginObject().member("index", qint64(0))
        .key("message").beginObject().member("role", "assistant").key("content");
    bool hasText = false, hasThinking = false, hasCalls = false;
    for (const ir::Part &part : response.parts) {
        hasText = hasText || part.kind == ir::Part::Kind::Text;
        hasThinking = hasThinking || (part.kind == ir::Part::Kind::Thinking && !part.text.empty());
        hasCalls = hasCalls || part.kind == ir::Part::Kind::ToolCall;
    }
    if (hasText)
        json.string(openai::joinedText(response.parts, ir::Part::Kind::Text, {}));
    else
        json.null();
    if (hasThinking) // DeepSeek's field, which OpenAI SDK clients that show reasoning read
        json.member("reasoning_content", openai::joinedText(response.parts, ir::Part::Kind::Thinking, {}));
    if (hasCalls) {
        json.key("tool_calls").beginArray();
        for (const ir::Part &part : response.parts) {
            if (part.kind != ir::Part::Kind::ToolCall)
                continue;
            json.beginObject().member("id", ir::idWithSignature(part.id, part.signature)).member("type", "function")
                .key("function").beginObject().member("name", part.name)
                .member("arguments", part.arguments.empty() ? std::string_view("{}") : std::string_view(part.arguments))
                .endObject().endObject();
        }
        json.endArray();
    }
    json.endObject().key("logprobs").null().member("finish_reason", openai::finishReasonOf(response.stop))
        .endObject().endArray().key("usage");
    openai::writeUsage(json, response.usage);
    json.endObject();
    return out;
}

} // namespace tarn::gateway
