// SPDX-License-Identifier: GPL-3.0-or-later
// Routing, end to end, for streams: the head is held until the first event, so a stream that dies
// before it fails over; one that dies after it ends with an error event and a 502 row.
#include "tests/integration/RoutingTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace tarn::test;
using namespace tarn::test::routing;
using tarn::gateway::Channel;
using tarn::gateway::ChannelStatus;
using tarn::gateway::HealthState;
using tarn::gateway::KeyStatus;

// 4. A stream that answers 200 and dies before its first event is served by another channel; the
// client sees one clean stream.
TEST_F(Routing, StreamDyingBeforeItsFirstEventFailsOver)
{
    MockUpstream &dying = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    dying.setDefaultBehaviour([] { MockBehaviour b; b.streamEventsBeforeClose = 0; return b; }());
    slow.setDefaultBehaviour([] { MockBehaviour b; b.chunkDelayMs = 5; return b; }());
    add(QStringLiteral("dying"), dying, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    const HttpStreamResult r = client.stream("POST", chatUrl(), chatRequest(1, {.stream = true}), {}, kTimeoutMs);
    ASSERT_EQ(r.status, 200) << describe(r).toStdString();
    EXPECT_TRUE(r.complete);
    const QList<QByteArray> events = r.sseData();
    ASSERT_FALSE(events.isEmpty());
    EXPECT_EQ(events.last(), QByteArray("[DONE]"));
    EXPECT_EQ(events.count("[DONE]"), 1);
    QString text;
    int roles = 0;
    for (const QByteArray &e : events.first(events.size() - 1)) {
        const QJsonObject chunk = QJsonDocument::fromJson(e).object();
        EXPECT_FALSE(chunk.contains(u"error")) << e.toStdString();
        const QJsonObject delta = chunk.value(u"choices").toArray().at(0).toObject().value(u"delta").toObject();
        roles += delta.contains(u"role") ? 1 : 0;
        text += delta.value(u"content").toString();
    }
    EXPECT_EQ(roles, 1) << "exactly one stream reached the client";
    EXPECT_EQ(text, QStringLiteral("Hello from the mock upstream"));
    EXPECT_EQ(dying.requestCount(), 1);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 1);

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].attempts, 2);
    ASSERT_EQ(rows[0].attemptLog.size(), 2);
    EXPECT_EQ(rows[0].attemptLog[0].channelName, QStringLiteral("dying"));
    EXPECT_EQ(rows[0].attemptLog[0].status, 200) << "the upstream's head had arrived";
    EXPECT_FALSE(rows[0].attemptLog[0].error.isEmpty());
    EXPECT_TRUE(rows[0].attemptLog[1].error.isEmpty());
    EXPECT_TRUE(rows[0].error.isEmpty());
}

// 4b. An SSE comment (a keep-alive such as OpenRouter's ": OPENROUTER PROCESSING") is not an
// event: a stream that sends one and dies still fails over, and the client sees one clean stream.
TEST_F(Routing, StreamDyingAfterOnlyAKeepAliveCommentFailsOver)
{
    MockUpstream &dying = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    dying.setDefaultBehaviour([] {
        MockBehaviour b;
        b.rawEvents = {QByteArrayLiteral(": OPENROUTER PROCESSING\n\n"), QByteArrayLiteral("data: never sent\n\n")};
        b.streamEventsBeforeClose = 1;
        return b;
    }());
    slow.setDefaultBehaviour([] { MockBehaviour b; b.chunkDelayMs = 5; return b; }());
    add(QStringLiteral("dying"), dying, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    const HttpStreamResult r = client.stream("POST", chatUrl(), chatRequest(1, {.stream = true}), {}, kTimeoutMs);
    ASSERT_EQ(r.status, 200) << describe(r).toStdString();
    const QList<QByteArray> events = r.sseData();
    ASSERT_FALSE(events.isEmpty()) << r.body.toStdString();
    EXPECT_EQ(events.last(), QByteArray("[DONE]")) << r.body.toStdString();
    EXPECT_EQ(dying.requestCount(), 1);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 1) << "the comment-only stream was not failed over";
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].attempts, 2);
}

// 5. A stream that dies after its first event cannot move: the client gets a well-formed error
// event and the row says 502, never 200.
TEST_F(Routing, StreamDyingAfterItsFirstEventEndsWithAnErrorEvent)
{
    MockUpstream &breaking = mock();
    MockUpstream &fine = mock();
    MockUpstream &slow = mock();
    breaking.setDefaultBehaviour([] { MockBehaviour b; b.streamEventsBeforeClose = 2; return b; }());
    slow.setDefaultBehaviour([] { MockBehaviour b; b.chunkDelayMs = 5; return b; }());
    add(QStringLiteral("breaking"), breaking, 10);
    add(QStringLiteral("fine"), fine);
    add(QStringLiteral("slow"), slow);
    ASSERT_TRUE(tarn.start());

    const HttpStreamResult r = client.stream("POST", chatUrl(), chatRequest(1, {.stream = true}), {}, kTimeoutMs);
    ASSERT_EQ(r.status, 200) << describe(r).toStdString();
    EXPECT_TRUE(r.complete) << "the stream must end cleanly (last chunk), not be cut";
    const QList<QByteArray> events = r.sseData();
    ASSERT_GE(events.size(), 2);
    EXPECT_FALSE(events.contains("[DONE]")) << "an interrupted stream must not look complete";
    const QJsonObject first = QJsonDocument::fromJson(events.first()).object();
    EXPECT_EQ(first.value(u"object").toString(), QStringLiteral("chat.completion.chunk"));
    QJsonParseError parseError;
    const QJsonDocument last = QJsonDocument::fromJson(events.last(), &parseError);
    ASSERT_EQ(parseError.error, QJsonParseError::NoError) << events.last().toStdString();
    const QJsonObject error = last.object().value(u"error").toObject();
    EXPECT_FALSE(error.value(u"message").toString().isEmpty()) << events.last().toStdString();
    EXPECT_FALSE(error.value(u"type").toString().isEmpty()) << events.last().toStdString();
    EXPECT_EQ(breaking.requestCount(), 1);
    EXPECT_EQ(fine.requestCount() + slow.requestCount(), 0) << "a started stream must not be retried elsewhere";

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 502);
    EXPECT_FALSE(rows[0].error.isEmpty());
    EXPECT_EQ(rows[0].channelName, QStringLiteral("breaking"));
    ASSERT_EQ(rows[0].attemptLog.size(), 1);
    EXPECT_FALSE(rows[0].attemptLog[0].error.isEmpty());
}
