// SPDX-License-Identifier: GPL-3.0-or-later
// The dialog's Test button for every channel type: the probe speaks the channel's own format
// (Anthropic Messages, Gemini generateContent, OpenAI Responses), shows the latency when the
// provider answers, and the provider's own error, with the key redacted, when it refuses.
#include "tests/ui/channels/ChannelsTestFixture.h"

using namespace tarn::test;

namespace {

using ChannelTestButtonTest = ChannelsPageFixture;

Channel typed(const QString &name, ChannelType type, const QString &baseUrl, const QString &model)
{
    Channel c;
    c.name = name;
    c.type = type;
    c.baseUrl = baseUrl;
    c.keys = {QStringLiteral("sk-") + name + QStringLiteral("-secret-0123456789")};
    c.models = {model};
    return c;
}

class TestButton : public ChannelTestButtonTest
{
protected:
    // Opens the channel's dialog, clicks Test and returns the result line once it has one.
    QString runTest(const QString &name)
    {
        if (!page)
            showPage();
        select(name);
        ChannelDialog *dialog = openDialog("editChannelAction");
        EXPECT_NE(dialog, nullptr);
        if (!dialog)
            return {};
        QTest::mouseClick(child<QPushButton>(dialog, "testButton"), Qt::LeftButton);
        auto *result = child<QLabel>(dialog, "testResultLabel");
        const bool answered = QTest::qWaitFor([&] { return result->text().startsWith(QStringLiteral("passed")) || result->text().startsWith(QStringLiteral("failed")); },
                        15000);
        EXPECT_TRUE(answered) << result->text().toStdString();
        const QString text = result->text();
        dialog->reject();
        EXPECT_TRUE(QTest::qWaitFor([&] { return page->findChild<ChannelDialog *>() == nullptr; }, kTimeoutMs));
        return text;
    }
};

TEST_F(TestButton, AnthropicChannelIsTestedWithTheMessagesApi)
{
    MockUpstream upstream;
    seedChannel(typed(QStringLiteral("claude"), ChannelType::Anthropic, upstream.anthropicBaseUrl(), QStringLiteral("claude-test")));
    const QString text = runTest(QStringLiteral("claude"));
    EXPECT_TRUE(text.startsWith(QStringLiteral("passed in "))) << text.toStdString();
    EXPECT_TRUE(text.endsWith(QStringLiteral(" ms"))) << text.toStdString();
    ASSERT_EQ(upstream.requestCount(), 1);
    const MockRequest request = upstream.lastRequest();
    EXPECT_EQ(request.path, QByteArray("/v1/messages"));
    EXPECT_EQ(request.header("x-api-key"), QByteArray("sk-claude-secret-0123456789"));
    EXPECT_FALSE(request.header("anthropic-version").isEmpty());
    EXPECT_EQ(request.json().value(QStringLiteral("model")).toString(), QStringLiteral("claude-test"));
}

TEST_F(TestButton, GeminiChannelIsTestedWithGenerateContent)
{
    MockUpstream upstream;
    seedChannel(typed(QStringLiteral("gemini"), ChannelType::Gemini, upstream.geminiBaseUrl(), QStringLiteral("gemini-test")));
    const QString text = runTest(QStringLiteral("gemini"));
    EXPECT_TRUE(text.startsWith(QStringLiteral("passed in "))) << text.toStdString();
    ASSERT_EQ(upstream.requestCount(), 1);
    EXPECT_TRUE(upstream.lastRequest().path.startsWith("/v1beta/models/gemini-test:generateContent"))
        << upstream.lastRequest().path.toStdString();
}

TEST_F(TestButton, ResponsesChannelIsTestedOnTheResponsesApi)
{
    MockUpstream upstream;
    Channel c = typed(QStringLiteral("codex"), ChannelType::OpenAI, upstream.baseUrl(), QStringLiteral("gpt-codex-test"));
    c.openAiApi = OpenAiApi::Responses;
    seedChannel(c);
    const QString text = runTest(QStringLiteral("codex"));
    EXPECT_TRUE(text.startsWith(QStringLiteral("passed in "))) << text.toStdString();
    ASSERT_EQ(upstream.requestCount(), 1);
    EXPECT_EQ(upstream.lastRequest().path, QByteArray("/v1/responses"));
    EXPECT_EQ(upstream.lastRequest().header("authorization"), QByteArray("Bearer sk-codex-secret-0123456789"));
}

TEST_F(TestButton, ARefusalShowsTheProvidersMessageWithoutTheKey)
{
    MockUpstream upstream;
    // Anthropic's 401, echoing the key it refused as providers do.
    MockBehaviour refused;
    refused.status = 401;
    refused.headers = {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
    refused.body = R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-claude-secret-0123456789"}})";
    upstream.setDefaultBehaviour(refused);
    seedChannel(typed(QStringLiteral("claude"), ChannelType::Anthropic, upstream.anthropicBaseUrl(), QStringLiteral("claude-test")));
    const QString text = runTest(QStringLiteral("claude"));
    EXPECT_TRUE(text.startsWith(QStringLiteral("failed: "))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("HTTP 401: invalid x-api-key"))) << text.toStdString();
    EXPECT_EQ(text.count(QStringLiteral("HTTP 401")), 1) << text.toStdString();
    EXPECT_FALSE(text.contains(QStringLiteral("secret-0123456789"))) << text.toStdString();

    // Gemini's refusal reads the same way.
    MockUpstream gemini;
    MockBehaviour denied;
    denied.status = 403;
    denied.body = R"({"error":{"code":403,"message":"API key not valid. Please pass a valid API key.","status":"PERMISSION_DENIED"}})";
    gemini.setDefaultBehaviour(denied);
    seedChannel(typed(QStringLiteral("gemini"), ChannelType::Gemini, gemini.geminiBaseUrl(), QStringLiteral("gemini-test")));
    const QString geminiText = runTest(QStringLiteral("gemini"));
    EXPECT_TRUE(geminiText.contains(QStringLiteral("HTTP 403: API key not valid"))) << geminiText.toStdString();
}

} // namespace
