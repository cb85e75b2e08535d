// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Codec.h"

namespace tarn::gateway {

// Anthropic wire format <-> the internal representation. (Mapping choices: see the comment at the
// top of each AnthropicCodec*.cpp.)
class AnthropicCodec final : public Codec
{
public:
    ApiFormat format() const override;

    Result<ir::Request> decodeRequest(std::string_view json) const override;
    std::string encodeRequest(const ir::Request &request, const RequestTarget &target) const override;

    Result<ir::Response> decodeResponse(std::string_view json) const override;
    std::string encodeResponse(const ir::Response &response) const override;

    std::unique_ptr<StreamDecoder> newStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options) const override;

    ir::ApiError decodeError(int status, std::string_view body) const override;
    std::string encodeError(const ir::ApiError &error) const override;
};

} // namespace tarn::gateway
