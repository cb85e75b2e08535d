// SPDX-License-Identifier: GPL-3.0-or-later
// Translated streams against hostile clients and misbehaving upstreams: readers that pause with a
// small window, stop reading or vanish mid-stream; providers that break their own format's event
// order, interleave parallel tool calls, send garbage, oversized or error events, nonsense usage
// or a 200 that is not their answer shape. The client must always get a well-formed stream in its
// own format that ends properly or with its format's error event, and the usage row must say what
// happened.
#include "tests/integration/AdversarialTranslationSupport.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <gtest/gtest.h>

using namespace tarn::test;
using tarn::gateway::UsageRecord;

namespace {

const bool kWatchdog = (installTestWatchdog(150'000), true);

constexpr int kSmallWindow = 4096;
constexpr QByteArrayView kTerminator = "\r\n0\r\n\r\n";

tarn::gateway::HttpLimits smallPending()
{
    tarn::gateway::HttpLimits limits;
    limits.maxPendingResponseBytes = 512 * 1024;
    return limits;
}

bool endsTheBody(const QByteArray &all)
{
    return all.endsWith(kTerminator.toByteArray());
}

// Words of `bytes` each (numbered, so a lost or repeated one shows).
QStringList bigWords(int count, int bytes)
{
    QStringList words;
    for (int i = 0; i < count; ++i) {
        QString word = QStringLiteral("<%1>").arg(i);
        word += QString(bytes - word.size(), QChar(u'a' + i % 26));
        words << word;
    }
    return words;
}

} // namespace

namespace {

// A big stream in the channel's format to a client of another format that waits four seconds
// with a 4 KiB window before it reads: every word arrives, in order, in a well-formed stream.
void slowReaderGetsEverything(Wire channel, Wire client)
{
    TranslationRig rig(smallPending());
    rig.addChannel(channel, s("big"));
    const QStringList words = bigWords(1500, 4096); // ~6 MB
    MockBehaviour behaviour;
    behaviour.rawEvents = upstreamTextStream(channel, words);
    rig.mock.setDefaultBehaviour(behaviour);
    ASSERT_TRUE(rig.start());
    RawClient reader(rig.tarn.port(), kSmallWindow);
    ASSERT_TRUE(reader.send(rawRequest(clientCall(client, s("big"), true))));
    QThread::msleep(4000); // the client's behaviour under test
    reader.readWhileProgressing(endsTheBody, 10'000, 100'000);
    QByteArray bytes = reader.received();
    const QList<RawResponse> responses = takeResponses(bytes, true);
    ASSERT_EQ(responses.size(), 1) << reader.totalReceived() << " bytes";
    EXPECT_EQ(responses.first().status, 200);
    EXPECT_TRUE(responses.first().complete) << "stopped after " << responses.first().body.size() << " bytes";
    const Digest d = digestStream(client, responses.first().body);
    EXPECT_TRUE(d.problems.isEmpty()) << d.summary().toStdString();
    EXPECT_TRUE(d.finished);
    EXPECT_TRUE(d.text == words.join(QString())) << "text of " << d.text.size() << " chars, expected " << words.join(QString()).size();
    const QList<UsageRecord> rows = rig.rowsWhenAtLeast(1);
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200) << rows[0].error.toStdString();
    EXPECT_EQ(rows[0].promptTokens, 11);
    EXPECT_EQ(rows[0].completionTokens, words.size());
    EXPECT_EQ(rig.mock.abortedStreams(), 0);
}

} // namespace

TEST(AdversarialTranslationSlowReader, OpenAiStreamToAPausedAnthropicClient)
{
    slowReaderGetsEverything(Wire::OpenAI, Wire::Anthropic);
}

TEST(AdversarialTranslationSlowReader, AnthropicStreamToAPausedGeminiClient)
{
    slowReaderGetsEverything(Wire::Anthropic, Wire::Gemini);
}

TEST(AdversarialTranslationSlowReader, GeminiStreamToAPausedOpenAiClient)
{
    slowReaderGetsEverything(Wire::Gemini, Wire::OpenAI);
}

namespace {

// OpenAI parallel tool calls whose argument fragments come interleaved across indexes.
QList<QByteArray> interleavedCalls(const QList<std::pair<QByteArray, QByteArray>> &calls, int fragmentBytes)
{
    const QByteArray head = R"({"id":"chatcmpl-tc","object":"chat.completion.chunk","created":1,"model":"openai-up","choices":[{"index":0,"delta":)";
    QList<QByteArray> events{openAiChunk(head + R"({"role":"assistant","content":null},"finish_reason":null}]})")};
    QList<QList<QByteArray>> fragments;
    for (qsizetype i = 0; i < calls.size(); ++i) {
        events << openAiChunk(head + R"({"tool_calls":[{"index":)" + QByteArray::number(i) + R"(,"id":"call_)" + QByteArray::number(i)
                              + R"(","type":"function","function":{"name":")" + calls.at(i).first + R"(","arguments":""}}]},"finish_reason":null}]})");
        QList<QByteArray> pieces;
        for (qsizetype at = 0; at < calls.at(i).second.size(); at += fragmentBytes)
            pieces << calls.at(i).second.mid(at, fragmentBytes);
        fragments << pieces;
    }
    const auto argument = [&](qsizetype call, const QByteArray &piece) -> QByteArray {
        const QByteArray quoted = QJsonDocument(QJsonArray{QString::fromUtf8(piece)}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        return R"({"index":)" + QByteArray::number(call) + R"(,"function":{"arguments":)" + quoted + "}}";
    };
    for (qsizetype round = 0;; ++round) {
        QByteArrayList entries;
        for (qsizetype call = calls.size() - 1; call >= 0; --call) { // later calls first: held behind earlier ones
            if (round < fragments.at(call).size())
                entries << argument(call, fragments.at(call).at(round));
        }
        if (entries.isEmpty())
            break;
        if (round % 3 == 0) { // sometimes two calls in one delta
            events << openAiChunk(head + R"({"tool_calls":[)" + entries.join(',') + R"(]},"finish_reason":null}]})");
        } else {
            for (const QByteArray &entry : std::as_const(entries))
                events << openAiChunk(head + R"({"tool_calls":[)" + entry + R"(]},"finish_reason":null}]})");
        }
    }
    events << openAiChunk(head + R"({},"finish_reason":"tool_calls"}]})")
           << openAiChunk(R"({"id":"chatcmpl-tc","object":"chat.completion.chunk","created":1,"model":"openai-up","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":30,"total_tokens":41}})")
           << openAiChunk("[DONE]");
    return events;
}

