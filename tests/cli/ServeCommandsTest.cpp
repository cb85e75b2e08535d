// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn serve` against a stand-in tailscale CLI ($TARN_TAILSCALE): the arguments it passes, what it
// reads back from `serve status --json`, funnel's refusal without a client key, and failures.
#include "CliTestSupport.h"

#include "gateway/net/TailscaleServe.h"

#include <QFile>
#include <QScopeGuard>
#include <QTemporaryDir>

using namespace tarn::gateway;
using tarn::gateway::test::CliTest;

namespace {

constexpr char kServed[] = R"({"TCP":{"443":{"HTTPS":true}},
  "Web":{"gateway.tail1234.ts.net:443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:8276"}}},
         "gateway.tail1234.ts.net:8443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:9999"}}}},
  "AllowFunnel":{"gateway.tail1234.ts.net:443":true}})";

TEST(TailscaleServe, ArgumentsAreTheNewCliSyntax)
{
    EXPECT_EQ(serveArguments(ServeReach::Tailnet, 8276).join(u' '), QStringLiteral("serve --yes --bg --https=443 http://127.0.0.1:8276"));
    EXPECT_EQ(serveArguments(ServeReach::Internet, 9000).join(u' '), QStringLiteral("funnel --yes --bg --https=443 http://127.0.0.1:9000"));
    EXPECT_EQ(serveOffArguments(ServeReach::Tailnet).join(u' '), QStringLiteral("serve --https=443 off"));
    EXPECT_EQ(serveOffArguments(ServeReach::Internet).join(u' '), QStringLiteral("funnel --https=443 off"));
}

TEST(TailscaleServe, StatusListsWhatProxiesToTarnsPort)
{
    Result<QList<ServeEntry>> entries = parseServeStatus(kServed, 8276);
    ASSERT_TRUE(entries.ok()) << entries.error().message.toStdString();
    ASSERT_EQ(entries->size(), 1);
    EXPECT_EQ(entries->first().url, QStringLiteral("https://gateway.tail1234.ts.net"));
    EXPECT_EQ(entries->first().target, QStringLiteral("http://127.0.0.1:8276"));
    EXPECT_TRUE(entries->first().funnel);
    entries = parseServeStatus(kServed, 9999);
    ASSERT_EQ(entries->size(), 1);
    EXPECT_EQ(entries->first().url, QStringLiteral("https://gateway.tail1234.ts.net:8443"));
    EXPECT_FALSE(entries->first().funnel);
    // Nothing served: empty output or {}; another machine's proxy target is not Tarn.
    EXPECT_TRUE(parseServeStatus("", 8276)->isEmpty());
    EXPECT_TRUE(parseServeStatus("{}", 8276)->isEmpty());
    EXPECT_TRUE(parseServeStatus(R"({"Web":{"a:443":{"Handlers":{"/":{"Proxy":"http://10.0.0.5:8276"}}}}})", 8276)->isEmpty());
    for (const char *garbage : {"[]", "not json", "{\"Web\": ", "null"})
        EXPECT_FALSE(parseServeStatus(garbage, 8276).ok()) << garbage;
    // Hostile shapes do not crash: wrong types where objects are expected.
    EXPECT_TRUE(parseServeStatus(R"({"Web":[1,2],"AllowFunnel":"yes"})", 8276)->isEmpty());
    EXPECT_TRUE(parseServeStatus(R"({"Web":{"x":{"Handlers":{"/":{"Proxy":42}}}}})", 8276)->isEmpty());
}

// A stand-in tailscale: records its arguments, answers `serve status --json` with what a test put
// in status.json, and fails with exit 1 when a file named fail exists.
class ServeCommandTest : public CliTest
{
protected:
    void SetUp() override
    {
        CliTest::SetUp();
        ASSERT_TRUE(m_bin.isValid());
        const QString script = m_bin.filePath(QStringLiteral("tailscale"));
        QFile file(script);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral("#!/bin/sh\n"
                                  "echo \"$*\" >> '%1/calls'\n"
                                  "[ -e '%1/fail' ] && { echo 'serve config denied' >&2; exit 1; }\n"
                                  "[ \"$1 $2\" = 'serve status' ] && cat '%1/status.json' 2>/dev/null\n"
                                  "exit 0\n")
                       .arg(m_bin.path())
                       .toUtf8());
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("TARN_TAILSCALE", script.toUtf8());
    }
    void TearDown() override { qunsetenv("TARN_TAILSCALE"); }
    QStringList calls() const
    {
        QFile file(m_bin.filePath(QStringLiteral("calls")));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts) : QStringList{};
    }
    void setStatus(const QByteArray &json)
    {
        QFile file(m_bin.filePath(QStringLiteral("status.json")));
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(json);
    }
    QTemporaryDir m_bin;
};

