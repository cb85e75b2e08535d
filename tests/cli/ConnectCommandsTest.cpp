// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn connect` in-process against a temporary home and data directory, and once through the
// real binary.
#include "CliTestSupport.h"
#include "tests/support/FakeTailscale.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

class ConnectCommandsTest : public tarn::gateway::test::CliTest
{
protected:
    QString home() const { return m_home.path(); }
    QString inHome(const char *relative) const { return QDir(home()).filePath(s(relative)); }

    tarn::gateway::test::CommandOutput connect(QStringList args)
    {
        args.prepend(s("connect"));
        args << s("--home") << home();
        return run(args);
    }

    static QByteArray bytes(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    QList<ClientKey> keys()
    {
        auto db = openDb();
        return db ? ClientKeyRepository(*db).list().value() : QList<ClientKey>();
    }

    QTemporaryDir m_home;
};

TEST_F(ConnectCommandsTest, StatusListsEveryAgentWithItsSnippet)
{
    const auto o = connect({});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.startsWith(s("Tarn at http://127.0.0.1:8276\n"))) << o;
    for (const char *id : {"claude-code", "codex", "gemini-cli", "qwen-code"})
        EXPECT_TRUE(o.out.contains(s("tarn connect --apply ") + QString::fromLatin1(id))) << id;
    EXPECT_EQ(o.out.count(s("not using Tarn")), 4) << o;
    EXPECT_TRUE(o.out.contains(s("ANTHROPIC_BASE_URL"))) << o;
    EXPECT_TRUE(o.out.contains(s("[model_providers.tarn]"))) << o;
    EXPECT_TRUE(o.out.contains(s("GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8276"))) << o;
    EXPECT_TRUE(o.out.contains(s("OPENAI_BASE_URL=http://127.0.0.1:8276/v1"))) << o;
    EXPECT_FALSE(QFileInfo::exists(inHome(".claude"))); // looking writes nothing
}

TEST_F(ConnectCommandsTest, TheSavedListenAddressIsTheDefaultUrl)
{
    auto db = openDb();
    ASSERT_TRUE(SettingsRepository(*db).setValue(s("gateway.listen"), s("0.0.0.0:9100,[::1]:9101")).ok());
    db.reset();
    EXPECT_TRUE(connect({}).out.startsWith(s("Tarn at http://127.0.0.1:9100\n")));
    EXPECT_TRUE(connect({s("--url"), s("https://node.tail1234.ts.net/v1/")}).out.startsWith(s("Tarn at https://node.tail1234.ts.net\n")));
}

