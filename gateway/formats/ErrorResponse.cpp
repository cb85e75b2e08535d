// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ErrorResponse.h"

#include "gateway/formats/JsonWriter.h"

namespace tarn::gateway {

int httpStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument: return 400;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::AlreadyExists: return 409;
    case ErrorCode::Unauthenticated: return 401;
    case ErrorCode::PermissionDenied: return 403;
    case ErrorCode::PayloadTooLarge: return 413;
    case ErrorCode::HeadersTooLarge: return 431;
    case ErrorCode::RequestTimeout: return 408;
    case ErrorCode::Overloaded: return 503;
    case ErrorCode::RateLimited: return 429;
    case ErrorCode::UpstreamError: return 502;
    case ErrorCode::UpstreamTimeout: return 504;
    case ErrorCode::StorageError:
    case ErrorCode::SchemaTooNew:
    case ErrorCode::Io:
    case ErrorCode::Internal: return 500;
    }
    return 500;
}

const char *openAiErrorType(ir::ErrorKind kind)
{
    using ir::ErrorKind;
    switch (kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::NotFound:
    case ErrorKind::RequestTooLarge: return "invalid_request_error";
    case ErrorKind::Authentication: return "authentication_error";
    case ErrorKind::Permission: return "permission_error";
    case ErrorKind::RateLimit: return "rate_limit_error";
    case ErrorKind::Overloaded: return "overloaded_error";
    case ErrorKind::Timeout:
    case ErrorKind::Server: return "api_error";
    }
    return "api_error";
}

const char *anthropicErrorType(ir::ErrorKind kind)
{
    using ir::ErrorKind;
    switch (kind) {
    case ErrorKind::InvalidRequest: return "invalid_request_error";
    case ErrorKind::Authentication: return "authentication_error";
    case ErrorKind::Permission: return "permission_error";
    case ErrorKind::NotFound: return "not_found_error";
    case ErrorKind::RequestTooLarge: return "request_too_large";
    case ErrorKind::RateLimit: return "rate_limit_error";
    case ErrorKind::Overloaded: return "overloaded_error";
    case ErrorKind::Timeout:
    case ErrorKind::Server: return "api_error";
    }
    return "api_error";
}

const char *geminiErrorStatus(ir::ErrorKind kind)
{
    using ir::ErrorKind;
    switch (kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::RequestTooLarge: return "INVALID_ARGUMENT";
    case ErrorKind::Authentication: return "UNAUTHENTICATED";
    case ErrorKind::Permission: return "PERMISSION_DENIED";
    case ErrorKind::NotFound: return "NOT_FOUND";
    case ErrorKind::RateLimit: return "RESOURCE_EXHAUSTED";
    case ErrorKind::Overloaded: return "UNAVAILABLE";
    case ErrorKind::Timeout: return "DEADLINE_EXCEEDED";
    case ErrorKind::Server: return "INTERNAL";
    }
    return "INTERNAL";
}

QByteArray errorBody(ApiFormat format, const ir::ApiError &error)
{
    std::string out;
    out.reserve(error.message.size() + 128);
    JsonWriter json(out);
    switch (format) {
    case ApiFormat::Anthropic:
        json.beginObject().member("type", "error").key("error").beginObject()
            .member("type", anthropicErrorType(error.kind)).member("message", error.message).endObject().endObject();
        break;
    case ApiFormat::Gemini:
        json.beginObject().key("error").beginObject().member("code", error.status).member("message", error.message)
            .member("status", geminiErrorStatus(error.kind)).endObject().endObject();
        break;
    case ApiFormat::OpenAI:
    case ApiFormat::Responses:
        json.beginObject().key("error").beginObject().member("message", error.message)
            .member("type", openAiErrorType(error.kind)).key("param").null().key("code");
        if (error.code.empty())
            json.null();
        else
            json.string(error.code);
        json.endObject().endObject();
        break;
    }
    return QByteArray(out.data(), qsizetype(out.size()));
}

QByteArray errorBody(ApiFormat format, int status, const QString &message, QByteArrayView code)
{
    ir::ApiError error;
    error.status = status;
    error.kind = ir::errorKindForStatus(status);
    error.message = message.toStdString();
    error.code = std::string(code.data(), std::size_t(code.size()));
    return errorBody(format, error);
}

} // namespace tarn::gateway
