// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile JSON bodies: duplicate keys that would let a request reach the provider as something
// else than what Tarn checked, broken encodings, absurd nesting and sizes, wrong types. Each gets
// a definite answer in OpenAI's error shape (or is forwarded intact) and exactly one usage row.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/TestWatchdog.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

const bool kWatchdog = (installTestWatchdog(120'000), true);

const QByteArray kMessages = R"("messages":[{"role":"user","content":"Say hello in five words"}])";

struct JsonCase
{
    const char *name;
    QByteArray body;
    int status;                 // expected answer
    QString messageContains;    // non-empty: the error message must contain it (case-insensitive)
};

void PrintTo(const JsonCase &c, std::ostream *os)
{
    *os << c.name;
}

std::string jsonCaseName(const ::testing::TestParamInfo<JsonCase> &info)
{
    return info.param.name;
}

QByteArray nested(int levels, const QByteArray &open, const QByteArray &inner, const QByteArray &close)
{
    return open.repeated(levels) + inner + close.repeated(levels);
}

struct JsonRig
{
    JsonRig()
    {
        tarn.addChannel(QStringLiteral("main"), mock.baseUrl(),
                        {QStringLiteral("gpt-x"), QStringLiteral("cheap-model"), QStringLiteral("gpt-5-pro")});
        started = tarn.start();
    }

    HttpResult post(const QByteArray &body, const HttpHeaders &headers = {}, int timeoutMs = 15'000)
    {
        HttpTestClient client;
        return client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")), body, headers, timeoutMs);
    }

    MockUpstream mock;
    GatewayHarness tarn;
    bool started = false;
};

// An answer in OpenAI's error shape with the given status; the provider never saw the request;
// one usage row with the same status.
void expectRejected(JsonRig &rig, const HttpResult &r, int status, const QString &messageContains = {})
{
    EXPECT_EQ(r.status, status) << r.body.left(400).constData();
    const QJsonObject error = r.json().value(u"error").toObject();
    EXPECT_FALSE(error.value(u"message").toString().isEmpty()) << "not OpenAI's error shape: " << r.body.left(400).constData();
    EXPECT_EQ(error.value(u"type").toString(), QStringLiteral("invalid_request_error")) << r.body.left(400).constData();
    if (!messageContains.isEmpty()) {
        EXPECT_TRUE(error.value(u"message").toString().contains(messageContains, Qt::CaseInsensitive))
            << "message: " << error.value(u"message").toString().toStdString();
    }
    EXPECT_EQ(rig.mock.requestCount(), 0) << "the provider received: " << rig.mock.lastRequest().body.left(300).constData();
    const auto rows = rig.tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, status);
}

} // namespace

class AdversarialJson : public ::testing::TestWithParam<JsonCase>
{
};

TEST_P(AdversarialJson, RejectedInOpenAisErrorShape)
{
    JsonRig rig;
    ASSERT_TRUE(rig.started);
    const JsonCase &c = GetParam();
    expectRejected(rig, rig.post(c.body), c.status, c.messageContains);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, AdversarialJson,
    ::testing::Values(
        JsonCase{"DuplicateModel", R"({"model":"gpt-x",)" + kMessages + R"(,"model":"gpt-5-pro"})", 400,
                 QStringLiteral("duplicate")},
        JsonCase{"DuplicateStream", R"({"model":"gpt-x","stream":false,)" + kMessages + R"(,"stream":true})", 400, {}},
        JsonCase{"DuplicateStreamOptions",
                 R"({"model":"gpt-x","stream":true,"stream_options":{"include_usage":false},)" + kMessages
                     + R"(,"stream_options":{"include_usage":true}})",
                 400, {}},
        JsonCase{"NonUtf8InAString",
                 R"({"model":"gpt-x","messages":[{"role":"user","content":"bad )" "\xff\xfe\xc0\xaf" R"( bytes"}]})",
                 400, {}},
        JsonCase{"HundredThousandNestingLevels",
                 R"({"model":"gpt-x","messages":[{"role":"user","content":"hi","x":)"
                     + nested(100'000, "[", "1", "]") + "}]}",
                 400, {}},
        JsonCase{"ModelIsANumber", R"({"model":123,)" + kMessages + "}", 400, {}},
        JsonCase{"StreamIsAString", R"({"model":"gpt-x","stream":"yes",)" + kMessages + "}", 400, {}},
        JsonCase{"EmptyBody", QByteArray(), 400, {}},
        JsonCase{"TopLevelArray", "[" R"({"model":"gpt-x",)" + kMessages + "}]", 400, {}}),
    jsonCaseName);

TEST(AdversarialJsonKey, DuplicateModelCannotSmuggleAModelTheKeyMayNotUse)
{
    JsonRig rig;
    ASSERT_TRUE(rig.started);
    const QString key = rig.tarn.createKey(QStringLiteral("k"), {QStringLiteral("cheap-model")});
    rig.tarn.reloadConfig();
    const QByteArray body = R"({"model":"cheap-model",)" + kMessages + R"(,"model":"gpt-5-pro"})";
    const HttpResult r = rig.post(body, {{"Authorization", "Bearer " + key.toUtf8()}});
    for (const MockRequest &sent : rig.mock.requests())
        EXPECT_FALSE(sent.body.contains("gpt-5-pro")) << "reached the provider as: " << sent.body.constData();
    expectRejected(rig, r, 400);
}

TEST(AdversarialJsonKey, TheSameKeyStillWorksForItsModel)
{
    // The control for the test above: the key and channel are fine, only the duplicate is not.
    JsonRig rig;
    ASSERT_TRUE(rig.started);
    const QString key = rig.tarn.createKey(QStringLiteral("k"), {QStringLiteral("cheap-model")});
    rig.tarn.reloadConfig();
    const HttpResult r = rig.post(R"({"model":"cheap-model",)" + kMessages + "}",
                                  {{"Authorization", "Bearer " + key.toUtf8()}});
    EXPECT_EQ(r.status, 200) << r.body.left(300).constData();
    EXPECT_EQ(rig.mock.requestCount(), 1);
}

TEST(AdversarialJsonForwarded, ThousandNestingLevelsInsideAMessageAreForwarded)
{
    JsonRig rig;
    ASSERT_TRUE(rig.started);
    const QByteArray body = R"({"model":"gpt-x","messages":[{"role":"user","content":"hi","x":)"
                            + nested(1000, R"({"a":)", "1", "}") + "}]}";
    const HttpResult r = rig.post(body);
    EXPECT_EQ(r.status, 200) << r.body.left(300).constData();
    ASSERT_EQ(rig.mock.requestCount(), 1);
    EXPECT_TRUE(rig.mock.lastRequest().body == body) << "the body was not forwarded intact";
    const auto rows = rig.tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
}

TEST(AdversarialJsonForwarded, TenMegabyteStringIsForwardedIntact)
{
    JsonRig rig;
    ASSERT_TRUE(rig.started);
    QByteArray content(10 * 1000 * 1000, 'x');
    for (qsizetype i = 0; i < content.size(); i += 997)
        content[i] = char('a' + i % 26); // not one run of a single byte, so a mangled copy shows
    const QByteArray body = R"({"model":"gpt-x","messages":[{"role":"user","content":")" + content + R"("}]})";
    const HttpResult r = rig.post(body, {}, 60'000);
    EXPECT_EQ(r.status, 200) << r.error.toStdString() << r.body.left(300).constData();
    ASSERT_EQ(rig.mock.requestCount(), 1);
    const QByteArray received = rig.mock.lastRequest().body;
    EXPECT_EQ(received.size(), body.size());
    EXPECT_TRUE(received == body) << "the 10 MB body changed on its way";
    const auto rows = rig.tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].promptTokens, content.size() / 4 + 7); // the mock's formula
}