QList<std::pair<QByteArray, QByteArray>> threeCalls(int bytes)
{
    QList<std::pair<QByteArray, QByteArray>> calls;
    const char *names[] = {"Bash", "Read", "Grep"};
    for (int i = 0; i < 3; ++i)
        calls.append({names[i], R"({"arg":")" + QByteArray(bytes, char('a' + i)) + R"(","n":)" + QByteArray::number(i) + "}"});
    return calls;
}

void expectCalls(const Digest &d, const QList<std::pair<QByteArray, QByteArray>> &calls)
{
    ASSERT_EQ(d.calls.size(), calls.size()) << d.summary().toStdString();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        EXPECT_EQ(d.calls.at(i).name.toUtf8(), calls.at(i).first);
        EXPECT_EQ(QJsonDocument::fromJson(d.calls.at(i).arguments), QJsonDocument::fromJson(calls.at(i).second))
            << "call " << i << " arguments " << d.calls.at(i).arguments.left(80).constData() << "…";
    }
}

} // namespace

// The Anthropic encoder holds a later block's deltas until the earlier one stops; under a client
// that pauses with a small window, every call still comes out whole, one block at a time.
TEST(AdversarialTranslationSlowReader, HeldToolBlocksSurviveAPausedAnthropicClient)
{
    TranslationRig rig(smallPending());
    rig.addChannel(Wire::OpenAI, s("m-oa"));
    const auto calls = threeCalls(300 * 1024);
    MockBehaviour behaviour;
    behaviour.rawEvents = interleavedCalls(calls, 1024);
    rig.mock.setDefaultBehaviour(behaviour);
    ASSERT_TRUE(rig.start());
    RawClient reader(rig.tarn.port(), kSmallWindow);
    ASSERT_TRUE(reader.send(rawRequest(clientCall(Wire::Anthropic, s("m-oa"), true))));
    ASSERT_TRUE(reader.readUntil([](const QByteArray &all) { return all.size() >= 8 * 1024; }, 20'000));
    QThread::msleep(3000);
    reader.readThrottled(20 * 1024, 1000);
    reader.readWhileProgressing(endsTheBody, 10'000, 60'000);
    QByteArray bytes = reader.received();
    const QList<RawResponse> responses = takeResponses(bytes, true);
    ASSERT_EQ(responses.size(), 1);
    const Digest d = digestStream(Wire::Anthropic, responses.first().body);
    EXPECT_TRUE(d.problems.isEmpty() && d.finished) << d.summary().toStdString();
    EXPECT_EQ(d.stop, s("tool_use"));
    expectCalls(d, calls);
    const QList<UsageRecord> rows = rig.rowsWhenAtLeast(1);
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].completionTokens, 30);
}

