// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiCodec.h"

#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/GeminiCodecInternal.h"

#include <algorithm>
#include <cctype>
#include <cmath>

// The codec's shared helpers, its errors and countTokens' answer. Requests are in
// GeminiCodecRequest*.cpp, answers in GeminiCodecResponse.cpp, streams in GeminiCodecStream.cpp.

namespace tarn::gateway {

namespace gemini {

namespace {

constexpr std::size_t kKeepParserBelow = 4 * 1024 * 1024;

bool contains(std::string_view text, std::string_view needle)
{
    return text.find(needle) != std::string_view::npos;
}

bool kindOfStatusText(std::string_view status, ir::ErrorKind &kind)
{
    using ir::ErrorKind;
    if (status == "RESOURCE_EXHAUSTED")
        kind = ErrorKind::RateLimit;
    else if (status == "INVALID_ARGUMENT" || status == "FAILED_PRECONDITION" || status == "OUT_OF_RANGE")
        kind = ErrorKind::InvalidRequest;
    else if (status == "UNAUTHENTICATED")
        kind = ErrorKind::Authentication;
    else if (status == "PERMISSION_DENIED")
        kind = ErrorKind::Permission;
    else if (status == "NOT_FOUND")
        kind = ErrorKind::NotFound;
    else if (status == "UNAVAILABLE")
        kind = ErrorKind::Overloaded;
    else if (status == "DEADLINE_EXCEEDED")
        kind = ErrorKind::Timeout;
    else if (status == "INTERNAL" || status == "UNKNOWN" || status == "DATA_LOSS")
        kind = ErrorKind::Server;
    else
        return false;
    return true;
}

// Google says an invalid key with 400 INVALID_ARGUMENT; it is an authentication failure.
bool isInvalidApiKey(std::string_view message, simdjson::dom::object error)
{
    if (contains(message, "API key not valid") || contains(message, "API key expired"))
        return true;
    simdjson::dom::array details;
    if (error["details"].get(details))
        return false;
    for (const simdjson::dom::element detail : details) {
        std::string_view reason;
        if (!detail["reason"].get(reason) && (reason == "API_KEY_INVALID" || reason == "API_KEY_EXPIRED"))
            return true;
    }
    return false;
}

} // namespace

simdjson::error_code Document::parse(std::string_view json)
{
    thread_local simdjson::dom::parser shared;
    simdjson::dom::parser *parser = &shared;
    if (json.size() >= kKeepParserBelow) {
        m_ownParser = std::make_unique<simdjson::dom::parser>();
        parser = m_ownParser.get();
    }
    // Views are not padded: let simdjson copy into its padded buffer.
    return parser->parse(json.data(), json.size(), true).get(m_root);
}

std::string compactObject(std::string_view json)
{
    thread_local simdjson::dom::parser fragments;
    simdjson::dom::element value;
    if (json.empty() || fragments.parse(json.data(), json.size(), true).get(value) || !value.is_object())
        return {};
    return simdjson::minify(value);
}

bool member(simdjson::dom::object object, std::string_view camel, std::string_view snake,
            simdjson::dom::element &out)
{
    if (!object.at_key(camel).get(out) && !out.is_null())
        return true;
    return !snake.empty() && !object.at_key(snake).get(out) && !out.is_null();
}

std::string_view stringMember(simdjson::dom::object object, std::string_view camel, std::string_view snake)
{
    simdjson::dom::element value;
    std::string_view text;
    if (member(object, camel, snake, value) && !value.get(text))
        return text;
    return {};
}

bool integerValue(simdjson::dom::element value, qint64 &out)
{
    int64_t integer = 0;
    if (!value.get(integer)) {
        out = integer;
        return true;
    }
    double number = 0;
    // 1024.0 is an integer to proto-JSON; 1e300 and 0.5 are not.
    if (value.get(number) || !std::isfinite(number) || std::trunc(number) != number || std::fabs(number) > 9.0e18)
        return false;
    out = qint64(number);
    return true;
}

bool firstCandidate(simdjson::dom::object answer, simdjson::dom::object &candidate)
{
    simdjson::dom::element value;
    simdjson::dom::array candidates;
    if (!member(answer, "candidates", value) || value.get(candidates))
        return false;
    for (const simdjson::dom::element item : candidates) {
        qint64 index = 0;
        if (!item.get(candidate) && (!member(candidate, "index", value) || (integerValue(value, index) && index == 0)))
            return true;
    }
    return false;
}

ir::StopReason stopReasonOf(std::string_view reason, bool calledFunction)
{
    using ir::StopReason;
    if (reason == "STOP")
        return calledFunction ? StopReason::ToolUse : StopReason::EndTurn;
    if (reason == "MAX_TOKENS")
        return StopReason::MaxTokens;
    if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" || reason == "PROHIBITED_CONTENT"
        || reason == "SPII" || reason == "IMAGE_SAFETY" || reason == "IMAGE_PROHIBITED_CONTENT"
        || reason == "IMAGE_RECITATION")
        return StopReason::ContentFilter;
    // The model wrote a call Gemini could not parse: the turn ended without one.
    if (reason == "MALFORMED_FUNCTION_CALL")
        return StopReason::EndTurn;
    return calledFunction ? StopReason::ToolUse : StopReason::Unknown;
}

const char *finishReasonFor(ir::StopReason stop)
{
    switch (stop) {
    case ir::StopReason::MaxTokens: return "MAX_TOKENS";
    case ir::StopReason::ContentFilter:
    case ir::StopReason::Refusal: return "SAFETY";
    case ir::StopReason::Unknown:
    case ir::StopReason::EndTurn:
    case ir::StopReason::StopSequence:
    case ir::StopReason::ToolUse: return "STOP";
    }
    return "STOP";
}

ir::Usage usageOf(simdjson::dom::object usageMetadata)
{
    const auto count = [&](std::string_view camel, std::string_view snake) {
        simdjson::dom::element value;
        qint64 n = 0;
        if (!member(usageMetadata, camel, snake, value))
            return qint64(0);
        double real = 0; // past int64 (uint64, 1e30) is a huge count, not none
        if (!integerValue(value, n) && !value.get(real) && real > 0)
            n = ir::kMaxTokens;
        return ir::clampTokens(n);
    };
    ir::Usage usage;
    usage.reported = true;
    usage.input = ir::addTokens(count("promptTokenCount", "prompt_token_count"),
                                count("toolUsePromptTokenCount", "tool_use_prompt_token_count"));
    usage.reasoning = count("thoughtsTokenCount", "thoughts_token_count");
    usage.output = ir::addTokens(count("candidatesTokenCount", "candidates_token_count"), usage.reasoning);
    usage.cacheRead = count("cachedContentTokenCount", "cached_content_token_count");
    return usage;
}

void writeUsageMetadata(JsonWriter &json, const ir::Usage &usage)
{
    json.key("usageMetadata").beginObject()
        .member("promptTokenCount", ir::clampTokens(usage.input))
        .member("candidatesTokenCount", ir::clampTokens(ir::clampTokens(usage.output) - ir::clampTokens(usage.reasoning)))
        .member("totalTokenCount", ir::addTokens(usage.input, usage.output));
    if (usage.cacheRead > 0)
        json.member("cachedContentTokenCount", ir::clampTokens(usage.cacheRead));
    if (usage.reasoning > 0)
        json.member("thoughtsTokenCount", ir::clampTokens(usage.reasoning));
    json.endObject();
}

bool apiErrorOf(simdjson::dom::element body, int httpStatus, ir::ApiError &out)
{
    simdjson::dom::array wrapped;
    if (!body.get(wrapped)) {
        // The array form streamGenerateContent (without alt=sse) answers with.
        for (const simdjson::dom::element item : wrapped) {
            if (apiErrorOf(item, httpStatus, out))
                return true;
        }
        return false;
    }
    simdjson::dom::object object;
    simdjson::dom::element errorValue;
    if (body.get(object) || !member(object, "error", errorValue))
        return false;

    std::string_view message;
    std::string_view statusText;
    qint64 code = 0;
    simdjson::dom::object error;
    if (!errorValue.get(error)) {
        simdjson::dom::element value;
        if (member(error, "message", value) && value.get(message))
            message = {};
        if (member(error, "status", value) && value.get(statusText))
            statusText = {};
        if (member(error, "code", value) && !integerValue(value, code))
            code = 0;
    } else if (errorValue.get(message)) {
        return false;
    }

    // An HTTP error status decides the kind: Google says INVALID_ARGUMENT for a 400 and a 413
    // alike. The status word decides only for an error inside a 200 (a stream's in-band error).
    ir::ErrorKind kind = ir::ErrorKind::Server;
    if (httpStatus >= 400)
        kind = ir::errorKindForStatus(httpStatus);
    else if (!kindOfStatusText(statusText, kind) && code >= 400 && code <= 599)
        kind = ir::errorKindForStatus(int(code));
    out = {};
    out.kind = kind;
    if (httpStatus >= 400)
        out.status = httpStatus;
    else if (code >= 400 && code <= 599)
        out.status = int(code);
    else
        out.status = ir::statusForErrorKind(kind);
    out.message = std::string(utf8Prefix(message, kMaxErrorMessageBytes));
    if (out.message.empty())
        out.message = !statusText.empty() ? std::string(statusText)
                                          : "upstream answered HTTP " + std::to_string(out.status);

    if (kind == ir::ErrorKind::InvalidRequest && !errorValue.get(error) && isInvalidApiKey(message, error)) {
        out.kind = ir::ErrorKind::Authentication;
        out.code = "invalid_api_key";
    } else if (kind == ir::ErrorKind::RateLimit) {
        out.code = "rate_limit_exceeded";
    } else if (kind == ir::ErrorKind::NotFound && contains(message, "models/")) {
        out.code = "model_not_found";
    } else if (kind == ir::ErrorKind::InvalidRequest && contains(message, "exceeds the maximum number of tokens")) {
        out.code = "context_length_exceeded";
    }
    return true;
}

std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes)
        return text;
    std::size_t end = maxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return text.substr(0, end);
}

