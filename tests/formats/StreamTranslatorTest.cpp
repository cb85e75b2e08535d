// SPDX-License-Identifier: GPL-3.0-or-later
// SseEvents and StreamTranslator: SSE framing with every line end and at every split, comments,
// multi-line data, the size cap, pass-through byte for byte, and what a translation observes and
// writes (model, usage, finish, errors, content) for every pair of formats.
#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/SseEvents.h"
#include "gateway/formats/StreamTranslator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

#include <algorithm>
#include <random>
#include <string>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

struct Event
{
    std::string name;
    std::string data;
    bool operator==(const Event &other) const { return name == other.name && data == other.data; }
};

void PrintTo(const Event &event, std::ostream *os)
{
    *os << "{" << event.name << "|" << event.data << "}";
}

// The events of `bytes` fed in the given pieces (cut offsets), then finished.
QList<Event> readEvents(QByteArrayView bytes, const QList<qsizetype> &cuts = {}, qsizetype max = 1 << 20,
                        bool *failed = nullptr)
{
    SseEvents events(max);
    QList<Event> out;
    qsizetype at = 0;
    QList<qsizetype> ends = cuts;
    ends.append(bytes.size());
    for (qsizetype end : ends) {
        events.feed(bytes.sliced(at, end - at));
        while (events.next())
            out.append({std::string(events.name()), std::string(events.data())});
        at = end;
    }
    if (events.finish())
        out.append({std::string(events.name()), std::string(events.data())});
    if (failed)
        *failed = events.failed();
    return out;
}

QList<Event> readEventsBytewise(QByteArrayView bytes)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < bytes.size(); ++i)
        cuts.append(i);
    return readEvents(bytes, cuts);
}

QByteArray withLineEnds(QByteArray lfText, const QByteArray &end)
{
    return lfText.replace("\n", end);
}

// A stream with a comment, a named event, a multi-line event and the terminator.
const QByteArray kMixedStream = ": keep-alive\n\n"
                                "event: ping\ndata: {\"type\":\"ping\"}\n\n"
                                "data: {\"a\":1,\n"
                                "data: \"b\":2}\n\n"
                                "id: 7\nretry: 100\ndata: [DONE]\n\n";

const QList<Event> kMixedEvents = {{"ping", "{\"type\":\"ping\"}"}, {"", "{\"a\":1,\n\"b\":2}"}, {"", "[DONE]"}};

} // namespace

#include "SseEventsTests.inc"

// ---- StreamTranslator: pass-through ----

namespace {

StreamTranslator::Options passThroughOptions(ApiFormat format)
{
    StreamTranslator::Options options;
    options.from = format;
    options.to = format;
    options.passThrough = true;
    return options;
}

struct Fed
{
    QByteArray out;
    bool failed = false;
};

Fed feedPieces(const StreamTranslator::Options &options, QByteArrayView input, const QList<qsizetype> &cuts)
{
    ir::setIdSeedForTests(1); // ids Tarn makes up are the same in every run
    StreamTranslator translator(options);
    Fed fed;
    qsizetype at = 0;
    QList<qsizetype> ends = cuts;
    ends.append(input.size());
    for (qsizetype end : ends) {
        fed.out += translator.feed(input.sliced(at, end - at));
        at = end;
    }
    fed.out += translator.finish();
    fed.failed = translator.failed();
    ir::setIdSeedForTests(0);
    if (options.passThrough)
        return fed;
    // OpenAI chunks carry the time: a second may pass between two runs.
    static constexpr QByteArrayView kCreated("\"created\":");
    for (qsizetype at = fed.out.indexOf(kCreated); at >= 0; at = fed.out.indexOf(kCreated, at + 1)) {
        qsizetype end = at + kCreated.size();
        while (end < fed.out.size() && fed.out[end] >= '0' && fed.out[end] <= '9')
            ++end;
        fed.out.replace(at + kCreated.size(), end - at - kCreated.size(), "0");
    }
    return fed;
}

Fed feedBytewise(const StreamTranslator::Options &options, QByteArrayView input)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < input.size(); ++i)
        cuts.append(i);
    return feedPieces(options, input, cuts);
}

} // namespace

