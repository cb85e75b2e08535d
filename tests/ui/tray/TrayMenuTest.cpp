// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/Gateway.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/storage/UsageStatsRepository.h"
#include "tests/ui/support/DesktopFixture.h"
#include "ui/tray/TrayController.h"
#include "ui/tray/TrayIcon.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHostAddress>
#include <QMenu>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>
#include <QUrl>

#include <gtest/gtest.h>

using tarn::gateway::ChannelStatus;
using tarn::gateway::HealthState;
using tarn::gateway::RouterStatus;
using tarn::ui::TrayController;
using tarn::ui::TrayIcon;
using tarn::ui::TrayState;

namespace {

ChannelStatus channel(const char *name, HealthState state, const char *reason = "")
{
    ChannelStatus status;
    status.name = QString::fromUtf8(name);
    status.state = state;
    status.reason = QString::fromUtf8(reason);
    return status;
}

QAction *channelAction(const TrayIcon &tray, const char *name)
{
    return tray.channelsMenu()->findChild<QAction *>(QStringLiteral("channel:") + QString::fromUtf8(name));
}

TEST(TrayMenuTest, ChannelEntriesUpdateInPlace)
{
    TrayIcon tray;
    tray.setChannels({channel("openai", HealthState::Healthy), channel("zhipu", HealthState::Healthy)});
    QAction *openai = channelAction(tray, "openai");
    QAction *zhipu = channelAction(tray, "zhipu");
    ASSERT_NE(openai, nullptr);
    ASSERT_NE(zhipu, nullptr);
    EXPECT_EQ(openai->text(), QStringLiteral("openai — healthy"));
    const QList<QAction *> before = tray.menu()->actions();

    tray.setChannels({channel("openai", HealthState::Open), channel("zhipu", HealthState::Disabled, "401 Unauthorized")});
    EXPECT_EQ(channelAction(tray, "openai"), openai);
    EXPECT_EQ(channelAction(tray, "zhipu"), zhipu);
    EXPECT_EQ(openai->text(), QStringLiteral("openai — circuit open"));
    EXPECT_EQ(zhipu->text(), QStringLiteral("zhipu — disabled: 401 Unauthorized"));
    EXPECT_EQ(tray.menu()->actions(), before);

    // A channel that appeared goes in its place; one that went away leaves; the others stay.
    tray.setChannels({channel("deepseek", HealthState::Healthy), channel("openai", HealthState::Healthy)});
    QAction *deepseek = channelAction(tray, "deepseek");
    ASSERT_NE(deepseek, nullptr);
    QList<QAction *> visible;
    for (QAction *action : tray.channelsMenu()->actions()) {
        if (action->isVisible())
            visible.append(action);
    }
    EXPECT_EQ(visible, (QList<QAction *>{deepseek, openai}));
    EXPECT_EQ(openai->text(), QStringLiteral("openai — healthy"));
    EXPECT_FALSE(tray.channelsMenu()->actions().contains(zhipu));
}

TEST(TrayMenuTest, EndpointEntriesCopyAndUpdateInPlace)
{
    TrayIcon tray;
    tray.setEndpoints({QStringLiteral("http://127.0.0.1:8276")});
    auto *copy = tray.menu()->findChild<QAction *>(QStringLiteral("endpointAction0"));
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->text(), QStringLiteral("Copy http://127.0.0.1:8276"));
    copy->trigger();
    EXPECT_EQ(QGuiApplication::clipboard()->text(), QStringLiteral("http://127.0.0.1:8276"));

    tray.setEndpoints({QStringLiteral("http://127.0.0.1:9000"), QStringLiteral("http://100.64.1.2:9000")});
    EXPECT_EQ(tray.menu()->findChild<QAction *>(QStringLiteral("endpointAction0")), copy);
    EXPECT_EQ(copy->text(), QStringLiteral("Copy http://127.0.0.1:9000"));
    auto *second = tray.menu()->findChild<QAction *>(QStringLiteral("endpointAction1"));
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(tray.menu()->actions().indexOf(second), tray.menu()->actions().indexOf(copy) + 1);
}

