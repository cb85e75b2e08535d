// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodec.h"

#include "gateway/formats/ResponsesCodecInternal.h"

// SKELETON: to be written (issue 10).
namespace tarn::gateway {

Result<ir::Response> ResponsesCodec::decodeResponse(std::string_view json) const
{
    Q_UNUSED(json);
    return Error{ErrorCode::UpstreamError, QStringLiteral("the Responses API is not read yet")};
}

std::string ResponsesCodec::encodeResponse(const ir::Response &response) const
{
    return encodeResponseFor(response, nullptr);
}

std::string ResponsesCodec::encodeResponseFor(const ir::Response &response, const ir::Request *request) const
{
    Q_UNUSED(response);
    Q_UNUSED(request);
    return {};
}

} // namespace tarn::gateway
