// SPDX-License-Identifier: GPL-3.0-or-later
// Upstream errors of every status from every channel format to every client format (status, the
// client's own error shape, Retry-After, never a provider key), token counting under hostile,
// huge, CJK bodies and hanging counters, and requests the translators must shape for a target that
// refuses what the client may say (tool ids, thinking budgets, assistant-first conversations).
//
#include "tests/integration/AdversarialTranslationSupport.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <gtest/gtest.h>

using namespace tarn::test;
using tarn::gateway::UsageRecord;

namespace {

const bool kWatchdog = (installTestWatchdog(170'000), true);

// An upstream's error body in its own format that quotes the channel's key, as providers do with
// keys they refuse.
QByteArray upstreamErrorBody(Wire channel, int status)
{
    const QByteArray message = QByteArray("Something went wrong (ref ") + kChannelSecret + ")";
    const QByteArray type = expectedErrorType(channel, status).toUtf8();
    switch (channel) {
    case Wire::OpenAI:
        return R"({"error":{"message":")" + message + R"(","type":")" + type + R"(","param":null,"code":null}})";
    case Wire::Anthropic:
        return R"({"type":"error","error":{"type":")" + type + R"(","message":")" + message + R"("}})";
    case Wire::Gemini:
        return R"({"error":{"code":)" + QByteArray::number(status) + R"(,"message":")" + message + R"(","status":")" + type + R"("}})";
    }
    return {};
}

bool mentionsSecret(const RawResponse &r)
{
    if (r.body.contains(kChannelSecret))
        return true;
    for (const auto &[name, value] : r.headers) {
        if (value.contains(kChannelSecret))
            return true;
    }
    return false;
}

bool rowMentionsSecret(const UsageRecord &row)
{
    const QString secret = QString::fromLatin1(kChannelSecret);
    if (row.error.contains(secret))
        return true;
    for (const auto &attempt : row.attemptLog) {
        if (attempt.error.contains(secret))
            return true;
    }
    return false;
}

} // namespace

// Every upstream status from every channel format to every client format, streamed or not: the
// status (401 and a 403 that speaks of permission become 502: the provider refused Tarn's key, not
// the client's), the client's error
// shape and word, Retry-After kept on 429, and the provider key nowhere.
TEST(AdversarialTranslationErrors, EveryStatusFromEveryFormatToEveryFormat)
{
    TranslationRig rig;
    const int statuses[] = {400, 401, 403, 404, 413, 429, 500, 503, 529};
    const auto modelFor = [](int status, Wire channel, Wire client, bool stream) {
        return QStringLiteral("e%1-%2-%3-%4").arg(status).arg(QString::fromLatin1(wireName(channel)),
                                                              QString::fromLatin1(wireName(client)),
                                                              stream ? s("st") : s("ns"));
    };
    for (const int status : statuses) {
        for (const Wire channel : kWires) {
            for (const Wire client : kWires) {
                for (const bool stream : {false, true})
                    rig.addChannel(channel, modelFor(status, channel, client, stream));
            }
        }
    }
    ASSERT_TRUE(rig.start());
    QStringList failures;
    int requests = 0;
    for (const int status : statuses) {
        for (const Wire channel : kWires) {
            MockBehaviour failing;
            failing.status = status;
            failing.body = upstreamErrorBody(channel, status);
            failing.headers = {{"Retry-After", "7"}, {"x-request-id", "req-7"}};
            rig.mock.setDefaultBehaviour(failing);
            for (const Wire client : kWires) {
                for (const bool stream : {false, true}) {
                    const QString model = modelFor(status, channel, client, stream);
                    const RawResponse r = exchange(rig.tarn.port(), rawRequest(clientCall(client, model, stream)));
                    ++requests;
                    const int expected = status == 401 || status == 403 ? 502 : status;
                    const Digest d = digestAnswer(client, r.body);
                    QStringList wrong;
                    if (r.status != expected)
                        wrong << QStringLiteral("status %1, expected %2").arg(r.status).arg(expected);
                    if (!d.errored || !d.problems.isEmpty())
                        wrong << s("not an error body of its format");
                    const bool knownDefect = channel == Wire::Gemini && status == 413 && client == Wire::Anthropic; // see below
                    if (d.errorType != expectedErrorType(client, expected) && !knownDefect)
                        wrong << QStringLiteral("error type '%1', expected '%2'").arg(d.errorType, expectedErrorType(client, expected));
                    if (client == Wire::Gemini && d.errorCode != r.status)
                        wrong << QStringLiteral("Gemini error.code %1 on HTTP %2").arg(d.errorCode).arg(r.status);
                    if (status == 429 && r.header("retry-after") != "7")
                        wrong << s("Retry-After lost");
                    if (!r.header("content-type").startsWith("application/json"))
                        wrong << s("content type ") + QString::fromLatin1(r.header("content-type"));
                    if (mentionsSecret(r))
                        wrong << s("the channel key reached the client");
                    if (!wrong.isEmpty())
                        failures << model + s(": ") + wrong.join(s("; ")) + s(" | ") + QString::fromUtf8(r.body.left(300));
                }
            }
        }
    }
    const QList<UsageRecord> rows = rig.rowsWhenAtLeast(requests);
    EXPECT_EQ(rows.size(), requests);
    for (const UsageRecord &row : rows) {
        const int status = row.requestedModel.mid(1, 3).toInt();
        if (row.status != (status == 401 || status == 403 ? 502 : status))
            failures << row.requestedModel + QStringLiteral(": usage row status %1").arg(row.status);
        if (rowMentionsSecret(row))
            failures << row.requestedModel + s(": the channel key is in the usage row");
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.size() << " problems:\n" << failures.join(u'\n').toStdString();
}

// A Gemini error's HTTP status decides its kind over the body's status word (a 413 INVALID_ARGUMENT is request_too_large).
TEST(AdversarialTranslationErrors, GeminiStatusWordOverridesTheHttpStatus)
{
    TranslationRig rig;
    rig.addChannel(Wire::Gemini, s("m-ge"));
    ASSERT_TRUE(rig.start());
    MockBehaviour tooLarge;
    tooLarge.status = 413;
    tooLarge.body = R"({"error":{"code":413,"message":"Request payload size exceeds the limit","status":"INVALID_ARGUMENT"}})";
    rig.mock.setDefaultBehaviour(tooLarge);
    for (const Wire client : {Wire::Anthropic, Wire::OpenAI}) {
        const RawResponse r = exchange(rig.tarn.port(), rawRequest(clientCall(client, s("m-ge"), false)));
        EXPECT_EQ(r.status, 413);
        EXPECT_EQ(digestAnswer(client, r.body).errorType, expectedErrorType(client, 413))
            << wireName(client) << ": " << r.body.constData();
    }
}

// Bodies no count_tokens endpoint can read: 400 in the client's shape, never a 5xx, never upstream.
TEST(AdversarialTranslationCount, HostileBodiesAreRefusedInTheClientsShape)
{
    TranslationRig rig;
    rig.addChannel(Wire::Anthropic, s("m-an"));
    rig.addChannel(Wire::Gemini, s("m-ge"));
    ASSERT_TRUE(rig.start());
    const QByteArray deep = QByteArray(100'000, '[');
    const QList<QByteArray> anthropic{
        "", "[]", "null", "\"x\"", "{}", R"({"model":"m-an"})", R"({"model":"m-an","messages":"x"})",
        R"({"model":"m-an","messages":[{"role":"user","content":"\xff\xfe"}]})",
        R"({"model":"m-an","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":1}}]}]})",
        R"({"model":"m-an","messages":[{"role":"user","content":)" + deep,
        R"({"model":"m-an","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"x","input_schema":[]}]})",
        R"({"model":"m-an","model":"m-an","messages":[{"role":"user","content":"hi"}]})",
    };
    for (const QByteArray &body : anthropic) {
        const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/messages/count_tokens", body));
        const Digest d = digestAnswer(Wire::Anthropic, r.body);
        EXPECT_EQ(r.status, 400) << body.left(100).constData() << " → " << r.body.left(200).constData();
        EXPECT_EQ(d.errorType, s("invalid_request_error")) << r.body.left(200).constData();
    }
    const QList<QByteArray> gemini{
        "", "[]", R"({"generateContentRequest":5})", R"({"generateContentRequest":{"contents":"x"}})",
        R"({"generateContentRequest":{"contents":[]}})", R"({"generateContentRequest":)" + deep,
        R"({"contents":[{"parts":[{"text":1}]}],"generateContentRequest":{"contents":[{"parts":[{"text":"hi"}]}]},"x":)" + deep,
        R"({"contents":[{"parts":[{"text":"hi"}]}],"contents":[{"parts":[{"text":"hi"}]}]})",
    };
    for (const QByteArray &body : gemini) {
        const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1beta/models/m-ge:countTokens", body));
        const Digest d = digestAnswer(Wire::Gemini, r.body);
        EXPECT_EQ(r.status, 400) << body.left(100).constData() << " → " << r.body.left(200).constData();
        EXPECT_EQ(d.errorType, s("INVALID_ARGUMENT")) << r.body.left(200).constData();
        EXPECT_EQ(d.errorCode, 400);
    }
    EXPECT_EQ(rig.mock.requestCount(), 0);
    EXPECT_TRUE(rig.tarn.usageRows().isEmpty());
}

// 10 MB to count, in both wrappings, answered by estimate in bounded time and in a sane range.
TEST(AdversarialTranslationCount, TenMegabytesAreEstimatedInBoundedTime)
{
    TranslationRig rig;
    rig.addChannel(Wire::OpenAI, s("m-oa")); // OpenAI channels count nothing: Tarn estimates
    ASSERT_TRUE(rig.start());
    QByteArray words;
    words.reserve(10 * 1024 * 1024);
    while (words.size() < 10 * 1024 * 1024)
        words += "lorem ipsum dolor sit amet ";
    const QByteArray text = QJsonDocument(QJsonArray{QString::fromLatin1(words)}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    const QByteArray anthropic = R"({"model":"m-oa","messages":[{"role":"user","content":)" + text + "}]}";
    const QByteArray gemini = R"({"generateContentRequest":{"contents":[{"role":"user","parts":[{"text":)" + text + "}]}]}}";
    struct Count
    {
        QByteArray path;
        QByteArray body;
        QString member;
    };
    for (const Count &count : {Count{"/v1/messages/count_tokens", anthropic, s("input_tokens")},
                               Count{"/v1beta/models/m-oa:countTokens", gemini, s("totalTokens")}}) {
        const QByteArray &path = count.path;
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = exchange(rig.tarn.port(), rawPost(path, count.body), 60'000);
        ASSERT_EQ(r.status, 200) << path.constData() << " " << r.body.left(200).constData();
        const qint64 tokens = QJsonDocument::fromJson(r.body).object().value(count.member).toInteger(-1);
        EXPECT_GE(tokens, words.size() / 6) << path.constData();
        EXPECT_LE(tokens, words.size() / 2) << path.constData();
        EXPECT_LT(timer.elapsed(), 30'000) << path.constData();
    }
}

// Text in scripts of a character (or more) per token counts about that many, not a quarter.
TEST(AdversarialTranslationCount, CjkTextEstimatesInASaneRange)
{
    TranslationRig rig;
    rig.addChannel(Wire::OpenAI, s("m-oa"));
    ASSERT_TRUE(rig.start());
    const QString samples[] = {
        QString(300, QChar(0x6F22)) + s("这是一个关于翻译层的测试句子。"),    // Han
        s("これは翻訳レイヤーのテストです。").repeated(40),              // kana and kanji
        s("이것은 번역 계층에 대한 테스트입니다").repeated(30),           // hangul
    };
    for (const QString &sample : samples) {
        const qint64 characters = sample.size();
        const QByteArray text = QJsonDocument(QJsonArray{sample}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/messages/count_tokens",
                                                                  QByteArray(R"({"model":"m-oa","messages":[{"role":"user","content":)" + text + "}]}")));
        ASSERT_EQ(r.status, 200) << r.body.constData();
        const qint64 tokens = QJsonDocument::fromJson(r.body).object().value(u"input_tokens").toInteger(-1);
        EXPECT_GE(tokens, characters / 2) << sample.left(10).toStdString();
        EXPECT_LE(tokens, characters * 2 + 20) << sample.left(10).toStdString();
        const RawResponse g = exchange(rig.tarn.port(), rawPost("/v1beta/models/m-oa:countTokens",
                                                                  QByteArray(R"({"contents":[{"parts":[{"text":)" + text + "}]}]}")));
        EXPECT_NEAR(double(QJsonDocument::fromJson(g.body).object().value(u"totalTokens").toInteger(-1)), double(tokens), 10.0);
    }
}

// A counter that answers nonsense or never answers: the client still gets a count, in time.
TEST(AdversarialTranslationCount, HangingOrLyingCounterStillAnswersInTime)
{
    TranslationRig rig;
    rig.addChannel(Wire::Anthropic, s("m-an"));
    rig.addChannel(Wire::Gemini, s("m-ge"));
    ASSERT_TRUE(rig.start());
    const QByteArray body = R"({"model":"m-an","messages":[{"role":"user","content":"count these words please"}]})";
    for (const QByteArray &lie : {QByteArray(R"({"input_tokens":-5})"), QByteArray(R"({"input_tokens":1e300})"),
                                  QByteArray(R"({"input_tokens":"7"})"), QByteArray("<html>oops</html>"),
                                  QByteArray(R"({"input_tokens":9223372036854775807})")}) {
        MockBehaviour lying;
        lying.body = lie;
        rig.mock.pushBehaviour(lying);
        const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/messages/count_tokens", body));
        ASSERT_EQ(r.status, 200) << lie.constData();
        const qint64 tokens = QJsonDocument::fromJson(r.body).object().value(u"input_tokens").toInteger(-1);
        EXPECT_GT(tokens, 0) << lie.constData() << " → " << r.body.constData();
        EXPECT_LT(tokens, 1'000'000) << lie.constData() << " → " << r.body.constData();
    }
    MockBehaviour hang;
    hang.hang = true;
    rig.mock.pushBehaviour(hang);
    QElapsedTimer timer;
    timer.start();
    const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/messages/count_tokens", body), 40'000);
    EXPECT_EQ(r.status, 200);
    EXPECT_GT(QJsonDocument::fromJson(r.body).object().value(u"input_tokens").toInt(), 0);
    EXPECT_LT(timer.elapsed(), 25'000) << "a hanging counter held the client for " << timer.elapsed() << " ms";
}

// A counter that sends its head and then stalls is bounded between bytes: the client gets an estimate.
TEST(AdversarialTranslationCount, ACounterThatStallsAfterItsHeadIsAnsweredWithAnEstimate)
{
    TranslationRig rig;
    rig.addChannel(Wire::Anthropic, s("m-an"));
    ASSERT_TRUE(rig.start());
    MockBehaviour stall;
    stall.rawEvents = {R"({"input_tokens":)", "42}"};
    stall.silenceAfterEvents = 1;
    stall.silenceMs = 45'000;
    rig.mock.pushBehaviour(stall);
    QElapsedTimer timer;
    timer.start();
    const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/messages/count_tokens",
                                                              R"({"model":"m-an","messages":[{"role":"user","content":"hi"}]})"),
                                   25'000);
    EXPECT_EQ(r.status, 200) << "no answer within 25 s (" << timer.elapsed() << " ms)";
    EXPECT_GT(QJsonDocument::fromJson(r.body).object().value(u"input_tokens").toInt(), 0);
}

// A huge thinking budget is bounded, and max_tokens goes out positive and above budget_tokens.
TEST(AdversarialTranslationShapes, HugeThinkingBudgetOverflowsMaxTokens)
{
    TranslationRig rig;
    rig.addChannel(Wire::Anthropic, s("sonnet"), s("claude-sonnet-4-5"));
    ASSERT_TRUE(rig.start());
    for (const QByteArray &budget : {QByteArray("9223372036854775807"), QByteArray("9223372036854774784")}) {
        const QByteArray body = R"({"model":"sonnet","messages":[{"role":"user","content":"think"}],"reasoning":{"max_tokens":)" + budget + "}}";
        const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/chat/completions", body));
        const QJsonObject sent = rig.mock.lastRequest().json();
        const double maxTokens = sent.value(u"max_tokens").toDouble();
        const double thinking = sent.value(u"thinking").toObject().value(u"budget_tokens").toDouble();
        EXPECT_GT(maxTokens, 0) << "max_tokens sent: " << maxTokens << " (budget " << budget.constData() << ", HTTP " << r.status << ")";
        if (thinking > 0) {
            EXPECT_GT(maxTokens, thinking) << "Anthropic requires max_tokens > thinking.budget_tokens";
        }
    }
}

// Tool ids differing only in characters Anthropic forbids ("fn.1", "fn:1") stay distinct, each result matching its call.
TEST(AdversarialTranslationShapes, ToolIdsThatDifferOnlyInForbiddenCharactersCollide)
{
    TranslationRig rig;
    rig.addChannel(Wire::Anthropic, s("m-an"));
    ASSERT_TRUE(rig.start());
    const QByteArray body = R"({"model":"m-an","messages":[
        {"role":"user","content":"list twice"},
        {"role":"assistant","content":null,"tool_calls":[
            {"id":"fn.1","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}},
            {"id":"fn:1","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"pwd\"}"}}]},
        {"role":"tool","tool_call_id":"fn.1","content":"a.txt"},
        {"role":"tool","tool_call_id":"fn:1","content":"/home"}],
        "tools":[{"type":"function","function":{"name":"Bash","parameters":{"type":"object"}}}]})";
    const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/chat/completions", body));
    ASSERT_EQ(r.status, 200) << r.body.constData();
    QStringList uses, results;
    for (const QJsonValue message : rig.mock.lastRequest().json().value(u"messages").toArray()) {
        for (const QJsonValue block : message.toObject().value(u"content").toArray()) {
            if (block.toObject().value(u"type") == s("tool_use"))
                uses << block.toObject().value(u"id").toString();
            if (block.toObject().value(u"type") == s("tool_result"))
                results << block.toObject().value(u"tool_use_id").toString();
        }
    }
    ASSERT_EQ(uses.size(), 2);
    EXPECT_NE(uses.at(0), uses.at(1)) << "two calls sent to Anthropic under one id";
    EXPECT_EQ(QSet<QString>(results.begin(), results.end()), QSet<QString>(uses.begin(), uses.end()));
}

