// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn channel test` against a mock upstream on 127.0.0.1: the request each key gets, pass and
// fail, redaction, re-enabling a disabled key, and the cases it refuses.
#include "CliTestSupport.h"

#include "tests/support/MockUpstream.h"

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

class ChannelTestCommandTest : public tarn::gateway::test::CliTest
{
protected:
    void SetUp() override
    {
        CliTest::SetUp();
        const auto o = run({s("channel"), s("add"), s("--name"), s("mock"), s("--type"), s("openai"), s("--base-url"),
                            m_mock.baseUrl(), s("--key"), s("sk-good-key-111111"), s("--key"), s("sk-bad-key-2222222"),
                            s("--models"), s("mock-model,mock-big"), s("--header"), s("X-Team=qa")});
        ASSERT_EQ(o.code, 0) << o;
    }

    Channel channel(const QString &name)
    {
        auto db = openDb();
        return *ChannelRepository(*db).findByName(name);
    }

    tarn::test::MockUpstream m_mock;
    const QString m_good = keyId(QStringLiteral("sk-good-key-111111"));
    const QString m_bad = keyId(QStringLiteral("sk-bad-key-2222222"));
};

TEST_F(ChannelTestCommandTest, EveryKeyGetsAMinimalRealRequest)
{
    const auto o = run({s("channel"), s("test"), s("mock")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"Testing channel 'mock' with model mock-model")) << o;
    EXPECT_EQ(o.out.count(u"pass"), 2) << o;
    EXPECT_FALSE(o.out.contains(u"sk-good-key-111111")) << o;
    ASSERT_EQ(m_mock.requestCount(), 2);
    QStringList auths;
    for (const auto &request : m_mock.requests()) {
        EXPECT_EQ(request.path, QByteArrayLiteral("/v1/chat/completions"));
        EXPECT_EQ(request.header("X-Team"), QByteArrayLiteral("qa"));
        const QJsonObject body = request.json();
        EXPECT_EQ(body.value(s("model")).toString(), s("mock-model"));
        EXPECT_EQ(body.value(s("max_tokens")).toInt(), 1);
        EXPECT_FALSE(body.value(s("stream")).toBool(false));
        EXPECT_EQ(body.value(s("messages")).toArray().at(0).toObject().value(s("content")).toString(), s("ping"));
        auths << QString::fromLatin1(request.header("Authorization"));
    }
    auths.sort();
    EXPECT_EQ(auths, (QStringList{s("Bearer sk-bad-key-2222222"), s("Bearer sk-good-key-111111")}));

    // --model and the channel's test model choose the model.
    m_mock.clearRequests();
    ASSERT_EQ(run({s("channel"), s("test"), s("mock"), s("--key"), m_good, s("--model"), s("mock-big")}).code, 0);
    EXPECT_EQ(m_mock.lastRequest().json().value(s("model")).toString(), s("mock-big"));
    ASSERT_EQ(run({s("channel"), s("set"), s("mock"), s("--test-model"), s("mock-big")}).code, 0);
    ASSERT_EQ(run({s("channel"), s("test"), s("mock"), s("--key"), m_good}).code, 0);
    EXPECT_EQ(m_mock.lastRequest().json().value(s("model")).toString(), s("mock-big"));
}

TEST_F(ChannelTestCommandTest, ARejectedKeyFailsWithTheUpstreamsWordsAndStaysDisabled)
{
    {
        auto db = openDb();
        ASSERT_TRUE(ChannelRepository(*db).setKeyDisabled(channel(s("mock")).id, m_bad, s("401 seen by the gateway")).ok());
    }
    tarn::test::MockBehaviour rejected;
    rejected.status = 401;
    rejected.body = R"({"error":{"message":"Incorrect API key provided: sk-bad-key-2222222","type":"invalid_request_error"}})";
    rejected.headers = {{"Content-Type", "application/json"}};
    m_mock.pushBehaviour(rejected);

    const auto o = run({s("channel"), s("test"), s("mock"), s("--key"), m_bad});
    expectRuntimeError(o, s("failed the test"));
    EXPECT_TRUE(o.out.contains(u"401")) << o;
    EXPECT_TRUE(o.out.contains(u"FAIL")) << o;
    EXPECT_TRUE(o.out.contains(u"HTTP 401: Incorrect API key provided")) << o;
    EXPECT_FALSE(o.out.contains(u"sk-bad-key-2222222")) << "the echoed key is redacted: " << o;
    EXPECT_EQ(channel(s("mock")).disabledKeys.value(m_bad), s("401 seen by the gateway"));

    m_mock.pushBehaviour(rejected);
    const auto j = run({s("channel"), s("test"), s("mock"), s("--key"), m_bad, s("--json")});
    EXPECT_EQ(j.code, 1) << j;
    const QJsonObject root = json(j.out).object();
    EXPECT_FALSE(root.value(s("passed")).toBool());
    const QJsonObject result = root.value(s("results")).toArray().at(0).toObject();
    EXPECT_EQ(result.value(s("key_id")).toString(), m_bad);
    EXPECT_EQ(result.value(s("status")).toInt(), 401);
    EXPECT_FALSE(result.value(s("passed")).toBool());
    EXPECT_TRUE(result.value(s("error")).toString().startsWith(u"HTTP 401: Incorrect API key provided"));
    EXPECT_FALSE(result.value(s("reenabled")).toBool());
}

