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

// ---- StreamTranslator: the upstream's keep-alives reach the client in its own format ----

namespace {

QByteArray openAiChunk(const QByteArray &delta, const QByteArray &finish = "null")
{
    return R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":)"
        + delta + R"(,"finish_reason":)" + finish + "}]}\n\n";
}

// A reasoning model thinking quietly: the provider sends comments between the role chunk and
// the answer (DeepSeek's ": keep-alive", OpenRouter's ": OPENROUTER PROCESSING").
const QByteArray kQuietOpenAiStream = ": before anything\n\n" + openAiChunk(R"({"role":"assistant","content":""})")
    + ": keep-alive\n\n" + ": OPENROUTER PROCESSING\r\n\r\n" + openAiChunk(R"({"content":"Hi"})")
    + openAiChunk("{}", R"("stop")") + "data: [DONE]\n\n";

} // namespace

TEST(StreamTranslatorKeepAlive, CommentsBecomeAnthropicPingsInTheirPlace)
{
    const Fed fed = feedPieces(translation(ApiFormat::OpenAI, ApiFormat::Anthropic), kQuietOpenAiStream, {});
    const QList<Event> events = readEvents(fed.out);
    QStringList names;
    for (const Event &event : events)
        names.append(QString::fromStdString(event.name));
    // The encoder's own ping after message_start, then one per upstream comment after the role
    // chunk; the comment before anything had no stream to keep alive yet.
    EXPECT_EQ(names.join(u' '), u"message_start ping ping ping content_block_start content_block_delta "
                                u"content_block_stop message_delta message_stop");
    for (const Event &event : events) {
        if (event.name == "ping") {
            EXPECT_EQ(event.data, R"({"type":"ping"})");
        }
    }
}

TEST(StreamTranslatorKeepAlive, TheSameWhateverTheSplit)
{
    for (const ApiFormat to : {ApiFormat::Anthropic, ApiFormat::Gemini}) {
        const StreamTranslator::Options options = translation(ApiFormat::OpenAI, to);
        const Fed whole = feedPieces(options, kQuietOpenAiStream, {});
        EXPECT_EQ(feedBytewise(options, kQuietOpenAiStream).out, whole.out) << apiFormatName(to);
    }
}

TEST(StreamTranslatorKeepAlive, CommentsReachGeminiClientsAsComments)
{
    // Google's SDK reads only `data:` lines; a comment keeps the connection busy and is skipped.
    const Fed fed = feedPieces(translation(ApiFormat::OpenAI, ApiFormat::Gemini), kQuietOpenAiStream, {});
    EXPECT_EQ(fed.out.count(": keep-alive\n\n"), 3) << fed.out.toStdString();
    EXPECT_EQ(readEvents(fed.out).size(), 2) << "the text and the finish, as before";
}

TEST(StreamTranslatorKeepAlive, AnthropicPingsReachOpenAiClientsAsComments)
{
    const QByteArray upstream =
        "event: message_start\n"
        R"(data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}})"
        "\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n"
        "event: content_block_start\n"
        R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
        "\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n"
        "event: content_block_delta\n"
        R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"
        "\n\n: a comment too\n\n"
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        "event: message_delta\n"
        R"(data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}})"
        "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    const StreamTranslator::Options options = translation(ApiFormat::Anthropic, ApiFormat::OpenAI);
    const Fed fed = feedPieces(options, upstream, {});
    EXPECT_EQ(fed.out.count(": keep-alive\n\n"), 3) << fed.out.toStdString();
    EXPECT_LT(fed.out.lastIndexOf(": keep-alive"), fed.out.indexOf("\"finish_reason\":\"stop\""));
    EXPECT_TRUE(fed.out.endsWith("data: [DONE]\n\n"));
    EXPECT_EQ(feedBytewise(options, upstream).out, fed.out);
}

TEST(StreamTranslatorKeepAlive, NothingAfterTheClientsStreamEnded)
{
    // An error event ends the client's stream: later comments add nothing.
    const QByteArray upstream = openAiChunk(R"({"role":"assistant","content":""})")
        + R"(data: {"error":{"message":"overloaded","type":"server_error","code":null}})" "\n\n"
        + ": keep-alive\n\n: keep-alive\n\n";
    const Fed fed = feedPieces(translation(ApiFormat::OpenAI, ApiFormat::Anthropic), upstream, {});
    EXPECT_TRUE(fed.out.trimmed().endsWith("}")) << fed.out.toStdString();
    EXPECT_EQ(readEvents(fed.out).last().name, "error");
}

TEST(StreamTranslatorKeepAlive, PassThroughKeepsTheCommentsOwnBytes)
{
    const Fed fed = feedPieces(passThroughOptions(ApiFormat::OpenAI), kQuietOpenAiStream, {});
    EXPECT_EQ(fed.out, kQuietOpenAiStream);
}
