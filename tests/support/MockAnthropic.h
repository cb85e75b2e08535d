// SPDX-License-Identifier: GPL-3.0-or-later
// Anthropic Messages wire shapes for the mock upstream: messages (plain and streamed), token
// counting, errors, and the request checks the real API makes.
#pragma once

#include "tests/support/MockScript.h"

namespace tarn::test::detail {

// True (and `reply` holds the error) when the real API would refuse the request: no x-api-key,
// no anthropic-version, or (strictRequests) a messages body without model, max_tokens or messages.
bool anthropicRejects(const MockRequest &request, const MockBehaviour &behaviour, MockReply &reply);

// Fills a generated answer for /v1/messages or /v1/messages/count_tokens (404 otherwise).
void anthropicAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                     MockReply &reply);

// {"type":"error","error":{"type":<for the status>,"message"},"request_id"}.
QByteArray anthropicError(int status, const QString &message = {});

} // namespace tarn::test::detail