TEST_F(ServeCommandTest, ServeProxiesTheSavedPortAndSaysWhere)
{
    ASSERT_EQ(run({QStringLiteral("key"), QStringLiteral("list")}).code, 0); // creates the database
    setStatus(kServed);
    const auto out = run({QStringLiteral("serve")});
    ASSERT_EQ(out.code, 0) << out;
    EXPECT_EQ(calls(), (QStringList{QStringLiteral("serve --yes --bg --https=443 http://127.0.0.1:8276"),
                                    QStringLiteral("serve status --json")}));
    EXPECT_TRUE(out.out.contains(QStringLiteral("https://gateway.tail1234.ts.net/v1  ->  http://127.0.0.1:8276"))) << out;

    const auto off = run({QStringLiteral("serve"), QStringLiteral("--off")});
    ASSERT_EQ(off.code, 0) << off;
    EXPECT_EQ(calls().last(), QStringLiteral("serve --https=443 off"));
}

TEST_F(ServeCommandTest, FunnelNeedsAnActiveKeyAndWarns)
{
    auto out = run({QStringLiteral("serve"), QStringLiteral("--funnel"), QStringLiteral("--port"), QStringLiteral("9000")});
    EXPECT_EQ(out.code, 1) << out;
    EXPECT_TRUE(out.err.contains(QStringLiteral("create one first"))) << out;
    EXPECT_TRUE(calls().isEmpty()); // tailscale never ran

    ASSERT_EQ(run({QStringLiteral("key"), QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("cursor")}).code, 0);
    out = run({QStringLiteral("serve"), QStringLiteral("--funnel"), QStringLiteral("--port"), QStringLiteral("9000")});
    ASSERT_EQ(out.code, 0) << out;
    EXPECT_TRUE(out.err.contains(QStringLiteral("whole internet"))) << out;
    EXPECT_EQ(calls().first(), QStringLiteral("funnel --yes --bg --https=443 http://127.0.0.1:9000"));
}

TEST_F(ServeCommandTest, FailuresAndAMissingCliSayWhy)
{
    QFile(m_bin.filePath(QStringLiteral("fail"))).open(QIODevice::WriteOnly);
    auto out = run({QStringLiteral("serve")});
    EXPECT_EQ(out.code, 1);
    EXPECT_TRUE(out.err.contains(QStringLiteral("serve config denied"))) << out;

    qputenv("TARN_TAILSCALE", QByteArray("/nonexistent/tailscale"));
    out = run({QStringLiteral("serve"), QStringLiteral("--status")});
    EXPECT_EQ(out.code, 1);
    EXPECT_FALSE(out.err.isEmpty()) << out;

    EXPECT_EQ(run({QStringLiteral("serve"), QStringLiteral("--off"), QStringLiteral("--status")}).code, 2);
    EXPECT_EQ(run({QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")}).code, 2);
    EXPECT_EQ(run({QStringLiteral("serve"), QStringLiteral("extra")}).code, 2);
}

} // namespace
