// SPDX-License-Identifier: GPL-3.0-or-later
// Upstreams that misbehave in their own format, translated for clients of the others: events out
// of order or after the end, garbage and empty deltas, oversized and error events, usage that
// overflows or goes negative, answers that are not their format's shape. The client must get a
// well-formed stream or answer in its own format (ending properly, or with its format's error),
// and the usage row must be right: 200 with tokens, or 502.
#include "tests/integration/AdversarialTranslationSupport.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

#include <gtest/gtest.h>

using namespace tarn::test;
using tarn::gateway::UsageRecord;

namespace {

const bool kWatchdog = (installTestWatchdog(150'000), true);

const QStringList kHello{s("Hello"), s(" from"), s(" the"), s(" mock"), s(" upstream")};

QList<QByteArray> inserted(QList<QByteArray> events, qsizetype at, const QList<QByteArray> &extra)
{
    for (qsizetype i = 0; i < extra.size(); ++i)
        events.insert(at + i, extra.at(i));
    return events;
}

// The client got the whole answer in a clean stream, and the row says 200 with the tokens.
void expectClean(QStringList &failures, const QString &name, const RawResponse &r, const UsageRecord &row, Wire client,
                 const QString &text = s("Hello from the mock upstream"))
{
    const Digest d = digestStream(client, r.body);
    if (r.status != 200 || !r.complete || !d.problems.isEmpty() || !d.finished || d.text != text)
        failures << name + QStringLiteral(": HTTP %1%2 ").arg(r.status).arg(r.complete ? s("") : s(" incomplete")) + d.summary();
    if (row.status != 200 || row.promptTokens != 11 || row.completionTokens != 5)
        failures << name + QStringLiteral(": row %1 p=%2 c=%3 %4").arg(row.status).arg(row.promptTokens).arg(row.completionTokens).arg(row.error);
}

// The client's stream ended with its format's error event after what came before; the row says 502.
void expectErrorEnd(QStringList &failures, const QString &name, const RawResponse &r, const UsageRecord &row, Wire client,
                    const QString &textBefore)
{
    const Digest d = digestStream(client, r.body);
    if (r.status != 200 || !r.complete || !d.problems.isEmpty() || !d.errored || d.finished || d.text != textBefore)
        failures << name + QStringLiteral(": HTTP %1%2 ").arg(r.status).arg(r.complete ? s("") : s(" incomplete")) + d.summary();
    if (row.status != 502)
        failures << name + QStringLiteral(": row status %1 (%2)").arg(row.status).arg(row.error);
}

const QByteArray kAnthropicDelta = R"({"type":"content_block_delta","index":INDEX,"delta":{"type":"text_delta","text":"TEXT"}})";

QByteArray anthropicDelta(int index, const char *text)
{
    QByteArray json = kAnthropicDelta;
    return anthropicEvent("content_block_delta", json.replace("INDEX", QByteArray::number(index)).replace("TEXT", text));
}

} // namespace

// An Anthropic upstream breaking its event order: a delta before its block, two message_starts,
// a block started twice, deltas of the wrong kind, server-tool blocks, events after message_stop.
TEST(AdversarialTranslationUpstream, AnthropicEventsOutOfOrder)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QList<QByteArray> base = anthropicTextStream(kHello);
    // base: 0 message_start, 1 block_start, 2..6 deltas, 7 block_stop, 8 message_delta, 9 message_stop
    const QList<std::pair<const char *, QList<QByteArray>>> cases{
        {"delta before its block", inserted(base, 1, {anthropicDelta(0, "LOST")})},
        {"two message_starts", inserted(base, 3, {anthropicEvent("message_start",
            R"({"type":"message_start","message":{"id":"msg_other","type":"message","role":"assistant","model":"x","content":[],"usage":{"input_tokens":999,"output_tokens":1}}})")})},
        {"block started twice and wrong deltas", inserted(base, 3, {
            anthropicEvent("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
            anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"WRONG"}})"),
            anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"x\":"}})"),
            anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":5})")})},
        {"server tool block beside the text", inserted(base, 1, {
            anthropicEvent("content_block_start", R"({"type":"content_block_start","index":9,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}})"),
            anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":9,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}})"),
            anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":9})")})},
        {"events after message_stop", base + QList<QByteArray>{
            anthropicEvent("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"),
            anthropicDelta(1, "AFTER"), anthropicEvent("message_stop", R"({"type":"message_stop"})")}},
        {"garbage between events", inserted(base, 4, {"data: not json\n\n", ": keep-alive\n\n", "event: ping\ndata: {\"type\":\"ping\"}\n\n",
            QByteArray("data: \x00\xff\xfe\n\n", 12), "data: [DONE]\n\n", "data: {\"type\":\"content_block_delta\"}\n\n",
            anthropicDelta(7, "GHOST"), "retry: 10\nid: 5\n\n", "data: {\"type\":\"message_delta\",\"delta\":\"x\",\"usage\":7}\n\n"})},
    };
    QStringList failures;
    for (const auto &[name, events] : cases) {
        for (const Wire client : {Wire::OpenAI, Wire::Gemini}) {
            const auto [r, row] = rig.stream(Wire::Anthropic, client, events);
            expectClean(failures, where(name, Wire::Anthropic, client), r, row, client);
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// Empty deltas and empty parts from any upstream never reach a client as empty deltas.
TEST(AdversarialTranslationUpstream, EmptyDeltasAreNeverPassedOn)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QByteArray head = R"({"id":"chatcmpl-up1","object":"chat.completion.chunk","created":1,"model":"openai-up","choices":[{"index":0,"delta":)";
    const QList<std::pair<Wire, QList<QByteArray>>> streams{
        {Wire::OpenAI, inserted(openAiTextStream(kHello), 2, {
            openAiChunk(head + R"({"content":""},"finish_reason":null}]})"),
            openAiChunk(head + R"({"reasoning_content":"","content":""},"finish_reason":null}]})"),
            openAiChunk(head + R"({"content":null,"tool_calls":[]},"finish_reason":null}]})"),
            openAiChunk(R"({"id":"chatcmpl-up1","object":"chat.completion.chunk","created":1,"model":"openai-up","choices":[]})")})},
        {Wire::Anthropic, inserted(anthropicTextStream(kHello), 3, {anthropicDelta(0, ""),
            anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}})")})},
        {Wire::Gemini, inserted(geminiTextStream(kHello), 2, {
            geminiChunk(R"({"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"index":0}]})"),
            geminiChunk(R"({"candidates":[{"content":{"parts":[],"role":"model"},"index":0}]})"),
            geminiChunk(R"({"candidates":[]})"), geminiChunk(R"({"candidates":[{"content":{"role":"model"},"index":0}]})")})},
    };
    QStringList failures;
    for (const auto &[channel, events] : streams) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            const auto [r, row] = rig.stream(channel, client, events);
            expectClean(failures, where("empty deltas", channel, client), r, row, client);
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// An upstream that ends without its terminator after saying it finished (OpenAI: no [DONE]) has
// still answered; one that stops before finishing gets the client's error event and a 502.
TEST(AdversarialTranslationUpstream, StreamsThatEndWithoutTheirTerminator)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    QStringList failures;
    for (const Wire client : {Wire::Anthropic, Wire::Gemini}) {
        const auto [r, row] = rig.stream(Wire::OpenAI, client, openAiTextStream(kHello).mid(0, 8)); // no [DONE]
        expectClean(failures, where("finish without [DONE]", Wire::OpenAI, client), r, row, client);
    }
    for (const Wire channel : kWires) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            const QList<QByteArray> events = upstreamTextStream(channel, kHello);
            const qsizetype keep = channel == Wire::Anthropic ? 4 : channel == Wire::OpenAI ? 3 : 2;
            const auto [r, row] = rig.stream(channel, client, events.mid(0, keep));
            expectErrorEnd(failures, where("cut before its finish", channel, client), r, row, client, s("Hello from"));
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

