// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn channel add|set|show|list` with --api (which OpenAI API an openai channel is called with),
// the refusals, and its trip through export/import.
#include "CliTestSupport.h"

#include <QFile>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

class ChannelApiCommandsTest : public tarn::gateway::test::CliTest
{
protected:
    Channel channel(const QString &name = s("main"), const QString &dir = {})
    {
        auto db = openDb(dir);
        auto c = ChannelRepository(*db).findByName(name);
        EXPECT_TRUE(c.ok());
        return c.ok() ? *c : Channel{};
    }

    tarn::gateway::test::CommandOutput set(const QString &name, const QStringList &flags)
    {
        return run(QStringList{s("channel"), s("set"), name} + flags);
    }

    QStringList addAnthropic(const QString &name) const
    {
        return {s("channel"), s("add"), s("--name"), name, s("--type"), s("anthropic"), s("--base-url"),
                s("https://api.anthropic.com"), s("--key"), s("sk-ant-123456789"), s("--models"), s("claude-sonnet-4")};
    }

    QString writeFile(const QString &name, const QByteArray &content)
    {
        const QString file = m_dir.filePath(name);
        QFile f(file);
        EXPECT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(content);
        return file;
    }
};

TEST_F(ChannelApiCommandsTest, AddDefaultsToChatAndTakesEitherApi)
{
    ASSERT_EQ(run(addArgs(s("main"))).code, 0);
    EXPECT_EQ(channel().openAiApi, OpenAiApi::Chat);
    const auto o = run(addArgs(s("codex")) + QStringList{s("--api"), s("responses")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_EQ(channel(s("codex")).openAiApi, OpenAiApi::Responses);
    ASSERT_EQ(run(addArgs(s("explicit")) + QStringList{s("--api=chat")}).code, 0);
    EXPECT_EQ(channel(s("explicit")).openAiApi, OpenAiApi::Chat);
    // chat is every type's only API, so saying so on another type is harmless.
    ASSERT_EQ(run(addAnthropic(s("claude")) + QStringList{s("--api"), s("chat")}).code, 0);
    EXPECT_EQ(channel(s("claude")).openAiApi, OpenAiApi::Chat);
}

TEST_F(ChannelApiCommandsTest, SetSwitchesTheApiAndLeavesItAloneOtherwise)
{
    ASSERT_EQ(run(addArgs(s("main"))).code, 0);
    ASSERT_EQ(set(s("main"), {s("--api"), s("responses")}).code, 0);
    EXPECT_EQ(channel().openAiApi, OpenAiApi::Responses);
    ASSERT_EQ(set(s("main"), {s("--priority"), s("3")}).code, 0);
    EXPECT_EQ(channel().openAiApi, OpenAiApi::Responses) << "a set without --api keeps it";
    EXPECT_EQ(channel().priority, 3);
    ASSERT_EQ(set(s("main"), {s("--api"), s("chat")}).code, 0);
    EXPECT_EQ(channel().openAiApi, OpenAiApi::Chat);
}

TEST_F(ChannelApiCommandsTest, RefusesUnknownApisAndResponsesOffOpenAi)
{
    ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--api"), s("responses")}).code, 0);
    ASSERT_EQ(run(addAnthropic(s("claude"))).code, 0);
    const QString before = snapshot();
    const Channel main = channel();
    const Channel claude = channel(s("claude"));

    for (const char *bad : {"assistants", "", "chat-completions", "response"}) {
        SCOPED_TRACE(bad);
        expectUsageError(set(s("main"), {s("--api"), s(bad)}), s("--api must be chat or responses"));
        expectUsageError(run(addArgs(s("other")) + QStringList{s("--api"), s(bad)}), s("--api must be chat or responses"));
    }
    expectUsageError(set(s("main"), {s("--api")}), s("needs a value"));

    expectUsageError(set(s("claude"), {s("--api"), s("responses")}),
                     s("--api responses is only for openai channels, and 'claude' is anthropic"));
    expectUsageError(run(addAnthropic(s("other")) + QStringList{s("--api"), s("responses")}),
                     s("only for openai channels"));
    expectUsageError(run({s("channel"), s("add"), s("--name"), s("gem"), s("--type"), s("gemini"), s("--api"), s("responses"),
                          s("--base-url"), s("https://generativelanguage.googleapis.com"), s("--key"), s("g-123456789"),
                          s("--models"), s("gemini-2.5-pro")}),
                     s("'gem' is gemini"));
    // Moving a Responses channel to another type needs the API said too.
    expectUsageError(set(s("main"), {s("--type"), s("anthropic")}), s("add --api chat to change its type"));

    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(channel(), main);
    EXPECT_EQ(channel(s("claude")), claude);

    ASSERT_EQ(set(s("main"), {s("--type"), s("anthropic"), s("--api"), s("chat")}).code, 0);
    EXPECT_EQ(channel().type, ChannelType::Anthropic);
    EXPECT_EQ(channel().openAiApi, OpenAiApi::Chat);
}

TEST_F(ChannelApiCommandsTest, ShowAndListPrintTheApi)
{
    ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--api"), s("responses")}).code, 0);
    ASSERT_EQ(run(addArgs(s("chatty"))).code, 0);
    ASSERT_EQ(run(addAnthropic(s("claude"))).code, 0);

    const auto show = run({s("channel"), s("show"), s("main")});
    ASSERT_EQ(show.code, 0) << show;
    EXPECT_TRUE(show.out.contains(s("\napi:            responses (POST {base}/responses)\n"))) << show;
    EXPECT_TRUE(run({s("channel"), s("show"), s("chatty")}).out.contains(s("\napi:            chat (POST {base}/chat/completions)\n")));
    EXPECT_TRUE(run({s("channel"), s("show"), s("claude")}).out.contains(s("\napi:            -\n")));

    EXPECT_EQ(json(run({s("channel"), s("show"), s("main"), s("--json")}).out).object().value(s("openai_api")), QJsonValue(s("responses")));
    const QJsonArray listed = json(run({s("channel"), s("list"), s("--json")}).out).array();
    ASSERT_EQ(listed.size(), 3);
    QMap<QString, QString> apis;
    for (const QJsonValue &v : listed)
        apis.insert(v.toObject().value(s("name")).toString(), v.toObject().value(s("openai_api")).toString());
    EXPECT_EQ(apis, (QMap<QString, QString>{{s("main"), s("responses")}, {s("chatty"), s("chat")}, {s("claude"), s("chat")}}));
}

TEST_F(ChannelApiCommandsTest, HelpDocumentsTheFlag)
{
    const auto o = run({s("help"), s("channel")});
    ASSERT_EQ(o.code, 0) << o;
    for (const char *text : {"[--api chat|responses]", "{base}/responses", "{base}/chat/completions"})
        EXPECT_TRUE(o.out.contains(s(text))) << text;
}

TEST_F(ChannelApiCommandsTest, ExportImportCarriesTheApi)
{
    ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--api"), s("responses")}).code, 0);
    ASSERT_EQ(run(addArgs(s("chatty"))).code, 0);
    const QString file = m_dir.filePath(s("backup.json"));
    ASSERT_EQ(run({s("export"), file, s("--secrets")}).code, 0);
    QFile f(file);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject root = json(QString::fromUtf8(f.readAll())).object();
    EXPECT_EQ(root.value(s("version")).toInt(), 5);
    QMap<QString, QString> apis;
    for (const QJsonValue &v : root.value(s("channels")).toArray())
        apis.insert(v.toObject().value(s("name")).toString(), v.toObject().value(s("openai_api")).toString());
    EXPECT_EQ(apis, (QMap<QString, QString>{{s("main"), s("responses")}, {s("chatty"), s("chat")}}));

    QTemporaryDir other;
    ASSERT_EQ(run({s("import"), file}, other.path()).code, 0);
    EXPECT_EQ(channel(s("main"), other.path()).openAiApi, OpenAiApi::Responses);
    EXPECT_EQ(channel(s("chatty"), other.path()).openAiApi, OpenAiApi::Chat);

    // Importing over an existing channel sets its API to the file's.
    ASSERT_EQ(set(s("main"), {s("--api"), s("chat")}).code, 0);
    ASSERT_EQ(run({s("import"), file}).code, 0);
    EXPECT_EQ(channel().openAiApi, OpenAiApi::Responses);
}

TEST_F(ChannelApiCommandsTest, OlderFilesImportAsChat)
{
    ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--api"), s("responses")}).code, 0);
    const QString file = writeFile(s("v3.json"), R"({"format":"tarn-config","version":3,
        "channels":[{"name":"main","type":"openai","base_url":"https://api.openai.com/v1","keys":["k-12345678"],
                     "models":["gpt-4o"]},
                    {"name":"old","type":"openai","base_url":"https://api.openai.com/v1","keys":["k-12345678"],
                     "models":["gpt-4o"],"strip_betas":["b-1"]}]})");
    const auto o = run({s("import"), file});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_EQ(channel(s("old")).openAiApi, OpenAiApi::Chat);
    EXPECT_EQ(channel(s("old")).stripBetas, QStringList{s("b-1")});
    // A file from before the setting describes a chat channel, and import applies the whole file.
    EXPECT_EQ(channel().openAiApi, OpenAiApi::Chat);
}

TEST_F(ChannelApiCommandsTest, ImportRefusesBadApis)
{
    ASSERT_EQ(run(addArgs(s("main"))).code, 0);
    const QString before = snapshot();
    const Channel original = channel();
    const QList<std::pair<QByteArray, QString>> cases = {
        {R"("type":"openai","openai_api":"assistants"})", s("channels[0].openai_api must be \"chat\" or \"responses\"")},
        {R"("type":"openai","openai_api":1})", s("channels[0].openai_api must be")},
        {R"("type":"openai","openai_api":["chat"]})", s("channels[0].openai_api must be")},
        {R"("type":"openai","openai_api":""})", s("channels[0].openai_api must be")},
        {R"("type":"anthropic","openai_api":"responses"})", s("only openai channels can use the Responses API")},
        {R"("type":"gemini","openai_api":"responses"})", s("channel 'main' is gemini")},
    };
    int n = 0;
    for (const auto &[tail, needle] : cases) {
        SCOPED_TRACE(tail.toStdString());
        const QByteArray doc = R"({"format":"tarn-config","version":4,"channels":[{"name":"main",)"
                               R"("base_url":"https://api.example.com/v1","models":["m"],)" + tail + "]}";
        expectRuntimeError(run({s("import"), writeFile(QStringLiteral("bad%1.json").arg(++n), doc)}), needle);
    }
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(channel(), original);
}

} // namespace
