// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/upstream/UpstreamRequest.h"

namespace tarn::gateway {

const char *upstreamFailureName(UpstreamFailure failure)
{
    switch (failure) {
    case UpstreamFailure::None: return "none";
    case UpstreamFailure::Connect: return "connect";
    case UpstreamFailure::FirstByteTimeout: return "first-byte-timeout";
    case UpstreamFailure::IdleTimeout: return "idle-timeout";
    case UpstreamFailure::Protocol: return "protocol";
    case UpstreamFailure::Aborted: return "aborted";
    case UpstreamFailure::Other: return "other";
    }
    return "unknown";
}

} // namespace tarn::gateway