namespace {

QList<QByteArray> streamWithErrorAfterTwoWords(Wire channel, const QByteArray &message)
{
    const QList<QByteArray> events = upstreamTextStream(channel, kHello);
    switch (channel) {
    case Wire::OpenAI:
        return events.mid(0, 3) << openAiChunk(R"({"error":{"message":")" + message + R"(","type":"server_error","code":"server_error"}})");
    case Wire::Anthropic:
        return events.mid(0, 4) << anthropicEvent("error", R"({"type":"error","error":{"type":"overloaded_error","message":")" + message + R"("}})");
    case Wire::Gemini:
        return events.mid(0, 2) << geminiChunk(R"({"error":{"code":503,"message":")" + message + R"(","status":"UNAVAILABLE"}})");
    }
    return {};
}

} // namespace

// An error event in the middle of a stream: the client's stream ends with its own format's error
// event after the words that came before it, and the row says 502.
TEST(AdversarialTranslationUpstream, ErrorEventMidStreamEndsTheClientsStream)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    QStringList failures;
    for (const Wire channel : kWires) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            const auto [r, row] = rig.stream(channel, client, streamWithErrorAfterTwoWords(channel, "the model fell over"));
            expectErrorEnd(failures, where("error mid-stream", channel, client), r, row, client, s("Hello from"));
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// An upstream error event quoting the channel key reaches every client redacted.
TEST(AdversarialTranslationUpstream, AProviderKeyInAMidStreamErrorReachesTheClientRedacted)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    QStringList failures;
    const QByteArray message = QByteArray("Incorrect API key provided: ") + kChannelSecret;
    for (const Wire channel : kWires) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            const auto [r, row] = rig.stream(channel, client, streamWithErrorAfterTwoWords(channel, message));
            if (r.body.contains(kChannelSecret))
                failures << where("key in the client's stream", channel, client) + s(": ") + QString::fromUtf8(r.body.right(200));
            if (row.error.contains(QString::fromLatin1(kChannelSecret)))
                failures << where("key in the usage row", channel, client);
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// Once the client has its error event, the stream ends and the upstream call is cancelled.
TEST(AdversarialTranslationUpstream, AStreamEndsAtTheClientsErrorEventEvenIfTheUpstreamStalls)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    MockBehaviour behaviour;
    behaviour.rawEvents = streamWithErrorAfterTwoWords(Wire::OpenAI, "the model fell over") << openAiChunk("[DONE]");
    behaviour.silenceAfterEvents = 4;
    behaviour.silenceMs = 40'000;
    rig.mock.setDefaultBehaviour(behaviour);
    RawClient client(rig.tarn.port());
    ASSERT_TRUE(client.send(rawRequest(clientCall(Wire::Anthropic, rig.fresh(Wire::OpenAI), true))));
    QElapsedTimer timer;
    timer.start();
    const bool ended = client.readUntil([](const QByteArray &all) { return all.endsWith("\r\n0\r\n\r\n"); }, 20'000);
    EXPECT_TRUE(ended) << "the client's stream was still open after " << timer.elapsed() << " ms, though it already had "
                       << (client.received().contains("event: error") ? "its error event" : "no error event") << ": …"
                       << client.received().right(160).constData();
    EXPECT_TRUE(client.received().contains("event: error"));
}