TEST(TrayControllerTest, NotifiesWhenChannelGoesDisabled)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    TrayIcon tray;
    TrayController controller(fixture.service(), tray);
    QSignalSpy notifications(&tray, &TrayIcon::notificationRaised);
    const QHash<QString, QStringList> pools = {{QStringLiteral("gpt-4o"), {QStringLiteral("openai"), QStringLiteral("backup")}}};

    RouterStatus status;
    status.takenAt = QDateTime::currentDateTimeUtc();
    status.channels = {channel("openai", HealthState::Healthy), channel("backup", HealthState::Healthy)};
    controller.applyStatus(status, pools);
    EXPECT_EQ(tray.state(), TrayState::Serving);
    EXPECT_EQ(notifications.count(), 0);

    status.takenAt = status.takenAt.addSecs(2);
    status.channels[0] = channel("openai", HealthState::Disabled, "401 Unauthorized");
    controller.applyStatus(status, pools);
    ASSERT_EQ(notifications.count(), 1);
    EXPECT_EQ(notifications.at(0).at(0).toString(), QStringLiteral("Channel openai disabled"));
    EXPECT_EQ(tray.state(), TrayState::Degraded);
    EXPECT_EQ(channelAction(tray, "openai")->text(), QStringLiteral("openai — disabled: 401 Unauthorized"));

    // The next poll with the same state raises nothing more.
    status.takenAt = status.takenAt.addSecs(2);
    controller.applyStatus(status, pools);
    EXPECT_EQ(notifications.count(), 1);
}

TEST(TrayControllerTest, TooltipShowsTodayTotalsAndPauseReachesGateway)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    tarn::gateway::UsageRecord record;
    record.time = QDateTime::currentDateTimeUtc();
    record.requestedModel = QStringLiteral("gpt-4o");
    record.status = 200;
    record.promptTokens = 100'000;
    record.completionTokens = 23'000;
    ASSERT_TRUE(tarn::gateway::UsageRepository(fixture.database()).insert({record, record}).ok());
    // $2.50 in, $10 out per million: 2 x (0.25 + 0.23).
    ASSERT_TRUE(tarn::gateway::UsageStatsRepository(fixture.database())
                    .setPrice({QStringLiteral("gpt-4o"), 2.5, 10, 1.25})
                    .ok());

    TrayIcon tray;
    TrayController controller(fixture.service(), tray);
    // QTRY_* report through QTest, which gtest does not see: wait, then assert.
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.toolTip() == TrayIcon::formatTodayTotals(2, 246'000, 0.96); }, 5000))
        << qPrintable(tray.toolTip());
    EXPECT_TRUE(tray.toolTip().startsWith(QStringLiteral("Tarn — 2 requests, ")));
    EXPECT_TRUE(tray.toolTip().endsWith(QStringLiteral(" tokens, $0.96 today")));
    ASSERT_NE(tray.menu()->findChild<QAction *>(QStringLiteral("endpointAction0")), nullptr);

    tray.menu()->findChild<QAction *>(QStringLiteral("pauseAction"))->trigger();
    EXPECT_TRUE(fixture.gateway().isPaused());
    EXPECT_EQ(tray.state(), TrayState::Paused);
    tray.menu()->findChild<QAction *>(QStringLiteral("pauseAction"))->trigger();
    EXPECT_FALSE(fixture.gateway().isPaused());
}

// "Today" in the tooltip is the user's day, as on the Overview: in UTC+14 a request a minute after
// local midnight counts and one a minute before does not, though both are on the same UTC date
// for most of the day.
TEST(TrayControllerTest, TooltipTodayStartsAtTheUsersMidnight)
{
    const QByteArray savedTz = qgetenv("TZ");
    const bool hadTz = qEnvironmentVariableIsSet("TZ");
    qputenv("TZ", "Pacific/Kiritimati");
    const auto restore = qScopeGuard([&] {
        if (hadTz)
            qputenv("TZ", savedTz);
        else
            qunsetenv("TZ");
    });
    const QTimeZone zone = QTimeZone::systemTimeZone();
    ASSERT_EQ(zone.offsetFromUtc(QDateTime::currentDateTimeUtc()), 14 * 3600) << zone.id().constData();

    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    const QDateTime midnight = tarn::gateway::usageDayStart(QDateTime::currentDateTimeUtc().toTimeZone(zone).date(), zone);
    tarn::gateway::UsageRecord record;
    record.requestedModel = QStringLiteral("gpt-4o");
    record.status = 200;
    record.promptTokens = 10;
    record.completionTokens = 5;
    tarn::gateway::UsageRecord today = record, yesterday = record;
    today.time = midnight.addSecs(60).toUTC();
    yesterday.time = midnight.addSecs(-60).toUTC();
    yesterday.promptTokens = 1000;
    ASSERT_TRUE(tarn::gateway::UsageRepository(fixture.database()).insert({today, yesterday}).ok());

    TrayIcon tray;
    TrayController controller(fixture.service(), tray);
    ASSERT_TRUE(QTest::qWaitFor([&] { return tray.toolTip().endsWith(QStringLiteral(" today")); }, 10000))
        << qPrintable(tray.toolTip());
    EXPECT_EQ(tray.toolTip(), TrayIcon::formatTodayTotals(1, 15, 0)) << qPrintable(tray.toolTip());
}

} // namespace

