// SPDX-License-Identifier: GPL-3.0-or-later
// Settings' Tailscale HTTPS row against a stand-in tailscale CLI ($TARN_TAILSCALE): serve in one
// click, funnel only after a warning and while a client key exists, failures said and the buttons
// left usable; and the Data group says where provider keys are kept.
#include "gateway/Gateway.h"
#include "gateway/secrets/KeychainSecretStore.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "tests/ui/settings/SettingsTestSupport.h"
#include "tests/ui/support/DesktopFixture.h"
#include "ui/settings/SettingsPage.h"
#include "ui/settings/TailscaleServeRow.h"

#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

using tarn::test::child;
using tarn::ui::SettingsPage;
using tarn::ui::TailscaleServeRow;

namespace {

// Records its arguments; answers `serve status --json` with status.json; fails (exit 1, "serve
// config denied" on stderr) while a file named fail exists.
class FakeTailscale
{
public:
    FakeTailscale()
    {
        const QString script = m_dir.filePath(QStringLiteral("tailscale"));
        QFile file(script);
        if (!file.open(QIODevice::WriteOnly))
            return;
        file.write(QStringLiteral("#!/bin/sh\n"
                                  "echo \"$*\" >> '%1/calls'\n"
                                  "[ \"$1 $2\" != 'serve status' ] && [ -e '%1/fail' ] && { echo 'serve config denied' >&2; exit 1; }\n"
                                  "[ \"$1 $2\" = 'serve status' ] && cat '%1/status.json' 2>/dev/null\n"
                                  "exit 0\n")
                       .arg(m_dir.path())
                       .toUtf8());
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        m_previous = qgetenv("TARN_TAILSCALE");
        qputenv("TARN_TAILSCALE", script.toUtf8());
    }
    ~FakeTailscale() { qputenv("TARN_TAILSCALE", m_previous); }
    FakeTailscale(const FakeTailscale &) = delete;
    FakeTailscale &operator=(const FakeTailscale &) = delete;

    void answerStatus(const QString &json) const { write(QStringLiteral("status.json"), json.toUtf8()); }
    void failChanges(bool fail) const
    {
        if (fail)
            write(QStringLiteral("fail"), "1");
        else
            QFile::remove(m_dir.filePath(QStringLiteral("fail")));
    }
    QStringList changes() const
    {
        QFile file(m_dir.filePath(QStringLiteral("calls")));
        QStringList calls = file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts)
                                                           : QStringList{};
        calls.removeAll(QStringLiteral("serve status --json"));
        return calls;
    }

private:
    void write(const QString &name, const QByteArray &bytes) const
    {
        QFile file(m_dir.filePath(name));
        if (file.open(QIODevice::WriteOnly))
            file.write(bytes);
    }
    QTemporaryDir m_dir;
    QByteArray m_previous;
};

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

    tailscale.answerStatus(served(port, false)); // what tailscale reports once it serves
    QTest::mouseClick(serve, Qt::LeftButton);
    TARN_WAIT_EQ(serve->text(), QStringLiteral("Stop serving"), 10000);
    EXPECT_EQ(tailscale.changes(), QStringList{QStringLiteral("serve --yes --bg --https=443 http://127.0.0.1:%1").arg(port)});
    EXPECT_EQ(state->text(), QStringLiteral("https://gateway.tail1234.ts.net/v1 (your tailnet)"));

    tailscale.answerStatus(QStringLiteral("{}"));
    QTest::mouseClick(serve, Qt::LeftButton);
    TARN_WAIT_EQ(serve->text(), QStringLiteral("Serve on my tailnet"), 10000);
    EXPECT_EQ(tailscale.changes().value(1), QStringLiteral("serve --https=443 off"));
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
    EXPECT_TRUE(tailscale.changes().isEmpty());

    // Agreed, but no client key exists: refused, said, and still usable.
    agree = true;
    QTest::mouseClick(funnel, Qt::LeftButton);
    TARN_WAIT_TRUE(state->text().contains(QStringLiteral("needs a client key")), 10000);
    EXPECT_TRUE(tailscale.changes().isEmpty());
    EXPECT_TRUE(funnel->isEnabled());

    // With a key, funnel opens.
    tarn::gateway::ClientKey key;
    key.name = QStringLiteral("cursor");
    ASSERT_TRUE(tarn::gateway::ClientKeyRepository(fixture.database()).create(key).ok());
    tailscale.answerStatus(served(port, true));
    QTest::mouseClick(funnel, Qt::LeftButton);
    TARN_WAIT_EQ(funnel->text(), QStringLiteral("Close to the internet"), 10000);
    EXPECT_EQ(tailscale.changes(), QStringList{QStringLiteral("funnel --yes --bg --https=443 http://127.0.0.1:%1").arg(port)});
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
    tailscale.failChanges(true);
    QTest::mouseClick(serve, Qt::LeftButton);
    TARN_WAIT_TRUE(state->text().contains(QStringLiteral("serve config denied")), 10000);
    EXPECT_TRUE(state->text().contains(QStringLiteral("Not served"))) << state->text().toStdString();
    EXPECT_TRUE(serve->isEnabled());
    EXPECT_EQ(serve->text(), QStringLiteral("Serve on my tailnet"));
}

TEST(TailscaleServeRowTest, WithoutTheCliTheRowSaysSoAndOffersNothing)
{
    const QByteArray previous = qgetenv("TARN_TAILSCALE");
    qputenv("TARN_TAILSCALE", "/nonexistent/tailscale");
    {
        tarn::test::DesktopFixture fixture;
        ASSERT_TRUE(fixture.isValid());
        TailscaleServeRow row(fixture.service(), [](const QString &) { return true; });
        auto *state = child<QLabel>(&row, "serveState");
        TARN_WAIT_TRUE(state->text().contains(QStringLiteral("cannot run")), 10000);
        EXPECT_FALSE(child<QPushButton>(&row, "serveButton")->isEnabled());
        EXPECT_FALSE(child<QPushButton>(&row, "funnelButton")->isEnabled());
    }
    qputenv("TARN_TAILSCALE", previous);
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
    const QByteArray backend = qgetenv("TARN_SECRET_BACKEND");
    const QByteArray bus = qgetenv("DBUS_SESSION_BUS_ADDRESS");
    qunsetenv("TARN_SECRET_BACKEND");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tarn-test-bus");
    {
        tarn::test::DesktopFixture fixture;
        ASSERT_TRUE(fixture.isValid());
        SettingsPage page(fixture.service());
        auto *label = child<QLabel>(&page, "secretsLabel");
        TARN_WAIT_TRUE(label->text().contains(QStringLiteral("no OS keychain service")), 15000);
        EXPECT_TRUE(label->toolTip().contains(QStringLiteral("secrets.enc")));
    }
    qputenv("TARN_SECRET_BACKEND", backend);
    if (bus.isNull())
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    else
        qputenv("DBUS_SESSION_BUS_ADDRESS", bus);
}
