// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiCodec.h"

// STUB: to be implemented.

namespace tarn::gateway {

ApiFormat OpenAiCodec::format() const
{
    return ApiFormat::OpenAI;
}

Result<ir::Request> OpenAiCodec::decodeRequest(std::string_view) const
{
    return Error::invalid(QStringLiteral("not implemented"));
}

std::string OpenAiCodec::encodeRequest(const ir::Request &, const RequestTarget &) const
{
    return {};
}

Result<ir::Response> OpenAiCodec::decodeResponse(std::string_view) const
{
    return Error::invalid(QStringLiteral("not implemented"));
}

std::string OpenAiCodec::encodeResponse(const ir::Response &) const
{
    return {};
}

std::unique_ptr<StreamDecoder> OpenAiCodec::newStreamDecoder() const
{
    return {};
}

std::unique_ptr<StreamEncoder> OpenAiCodec::newStreamEncoder(const StreamEncoderOptions &) const
{
    return {};
}

ir::ApiError OpenAiCodec::decodeError(int status, std::string_view) const
{
    return {status, ir::errorKindForStatus(status), {}, {}};
}

std::string OpenAiCodec::encodeError(const ir::ApiError &) const
{
    return {};
}

} // namespace tarn::gateway
