// SPDX-License-Identifier: GPL-3.0-or-later
// A channel's extra headers: `tarn channel add/set --header` and `tarn import` refuse what the
// channel dialog refuses (one rule, gateway/core/ExtraHeaderRule), naming the header and why.
#include "CliTestSupport.h"

#include "gateway/core/ExtraHeaderRule.h"

#include <QFile>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

using ChannelHeaderRuleTest = tarn::gateway::test::CliTest;

TEST_F(ChannelHeaderRuleTest, AddRefusesABadHeaderNameAndStoresNothing)
{
    const QString before = snapshot();
    const auto o = run(addArgs(s("main")) + QStringList{s("--header"), s("X Team=infra")});
    expectUsageError(o, s("--header: 'X Team' is not a valid header name"));
    EXPECT_EQ(snapshot(), before);

    // Other characters outside the token set: a colon (the user wrote "Name: value") and non-ASCII.
    expectUsageError(run(addArgs(s("main")) + QStringList{s("--header"), s("X-Team:=infra")}), s("'X-Team:'"));
    expectUsageError(run(addArgs(s("main")) + QStringList{s("--header"), s("X-Équipe=infra")}), s("not a valid header name"));
    EXPECT_EQ(snapshot(), before);
}

TEST_F(ChannelHeaderRuleTest, AddRefusesAValueOverSeveralLines)
{
    const QString before = snapshot();
    for (const QString &value : {s("X-Team=infra\r\nHost: evil.example"), s("X-Team=a\nb"), QString(QStringLiteral("X-Team=a") + QChar(0) + u'b')}) {
        SCOPED_TRACE(value.toStdString());
        expectUsageError(run(addArgs(s("main")) + QStringList{s("--header"), value}),
                         s("--header: The value of 'X-Team' must be on one line"));
    }
    EXPECT_EQ(snapshot(), before);
}

TEST_F(ChannelHeaderRuleTest, AddRefusesHeadersThatFrameTheRequest)
{
    const QString before = snapshot();
    for (const char *header : {"Content-Length=3", "transfer-encoding=chunked", "Host=evil.example", "Connection=close",
                               "Upgrade=h2c", "TE=trailers", "Keep-Alive=timeout=5"}) {
        SCOPED_TRACE(header);
        const QString name = s(header).section(u'=', 0, 0);
        expectUsageError(run(addArgs(s("main")) + QStringList{s("--header"), s(header)}),
                         s("--header: '%1' is set by Tarn's HTTP client").arg(name));
    }
    EXPECT_EQ(snapshot(), before);
    // A name that only starts like one is an ordinary header.
    EXPECT_EQ(run(addArgs(s("main")) + QStringList{s("--header"), s("Host-Override=x"), s("--header"), s("X-Connection=y")}).code, 0);
}

TEST_F(ChannelHeaderRuleTest, SetRefusesTheSameNameTwiceInAnyCase)
{
    ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--header"), s("X-Team=infra")}).code, 0);
    const QString before = snapshot();
    expectUsageError(run({s("channel"), s("set"), s("main"), s("--header"), s("X-Org=a"), s("--header"), s("x-org=b")}),
                     s("given twice"));
    EXPECT_EQ(snapshot(), before);

    // Good headers are still taken as they were.
    ASSERT_EQ(run({s("channel"), s("set"), s("main"), s("--header"), s("OpenAI-Organization=org-1"), s("--header"),
                   s("anthropic-beta=a,b")})
                  .code,
              0);
    auto db = openDb();
    const Channel c = *ChannelRepository(*db).findByName(s("main"));
    EXPECT_EQ(c.extraHeaders, (QMap<QString, QString>{{s("OpenAI-Organization"), s("org-1")}, {s("anthropic-beta"), s("a,b")}}));
}

TEST_F(ChannelHeaderRuleTest, ImportRefusesABadHeaderNamingChannelAndHeader)
{
    const QString before = snapshot();
    const QList<std::pair<QByteArray, QString>> cases = {
        {R"({"format":"tarn-config","version":1,"channels":[{"name":"x","type":"openai","base_url":"https://a.b","keys":["k"],"models":["m"],"extra_headers":{"Bad Name":"v"}}]})",
         s("channel 'x': 'Bad Name' is not a valid header name")},
        {R"({"format":"tarn-config","version":1,"channels":[{"name":"x","type":"openai","base_url":"https://a.b","keys":["k"],"models":["m"],"extra_headers":{"X-Org":"a\nb"}}]})",
         s("channel 'x': The value of 'X-Org' must be on one line")},
        {R"({"format":"tarn-config","version":1,"channels":[{"name":"x","type":"openai","base_url":"https://a.b","keys":["k"],"models":["m"],"extra_headers":{"X-Org":""}}]})",
         s("The header 'X-Org' needs a value")},
    };
    int n = 0;
    for (const auto &[bytes, needle] : cases) {
        SCOPED_TRACE(bytes.toStdString());
        const QString file = m_dir.filePath(QStringLiteral("headers%1.json").arg(++n));
        QFile out(file);
        ASSERT_TRUE(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        out.close();
        expectRuntimeError(run({s("import"), file}), needle);
    }
    EXPECT_EQ(snapshot(), before);
}

// The rule itself, as the dialog uses it: one verdict per row, and which field is at fault.
TEST(ExtraHeaderRuleTest, VerdictPerHeaderInOrder)
{
    const QList<HeaderVerdict> verdicts = checkExtraHeaders({{s("X-Org"), s("a")},
                                                             {s(""), s("orphan")},
                                                             {s("x-org"), s("b")},
                                                             {s("X-Empty"), s("")},
                                                             {s("X-Split"), s("a\rb")},
                                                             {s("Bad/Name"), s("v")},
                                                             {s("!#$%&'*+-.^_`|~09azAZ"), s("v")},
                                                             {s("CONTENT-LENGTH"), s("12")}});
    ASSERT_EQ(verdicts.size(), 8);
    EXPECT_EQ(verdicts[0].fault, HeaderFault::None);
    EXPECT_TRUE(verdicts[0].message.isEmpty());
    EXPECT_EQ(verdicts[1].fault, HeaderFault::MissingName);
    EXPECT_EQ(verdicts[2].fault, HeaderFault::DuplicateName);
    EXPECT_EQ(verdicts[3].fault, HeaderFault::MissingValue);
    EXPECT_TRUE(verdicts[3].valueAtFault());
    EXPECT_EQ(verdicts[4].fault, HeaderFault::MultiLineValue);
    EXPECT_TRUE(verdicts[4].valueAtFault());
    EXPECT_EQ(verdicts[5].fault, HeaderFault::InvalidName);
    EXPECT_FALSE(verdicts[5].valueAtFault());
    EXPECT_TRUE(verdicts[5].message.contains(s("'Bad/Name'")));
    EXPECT_EQ(verdicts[6].fault, HeaderFault::None);
    EXPECT_EQ(verdicts[7].fault, HeaderFault::ReservedName);
    EXPECT_FALSE(verdicts[7].valueAtFault());
}

} // namespace
