// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile clients of the translation layer: Anthropic and Gemini requests cut at every byte and
// framed in chunks split inside their CRLFs, formats pipelined on one connection, keys and models
// smuggled through query strings, percent-encoding, JSON escapes and duplicate keys past a client
// key's model allow-list, and token counting with bodies no tokenizer expects.
#include "tests/integration/AdversarialTranslationSupport.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

#include <gtest/gtest.h>

using namespace tarn::test;
using tarn::gateway::UsageRecord;

namespace {

const bool kWatchdog = (installTestWatchdog(120'000), true);

// A rig with one channel of each format: "m-oa" (OpenAI), "m-an" (Anthropic), "m-ge" (Gemini).
struct ThreeChannels : TranslationRig
{
    explicit ThreeChannels(tarn::gateway::HttpLimits limits = {}) : TranslationRig(limits)
    {
        addChannel(Wire::OpenAI, s("m-oa"));
        addChannel(Wire::Anthropic, s("m-an"));
        addChannel(Wire::Gemini, s("m-ge"));
    }
};

// What a response says, without what varies from run to run.
QString outcome(const RawResponse &r, Wire client, bool stream)
{
    const Digest d = stream ? digestStream(client, r.body) : digestAnswer(client, r.body);
    QString text = QString::number(r.status) + (r.complete ? QString() : s(" incomplete")) + u' ' + d.summary();
    return text;
}

struct SplitTarget
{
    const char *name;
    Wire client;
    const char *model;
    bool stream;
};

} // namespace

// Anthropic and Gemini requests (streamed or not, to channels of other formats) cut at every byte
// and at random points: the same answer, one usage row each, an idle process afterwards.
TEST(AdversarialTranslationSplit, MessagesAndGeminiRequestsAtEverySplit)
{
    ThreeChannels rig;
    ASSERT_TRUE(rig.start());
    const SplitTarget targets[] = {
        {"anthropic to openai", Wire::Anthropic, "m-oa", false},
        {"anthropic stream to gemini", Wire::Anthropic, "m-ge", true},
        {"gemini to anthropic", Wire::Gemini, "m-an", false},
        {"gemini stream to openai", Wire::Gemini, "m-oa", true},
        {"openai stream to anthropic", Wire::OpenAI, "m-an", true},
    };
    QStringList failures;
    for (const SplitTarget &target : targets) {
        const QByteArray bytes = rawRequest(clientCall(target.client, s(target.model), target.stream));
        std::mt19937 rng(caseSeed(target.name));
        const QList<SplitPlan> plans = splitPlans(bytes, rng, 3);
        QString base;
        for (const SplitPlan &plan : plans) {
            const qsizetype before = rig.tarn.usageRows().size();
            RawClient client(rig.tarn.port());
            client.sendPieces(plan.pieces, plan.pauseMs);
            const RawResponse r = client.readResponses(1, 20'000).value(0);
            const QString got = outcome(r, target.client, target.stream);
            const Digest d = target.stream ? digestStream(target.client, r.body) : digestAnswer(target.client, r.body);
            if (r.status != 200 || !d.problems.isEmpty() || d.text != s("Hello from the mock upstream"))
                failures << QString::fromLatin1(target.name) + u", " + plan.name + u": " + got;
            if (base.isEmpty())
                base = got;
            else if (got != base)
                failures << QString::fromLatin1(target.name) + u", " + plan.name + s(" differs from one write: ") + got;
            if (!waitUntil([&] { return rig.tarn.usageRows().size() == before + 1; }, 10'000))
                failures << QString::fromLatin1(target.name) + u", " + plan.name + s(": no usage row");
        }
    }
    EXPECT_TRUE(failures.isEmpty()) << "seed " << kAdversarialSeed << "\n" << failures.join(u'\n').toStdString();
    EXPECT_LT(processCpuMsWhileSleeping(600), 300) << "the idle process burns CPU: a pinned thread?";
}

namespace {

// Chunked bodies cut inside their framing, run in a child: a worker pinned on a partial chunk
// line could not be stopped by the harness.
QStringList chunkedInChild()
{
    auto *rig = new ThreeChannels; // left to _Exit with the child
    if (!rig->start())
        return {s("the gateway did not start")};
    QStringList failures;
    struct Case
    {
        QString name;
        Wire client;
        QList<QByteArray> pieces;
    };
    QList<Case> cases;
    for (const Wire client : {Wire::Anthropic, Wire::Gemini}) {
        const ClientCall call = clientCall(client, s("m-oa"), client == Wire::Gemini);
        const QByteArray head = rawChunkedPost(call.path, {}).chopped(5); // without "0\r\n\r\n"
        const QByteArray body = call.body;
        const QString who = QString::fromLatin1(wireName(client));
        QByteArray everyByte = head;
        for (const char c : body)
            everyByte += "1\r\n" + QByteArray(1, c) + "\r\n";
        cases.append({who + s(": one byte per chunk, one write"), client, {everyByte + "0\r\n\r\n"}});
        const QByteArray framed = head + QByteArray::number(body.size(), 16) + "\r\n" + body + "\r";
        cases.append({who + s(": cut after the chunk's CR"), client, {framed, "\n0\r\n\r\n"}});
        const QByteArray size = QByteArray::number(body.size(), 16);
        cases.append({who + s(": cut inside the chunk-size line"), client,
                      {head + size.left(1), size.mid(1) + "\r", "\n" + body + "\r\n0\r\n\r\n"}});
        cases.append({who + s(": cut inside the last chunk's CRLF CRLF"), client,
                      {head + size + "\r\n" + body + "\r\n0\r\n\r", "\n"}});
    }
    for (const Case &c : std::as_const(cases)) {
        setIsolatedStep(c.name);
        RawClient client(rig->tarn.port());
        for (qsizetype i = 0; i < c.pieces.size(); ++i) {
            client.send(c.pieces.at(i));
            if (i + 1 < c.pieces.size()) {
                const qint64 cpu = processCpuMsWhileSleeping(400); // the client pauses mid-frame
                if (cpu > 300)
                    failures << c.name + QStringLiteral(": %1 ms of CPU while the client paused: a spinning worker").arg(cpu);
            }
        }
        const RawResponse r = client.readResponses(1, 20'000).value(0);
        const bool stream = c.client == Wire::Gemini;
        const Digest d = stream ? digestStream(c.client, r.body) : digestAnswer(c.client, r.body);
        if (r.status != 200 || !d.problems.isEmpty() || d.text != s("Hello from the mock upstream"))
            failures << c.name + s(": ") + outcome(r, c.client, stream);
    }
    return failures;
}

} // namespace

TEST(AdversarialTranslationSplit, ChunkedBodiesSplitInsideTheirFraming)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(runIsolated(90'000, chunkedInChild), ::testing::ExitedWithCode(0), "")
        << "exit code 3 = the child hung (see its step above)";
}

// Five requests in three formats written back to back on one keep-alive connection, in one write
// and cut at random points: five answers, in order, each in its own format.
TEST(AdversarialTranslationSplit, PipelinedFormatsOnOneConnection)
{
    ThreeChannels rig;
    ASSERT_TRUE(rig.start());
    struct Item
    {
        Wire client;
        bool stream;
        QByteArray bytes;
    };
    QList<Item> items{
        {Wire::Anthropic, true, rawRequest(clientCall(Wire::Anthropic, s("m-oa"), true))},
        {Wire::Gemini, false, rawRequest(clientCall(Wire::Gemini, s("m-an"), false))},
        {Wire::OpenAI, false, rawRequest(clientCall(Wire::OpenAI, s("m-ge"), false))},
        {Wire::Gemini, true, rawRequest(clientCall(Wire::Gemini, s("m-oa"), true))},
    };
    const QByteArray count = R"({"model":"m-ge","messages":[{"role":"user","content":"count me"}]})";
    QByteArray all;
    for (const Item &item : std::as_const(items))
        all += item.bytes;
    all += rawPost("/v1/messages/count_tokens", count);
    std::mt19937 rng(caseSeed("pipelined formats"));
    QList<SplitPlan> plans = splitPlans(all, rng, 4, 0);
    QStringList failures;
    for (const SplitPlan &plan : std::as_const(plans)) {
        RawClient client(rig.tarn.port());
        client.sendPieces(plan.pieces, plan.pauseMs);
        const QList<RawResponse> responses = client.readResponses(5, 30'000);
        if (responses.size() != 5) {
            failures << plan.name + QStringLiteral(": %1 responses of 5").arg(responses.size());
            continue;
        }
        for (qsizetype i = 0; i < items.size(); ++i) {
            const RawResponse &r = responses.at(i);
            const Digest d = items.at(i).stream ? digestStream(items.at(i).client, r.body) : digestAnswer(items.at(i).client, r.body);
            if (r.status != 200 || !d.problems.isEmpty() || d.text != s("Hello from the mock upstream"))
                failures << plan.name + QStringLiteral(" #%1: ").arg(i) + outcome(r, items.at(i).client, items.at(i).stream);
        }
        if (responses.at(4).status != 200 || QJsonDocument::fromJson(responses.at(4).body).object().value(u"input_tokens").toInt() <= 0)
            failures << plan.name + s(" count_tokens: ") + QString::fromUtf8(responses.at(4).statusLine + ' ' + responses.at(4).body);
    }
    EXPECT_TRUE(failures.isEmpty()) << failures.join(u'\n').toStdString();
    EXPECT_EQ(rig.rowsWhenAtLeast(int(plans.size() * 4)).size(), plans.size() * 4) << "one row per completion, none for counts";
}

// The key in the query string: the first `key` counts, junk and NULs are refused in Gemini's
// shape, and a header key beats an empty query one.
TEST(AdversarialTranslationAuth, QueryStringKeysTwiceAndPercentJunk)
{
    ThreeChannels rig;
    const QString key = rig.tarn.createKey(s("gemini-cli"));
    ASSERT_TRUE(rig.start());
    const ClientCall call = clientCall(Wire::Gemini, s("m-oa"), false);
    const auto send = [&](const QByteArray &query, const QByteArray &headers = {}) {
        return exchange(rig.tarn.port(), rawPost(QByteArray(call.path + query), call.body, headers));
    };
    EXPECT_EQ(send("?key=" + key.toUtf8() + "&key=tarn-junk").status, 200);
    EXPECT_EQ(send("?alt=json&key=" + QUrl::toPercentEncoding(key) + "&key=").status, 200);
    EXPECT_EQ(send("?key=&key=tarn-junk", "x-goog-api-key: " + key.toUtf8() + "\r\n").status, 200);
    const QList<QByteArray> refused{QByteArray("?key=tarn-junk&key=") + key.toUtf8(), QByteArray("?key=%ZZ%%25%"),
                                    QByteArray("?key=" + key.toUtf8() + "%00"), QByteArray("?key=" + key.toUtf8() + "%0d%0aX-Evil:%201"),
                                    QByteArray("?key=%E2%80%AE%FF%FE")};
    for (const QByteArray &query : refused) {
        const RawResponse r = send(query);
        EXPECT_EQ(r.status, 401) << query.constData();
        const Digest d = digestAnswer(Wire::Gemini, r.body);
        EXPECT_EQ(d.errorType, s("UNAUTHENTICATED")) << r.body.constData();
        EXPECT_EQ(d.errorCode, 401);
        EXPECT_TRUE(r.header("x-evil").isEmpty());
    }
    for (const UsageRecord &row : rig.tarn.usageRows())
        EXPECT_FALSE(row.error.contains(key)) << "a client key in a usage row";
    ASSERT_GT(rig.mock.requestCount(), 0);
    for (const MockRequest &sent : rig.mock.requests()) { // the client's key is never the provider's business
        EXPECT_FALSE(sent.path.contains(key.toUtf8()) || sent.body.contains(key.toUtf8())) << sent.path.constData();
        for (const auto &[name, value] : sent.headers)
            EXPECT_FALSE(value.contains(key.toUtf8())) << name.constData();
    }
    EXPECT_EQ(exchange(rig.tarn.port(), rawGet("/health")).status, 200);
}

// Models in a Gemini URL that no channel serves, however written: Gemini's 404, nothing upstream.
TEST(AdversarialTranslationAuth, GeminiUrlModelsThatAreNotModels)
{
    ThreeChannels rig;
    ASSERT_TRUE(rig.start());
    const QByteArray body = clientCall(Wire::Gemini, s("m-oa"), false).body;
    const QByteArray paths[] = {
        "/v1beta/models/m-ge%2F..%2F..%2Fv1%2Fchat%2Fcompletions:generateContent",
        "/v1beta/models/..:generateContent",
        "/v1beta/models/../models/m-oa:generateContent",
        "/v1beta/models/:generateContent",
        "/v1beta/models/%00:streamGenerateContent?alt=sse",
        "/v1beta/models/m-ge%3AgenerateContent",
        "/v1beta/models/m-ge:generateContent:generateContent",
        "/v1beta/models/" + QByteArray(10 * 1024, 'x') + ":generateContent",
        "/v1beta/models/%ZZ%:generateContent",
    };
    for (const QByteArray &path : paths) {
        const RawResponse r = exchange(rig.tarn.port(), rawPost(path, body));
        EXPECT_TRUE(r.status == 404 || r.status == 400) << path.left(120).constData() << " → " << r.statusLine.constData();
        const Digest d = digestAnswer(Wire::Gemini, r.body);
        EXPECT_TRUE(d.errored && d.problems.isEmpty()) << path.left(120).constData() << ": " << r.body.left(200).constData();
        EXPECT_EQ(d.errorCode, r.status);
    }
    EXPECT_EQ(rig.mock.requestCount(), 0) << rig.mock.lastRequest().path.constData();
    // Percent-encoding of ordinary characters is only spelling.
    EXPECT_EQ(exchange(rig.tarn.port(), rawPost("/v1beta/models/m%2Doa:generateContent", body)).status, 200);
}

namespace {

// A rig whose client key may use "m-oa" only.
struct RestrictedRig : ThreeChannels
{
    RestrictedRig()
    {
        key = tarn.createKey(s("only-oa"), {s("m-oa")}).toUtf8();
        started = start();
    }
    RawResponse post(const QByteArray &path, const QByteArray &body, const QByteArray &how = "x-api-key")
    {
        QByteArray headers = "anthropic-version: 2023-06-01\r\n";
        QByteArray target = path;
        if (how == "query")
            target += (path.contains('?') ? "&key=" : "?key=") + key;
        else
            headers += how + ": " + key + "\r\n";
        return exchange(tarn.port(), rawPost(target, body, headers));
    }
    QByteArray key;
    bool started = false;
};

const QByteArray kMessages = R"("messages":[{"role":"user","content":"hi"}])";

} // namespace

// A key restricted to m-oa never reaches another model: not by a duplicate key, a JSON escape, a
// Gemini URL against a body member, nor percent-encoding.
TEST(AdversarialTranslationAuth, AllowListHoldsAgainstDuplicatesEscapesAndUrls)
{
    RestrictedRig rig;
    ASSERT_TRUE(rig.started);
    struct Refused
    {
        QByteArray path;
        QByteArray body;
        int status;
        QByteArray how;
    };
    const QByteArray gemini = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
    const QList<Refused> refused{
        {"/v1/messages", R"({"model":"m-oa","model":"m-an","max_tokens":9,)" + kMessages + "}", 400, "x-api-key"},
        {"/v1/messages", R"({"model":"m-an","model":"m-oa","max_tokens":9,)" + kMessages + "}", 400, "x-api-key"},
        {"/v1/messages", R"({"model":"m-oa","mod\u0065l":"m-an","max_tokens":9,)" + kMessages + "}", 400, "x-api-key"},
        {"/v1/messages", R"({"\u006dodel":"m-an","model":"m-oa","max_tokens":9,)" + kMessages + "}", 400, "x-api-key"},
        {"/v1/messages", R"({"model":"m-\u0061n","max_tokens":9,)" + kMessages + "}", 403, "authorization"},
        {"/v1/messages", R"({"model":"m-oa","max_tokens":9,"max_tokens":10,)" + kMessages + "}", 400, "x-api-key"},
        {"/v1/messages", R"({"model":"m-oa","stream":false,"stream":true,"max_tokens":9,)" + kMessages + "}", 400, "x-api-key"},
        {"/v1/messages/count_tokens", R"({"model":"m-an",)" + kMessages + "}", 403, "x-api-key"},
        {"/v1/messages/count_tokens", R"({"model":"m-oa","model":"m-an",)" + kMessages + "}", 400, "x-api-key"},
        {"/v1/chat/completions", R"({"model":"m-oa","model":"m-an",)" + kMessages + "}", 400, "authorization"},
        {"/v1beta/models/m-an:generateContent", R"({"model":"m-oa",)" + gemini.mid(1), 403, "x-goog-api-key"},
        {"/v1beta/models/m-%61n:generateContent", gemini, 403, "query"},
        {"/v1beta/models/m%2dan:streamGenerateContent?alt=sse", gemini, 403, "query"},
        {"/v1beta/models/m-an:countTokens", gemini, 403, "x-goog-api-key"},
        {"/v1beta/models/m-an:countTokens", R"({"generateContentRequest":{"model":"models/m-oa",)" + gemini.mid(1) + "}", 403, "x-goog-api-key"},
    };
    for (const Refused &r : refused) {
        const RawResponse answer = rig.post(r.path, r.body, r.how);
        EXPECT_EQ(answer.status, r.status) << r.path.constData() << " " << r.body.constData() << " → " << answer.body.constData();
    }
    EXPECT_EQ(rig.mock.requestCount(), 0) << "a refused request reached " << rig.mock.lastRequest().path.constData();

    // The same model however spelled is allowed, and goes to m-oa's channel.
    const QList<Refused> allowed{
        {"/v1/messages", R"({"model":"m-\u006fa","max_tokens":9,)" + kMessages + "}", 200, "x-api-key"},
        {"/v1beta/models/m-%6Fa:generateContent", gemini, 200, "query"},
        {"/v1beta/models/m-oa:generateContent", R"({"model":"m-an",)" + gemini.mid(1), 200, "x-goog-api-key"},
    };
    for (const Refused &r : allowed) {
        const RawResponse answer = rig.post(r.path, r.body, r.how);
        EXPECT_EQ(answer.status, 200) << r.path.constData() << " → " << answer.body.constData();
        EXPECT_EQ(rig.mock.lastRequest().path, QByteArrayLiteral("/v1/chat/completions"));
        EXPECT_EQ(rig.mock.lastRequest().json().value(u"model").toString(), s("openai-up"));
    }
    for (const MockRequest &sent : rig.mock.requests())
        EXPECT_FALSE(sent.body.contains("m-an") || sent.path.contains("anthropic-up") || sent.path.contains("gemini-up"));
}

// A Gemini body's own "model" member never reaches the upstream: the URL's model was authorised.
TEST(AdversarialTranslationAuth, GeminiPassThroughNeverForwardsABodyModel)
{
    TranslationRig rig;
    rig.addChannel(Wire::Gemini, s("gemini-2.5-flash"), s("gemini-2.5-flash")); // no mapping: the body goes as sent
    const QByteArray key = rig.tarn.createKey(s("flash-only"), {s("gemini-2.5-flash")}).toUtf8();
    ASSERT_TRUE(rig.start());
    const QByteArray body = R"({"model":"models/gemini-2.5-pro","contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
    const RawResponse r = exchange(rig.tarn.port(), rawPost("/v1beta/models/gemini-2.5-flash:generateContent", body,
                                                             QByteArray("x-goog-api-key: " + key + "\r\n")));
    ASSERT_EQ(r.status, 200) << r.body.constData();
    const MockRequest sent = rig.mock.lastRequest();
    EXPECT_EQ(sent.path, QByteArrayLiteral("/v1beta/models/gemini-2.5-flash:generateContent"));
    const QJsonValue model = sent.json().value(u"model");
    EXPECT_TRUE(model.isUndefined() || model.toString().endsWith(u"gemini-2.5-flash"))
        << "the provider was sent model " << model.toString().toStdString() << " under a key limited to gemini-2.5-flash";
}

// The model list a restricted key sees in Anthropic's shape holds its models only.
TEST(AdversarialTranslationAuth, AnthropicModelListHonoursTheAllowList)
{
    RestrictedRig rig;
    ASSERT_TRUE(rig.started);
    const RawResponse r = exchange(rig.tarn.port(), rawGet("/v1/models", QByteArray("anthropic-version: 2023-06-01\r\nx-api-key: " + rig.key + "\r\n")));
    ASSERT_EQ(r.status, 200);
    const QJsonObject list = QJsonDocument::fromJson(r.body).object();
    QStringList ids;
    for (const QJsonValue model : list.value(u"data").toArray())
        ids << model.toObject().value(u"id").toString();
    EXPECT_EQ(ids, QStringList{s("m-oa")});
    EXPECT_EQ(list.value(u"first_id").toString(), s("m-oa"));
    const RawResponse wrong = exchange(rig.tarn.port(), rawGet("/v1/models", "anthropic-version: 2023-06-01\r\nx-api-key: tarn-nope\r\n"));
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(digestAnswer(Wire::Anthropic, wrong.body).errorType, s("authentication_error"));
}
