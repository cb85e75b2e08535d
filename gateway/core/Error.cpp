// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/Error.h"

namespace tarn::gateway {

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid_argument";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::AlreadyExists: return "already_exists";
    case ErrorCode::Unauthenticated: return "unauthenticated";
    case ErrorCode::PermissionDenied: return "permission_denied";
    case ErrorCode::PayloadTooLarge: return "payload_too_large";
    case ErrorCode::HeadersTooLarge: return "headers_too_large";
    case ErrorCode::RequestTimeout: return "request_timeout";
    case ErrorCode::Overloaded: return "overloaded";
    case ErrorCode::RateLimited: return "rate_limit_exceeded"; // OpenAI's own code
    case ErrorCode::UpstreamError: return "upstream_error";
    case ErrorCode::UpstreamTimeout: return "upstream_timeout";
    case ErrorCode::StorageError: return "storage_error";
    case ErrorCode::SchemaTooNew: return "schema_too_new";
    case ErrorCode::Io: return "io_error";
    case ErrorCode::Internal: return "internal";
    }
    return "internal";
}

} // namespace tarn::gateway
