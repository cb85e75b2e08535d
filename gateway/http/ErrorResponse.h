// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Error.h"

#include <QByteArray>

namespace tarn::gateway {

// The wire format a client speaks; errors are answered in the client's own shape.
enum class ApiFormat { OpenAI, Anthropic };

// The one place that maps an ErrorCode to an HTTP status and a client error body.
int httpStatusFor(ErrorCode code);
QByteArray errorBody(ApiFormat format, int status, const QString &message, QByteArrayView code = {});
inline QByteArray errorBody(ApiFormat format, const Error &error)
{
    return errorBody(format, httpStatusFor(error.code), error.message, errorCodeName(error.code));
}
QByteArray reasonPhrase(int status);

} // namespace tarn::gateway
