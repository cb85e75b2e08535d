// SPDX-License-Identifier: GPL-3.0-or-later
// redactSecrets: what providers echo back in their 401/403 bodies must not leave Tarn.
#include "gateway/core/Redaction.h"

#include <gtest/gtest.h>

using tarn::gateway::redactSecrets;

TEST(Redaction, RemovesTheChannelsOwnKeysWhateverTheirShape)
{
    const QString zhipu = QStringLiteral("0d4f1c2b3a4e5f60718293a4b5c6d7e8.AbCdEfGhIjKlMnOp");
    const QString out = redactSecrets(QStringLiteral("key %1 is invalid").arg(zhipu), {zhipu});
    EXPECT_EQ(out, QStringLiteral("key [redacted] is invalid"));
}

TEST(Redaction, RemovesKeyShapedTokens)
{
    struct Case { const char *in; const char *out; };
    const Case cases[] = {
        {"Incorrect API key provided: sk-proj-abc123def456.", "Incorrect API key provided: [redacted]."},
        {"masked sk-ant-api03-****************wxyz here", "masked [redacted] here"},
        {"{\"message\":\"invalid key sk-****abcd\"}", "{\"message\":\"invalid key [redacted]\"}"},
        {"API key not valid: AIzaSyA1234567890abcdefghijklmnop", "API key not valid: [redacted]"},
        {"got Authorization: Bearer eyJhbGciOi.payload.sig", "got Authorization: [redacted]"},
        {"GET https://x/v1beta/models?key=AIzaXYZ&alt=sse failed", "GET https://x/v1beta/models?key=[redacted]&alt=sse failed"},
        {"url?api_key=secretvalue", "url?api_key=[redacted]"},
    };
    for (const Case &c : cases)
        EXPECT_EQ(redactSecrets(QString::fromUtf8(c.in)), QString::fromUtf8(c.out)) << c.in;
}

TEST(Redaction, LeavesOrdinaryTextAlone)
{
    for (const char *text : {"rate limit exceeded, retry after 20s", "task-force risk-free desk-top",
                             "model gpt-4o-mini does not exist", "context length 128000 exceeded"}) {
        EXPECT_EQ(redactSecrets(QString::fromUtf8(text)), QString::fromUtf8(text));
    }
    const QByteArray bytes("plain \xff\xfe bytes");
    EXPECT_EQ(redactSecrets(bytes).constData(), bytes.constData()); // unchanged: the same buffer
}
