// SPDX-License-Identifier: GPL-3.0-or-later
// The Overview's pools with their live health (one row per model clients ask for), and the
// loading state shown until the first usage summary arrives.
#include "ui/overview/OverviewPage.h"
#include "ui/overview/PoolHealth.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"

#include <QGroupBox>
#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QThread>

#include <gtest/gtest.h>

#include <atomic>
#include <ostream>

inline void PrintTo(const QString &value, std::ostream *out)
{
    *out << '"' << value.toStdString() << '"';
}

using namespace tarn::gateway;
using tarn::ui::OverviewPage;

namespace {

constexpr int kTimeoutMs = 10000;

Channel channel(const QString &name, const QString &baseUrl, const QStringList &models, int priority = 0)
{
    Channel c;
    c.name = name;
    c.baseUrl = baseUrl;
    c.keys = {QStringLiteral("sk-") + name};
    c.models = models;
    c.priority = priority;
    return c;
}

// The pool table's rows as "model | channels | state | requests", one a line.
QString poolRows(const OverviewPage &page)
{
    QStringList rows;
    auto *table = page.findChild<QTableWidget *>(QStringLiteral("overviewPoolTable"));
    if (!table)
        return QStringLiteral("<no table>");
    for (int row = 0; row < table->rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < table->columnCount(); ++column)
            cells << (table->item(row, column) ? table->item(row, column)->text() : QString());
        rows << cells.join(QStringLiteral(" | "));
    }
    return rows.join(u'\n');
}

TEST(OverviewPoolsTest, OneRowPerModelWithItsChannelsAndRequestsOfTheLastHour)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    ChannelRepository channels(fixture.database());
    const QString url = QStringLiteral("http://127.0.0.1:9/v1");
    // alpha serves both models, so it is in both pools; gamma was switched off by the user.
    ASSERT_TRUE(channels.add(channel(QStringLiteral("alpha"), url, {QStringLiteral("gpt-4o"), QStringLiteral("claude")})).ok());
    ASSERT_TRUE(channels.add(channel(QStringLiteral("beta"), url, {QStringLiteral("claude")})).ok());
    Channel gamma = channel(QStringLiteral("gamma"), url, {QStringLiteral("gpt-4o")});
    gamma.enabled = false;
    ASSERT_TRUE(channels.add(gamma).ok());
    QList<UsageRecord> usage;
    for (const auto &[model, minutesAgo] : {std::pair{"claude", 5}, std::pair{"claude", 20}, std::pair{"gpt-4o", 90}}) {
        UsageRecord r;
        r.time = QDateTime::currentDateTimeUtc().addSecs(-60 * minutesAgo);
        r.inboundFormat = QStringLiteral("openai");
        r.requestedModel = QString::fromLatin1(model);
        r.upstreamModel = r.requestedModel;
        r.channelId = 1;
        r.channelName = QStringLiteral("alpha");
        r.status = 200;
        usage.append(r);
    }
    ASSERT_TRUE(UsageRepository(fixture.database()).insert(usage).ok());
    fixture.service().applyConfiguration();

    OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(kTimeoutMs));
    EXPECT_EQ(poolRows(page), QStringLiteral("claude | 2 healthy | all good | 2\n"
                                             "gpt-4o | 1 healthy · 1 disabled | all good | 0"));
    auto *table = page.findChild<QTableWidget *>(QStringLiteral("overviewPoolTable"));
    EXPECT_EQ(table->item(1, 1)->toolTip(),
              QStringLiteral("alpha: healthy\ngamma: disabled: disabled by the user"));
}

