// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn channel add|set|show` with parameter overrides and stripped anthropic-beta values, and
// their trip through export/import.
#include "CliTestSupport.h"

#include <QFile>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

class ChannelParamsCommandsTest : public tarn::gateway::test::CliTest
{
protected:
    Channel channel(const QString &name = s("main"), const QString &dir = {})
    {
        auto db = openDb(dir);
        auto c = ChannelRepository(*db).findByName(name);
        EXPECT_TRUE(c.ok());
        return c.ok() ? *c : Channel{};
    }

    tarn::gateway::test::CommandOutput set(const QStringList &flags) { return run(QStringList{s("channel"), s("set"), s("main")} + flags); }

    // main with temperature=1, tool_choice="auto", top_p dropped and one stripped beta.
    void addMain()
    {
        const auto o = run(addArgs(s("main")) + QStringList{s("--set-param"), s("temperature=1"), s("--set-param"),
                                                            s(R"(tool_choice="auto")"), s("--drop-param"), s("top_p"),
                                                            s("--strip-beta"), s("prompt-caching-2024-07-31")});
        ASSERT_EQ(o.code, 0) << o;
    }
};

TEST_F(ChannelParamsCommandsTest, AddTakesEveryParamFlag)
{
    const auto o = run(addArgs(s("main")) + QStringList{
                           s("--set-param"), s("temperature=1"),
                           s("--set-param"), s(R"(tool_choice="auto")"),
                           s("--set-param=reasoning_effort=high"),
                           s("--set-param"), s("generationConfig.topK = 40"),
                           s("--set-param"), s(R"(response_format={ "type": "json_object" })"),
                           s("--set-param"), s("parallel_tool_calls=false"),
                           s("--set-param"), s("stop=[\"END\", null]"),
                           s("--set-param"), s("user=hello world"),
                           s("--set-param"), s("top_k=1.50"),
                           s("--drop-param"), s("top_p"),
                           s("--drop-param"), s("a.b-c.d_e.f"),
                           s("--strip-beta"), s("prompt-caching-2024-07-31"),
                           s("--strip-beta"), s("context-1m-2025-08-07, fine-grained-tool-streaming-2025-05-14")});
    ASSERT_EQ(o.code, 0) << o;
    const Channel c = channel();
    const QMap<QString, QByteArray> expected{{s("temperature"), "1"},
                                             {s("tool_choice"), R"("auto")"},
                                             {s("reasoning_effort"), R"("high")"},
                                             {s("generationConfig.topK"), "40"},
                                             {s("response_format"), R"({"type":"json_object"})"},
                                             {s("parallel_tool_calls"), "false"},
                                             {s("stop"), R"(["END",null])"},
                                             {s("user"), R"("hello world")"},
                                             {s("top_k"), "1.5"}};
    EXPECT_EQ(c.params.set, expected);
    EXPECT_EQ(c.params.drop, (QStringList{s("top_p"), s("a.b-c.d_e.f")}));
    EXPECT_EQ(c.stripBetas, (QStringList{s("prompt-caching-2024-07-31"), s("context-1m-2025-08-07"),
                                         s("fine-grained-tool-streaming-2025-05-14")}));
}

