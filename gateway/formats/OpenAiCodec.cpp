// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodec.h"

#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/JsonWriter.h"
#include "gateway/formats/OpenAiCodecShared.h"

#include <QDateTime>

// Mapping choices, for a reviewer (details beside the code):
// - Requests (OpenAiCodecRequest.cpp, OpenAiCodecEncode.cpp): system and developer messages, wherever
//   they are, become Request::system in order; role "tool" messages become ToolResult parts of a
//   User message, and a user message right after them joins that message (Anthropic's shape).
//   Dropped: input_audio and unknown content parts, file_id files, legacy function messages and
//   function_call, non-function tools, n, seed, logprobs, penalties, logit_bias, metadata.
//   Encoding drops Thinking (OpenAI rejects unknown message fields), top_k and, when no tools
//   are sent, tool_choice and parallel_tool_calls (OpenAI rejects them without tools).
// - Assistant text parts are concatenated without a separator (Anthropic splits cited text into
//   blocks that read as one); a tool result's text parts are joined with "\n".
// - Answers (OpenAiCodecResponse.cpp, OpenAiCodecStream.cpp): finish_reason "stop" with tool
//   calls present means ToolUse (some compatible servers say "stop"); a refusal is kept as text
//   with StopReason::Refusal.

namespace tarn::gateway {

namespace openai {

namespace {

constexpr std::size_t kKeepParserBelow = 4 * 1024 * 1024;
constexpr std::size_t kMaxErrorMessage = 2000;

std::string_view trimmed(std::string_view text)
{
    const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (!text.empty() && space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && space(text.back()))
        text.remove_suffix(1);
    return text;
}

// At most `limit` bytes, not splitting a UTF-8 sequence.
std::string cutUtf8(std::string_view text, std::size_t limit)
{
    if (text.size() <= limit)
        return std::string(text);
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return std::string(text.substr(0, end));
}

qint64 intMember(simdjson::dom::element object, std::string_view key)
{
    int64_t value = 0;
    if (!object[key].get(value))
        return ir::clampTokens(qint64(value));
    double number = 0; // some servers write counts as 12.0
    if (!object[key].get(number) && number > 0)
        return number < double(ir::kMaxTokens) ? qint64(number) : ir::kMaxTokens;
    return 0;
}

// The readable part of a non-JSON error body: an HTML page's title, else the text.
std::string_view messageOfText(std::string_view body)
{
    const std::string_view text = trimmed(body);
    if (text.starts_with('<')) {
        const std::size_t open = text.find("<title>");
        const std::size_t close = open == std::string_view::npos ? open : text.find("</title>", open);
        if (close != std::string_view::npos) {
            const std::string_view title = trimmed(text.substr(open + 7, close - open - 7));
            if (!title.empty())
                return title;
        }
    }
    return text;
}

} // namespace

simdjson::error_code ParsedJson::parse(std::string_view json)
{
    thread_local simdjson::dom::parser bodyParser;
    thread_local simdjson::dom::parser argumentsParser;
    simdjson::dom::parser *parser = m_slot == Slot::Body ? &bodyParser : &argumentsParser;
    if (json.size() >= kKeepParserBelow) {
        m_oneOff = std::make_unique<simdjson::dom::parser>();
        parser = m_oneOff.get();
    }
    // Views into request bodies are not padded: the parser copies into a padded buffer.
    return parser->parse(json.data(), json.size(), true).get(m_root);
}

std::string normalizedArguments(std::string_view text)
{
    if (trimmed(text).empty())
        return "{}";
    ParsedJson parsed(ParsedJson::Slot::Arguments);
    if (!parsed.parse(text) && parsed.root().is_object())
        return simdjson::minify(parsed.root());
    std::string out;
    out.reserve(text.size() + 12);
    JsonWriter(out).beginObject().member("_raw", text).endObject();
    return out;
}

std::string argumentsOf(simdjson::dom::element arguments)
{
    std::string_view text;
    if (!arguments.get(text))
        return normalizedArguments(text);
    if (arguments.is_object())
        return simdjson::minify(arguments);
    if (arguments.is_null())
        return "{}";
    return normalizedArguments(simdjson::minify(arguments));
}

std::string_view thoughtSignatureOf(simdjson::dom::element toolCall)
{
    std::string_view signature;
    if (toolCall["extra_content"]["google"]["thought_signature"].get(signature))
        return {};
    return signature;
}

ir::StopReason stopReasonOf(std::string_view finishReason)
{
    if (finishReason == "stop")
        return ir::StopReason::EndTurn;
    if (finishReason == "length")
        return ir::StopReason::MaxTokens;
    if (finishReason == "tool_calls" || finishReason == "function_call")
        return ir::StopReason::ToolUse;
    if (finishReason == "content_filter")
        return ir::StopReason::ContentFilter;
    return ir::StopReason::Unknown;
}

const char *finishReasonOf(ir::StopReason stop)
{
    switch (stop) {
    case ir::StopReason::MaxTokens: return "length";
    case ir::StopReason::ToolUse: return "tool_calls";
    case ir::StopReason::ContentFilter:
    case ir::StopReason::Refusal: return "content_filter";
    case ir::StopReason::Unknown:
    case ir::StopReason::EndTurn:
    case ir::StopReason::StopSequence: return "stop";
    }
    return "stop";
}

ir::Usage usageOf(simdjson::dom::element usage)
{
    ir::Usage out;
    if (!usage.is_object())
        return out;
    out.reported = true;
    out.input = intMember(usage, "prompt_tokens");
    out.output = intMember(usage, "completion_tokens");
    simdjson::dom::element details;
    if (!usage["prompt_tokens_details"].get(details) && details.is_object())
        out.cacheRead = intMember(details, "cached_tokens");
    if (out.cacheRead == 0)
        out.cacheRead = intMember(usage, "prompt_cache_hit_tokens");
    if (out.cacheRead == 0)
        out.cacheRead = intMember(usage, "cached_tokens");
    if (!usage["completion_tokens_details"].get(details) && details.is_object())
        out.reasoning = intMember(details, "reasoning_tokens");
    return out;
}

void writeUsage(JsonWriter &json, const ir::Usage &usage)
{
    json.beginObject()
        .member("prompt_tokens", ir::clampTokens(usage.input))
        .member("completion_tokens", ir::clampTokens(usage.output))
        .member("total_tokens", ir::addTokens(usage.input, usage.output))
        .key("prompt_tokens_details").beginObject().member("cached_tokens", ir::clampTokens(usage.cacheRead)).endObject()
        .key("completion_tokens_details").beginObject().member("reasoning_tokens", ir::clampTokens(usage.reasoning)).endObject()
        .endObject();
}

ir::ApiError apiErrorOf(int status, const simdjson::dom::element *body, std::string_view text)
{
    ir::ApiError error;
    error.status = status;
    error.kind = ir::errorKindForStatus(status);

    std::string_view message, code, type;
    simdjson::dom::element root;
    if (body) {
        root = *body;
        simdjson::dom::array list;
        if (!root.get(list) && list.size() > 0) // [{"error": …}] from some proxies
            root = *list.begin();
    }
    simdjson::dom::element inner;
    if (!body) {
        // not JSON: the text below
    } else if (root.is_object() && !root["error"].get(inner)) {
        if (inner.get(message) && inner.is_object()) {
            openai::readOptional(inner["message"], message);
            openai::readOptional(inner["code"], code);
            openai::readOptional(inner["type"], type);
        }
    } else if (root.is_object()) {
        if (root["message"].get(message))
            openai::readOptional(root["detail"], message);
    }
    if (message.empty())
        message = messageOfText(text);
    error.message = cutUtf8(message, kMaxErrorMessage);
    if (message.empty())
        error.message = "upstream answered HTTP " + std::to_string(status) + " without a message";

    if (code.empty() && (type == "insufficient_quota" || type == "context_length_exceeded"))
        code = type;
    if (!code.empty())
        error.code = cutUtf8(code, 200);
    if (code == "insufficient_quota")
        error.kind = ir::ErrorKind::RateLimit;
    else if (code == "context_length_exceeded")
        error.kind = ir::ErrorKind::InvalidRequest;
    return error;
}

std::string completionId(std::string_view id)
{
    if (id.empty())
        return ir::newId("chatcmpl-");
    if (id.starts_with("chatcmpl-"))
        return std::string(id);
    return "chatcmpl-" + std::string(id);
}

qint64 unixTimeNow()
{
    return QDateTime::currentSecsSinceEpoch();
}

std::string joinedText(const std::vector<ir::Part> &parts, ir::Part::Kind kind, std::string_view separator)
{
    std::string out;
    bool first = true;
    for (const ir::Part &part : parts) {
        if (part.kind != kind)
            continue;
        if (!first)
            out.append(separator);
        out.append(part.text);
        first = false;
    }
    return out;
}

} // namespace openai

ApiFormat OpenAiCodec::format() const
{
    return ApiFormat::OpenAI;
}

ir::ApiError OpenAiCodec::decodeError(int status, std::string_view body) const
{
    openai::ParsedJson parsed;
    if (parsed.parse(body))
        return openai::apiErrorOf(status, nullptr, body);
    const simdjson::dom::element root = parsed.root();
    return openai::apiErrorOf(status, &root, body);
}

std::string OpenAiCodec::encodeError(const ir::ApiError &error) const
{
    return errorBody(ApiFormat::OpenAI, error).toStdString();
}

} // namespace tarn::gateway
