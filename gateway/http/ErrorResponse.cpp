// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/ErrorResponse.h"

#include <QJsonDocument>
#include <QJsonObject>

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
    case ErrorCode::UpstreamError: return 502;
    case ErrorCode::UpstreamTimeout: return 504;
    case ErrorCode::StorageError:
    case ErrorCode::SchemaTooNew:
    case ErrorCode::Io:
    case ErrorCode::Internal: return 500;
    }
    return 500;
}

namespace {

// OpenAI's `error.type` vocabulary.
QString openAiType(int status)
{
    switch (status) {
    case 400: case 404: case 405: case 408: case 413: case 431:
        return QStringLiteral("invalid_request_error");
    case 401: return QStringLiteral("authentication_error");
    case 403: return QStringLiteral("permission_error");
    case 429: return QStringLiteral("rate_limit_error");
    case 503: return QStringLiteral("overloaded_error");
    default: return status >= 500 ? QStringLiteral("api_error") : QStringLiteral("invalid_request_error");
    }
}

// Anthropic's `error.type` vocabulary.
QString anthropicType(int status)
{
    switch (status) {
    case 401: return QStringLiteral("authentication_error");
    case 403: return QStringLiteral("permission_error");
    case 404: return QStringLiteral("not_found_error");
    case 413: return QStringLiteral("request_too_large");
    case 429: return QStringLiteral("rate_limit_error");
    case 503: case 529: return QStringLiteral("overloaded_error");
    default: return status >= 500 ? QStringLiteral("api_error") : QStringLiteral("invalid_request_error");
    }
}

} // namespace

QByteArray errorBody(ApiFormat format, int status, const QString &message, QByteArrayView code)
{
    QJsonObject error;
    if (format == ApiFormat::Anthropic) {
        error.insert(u"type", anthropicType(status));
        error.insert(u"message", message);
        return QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("error")},
                                         {QStringLiteral("error"), error}})
            .toJson(QJsonDocument::Compact);
    }
    error.insert(u"message", message);
    error.insert(u"type", openAiType(status));
    error.insert(u"param", QJsonValue::Null);
    error.insert(u"code", code.isEmpty() ? QJsonValue(QJsonValue::Null)
                                         : QJsonValue(QString::fromLatin1(code)));
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact);
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 400 ? "OK" : "Error";
    }
}

} // namespace tarn::gateway
