// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn channel ...` in-process: output, exit codes and database state.
#include "CliTestSupport.h"

using namespace tarn::gateway;

namespace {

using ChannelCommandsTest = tarn::gateway::test::CliTest;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

TEST_F(ChannelCommandsTest, AddUsesDefaultsAndListShowsAlignedColumns)
{
    const auto added = run(addArgs(s("openai-main")));
    ASSERT_EQ(added.code, 0) << added;
    EXPECT_TRUE(added.out.contains(u"Added channel 'openai-main'")) << added;
    EXPECT_TRUE(added.err.isEmpty());

    auto db = openDb();
    const Channel c = *ChannelRepository(*db).findByName(s("openai-main"));
    EXPECT_EQ(c.type, ChannelType::OpenAI);
    EXPECT_EQ(c.baseUrl, s("https://api.openai.com/v1"));
    EXPECT_EQ(c.keys, QStringList{s("sk-secret-one-123456")});
    EXPECT_EQ(c.models, (QStringList{s("gpt-4o"), s("gpt-4o-mini")}));
    EXPECT_EQ(c.priority, 0);
    EXPECT_EQ(c.weight, 1.0);
    EXPECT_TRUE(c.enabled);
    EXPECT_EQ(c.capabilities, ChannelCapabilities{});
    db.reset();

    ASSERT_EQ(run({s("channel"), s("add"), s("--name"), s("claude"), s("--type"), s("anthropic"), s("--base-url"),
                   s("https://api.anthropic.com"), s("--key"), s("sk-ant-xyz-987654"), s("--models"), s("claude-sonnet-4"),
                   s("--priority"), s("10"), s("--weight"), s("2.5"), s("--disabled")})
                  .code,
              0);
    const auto list = run({s("channel"), s("list")});
    ASSERT_EQ(list.code, 0) << list;
    const QStringList lines = list.out.split(u'\n', Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 3) << list;
    EXPECT_TRUE(lines[0].startsWith(u"NAME")) << list;
    for (const char *col : {"TYPE", "ENABLED", "PRIORITY", "WEIGHT", "MODELS", "BASE-URL"})
        EXPECT_TRUE(lines[0].contains(QString::fromLatin1(col))) << col;
    // Highest priority first; each column starts at the same offset on every line.
    EXPECT_TRUE(lines[1].startsWith(u"claude ")) << list;
    EXPECT_TRUE(lines[2].startsWith(u"openai-main ")) << list;
    const qsizetype typeCol = lines[0].indexOf(u"TYPE");
    EXPECT_EQ(lines[1].indexOf(u"anthropic"), typeCol);
    EXPECT_EQ(lines[2].indexOf(u"openai", 11), typeCol);
    const qsizetype urlCol = lines[0].indexOf(u"BASE-URL");
    EXPECT_EQ(lines[1].indexOf(u"https://api.anthropic.com"), urlCol);
    EXPECT_EQ(lines[2].indexOf(u"https://api.openai.com/v1"), urlCol);
    EXPECT_TRUE(lines[1].contains(u" no ")) << "disabled channel shows ENABLED no";
    EXPECT_TRUE(lines[2].contains(u"gpt-4o,gpt-4o-mini"));
    EXPECT_FALSE(list.out.contains(u"sk-secret")) << "no keys in list output";
}

TEST_F(ChannelCommandsTest, AddWithEveryOption)
{
    const auto o = run({s("channel"), s("add"), s("--name"), s("gem"), s("--type"), s("gemini"), s("--base-url"),
                        s("https://generativelanguage.googleapis.com"), s("--key"), s("g-key-aaaaaaaa"), s("--key=g-key-bbbbbbbb"),
                        s("--models"), s("gemini-2.5-pro, gemini-2.5-flash"), s("--map"), s("fast=gemini-2.5-flash"),
                        s("--map"), s("smart=gemini-2.5-pro"), s("--priority"), s("-3"), s("--weight"), s("0"),
                        s("--proxy"), s("socks5://127.0.0.1:1080"), s("--header"), s("X-Team=infra"),
                        s("--tools"), s("no"), s("--vision"), s("yes"), s("--context-tokens"), s("1000000")});
    ASSERT_EQ(o.code, 0) << o;
    auto db = openDb();
    const Channel c = *ChannelRepository(*db).findByName(s("gem"));
    EXPECT_EQ(c.type, ChannelType::Gemini);
    EXPECT_EQ(c.keys, (QStringList{s("g-key-aaaaaaaa"), s("g-key-bbbbbbbb")}));
    EXPECT_EQ(c.models, (QStringList{s("gemini-2.5-pro"), s("gemini-2.5-flash")}));
    const QMap<QString, QString> map{{s("fast"), s("gemini-2.5-flash")}, {s("smart"), s("gemini-2.5-pro")}};
    EXPECT_EQ(c.modelMap, map);
    EXPECT_EQ(c.priority, -3);
    EXPECT_EQ(c.weight, 0.0);
    EXPECT_EQ(c.proxy, s("socks5://127.0.0.1:1080"));
    EXPECT_EQ(c.extraHeaders.value(s("X-Team")), s("infra"));
    EXPECT_EQ(c.capabilities, (ChannelCapabilities{CapabilityMode::Off, CapabilityMode::On, CapabilityMode::Auto, 1000000, 0}));
}

TEST_F(ChannelCommandsTest, ListJsonAndShowMaskSecrets)
{
    ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--header"), s("X-Api-Key=hdr-secret-value")}).code, 0);
    const auto list = run({s("channel"), s("list"), s("--json")});
    ASSERT_EQ(list.code, 0) << list;
    const QJsonArray array = json(list.out).array();
    ASSERT_EQ(array.size(), 1);
    const QJsonObject c = array.at(0).toObject();
    EXPECT_EQ(c.value(s("name")).toString(), s("main"));
    EXPECT_EQ(c.value(s("type")).toString(), s("openai"));
    EXPECT_EQ(c.value(s("keys")).toArray().at(0).toString(), s("sk-s…"));
    EXPECT_EQ(c.value(s("models")).toArray().size(), 2);
    EXPECT_EQ(c.value(s("weight")).toDouble(), 1.0);
    EXPECT_TRUE(c.value(s("enabled")).toBool());
    EXPECT_FALSE(list.out.contains(u"sk-secret-one-123456"));
    EXPECT_FALSE(list.out.contains(u"hdr-secret-value"));

    const auto show = run({s("channel"), s("show"), s("main")});
    ASSERT_EQ(show.code, 0) << show;
    EXPECT_TRUE(show.out.contains(u"sk-s…")) << show;
    EXPECT_TRUE(show.out.contains(u"https://api.openai.com/v1"));
    EXPECT_FALSE(show.out.contains(u"sk-secret-one-123456"));
    EXPECT_FALSE(show.out.contains(u"hdr-secret-value"));
    const auto showJson = run({s("channel"), s("show"), s("main"), s("--json")});
    ASSERT_EQ(showJson.code, 0);
    EXPECT_EQ(json(showJson.out).object().value(s("keys")).toArray().at(0).toString(), s("sk-s…"));

    expectRuntimeError(run({s("channel"), s("show"), s("ghost")}), s("no channel named 'ghost'"));
}

TEST_F(ChannelCommandsTest, EmptyListSaysSo)
{
    const auto o = run({s("channel"), s("list")});
    EXPECT_EQ(o.code, 0);
    EXPECT_TRUE(o.out.contains(u"No channels")) << o;
    const auto j = run({s("channel"), s("list"), s("--json")});
    EXPECT_EQ(j.code, 0);
    EXPECT_TRUE(json(j.out).array().isEmpty()) << j;
}

TEST_F(ChannelCommandsTest, SetChangesOnlyGivenFieldsAndKeyReplacesTheList)
{
    ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--key"), s("sk-secret-two-123456")}).code, 0);
    const auto o = run({s("channel"), s("set"), s("main"), s("--key"), s("sk-new-000000000"), s("--priority"), s("5"),
                        s("--disabled"), s("--vision"), s("yes")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"Updated channel 'main'"));
    auto db = openDb();
    Channel c = *ChannelRepository(*db).findByName(s("main"));
    EXPECT_EQ(c.keys, QStringList{s("sk-new-000000000")});
    EXPECT_EQ(c.priority, 5);
    EXPECT_FALSE(c.enabled);
    EXPECT_EQ(c.capabilities.vision, CapabilityMode::On);
    EXPECT_EQ(c.models, (QStringList{s("gpt-4o"), s("gpt-4o-mini")}));
    EXPECT_EQ(c.baseUrl, s("https://api.openai.com/v1"));
    db.reset();

    ASSERT_EQ(run({s("channel"), s("set"), s("main"), s("--enabled"), s("--name"), s("renamed")}).code, 0);
    db = openDb();
    c = *ChannelRepository(*db).findByName(s("renamed"));
    EXPECT_TRUE(c.enabled);
    db.reset();

    expectRuntimeError(run({s("channel"), s("set"), s("ghost"), s("--priority"), s("1")}), s("ghost"));
    expectUsageError(run({s("channel"), s("set")}), s("needs a channel name"));
}

TEST_F(ChannelCommandsTest, SetWithBadValuesChangesNothing)
{
    ASSERT_EQ(run(addArgs(s("main"))).code, 0);
    ASSERT_EQ(run(addArgs(s("other"))).code, 0);
    const QString before = snapshot();
    expectUsageError(run({s("channel"), s("set"), s("main"), s("--priority"), s("5"), s("--weight"), s("-2")}), s("--weight"));
    expectUsageError(run({s("channel"), s("set"), s("main"), s("--base-url"), s("ftp://x")}), s("base URL"));
    expectUsageError(run({s("channel"), s("set"), s("main"), s("--enabled"), s("--disabled")}));
    expectRuntimeError(run({s("channel"), s("set"), s("main"), s("--name"), s("other")}), s("already exists"));
    EXPECT_EQ(snapshot(), before);
}

TEST_F(ChannelCommandsTest, EnableDisableRemove)
{
    ASSERT_EQ(run(addArgs(s("main"))).code, 0);
    auto enabled = [&] {
        auto db = openDb();
        return ChannelRepository(*db).findByName(s("main"))->enabled;
    };
    auto o = run({s("channel"), s("disable"), s("main")});
    EXPECT_EQ(o.code, 0);
    EXPECT_TRUE(o.out.contains(u"Disabled channel 'main'"));
    EXPECT_FALSE(enabled());
    EXPECT_EQ(run({s("channel"), s("enable"), s("main")}).code, 0);
    EXPECT_TRUE(enabled());
    o = run({s("channel"), s("remove"), s("main")});
    EXPECT_EQ(o.code, 0);
    EXPECT_TRUE(o.out.contains(u"Removed channel 'main'"));
    auto db = openDb();
    EXPECT_TRUE(ChannelRepository(*db).list()->isEmpty());
    db.reset();
    for (const char *cmd : {"enable", "disable", "remove"})
        expectRuntimeError(run({s("channel"), QString::fromLatin1(cmd), s("main")}), s("no channel named 'main'"));
    expectUsageError(run({s("channel"), s("remove")}));
    expectUsageError(run({s("channel"), s("remove"), s("a"), s("b")}), s("unexpected argument 'b'"));
}

TEST_F(ChannelCommandsTest, DuplicateNameFailsAndKeepsTheOriginal)
{
    ASSERT_EQ(run(addArgs(s("main"))).code, 0);
    const QString before = snapshot();
    QStringList again = addArgs(s("main"));
    again[again.indexOf(s("https://api.openai.com/v1"))] = s("https://other.example.com/v1");
    expectRuntimeError(run(again), s("a channel named 'main' already exists"));
    EXPECT_EQ(snapshot(), before);
}

TEST_F(ChannelCommandsTest, BadInputsAreUsageErrorsAndWriteNothing)
{
    const QString before = snapshot();
    auto with = [&](const QString &flag, const QString &value) {
        QStringList args = addArgs(s("new"));
        const qsizetype i = args.indexOf(flag);
        if (i >= 0)
            args[i + 1] = value;
        else
            args << flag << value;
        return args;
    };
    auto without = [&](const QString &flag) {
        QStringList args = addArgs(s("new"));
        const qsizetype i = args.indexOf(flag);
        args.remove(i, 2);
        return args;
    };
    const QList<std::pair<QStringList, QString>> cases = {
        {with(s("--type"), s("cohere")), s("unknown channel type 'cohere'")},
        {with(s("--base-url"), s("ftp://example.com")), s("invalid base URL")},
        {with(s("--base-url"), s("not a url")), s("invalid base URL")},
        {with(s("--base-url"), s("https://")), s("invalid base URL")},
        {with(s("--weight"), s("-1")), s("--weight")},
        {with(s("--weight"), s("heavy")), s("--weight")},
        {with(s("--priority"), s("high")), s("--priority must be a whole number")},
        {with(s("--context-tokens"), s("-5")), s("--context-tokens")},
        {with(s("--tools"), s("maybe")), s("--tools must be on, off or auto")},
        {with(s("--map"), s("noequals")), s("--map")},
        {with(s("--header"), s("=value")), s("--header")},
        {with(s("--proxy"), s("proxy.local")), s("proxy URL")},
        {with(s("--name"), s("bad name")), s("invalid channel name")},
        {with(s("--models"), s(" , ")), s("serves no models")},
        {with(s("--colour"), s("blue")), s("unknown option '--colour'")},
        {without(s("--key")), s("missing required option '--key'")},
        {without(s("--models")), s("missing required option '--models'")},
        {without(s("--name")), s("missing required option '--name'")},
        {without(s("--type")), s("missing required option '--type'")},
        {without(s("--base-url")), s("missing required option '--base-url'")},
        {addArgs(s("new")) << s("--name") << s("twice"), s("more than once")},
        {addArgs(s("new")) << s("stray"), s("unexpected argument 'stray'")},
        {QStringList{s("channel"), s("add"), s("--name")}, s("needs a value")},
        {QStringList{s("channel")}, s("needs a subcommand")},
        {QStringList{s("channel"), s("frob")}, s("unknown channel subcommand 'frob'")},
    };
    for (const auto &[args, needle] : cases) {
        SCOPED_TRACE(args.join(u' ').toStdString());
        expectUsageError(run(args), needle);
    }
    EXPECT_EQ(snapshot(), before);
}

} // namespace
