// SPDX-License-Identifier: GPL-3.0-or-later
// Coding-plan quotas in the Balance column: which channels have one, how each provider's answer
// (of the shapes public usage monitors read) becomes "5 h: 37 % used · resets 14:20", and how
// refusals and garbage read, fetched from a mock on 127.0.0.1.
#include "ui/channels/BalanceFetcher.h"
#include "ui/channels/CodingPlanQuota.h"

#include "tests/ui/channels/ChannelsTestFixture.h"

#include <QHeaderView>

using namespace tarn::test;
using tarn::ui::BalanceFetcher;
using tarn::ui::BalanceQuery;
using tarn::ui::BalanceReading;

namespace {

const QDateTime kNow = QDateTime::fromString(QStringLiteral("2026-02-07T09:00:00Z"), Qt::ISODate);

QString hhmm(const QDateTime &utc)
{
    return utc.toLocalTime().toString(QStringLiteral("HH:mm"));
}

// Shapes as Kimi, Zhipu / Z.ai and MiniMax answer (PROVIDERS.md endpoints; fields as read by
// public coding-plan usage monitors).
const QByteArray kKimi = R"({
  "user": {"membership": {"level": "LEVEL_INTERMEDIATE"}},
  "usage": {"limit": "100", "used": "26", "remaining": "74", "resetTime": "2026-02-11T17:32:50.757941Z"},
  "limits": [{"window": {"duration": 300, "timeUnit": "TIME_UNIT_MINUTE"},
              "detail": {"limit": "100", "remaining": "63", "resetTime": "2026-02-07T12:32:50.757941Z"}}]
})";

QByteArray zhipu(qint64 fiveHourResetMs)
{
    return QStringLiteral(R"({"code": 200, "msg": "Operation successful", "success": true, "data": {"limits": [
      {"type": "TIME_LIMIT", "unit": 5, "number": 1, "usage": 1000, "currentValue": 8, "remaining": 992,
       "percentage": 1, "nextResetTime": 1783677071996,
       "usageDetails": [{"modelCode": "search-prime", "usage": 4}]},
      {"type": "TOKENS_LIMIT", "unit": 3, "number": 5, "percentage": 37, "nextResetTime": %1},
      {"type": "TOKENS_LIMIT", "unit": 6, "number": 1, "percentage": 12, "nextResetTime": 1781103280424}]}})")
        .arg(fiveHourResetMs)
        .toUtf8();
}

QByteArray minimax(qint64 startMs, qint64 endMs)
{
    return QStringLiteral(R"({"model_remains": [
      {"model_name": "video", "start_time": %1, "end_time": %2, "remains_time": 1000,
       "current_interval_total_count": 5, "current_interval_usage_count": 5},
      {"model_name": "MiniMax-M2.5", "start_time": %1, "end_time": %2, "remains_time": 12000000,
       "current_interval_total_count": 1500, "current_interval_usage_count": 1200,
       "current_weekly_total_count": 0, "current_weekly_usage_count": 0,
       "weekly_start_time": 0, "weekly_end_time": 0, "weekly_remains_time": 0}],
      "base_resp": {"status_code": 0, "status_msg": "success"}})")
        .arg(startMs)
        .arg(endMs)
        .toUtf8();
}

Channel at(const char *baseUrl)
{
    Channel c;
    c.baseUrl = QString::fromLatin1(baseUrl);
    c.keys = {QStringLiteral("sk-1")};
    return c;
}

TEST(CodingPlanQuota, KnowsWhichChannelsHaveAPlanToAskAbout)
{
    auto url = [](const char *base) {
        const auto q = BalanceFetcher::queryFor(at(base));
        return q ? q->url.toString() : QString();
    };
    EXPECT_EQ(url("https://api.kimi.com/coding/v1"), QStringLiteral("https://api.kimi.com/coding/v1/usages"));
    EXPECT_EQ(url("https://api.kimi.com/coding/"), QStringLiteral("https://api.kimi.com/coding/v1/usages"));
    EXPECT_EQ(url("https://api.z.ai/api/coding/paas/v4"), QStringLiteral("https://api.z.ai/api/monitor/usage/quota/limit"));
    EXPECT_EQ(url("https://api.z.ai/api/anthropic"), QStringLiteral("https://api.z.ai/api/monitor/usage/quota/limit"));
    EXPECT_EQ(url("https://open.bigmodel.cn/api/coding/paas/v4"),
              QStringLiteral("https://open.bigmodel.cn/api/monitor/usage/quota/limit"));
    // A pay-as-you-go Zhipu key on the general endpoint has no plan.
    EXPECT_EQ(url("https://open.bigmodel.cn/api/paas/v4"), QString());
    EXPECT_EQ(url("https://api.minimaxi.com/v1"),
              QStringLiteral("https://api.minimaxi.com/v1/api/openplatform/coding_plan/remains"));
    EXPECT_EQ(url("https://api.minimax.io/anthropic"),
              QStringLiteral("https://api.minimax.io/v1/api/openplatform/coding_plan/remains"));
    EXPECT_TRUE(BalanceFetcher::queryFor(at("https://api.z.ai/api/coding/paas/v4"))->isQuota());
    EXPECT_FALSE(BalanceFetcher::queryFor(at("https://api.deepseek.com/v1"))->isQuota());
}

