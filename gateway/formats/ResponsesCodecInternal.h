// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the ResponsesCodec*.cpp files share; not part of the codec's interface. Requests are in
// ResponsesCodecRequest.cpp, whole answers in ResponsesCodecResponse.cpp, streams in
// ResponsesCodecStream.cpp, the helpers below in ResponsesCodecShared.cpp.

#include "gateway/formats/Codec.h"

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

namespace tarn::gateway {

class JsonWriter;

namespace responses {

std::unique_ptr<StreamDecoder> newStreamDecoder();
std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options);

// A custom tool's raw input as the IR carries it: arguments {"input": "<text>"}.
std::string wrappedCustomInput(std::string_view input);
// The raw input back out of such arguments; arguments of another shape are returned as they are.
std::string unwrappedCustomInput(std::string_view arguments);

// Whether a call goes out as a custom_tool_call: it says so, or the client's request (may be
// null) declares a custom tool of that name.
bool isCustomTool(const ir::Request *request, std::string_view name);
bool isCustomCall(const ir::Part &call, const ir::Request *request);

// A Responses usage object (input_tokens, input_tokens_details.cached_tokens, output_tokens,
// output_tokens_details.reasoning_tokens), counts clamped; reported=false when not an object.
ir::Usage usageOf(simdjson::dom::element usage);
void writeUsage(JsonWriter &json, const ir::Usage &usage);

// A Responses answer's "status" and "incomplete_details" value for a stop reason.
const char *statusOf(ir::StopReason stop);
const char *incompleteReasonOf(ir::StopReason stop); // nullptr when complete
// The stop reason a Responses answer's status and incomplete_details.reason mean.
ir::StopReason stopReasonOf(std::string_view status, std::string_view incompleteReason);

// The members of a Response object that echo the client's request (request may be null):
// instructions, max_output_tokens, parallel_tool_calls, reasoning, store, temperature, text,
// tool_choice, tools, top_p, metadata, previous_response_id. Written into an open object.
void writeRequestEcho(JsonWriter &json, const ir::Request *request);

// What a request to a channel and a Response's echo of the client's request write alike. A tools[]
// entry's type, name, description and a custom tool's format, left open: a request sends a
// function's schema with strict=false, an echo what the client gave.
void beginToolItem(JsonWriter &json, const ir::Tool &tool);
// The members of text.format: its type, and a JSON schema's name and schema.
void writeTextFormatMembers(JsonWriter &json, const ir::Request &request);

// One output item of a whole answer or a stream's output_item.done. Ids are generated.
void writeReasoningItem(JsonWriter &json, const ir::Part &thinking, std::string_view id);
void writeFunctionCallItem(JsonWriter &json, const ir::Part &call, std::string_view id, const ir::Request *request);

} // namespace responses
} // namespace tarn::gateway
