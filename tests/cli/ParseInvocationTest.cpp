// SPDX-License-Identifier: GPL-3.0-or-later
// parseInvocation: running Tarn, help, version and command-line errors.
#include "CliTestSupport.h"

#include <QDir>

using namespace tarn::gateway;
using tarn::gateway::test::CliTest;

namespace {

Invocation parse(const QStringList &args)
{
    return parseInvocation(args);
}

TEST(ParseInvocationTest, ExposeTakesAModeAndAPort)
{
    const auto s = [](const char *text) { return QString::fromLatin1(text); };
    Invocation inv = parse({s("--headless"), s("--expose"), s("tailscale"), s("--port=9000")});
    ASSERT_EQ(inv.kind, Invocation::Kind::Run) << inv.text.toStdString();
    EXPECT_EQ(inv.run.expose, ExposeMode::Tailscale);
    EXPECT_EQ(inv.run.port, quint16(9000));
    inv = parse({s("--expose=all")});
    EXPECT_EQ(inv.run.expose, ExposeMode::All);
    EXPECT_FALSE(inv.run.port.has_value());
    EXPECT_FALSE(parse({}).run.expose.has_value());

    for (const QStringList &bad : {QStringList{s("--expose"), s("lan")}, QStringList{s("--expose"), s("Tailscale")},
                                   QStringList{s("--expose")}, QStringList{s("--expose"), s("all"), s("--port"), s("65536")},
                                   QStringList{s("--expose"), s("all"), s("--port"), s("-1")},
                                   QStringList{s("--expose"), s("all"), s("--port"), s("80x")}}) {
        const Invocation e = parse(bad);
        EXPECT_EQ(e.kind, Invocation::Kind::Error) << bad.join(u' ').toStdString();
    }
    // --port alone says nothing about where: refused with a hint rather than ignored.
    const Invocation portAlone = parse({s("--port"), s("9000")});
    EXPECT_EQ(portAlone.kind, Invocation::Kind::Error);
    EXPECT_TRUE(portAlone.text.contains(u"--expose")) << portAlone.text.toStdString();
    // Run-only: not with a command.
    EXPECT_EQ(parse({s("--expose"), s("loopback"), s("channel"), s("list")}).kind, Invocation::Kind::Error);
}

TEST(ParseInvocationTest, TheManagementApiHasAPortOrIsOff)
{
    const auto s = [](const char *text) { return QString::fromLatin1(text); };
    Invocation inv = parse({s("--headless")});
    EXPECT_TRUE(inv.run.admin);
    EXPECT_FALSE(inv.run.adminPort.has_value());
    inv = parse({s("--admin-port"), s("9100")});
    ASSERT_EQ(inv.kind, Invocation::Kind::Run) << inv.text.toStdString();
    EXPECT_EQ(inv.run.adminPort, quint16(9100));
    EXPECT_EQ(parse({s("--admin-port=0")}).run.adminPort, quint16(0));
    inv = parse({s("--no-admin")});
    ASSERT_EQ(inv.kind, Invocation::Kind::Run) << inv.text.toStdString();
    EXPECT_FALSE(inv.run.admin);
    for (const QStringList &bad : {QStringList{s("--admin-port")}, QStringList{s("--admin-port"), s("65536")},
                                   QStringList{s("--admin-port"), s("x")}, QStringList{s("--no-admin=1")},
                                   QStringList{s("--no-admin"), s("--admin-port"), s("9100")},
                                   QStringList{s("--no-admin"), s("key"), s("list")}}) {
        EXPECT_EQ(parse(bad).kind, Invocation::Kind::Error) << bad.join(u' ').toStdString();
    }
}

TEST(ParseInvocationTest, NoArgumentsRunsWithDefaults)
{
    const Invocation inv = parse({});
    EXPECT_EQ(inv.kind, Invocation::Kind::Run);
    EXPECT_FALSE(inv.run.headless);
    EXPECT_EQ(inv.run.workers, 0);
    // No --listen: the gateway picks the saved addresses or 127.0.0.1:8276 (GatewayListenTest).
    EXPECT_TRUE(inv.run.listen.isEmpty());
    EXPECT_EQ(inv.run.dataDir, resolveDataDir({}));
}

// The launch-at-login entry starts "tarn --autostart": a run, as without it.
TEST(ParseInvocationTest, AutostartFlagIsAccepted)
{
    const Invocation inv = parse({QStringLiteral("--data-dir"), QStringLiteral("/data"), QStringLiteral("--autostart")});
    ASSERT_EQ(inv.kind, Invocation::Kind::Run) << inv.text.toStdString();
    EXPECT_EQ(parse({QStringLiteral("--autostart"), QStringLiteral("channel"), QStringLiteral("list")}).kind,
              Invocation::Kind::Error);
}

TEST(ParseInvocationTest, RunOptionsAreParsed)
{
    const Invocation inv = parse({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0"),
                                  QStringLiteral("--listen=[::1]:8080"), QStringLiteral("--listen"), QStringLiteral("localhost:9000"),
                                  QStringLiteral("--workers"), QStringLiteral("4"), QStringLiteral("--data-dir"), QStringLiteral("rel/dir")});
    ASSERT_EQ(inv.kind, Invocation::Kind::Run) << inv.text.toStdString();
    EXPECT_TRUE(inv.run.headless);
    EXPECT_EQ(inv.run.workers, 4);
    const QList<ListenAddress> expected = {{QStringLiteral("0.0.0.0"), 0}, {QStringLiteral("::1"), 8080},
                                           {QStringLiteral("localhost"), 9000}};
    EXPECT_EQ(inv.run.listen, expected);
    EXPECT_EQ(inv.run.dataDir, QDir(QStringLiteral("rel/dir")).absolutePath());
}

TEST(ParseInvocationTest, BadListenAddressesAreErrors)
{
    for (const char *bad : {"localhost", "host:99999", "host:abc", ":80", "::1:80", "[::1]80", "[nothost]:80", "host:", "a b:80"}) {
        const Invocation inv = parse({QStringLiteral("--listen"), QString::fromLatin1(bad)});
        EXPECT_EQ(inv.kind, Invocation::Kind::Error) << bad;
        EXPECT_TRUE(inv.text.contains(u"bad --listen")) << bad << ": " << inv.text.toStdString();
        const auto o = CliTest::runRaw({QStringLiteral("--listen"), QString::fromLatin1(bad)});
        EXPECT_EQ(o.code, 2) << bad;
        EXPECT_TRUE(o.err.startsWith(u"tarn: bad --listen")) << o.err.toStdString();
    }
    EXPECT_EQ(parse({QStringLiteral("--listen")}).kind, Invocation::Kind::Error);
}

TEST(ParseInvocationTest, BadWorkersAndUnknownOptionsAreErrors)
{
    EXPECT_EQ(parse({QStringLiteral("--workers"), QStringLiteral("-1")}).kind, Invocation::Kind::Error);
    EXPECT_EQ(parse({QStringLiteral("--workers"), QStringLiteral("many")}).kind, Invocation::Kind::Error);
    const Invocation unknown = parse({QStringLiteral("--colour")});
    EXPECT_EQ(unknown.kind, Invocation::Kind::Error);
    EXPECT_TRUE(unknown.text.contains(u"unknown option '--colour'"));
    const Invocation command = parse({QStringLiteral("frobnicate")});
    EXPECT_EQ(command.kind, Invocation::Kind::Error);
    EXPECT_TRUE(command.text.contains(u"unknown command 'frobnicate'"));
    EXPECT_EQ(parse({QStringLiteral("--headless=yes")}).kind, Invocation::Kind::Error);
}

TEST(ParseInvocationTest, RunOnlyOptionsAreRejectedWithCommands)
{
    const Invocation inv = parse({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:1"), QStringLiteral("channel"), QStringLiteral("list")});
    EXPECT_EQ(inv.kind, Invocation::Kind::Error);
    EXPECT_TRUE(inv.text.contains(u"--listen")) << inv.text.toStdString();
}

TEST(ParseInvocationTest, VersionPrintsTheVersionLine)
{
    for (const char *arg : {"--version", "version"}) {
        const Invocation inv = parse({QString::fromLatin1(arg)});
        EXPECT_EQ(inv.kind, Invocation::Kind::Version);
        EXPECT_EQ(inv.text, QStringLiteral("tarn 0.1.0"));
    }
    const auto o = CliTest::runRaw({QStringLiteral("--version")});
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.out, QStringLiteral("tarn 0.1.0\n"));
    EXPECT_TRUE(o.err.isEmpty());
}

TEST(ParseInvocationTest, HelpForEveryTopic)
{
    const auto overview = CliTest::runRaw({QStringLiteral("--help")});
    EXPECT_EQ(overview.code, 0);
    EXPECT_TRUE(overview.out.startsWith(u"Usage: tarn")) << overview.out.toStdString();
    EXPECT_TRUE(overview.out.contains(u"--listen HOST:PORT"));
    EXPECT_EQ(CliTest::runRaw({QStringLiteral("help")}).out, overview.out);
    EXPECT_EQ(CliTest::runRaw({QStringLiteral("-h")}).out, overview.out);

    const QList<std::pair<QStringList, const char16_t *>> topics = {
        {{QStringLiteral("help"), QStringLiteral("channel")}, u"tarn channel add"},
        {{QStringLiteral("channel"), QStringLiteral("--help")}, u"tarn channel add"},
        {{QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--help")}, u"tarn channel add"},
        {{QStringLiteral("key"), QStringLiteral("--help")}, u"tarn key create"},
        {{QStringLiteral("help"), QStringLiteral("usage")}, u"tarn usage"},
        {{QStringLiteral("help"), QStringLiteral("export")}, u"tarn export"},
        {{QStringLiteral("import"), QStringLiteral("-h")}, u"tarn import FILE"},
    };
    for (const auto &[args, needle] : topics) {
        const Invocation inv = parse(args);
        EXPECT_EQ(inv.kind, Invocation::Kind::Help) << args.join(u' ').toStdString();
        const auto o = CliTest::runRaw(args);
        EXPECT_EQ(o.code, 0);
        EXPECT_TRUE(o.out.contains(QString::fromUtf16(needle))) << o.out.toStdString();
    }
    const auto unknown = CliTest::runRaw({QStringLiteral("help"), QStringLiteral("bogus")});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_TRUE(unknown.err.startsWith(u"tarn: "));
}

TEST(ParseInvocationTest, CommandsCarryTheirArgumentsAndDataDir)
{
    const Invocation before = parse({QStringLiteral("--data-dir"), QStringLiteral("/tmp/x"), QStringLiteral("channel"),
                                     QStringLiteral("list"), QStringLiteral("--json")});
    EXPECT_EQ(before.kind, Invocation::Kind::Command);
    EXPECT_EQ(before.commandArgs, (QStringList{QStringLiteral("channel"), QStringLiteral("list"), QStringLiteral("--json")}));
    EXPECT_EQ(before.run.dataDir, QStringLiteral("/tmp/x"));
    const Invocation after = parse({QStringLiteral("key"), QStringLiteral("list"), QStringLiteral("--data-dir=/tmp/y")});
    EXPECT_EQ(after.kind, Invocation::Kind::Command);
    EXPECT_EQ(after.commandArgs, (QStringList{QStringLiteral("key"), QStringLiteral("list")}));
    EXPECT_EQ(after.run.dataDir, QStringLiteral("/tmp/y"));
}

TEST(ParseInvocationTest, RunKindIsNotACommand)
{
    const auto o = CliTest::runRaw({});
    EXPECT_EQ(o.code, 2);
}

} // namespace