namespace {

// A wildcard listen offers loopback and the machine's addresses of that family, never 0.0.0.0.
TEST(TrayEndpointsTest, WildcardListenExpandsToThisMachinesAddresses)
{
    const QList<QHostAddress> interfaces = {QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("192.168.1.20")),
                                            QHostAddress(QStringLiteral("::1")), QHostAddress(QStringLiteral("fe80::1")),
                                            QHostAddress(QStringLiteral("2001:db8::5")), QHostAddress(QStringLiteral("100.64.1.2"))};
    EXPECT_EQ(tarn::ui::TrayController::endpointUrls({QUrl(QStringLiteral("http://0.0.0.0:8276"))}, interfaces),
              (QStringList{QStringLiteral("http://127.0.0.1:8276"), QStringLiteral("http://192.168.1.20:8276"),
                           QStringLiteral("http://100.64.1.2:8276")}));
    EXPECT_EQ(tarn::ui::TrayController::endpointUrls({QUrl(QStringLiteral("http://[::]:8276"))}, interfaces),
              (QStringList{QStringLiteral("http://[::1]:8276"), QStringLiteral("http://[2001:db8::5]:8276")}));
    // A concrete address is offered as it is, once.
    EXPECT_EQ(tarn::ui::TrayController::endpointUrls({QUrl(QStringLiteral("http://127.0.0.1:8276")),
                                                      QUrl(QStringLiteral("http://0.0.0.0:8276"))},
                                                     {QHostAddress(QStringLiteral("10.0.0.3"))}),
              (QStringList{QStringLiteral("http://127.0.0.1:8276"), QStringLiteral("http://10.0.0.3:8276")}));
}

// The menu's first line says who can reach Tarn in the exposure chosen, and in Tailscale mode
// whether the tailnet address is bound yet; explicit addresses leave it to the endpoint lines.
TEST(TrayEndpointsTest, TheExposureLineSaysWhoCanReachTarn)
{
    using tarn::gateway::ExposeMode;
    using tarn::ui::TrayController;
    const QList<QUrl> loopback{QUrl(QStringLiteral("http://127.0.0.1:8276"))};
    const QList<QUrl> tailnet{QUrl(QStringLiteral("http://127.0.0.1:8276")), QUrl(QStringLiteral("http://100.100.1.100:8276"))};
    EXPECT_EQ(TrayController::exposureText(std::nullopt, loopback), QString());
    EXPECT_EQ(TrayController::exposureText(ExposeMode::Loopback, loopback), QStringLiteral("Only this machine can reach Tarn"));
    EXPECT_EQ(TrayController::exposureText(ExposeMode::All, loopback), QStringLiteral("Reachable from every network"));
    EXPECT_TRUE(TrayController::exposureText(ExposeMode::Tailscale, loopback).startsWith(QStringLiteral("Tailscale: waiting")));
    EXPECT_EQ(TrayController::exposureText(ExposeMode::Tailscale, tailnet),
              QStringLiteral("Reachable on your tailnet at 100.100.1.100"));
    // What the tailscale CLI says of the node: its name first; logged out or offline, said so.
    tarn::gateway::TailscaleStatus node;
    node.backendState = QStringLiteral("Running");
    node.dnsName = QStringLiteral("gateway.tail1234.ts.net");
    node.online = true;
    EXPECT_EQ(TrayController::exposureText(ExposeMode::Tailscale, tailnet, node),
              QStringLiteral("Reachable on your tailnet at gateway.tail1234.ts.net, 100.100.1.100"));
    node.online = false;
    EXPECT_EQ(TrayController::exposureText(ExposeMode::Tailscale, tailnet, node),
              QStringLiteral("Reachable on your tailnet at gateway.tail1234.ts.net, 100.100.1.100 (Tailscale says this node is offline)"));
    node.backendState = QStringLiteral("NeedsLogin");
    EXPECT_EQ(TrayController::exposureText(ExposeMode::Tailscale, loopback, node),
              QStringLiteral("Tailscale is not running here (NeedsLogin): this machine only"));
    EXPECT_EQ(TrayController::exposureText(ExposeMode::Loopback, loopback, node), QStringLiteral("Only this machine can reach Tarn"));

    // In the menu: a disabled first line, shown only when there is something to say.
    tarn::ui::TrayIcon tray;
    QAction *line = tray.menu()->findChild<QAction *>(QStringLiteral("exposureAction"));
    ASSERT_NE(line, nullptr);
    EXPECT_FALSE(line->isVisible());
    tray.setExposure(TrayController::exposureText(ExposeMode::Tailscale, tailnet));
    EXPECT_TRUE(line->isVisible());
    EXPECT_FALSE(line->isEnabled());
    EXPECT_EQ(tray.menu()->actions().first(), line);
    tray.setExposure({});
    EXPECT_FALSE(line->isVisible());
}

} // namespace
