// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn usage` in-process.
#include "CliTestSupport.h"

#include "gateway/storage/UsageRepository.h"

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

class UsageCommandsTest : public tarn::gateway::test::CliTest
{
protected:
    void SetUp() override
    {
        CliTest::SetUp();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        auto record = [&](qint64 ageSecs, const QString &channel, const QString &model, int status, qint64 prompt,
                          qint64 completion, qint64 cached) {
            UsageRecord r;
            r.time = now.addSecs(-ageSecs);
            r.channelName = channel;
            r.channelId = channel.isEmpty() ? 0 : 1;
            r.requestedModel = model;
            r.status = status;
            r.promptTokens = prompt;
            r.completionTokens = completion;
            r.cachedTokens = cached;
            r.latencyMs = 100;
            return r;
        };
        auto db = openDb();
        ASSERT_TRUE(UsageRepository(*db)
                        .insert({record(60, s("openai-main"), s("gpt-4o"), 200, 1000, 200, 50),
                                 record(120, s("openai-main"), s("gpt-4o"), 500, 10, 0, 0),
                                 record(600, s("claude"), s("claude-sonnet"), 200, 3000, 400, 0),
                                 record(1800, s(""), s("unknown-model"), 404, 5, 0, 0),
                                 record(3 * 86400, s("claude"), s("claude-sonnet"), 200, 7, 7, 7)})
                        .ok());
    }
};

TEST_F(UsageCommandsTest, DefaultTableCoversTheLast24Hours)
{
    const auto o = run({s("usage")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.startsWith(u"Usage since ")) << o;
    const QStringList lines = o.out.split(u'\n');
    auto line = [&](const QString &start) {
        for (const QString &l : lines) {
            if (l.startsWith(start))
                return l.simplified();
        }
        return QString();
    };
    EXPECT_TRUE(line(s("CHANNEL")).startsWith(s("CHANNEL REQUESTS ERRORS PROMPT COMPLETION CACHED"))) << o;
    EXPECT_EQ(line(s("openai-main")), s("openai-main 2 1 1010 200 50 100")) << o;
    EXPECT_EQ(line(s("claude ")), s("claude 1 0 3000 400 0 100")) << o;
    EXPECT_EQ(line(s("(none)")), s("(none) 1 1 5 0 0 100")) << o;
    EXPECT_EQ(line(s("gpt-4o")), s("gpt-4o 2 1 1010 200 50 100")) << o;
    EXPECT_EQ(line(s("TOTAL")), s("TOTAL 4 2 4015 600 50 100")) << o;
    EXPECT_TRUE(line(s("MODEL")).startsWith(s("MODEL REQUESTS"))) << o;
    // Right-aligned numbers: the REQUESTS column ends at the same offset on every row.
    const QString header = lines.value(2);
    const qsizetype requestsEnd = header.indexOf(u"REQUESTS") + 8;
    for (qsizetype i = 3; i < lines.size() && !lines[i].isEmpty(); ++i)
        EXPECT_EQ(lines[i].at(requestsEnd - 1).isDigit(), true) << lines[i].toStdString();
}

TEST_F(UsageCommandsTest, SinceDurationsAndDates)
{
    auto totalRequests = [&](const QString &since) {
        const auto o = run({s("usage"), s("--json"), s("--since"), since});
        EXPECT_EQ(o.code, 0) << o;
        return json(o.out).object().value(s("total")).toObject().value(s("requests")).toInteger();
    };
    EXPECT_EQ(totalRequests(s("90s")), 1);
    EXPECT_EQ(totalRequests(s("5m")), 2);
    EXPECT_EQ(totalRequests(s("1h")), 4);
    EXPECT_EQ(totalRequests(s("7d")), 5);
    EXPECT_EQ(totalRequests(s("1w")), 5);
    EXPECT_EQ(totalRequests(QDateTime::currentDateTimeUtc().addDays(-2).toString(Qt::ISODate)), 4);
    EXPECT_EQ(totalRequests(QDateTime::currentDateTimeUtc().addDays(-10).date().toString(Qt::ISODate)), 5);
}

TEST_F(UsageCommandsTest, JsonHasExactPerChannelAndPerModelNumbers)
{
    const auto o = run({s("usage"), s("--json"), s("--since"), s("30d")});
    ASSERT_EQ(o.code, 0) << o;
    const QJsonObject root = json(o.out).object();
    EXPECT_TRUE(root.value(s("since")).isString());
    const QJsonArray channels = root.value(s("channels")).toArray();
    ASSERT_EQ(channels.size(), 3);
    QJsonObject claude;
    for (const QJsonValue &v : channels) {
        if (v.toObject().value(s("name")).toString() == u"claude")
            claude = v.toObject();
    }
    EXPECT_EQ(claude.value(s("requests")).toInteger(), 2);
    EXPECT_EQ(claude.value(s("errors")).toInteger(), 0);
    EXPECT_EQ(claude.value(s("prompt_tokens")).toInteger(), 3007);
    EXPECT_EQ(claude.value(s("completion_tokens")).toInteger(), 407);
    EXPECT_EQ(claude.value(s("cached_tokens")).toInteger(), 7);
    const QJsonArray models = root.value(s("models")).toArray();
    ASSERT_EQ(models.size(), 3);
    const QJsonObject total = root.value(s("total")).toObject();
    EXPECT_EQ(total.value(s("requests")).toInteger(), 5);
    EXPECT_EQ(total.value(s("errors")).toInteger(), 2);
    EXPECT_EQ(total.value(s("prompt_tokens")).toInteger(), 4022);
}

TEST_F(UsageCommandsTest, EmptyPeriodSaysSo)
{
    const auto o = run({s("usage"), s("--since"), s("10s")});
    EXPECT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"No requests")) << o;
}

