// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Codec.h"

namespace tarn::gateway {

// OpenAI Responses API (POST /v1/responses, what Codex CLI speaks) <-> the internal
// representation. Stateless use: the whole conversation is in `input` (previous_response_id is
// resolved before the codec sees the request). Custom (freeform) tools and their calls map to
// ir::Tool/ir::Part with `custom` set; reasoning items with encrypted_content to Thinking parts
// with `openAiEncrypted`. Built-in tools (web_search, tool_search, file_search, …) are dropped:
// no other format can run them. Errors outside a stream are OpenAI's shape; in a stream, a
// `response.failed` event. (Mapping choices: see ResponsesCodec*.cpp.)
class ResponsesCodec final : public Codec
{
public:
    ApiFormat format() const override;

    Result<ir::Request> decodeRequest(std::string_view json) const override;
    std::string encodeRequest(const ir::Request &request, const RequestTarget &target) const override;

    Result<ir::Response> decodeResponse(std::string_view json) const override;
    std::string encodeResponse(const ir::Response &response) const override;
    std::string encodeResponseFor(const ir::Response &response, const ir::Request *request) const override;

    std::unique_ptr<StreamDecoder> newStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options) const override;

    ir::ApiError decodeError(int status, std::string_view body) const override;
    std::string encodeError(const ir::ApiError &error) const override;
};

} // namespace tarn::gateway
