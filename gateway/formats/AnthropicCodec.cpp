// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/AnthropicCodec.h"

#include "gateway/formats/AnthropicCodecInternal.h"
#include "gateway/formats/ErrorResponse.h"

// The codec is split by direction: AnthropicCodecRequest.cpp and AnthropicCodecContent.cpp
// (client bodies in), AnthropicCodecEncode.cpp (bodies for Anthropic channels),
// AnthropicCodecResponse.cpp (answers both ways), AnthropicCodecStream*.cpp (SSE both ways). This
// file holds what they share and the error mapping: Anthropic's error types both ways (plus
// billing_error and timeout_error), other bodies by status, and OpenAI-style codes for what
// Anthropic says only in words.

namespace tarn::gateway {

namespace anthropic {

namespace {

// Parser buffers grow to the largest document seen: beyond this a document gets its own parser.
constexpr std::size_t kKeepParserBelow = 4 * 1024 * 1024;

} // namespace

simdjson::error_code Document::parse(std::string_view json)
{
    thread_local simdjson::dom::parser reusable;
    simdjson::dom::parser *parser = &reusable;
    if (json.size() >= kKeepParserBelow) {
        m_oneOff = std::make_unique<simdjson::dom::parser>();
        parser = m_oneOff.get();
    }
    // Views handed to codecs are not padded: the parser copies into its own padded buffer.
    return parser->parse(json.data(), json.size(), true).get(root);
}

const char *stopReasonName(ir::StopReason stop)
{
    switch (stop) {
    case ir::StopReason::Unknown:
    case ir::StopReason::EndTurn: return "end_turn";
    case ir::StopReason::MaxTokens: return "max_tokens";
    case ir::StopReason::StopSequence: return "stop_sequence";
    case ir::StopReason::ToolUse: return "tool_use";
    case ir::StopReason::ContentFilter:
    case ir::StopReason::Refusal: return "refusal";
    }
    return "end_turn";
}

ir::StopReason stopReasonOf(std::string_view name)
{
    if (name == "end_turn" || name == "pause_turn")
        return ir::StopReason::EndTurn;
    if (name == "max_tokens" || name == "model_context_window_exceeded")
        return ir::StopReason::MaxTokens;
    if (name == "stop_sequence")
        return ir::StopReason::StopSequence;
    if (name == "tool_use")
        return ir::StopReason::ToolUse;
    if (name == "refusal")
        return ir::StopReason::Refusal;
    return ir::StopReason::Unknown;
}

namespace {

struct ErrorType
{
    std::string_view type;
    ir::ErrorKind kind;
    int status;
};

constexpr ErrorType kErrorTypes[] = {
    {"invalid_request_error", ir::ErrorKind::InvalidRequest, 400},
    {"authentication_error", ir::ErrorKind::Authentication, 401},
    {"billing_error", ir::ErrorKind::Permission, 402},
    {"permission_error", ir::ErrorKind::Permission, 403},
    {"not_found_error", ir::ErrorKind::NotFound, 404},
    {"request_too_large", ir::ErrorKind::RequestTooLarge, 413},
    {"rate_limit_error", ir::ErrorKind::RateLimit, 429},
    {"api_error", ir::ErrorKind::Server, 500},
    {"timeout_error", ir::ErrorKind::Timeout, 504},
    {"overloaded_error", ir::ErrorKind::Overloaded, 529},
};

const ErrorType *findErrorType(std::string_view type)
{
    for (const ErrorType &entry : kErrorTypes) {
        if (entry.type == type)
            return &entry;
    }
    return nullptr;
}

qint64 nonNegative(simdjson::dom::element value)
{
    int64_t number = 0;
    if (!value.get(number))
        return number > 0 ? qint64(number) : 0;
    double real = 0;
    if (!value.get(real) && real > 0) // beyond 2^40 (and beyond int64, as uint64) all clamp alike
        return real < double(ir::kMaxTokens) ? qint64(real) : ir::kMaxTokens;
    return 0;
}

// Cut at maxBytes without splitting a UTF-8 sequence.
std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes)
        return text;
    std::size_t end = maxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return text.substr(0, end);
}

} // namespace

ir::ErrorKind errorKindOf(std::string_view type, int status)
{
    if (const ErrorType *entry = findErrorType(type))
        return entry->kind;
    return ir::errorKindForStatus(status);
}

// OpenAI-style codes for what Anthropic says only in words, so OpenAI clients and the router can
// tell a full context window or an exhausted balance from other 400s and 4xxs.
std::string errorCodeFor(ir::ErrorKind kind, std::string_view message)
{
    if (kind == ir::ErrorKind::InvalidRequest
        && (message.find("prompt is too long") != std::string_view::npos
            || message.find("context window") != std::string_view::npos
            || message.find("context length") != std::string_view::npos))
        return "context_length_exceeded";
    if (message.find("credit balance is too low") != std::string_view::npos)
        return "insufficient_quota";
    switch (kind) {
    case ir::ErrorKind::RateLimit: return "rate_limit_exceeded";
    case ir::ErrorKind::Authentication: return "invalid_api_key";
    case ir::ErrorKind::NotFound:
        return message.find("model") != std::string_view::npos ? "model_not_found" : std::string();
    default: return {};
    }
}

