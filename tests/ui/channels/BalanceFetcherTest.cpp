// SPDX-License-Identifier: GPL-3.0-or-later
// Balances: which providers have an endpoint, how each answer reads, and a real fetch shown in
// the table's Balance column.
#include "ui/channels/BalanceFetcher.h"

#include "tests/ui/channels/ChannelsTestFixture.h"

using namespace tarn::test;
using tarn::ui::BalanceFetcher;
using tarn::ui::BalanceQuery;

namespace {

Channel channelAt(const char *baseUrl)
{
    Channel c;
    c.baseUrl = QString::fromLatin1(baseUrl);
    c.keys = {QStringLiteral("sk-1")};
    return c;
}

TEST(BalanceFetcher, KnowsTheProvidersThatReportABalance)
{
    auto url = [](const char *base) {
        const auto q = BalanceFetcher::queryFor(channelAt(base));
        return q ? q->url.toString() : QString();
    };
    EXPECT_EQ(url("https://api.deepseek.com/v1"), QStringLiteral("https://api.deepseek.com/user/balance"));
    EXPECT_EQ(url("https://api.siliconflow.cn/v1"), QStringLiteral("https://api.siliconflow.cn/v1/user/info"));
    EXPECT_EQ(url("https://openrouter.ai/api/v1"), QStringLiteral("https://openrouter.ai/api/v1/credits"));
    EXPECT_EQ(url("https://api.moonshot.cn/v1"), QStringLiteral("https://api.moonshot.cn/v1/users/me/balance"));
    EXPECT_EQ(url("https://api.openai.com/v1"), QString());
    Channel keyless = channelAt("https://api.deepseek.com/v1");
    keyless.keys.clear();
    EXPECT_FALSE(BalanceFetcher::queryFor(keyless).has_value());
}

TEST(BalanceFetcher, ReadsEachProvidersAnswer)
{
    const QString cny110 = QStringLiteral("CNY ") + QLocale().toString(110.0, 'f', 2);
    EXPECT_EQ(BalanceFetcher::parse(BalanceQuery::Kind::DeepSeek,
                                    R"({"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00"}]})"),
              cny110);
    EXPECT_EQ(BalanceFetcher::parse(BalanceQuery::Kind::SiliconFlow, R"({"data":{"totalBalance":"110"}})"), cny110);
    EXPECT_EQ(BalanceFetcher::parse(BalanceQuery::Kind::Moonshot, R"({"data":{"available_balance":110}})"), cny110);
    EXPECT_EQ(BalanceFetcher::parse(BalanceQuery::Kind::OpenRouter, R"({"data":{"total_credits":15,"total_usage":2.5}})"),
              QStringLiteral("USD ") + QLocale().toString(12.5, 'f', 2));
    EXPECT_EQ(BalanceFetcher::parse(BalanceQuery::Kind::DeepSeek, R"({"error":"no"})"), QString());
}

using BalanceColumnTest = ChannelsPageFixture;

TEST_F(BalanceColumnTest, AFetchedBalanceShowsInTheTable)
{
    MockUpstream upstream;
    MockBehaviour answer;
    answer.body = R"({"is_available":true,"balance_infos":[{"currency":"USD","total_balance":"7.25"}]})";
    upstream.pushBehaviour(answer);
    const qint64 id = seed(QStringLiteral("ds"));
    showPage();
    TARN_WAIT_TRUE(page->model()->rowOf(QStringLiteral("ds")) >= 0, kTimeoutMs);

    BalanceFetcher fetcher;
    QObject::connect(&fetcher, &BalanceFetcher::finished, page->model(), &ChannelTableModel::setBalance);
    BalanceQuery query{BalanceQuery::Kind::DeepSeek, QUrl(upstream.baseUrl() + QStringLiteral("/user/balance"))};
    fetcher.fetch(id, query, QStringLiteral("sk-ds"));
    const QString expected = QStringLiteral("USD ") + QLocale().toString(7.25, 'f', 2);
    TARN_WAIT_EQ(cell(QStringLiteral("ds"), ChannelTableModel::Balance), expected, kTimeoutMs);
    EXPECT_EQ(upstream.lastRequest().header("authorization"), QByteArray("Bearer sk-ds"));

    // A refusal reads as "?" with the reason beside it.
    MockBehaviour refused;
    refused.status = 401;
    upstream.pushBehaviour(refused);
    fetcher.fetch(id, query, QStringLiteral("sk-ds"));
    TARN_WAIT_EQ(cell(QStringLiteral("ds"), ChannelTableModel::Balance), QStringLiteral("?"), kTimeoutMs);
    const int row = page->model()->rowOf(QStringLiteral("ds"));
    EXPECT_EQ(page->model()->index(row, ChannelTableModel::Balance).data(Qt::ToolTipRole).toString(), QStringLiteral("HTTP 401"));
}

} // namespace

namespace {

// A balance call goes the way the channel's requests go: through its proxy, with its extra headers
// (a user behind a proxy got "?" for every balance, and OpenRouter's referer was missing).
TEST(BalanceFetcher, UsesTheChannelsProxyAndExtraHeaders)
{
    MockUpstream proxy; // an HTTP proxy receives the absolute URL in the request line
    Channel channel = channelAt("https://api.deepseek.com");
    channel.proxy = QStringLiteral("http://127.0.0.1:%1").arg(proxy.port());
    channel.extraHeaders.insert(QStringLiteral("X-Organization"), QStringLiteral("acme"));
    const auto query = BalanceFetcher::queryFor(channel);
    ASSERT_TRUE(query.has_value());
    EXPECT_EQ(query->proxy, channel.proxy);
    EXPECT_EQ(query->headers, channel.extraHeaders);

    BalanceQuery plain = *query;
    plain.url = QUrl(QStringLiteral("http://balance.example.invalid/user/balance")); // never resolved here
    BalanceFetcher fetcher;
    QSignalSpy finished(&fetcher, &BalanceFetcher::finished);
    fetcher.fetch(7, plain, QStringLiteral("sk-1"));
    ASSERT_TRUE(finished.wait(10'000));
    ASSERT_EQ(proxy.requestCount(), 1);
    EXPECT_EQ(proxy.lastRequest().path, QByteArray("http://balance.example.invalid/user/balance"));
    EXPECT_EQ(proxy.lastRequest().header("x-organization"), QByteArray("acme"));
    EXPECT_EQ(proxy.lastRequest().header("authorization"), QByteArray("Bearer sk-1"));
}

} // namespace
