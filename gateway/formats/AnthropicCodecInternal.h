// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Codec.h"

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

// Pieces the AnthropicCodec*.cpp files share; not part of the codec's interface.
namespace tarn::gateway::anthropic {

// A parsed JSON text: small documents reuse the thread's parser, large ones get their own so an
// idle worker does not keep their buffers. Only one Document per thread may be alive at a time.
class Document
{
public:
    simdjson::error_code parse(std::string_view json);
    simdjson::dom::element root;

private:
    std::unique_ptr<simdjson::dom::parser> m_oneOff;
};

// The string a field holds; "" when it is missing or not a string.
inline std::string_view stringOf(simdjson::simdjson_result<simdjson::dom::element> field)
{
    std::string_view value;
    return field.get(value) ? std::string_view() : value;
}

// Anthropic's words for stop reasons and error types, both ways.
const char *stopReasonName(ir::StopReason stop);
ir::StopReason stopReasonOf(std::string_view name);
ir::ErrorKind errorKindOf(std::string_view type, int status);
int statusOfErrorType(std::string_view type); // the status Anthropic answers that type with; 0 unknown
// The OpenAI-style ApiError::code of what Anthropic says only in words ("prompt is too long").
std::string errorCodeFor(ir::ErrorKind kind, std::string_view message);

// The message id a client sees: "msg_…".
std::string clientMessageId(std::string_view id);

// Anthropic's usage object (input_tokens excludes cached tokens) read into IR counts, keeping
// the raw fields so a later message_delta can override some of them.
struct RawUsage
{
    qint64 input = 0;
    qint64 output = 0;
    qint64 cacheRead = 0;
    qint64 cacheWrite = 0;
    bool any = false;
    void read(simdjson::dom::element usage); // fields present in `usage` replace ours
    ir::Usage toIr() const;
};

// Anthropic's input_tokens for IR usage: the prompt without its cached and cache-written tokens.
qint64 uncachedInput(const ir::Usage &usage);

// A ToolCall's arguments as an input object: the text (trimmed) when it is a JSON object, else {}.
std::string_view inputObject(std::string_view arguments);

std::unique_ptr<StreamDecoder> newStreamDecoder();
std::unique_ptr<StreamEncoder> newStreamEncoder();

} // namespace tarn::gateway::anthropic