TEST_F(ConnectCommandsTest, ApplyClaudeCodeMintsAKeyOnceAndUndoRemovesTheFile)
{
    const auto o = connect({s("--apply"), s("claude-code"), s("--model"), s("glm-4.6")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(s("now uses Tarn at http://127.0.0.1:8276"))) << o;
    EXPECT_TRUE(o.err.contains(s("Created client key 'claude-code'"))) << o;
    const QJsonObject env = json(QString::fromUtf8(bytes(inHome(".claude/settings.json")))).object().value(s("env")).toObject();
    EXPECT_EQ(env.value(s("ANTHROPIC_BASE_URL")).toString(), s("http://127.0.0.1:8276"));
    EXPECT_EQ(env.value(s("ANTHROPIC_MODEL")).toString(), s("glm-4.6"));
    const QString token = env.value(s("ANTHROPIC_AUTH_TOKEN")).toString();
    ASSERT_EQ(keys().size(), 1);
    EXPECT_EQ(keys().first().name, s("claude-code"));
    EXPECT_TRUE(token.startsWith(keys().first().prefix)) << token.toStdString();
    EXPECT_EQ(QFile::permissions(inHome(".claude/settings.json")) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());

    // Again: the configuration already holds a Tarn key, so no second key is made.
    const auto again = connect({s("--apply"), s("claude-code"), s("--model"), s("glm-4.6")});
    ASSERT_EQ(again.code, 0) << again;
    EXPECT_TRUE(again.out.contains(s("nothing changed"))) << again;
    EXPECT_EQ(keys().size(), 1);
    EXPECT_TRUE(connect({}).out.contains(s("Claude Code (claude-code): uses Tarn at http://127.0.0.1:8276, key ")
                                         + token.left(9) + s("…, model glm-4.6")));

    const auto undone = connect({s("--undo"), s("claude-code")});
    ASSERT_EQ(undone.code, 0) << undone;
    EXPECT_TRUE(undone.out.contains(s("removed"))) << undone;
    EXPECT_FALSE(QFileInfo::exists(inHome(".claude/settings.json")));
    expectRuntimeError(connect({s("--undo"), s("claude-code")}), s("nothing to undo"));
}

TEST_F(ConnectCommandsTest, CodexOnLoopbackNeedsNoKeyAndKeyNameMakesOne)
{
    const QByteArray original = "# mine\n[tui]\nnotifications = true\n";
    ASSERT_TRUE(QDir().mkpath(inHome(".codex")));
    QFile file(inHome(".codex/config.toml"));
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write(original);
    file.close();

    const auto keyless = connect({s("--apply"), s("codex")});
    ASSERT_EQ(keyless.code, 0) << keyless;
    EXPECT_TRUE(keys().isEmpty());
    QByteArray config = bytes(inHome(".codex/config.toml"));
    EXPECT_TRUE(config.startsWith("# mine\nmodel_provider = \"tarn\"\n\n[tui]\nnotifications = true\n")) << config.toStdString();
    EXPECT_FALSE(config.contains("experimental_bearer_token"));

    const auto keyed = connect({s("--apply"), s("codex"), s("--key-name"), s("laptop-codex"), s("--model"), s("gpt-5.5")});
    ASSERT_EQ(keyed.code, 0) << keyed;
    ASSERT_EQ(keys().size(), 1);
    EXPECT_EQ(keys().first().name, s("laptop-codex"));
    config = bytes(inHome(".codex/config.toml"));
    EXPECT_TRUE(config.contains(QByteArray("experimental_bearer_token = \"" + keys().first().prefix.toUtf8()))) << config.toStdString();
    EXPECT_TRUE(config.contains("model = \"gpt-5.5\"\n"));

    ASSERT_EQ(connect({s("--undo"), s("codex")}).code, 0);
    EXPECT_EQ(bytes(inHome(".codex/config.toml")), original);
}

TEST_F(ConnectCommandsTest, ANonLoopbackUrlGivesEvenCodexAKey)
{
    const auto o = connect({s("--apply"), s("codex"), s("--url"), s("http://100.64.0.7:8276")});
    ASSERT_EQ(o.code, 0) << o;
    ASSERT_EQ(keys().size(), 1);
    EXPECT_EQ(keys().first().name, s("codex"));
    EXPECT_TRUE(bytes(inHome(".codex/config.toml")).contains("base_url = \"http://100.64.0.7:8276/v1\""));
    // A second agent's key does not collide with a name in use.
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("qwen-code")}).code, 0);
    ASSERT_EQ(connect({s("--apply"), s("qwen-code")}).code, 0);
    EXPECT_EQ(keys().size(), 3);
    EXPECT_TRUE(bytes(inHome(".qwen/.env")).contains("OPENAI_API_KEY=tarn-"));
    auto db = openDb();
    EXPECT_TRUE(ClientKeyRepository(*db).findByName(s("qwen-code-2")).ok());
}

TEST_F(ConnectCommandsTest, AMalformedConfigIsRefusedWithoutMakingAKey)
{
    ASSERT_TRUE(QDir().mkpath(inHome(".gemini")));
    QFile file(inHome(".gemini/settings.json"));
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("{ \"ui\": ");
    file.close();
    expectRuntimeError(connect({s("--apply"), s("gemini-cli"), s("--key-name"), s("g")}), s("not valid JSON"));
    EXPECT_EQ(bytes(inHome(".gemini/settings.json")), QByteArray("{ \"ui\": "));
    EXPECT_FALSE(QFileInfo::exists(inHome(".gemini/.env")));
    EXPECT_TRUE(keys().isEmpty());
    EXPECT_TRUE(connect({}).out.contains(s("Gemini CLI (gemini-cli): cannot tell:")));
}

