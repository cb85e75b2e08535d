// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodec.h"

#include "gateway/formats/ResponsesCodecInternal.h"

namespace tarn::gateway {

ApiFormat ResponsesCodec::format() const
{
    return ApiFormat::Responses;
}

std::unique_ptr<StreamDecoder> ResponsesCodec::newStreamDecoder() const
{
    return responses::newStreamDecoder();
}

std::unique_ptr<StreamEncoder> ResponsesCodec::newStreamEncoder(const StreamEncoderOptions &options) const
{
    return responses::newStreamEncoder(options);
}

ir::ApiError ResponsesCodec::decodeError(int status, std::string_view body) const
{
    // Outside a stream the Responses API answers errors in Chat Completions' shape.
    return codecFor(ApiFormat::OpenAI).decodeError(status, body);
}

std::string ResponsesCodec::encodeError(const ir::ApiError &error) const
{
    return codecFor(ApiFormat::OpenAI).encodeError(error);
}

} // namespace tarn::gateway
