// SPDX-License-Identifier: GPL-3.0-or-later
// Pathological upstream streams: every SSE line ending streams through incrementally with its
// usage read, an event over the 1 MiB cap and a provider that goes silent mid-stream both end
// the client's stream with a well-formed error event and a usage row that says what happened.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

const bool kWatchdog = (installTestWatchdog(120'000), true);

// The request text of chatBody() is "Say hello in five words": 23 bytes, floor(23/4)+7 tokens.
constexpr int kChatPromptTokens = 12;

struct LineEnding
{
    const char *name;
    QByteArray separator;
};

void PrintTo(const LineEnding &ending, std::ostream *os)
{
    *os << ending.name;
}

std::string endingName(const ::testing::TestParamInfo<LineEnding> &info)
{
    return info.param.name;
}

// The decoded body of the (possibly still incomplete) response in `bytes`.
QByteArray bodySoFar(const QByteArray &bytes)
{
    QByteArray copy = bytes;
    const QList<RawResponse> responses = takeResponses(copy, true);
    return responses.isEmpty() ? QByteArray() : responses.first().body;
}

// The last SSE event is an OpenAI error object with a message.
void expectErrorEventLast(const QList<QByteArray> &events)
{
    ASSERT_FALSE(events.isEmpty());
    const QJsonDocument doc = QJsonDocument::fromJson(events.last());
    ASSERT_TRUE(doc.isObject()) << "the last event is not JSON: " << events.last().left(200).constData();
    const QJsonObject error = doc.object().value(u"error").toObject();
    EXPECT_FALSE(error.value(u"message").toString().isEmpty()) << events.last().left(300).constData();
}

} // namespace

class AdversarialUpstreamLineEndings : public ::testing::TestWithParam<LineEnding>
{
};

TEST_P(AdversarialUpstreamLineEndings, StreamIncrementallyWithUsageFromTheUsageChunk)
{
    MockUpstream mock;
    MockBehaviour b;
    b.eventSeparator = GetParam().separator;
    b.chunks = 4;
    b.chunkDelayMs = 300; // 8 events: the mock needs 2.1 s for the stream
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());

    RawClient client(tarn.port());
    ASSERT_TRUE(client.send(rawPost("/v1/chat/completions", chatBody(QStringLiteral("gpt-x"), true))));
    // The first event reaches the client while the mock still has events to send.
    ASSERT_TRUE(client.readUntil([](const QByteArray &all) { return !sseEvents(bodySoFar(all)).isEmpty(); }, 10'000))
        << "no complete event arrived; got: " << client.received().left(400).toStdString();
    EXPECT_EQ(mock.completedStreams(), 0) << "the first event arrived only after the upstream had finished";

    const QList<RawResponse> responses = client.readResponses(1, 15'000);
    ASSERT_EQ(responses.size(), 1);
    const RawResponse &r = responses.first();
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    const QList<QByteArray> events = sseEvents(r.body);
    ASSERT_FALSE(events.isEmpty());
    EXPECT_EQ(events.last(), QByteArray("[DONE]"));
    QString text;
    for (const QByteArray &data : events.first(events.size() - 1)) {
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        EXPECT_FALSE(chunk.isEmpty()) << "not a JSON event: " << data.left(200).constData();
        EXPECT_FALSE(chunk.value(u"choices").toArray().isEmpty())
            << "the usage chunk the client did not ask for leaked: " << data.constData();
        for (const QJsonValue &choice : chunk.value(u"choices").toArray())
            text += choice.toObject().value(u"delta").toObject().value(u"content").toString();
    }
    EXPECT_EQ(text, QStringLiteral("Hello from the mock"));

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].promptTokens, kChatPromptTokens);
    EXPECT_EQ(rows[0].completionTokens, 4);
}

INSTANTIATE_TEST_SUITE_P(Separators, AdversarialUpstreamLineEndings,
                         ::testing::Values(LineEnding{"LF", "\n\n"}, LineEnding{"CRLF", "\r\n\r\n"},
                                           LineEnding{"CR", "\r\r"}),
                         endingName);

TEST(AdversarialUpstream, EventOverTheCapEndsTheStreamWithAnErrorEvent)
{
    const QByteArray prefix = R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,)";
    const QByteArray giant = prefix + R"("delta":{"content":")" + QByteArray(1536 * 1024, 'g')
                             + R"("},"finish_reason":null}],"usage":null})" "\n\n";
    MockUpstream mock;
    MockBehaviour b;
    b.rawEvents = {
        prefix + R"("delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})" "\n\n",
        prefix + R"("delta":{"content":"Hello"},"finish_reason":null}],"usage":null})" "\n\n",
        giant,
        prefix + R"("delta":{},"finish_reason":"stop"}],"usage":null})" "\n\n",
        R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}})" "\n\n",
        "data: [DONE]\n\n",
    };
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());

    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x"), true, true), {}, 20'000);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete) << "no clean chunked terminator: " << r.error.toStdString();
    EXPECT_LT(r.body.size(), 1024 * 1024) << "the oversized event was passed on";
    EXPECT_TRUE(r.body.contains("\"content\":\"Hello\"")) << "the events before the giant one are lost";
    const QList<QByteArray> events = sseEvents(r.body);
    expectErrorEventLast(events);
    EXPECT_FALSE(events.contains(QByteArray("[DONE]")));

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 502);
    static const QRegularExpression size(QStringLiteral("1048576|1 ?MiB|1024 ?KiB"));
    EXPECT_TRUE(size.match(rows[0].error).hasMatch()) << "the error does not name the cap: " << rows[0].error.toStdString();
}

TEST(AdversarialUpstream, SilentUpstreamMidStreamEndsWithAnErrorEvent)
{
    tarn::gateway::UpstreamTimeouts timeouts;
    timeouts.idleMs = 800;
    MockUpstream mock;
    MockBehaviour b;
    b.chunks = 5;
    b.silenceAfterEvents = 3; // role + two words, then nothing for far longer than idleMs
    b.silenceMs = 8000;
    mock.setDefaultBehaviour(b);
    GatewayHarness tarn({}, timeouts);
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());

    HttpTestClient client;
    const HttpStreamResult r = client.stream("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x"), true), {}, 20'000);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete) << "no clean chunked terminator: " << r.error.toStdString();
    EXPECT_LT(r.elapsedMs, 6000) << "the stream ended when the upstream resumed, not at the idle timeout";
    EXPECT_TRUE(r.body.contains("\"content\":\"Hello\""));
    expectErrorEventLast(sseEvents(r.body));
    EXPECT_TRUE(waitUntil([&] { return mock.abortedStreams() == 1; }, 10'000))
        << "the silent provider's request was not aborted";

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_NE(rows[0].status, 200) << "a stream cut by the idle timeout recorded as a success: "
                                   << rows[0].error.toStdString();
    EXPECT_FALSE(rows[0].error.isEmpty());
}
