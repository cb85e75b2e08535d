// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/ApiRoutes.h"

#include "gateway/http/HttpRequest.h"

#include <QUrlQuery>

#include <optional>

// Which endpoint a path names and which client format it speaks (see ApiRoutes.h).
namespace tarn::gateway {

namespace {

// What follows /v1beta/models/ or /v1/models/ in a path; nullopt when neither starts it.
std::optional<QByteArrayView> afterModels(QByteArrayView path)
{
    for (const QByteArrayView prefix : {QByteArrayView("/v1beta/models/"), QByteArrayView("/v1/models/")}) {
        if (path.startsWith(prefix))
            return path.sliced(prefix.size());
    }
    return std::nullopt;
}

} // namespace

GeminiTarget geminiTarget(QByteArrayView path)
{
    const std::optional<QByteArrayView> rest = afterModels(path);
    if (!rest)
        return {};
    const qsizetype colon = rest->lastIndexOf(':');
    if (colon <= 0)
        return {};
    return {QString::fromUtf8(QByteArray::fromPercentEncoding(rest->first(colon).toByteArray())),
            rest->sliced(colon + 1).toByteArray(), true};
}

// The Gemini calls that reach a channel (and get a usage row).
bool isGeminiProxied(const GeminiTarget &target)
{
    return target.valid
        && (target.method == "generateContent" || target.method == "streamGenerateContent"
            || target.method == "embedContent" || target.method == "batchEmbedContents");
}

// GET /v1/models, /v1beta/models: the list; …/models/{model} (no method): one model.
bool isModelList(QByteArrayView path)
{
    return path == "/v1/models" || path == "/v1beta/models";
}

// The model a GET …/models/{model} names ("" when the path names none): Gemini clients may
// give it as models/{model}, percent-encoded.
QString modelOfPath(QByteArrayView path)
{
    const std::optional<QByteArrayView> rest = afterModels(path);
    if (!rest || rest->contains(':'))
        return {};
    QString model = QString::fromUtf8(QByteArray::fromPercentEncoding(rest->toByteArray()));
    if (model.startsWith(u"models/"))
        model.remove(0, 7);
    return model;
}

// The shape a model list is answered in: Anthropic's for its SDKs (they send anthropic-version),
// Gemini's on Google's /v1beta path or for a client that authenticates the Google way (Google's
// own /v1 is Gemini's too), OpenAI's otherwise.
ApiFormat modelListFormat(const HttpRequest &request)
{
    if (!request.header("anthropic-version").isEmpty())
        return ApiFormat::Anthropic;
    if (request.path().startsWith("/v1beta/") || !request.header("x-goog-api-key").isEmpty())
        return ApiFormat::Gemini;
    const qsizetype query = request.target.indexOf('?');
    if (query >= 0 && request.header("authorization").isEmpty()
        && QUrlQuery(QString::fromUtf8(request.target.sliced(query + 1))).hasQueryItem(QStringLiteral("key")))
        return ApiFormat::Gemini;
    return ApiFormat::OpenAI;
}

// The format a client of this path speaks, for errors (answers follow the endpoint).
ApiFormat clientFormatOf(QByteArrayView path)
{
    if (path.startsWith("/v1/messages"))
        return ApiFormat::Anthropic;
    if (path.startsWith("/v1/responses"))
        return ApiFormat::Responses;
    if (path.startsWith("/v1beta/") || geminiTarget(path).valid)
        return ApiFormat::Gemini;
    return ApiFormat::OpenAI;
}

bool isProxiedEndpoint(QByteArrayView path)
{
    return path == "/v1/chat/completions" || path == "/v1/completions" || path == "/v1/embeddings"
        || path == "/v1/messages" || path == "/v1/responses" || isGeminiProxied(geminiTarget(path));
}

} // namespace tarn::gateway
