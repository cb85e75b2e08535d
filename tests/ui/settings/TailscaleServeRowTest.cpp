// SPDX-License-Identifier: GPL-3.0-or-later
// Settings' Tailscale HTTPS row against a stand-in tailscale CLI ($TARN_TAILSCALE): serve in one
// click, funnel only after a warning and while a client key exists, failures said and the buttons
// left usable; and the Data group says where provider keys are kept.
#include "gateway/Gateway.h"
#include "gateway/secrets/KeychainSecretStore.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "tests/support/FakeTailscale.h"
#include "tests/support/ScopedEnv.h"
#include "tests/ui/settings/SettingsTestSupport.h"
#include "tests/ui/support/DesktopFixture.h"
#include "ui/settings/SettingsPage.h"
#include "ui/settings/TailscaleServeRow.h"

#include <QLabel>
#include <QPushButton>
#include <QTest>

#include <gtest/gtest.h>

using tarn::test::child;
using tarn::test::FakeTailscale;
using tarn::test::ScopedEnv;
using tarn::ui::SettingsPage;
using tarn::ui::TailscaleServeRow;

namespace {

// The stand-in's calls that change something (status reads left out).
QStringList changes(const FakeTailscale &tailscale)
{
    QStringList calls = tailscale.calls();
    calls.removeAll(QStringLiteral("serve status --json"));
    return calls;
}

QString served(quint16 port, bool funnel)
{
    return QStringLiteral(R"({"TCP":{"443":{"HTTPS":true}},
        "Web":{"gateway.tail1234.ts.net:443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:%1"}}}},
        "AllowFunnel":{"gateway.tail1234.ts.net:443":%2}})")
        .arg(port)
        .arg(funnel ? QStringLiteral("true") : QStringLiteral("false"));
}

quint16 gatewayPort(tarn::test::DesktopFixture &fixture)
{
    return quint16(fixture.gateway().urls().value(0).port());
}

} // namespace

TEST(TailscaleServeRowTest, ServeIsOneClickAndSaysTheAddress)
{
    FakeTailscale tailscale;
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    const quint16 port = gatewayPort(fixture);
    ASSERT_NE(port, 0);
    TailscaleServeRow row(fixture.service(), [](const QString &) { return true; });
    auto *state = child<QLabel>(&row, "serveState");
    auto *serve = child<QPushButton>(&row, "serveButton");
    TARN_WAIT_TRUE(state->text().startsWith(QStringLiteral("Not served")), 10000);
    EXPECT_EQ(serve->text(), QStringLiteral("Serve on my tailnet"));
    ASSERT_TRUE(serve->isEnabled());

    tailscale.put(QStringLiteral("serve.json"), served(port, false).toUtf8()); // what tailscale reports once it serves
    QTest::mouseClick(serve, Qt::LeftButton);
    // A refresh asked for while the change runs (the listen addresses moved) waits for it: the
    // buttons stay off, so no second change can start.
    row.refresh();
    EXPECT_FALSE(serve->isEnabled());
    EXPECT_FALSE(child<QPushButton>(&row, "funnelButton")->isEnabled());
    TARN_WAIT_EQ(serve->text(), QStringLiteral("Stop serving"), 10000);
    TARN_WAIT_TRUE(serve->isEnabled(), 10000);
    EXPECT_EQ(changes(tailscale), QStringList{QStringLiteral("serve --yes --bg --https=443 http://127.0.0.1:%1").arg(port)});
    EXPECT_EQ(state->text(), QStringLiteral("https://gateway.tail1234.ts.net/v1 (your tailnet)"));

    tailscale.put(QStringLiteral("serve.json"), "{}");
    QTest::mouseClick(serve, Qt::LeftButton);
    TARN_WAIT_EQ(serve->text(), QStringLiteral("Serve on my tailnet"), 10000);
    EXPECT_EQ(changes(tailscale).value(1), QStringLiteral("serve --https=443 off"));
}

