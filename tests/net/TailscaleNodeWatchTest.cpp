// SPDX-License-Identifier: GPL-3.0-or-later
// The node watch against a stand-in tailscale CLI ($TARN_TAILSCALE): the node as the CLI says it,
// changed() only on a change, nothing (and no hang) when the CLI fails, is absent or hangs.
#include "gateway/net/TailscaleNodeWatch.h"
#include "tests/support/FakeTailscale.h"
#include "tests/support/ScopedEnv.h"

#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using tarn::test::FakeTailscale;

namespace {

constexpr char kRunning[] = R"({"BackendState":"Running","Self":{"DNSName":"gateway.tail1234.ts.net.",
    "TailscaleIPs":["100.101.102.103"],"Online":true},"CurrentTailnet":{"MagicDNSSuffix":"tail1234.ts.net"}})";

bool refreshOnce(TailscaleNodeWatch &watch, int timeoutMs = 20'000)
{
    QSignalSpy refreshed(&watch, &TailscaleNodeWatch::refreshed);
    watch.refresh();
    return !refreshed.isEmpty() || refreshed.wait(timeoutMs);
}

} // namespace

TEST(TailscaleNodeWatch, ReadsTheNodeAndSaysOnlyWhenItChanges)
{
    FakeTailscale cli;
    cli.put(QStringLiteral("status.json"), kRunning);
    TailscaleNodeWatch watch;
    QSignalSpy changed(&watch, &TailscaleNodeWatch::changed);
    ASSERT_TRUE(refreshOnce(watch));
    ASSERT_TRUE(watch.node().has_value());
    EXPECT_EQ(watch.node()->dnsName, QStringLiteral("gateway.tail1234.ts.net"));
    EXPECT_TRUE(watch.node()->online);
    EXPECT_TRUE(watch.node()->running());
    EXPECT_EQ(changed.size(), 1);

    ASSERT_TRUE(refreshOnce(watch));
    EXPECT_EQ(changed.size(), 1); // the same answer again

    QByteArray offline(kRunning);
    offline.replace("\"Online\":true", "\"Online\":false");
    cli.put(QStringLiteral("status.json"), offline);
    ASSERT_TRUE(refreshOnce(watch));
    EXPECT_EQ(changed.size(), 2);
    EXPECT_FALSE(watch.node()->online);

    // Failing, then garbage: no node.
    cli.put(QStringLiteral("fail-status"));
    ASSERT_TRUE(refreshOnce(watch));
    EXPECT_FALSE(watch.node().has_value());
    EXPECT_EQ(changed.size(), 3);
    cli.drop(QStringLiteral("fail-status"));
    cli.put(QStringLiteral("status.json"), "{\"BackendState\": ");
    ASSERT_TRUE(refreshOnce(watch));
    EXPECT_FALSE(watch.node().has_value());
}

TEST(TailscaleNodeWatch, AnAbsentCliIsNoNode)
{
    const tarn::test::ScopedEnv absent("TARN_TAILSCALE", QByteArrayLiteral("/nonexistent/tailscale"));
    TailscaleNodeWatch watch;
    ASSERT_TRUE(refreshOnce(watch));
    EXPECT_FALSE(watch.node().has_value());
}

TEST(TailscaleNodeWatch, AHangingCliIsKilledAndOneQuestionIsOutAtATime)
{
    FakeTailscale cli;
    cli.put(QStringLiteral("hang"));
    TailscaleNodeWatch watch(300);
    QSignalSpy refreshed(&watch, &TailscaleNodeWatch::refreshed);
    watch.refresh();
    watch.refresh(); // still out: not asked twice
    ASSERT_TRUE(refreshed.wait(20'000));
    EXPECT_FALSE(watch.node().has_value());
    EXPECT_FALSE(refreshed.wait(500)); // the second call started nothing
    EXPECT_EQ(refreshed.size(), 1);
    // Answering again, it is asked afresh.
    cli.drop(QStringLiteral("hang"));
    cli.put(QStringLiteral("status.json"), kRunning);
    ASSERT_TRUE(refreshOnce(watch));
    ASSERT_TRUE(watch.node().has_value());
}