// The same interleaving, small, to clients of both other formats (Gemini gets each call whole).
TEST(AdversarialTranslationUpstream, InterleavedParallelToolCallsToEveryClient)
{
    TranslationRig rig;
    rig.addChannel(Wire::OpenAI, s("m-oa"));
    const auto calls = threeCalls(40);
    MockBehaviour behaviour;
    behaviour.rawEvents = interleavedCalls(calls, 7);
    rig.mock.setDefaultBehaviour(behaviour);
    ASSERT_TRUE(rig.start());
    for (const Wire client : {Wire::Anthropic, Wire::Gemini, Wire::OpenAI}) {
        const RawResponse r = exchange(rig.tarn.port(), rawRequest(clientCall(client, s("m-oa"), true)));
        ASSERT_EQ(r.status, 200) << wireName(client);
        const Digest d = digestStream(client, r.body);
        EXPECT_TRUE(d.problems.isEmpty() && d.finished) << wireName(client) << ": " << d.summary().toStdString();
        expectCalls(d, calls);
    }
}

namespace {

void vanishMidStream(Wire channel, Wire client, bool reset)
{
    TranslationRig rig;
    rig.addChannel(channel, s("m"));
    MockBehaviour slow;
    slow.chunks = 400;
    slow.chunkDelayMs = 25; // ten seconds of stream: the client leaves long before its end
    rig.mock.setDefaultBehaviour(slow);
    ASSERT_TRUE(rig.start());
    {
        RawClient reader(rig.tarn.port());
        ASSERT_TRUE(reader.send(rawRequest(clientCall(client, s("m"), true))));
        ASSERT_TRUE(reader.readUntilContains(" from", 15'000)) << reader.received().left(300).constData();
        reader.close(reset);
    }
    EXPECT_TRUE(waitUntil([&] { return rig.mock.abortedStreams() >= 1; }, 10'000))
        << "the provider's stream was not aborted; completed: " << rig.mock.completedStreams();
    const QList<UsageRecord> rows = rig.rowsWhenAtLeast(1);
    QThread::msleep(300); // room for a second row to show up
    ASSERT_EQ(rig.tarn.usageRows().size(), 1);
    EXPECT_EQ(rows[0].status, 499) << rows[0].error.toStdString();
    EXPECT_EQ(rig.mock.completedStreams(), 0);
    EXPECT_EQ(exchange(rig.tarn.port(), rawGet("/health")).status, 200);
    EXPECT_LT(processCpuMsWhileSleeping(600), 300);
}

} // namespace

TEST(AdversarialTranslationVanish, AnthropicClientLeavesAnOpenAiStream)
{
    vanishMidStream(Wire::OpenAI, Wire::Anthropic, false);
}

TEST(AdversarialTranslationVanish, OpenAiClientResetsAGeminiStream)
{
    vanishMidStream(Wire::Gemini, Wire::OpenAI, true);
}

TEST(AdversarialTranslationVanish, GeminiClientResetsAnAnthropicStream)
{
    vanishMidStream(Wire::Anthropic, Wire::Gemini, true);
}

// A translated stream whose client stops reading for good is cut off after the send-stall timeout:
// the provider's request is aborted and the row says 499.
TEST(AdversarialTranslationVanish, ReaderThatStopsForGoodIsCutOff)
{
    tarn::gateway::HttpLimits limits = smallPending();
    limits.sendStallTimeoutMs = 1500;
    TranslationRig rig(limits);
    rig.addChannel(Wire::OpenAI, s("m-oa"));
    MockBehaviour behaviour;
    behaviour.rawEvents = openAiTextStream(bigWords(5000, 4096)); // ~20 MB
    rig.mock.setDefaultBehaviour(behaviour);
    ASSERT_TRUE(rig.start());
    RawClient reader(rig.tarn.port(), kSmallWindow);
    ASSERT_TRUE(reader.send(rawRequest(clientCall(Wire::Anthropic, s("m-oa"), true))));
    ASSERT_TRUE(reader.readUntil([](const QByteArray &all) { return all.size() >= 64 * 1024; }, 20'000));
    const QList<UsageRecord> rows = rig.rowsWhenAtLeast(1, 40'000);
    ASSERT_EQ(rows.size(), 1) << "no row 40 s after the client stopped reading";
    EXPECT_EQ(rows[0].status, 499) << rows[0].error.toStdString();
    EXPECT_TRUE(waitUntil([&] { return rig.mock.abortedStreams() >= 1; }, 10'000));
    EXPECT_TRUE(reader.waitForClose(30'000));
}