TEST_F(UsageCommandsTest, BadDurationsAreUsageErrors)
{
    for (const char *bad : {"5x", "abc", "", "-3h", "24", "h", "2024-99-99"}) {
        SCOPED_TRACE(bad);
        expectUsageError(run({s("usage"), s("--since"), QString::fromLatin1(bad)}), s("bad --since"));
    }
    expectUsageError(run({s("usage"), s("--since")}), s("needs a value"));
    expectUsageError(run({s("usage"), s("extra")}), s("unexpected argument"));
}

TEST_F(UsageCommandsTest, RecentListsRequestsWithClientAndChannelFormats)
{
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        UsageRecord translated;
        translated.time = now.addSecs(-5);
        translated.inboundFormat = s("anthropic");
        translated.channelFormat = s("openai");
        translated.channelId = 1;
        translated.channelName = s("openai-main");
        translated.requestedModel = s("claude-sonnet");
        translated.status = 200;
        translated.promptTokens = 11;
        translated.completionTokens = 22;
        translated.latencyMs = 333;
        UsageRecord unrouted;
        unrouted.time = now.addSecs(-1);
        unrouted.inboundFormat = s("gemini");
        unrouted.requestedModel = s("nope");
        unrouted.status = 404;
        auto db = openDb();
        ASSERT_TRUE(UsageRepository(*db).insert({translated, unrouted}).ok());
    }
    const auto o = run({s("usage"), s("--recent"), s("2")});
    ASSERT_EQ(o.code, 0) << o;
    const QStringList lines = o.out.split(u'\n', Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 3) << o;
    EXPECT_EQ(lines[0].simplified(), s("TIME (UTC) FORMATS MODEL CHANNEL STATUS PROMPT COMPLETION MS")) << o;
    EXPECT_TRUE(lines[1].simplified().endsWith(s("gemini→- nope - 404 0 0 0"))) << o;
    EXPECT_TRUE(lines[2].simplified().endsWith(s("anthropic→openai claude-sonnet openai-main 200 11 22 333"))) << o;
    EXPECT_EQ(lines[2].indexOf(u"anthropic→openai"), lines[0].indexOf(u"FORMATS")) << o;

    const auto j = run({s("usage"), s("--recent"), s("2"), s("--json")});
    ASSERT_EQ(j.code, 0) << j;
    const QJsonArray requests = json(j.out).object().value(s("requests")).toArray();
    ASSERT_EQ(requests.size(), 2);
    EXPECT_EQ(requests[0].toObject().value(s("inbound_format")).toString(), s("gemini"));
    EXPECT_EQ(requests[0].toObject().value(s("channel_format")), QJsonValue(s("")));
    EXPECT_EQ(requests[1].toObject().value(s("inbound_format")).toString(), s("anthropic"));
    EXPECT_EQ(requests[1].toObject().value(s("channel_format")).toString(), s("openai"));
    EXPECT_EQ(requests[1].toObject().value(s("channel")).toString(), s("openai-main"));
    EXPECT_EQ(requests[1].toObject().value(s("prompt_tokens")).toInteger(), 11);

    // --since leaves older ones out: the two above and the set-up records of 60 s and 120 s ago.
    const auto recent = run({s("usage"), s("--recent"), s("100"), s("--since"), s("5m"), s("--json")});
    EXPECT_EQ(json(recent.out).object().value(s("requests")).toArray().size(), 4) << recent;
    EXPECT_EQ(json(run({s("usage"), s("--recent"), s("100"), s("--json")}).out).object().value(s("requests")).toArray().size(), 7);

    expectUsageError(run({s("usage"), s("--recent"), s("0")}), s("--recent must be >= 1"));
    expectUsageError(run({s("usage"), s("--recent"), s("many")}), s("--recent must be a whole number"));
}

} // namespace
