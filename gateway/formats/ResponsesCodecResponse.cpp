// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodec.h"

#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"
#include "gateway/formats/ResponsesCodecInternal.h"

#include <algorithm>

// A Responses channel's Response object ↔ ir::Response. Output items of hosted tools (web search,
// file search, …) are not read: Tarn never asks for them.

namespace tarn::gateway {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using Kind = ir::Part::Kind;

// A message item's text; a refusal is text too, and says so through `refused`.
void readMessage(object item, std::vector<ir::Part> &parts, bool &refused)
{
    array content;
    if (item["content"].get(content))
        return;
    for (const element entry : content) {
        std::string_view type, text;
        if (entry["type"].get(type))
            continue;
        if (type == "output_text" && !entry["text"].get(text) && !text.empty()) {
            parts.push_back(openai::textPart(text));
        } else if (type == "refusal" && !entry["refusal"].get(text) && !text.empty()) {
            parts.push_back(openai::textPart(text));
            refused = true;
        }
    }
}

void readCall(object item, bool custom, std::vector<ir::Part> &parts)
{
    std::string_view callId, name;
    if (item["name"].get(name) || name.empty())
        return;
    ir::Part part;
    part.kind = Kind::ToolCall;
    part.custom = custom;
    openai::readOptional(item["call_id"], callId);
    ir::IdAndSignature split = ir::splitIdAndSignature(callId);
    part.id = split.id.empty() ? ir::newId("call_") : std::move(split.id);
    part.signature = std::move(split.signature);
    part.name = std::string(name);
    if (custom) {
        std::string_view input;
        openai::readOptional(item["input"], input);
        part.arguments = responses::wrappedCustomInput(input);
    } else {
        element arguments;
        part.arguments = item["arguments"].get(arguments) ? "{}" : openai::argumentsOf(arguments);
    }
    parts.push_back(std::move(part));
}

// Summaries joined; a model that shows its raw reasoning (gpt-oss) has reasoning_text content.
void readReasoning(object item, std::vector<ir::Part> &parts)
{
    ir::Part thinking = openai::textPart({}, Kind::Thinking);
    for (const char *key : {"summary", "content"}) {
        array list;
        if (item[key].get(list))
            continue;
        for (const element entry : list) {
            std::string_view text;
            if (entry["text"].get(text) || text.empty())
                continue;
            if (!thinking.text.empty())
                thinking.text.append("\n\n");
            thinking.text.append(text);
        }
        if (!thinking.text.empty())
            break;
    }
    std::string_view id, encrypted;
    openai::readOptional(item["id"], id);
    openai::readOptional(item["encrypted_content"], encrypted);
    if (thinking.text.empty() && encrypted.empty())
        return;
    thinking.id = std::string(id);
    thinking.signature = std::string(encrypted);
    thinking.openAiEncrypted = !encrypted.empty();
    parts.push_back(std::move(thinking));
}

} // namespace

Result<ir::Response> ResponsesCodec::decodeResponse(std::string_view json) const
{
    openai::ParsedJson parsed;
    array output;
    const Result<object> answer = openai::answerRootOf(parsed, json, "response", "output", output);
    if (!answer)
        return answer.error();
    const object root = *answer;
    std::string_view type, status;
    openai::readOptional(root["status"], status);
    if (status == "failed" || status == "cancelled" || status == "queued" || status == "in_progress") {
        std::string_view message = "no message";
        openai::readOptional(root["error"]["message"], message);
        return Error{ErrorCode::UpstreamError,
                     QStringLiteral("the response is %1: %2")
                         .arg(QString::fromUtf8(status.data(), qsizetype(status.size())),
                              QString::fromUtf8(message.data(), qsizetype(std::min<std::size_t>(message.size(), 500))))};
    }

    ir::Response response;
    openai::readIdAndModel(root, response);
    bool refused = false;
    for (const element value : output) {
        object item;
        if (value.get(item) || item["type"].get(type))
            continue;
        if (type == "message")
            readMessage(item, response.parts, refused);
        else if (type == "function_call" || type == "custom_tool_call")
            readCall(item, type == "custom_tool_call", response.parts);
        else if (type == "reasoning")
            readReasoning(item, response.parts);
    }
    std::string_view reason;
    openai::readOptional(root["incomplete_details"]["reason"], reason);
    response.stop = responses::stopReasonOf(status.empty() ? std::string_view("completed") : status, reason);
    const bool calledTools = std::any_of(response.parts.begin(), response.parts.end(),
                                         [](const ir::Part &part) { return part.kind == Kind::ToolCall; });
    if (calledTools && response.stop == ir::StopReason::EndTurn)
        response.stop = ir::StopReason::ToolUse;
    if (refused)
        response.stop = ir::StopReason::Refusal;
    element usage;
    if (!root["usage"].get(usage))
        response.usage = responses::usageOf(usage);
    return response;
}

std::string ResponsesCodec::encodeResponse(const ir::Response &response) const
{
    return encodeResponseFor(response, nullptr);
}

std::string ResponsesCodec::encodeResponseFor(const ir::Response &response, const ir::Request *request) const
{
    std::string out;
    out.reserve(1024);
    JsonWriter json(out);
    const std::string id = response.id.starts_with("resp_") ? response.id : ir::newId("resp_");
    json.beginObject().member("id", id).member("object", "response").member("created_at", openai::unixTimeNow())
        .member("status", responses::statusOf(response.stop)).key("error").null().key("incomplete_details");
    if (const char *reason = responses::incompleteReasonOf(response.stop))
        json.beginObject().member("reason", reason).endObject();
    else
        json.null();
    json.member("model", response.model).key("output").beginArray();
    const bool refused = response.stop == ir::StopReason::Refusal;
    const std::vector<ir::Part> &parts = response.parts;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const ir::Part &part = parts[i];
        if (part.kind == Kind::Thinking) {
            if (!part.text.empty() || (part.openAiEncrypted && !part.signature.empty()))
                responses::writeReasoningItem(json, part, part.id.starts_with("rs_") ? std::string_view(part.id) : std::string_view());
        } else if (part.kind == Kind::ToolCall) {
            responses::writeFunctionCallItem(json, part, {}, request);
        } else if (part.kind == Kind::Text) {
            // Consecutive texts are one message, as a Responses model writes them.
            std::string text = part.text;
            while (i + 1 < parts.size() && parts[i + 1].kind == Kind::Text)
                text.append(parts[++i].text);
            json.beginObject().member("type", "message").member("id", ir::newId("msg_")).member("status", "completed")
                .member("role", "assistant").key("content").beginArray().beginObject();
            if (refused)
                json.member("type", "refusal").member("refusal", text);
            else
                json.member("type", "output_text").key("annotations").beginArray().endArray()
                    .key("logprobs").beginArray().endArray().member("text", text);
            json.endObject().endArray().endObject();
        }
        // Redacted thinking has no Responses counterpart.
    }
    json.endArray();
    responses::writeRequestEcho(json, request);
    json.key("usage");
    responses::writeUsage(json, response.usage);
    json.endObject();
    return out;
}

} // namespace tarn::gateway