TEST(OverviewPoolsTest, APoolTurnsDegradedLiveWhenItsChannelCoolsAfterA429)
{
    tarn::test::MockUpstream upstream;
    tarn::test::MockBehaviour limited;
    limited.status = 429;
    limited.headers = {{"Retry-After", "120"}};
    upstream.pushBehaviour(limited); // the first request only; the failover gets the default 200

    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    ChannelRepository channels(fixture.database());
    // alpha is tried first (higher priority), so it takes the 429; beta serves the failover.
    ASSERT_TRUE(channels.add(channel(QStringLiteral("alpha"), upstream.baseUrl(), {QStringLiteral("gpt-4o")}, 1)).ok());
    ASSERT_TRUE(channels.add(channel(QStringLiteral("beta"), upstream.baseUrl(), {QStringLiteral("gpt-4o")}, 0)).ok());
    fixture.service().applyConfiguration();

    OverviewPage page(fixture.service());
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    ASSERT_TRUE(refreshed.wait(kTimeoutMs));
    EXPECT_EQ(poolRows(page), QStringLiteral("gpt-4o | 2 healthy | all good | 0"));

    tarn::test::HttpTestClient client;
    const QUrl url = fixture.gateway().urls().first().resolved(QUrl(QStringLiteral("/v1/chat/completions")));
    const auto result = client.request("POST", url.toString(),
                                       R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(result.status, 200);
    ASSERT_EQ(upstream.requestCount(), 2);

    // No refresh asked for: the page follows the router by itself.
    auto *table = page.findChild<QTableWidget *>(QStringLiteral("overviewPoolTable"));
    TARN_WAIT_EQ(table->item(0, 2)->text(), QStringLiteral("degraded"), kTimeoutMs);
    EXPECT_TRUE(table->item(0, 1)->text().startsWith(QStringLiteral("1 healthy · 1 cooling until "))) << table->item(0, 1)->text().toStdString();
    EXPECT_TRUE(table->item(0, 1)->toolTip().contains(QStringLiteral("alpha: cooling until ")));
    EXPECT_EQ(table->item(0, 2)->foreground().color(), QColor(0xef, 0x6c, 0x00));
    // The request is counted once it is recorded (the usage poll reads it).
    TARN_WAIT_EQ((page.refresh(), table->item(0, 3)->text()), QStringLiteral("1"), kTimeoutMs);
}

TEST(OverviewPoolsTest, PoolStateFromChannelStates)
{
    RuntimeConfig config;
    Channel a = channel(QStringLiteral("a"), {}, {QStringLiteral("m")});
    a.id = 1;
    Channel b = channel(QStringLiteral("b"), {}, {QStringLiteral("m")});
    b.id = 2;
    config.channels = {a, b};
    RouterStatus status;
    ChannelStatus sa;
    sa.channelId = 1;
    sa.name = QStringLiteral("a");
    ChannelStatus sb = sa;
    sb.channelId = 2;
    sb.name = QStringLiteral("b");
    sb.state = HealthState::Open;
    status.channels = {sa, sb};
    QList<tarn::ui::PoolHealth> pools = tarn::ui::poolHealth(config, status);
    ASSERT_EQ(pools.size(), 1);
    EXPECT_EQ(pools[0].state, tarn::ui::PoolHealth::State::Degraded);
    EXPECT_EQ(tarn::ui::poolMembersText(pools[0]), QStringLiteral("1 healthy · 1 circuit open"));
    status.channels[0].state = HealthState::Disabled;
    pools = tarn::ui::poolHealth(config, status);
    EXPECT_EQ(pools[0].state, tarn::ui::PoolHealth::State::Down);
    EXPECT_EQ(tarn::ui::poolStateText(pools[0].state), QStringLiteral("down"));
}

TEST(OverviewLoadingTest, SaysItIsSummarisingUntilTheFirstResultArrives)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    OverviewPage page(fixture.service());
    // Hold the service's thread, as a first roll-up of a large usage table does, so the page's
    // first query waits behind it while the event loop runs.
    std::atomic<bool> release = false;
    fixture.service().run<int>(&page, [&release](Database &) {
        while (!release)
            QThread::msleep(5);
        return 0;
    }, [](int) {});
    QSignalSpy refreshed(&page, &OverviewPage::refreshed);
    page.show();
    QTest::qWait(200);

    auto *loading = page.findChild<QWidget *>(QStringLiteral("overviewLoading"));
    auto *bar = page.findChild<QProgressBar *>(QStringLiteral("overviewLoadingBar"));
    auto *label = page.findChild<QLabel *>(QStringLiteral("overviewLoadingLabel"));
    auto *cards = page.findChild<QGroupBox *>(QStringLiteral("overviewCards_today"));
    ASSERT_TRUE(loading && bar && label && cards);
    EXPECT_TRUE(page.isLoading());
    EXPECT_TRUE(loading->isVisible());
    EXPECT_EQ(label->text(), QStringLiteral("Summarising usage…"));
    EXPECT_EQ(bar->minimum(), 0);
    EXPECT_EQ(bar->maximum(), 0); // indeterminate
    EXPECT_FALSE(cards->isVisible()) << "no zeros while the summary is being computed";
    EXPECT_EQ(refreshed.count(), 0);

    release = true;
    ASSERT_TRUE(refreshed.wait(kTimeoutMs));
    EXPECT_FALSE(page.isLoading());
    EXPECT_FALSE(loading->isVisible());
    EXPECT_TRUE(cards->isVisible());
    EXPECT_EQ(page.findChild<QLabel *>(QStringLiteral("overview_today_requests"))->text(), QStringLiteral("0"));

    // Later refreshes keep the figures on screen: no flashing back to the indicator.
    page.refresh();
    EXPECT_FALSE(loading->isVisible());
}

} // namespace