TEST_F(ChannelParamsCommandsTest, BadParamsAreRefusedWithClearMessagesAndChangeNothing)
{
    addMain();
    const QString before = snapshot();
    const Channel original = channel();
    const QList<std::pair<QStringList, QString>> cases = {
        {{s("--set-param"), s("x={bad")}, s("is not one valid JSON value")},
        {{s("--set-param"), s("x=[1,")}, s("is not one valid JSON value")},
        {{s("--set-param"), s(R"(x="unterminated)")}, s("is not one valid JSON value")},
        {{s("--set-param"), s("x=1,2")}, s("is not one valid JSON value")},
        {{s("--set-param"), s("x=01")}, s("is not one valid JSON value")},
        {{s("--set-param"), s("x=-")}, s("is not one valid JSON value")},
        {{s("--set-param"), s(R"(x="a","b")")}, s("is not one valid JSON value")},
        {{s("--set-param"), s("x=")}, s("needs a value")},
        {{s("--set-param"), s("x=   ")}, s("needs a value")},
        {{s("--set-param"), s("=1")}, s("expected PATH=JSON")},
        {{s("--set-param"), s("temperature")}, s("expected PATH=JSON")},
        {{s("--set-param"), s("model=gpt-5")}, s("Tarn owns model, stream, messages, contents")},
        {{s("--set-param"), s("stream=false")}, s("cannot be overridden")},
        {{s("--set-param"), s("messages.0=1")}, s("cannot be overridden")},
        {{s("--drop-param"), s("contents")}, s("cannot be overridden")},
        {{s("--drop-param"), s("stream")}, s("cannot be overridden")},
        {{s("--drop-param"), s("a..b")}, s("invalid parameter path")},
        {{s("--drop-param"), s(".a")}, s("invalid parameter path")},
        {{s("--drop-param"), s("a.")}, s("invalid parameter path")},
        {{s("--drop-param"), s("a.b.c.d.e")}, s("invalid parameter path")},
        {{s("--drop-param"), QString(201, u'a')}, s("invalid parameter path")},
        {{s("--drop-param"), s("a b")}, s("invalid parameter path")},
        {{s("--drop-param"), s("a/b")}, s("invalid parameter path")},
        {{s("--drop-param"), s("top_p[0]")}, s("invalid parameter path")},
        {{s("--drop-param"), s("")}, s("must not be empty")},
        {{s("--set-param"), s("é=1")}, s("invalid parameter path")},
        {{s("--set-param"), s("a=1"), s("--drop-param"), s("a")}, s("given more than once")},
        {{s("--set-param"), s("a=1"), s("--set-param"), s("a=2")}, s("given more than once")},
        {{s("--set-param"), s("g.topK=1"), s("--set-param"), s("g={}")}, s("overlap")},
        {{s("--set-param"), s("temperature.x=1")}, s("overlap")},
        {{s("--drop-param"), s("tool_choice.type")}, s("overlap")},
        {{s("--unset-param"), s("nothing")}, s("has no parameter override 'nothing'")},
        {{s("--strip-beta"), s("bad name")}, s("invalid anthropic-beta name")},
        {{s("--strip-beta"), s("a;b")}, s("invalid anthropic-beta name")},
        {{s("--strip-beta"), s(" , ")}, s("needs an anthropic-beta name")},
        {{s("--clear-params=yes")}, s("takes no value")},
        {{s("--set-param")}, s("needs a value")},
    };
    for (const auto &[flags, needle] : cases) {
        SCOPED_TRACE(flags.join(u' ').toStdString());
        expectUsageError(set(flags), needle);
    }
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(channel(), original);

    // add refuses the same, and knows no unset/clear flags.
    expectUsageError(run(addArgs(s("other")) + QStringList{s("--set-param"), s("x={bad")}), s("not one valid JSON value"));
    expectUsageError(run(addArgs(s("other")) + QStringList{s("--drop-param"), s("model")}), s("cannot be overridden"));
    for (const char *flag : {"--unset-param=x", "--clear-params", "--clear-strip-betas"})
        expectUsageError(run(addArgs(s("other")) + QStringList{s(flag)}), s("unknown option"));
    EXPECT_EQ(snapshot(), before);
}

TEST_F(ChannelParamsCommandsTest, SetAddsToUnsetsAndClearsOverrides)
{
    addMain();
    // Setting a dropped parameter stops dropping it; dropping a set one stops setting it.
    ASSERT_EQ(set({s("--set-param"), s("top_p=0.5"), s("--drop-param"), s("temperature"), s("--set-param"), s("seed=7")}).code, 0);
    Channel c = channel();
    QMap<QString, QByteArray> expected{{s("tool_choice"), R"("auto")"}, {s("top_p"), "0.5"}, {s("seed"), "7"}};
    EXPECT_EQ(c.params.set, expected);
    EXPECT_EQ(c.params.drop, QStringList{s("temperature")});

    // Re-setting replaces the value; other fields stay.
    ASSERT_EQ(set({s("--set-param"), s("seed=8"), s("--priority"), s("4")}).code, 0);
    c = channel();
    EXPECT_EQ(c.params.set.value(s("seed")), QByteArray("8"));
    EXPECT_EQ(c.priority, 4);
    EXPECT_EQ(c.stripBetas, QStringList{s("prompt-caching-2024-07-31")});

    ASSERT_EQ(set({s("--unset-param"), s("seed"), s("--unset-param"), s("temperature")}).code, 0);
    c = channel();
    expected.remove(s("seed"));
    EXPECT_EQ(c.params.set, expected);
    EXPECT_TRUE(c.params.drop.isEmpty());

    // An overlap can be resolved in one command: unset first, then set.
    ASSERT_EQ(set({s("--unset-param"), s("tool_choice"), s("--set-param"), s("tool_choice.type=auto")}).code, 0);
    EXPECT_EQ(channel().params.set.value(s("tool_choice.type")), QByteArray(R"("auto")"));

    // --clear-params runs before the new flags of the same command.
    ASSERT_EQ(set({s("--clear-params"), s("--drop-param"), s("stop")}).code, 0);
    c = channel();
    EXPECT_TRUE(c.params.set.isEmpty());
    EXPECT_EQ(c.params.drop, QStringList{s("stop")});
    ASSERT_EQ(set({s("--clear-params")}).code, 0);
    EXPECT_TRUE(channel().params.isEmpty());
}

TEST_F(ChannelParamsCommandsTest, StripBetasAddUpAndClear)
{
    addMain();
    ASSERT_EQ(set({s("--strip-beta"), s("b-1"), s("--strip-beta"), s("prompt-caching-2024-07-31,b-2")}).code, 0);
    EXPECT_EQ(channel().stripBetas, (QStringList{s("prompt-caching-2024-07-31"), s("b-1"), s("b-2")}));
    ASSERT_EQ(set({s("--clear-strip-betas"), s("--strip-beta"), s("b-3")}).code, 0);
    EXPECT_EQ(channel().stripBetas, QStringList{s("b-3")});
    ASSERT_EQ(set({s("--clear-strip-betas")}).code, 0);
    EXPECT_TRUE(channel().stripBetas.isEmpty());
    EXPECT_EQ(channel().params.set.value(s("temperature")), QByteArray("1")) << "params untouched";
}

TEST_F(ChannelParamsCommandsTest, ShowAndListPrintParamsAndStripBetas)
{
    addMain();
    ASSERT_EQ(set({s("--set-param"), s(R"(response_format={"type":"json_object"})")}).code, 0);
    const auto show = run({s("channel"), s("show"), s("main")});
    ASSERT_EQ(show.code, 0) << show;
    EXPECT_TRUE(show.out.contains(s(R"(params:         set response_format={"type":"json_object"}, temperature=1, tool_choice="auto"; drop top_p)")))
        << show;
    EXPECT_TRUE(show.out.contains(s("strip betas:    prompt-caching-2024-07-31"))) << show;

    const QJsonObject shown = json(run({s("channel"), s("show"), s("main"), s("--json")}).out).object();
    const QJsonObject params = shown.value(s("params")).toObject();
    EXPECT_EQ(params.value(s("set")).toObject().value(s("temperature")), QJsonValue(1));
    EXPECT_EQ(params.value(s("set")).toObject().value(s("tool_choice")), QJsonValue(s("auto")));
    EXPECT_EQ(params.value(s("set")).toObject().value(s("response_format")).toObject().value(s("type")), QJsonValue(s("json_object")));
    EXPECT_EQ(params.value(s("drop")).toArray(), QJsonArray{s("top_p")});
    EXPECT_EQ(shown.value(s("strip_betas")).toArray(), QJsonArray{s("prompt-caching-2024-07-31")});

    const QJsonArray listed = json(run({s("channel"), s("list"), s("--json")}).out).array();
    ASSERT_EQ(listed.size(), 1);
    EXPECT_EQ(listed.at(0).toObject().value(s("params")).toObject(), params);
    EXPECT_EQ(listed.at(0).toObject().value(s("strip_betas")), shown.value(s("strip_betas")));

    // A channel without any shows dashes and empty JSON members.
    ASSERT_EQ(run(addArgs(s("bare"))).code, 0);
    const auto bare = run({s("channel"), s("show"), s("bare")});
    EXPECT_TRUE(bare.out.contains(s("params:         -\n"))) << bare;
    EXPECT_TRUE(bare.out.contains(s("strip betas:    -\n"))) << bare;
    const QJsonObject bareJson = json(run({s("channel"), s("show"), s("bare"), s("--json")}).out).object();
    EXPECT_EQ(bareJson.value(s("params")).toObject(),
              (QJsonObject{{s("set"), QJsonObject{}}, {s("drop"), QJsonArray{}}}));
    EXPECT_EQ(bareJson.value(s("strip_betas")).toArray(), QJsonArray{});
}

TEST_F(ChannelParamsCommandsTest, HelpDocumentsTheFlags)
{
    const auto o = run({s("help"), s("channel")});
    ASSERT_EQ(o.code, 0) << o;
    for (const char *text : {"--set-param PATH=JSON", "--drop-param PATH", "--unset-param PATH", "--clear-params",
                             "--strip-beta NAME", "--clear-strip-betas", "reasoning_effort=high", "bare word"})
        EXPECT_TRUE(o.out.contains(s(text))) << text;
}

TEST_F(ChannelParamsCommandsTest, ExportImportCarriesParamsAndStripBetas)
{
    addMain();
    ASSERT_EQ(set({s("--set-param"), s("generationConfig.topK=40"), s("--set-param"), s(R"(meta={"a":[1,"é"]})")}).code, 0);
    const QString file = m_dir.filePath(s("backup.json"));
    ASSERT_EQ(run({s("export"), file, s("--secrets")}).code, 0);
    QFile f(file);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject root = json(QString::fromUtf8(f.readAll())).object();
    EXPECT_EQ(root.value(s("version")).toInt(), 5);
    const QJsonObject exported = root.value(s("channels")).toArray().at(0).toObject();
    EXPECT_EQ(exported.value(s("params")).toObject().value(s("drop")).toArray(), QJsonArray{s("top_p")});
    EXPECT_EQ(exported.value(s("strip_betas")).toArray(), QJsonArray{s("prompt-caching-2024-07-31")});

    QTemporaryDir other;
    ASSERT_EQ(run({s("import"), file}, other.path()).code, 0);
    const Channel a = channel();
    const Channel b = channel(s("main"), other.path());
    EXPECT_EQ(b.params, a.params);
    EXPECT_EQ(b.stripBetas, a.stripBetas);
    EXPECT_EQ(b.params.set.size(), 4);

    // Importing over an existing channel replaces its overrides with the file's.
    ASSERT_EQ(set({s("--clear-params"), s("--clear-strip-betas")}).code, 0);
    ASSERT_EQ(run({s("import"), file}).code, 0);
    EXPECT_EQ(channel().params, a.params);
    EXPECT_EQ(channel().stripBetas, a.stripBetas);
}

TEST_F(ChannelParamsCommandsTest, OlderFilesImportWithoutParams)
{
    const QByteArray doc = R"({"format":"tarn-config","version":2,
        "channels":[{"name":"old","type":"anthropic","base_url":"https://api.anthropic.com","keys":["k-12345678"],
                     "models":["c"],"budget":{"rpm":3}}]})";
    const QString file = m_dir.filePath(s("v2.json"));
    QFile f(file);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(doc);
    f.close();
    const auto o = run({s("import"), file});
    ASSERT_EQ(o.code, 0) << o;
    const Channel c = channel(s("old"));
    EXPECT_TRUE(c.params.isEmpty());
    EXPECT_TRUE(c.stripBetas.isEmpty());
    EXPECT_EQ(c.budget.requestsPerMinute, 3);
}

