// SPDX-License-Identifier: GPL-3.0-or-later
// End to end: a channel whose upstream rejects its only key gets auto-disabled by the router, and
// the tray raises a notification for it.
#include "gateway/Gateway.h"
#include "gateway/core/Channel.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ChannelRepository.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"
#include "ui/tray/TrayController.h"
#include "ui/tray/TrayIcon.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

using tarn::ui::TrayController;
using tarn::ui::TrayIcon;
using tarn::ui::TrayState;

namespace {

TEST(TrayAutoDisableTest, RejectedKeyRaisesNotification)
{
    tarn::test::MockUpstream upstream;
    tarn::test::MockBehaviour rejected;
    rejected.status = 401;
    upstream.setDefaultBehaviour(rejected);

    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    tarn::gateway::Channel channel;
    channel.name = QStringLiteral("mock-openai");
    channel.baseUrl = upstream.baseUrl();
    channel.keys = {QStringLiteral("sk-mock-rejected")};
    channel.models = {QStringLiteral("gpt-4o")};
    ASSERT_TRUE(tarn::gateway::ChannelRepository(fixture.database()).add(channel).ok());
    fixture.service().applyConfiguration();

    TrayIcon tray;
    TrayController controller(fixture.service(), tray);
    controller.setInterval(std::chrono::milliseconds(50));
    QSignalSpy notifications(&tray, &TrayIcon::notificationRaised);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return tray.channelsMenu()->findChild<QAction *>(QStringLiteral("channel:mock-openai")) != nullptr; }, 5000));
    QAction *entry = tray.channelsMenu()->findChild<QAction *>(QStringLiteral("channel:mock-openai"));
    EXPECT_EQ(entry->text(), QStringLiteral("mock-openai — healthy"));
    EXPECT_EQ(tray.state(), TrayState::Serving);

    tarn::test::HttpTestClient client;
    const QUrl url = fixture.gateway().urls().first().resolved(QUrl(QStringLiteral("/v1/chat/completions")));
    const auto result = client.request("POST", url.toString(),
                                       R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(result.status, 502); // no other channel to fail over to
    ASSERT_GE(upstream.requestCount(), 1);

    ASSERT_TRUE(QTest::qWaitFor([&] { return notifications.count() >= 1; }, 5000)) << qPrintable(entry->text());
    // Its pool (gpt-4o) had no other channel: said in the same notification, not a second one.
    ASSERT_EQ(notifications.count(), 1);
    EXPECT_EQ(notifications.at(0).at(0).toString(), QStringLiteral("Channel mock-openai disabled (+1 more)"));
    const QString text = notifications.at(0).at(1).toString();
    EXPECT_TRUE(text.startsWith(QStringLiteral("mock-openai disabled ("))) << qPrintable(text);
    EXPECT_TRUE(text.endsWith(QStringLiteral("; pool gpt-4o has no channel that can serve."))) << qPrintable(text);
    EXPECT_TRUE(entry->text().startsWith(QStringLiteral("mock-openai — disabled")));
    EXPECT_EQ(tray.channelsMenu()->findChild<QAction *>(QStringLiteral("channel:mock-openai")), entry);
    EXPECT_EQ(tray.state(), TrayState::Error); // its only channel cannot serve

    // More polls of the same state raise nothing more: the polls are counted, not slept through.
    int polls = 0;
    QObject::connect(&controller, &TrayController::statusApplied, &tray, [&] { ++polls; });
    TARN_WAIT_TRUE(polls >= 5, 5000);
    EXPECT_EQ(notifications.count(), 1);
}

} // namespace