int statusOfErrorType(std::string_view type)
{
    const ErrorType *entry = findErrorType(type);
    return entry ? entry->status : 0;
}

std::string clientMessageId(std::string_view id)
{
    if (id.empty())
        return ir::newId("msg_");
    if (id.substr(0, 4) == "msg_")
        return std::string(id);
    std::string out = "msg_";
    out.append(id);
    return out;
}

void RawUsage::read(simdjson::dom::element usage)
{
    simdjson::dom::object fields;
    if (usage.get(fields))
        return;
    for (const auto field : fields) {
        const std::string_view key = field.key;
        qint64 *target = key == "input_tokens"                  ? &input
                         : key == "output_tokens"               ? &output
                         : key == "cache_read_input_tokens"     ? &cacheRead
                         : key == "cache_creation_input_tokens" ? &cacheWrite
                                                                : nullptr;
        if (!target || field.value.is_null())
            continue;
        *target = ir::clampTokens(nonNegative(field.value));
        any = true;
    }
}

qint64 uncachedInput(const ir::Usage &usage)
{
    return ir::clampTokens(ir::clampTokens(usage.input) - ir::addTokens(usage.cacheRead, usage.cacheWrite));
}

ir::Usage RawUsage::toIr() const
{
    ir::Usage usage;
    usage.input = ir::addTokens(ir::addTokens(input, cacheRead), cacheWrite);
    usage.output = ir::clampTokens(output);
    usage.cacheRead = ir::clampTokens(cacheRead);
    usage.cacheWrite = ir::clampTokens(cacheWrite);
    usage.reported = any;
    return usage;
}

std::string_view inputObject(std::string_view arguments)
{
    // Its own parser: callers may hold a Document of the thread's shared one.
    thread_local simdjson::dom::parser validator;
    const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (!arguments.empty() && space(arguments.front()))
        arguments.remove_prefix(1);
    while (!arguments.empty() && space(arguments.back()))
        arguments.remove_suffix(1);
    simdjson::dom::element parsed;
    if (arguments.size() >= 2 && arguments.front() == '{' && arguments.back() == '}'
        && !validator.parse(arguments.data(), arguments.size(), true).get(parsed) && parsed.is_object())
        return arguments;
    return "{}";
}

} // namespace anthropic

ApiFormat AnthropicCodec::format() const
{
    return ApiFormat::Anthropic;
}

std::unique_ptr<StreamDecoder> AnthropicCodec::newStreamDecoder() const
{
    return anthropic::newStreamDecoder();
}

std::unique_ptr<StreamEncoder> AnthropicCodec::newStreamEncoder(const StreamEncoderOptions &) const
{
    // Anthropic streams always carry usage (message_start, message_delta): no options apply.
    return anthropic::newStreamEncoder();
}

ir::ApiError AnthropicCodec::decodeError(int status, std::string_view body) const
{
    constexpr std::size_t kMaxMessageBytes = 2000;
    ir::ApiError error;
    error.status = status;
    error.kind = ir::errorKindForStatus(status);

    anthropic::Document doc;
    simdjson::dom::object object;
    bool found = false;
    if (!doc.parse(body) && !doc.root.get(object)) {
        simdjson::dom::object inner;
        std::string_view type, message;
        if (!object["error"].get(inner)) {
            found = !inner["message"].get(message);
            if (!inner["type"].get(type) && anthropic::statusOfErrorType(type) != 0) {
                error.kind = anthropic::errorKindOf(type, status);
                found = true;
            }
            error.message = std::string(anthropic::utf8Prefix(message, kMaxMessageBytes));
        }
        // An in-band error (a 200 stream, a proxy's relabelled answer) gets the status its type means.
        if (found && status < 400) {
            const int typeStatus = anthropic::statusOfErrorType(type);
            error.status = typeStatus ? typeStatus : ir::statusForErrorKind(error.kind);
        }
    }
    if (!found || error.message.empty())
        error.message = std::string(anthropic::utf8Prefix(body, kMaxMessageBytes));
    if (error.message.empty())
        error.message = "upstream answered HTTP " + std::to_string(status) + " with no body";
    error.code = anthropic::errorCodeFor(error.kind, error.message);
    return error;
}

std::string AnthropicCodec::encodeError(const ir::ApiError &error) const
{
    const QByteArray body = errorBody(ApiFormat::Anthropic, error);
    return std::string(body.constData(), std::size_t(body.size()));
}

} // namespace tarn::gateway
