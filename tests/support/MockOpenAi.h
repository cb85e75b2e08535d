// SPDX-License-Identifier: GPL-3.0-or-later
// OpenAI wire shapes for the mock upstream: turns a request and a behaviour into a reply.
#pragma once

#include "tests/support/MockScript.h"

namespace tarn::test::detail {

// Fills a generated answer for an OpenAI path (chat, legacy completions, embeddings, models; 404
// otherwise). `seq` numbers requests (1-based) and makes ids deterministic.
void openAiAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                  MockReply &reply);

// OpenAI error body {"error":{"message","type","param":null,"code"}} for a status.
QByteArray openAiError(int status);

} // namespace tarn::test::detail