TEST_F(ConnectCommandsTest, UndoRefusesAFileEditedSinceUnlessForced)
{
    ASSERT_EQ(connect({s("--apply"), s("qwen-code"), s("--key-name"), s("q")}).code, 0);
    QFile file(inHome(".qwen/.env"));
    ASSERT_TRUE(file.open(QIODevice::Append));
    file.write("MINE=1\n");
    file.close();
    expectRuntimeError(connect({s("--undo"), s("qwen-code")}), s("--force"));
    EXPECT_TRUE(QFileInfo::exists(inHome(".qwen/.env")));
    ASSERT_EQ(connect({s("--undo"), s("qwen-code"), s("--force")}).code, 0);
    EXPECT_FALSE(QFileInfo::exists(inHome(".qwen/.env")));
}

TEST_F(ConnectCommandsTest, UsageErrors)
{
    expectUsageError(connect({s("--apply"), s("cursor")}), s("unknown agent 'cursor'"));
    expectUsageError(connect({s("--apply"), s("codex"), s("--undo"), s("codex")}), s("do not go together"));
    expectUsageError(connect({s("--key-name"), s("x")}), s("goes with --apply"));
    expectUsageError(connect({s("--force")}), s("goes with --undo"));
    expectUsageError(connect({s("--undo"), s("codex"), s("--model"), s("m")}), s("no --model"));
    expectUsageError(connect({s("--url"), s("127.0.0.1:8276")}), s("--url"));
    expectUsageError(connect({s("--apply"), s("codex"), s("--key-name"), s("bad name")}), s("invalid key name"));
    expectUsageError(connect({s("extra")}), s("unexpected argument"));
    EXPECT_TRUE(keys().isEmpty());
    EXPECT_FALSE(QFileInfo::exists(inHome(".codex")));
}

TEST_F(ConnectCommandsTest, HelpDescribesIt)
{
    const auto o = run({s("help"), s("connect")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(s("tarn connect --apply AGENT"))) << o;
    EXPECT_TRUE(run({s("--help")}).out.contains(s("connect   "))) << o;
}

// The real binary: apply and undo through `tarn`, as a user types it.
TEST_F(ConnectCommandsTest, TheBinaryAppliesAndUndoes)
{
    const auto tarn = [&](const QStringList &args) {
        QProcess process;
        process.start(QStringLiteral(TARN_EXECUTABLE), QStringList{s("--data-dir"), dataDir()} + args);
        EXPECT_TRUE(process.waitForFinished(30000));
        return std::make_pair(process.exitCode(), QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError()));
    };
    const QByteArray original = "{\"ui\": {\"theme\": \"dark\"}}";
    ASSERT_TRUE(QDir().mkpath(inHome(".gemini")));
    QFile file(inHome(".gemini/settings.json"));
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write(original);
    file.close();

    const auto [applyCode, applyOut] = tarn({s("connect"), s("--apply"), s("gemini-cli"), s("--home"), home(), s("--model"), s("gemini-2.5-flash")});
    ASSERT_EQ(applyCode, 0) << applyOut.toStdString();
    const QJsonObject settings = json(QString::fromUtf8(bytes(inHome(".gemini/settings.json")))).object();
    EXPECT_EQ(settings.value(s("ui")).toObject().value(s("theme")).toString(), s("dark"));
    EXPECT_EQ(settings.value(s("security")).toObject().value(s("auth")).toObject().value(s("selectedType")).toString(), s("gemini-api-key"));
    EXPECT_TRUE(bytes(inHome(".gemini/.env")).startsWith("GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8276\nGEMINI_API_KEY=tarn-"));

    const auto [undoCode, undoOut] = tarn({s("connect"), s("--undo"), s("gemini-cli"), s("--home"), home()});
    ASSERT_EQ(undoCode, 0) << undoOut.toStdString();
    EXPECT_EQ(bytes(inHome(".gemini/settings.json")), original);
    EXPECT_FALSE(QFileInfo::exists(inHome(".gemini/.env")));
}

} // namespace

