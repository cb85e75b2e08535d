// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to the OpenAiCodec*.cpp files: what the request, response and stream halves share.

#include "gateway/core/Result.h"
#include "gateway/formats/Conversation.h"

#include <QString>

#include <simdjson.h>

#include <functional>
#include <initializer_list>
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

// What Chat Completions and Responses read and write alike (OpenAiCodecShared.cpp): the two
// formats share OpenAI's parsing rules, error wording and parameter names, so a fix to one is a
// fix to both. Error paths are the caller's, so each format names its own fields.

// A text (or, with `kind`, thinking) part.
ir::Part textPart(std::string_view text, ir::Part::Kind kind = ir::Part::Kind::Text);
// "data:<media type>[;params];base64,<data>" → inline data; anything else is kept as a URL.
ir::Part imagePart(std::string_view url);

// Content given as a string: one text part. An empty system prompt, answer or tool output says
// nothing, so an empty text is kept only for a user's turn. False when the content is no string.
bool readTextContent(simdjson::dom::element content, bool userTurn, std::vector<ir::Part> &parts);

// A client's request body, checked alike by both formats (not empty, valid JSON, an object, no
// top-level key twice), then read by the format's own `read` into a new ir::Request.
using RequestBodyReader = Status (*)(simdjson::dom::object body, ir::Request &request);
Result<ir::Request> decodeRequestBody(std::string_view json, RequestBodyReader read);

// tool_choice as far as the two formats agree: absent, or a string 'auto', 'none' or 'required'
// (another string is refused with `badMode`); else an object with a string "type". `type` is
// empty when there is nothing more to read; otherwise the caller reads `value` in its vocabulary.
struct ToolChoiceObject
{
    simdjson::dom::element value;
    std::string_view type;
};
Result<ToolChoiceObject> readToolChoiceMode(simdjson::dom::object body, ir::ToolChoice &choice, const char *badMode);

// The "tools" array, when given, as both formats check it: an array of objects with a string
// "type". Each entry goes to `read` with its type and index; the entry's other fields are the
// format's own.
using ToolEntryReader = std::function<Status(simdjson::dom::object tool, std::string_view type, std::size_t i)>;
Status readToolEntries(simdjson::dom::object body, const ToolEntryReader &read);

// parallel_tool_calls, the token limit under each of `maxTokenKeys` (the first given wins),
// temperature and top_p, checked in that order.
Status readCommonParameters(simdjson::dom::object body, std::initializer_list<const char *> maxTokenKeys,
                            ir::Request &request);

// A response format object's "type" ('text', 'json_object', 'json_schema'), named in errors as
// `path`.type. Returns whether a JSON schema follows, for the caller to read from its own fields.
Result<bool> readResponseFormatType(simdjson::dom::element format, const char *path, ir::Request &request);

// The reasoning effort to send a channel, or nullptr: the client's effort, else one for its budget.
const char *reasoningEffortToSend(const ir::Request &request, bool sendReasoning);
// 'auto', 'none' or 'required' for those modes of tool_choice; nullptr for Unset and Named.
const char *toolChoiceModeName(ir::ToolChoice::Mode mode);
// About how long an encoded request will be, to reserve its buffer once.
std::size_t requestSizeEstimate(const ir::Request &request);

// A whole answer's root: valid JSON, an object whose "object" member (when given) is `type`,
// holding the array `listKey`. Errors: "the answer is not valid JSON", "… not a <type> object".
Result<simdjson::dom::object> answerRootOf(ParsedJson &parsed, std::string_view json, std::string_view type,
                                           std::string_view listKey, simdjson::dom::array &list);
// An answer's "id" and "model", where they are strings.
void readIdAndModel(simdjson::dom::object root, ir::Response &response);

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
