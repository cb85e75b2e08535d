// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to the OpenAiCodec*.cpp files: what the request, response and stream halves share.

#include "gateway/core/Result.h"
#include "gateway/formats/Conversation.h"

#include <QString>

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tarn::gateway {

class JsonWriter;

namespace openai {

// A JSON text parsed by a per-thread parser, or by a throw-away one for very large texts (parser
// buffers grow to the largest document seen; an idle worker should not keep tens of megabytes).
// Documents that must be alive at the same time (a body and the tool arguments inside it) use
// different slots. Valid until the next parse in the same slot on this thread.
class ParsedJson
{
public:
    enum class Slot { Body, Arguments };
    explicit ParsedJson(Slot slot = Slot::Body) : m_slot(slot) {}
    simdjson::error_code parse(std::string_view json);
    simdjson::dom::element root() const { return m_root; }

private:
    Slot m_slot;
    std::unique_ptr<simdjson::dom::parser> m_oneOff;
    simdjson::dom::element m_root;
};

// Reads a value when it is there with that type; `out` keeps its default otherwise.
template<typename JsonResult, typename T>
void readOptional(const JsonResult &result, T &out)
{
    if (result.get(out)) {
        // absent or of another type: the default stands
    }
}

// A member's value, or nothing when it is absent or null (OpenAI treats null as not given).
inline std::optional<simdjson::dom::element> member(simdjson::dom::object parent, std::string_view key)
{
    simdjson::dom::element value;
    if (parent[key].get(value) || value.is_null())
        return std::nullopt;
    return value;
}

inline void appendPathPiece(std::string &path, std::string_view piece)
{
    path.append(piece);
}

inline void appendPathPiece(std::string &path, std::size_t index)
{
    path.append("[").append(std::to_string(index)).append("]");
}

// "'messages[2].content' must be …", OpenAI's way of naming a field; the path is only built
// when there is an error.
template<typename... Pieces>
Error invalidField(const char *what, const Pieces &...pieces)
{
    std::string path;
    (appendPathPiece(path, pieces), ...);
    return Error::invalid(QStringLiteral("'%1' %2").arg(QString::fromStdString(path), QLatin1StringView(what)));
}

template<typename... Pieces>
Error missingField(const Pieces &...pieces)
{
    std::string path;
    (appendPathPiece(path, pieces), ...);
    return Error::invalid(QStringLiteral("Missing required parameter: '%1'.").arg(QString::fromStdString(path)));
}

// Everything in a request body but its model and messages (OpenAiCodecRequestParams.cpp).
Status readRequestParameters(simdjson::dom::object body, ir::Request &request);

// A tool call's arguments as the IR keeps them: a JSON object's compact text; "{}" for none;
// anything else wrapped as {"_raw": "<text>"} so it never silently disappears.
std::string normalizedArguments(std::string_view text);
std::string argumentsOf(simdjson::dom::element arguments); // a string, an object or null

// Gemini's OpenAI endpoint carries a call's thoughtSignature in extra_content.google.
std::string_view thoughtSignatureOf(simdjson::dom::element toolCall);

ir::StopReason stopReasonOf(std::string_view finishReason);
const char *finishReasonOf(ir::StopReason stop);

// An OpenAI usage object, with the providers' cached-token variants (DeepSeek
// prompt_cache_hit_tokens, Moonshot cached_tokens); reported=false when it is not an object.
ir::Usage usageOf(simdjson::dom::element usage);
void writeUsage(JsonWriter &json, const ir::Usage &usage);

// An error answer's JSON (an {"error": …} object, an array holding one, {"message": …}).
ir::ApiError apiErrorOf(int status, const simdjson::dom::element *body, std::string_view text); // body: null when not JSON

// Chat Completions ids start with "chatcmpl-".
std::string completionId(std::string_view id);
qint64 unixTimeNow();

// The texts of the parts of one kind, with a separator between them.
std::string joinedText(const std::vector<ir::Part> &parts, ir::Part::Kind kind, std::string_view separator);

} // namespace openai
} // namespace tarn::gateway