TEST_F(ChannelParamsCommandsTest, ImportRefusesBadParams)
{
    addMain();
    const QString before = snapshot();
    const Channel original = channel();
    const QByteArray head = R"({"format":"tarn-config","version":3,"channels":[{"name":"main","type":"openai",)"
                            R"("base_url":"https://api.openai.com/v1","models":["gpt-4o"],)";
    const QList<std::pair<QByteArray, QString>> cases = {
        {R"("params":[]})", s("channels[0].params must be an object")},
        {R"("params":{"set":[1]}})", s("channels[0].params must be an object")},
        {R"("params":{"drop":"top_p"}})", s("channels[0].params must be an object")},
        {R"("params":{"drop":[1]}})", s("channels[0].params.drop must be an array")},
        {R"("params":{"set":{"model":"x"}}})", s("cannot be overridden")},
        {R"("params":{"set":{"a b":1}}})", s("invalid parameter path")},
        {R"("params":{"drop":["messages"]}})", s("cannot be overridden")},
        {R"("params":{"set":{"a":1},"drop":["a"]}})", s("both set and dropped")},
        {R"("params":{"set":{"a":1,"a.b":2}}})", s("overlap")},
        {R"("strip_betas":"x"})", s("strip_betas must be an array")},
        {R"("strip_betas":[1]})", s("strip_betas must be an array")},
        {R"("strip_betas":["a b"]})", s("invalid anthropic-beta name")},
    };
    int n = 0;
    for (const auto &[tail, needle] : cases) {
        SCOPED_TRACE(tail.toStdString());
        const QString file = m_dir.filePath(QStringLiteral("bad%1.json").arg(++n));
        QFile f(file);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(head + tail + "]}");
        f.close();
        expectRuntimeError(run({s("import"), file}), needle);
    }
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(channel(), original);
}

} // namespace
