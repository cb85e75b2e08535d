// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/AnthropicCodec.h"

// STUB: to be implemented.

namespace tarn::gateway {

ApiFormat AnthropicCodec::format() const
{
    return ApiFormat::Anthropic;
}

Result<ir::Request> AnthropicCodec::decodeRequest(std::string_view) const
{
    return Error::invalid(QStringLiteral("not implemented"));
}

std::string AnthropicCodec::encodeRequest(const ir::Request &, const RequestTarget &) const
{
    return {};
}

Result<ir::Response> AnthropicCodec::decodeResponse(std::string_view) const
{
    return Error::invalid(QStringLiteral("not implemented"));
}

std::string AnthropicCodec::encodeResponse(const ir::Response &) const
{
    return {};
}

std::unique_ptr<StreamDecoder> AnthropicCodec::newStreamDecoder() const
{
    return {};
}

std::unique_ptr<StreamEncoder> AnthropicCodec::newStreamEncoder(const StreamEncoderOptions &) const
{
    return {};
}

ir::ApiError AnthropicCodec::decodeError(int status, std::string_view) const
{
    return {status, ir::errorKindForStatus(status), {}, {}};
}

std::string AnthropicCodec::encodeError(const ir::ApiError &) const
{
    return {};
}

} // namespace tarn::gateway