TEST(CodingPlanQuota, ReadsKimi)
{
    const BalanceReading r = BalanceFetcher::read(BalanceQuery::Kind::KimiCoding, kKimi, kNow);
    ASSERT_TRUE(r.ok) << r.text.toStdString();
    const QDateTime reset = QDateTime::fromString(QStringLiteral("2026-02-07T12:32:50.757941Z"), Qt::ISODateWithMs);
    EXPECT_EQ(r.text, QStringLiteral("5 h: 37 % used · resets %1 · week 26 %").arg(hhmm(reset)));
    EXPECT_TRUE(r.detail.contains(QStringLiteral("37 of 100"))) << r.detail.toStdString();
    EXPECT_TRUE(r.detail.contains(QStringLiteral("week: 26"))) << r.detail.toStdString();
    EXPECT_EQ(r.usedPercent, 37);
}

TEST(CodingPlanQuota, ReadsZhipu)
{
    const QDateTime reset = kNow.addSecs(3 * 3600 + 20 * 60);
    const BalanceReading r = BalanceFetcher::read(BalanceQuery::Kind::ZhipuCoding, zhipu(reset.toMSecsSinceEpoch()), kNow);
    ASSERT_TRUE(r.ok) << r.text.toStdString();
    EXPECT_EQ(r.text, QStringLiteral("5 h: 37 % used · resets %1 · week 12 %").arg(hhmm(reset)));
    // The monthly tool-call allowance is in the detail, not passed off as tokens.
    EXPECT_TRUE(r.detail.contains(QStringLiteral("tool calls (month): 1"))) << r.detail.toStdString();
    EXPECT_TRUE(r.detail.contains(QStringLiteral("8 of 1")) || r.detail.contains(QStringLiteral("8 of 1,000"))
                || r.detail.contains(QStringLiteral("8 of 1.000")))
        << r.detail.toStdString();
}

TEST(CodingPlanQuota, ReadsMiniMax)
{
    const QDateTime start = kNow.addSecs(-2 * 3600);
    const QDateTime end = start.addSecs(5 * 3600);
    const BalanceReading r = BalanceFetcher::read(BalanceQuery::Kind::MiniMaxCoding,
                                                  minimax(start.toMSecsSinceEpoch(), end.toMSecsSinceEpoch()), kNow);
    ASSERT_TRUE(r.ok) << r.text.toStdString();
    // usage_count is what is left: 1200 of 1500 left = 20 % used; the zero weekly tier is left out.
    EXPECT_EQ(r.text, QStringLiteral("5 h: 20 % used · resets %1").arg(hhmm(end)));
    EXPECT_TRUE(r.detail.contains(QStringLiteral("300 of 1"))) << r.detail.toStdString();
    EXPECT_EQ(r.usedPercent, 20);
}

// The shape MiniMax answers since mid-2026: counts are 0, the text bucket is "general" and not
// first, and only the remaining percentages say anything; weekly status 3 (no weekly cap) at 100 %.
TEST(CodingPlanQuota, ReadsMiniMaxPercentOnlyAnswer)
{
    const QDateTime start = kNow.addSecs(-3600);
    const QDateTime end = start.addSecs(5 * 3600);
    const QByteArray body = QStringLiteral(R"({"model_remains": [
      {"model_name": "speech", "start_time": %1, "end_time": %3, "remains_time": 1000,
       "current_interval_total_count": 0, "current_interval_usage_count": 0,
       "current_interval_status": 1, "current_interval_remaining_percent": 10},
      {"model_name": "general", "start_time": %1, "end_time": %2, "remains_time": 14400000,
       "current_interval_total_count": 0, "current_interval_usage_count": 0,
       "current_interval_status": 1, "current_interval_remaining_percent": 89,
       "current_weekly_total_count": 0, "current_weekly_usage_count": 0,
       "current_weekly_status": 3, "current_weekly_remaining_percent": 100,
       "interval_boost_permille": 2000, "weekly_boost_permille": 2000}],
      "base_resp": {"status_code": 0, "status_msg": "success"}})")
                                .arg(start.toMSecsSinceEpoch())
                                .arg(end.toMSecsSinceEpoch())
                                .arg(start.addSecs(24 * 3600).toMSecsSinceEpoch())
                                .toUtf8();
    const BalanceReading r = BalanceFetcher::read(BalanceQuery::Kind::MiniMaxCoding, body, kNow);
    ASSERT_TRUE(r.ok) << r.text.toStdString();
    EXPECT_EQ(r.text, QStringLiteral("5 h: 11 % used · resets %1").arg(hhmm(end)));
    EXPECT_EQ(r.usedPercent, 11);
    EXPECT_FALSE(r.detail.contains(QStringLiteral("0 of 0"))) << r.detail.toStdString();
}