// An upstream's tool id holding quotes, line breaks and non-ASCII reaches an OpenAI client intact,
// and comes back to Anthropic as an id it accepts, the same in the call and in its result.
TEST(AdversarialTranslationShapes, WeirdToolIdsRoundTrip)
{
    TranslationRig rig;
    rig.addChannel(Wire::Anthropic, s("m-an"));
    ASSERT_TRUE(rig.start());
    const QString weird = s("toolu_01 \"we/ird\"\n\u2028é..\\");
    MockBehaviour answer;
    answer.body = R"({"id":"msg_w","type":"message","role":"assistant","model":"anthropic-up","content":[{"type":"tool_use","id":"toolu_01 \"we/ird\"\n\u2028\u00e9..\\","name":"Bash","input":{"command":"ls"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":3}})";
    rig.mock.pushBehaviour(answer);
    const RawResponse first = exchange(rig.tarn.port(), rawRequest(clientCall(Wire::OpenAI, s("m-an"), false)));
    ASSERT_EQ(first.status, 200) << first.body.constData();
    const Digest d = digestAnswer(Wire::OpenAI, first.body);
    ASSERT_EQ(d.calls.size(), 1) << d.summary().toStdString();
    EXPECT_EQ(d.calls.first().id, weird);
    EXPECT_TRUE(d.problems.isEmpty()) << d.summary().toStdString();

    const QJsonObject history{
        {s("model"), s("m-an")},
        {s("messages"), QJsonArray{
             QJsonObject{{s("role"), s("user")}, {s("content"), s("ls")}},
             QJsonObject{{s("role"), s("assistant")}, {s("content"), QJsonValue()},
                         {s("tool_calls"), QJsonArray{QJsonObject{{s("id"), weird}, {s("type"), s("function")},
                                                                  {s("function"), QJsonObject{{s("name"), s("Bash")}, {s("arguments"), s("{}")}}}}}}},
             QJsonObject{{s("role"), s("tool")}, {s("tool_call_id"), weird}, {s("content"), s("a.txt")}}}},
    };
    const RawResponse second = exchange(rig.tarn.port(), rawPost("/v1/chat/completions", QJsonDocument(history).toJson(QJsonDocument::Compact)));
    ASSERT_EQ(second.status, 200) << second.body.constData();
    const QByteArray sent = rig.mock.lastRequest().body;
    const QRegularExpression ids(s(R"re("(?:id|tool_use_id)":"([^"]*)")re"));
    QSet<QString> found;
    for (auto it = ids.globalMatch(QString::fromUtf8(sent)); it.hasNext();) {
        const QString id = it.next().captured(1);
        found.insert(id);
        EXPECT_TRUE(QRegularExpression(s("^[A-Za-z0-9_-]+$")).match(id).hasMatch()) << id.toStdString();
    }
    EXPECT_EQ(found.size(), 1) << "the call and its result name different ids: " << sent.constData();
}

// Conversations other formats allow and the target does not: an Anthropic client opening with an
// assistant turn, an image by http URL to Gemini, a tool result for a call never made.
TEST(AdversarialTranslationShapes, ConversationsTheTargetWouldRefuse)
{
    TranslationRig rig;
    rig.addChannel(Wire::OpenAI, s("m-oa"));
    rig.addChannel(Wire::Gemini, s("m-ge"), s("gemini-2.5-flash"));
    rig.addChannel(Wire::Anthropic, s("m-an"), s("claude-sonnet-4-5"));
    ASSERT_TRUE(rig.start());
    const QByteArray assistantFirst = R"({"model":"MODEL","max_tokens":64,"messages":[{"role":"assistant","content":"I am ready."},{"role":"user","content":"hi"}]})";
    for (const char *model : {"m-oa", "m-ge", "m-an"}) {
        QByteArray body = assistantFirst;
        body.replace("MODEL", model);
        const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/messages", body));
        const Digest d = digestAnswer(Wire::Anthropic, r.body);
        EXPECT_EQ(r.status, 200) << model << " " << r.body.constData();
        EXPECT_TRUE(d.problems.isEmpty()) << model << " " << d.summary().toStdString();
    }
    const QByteArray image = R"({"model":"m-ge","max_tokens":64,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/cat.PNG?x=1"}},{"type":"text","text":"what is it"}]}]})";
    const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1/messages", image));
    EXPECT_EQ(r.status, 200) << r.body.constData();
    const QJsonObject part = rig.mock.lastRequest().json().value(u"contents").toArray().first().toObject()
                                 .value(u"parts").toArray().first().toObject();
    EXPECT_EQ(part.value(u"fileData").toObject().value(u"fileUri").toString(), s("https://example.com/cat.PNG?x=1"));
    EXPECT_EQ(part.value(u"fileData").toObject().value(u"mimeType").toString(), s("image/png"));

    const QByteArray orphan = R"({"model":"m-ge","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"ghost","content":"boo"}]})";
    const RawResponse o = exchange(rig.tarn.port(), rawPost("/v1/chat/completions", orphan));
    EXPECT_TRUE(o.status == 200 || o.status == 400) << o.statusLine.constData();
    if (o.status == 200) {
        const QByteArray sent = rig.mock.lastRequest().body;
        EXPECT_FALSE(sent.contains(R"("name":"")")) << "a functionResponse without a name: " << sent.constData();
    }
}
