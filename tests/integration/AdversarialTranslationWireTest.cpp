// SPDX-License-Identifier: GPL-3.0-or-later
// Translated and passed-through streams on the wire: upstream streams arriving a byte at a time
// with every line end, upstreams that answer whole to a stream request, Gemini's two stream forms,
// tool calls without arguments or ids, and the model name a pass-through stream reports.
#include "tests/integration/AdversarialTranslationSupport.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <gtest/gtest.h>

using namespace tarn::test;
using tarn::gateway::UsageRecord;

namespace {

const bool kWatchdog = (installTestWatchdog(150'000), true);

} // namespace

namespace {

QList<QByteArray> withLineEnds(const QList<QByteArray> &events, const QByteArray &lineEnd)
{
    QList<QByteArray> out;
    for (QByteArray event : events) {
        event.replace("\r\n", "\n");
        out << event.replace("\n", lineEnd);
    }
    return out;
}

QList<QByteArray> bytewise(const QList<QByteArray> &events)
{
    QList<QByteArray> pieces;
    for (const QByteArray &event : events) {
        for (const char c : event)
            pieces << QByteArray(1, c);
    }
    return pieces;
}

} // namespace

// Upstream streams arriving a byte at a time, with LF, CRLF or CR line ends (a CRLF split between
// reads included): every client gets the same words in a clean stream, and a client of the
// channel's own format gets the upstream's bytes exactly (but for the model name).
TEST(AdversarialTranslationUpstream, UpstreamStreamsSplitAtEveryByte)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QStringList words{s("Hi"), s(" there"), s(" \u00e9\u6F22")};
    const QList<std::tuple<Wire, const char *, QList<QByteArray>>> variants{
        {Wire::OpenAI, "LF", openAiTextStream(words)},
        {Wire::OpenAI, "CRLF", withLineEnds(openAiTextStream(words), "\r\n")},
        {Wire::OpenAI, "CR", withLineEnds(openAiTextStream(words), "\r")},
        {Wire::Anthropic, "LF", anthropicTextStream(words)},
        {Wire::Anthropic, "CRLF", withLineEnds(anthropicTextStream(words), "\r\n")},
        {Wire::Gemini, "CRLF", geminiTextStream(words)},
    };
    QStringList failures;
    for (const auto &[channel, ends, events] : variants) {
        for (const Wire client : kWires) {
            MockBehaviour behaviour;
            behaviour.rawEvents = bytewise(events);
            behaviour.chunkDelayMs = 1;
            const auto [r, row] = rig.run(channel, client, true, behaviour);
            const QString name = where(ends, channel, client);
            const Digest d = digestStream(client, r.body);
            if (r.status != 200 || !d.problems.isEmpty() || !d.finished || d.text != words.join(QString()))
                failures << name + QStringLiteral(": HTTP %1 ").arg(r.status) + d.summary();
            // (An OpenAI pass-through names the client's model; nothing else may change.)
            static const QRegularExpression model(s(R"re("model":"[^"]*")re"));
            if (client == channel && QString::fromUtf8(r.body).replace(model, s("M")) != QString::fromUtf8(joined(events)).replace(model, s("M")))
                failures << name + s(": the pass-through changed the bytes: ") + QString::fromUtf8(r.body.left(200));
            if (row.status != 200 || row.promptTokens != 11 || row.completionTokens != words.size())
                failures << name + QStringLiteral(": row %1 p=%2 c=%3").arg(row.status).arg(row.promptTokens).arg(row.completionTokens);
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// An upstream that ignores the request to stream and answers whole (JSON, not SSE): the streaming
// client gets a clean stream of that answer or a 502 in its own shape, and the row agrees.
TEST(AdversarialTranslationUpstream, UpstreamThatAnswersWholeToAStreamRequest)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QList<std::pair<Wire, QByteArray>> answers{
        {Wire::OpenAI, R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"openai-up","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":1,"total_tokens":12}})"},
        {Wire::Anthropic, R"({"id":"msg_1","type":"message","role":"assistant","model":"anthropic-up","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","usage":{"input_tokens":11,"output_tokens":1}})"},
        {Wire::Gemini, R"([{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":1,"totalTokenCount":12}}])"},
    };
    QStringList failures;
    for (const auto &[channel, body] : answers) {
        for (const Wire client : kWires) {
            if (client == channel)
                continue;
            MockBehaviour behaviour;
            behaviour.body = body;
            const auto [r, row] = rig.run(channel, client, true, behaviour);
            const Digest stream = digestStream(client, r.body);
            const Digest error = digestAnswer(client, r.body);
            const bool cleanStream = r.status == 200 && stream.problems.isEmpty() && stream.finished && stream.text == s("Hello");
            const bool shapedError = r.status == 502 && error.errored && error.problems.isEmpty();
            if (!cleanStream && !shapedError)
                failures << where("whole answer", channel, client) + QStringLiteral(": HTTP %1 ").arg(r.status) + QString::fromUtf8(r.body.left(200));
            if (row.status != r.status)
                failures << where("whole answer", channel, client) + QStringLiteral(": row %1").arg(row.status);
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// :streamGenerateContent without ?alt=sse (the JSON-array stream form) is a 400 in Gemini's shape.
TEST(AdversarialTranslationUpstream, StreamGenerateContentWithoutAltSseIsAClearError)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    for (const Wire channel : kWires) {
        rig.mock.setDefaultBehaviour({});
        const ClientCall call = clientCall(Wire::Gemini, rig.fresh(channel), true);
        const QByteArray path = call.path.left(call.path.indexOf('?'));
        const RawResponse r = exchange(rig.tarn.port(), rawPost(path, call.body));
        const QJsonDocument array = QJsonDocument::fromJson(r.body);
        const bool arrayForm = r.status == 200 && array.isArray() && !array.array().isEmpty();
        const bool refused = r.status == 400 && digestAnswer(Wire::Gemini, r.body).errored;
        EXPECT_TRUE(arrayForm || refused) << wireName(channel) << " channel: HTTP " << r.status << " "
                                          << r.header("content-type").constData() << ": " << r.body.left(120).constData();
    }
}

// A no-argument tool call reaches clients with arguments "{}", and a tool_use without an id gets a generated one, streamed or whole.
TEST(AdversarialTranslationUpstream, NoArgumentToolCallsAndMissingIds)
{
    FreshChannelRig rig;
    ASSERT_TRUE(rig.started);
    const QList<QByteArray> events{
        anthropicEvent("message_start", R"({"type":"message_start","message":{"id":"msg_up1","type":"message","role":"assistant","model":"anthropic-up","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}})"),
        anthropicEvent("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01","name":"GetTime","input":{}}})"),
        anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}})"),
        anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":0})"),
        anthropicEvent("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","name":"Bash","input":{}}})"),
        anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"command\":\"ls\"}"}})"),
        anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":1})"),
        anthropicEvent("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":5}})"),
        anthropicEvent("message_stop", R"({"type":"message_stop"})"),
    };
    const QByteArray answer = R"({"id":"msg_up1","type":"message","role":"assistant","model":"anthropic-up","content":[{"type":"tool_use","id":"toolu_01","name":"GetTime","input":{}},{"type":"tool_use","name":"Bash","input":{"command":"ls"}}],"stop_reason":"tool_use","usage":{"input_tokens":11,"output_tokens":5}})";
    QStringList failures;
    for (const Wire client : {Wire::OpenAI, Wire::Gemini}) {
        for (const bool stream : {true, false}) {
            MockBehaviour behaviour;
            if (stream)
                behaviour.rawEvents = events;
            else
                behaviour.body = answer;
            const auto [r, row] = rig.run(Wire::Anthropic, client, stream, behaviour);
            const Digest d = stream ? digestStream(client, r.body) : digestAnswer(client, r.body);
            const QString name = where(stream ? "stream" : "answer", Wire::Anthropic, client);
            if (r.status != 200 || !d.problems.isEmpty() || d.calls.size() != 2)
                failures << name + QStringLiteral(": HTTP %1 ").arg(r.status) + d.summary();
            for (const CallDigest &call : d.calls) {
                if (client == Wire::OpenAI && !QJsonDocument::fromJson(call.arguments).isObject())
                    failures << name + s(": ") + call.name + s(" arguments '") + QString::fromUtf8(call.arguments) + s("' do not parse");
                if (client == Wire::OpenAI && call.id.isEmpty())
                    failures << name + s(": ") + call.name + s(" has no id to answer");
            }
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
}

// An Anthropic pass-through stream names the client's model in message_start, bytes otherwise kept.
TEST(AdversarialTranslationUpstream, AnthropicPassThroughStreamNamesTheClientsModel)
{
    TranslationRig rig;
    rig.addChannel(Wire::Anthropic, s("sonnet"), s("claude-up"));
    ASSERT_TRUE(rig.start());
    const RawResponse whole = exchange(rig.tarn.port(), rawRequest(clientCall(Wire::Anthropic, s("sonnet"), false)));
    ASSERT_EQ(whole.status, 200);
    EXPECT_EQ(QJsonDocument::fromJson(whole.body).object().value(u"model").toString(), s("sonnet"));
    const RawResponse stream = exchange(rig.tarn.port(), rawRequest(clientCall(Wire::Anthropic, s("sonnet"), true)));
    ASSERT_EQ(stream.status, 200);
    const QList<WireEvent> events = wireEvents(stream.body);
    ASSERT_FALSE(events.isEmpty());
    const QJsonObject start = QJsonDocument::fromJson(events.first().data).object();
    EXPECT_EQ(start.value(u"message").toObject().value(u"model").toString(), s("sonnet")) << events.first().data.constData();
}
