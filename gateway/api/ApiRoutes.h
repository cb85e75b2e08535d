// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/ApiFormat.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace tarn::gateway {

struct HttpRequest;

// How ApiHandler reads a request's path: which endpoint it names, and the client format it
// speaks (errors and model lists are answered in that format).

// A Gemini call: POST /v1beta/models/{model}:{method} (also /v1/models/…).
struct GeminiTarget
{
    QString model;
    QByteArray method; // generateContent, streamGenerateContent, countTokens, …
    bool valid = false;
};
GeminiTarget geminiTarget(QByteArrayView path);
// The Gemini calls that reach a channel (and get a usage row).
bool isGeminiProxied(const GeminiTarget &target);
// GET /v1/models, /v1beta/models: the list; …/models/{model} (no method): one model.
bool isModelList(QByteArrayView path);
// The model a GET …/models/{model} names ("" when the path names none): Gemini clients may
// give it as models/{model}, percent-encoded.
QString modelOfPath(QByteArrayView path);
// The shape a model list is answered in: Anthropic's for its SDKs (they send anthropic-version),
// Gemini's on Google's /v1beta path or for a client that authenticates the Google way (Google's
// own /v1 is Gemini's too), OpenAI's otherwise.
ApiFormat modelListFormat(const HttpRequest &request);
// The format a client of this path speaks, for errors (answers follow the endpoint).
ApiFormat clientFormatOf(QByteArrayView path);
// The paths whose requests go to a channel.
bool isProxiedEndpoint(QByteArrayView path);

} // namespace tarn::gateway
