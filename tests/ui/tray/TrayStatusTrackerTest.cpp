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
    EXPECT_TRUE(raised.isEmpty());
}

TEST(TrayStatusTrackerTest, DisabledChannelIsReported)
{
    TrayStatusTracker tracker;
    tracker.update(snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy)}), kPools, kStart);
    const auto raised = tracker.update(
        snapshot({channel("a", HealthState::Disabled, "401 Unauthorized"), channel("b", HealthState::Healthy)}), kPools,
        kStart.addSecs(2));
    ASSERT_EQ(raised.size(), 1);
    EXPECT_EQ(raised.at(0).kind, TrayNotification::Kind::ChannelDisabled);
    EXPECT_EQ(raised.at(0).subject, QStringLiteral("a"));
    EXPECT_EQ(raised.at(0).title, QStringLiteral("Channel a disabled"));
    EXPECT_TRUE(raised.at(0).text.contains(QStringLiteral("401 Unauthorized")));
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

TEST(TrayStatusTrackerTest, FailoverAndPoolCoolingAreReported)
{
    TrayStatusTracker tracker;
    tracker.update(snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy),
                             channel("c", HealthState::Healthy)}),
                   kPools, kStart);
    auto raised = tracker.update(snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Healthy),
                                           channel("c", HealthState::Healthy)}),
                                 kPools, kStart.addSecs(2));
    ASSERT_EQ(raised.size(), 1);
    EXPECT_EQ(raised.at(0).kind, TrayNotification::Kind::Failover);
    EXPECT_EQ(raised.at(0).title, QStringLiteral("Traffic moved off a"));

    raised = tracker.update(snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Open),
                                      channel("c", HealthState::Healthy)}),
                            kPools, kStart.addSecs(4));
    ASSERT_EQ(raised.size(), 2);
    EXPECT_EQ(raised.at(0).kind, TrayNotification::Kind::Failover);
    EXPECT_EQ(raised.at(0).subject, QStringLiteral("b"));
    EXPECT_EQ(raised.at(1).kind, TrayNotification::Kind::PoolCooling);
    EXPECT_EQ(raised.at(1).subject, QStringLiteral("gpt-4o"));
    EXPECT_EQ(raised.at(1).title, QStringLiteral("No channel can serve gpt-4o"));

    // Still cooling: nothing new.
    EXPECT_TRUE(tracker.update(snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Open),
                                         channel("c", HealthState::Healthy)}),
                               kPools, kStart.addSecs(6))
                    .isEmpty());
}

TEST(TrayStatusTrackerTest, SameKindAndChannelAtMostOncePerWindow)
{
    TrayStatusTracker tracker(std::chrono::minutes(10));
    const auto healthy = snapshot({channel("a", HealthState::Healthy), channel("b", HealthState::Healthy)});
    const auto cooling = snapshot({channel("a", HealthState::Cooling), channel("b", HealthState::Healthy)});
    tracker.update(healthy, kPools, kStart);
    EXPECT_EQ(tracker.update(cooling, kPools, kStart.addSecs(10)).size(), 1);
    // It flaps: recovered and cooling again within ten minutes is not raised again.
    EXPECT_TRUE(tracker.update(healthy, kPools, kStart.addSecs(20)).isEmpty());
    EXPECT_TRUE(tracker.update(cooling, kPools, kStart.addSecs(30)).isEmpty());
    EXPECT_TRUE(tracker.update(healthy, kPools, kStart.addSecs(9 * 60)).isEmpty());
    EXPECT_TRUE(tracker.update(cooling, kPools, kStart.addSecs(9 * 60 + 59)).isEmpty());
    // Another kind for the same channel is its own budget.
    const auto disabled = tracker.update(snapshot({channel("a", HealthState::Disabled), channel("b", HealthState::Healthy)}),
                                         kPools, kStart.addSecs(9 * 60 + 61));
    ASSERT_EQ(disabled.size(), 1);
    EXPECT_EQ(disabled.at(0).kind, TrayNotification::Kind::ChannelDisabled);
    // Past the window, failover is raised again.
    tracker.update(healthy, kPools, kStart.addSecs(11 * 60));
    EXPECT_EQ(tracker.update(cooling, kPools, kStart.addSecs(11 * 60 + 2)).size(), 1);
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
