// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/formats/ApiFormat.h"
#include "gateway/formats/Conversation.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tarn::gateway {

// Turns one format's streamed answer into IR events, one SSE event at a time (never the whole
// stream). Malformed events are skipped, never fatal; an in-band error event becomes an
// ir::StreamEvent::Kind::Error.
class StreamDecoder
{
public:
    virtual ~StreamDecoder() = default;
    // One SSE event: its `event:` name (empty when none) and its data lines joined with "\n".
    virtual void decode(std::string_view eventName, std::string_view data, std::vector<ir::StreamEvent> &out) = 0;
    // The upstream stream ended: stops parts still open. Emits no Finish the upstream did not send
    // (the caller sees none came and reports a cut-short stream).
    virtual void end(std::vector<ir::StreamEvent> &out) = 0;
};

// Writes IR events as one format's SSE events (complete events, each ending in a blank line).
class StreamEncoder
{
public:
    virtual ~StreamEncoder() = default;
    virtual void encode(const ir::StreamEvent &event, std::string &out) = 0;
    // After the last event: the format's terminator (OpenAI "data: [DONE]") if Finish came;
    // nothing after an Error (its error event was the end).
    virtual void end(std::string &out) = 0;
};

struct RequestTarget
{
    std::string model;          // the channel's model name (Gemini: not in the body, in the URL)
    qint64 defaultMaxTokens = 8192; // a format that requires max_tokens (Anthropic) gets this
                                    // when the request has none
    // The target model takes reasoning parameters (reasoning_effort, thinking, thinkingConfig);
    // when false they are dropped, since non-reasoning models reject them.
    bool sendReasoning = true;
};

struct StreamEncoderOptions
{
    bool includeUsage = true; // OpenAI: a final usage chunk (stream_options.include_usage)
    // The client's request, decoded, when at hand: the Responses API echoes it in its response
    // object and needs it to tell a custom tool's call from a function call. Not owned; outlives
    // the encoder.
    const ir::Request *request = nullptr;
};

// One wire format's translators. Decoders validate what they read and answer a client's
// malformed body with Error::invalid naming the field; they reject a top-level key given twice
// (parsers disagree on which one counts). Encoders never fail: what the target cannot express
// is mapped or dropped (see each codec's header for its choices).
class Codec
{
public:
    virtual ~Codec() = default;
    virtual ApiFormat format() const = 0;

    virtual Result<ir::Request> decodeRequest(std::string_view json) const = 0;
    virtual std::string encodeRequest(const ir::Request &request, const RequestTarget &target) const = 0;

    virtual Result<ir::Response> decodeResponse(std::string_view json) const = 0;
    virtual std::string encodeResponse(const ir::Response &response) const = 0;
    // The same, with the client's request at hand (nullptr when not decoded): the Responses codec
    // reads it; the others need not.
    virtual std::string encodeResponseFor(const ir::Response &response, const ir::Request *request) const
    {
        Q_UNUSED(request);
        return encodeResponse(response);
    }

    virtual std::unique_ptr<StreamDecoder> newStreamDecoder() const = 0;
    virtual std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options) const = 0;

    // An upstream error answer in this format; status is the HTTP status it came with. Bodies
    // not in this format still give an error (kind from the status, message from the text).
    virtual ir::ApiError decodeError(int status, std::string_view body) const = 0;
    virtual std::string encodeError(const ir::ApiError &error) const = 0;
};

const Codec &codecFor(ApiFormat format);

} // namespace tarn::gateway