namespace {

// The terminal QR code in a command's output (after its "For a phone" line) as a PBM image, each
// module 4x4 pixels: "█" both modules light, "▀" top light, "▄" bottom light, " " both dark.
QByteArray terminalQrAsPbm(const QString &out)
{
    QStringList rows = out.section(s("For a phone"), 1).split(u'\n');
    rows.removeFirst(); // the rest of the heading line
    QList<QList<bool>> dark; // module rows
    for (const QString &row : rows) {
        if (row.isEmpty())
            break;
        QList<bool> top, bottom;
        for (const QChar c : row) {
            top << (c == u' ' || c == QChar(0x2584));
            bottom << (c == u' ' || c == QChar(0x2580));
        }
        dark << top << bottom;
    }
    if (dark.isEmpty())
        return {};
    constexpr int scale = 4;
    const qsizetype width = dark.first().size();
    QByteArray pbm = "P1\n" + QByteArray::number(width * scale) + ' ' + QByteArray::number(dark.size() * scale) + '\n';
    for (const QList<bool> &row : dark) {
        QByteArray line;
        for (const bool d : row)
            line += QByteArray(scale, d ? '1' : '0');
        for (int i = 0; i < scale; ++i)
            pbm += line + '\n';
    }
    return pbm;
}

// What zbarimg reads in a PBM image; null when zbarimg is not installed.
QByteArray decodeQr(const QByteArray &pbm)
{
    QTemporaryDir dir;
    QFile file(dir.filePath(s("qr.pbm")));
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(pbm);
    file.close();
    QProcess zbar;
    zbar.start(s("zbarimg"), {s("--raw"), s("-q"), file.fileName()});
    if (!zbar.waitForStarted(5000) || !zbar.waitForFinished(30000))
        return {};
    return zbar.readAllStandardOutput().trimmed();
}

} // namespace