TEST_F(ChannelTestCommandTest, APassingTestReEnablesADisabledKey)
{
    {
        auto db = openDb();
        ASSERT_TRUE(ChannelRepository(*db).setKeyDisabled(channel(s("mock")).id, m_good, s("403")).ok());
    }
    const auto o = run({s("channel"), s("test"), s("mock"), s("--key"), m_good, s("--json")});
    ASSERT_EQ(o.code, 0) << o;
    const QJsonObject result = json(o.out).object().value(s("results")).toArray().at(0).toObject();
    EXPECT_TRUE(result.value(s("passed")).toBool());
    EXPECT_EQ(result.value(s("status")).toInt(), 200);
    EXPECT_TRUE(result.value(s("reenabled")).toBool());
    EXPECT_GE(result.value(s("latency_ms")).toInteger(), 0);
    EXPECT_TRUE(channel(s("mock")).disabledKeys.isEmpty());
}

TEST_F(ChannelTestCommandTest, OneKeyPassingIsEnoughAndUnreachableUpstreamsFail)
{
    tarn::test::MockBehaviour failing;
    failing.status = 500;
    m_mock.setDefaultBehaviour(failing);
    tarn::test::MockBehaviour ok;
    m_mock.pushBehaviour(ok); // the first request to arrive passes, whichever key it carries
    const auto o = run({s("channel"), s("test"), s("mock")});
    EXPECT_EQ(o.code, 0) << o;
    EXPECT_EQ(o.out.count(u"pass"), 1) << o;
    EXPECT_EQ(o.out.count(u"FAIL"), 1) << o;

    // Nothing listens on port 1.
    ASSERT_EQ(run({s("channel"), s("set"), s("mock"), s("--base-url"), QStringLiteral("http://127.0.0.1:1/v1")}).code, 0);
    const auto down = run({s("channel"), s("test"), s("mock")});
    expectRuntimeError(down, s("every key failed"));
    EXPECT_TRUE(down.out.contains(u"cannot connect")) << down;
}

TEST_F(ChannelTestCommandTest, AnthropicAndGeminiChannelsAreProbedInTheirOwnFormat)
{
    ASSERT_EQ(run({s("channel"), s("add"), s("--name"), s("claude"), s("--type"), s("anthropic"), s("--base-url"),
                   m_mock.anthropicBaseUrl() + s("/v1"), s("--key"), s("sk-ant-123456789"), s("--models"), s("claude-x")})
                  .code,
              0);
    const auto claude = run({s("channel"), s("test"), s("claude")});
    ASSERT_EQ(claude.code, 0) << claude;
    const auto anthropicRequest = m_mock.lastRequest();
    EXPECT_EQ(anthropicRequest.path, QByteArrayLiteral("/v1/messages")); // the pasted /v1 is not doubled
    EXPECT_EQ(anthropicRequest.header("x-api-key"), QByteArrayLiteral("sk-ant-123456789"));
    EXPECT_FALSE(anthropicRequest.header("anthropic-version").isEmpty());
    EXPECT_EQ(anthropicRequest.json().value(s("max_tokens")).toInt(), 1);

    ASSERT_EQ(run({s("channel"), s("add"), s("--name"), s("gem"), s("--type"), s("gemini"), s("--base-url"),
                   m_mock.geminiBaseUrl(), s("--key"), s("AIza-test-key-1234"), s("--models"), s("gemini-x")})
                  .code,
              0);
    const auto gem = run({s("channel"), s("test"), s("gem")});
    ASSERT_EQ(gem.code, 0) << gem;
    const auto geminiRequest = m_mock.lastRequest();
    EXPECT_EQ(geminiRequest.path, QByteArrayLiteral("/v1beta/models/gemini-x:generateContent"));
    EXPECT_EQ(geminiRequest.header("x-goog-api-key"), QByteArrayLiteral("AIza-test-key-1234"));
    EXPECT_FALSE(gem.out.contains(u"AIza-test-key-1234")) << gem;
}

TEST_F(ChannelTestCommandTest, UnknownKeysAndChannelsAreClearErrors)
{
    expectRuntimeError(run({s("channel"), s("test"), s("mock"), s("--key"), s("k-nope")}), s("has no key 'k-nope'"));
    expectRuntimeError(run({s("channel"), s("test"), s("ghost")}), s("no channel named 'ghost'"));
    expectUsageError(run({s("channel"), s("test")}), s("needs a channel name"));
    EXPECT_EQ(m_mock.requestCount(), 0);
}

} // namespace

TEST_F(ChannelTestCommandTest, A200CarryingAnErrorIsNoPass)
{
    // MiniMax answers a bad key with HTTP 200 and base_resp: passing it would re-enable a key the
    // gateway just disabled, again and again.
    {
        auto db = openDb();
        ASSERT_TRUE(ChannelRepository(*db).setKeyDisabled(channel(s("mock")).id, m_bad, s("login fail")).ok());
    }
    tarn::test::MockBehaviour disguised;
    disguised.status = 200;
    disguised.body = R"({"base_resp":{"status_code":1004,"status_msg":"login fail: Please carry the API secret key"}})";
    disguised.headers = {{"Content-Type", "application/json"}};
    m_mock.pushBehaviour(disguised);
    const auto o = run({s("channel"), s("test"), s("mock"), s("--key"), m_bad});
    expectRuntimeError(o, s("failed the test"));
    EXPECT_TRUE(o.out.contains(u"FAIL")) << o;
    EXPECT_TRUE(o.out.contains(u"login fail")) << o;
    EXPECT_EQ(channel(s("mock")).disabledKeys.value(m_bad), s("login fail"));
}