// An event larger than the limit: before anything reached the client it is a failed attempt (a
// 502 in the client's shape); mid-stream it ends the client's stream with its error event.
TEST(AdversarialTranslationUpstream, OversizedEvents)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    QStringList failures;
    const QString huge(2 * 1024 * 1024, u'x');
    for (const Wire channel : kWires) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            QList<QByteArray> events = upstreamTextStream(channel, {s("Hello"), s(" from"), huge, s(" the"), s(" end")});
            // The huge word's event: OpenAI after the role chunk and two words, Anthropic after the
            // start, block start and two words, Gemini after two chunks.
            const auto [r, row] = rig.stream(channel, client, events);
            expectErrorEnd(failures, where("2 MB event mid-stream", channel, client), r, row, client, s("Hello from"));

            const QList<QByteArray> first = QList<QByteArray>{"data: {\"pad\":\"" + huge.toLatin1() + "\"}\n\n"}
                + upstreamTextStream(channel, kHello);
            const auto [f, frow] = rig.stream(channel, client, first);
            const Digest d = digestAnswer(client, f.body);
            if (f.status != 502 || !d.errored || !d.problems.isEmpty() || frow.status != 502)
                failures << where("2 MB first event", channel, client) + QStringLiteral(": HTTP %1, row %2: ").arg(f.status).arg(frow.status)
                                + QString::fromUtf8(f.body.left(200));
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// Gemini oddities: a function call whose args is a string, thoughts before the answer (never in
// the text), a thought signature on its own.
TEST(AdversarialTranslationUpstream, GeminiCallsWithStringArgsAndThoughts)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QList<QByteArray> events{
        geminiChunk(R"({"candidates":[{"content":{"parts":[{"text":"pondering deeply","thought":true}],"role":"model"},"index":0}],"responseId":"g1"})"),
        geminiChunk(R"({"candidates":[{"content":{"parts":[{"text":"","thought":true,"thoughtSignature":"c2ln"}],"role":"model"},"index":0}]})"),
        geminiChunk(R"({"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"index":0}]})"),
        geminiChunk(R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"Bash","args":"{\"command\":\"ls\"}"}},{"functionCall":{"name":"Read","args":{"path":"/etc/\u00e9"}}},{"functionCall":{"name":"","args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":5,"thoughtsTokenCount":3,"totalTokenCount":19}})"),
    };
    for (const Wire client : {Wire::OpenAI, Wire::Anthropic}) {
        const auto [r, row] = rig.stream(Wire::Gemini, client, events);
        const Digest d = digestStream(client, r.body);
        EXPECT_TRUE(d.problems.isEmpty() && d.finished) << wireName(client) << ": " << d.summary().toStdString();
        EXPECT_EQ(d.text, s("Hello")) << "thinking leaked into the text";
        EXPECT_EQ(d.thinking, s("pondering deeply"));
        ASSERT_EQ(d.calls.size(), 2) << d.summary().toStdString();
        EXPECT_EQ(QJsonDocument::fromJson(d.calls.at(1).arguments).object().value(u"path").toString(), s("/etc/é"));
        EXPECT_EQ(row.status, 200);
        EXPECT_EQ(row.promptTokens, 11);
        EXPECT_EQ(row.completionTokens, 8);
    }
}