// Another device: where Tarn is reached in each mode, a new key, the client's snippet with both,
// and a QR code of the two that a phone (here zbarimg) reads back.
TEST_F(ConnectCommandsTest, ClientSetsUpAnotherDeviceWithAKeyASnippetAndAQrCode)
{
    tarn::test::FakeTailscale tailscale;
    tailscale.put(s("status.json"), R"({"BackendState":"Running","Self":{"DNSName":"gateway.tail1234.ts.net.","Online":true}})");
    tailscale.put(s("serve.json"), R"({"Web":{"gateway.tail1234.ts.net:443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:8276"}}}}})");
    const auto o = run({s("connect"), s("--client"), s("codex"), s("--key-name"), s("laptop")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(s("your tailnet:       http://gateway.tail1234.ts.net:8276"))) << o;
    EXPECT_TRUE(o.out.contains(s("tailscale serve:    https://gateway.tail1234.ts.net (your tailnet)"))) << o;
    EXPECT_TRUE(o.out.contains(s("Using https://gateway.tail1234.ts.net\n"))) << o;
    const QList<ClientKey> made = keys();
    ASSERT_EQ(made.size(), 1);
    EXPECT_EQ(made.first().name, s("laptop"));
    const QString key = o.out.section(s("'tarn key revoke laptop'):\n  "), 1).section(u'\n', 0, 0);
    ASSERT_TRUE(key.startsWith(s("tarn-"))) << o;
    EXPECT_TRUE(o.out.contains(s("base_url = \"https://gateway.tail1234.ts.net/v1\""))) << o;
    EXPECT_TRUE(o.out.contains(s("Codex CLI on the other device, in\n    ~/.codex/config.toml"))) << o;
    EXPECT_TRUE(o.out.contains(s("experimental_bearer_token = \"%1\"").arg(key))) << o;
    EXPECT_FALSE(QFileInfo::exists(inHome(".codex"))); // another device's: nothing written here

    const QByteArray pbm = terminalQrAsPbm(o.out);
    ASSERT_FALSE(pbm.isEmpty()) << o;
    const QByteArray decoded = decodeQr(pbm);
    if (decoded.isNull())
        GTEST_SKIP() << "zbarimg is not installed (zbar-tools): the QR code was not read back";
    EXPECT_EQ(decoded, QStringLiteral(R"({"api_key":"%1","base_url":"https://gateway.tail1234.ts.net/v1"})").arg(key).toUtf8());
}

TEST_F(ConnectCommandsTest, ClientOnALoopbackOnlyTarnSaysHowToReachIt)
{
    const auto roo = run({s("connect"), s("--client"), s("roo-code")});
    ASSERT_EQ(roo.code, 0) << roo;
    EXPECT_TRUE(roo.out.contains(s("Using http://127.0.0.1:8276\n"))) << roo;
    EXPECT_TRUE(roo.out.contains(s("--expose tailscale"))) << roo;
    EXPECT_TRUE(roo.out.contains(s("Cline / Roo Code:\n    API Provider: OpenAI Compatible"))) << roo;
    EXPECT_EQ(keys().value(0).name, s("cline"));

    const auto unknown = run({s("connect"), s("--client"), s("netscape")});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_TRUE(unknown.err.contains(s("unknown client 'netscape'"))) << unknown;
    EXPECT_TRUE(unknown.err.contains(s("cherry-studio"))) << unknown;
    const auto mixed = run({s("connect"), s("--client"), s("curl"), s("--apply"), s("codex")});
    EXPECT_EQ(mixed.code, 2) << mixed;
    const auto home = run({s("connect"), s("--client"), s("curl"), s("--home"), m_home.path()});
    EXPECT_EQ(home.code, 2) << home;
    EXPECT_EQ(keys().size(), 1); // refusals make no key
}

// The address a new device gets follows where Tarn is set to listen: the tailnet's MagicDNS name in
// Tailscale mode, a LAN address when it listens everywhere, and loopback with the reason otherwise.
TEST_F(ConnectCommandsTest, ClientGetsTheAddressTarnIsSetToListenOn)
{
    const auto save = [this](const char *expose, const char *listen) {
        auto db = openDb();
        ASSERT_TRUE(db);
        ASSERT_TRUE(SettingsRepository(*db).setValue(s("gateway.expose"), s(expose)).ok());
        ASSERT_TRUE(SettingsRepository(*db).setValue(s("gateway.listen"), s(listen)).ok());
    };
    {
        tarn::test::FakeTailscale tailscale;
        tailscale.put(s("status.json"), R"({"BackendState":"Running","Self":{"DNSName":"gateway.tail1234.ts.net.","Online":true}})");
        save("tailscale", "127.0.0.1:9300");
        const auto o = run({s("connect"), s("--client"), s("curl")});
        ASSERT_EQ(o.code, 0) << o;
        EXPECT_TRUE(o.out.contains(s("Using http://gateway.tail1234.ts.net:9300\n"))) << o;
        EXPECT_TRUE(o.out.contains(s("curl http://gateway.tail1234.ts.net:9300/v1/chat/completions"))) << o;
    }
    // Tailscale mode, but Tailscale is not up here: loopback, and why.
    const auto down = run({s("connect"), s("--client"), s("curl")});
    ASSERT_EQ(down.code, 0) << down;
    EXPECT_TRUE(down.out.contains(s("Using http://127.0.0.1:9300\n"))) << down;
    EXPECT_TRUE(down.out.contains(s("no Tailscale address now"))) << down;

    // Every network: a LAN address of this machine, when it has one.
    save("", "0.0.0.0:9400");
    const auto all = run({s("connect"), s("--client"), s("curl")});
    ASSERT_EQ(all.code, 0) << all;
    const QString lan = all.out.section(s("every network:      "), 1).section(u'\n', 0, 0).section(s(", "), 0, 0);
    if (lan.startsWith(s("http://")))
        EXPECT_TRUE(all.out.contains(s("Using ") + lan + u'\n')) << all;
    else
        EXPECT_TRUE(all.out.contains(s("Using http://127.0.0.1:9400\n"))) << all;
}
