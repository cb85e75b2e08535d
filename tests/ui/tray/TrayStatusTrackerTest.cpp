// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tray/TrayStatusTracker.h"

#include <QTimeZone>

#include <gtest/gtest.h>

using tarn::gateway::ChannelStatus;
using tarn::gateway::HealthState;
using tarn::gateway::KeyStatus;
using tarn::gateway::RouterStatus;
using tarn::ui::TrayNotification;
using tarn::ui::TrayState;
using tarn::ui::TrayStatusTracker;

namespace {

ChannelStatus channel(const char *name, HealthState state, const char *reason = "")
{
    ChannelStatus status;
    status.name = QString::fromUtf8(name);
    status.state = state;
    status.reason = QString::fromUtf8(reason);
    return status;
}

RouterStatus snapshot(QList<ChannelStatus> channels)
{
    RouterStatus status;
    status.channels = std::move(channels);
    return status;
}

const QDateTime kStart = QDateTime(QDate(2026, 11, 30), QTime(12, 0), QTimeZone::utc());
const QHash<QString, QStringList> kPools = {{QStringLiteral("gpt-4o"), {QStringLiteral("a"), QStringLiteral("b")}},
                                            {QStringLiteral("glm-4.6"), {QStringLiteral("c")}}};

TEST(TrayStatusTrackerTest, FirstSnapshotIsOnlyTheBaseline)
{
    TrayStatusTracker tracker;
    const auto raised = tracker.update(snapshot({channel("a", HealthState::Disabled), channel("b", HealthState::Cooling)}),
                                       kPools, kStart);
    EXPECT_FALSE(raised.has_value());
}

TEST(TrayStatusTrackerTest, DisabledChannelIsReportedWithWhereTrafficWent)
{
    TrayStatusTracker tracker;
    tracker.update(snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy)}), kPools, kStart);
    const auto raised = tracker.update(
        snapshot({channel("a", HealthState::Disabled, "401 Unauthorized"), channel("b", HealthState::Healthy)}), kPools,
        kStart.addSecs(2));
    ASSERT_TRUE(raised.has_value());
    EXPECT_EQ(raised->kind, TrayNotification::Kind::ChannelDisabled);
    EXPECT_EQ(raised->subject, QStringLiteral("a"));
    EXPECT_EQ(raised->title, QStringLiteral("Channel a disabled"));
    EXPECT_TRUE(raised->text.contains(QStringLiteral("401 Unauthorized"))) << qPrintable(raised->text);
    EXPECT_TRUE(raised->text.contains(QStringLiteral("requests go to b"))) << qPrintable(raised->text);
}

TEST(TrayStatusTrackerTest, EveryKeyDisabledDisablesTheChannel)
{
    ChannelStatus status = channel("a", HealthState::Healthy);
    status.keys = {KeyStatus{QStringLiteral("k-1"), HealthState::Disabled, {}, QStringLiteral("403"), 0, 0},
                   KeyStatus{QStringLiteral("k-2"), HealthState::Disabled, {}, {}, 0, 0}};
    EXPECT_EQ(TrayStatusTracker::effectiveState(status), HealthState::Disabled);
    EXPECT_EQ(TrayStatusTracker::describe(status), QStringLiteral("disabled: 403"));
    status.keys[1].state = HealthState::Healthy;
    EXPECT_EQ(TrayStatusTracker::effectiveState(status), HealthState::Healthy);
    status.keys[1].state = HealthState::Cooling;
    EXPECT_EQ(TrayStatusTracker::effectiveState(status), HealthState::Cooling);
}

// One disabled channel that alone serves three models is one notification, not one per pool.
TEST(TrayStatusTrackerTest, OneChannelServingManyPoolsIsOneNotification)
{
    const QHash<QString, QStringList> pools = {{QStringLiteral("gpt-4o"), {QStringLiteral("deepseek")}},
                                               {QStringLiteral("glm-4.6"), {QStringLiteral("deepseek")}},
                                               {QStringLiteral("kimi-k2"), {QStringLiteral("deepseek"), QStringLiteral("kimi")}}};
    TrayStatusTracker tracker;
    tracker.update(snapshot({channel("deepseek", HealthState::Healthy), channel("kimi", HealthState::Healthy)}), pools,
                   kStart);
    const auto raised = tracker.update(
        snapshot({channel("deepseek", HealthState::Disabled, "HTTP 401"), channel("kimi", HealthState::Healthy)}), pools,
        kStart.addSecs(2));
    ASSERT_TRUE(raised.has_value());
    EXPECT_EQ(raised->kind, TrayNotification::Kind::ChannelDisabled);
    EXPECT_EQ(raised->title, QStringLiteral("Channel deepseek disabled (+2 more)"));
    EXPECT_EQ(raised->text, QStringLiteral("deepseek disabled (HTTP 401); pools glm-4.6, gpt-4o now all cooling or disabled."));
}

TEST(TrayStatusTrackerTest, FailoverSaysWhereTrafficWent)
{
    TrayStatusTracker tracker;
    tracker.update(snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy),
                             channel("c", HealthState::Healthy)}),
                   kPools, kStart);
    const auto raised = tracker.update(snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Healthy),
                                                 channel("c", HealthState::Healthy)}),
                                       kPools, kStart.addSecs(2));
    ASSERT_TRUE(raised.has_value());
    EXPECT_EQ(raised->kind, TrayNotification::Kind::Failover);
    EXPECT_EQ(raised->title, QStringLiteral("Traffic moved off a"));
    EXPECT_EQ(raised->text, QStringLiteral("a is cooling; requests go to b."));
}

