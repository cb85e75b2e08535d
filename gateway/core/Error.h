// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace tarn::gateway {

// What went wrong, independent of how it is shown. The HTTP layer maps a code to a status and to
// the client's error JSON in exactly one place (api/ErrorResponse).
enum class ErrorCode {
    InvalidArgument,   // bad user input (CLI flag, request field)
    NotFound,          // no such channel / key / model
    AlreadyExists,     // duplicate name
    Unauthenticated,   // missing or invalid client key
    PermissionDenied,  // key not allowed to use this model
    PayloadTooLarge,
    HeadersTooLarge,
    RequestTimeout,
    Overloaded,        // too many connections
    RateLimited,       // a client key is over one of its limits
    UpstreamError,     // upstream failed without a usable answer
    UpstreamTimeout,
    StorageError,      // SQLite failed
    SchemaTooNew,      // the database was written by a newer Tarn
    Io,                // file could not be read / written
    Internal,
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;

    static Error invalid(const QString &msg) { return {ErrorCode::InvalidArgument, msg}; }
    static Error notFound(const QString &msg) { return {ErrorCode::NotFound, msg}; }
    static Error storage(const QString &msg) { return {ErrorCode::StorageError, msg}; }
};

const char *errorCodeName(ErrorCode code);

} // namespace tarn::gateway
