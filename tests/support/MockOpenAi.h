// SPDX-License-Identifier: GPL-3.0-or-later
// OpenAI wire shapes for the mock upstream: turns a request and a behaviour into a reply.
#pragma once

#include "tests/support/MockUpstream.h"

namespace tarn::test::detail {

struct MockReply
{
    int status = 200;
    MockHeaders headers;       // includes Content-Type
    QByteArray body;           // non-stream body
    QList<QByteArray> events;  // stream pieces ("data: …\n\n"), written one per chunk
    bool stream = false;
};

// True when the request asks for a streamed answer ("stream": true in its JSON body).
bool wantsStream(const MockRequest &request);

// `seq` numbers requests (1-based) and makes ids deterministic.
MockReply buildOpenAiReply(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq);

// OpenAI error body {"error":{"message","type","param":null,"code"}} for a status.
QByteArray openAiError(int status);

} // namespace tarn::test::detail