TEST(TailscaleServeRowTest, FunnelIsAskedAboutAndNeedsAClientKey)
{
    FakeTailscale tailscale;
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    const quint16 port = gatewayPort(fixture);
    bool agree = false;
    QStringList asked;
    TailscaleServeRow row(fixture.service(), [&](const QString &question) {
        asked << question;
        return agree;
    });
    auto *state = child<QLabel>(&row, "serveState");
    auto *funnel = child<QPushButton>(&row, "funnelButton");
    TARN_WAIT_TRUE(funnel->isEnabled(), 10000);

    // Declined: nothing runs.
    QTest::mouseClick(funnel, Qt::LeftButton);
    ASSERT_EQ(asked.size(), 1);
    EXPECT_TRUE(asked.first().contains(QStringLiteral("whole internet")));
    ASSERT_TRUE(tarn::test::serviceBarrier(fixture.service()));
    EXPECT_TRUE(changes(tailscale).isEmpty());

    // Agreed, but no client key exists: refused, said, and still usable.
    agree = true;
    QTest::mouseClick(funnel, Qt::LeftButton);
    TARN_WAIT_TRUE(state->text().contains(QStringLiteral("needs a client key")), 10000);
    EXPECT_TRUE(changes(tailscale).isEmpty());
    EXPECT_TRUE(funnel->isEnabled());

    // With a key, funnel opens.
    tarn::gateway::ClientKey key;
    key.name = QStringLiteral("cursor");
    ASSERT_TRUE(tarn::gateway::ClientKeyRepository(fixture.database()).create(key).ok());
    tailscale.put(QStringLiteral("serve.json"), served(port, true).toUtf8());
    QTest::mouseClick(funnel, Qt::LeftButton);
    TARN_WAIT_EQ(funnel->text(), QStringLiteral("Close to the internet"), 10000);
    EXPECT_EQ(changes(tailscale), QStringList{QStringLiteral("funnel --yes --bg --https=443 http://127.0.0.1:%1").arg(port)});
    EXPECT_TRUE(state->text().contains(QStringLiteral("the whole internet"))) << state->text().toStdString();
}

TEST(TailscaleServeRowTest, AFailedChangeIsSaidAndTheRowStaysUsable)
{
    FakeTailscale tailscale;
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    TailscaleServeRow row(fixture.service(), [](const QString &) { return true; });
    auto *state = child<QLabel>(&row, "serveState");
    auto *serve = child<QPushButton>(&row, "serveButton");
    TARN_WAIT_TRUE(serve->isEnabled(), 10000);
    tailscale.put(QStringLiteral("fail"));
    QTest::mouseClick(serve, Qt::LeftButton);
    TARN_WAIT_TRUE(state->text().contains(QStringLiteral("serve config denied")), 10000);
    EXPECT_TRUE(state->text().contains(QStringLiteral("Not served"))) << state->text().toStdString();
    EXPECT_TRUE(serve->isEnabled());
    EXPECT_EQ(serve->text(), QStringLiteral("Serve on my tailnet"));
}

TEST(TailscaleServeRowTest, WithoutTheCliTheRowSaysSoAndOffersNothing)
{
    const ScopedEnv absent("TARN_TAILSCALE", QByteArrayLiteral("/nonexistent/tailscale"));
    {
        tarn::test::DesktopFixture fixture;
        ASSERT_TRUE(fixture.isValid());
        TailscaleServeRow row(fixture.service(), [](const QString &) { return true; });
        auto *state = child<QLabel>(&row, "serveState");
        TARN_WAIT_TRUE(state->text().contains(QStringLiteral("not installed")), 10000);
        EXPECT_FALSE(child<QPushButton>(&row, "serveButton")->isEnabled());
        EXPECT_FALSE(child<QPushButton>(&row, "funnelButton")->isEnabled());
    }
}

// The Data group says where provider keys are: the file the tests force, or, with no keychain
// service at all, the file with the reason.
TEST(SecretsLabelTest, TheDataGroupSaysWhereProviderKeysAre)
{
    {
        tarn::test::DesktopFixture fixture;
        ASSERT_TRUE(fixture.isValid());
        SettingsPage page(fixture.service());
        auto *label = child<QLabel>(&page, "secretsLabel");
        ASSERT_NE(label, nullptr);
        TARN_WAIT_EQ(label->text(), QStringLiteral("In an encrypted file in the data folder"), 10000);
        EXPECT_TRUE(label->toolTip().contains(QStringLiteral("secrets.enc"))) << label->toolTip().toStdString();
    }
    if (!tarn::gateway::KeychainSecretStore::isBuiltIn())
        return;
    // No backend forced and no session bus: the vault falls back to the file and says why.
    const ScopedEnv automatic("TARN_SECRET_BACKEND", QByteArray());
    const ScopedEnv noBus("DBUS_SESSION_BUS_ADDRESS", QByteArrayLiteral("unix:path=/nonexistent/tarn-test-bus"));
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    auto *label = child<QLabel>(&page, "secretsLabel");
    TARN_WAIT_TRUE(label->text().contains(QStringLiteral("no OS keychain service")), 15000);
    EXPECT_TRUE(label->toolTip().contains(QStringLiteral("secrets.enc")));
}