TEST(CodingPlanQuota, ColoursFollowTheTraysScale)
{
    EXPECT_EQ(ChannelTableModel::quotaColor(69.9), ChannelTableModel::quotaColor(0));
    EXPECT_NE(ChannelTableModel::quotaColor(70), ChannelTableModel::quotaColor(69.9));
    EXPECT_EQ(ChannelTableModel::quotaColor(89.9), ChannelTableModel::quotaColor(70));
    EXPECT_NE(ChannelTableModel::quotaColor(90), ChannelTableModel::quotaColor(89.9));
    EXPECT_EQ(ChannelTableModel::quotaColor(100), ChannelTableModel::quotaColor(90));
}

TEST(CodingPlanQuota, RefusalsAndGarbageSaySoWithoutCrashing)
{
    using Kind = BalanceQuery::Kind;
    for (const Kind kind : {Kind::KimiCoding, Kind::ZhipuCoding, Kind::MiniMaxCoding}) {
        for (const QByteArray &body : {QByteArray("<html>502 Bad Gateway</html>"), QByteArray(), QByteArray("{}"),
                                       QByteArray("[1,2]"), QByteArray(R"({"data":{"limits":[{"type":"TOKENS_LIMIT"}]}})"),
                                       QByteArray(R"({"usage":{"limit":"x"},"limits":"no","model_remains":[3]})")}) {
            const BalanceReading r = BalanceFetcher::read(kind, body, kNow);
            EXPECT_FALSE(r.ok) << body.toStdString();
            EXPECT_EQ(r.text, QStringLiteral("quota unavailable: unexpected answer")) << body.toStdString();
        }
    }
    const BalanceReading expired = BalanceFetcher::read(
        Kind::MiniMaxCoding, R"({"base_resp":{"status_code":1004,"status_msg":"login fail: Please carry the API secret key"}})", kNow);
    EXPECT_EQ(expired.text, QStringLiteral("quota unavailable: login fail: Please carry the API secret key"));
    const BalanceReading zhipuRefused = BalanceFetcher::read(
        Kind::ZhipuCoding, R"({"code":1001,"msg":"Authorization Token missing","success":false})", kNow);
    EXPECT_EQ(zhipuRefused.text, QStringLiteral("quota unavailable: Authorization Token missing"));
}

using QuotaColumnTest = ChannelsPageFixture;

