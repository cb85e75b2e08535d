// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodec.h"

#include "gateway/formats/ResponsesCodecInternal.h"

// SKELETON: to be written (issue 10).
namespace tarn::gateway {

Result<ir::Request> ResponsesCodec::decodeRequest(std::string_view json) const
{
    Q_UNUSED(json);
    return Error::invalid(QStringLiteral("the Responses API is not served yet"));
}

std::string ResponsesCodec::encodeRequest(const ir::Request &request, const RequestTarget &target) const
{
    Q_UNUSED(request);
    Q_UNUSED(target);
    return {};
}

} // namespace tarn::gateway
