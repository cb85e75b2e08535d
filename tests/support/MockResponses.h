// SPDX-License-Identifier: GPL-3.0-or-later
// OpenAI Responses API wire shapes for the mock upstream: turns a request and a behaviour into a
// reply (the Response object, or its stream of typed events).
#pragma once

#include "tests/support/MockScript.h"

namespace tarn::test::detail {

// Fills a generated answer for POST …/responses. `seq` numbers requests (1-based) and makes ids
// deterministic. Errors use OpenAI's error body (openAiError), as the API does.
void responsesAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                     MockReply &reply);

} // namespace tarn::test::detail
