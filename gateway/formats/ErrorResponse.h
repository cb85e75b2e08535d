// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Error.h"
#include "gateway/formats/ApiFormat.h"
#include "gateway/formats/Conversation.h"

#include <QByteArray>

namespace tarn::gateway {

// The one place that maps an ErrorCode to an HTTP status, and an error to each client format's
// error body and vocabulary: OpenAI {"error":{"message","type","param","code"}}, Anthropic
// {"type":"error","error":{"type","message"}}, Gemini {"error":{"code","message","status"}}.
int httpStatusFor(ErrorCode code);
QByteArray errorBody(ApiFormat format, const ir::ApiError &error);
QByteArray errorBody(ApiFormat format, int status, const QString &message, QByteArrayView code = {});
inline QByteArray errorBody(ApiFormat format, const Error &error)
{
    return errorBody(format, httpStatusFor(error.code), error.message, errorCodeName(error.code));
}

// Each format's word for an error kind: OpenAI/Anthropic `error.type`, Gemini `error.status`.
const char *openAiErrorType(ir::ErrorKind kind);
const char *anthropicErrorType(ir::ErrorKind kind);
const char *geminiErrorStatus(ir::ErrorKind kind);

} // namespace tarn::gateway
