// SPDX-License-Identifier: GPL-3.0-or-later
// Gemini generateContent wire shapes for the mock upstream: generateContent, streamGenerateContent
// (SSE or JSON array), countTokens, errors, and the API key check the real API makes.
#pragma once

#include "tests/support/MockScript.h"

namespace tarn::test::detail {

// True (and `reply` holds the error) when the real API would refuse the request: no
// x-goog-api-key header nor ?key= (403 PERMISSION_DENIED), or (strictRequests) no contents.
bool geminiRejects(const MockRequest &request, const MockBehaviour &behaviour, MockReply &reply);

// Fills a generated answer for /v1beta/models/{model}:generateContent, :streamGenerateContent
// and :countTokens (404 otherwise).
void geminiAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                  MockReply &reply);

// {"error":{"code":status,"message","status":<RESOURCE_EXHAUSTED, …>}}.
QByteArray geminiError(int status, const QString &message = {});

} // namespace tarn::test::detail