// Upstream token counts are clamped and added with saturation: none overflows or goes negative, in clients' usage or the rows.
TEST(AdversarialTranslationUpstream, UsageOverflowsAndNegativeCounts)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    QStringList failures;
    const auto check = [&](const QString &name, const RawResponse &r, const UsageRecord &row, Wire client, bool stream) {
        const Digest d = stream ? digestStream(client, r.body) : digestAnswer(client, r.body);
        if (r.status != 200 || !d.problems.isEmpty())
            failures << name + QStringLiteral(": HTTP %1 ").arg(r.status) + d.summary();
        if (row.promptTokens < 0 || row.completionTokens < 0 || row.cachedTokens < 0)
            failures << name + QStringLiteral(": usage row p=%1 c=%2 cached=%3").arg(row.promptTokens).arg(row.completionTokens).arg(row.cachedTokens);
    };
    const QByteArray max = "9223372036854775807";
    QList<QByteArray> anthropic = anthropicTextStream(kHello);
    anthropic[0] = anthropicEvent("message_start", R"({"type":"message_start","message":{"id":"msg_up1","type":"message","role":"assistant","model":"anthropic-up","content":[],"usage":{"input_tokens":)"
                                                       + max + R"(,"cache_read_input_tokens":)" + max + R"(,"output_tokens":1}}})");
    for (const Wire client : {Wire::OpenAI, Wire::Gemini}) {
        const auto [r, row] = rig.stream(Wire::Anthropic, client, anthropic);
        check(where("Anthropic input + cache overflow", Wire::Anthropic, client), r, row, client, true);
    }
    const QByteArray anthropicAnswer = R"({"id":"msg_up1","type":"message","role":"assistant","model":"anthropic-up","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","usage":{"input_tokens":)"
        + max + R"(,"cache_creation_input_tokens":)" + max + R"(,"output_tokens":5}})";
    const auto [ar, arow] = rig.answer(Wire::Anthropic, Wire::OpenAI, anthropicAnswer);
    check(where("Anthropic answer input + cache overflow", Wire::Anthropic, Wire::OpenAI), ar, arow, Wire::OpenAI, false);

    const QByteArray openAiAnswer = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"openai-up","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":-5,"completion_tokens":-7,"total_tokens":-12,"prompt_tokens_details":{"cached_tokens":-3}}})";
    for (const Wire client : {Wire::Anthropic, Wire::Gemini}) {
        const auto [r, row] = rig.answer(Wire::OpenAI, client, openAiAnswer);
        check(where("OpenAI negative usage", Wire::OpenAI, client), r, row, client, false);
    }
    QList<QByteArray> gemini = geminiTextStream(kHello);
    gemini.last().replace(R"("promptTokenCount":11)", QByteArray(R"("promptTokenCount":)" + max + R"(,"toolUsePromptTokenCount":)" + max));
    for (const Wire client : {Wire::OpenAI, Wire::Anthropic}) {
        const auto [r, row] = rig.stream(Wire::Gemini, client, gemini);
        check(where("Gemini prompt + tool-use prompt overflow", Wire::Gemini, client), r, row, client, true);
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// A 200 whose body is not the channel format's answer: the client gets a 502 in its own shape (or
// a clean answer), and the row agrees with what the client got.
TEST(AdversarialTranslationUpstream, SuccessBodiesThatAreNotTheFormatsShape)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QList<std::pair<Wire, QByteArray>> bodies{
        {Wire::Anthropic, R"({"hello":"world"})"}, {Wire::Anthropic, "[]"}, {Wire::Anthropic, R"("text")"},
        {Wire::Anthropic, "<html><body>Bad gateway</body></html>"},
        {Wire::OpenAI, R"({"choices":"x"})"}, {Wire::OpenAI, " "},
        {Wire::Gemini, R"({"candidates":"x"})"},
        {Wire::Gemini, "{}"}, {Wire::Gemini, R"([{"candidates":[]}])"},
    };
    QStringList failures;
    for (const auto &[channel, body] : bodies) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            const auto [r, row] = rig.answer(channel, client, body);
            const Digest d = digestAnswer(client, r.body);
            const bool cleanAnswer = r.status == 200 && d.problems.isEmpty() && !d.errored;
            const bool clientShapedError = r.status == 502 && d.errored && d.problems.isEmpty()
                && d.errorType == expectedErrorType(client, 502);
            if (!cleanAnswer && !clientShapedError)
                failures << where(body.left(40).constData(), channel, client) + QStringLiteral(": HTTP %1 ").arg(r.status)
                                + QString::fromUtf8(r.body.left(200));
            if (row.status != r.status)
                failures << where(body.left(40).constData(), channel, client) + QStringLiteral(": row %1, client %2").arg(row.status).arg(r.status);
            if (r.status == 200 && (row.promptTokens < 0 || row.completionTokens < 0))
                failures << where(body.left(40).constData(), channel, client) + s(": negative tokens");
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// A 200 whose content, choices or parts have the wrong type is refused as a 502, not passed on as an empty answer.
TEST(AdversarialTranslationUpstream, WrongTypedSuccessBodiesBecomeEmptyAnswers)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QList<std::pair<Wire, QByteArray>> bodies{
        {Wire::Anthropic, R"({"type":"message","content":"oops"})"},
        {Wire::Anthropic, R"({"type":"message","content":[{"type":"text","text":5}]})"},
        {Wire::OpenAI, R"({"object":"chat.completion","choices":[]})"},
        {Wire::OpenAI, R"({"choices":[{"message":{"content":5}}]})"},
        {Wire::Gemini, R"({"candidates":[{"content":{"parts":"x"}}]})"},
    };
    QStringList failures;
    for (const auto &[channel, body] : bodies) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            const auto [r, row] = rig.answer(channel, client, body);
            if (r.status != 502 || row.status != 502)
                failures << where(body.constData(), channel, client) + QStringLiteral(": HTTP %1, row %2 with %3 tokens: ")
                                                                        .arg(r.status).arg(row.status).arg(row.promptTokens + row.completionTokens)
                                + QString::fromUtf8(r.body.left(160));
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}