void appendDataEvent(std::string &out, std::string_view json)
{
    out.append("data: ");
    out.append(json);
    out.append("\r\n\r\n");
}

} // namespace gemini

ApiFormat GeminiCodec::format() const
{
    return ApiFormat::Gemini;
}

ir::ApiError GeminiCodec::decodeError(int status, std::string_view body) const
{
    ir::ApiError error;
    {
        gemini::Document document;
        if (!body.empty() && !document.parse(body) && gemini::apiErrorOf(document.root(), status, error))
            return error;
    }
    // Not Google's shape (a proxy's HTML page, plain text): the status says what it was.
    error.status = status;
    error.kind = ir::errorKindForStatus(status);
    std::size_t begin = 0, end = body.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(body[begin])))
        ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(body[end - 1])))
        --end;
    const std::string_view text = body.substr(begin, end - begin);
    error.message = text.empty() ? "upstream answered HTTP " + std::to_string(status)
                                 : std::string(gemini::utf8Prefix(text, gemini::kMaxErrorMessageBytes));
    return error;
}

std::string GeminiCodec::encodeError(const ir::ApiError &error) const
{
    const QByteArray body = errorBody(ApiFormat::Gemini, error);
    return std::string(body.constData(), std::size_t(body.size()));
}

qint64 geminiCountTokensResult(std::string_view json)
{
    gemini::Document document;
    simdjson::dom::object object;
    simdjson::dom::element value;
    qint64 total = 0;
    if (json.empty() || document.parse(json) || document.root().get(object)
        || !gemini::member(object, "totalTokens", "total_tokens", value) || !gemini::integerValue(value, total)
        || total < 0)
        return -1;
    return total;
}

} // namespace tarn::gateway
