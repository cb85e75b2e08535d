// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Helpers shared by the GeminiCodec*.cpp files; not part of the codec's interface.

#include "gateway/core/Result.h"
#include "gateway/formats/Conversation.h"
#include "gateway/formats/JsonWriter.h"

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

namespace tarn::gateway::gemini {

// A whole body parsed once. Bodies under 4 MiB use the thread's parser (its buffers are reused);
// a larger one gets its own, so an idle worker does not keep tens of megabytes. Only one Document
// per thread may be alive at a time.
class Document
{
public:
    simdjson::error_code parse(std::string_view json);
    simdjson::dom::element root() const { return m_root; }

private:
    std::unique_ptr<simdjson::dom::parser> m_ownParser;
    simdjson::dom::element m_root;
};

// `json` minified when it is a JSON object, else empty. For text that did not come from a parser
// (a model's arguments, a tool's output). Uses its own thread parser, so it may run while a
// Document is alive.
std::string compactObject(std::string_view json);

// The member `camel` of a proto-JSON object, or its snake_case spelling (Google's parsers take
// both). Returns false when neither is there (or is null).
bool member(simdjson::dom::object object, std::string_view camel, std::string_view snake,
            simdjson::dom::element &out);
inline bool member(simdjson::dom::object object, std::string_view name, simdjson::dom::element &out)
{
    return member(object, name, {}, out);
}

// A string member (either spelling), or "" when it is absent or not a string.
std::string_view stringMember(simdjson::dom::object object, std::string_view camel, std::string_view snake = {});

// An integral JSON number (1024 or 1024.0) within qint64.
bool integerValue(simdjson::dom::element value, qint64 &out);

// The answer's candidate of index 0 (an answer asked for several candidates holds more; only the
// first is translated). False when there is none.
bool firstCandidate(simdjson::dom::object answer, simdjson::dom::object &candidate);

// A finishReason as a stop reason; STOP becomes ToolUse when the answer called a function.
ir::StopReason stopReasonOf(std::string_view finishReason, bool calledFunction);
const char *finishReasonFor(ir::StopReason stop);

// One answer part as Gemini writes it (Text, Thinking, ToolCall; others write nothing).
void writeResponsePart(JsonWriter &json, const ir::Part &part);

// usageMetadata → usage (reported), and back.
ir::Usage usageOf(simdjson::dom::object usageMetadata);
void writeUsageMetadata(JsonWriter &json, const ir::Usage &usage);

// An {"error":{code,message,status}} object (or [ {…} ]) as an ApiError; false when `body` holds
// none. httpStatus < 400 (an in-band stream error): the status comes from error.code.
bool apiErrorOf(simdjson::dom::element body, int httpStatus, ir::ApiError &out);

// Error messages are kept up to this many bytes.
inline constexpr std::size_t kMaxErrorMessageBytes = 2000;

// `text` cut at `maxBytes` on a UTF-8 character boundary.
std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes);

// A field's place in the body, spelled out only when an error names it (the happy path builds no
// strings). Chains such as `path / "a" / "b"` may only be used within one expression.
struct Path
{
    const Path *parent = nullptr;
    std::string_view name;     // a ".name" segment, or none
    std::ptrdiff_t index = -1; // an "[index]" segment, or none

    std::string text() const;
    Path operator/(std::string_view child) const { return {this, child, -1}; }
    Path operator[](std::size_t at) const { return {this, {}, std::ptrdiff_t(at)}; }
};

// Request decoding (GeminiCodecRequest*.cpp): an Error::invalid naming the field at `path`, and
// the request's members other than the conversation read into `request`.
Error invalid(const Path &path, std::string_view what);
inline Error invalid(std::string_view field, std::string_view what)
{
    return invalid(Path{nullptr, field}, what);
}
Status readTools(simdjson::dom::element value, ir::Request &request);
Status readToolConfig(simdjson::dom::element value, ir::Request &request);
Status readGenerationConfig(simdjson::dom::element value, ir::Request &request);

// Appends the SSE event "data: <json>\r\n\r\n" (Google ends its events with CRLF CRLF).
void appendDataEvent(std::string &out, std::string_view json);

} // namespace tarn::gateway::gemini