TEST_F(QuotaColumnTest, AFetchedQuotaShowsInTheTableAndFailuresReadClearly)
{
    MockUpstream upstream;
    const qint64 id = seed(QStringLiteral("glm-coding"));
    showPage();
    TARN_WAIT_TRUE(page->model()->rowOf(QStringLiteral("glm-coding")) >= 0, kTimeoutMs);
    BalanceFetcher fetcher;
    QObject::connect(&fetcher, &BalanceFetcher::finished, page->model(), &ChannelTableModel::setBalance);
    const BalanceQuery query{BalanceQuery::Kind::ZhipuCoding, QUrl(upstream.baseUrl() + QStringLiteral("/api/monitor/usage/quota/limit"))};
    const int row = page->model()->rowOf(QStringLiteral("glm-coding"));
    auto tooltip = [&] { return page->model()->index(row, ChannelTableModel::Balance).data(Qt::ToolTipRole).toString(); };

    const QDateTime reset = QDateTime::currentDateTimeUtc().addSecs(2 * 3600);
    MockBehaviour answer;
    answer.body = zhipu(reset.toMSecsSinceEpoch());
    upstream.pushBehaviour(answer);
    fetcher.fetch(id, query, QStringLiteral("zhipu-key-123"));
    const QString expected = QStringLiteral("5 h: 37 % used · resets %1 · week 12 %").arg(hhmm(reset));
    TARN_WAIT_EQ(cell(QStringLiteral("glm-coding"), ChannelTableModel::Balance), expected, kTimeoutMs);
    // Zhipu's monitor takes the bare key.
    EXPECT_EQ(upstream.lastRequest().header("authorization"), QByteArray("zhipu-key-123"));
    EXPECT_EQ(upstream.lastRequest().path, QByteArray("/v1/api/monitor/usage/quota/limit"));
    EXPECT_TRUE(tooltip().contains(QStringLiteral("5 h: 37"))) << tooltip().toStdString();
    EXPECT_EQ(page->model()->index(row, ChannelTableModel::Balance).data(Qt::ForegroundRole).value<QColor>(),
              ChannelTableModel::quotaColor(37));

    // A refusal: the status and the provider's words, without the key it echoed.
    MockBehaviour refused;
    refused.status = 401;
    refused.body = R"({"code":401,"msg":"token expired or incorrect: zhipu-key-123","success":false})";
    upstream.pushBehaviour(refused);
    fetcher.fetch(id, query, QStringLiteral("zhipu-key-123"));
    TARN_WAIT_TRUE(cell(QStringLiteral("glm-coding"), ChannelTableModel::Balance).startsWith(QStringLiteral("quota unavailable: HTTP 401")),
                   kTimeoutMs);
    EXPECT_TRUE(cell(QStringLiteral("glm-coding"), ChannelTableModel::Balance).contains(QStringLiteral("token expired")));
    EXPECT_FALSE(cell(QStringLiteral("glm-coding"), ChannelTableModel::Balance).contains(QStringLiteral("zhipu-key-123")));
    EXPECT_FALSE(tooltip().contains(QStringLiteral("zhipu-key-123")));
    EXPECT_FALSE(page->model()->index(row, ChannelTableModel::Balance).data(Qt::ForegroundRole).isValid());

    // Garbage with a 200, and a 500.
    MockBehaviour garbage;
    garbage.body = "<html>maintenance</html>";
    upstream.pushBehaviour(garbage);
    fetcher.fetch(id, query, QStringLiteral("zhipu-key-123"));
    TARN_WAIT_EQ(cell(QStringLiteral("glm-coding"), ChannelTableModel::Balance), QStringLiteral("quota unavailable: unexpected answer"),
                 kTimeoutMs);
    MockBehaviour broken;
    broken.status = 500;
    broken.body = "oops";
    upstream.pushBehaviour(broken);
    fetcher.fetch(id, query, QStringLiteral("zhipu-key-123"));
    TARN_WAIT_EQ(cell(QStringLiteral("glm-coding"), ChannelTableModel::Balance), QStringLiteral("quota unavailable: HTTP 500"),
                 kTimeoutMs);

    // Kimi and MiniMax send a bearer token.
    MockBehaviour kimi;
    kimi.body = kKimi;
    upstream.pushBehaviour(kimi);
    fetcher.fetch(id, BalanceQuery{BalanceQuery::Kind::KimiCoding, QUrl(upstream.baseUrl() + QStringLiteral("/usages"))},
                  QStringLiteral("sk-kimi"));
    TARN_WAIT_TRUE(cell(QStringLiteral("glm-coding"), ChannelTableModel::Balance).startsWith(QStringLiteral("5 h: 37 % used")),
                   kTimeoutMs);
    EXPECT_EQ(upstream.lastRequest().header("authorization"), QByteArray("Bearer sk-kimi"));
}

} // namespace

namespace {

// The page as the default window shows it (about 800 px beside the navigation): the quota column
// must leave the models readable (it squeezed them to one letter).
TEST_F(QuotaColumnTest, ModelsStayReadableBesideTheQuotaColumn)
{
    Channel channel;
    channel.name = QStringLiteral("openai");
    channel.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
    channel.keys = {QStringLiteral("sk-openai")};
    channel.models = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini")};
    seedChannel(channel);
    showPage();
    page->resize(810, 600);
    TARN_WAIT_TRUE(page->model()->rowOf(QStringLiteral("openai")) >= 0, kTimeoutMs);
    auto *view = page->findChild<QTableView *>();
    ASSERT_NE(view, nullptr);
    TARN_WAIT_TRUE(view->horizontalHeader()->sectionSize(ChannelTableModel::Models)
                       >= view->fontMetrics().horizontalAdvance(QStringLiteral("gpt-4o, gpt-4o")),
                   kTimeoutMs);
}

} // namespace