// After a notification, events within the global minimum interval wait and are merged into the
// next one, raised at the first snapshot past the interval.
TEST(TrayStatusTrackerTest, EventsWithinTheMinimumIntervalAreMergedIntoTheNext)
{
    TrayStatusTracker tracker(std::chrono::minutes(10), std::chrono::seconds(60));
    tracker.update(snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy),
                             channel("c", HealthState::Healthy)}),
                   kPools, kStart);
    ASSERT_TRUE(tracker.update(snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Healthy),
                                         channel("c", HealthState::Healthy)}),
                               kPools, kStart.addSecs(2))
                    .has_value());
    const auto bothDown = snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Open),
                                    channel("c", HealthState::Healthy)});
    EXPECT_FALSE(tracker.update(bothDown, kPools, kStart.addSecs(4)).has_value());
    EXPECT_FALSE(tracker.update(bothDown, kPools, kStart.addSecs(30)).has_value());
    const auto merged = tracker.update(bothDown, kPools, kStart.addSecs(62));
    ASSERT_TRUE(merged.has_value());
    EXPECT_EQ(merged->kind, TrayNotification::Kind::PoolCooling);
    EXPECT_EQ(merged->title, QStringLiteral("No channel can serve gpt-4o (+1 more)"));
    EXPECT_EQ(merged->text, QStringLiteral("b circuit open; pool gpt-4o has no channel that can serve."));
    // Nothing new since: nothing more.
    EXPECT_FALSE(tracker.update(bothDown, kPools, kStart.addSecs(200)).has_value());
}

// An event that healed while it waited for the interval is dropped, not told late.
TEST(TrayStatusTrackerTest, EventsThatHealedWhileWaitingAreDropped)
{
    TrayStatusTracker tracker(std::chrono::minutes(10), std::chrono::seconds(60));
    const auto healthy = snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy),
                                   channel("c", HealthState::Healthy)});
    tracker.update(healthy, kPools, kStart);
    ASSERT_TRUE(tracker.update(snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy),
                                         channel("c", HealthState::Disabled)}),
                               kPools, kStart.addSecs(2))
                    .has_value());
    // a cools (held back by the interval), then recovers before the interval ends.
    EXPECT_FALSE(tracker.update(snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Healthy),
                                          channel("c", HealthState::Disabled)}),
                                kPools, kStart.addSecs(4))
                     .has_value());
    EXPECT_FALSE(tracker.update(snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy),
                                          channel("c", HealthState::Disabled)}),
                                kPools, kStart.addSecs(70))
                     .has_value());
}

TEST(TrayStatusTrackerTest, SameKindAndChannelAtMostOncePerWindow)
{
    TrayStatusTracker tracker(std::chrono::minutes(10), std::chrono::seconds(0));
    const auto healthy = snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy)});
    const auto cooling = snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Healthy)});
    tracker.update(healthy, kPools, kStart);
    EXPECT_TRUE(tracker.update(cooling, kPools, kStart.addSecs(10)).has_value());
    // It flaps: recovered and cooling again within ten minutes is not raised again.
    EXPECT_FALSE(tracker.update(healthy, kPools, kStart.addSecs(20)).has_value());
    EXPECT_FALSE(tracker.update(cooling, kPools, kStart.addSecs(30)).has_value());
    EXPECT_FALSE(tracker.update(healthy, kPools, kStart.addSecs(9 * 60)).has_value());
    EXPECT_FALSE(tracker.update(cooling, kPools, kStart.addSecs(9 * 60 + 59)).has_value());
    // Another kind for the same channel is its own budget.
    const auto disabled = tracker.update(snapshot({channel("a", HealthState::Disabled), channel("b", HealthState::Healthy)}),
                                         kPools, kStart.addSecs(9 * 60 + 61));
    ASSERT_TRUE(disabled.has_value());
    EXPECT_EQ(disabled->kind, TrayNotification::Kind::ChannelDisabled);
    // Past the window, failover is raised again.
    tracker.update(healthy, kPools, kStart.addSecs(11 * 60));
    EXPECT_TRUE(tracker.update(cooling, kPools, kStart.addSecs(11 * 60 + 2)).has_value());
}

TEST(TrayStatusTrackerTest, OverallState)
{
    const auto healthy = snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy)});
    EXPECT_EQ(TrayStatusTracker::overallState(healthy, false, true), TrayState::Serving);
    EXPECT_EQ(TrayStatusTracker::overallState(healthy, true, true), TrayState::Paused);
    EXPECT_EQ(TrayStatusTracker::overallState(healthy, false, false), TrayState::Error);
    EXPECT_EQ(TrayStatusTracker::overallState(
                  snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Healthy)}), false, true),
              TrayState::Degraded);
    EXPECT_EQ(TrayStatusTracker::overallState(
                  snapshot({channel("a", HealthState::Disabled), channel("b", HealthState::Open)}), false, true),
              TrayState::Error);
    EXPECT_EQ(TrayStatusTracker::overallState(snapshot({}), false, true), TrayState::Degraded);
}

} // namespace