TEST(StreamTranslatorPassThrough, ByteForByteWithEveryLineEndAtEverySplit)
{
    for (ApiFormat format : {ApiFormat::OpenAI, ApiFormat::Anthropic, ApiFormat::Gemini}) {
        for (const QByteArray &end : {QByteArray("\n"), QByteArray("\r\n"), QByteArray("\r")}) {
            // The stream ends without its last blank line, and with a stray comment.
            const QByteArray input = withLineEnds(kMixedStream, end) + ": bye" + end + "data: tail";
            for (qsizetype cut = 0; cut <= input.size(); ++cut)
                ASSERT_EQ(feedPieces(passThroughOptions(format), input, {cut}).out, input) << cut;
            ASSERT_EQ(feedBytewise(passThroughOptions(format), input).out, input);
        }
    }
}

TEST(StreamTranslatorPassThrough, EachFeedReturnsTheEventsItCompleted)
{
    StreamTranslator translator(passThroughOptions(ApiFormat::OpenAI));
    EXPECT_EQ(translator.feed(QByteArrayView(": ka\r\n\r\ndata: [DO")), QByteArray(": ka\r\n\r\n"));
    EXPECT_EQ(translator.feed(QByteArrayView("NE]\r\n")), QByteArray());
    // The blank line's CR ends the event: it goes out now, its LF when it comes.
    EXPECT_EQ(translator.feed(QByteArrayView("\r")), QByteArray("data: [DONE]\r\n\r"));
    EXPECT_EQ(translator.feed(QByteArrayView("\ndata: x\r\n\r\ndata: y")), QByteArray("\ndata: x\r\n\r\n"));
    EXPECT_EQ(translator.finish(), QByteArray("data: y"));
    EXPECT_EQ(translator.feed(QByteArrayView("data: late\n\n")), QByteArray()); // after finish
}

TEST(StreamTranslatorPassThrough, AnOversizeEventStopsTheStreamAfterWhatCameBefore)
{
    StreamTranslator::Options options = passThroughOptions(ApiFormat::Anthropic);
    options.maxEventBytes = 64;
    const QByteArray first = "event: ping\ndata: {\"type\":\"ping\"}\n\n";
    const QByteArray big = "event: content_block_delta\ndata: " + QByteArray(100, 'x') + "\n\n";
    for (qsizetype cut = 0; cut <= first.size() + big.size(); ++cut) {
        const Fed fed = feedPieces(options, QByteArray(first + big + first), {cut});
        EXPECT_TRUE(fed.failed);
        EXPECT_EQ(fed.out, first) << cut;
    }
}

TEST(StreamTranslatorPassThrough, FirstDataIsTheFirstEventWithDataCutAt64KiB)
{
    StreamTranslator comments(passThroughOptions(ApiFormat::OpenAI));
    (void)comments.feed(QByteArrayView(": keep-alive\n\n: again\n\n"));
    EXPECT_FALSE(comments.sawData());
    EXPECT_TRUE(comments.firstData().isNull());

    StreamTranslator empty(passThroughOptions(ApiFormat::OpenAI));
    (void)empty.feed(QByteArrayView("data:\n\n"));
    EXPECT_TRUE(empty.sawData());
    EXPECT_EQ(empty.firstData(), QByteArray(""));

    StreamTranslator big(passThroughOptions(ApiFormat::Gemini));
    const QByteArray payload(70 * 1024, 'a');
    (void)big.feed(QByteArray(": x\n\ndata: " + payload + "\n\ndata: second\n\n"));
    EXPECT_EQ(big.firstData(), payload.first(64 * 1024));
}

#include "StreamTranslationTests.inc"
