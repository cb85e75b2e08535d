// SPDX-License-Identifier: GPL-3.0-or-later
// SseRelay: event framing with every SSE line end, split at every byte, usage, renaming, the cap.
#include "gateway/formats/SseRelay.h"

#include <QList>

#include <random>

#include <gtest/gtest.h>

using tarn::gateway::SseRelay;

namespace {

QByteArray chunkEvent(const QByteArray &content, const QByteArray &model = "up-model")
{
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
        + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"}}]}";
}

const QByteArray kUsage = "data: {\"id\":\"c\",\"model\":\"up-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,"
                          "\"completion_tokens\":5,\"total_tokens\":12}}";

// A stream whose events end in `end` (the blank line is `end` twice).
QByteArray stream(const QByteArray &end)
{
    return ": keep-alive" + end + end + chunkEvent("Hello") + end + end + chunkEvent(" there") + end + end
        + kUsage + end + end + "data: [DONE]" + end + end;
}

struct Fed
{
    QByteArray out;
    QList<QByteArray> pieces; // what each feed() returned
};

Fed feedSplit(SseRelay &relay, const QByteArray &input, const QList<qsizetype> &cuts)
{
    Fed fed;
    qsizetype at = 0;
    for (qsizetype cut : cuts) {
        fed.pieces.append(relay.feed(QByteArrayView(input).sliced(at, cut - at)));
        fed.out += fed.pieces.constLast();
        at = cut;
    }
    fed.pieces.append(relay.feed(QByteArrayView(input).sliced(at)));
    fed.out += fed.pieces.constLast();
    fed.out += relay.finish();
    return fed;
}

} // namespace

TEST(SseRelay, PassesEveryLineEndThroughByteForByteAtEverySplit)
{
    for (const QByteArray &end : {QByteArray("\n"), QByteArray("\r\n"), QByteArray("\r")}) {
        const QByteArray input = stream(end);
        for (qsizetype cut = 0; cut <= input.size(); ++cut) {
            SseRelay relay({});
            const Fed fed = feedSplit(relay, input, {cut});
            ASSERT_EQ(fed.out, input) << "line end " << end.toHex().constData() << " cut at " << cut;
            EXPECT_EQ(relay.usage().prompt, 7);
            EXPECT_EQ(relay.usage().completion, 5);
            EXPECT_TRUE(relay.sawDone());
        }
    }
}

TEST(SseRelay, ForwardsEachEventAsSoonAsItsBlankLineArrives)
{
    // Bare CR line ends used to be held until the stream ended.
    for (const QByteArray &end : {QByteArray("\n"), QByteArray("\r\n"), QByteArray("\r")}) {
        SseRelay relay({});
        const QByteArray first = chunkEvent("one") + end + end;
        EXPECT_EQ(relay.feed(first), first) << end.toHex().constData();
        EXPECT_TRUE(relay.feed(chunkEvent("two")).isEmpty());
        EXPECT_TRUE(relay.feed(end).isEmpty()); // one line end is not an event's end
        EXPECT_EQ(relay.feed(end), chunkEvent("two") + end + end);
    }
}

TEST(SseRelay, ACrLfSplitBetweenItsTwoBytesIsOneLineEnd)
{
    SseRelay relay({});
    QByteArray out = relay.feed(QByteArray(chunkEvent("a") + "\r\n\r")); // the event ends at this CR...
    EXPECT_EQ(out, chunkEvent("a") + "\r\n\r");
    out = relay.feed("\ndata: [DONE]\r\n\r\n"); // ...and this LF completes it, not a new blank line
    EXPECT_EQ(out, "\ndata: [DONE]\r\n\r\n");
    EXPECT_TRUE(relay.sawDone());
}

TEST(SseRelay, RandomSplitsOfAMixedStreamGiveTheSameEvents)
{
    const QByteArray input = stream("\n") + stream("\r\n") + stream("\r");
    std::mt19937 random(20261130);
    for (int round = 0; round < 300; ++round) {
        QList<qsizetype> cuts;
        for (qsizetype at = 0; at < input.size();) {
            at += 1 + qsizetype(random() % 40);
            if (at < input.size())
                cuts.append(at);
        }
        SseRelay relay({});
        ASSERT_EQ(feedSplit(relay, input, cuts).out, input) << "seed 20261130, round " << round;
    }
}

TEST(SseRelay, HidesTheInjectedUsageChunkAndRenamesTheModel)
{
    SseRelay::Options options;
    options.forwardUsageChunk = false;
    options.clientModel = QStringLiteral("alias");
    SseRelay relay(options);
    const QByteArray out = relay.feed(stream("\r\n")) + relay.finish();
    EXPECT_FALSE(out.contains("\"usage\""));
    EXPECT_FALSE(out.contains("up-model"));
    EXPECT_EQ(out.count("\"model\":\"alias\""), 2);
    EXPECT_EQ(relay.usage().completion, 5);
}

TEST(SseRelay, AnEventPastTheCapFailsTheRelayWhateverTheSplits)
{
    SseRelay::Options options;
    options.maxEventBytes = 4096;
    const QByteArray ok = chunkEvent("fine") + "\n\n";
    const QByteArray huge = "data: {\"x\":\"" + QByteArray(5000, 'z') + "\"}\n\n";
    const QByteArray input = ok + huge + ok;
    for (const qsizetype piece : {qsizetype(1), qsizetype(7), qsizetype(1000), input.size()}) {
        SseRelay relay(options);
        QByteArray out;
        for (qsizetype at = 0; at < input.size(); at += piece)
            out += relay.feed(QByteArrayView(input).sliced(at, qMin(piece, input.size() - at)));
        out += relay.finish();
        EXPECT_TRUE(relay.failed()) << "piece " << piece;
        EXPECT_EQ(out, ok) << "piece " << piece; // what came before the giant, nothing after
    }
    // An unterminated event is failed as soon as it passes the cap, not buffered on.
    SseRelay relay(options);
    relay.feed(QByteArray("data: " + QByteArray(4000, 'q')));
    EXPECT_FALSE(relay.failed());
    relay.feed(QByteArray(200, 'q'));
    EXPECT_TRUE(relay.failed());
    EXPECT_TRUE(relay.feed(QByteArray("\n\n" + ok)).isEmpty());
}

TEST(SseRelay, ByteAtATimeFeedingOfALargeEventIsLinear)
{
    // The partial event used to be rescanned from its start on every chunk: 512 KiB fed a byte at
    // a time took ~10^11 steps. Now each byte is looked at once (the suite's timeout guards it).
    SseRelay relay({});
    const QByteArray event = "data: {\"x\":\"" + QByteArray(512 * 1024, 'w') + "\"}\n\n";
    QByteArray out;
    for (qsizetype i = 0; i < event.size(); ++i)
        out += relay.feed(QByteArrayView(event).sliced(i, 1));
    EXPECT_EQ(out, event);
}
