// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/GeminiCodec.h"

// STUB: to be implemented.

namespace tarn::gateway {

ApiFormat GeminiCodec::format() const
{
    return ApiFormat::Gemini;
}

Result<ir::Request> GeminiCodec::decodeRequest(std::string_view) const
{
    return Error::invalid(QStringLiteral("not implemented"));
}

std::string GeminiCodec::encodeRequest(const ir::Request &, const RequestTarget &) const
{
    return {};
}

Result<ir::Response> GeminiCodec::decodeResponse(std::string_view) const
{
    return Error::invalid(QStringLiteral("not implemented"));
}

std::string GeminiCodec::encodeResponse(const ir::Response &) const
{
    return {};
}

std::unique_ptr<StreamDecoder> GeminiCodec::newStreamDecoder() const
{
    return {};
}

std::unique_ptr<StreamEncoder> GeminiCodec::newStreamEncoder(const StreamEncoderOptions &) const
{
    return {};
}

ir::ApiError GeminiCodec::decodeError(int status, std::string_view) const
{
    return {status, ir::errorKindForStatus(status), {}, {}};
}

std::string GeminiCodec::encodeError(const ir::ApiError &) const
{
    return {};
}

} // namespace tarn::gateway
