// SPDX-License-Identifier: GPL-3.0-or-later
// The "Connect a client" window driven like a user: Set up writes Claude Code's settings in a
// (temporary) home and Undo puts them back; Create key makes a real client key whose snippet and
// QR code carry the address and the key (the QR code decoded by zbarimg when it is installed).
#include "ui/connect/ConnectDialog.h"

#include "gateway/Gateway.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using tarn::ui::ConnectDialog;

namespace {

constexpr int kTimeoutMs = 10000;

class ConnectDialogTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        ASSERT_TRUE(home.isValid());
        agentHome.home = home.path();
    }
    QString claudeSettings() const { return QDir(home.path()).filePath(QStringLiteral(".claude/settings.json")); }

    tarn::test::DesktopFixture fixture;
    QTemporaryDir home;
    connect::AgentHome agentHome;
};

TEST_F(ConnectDialogTest, SetUpWritesTheAgentsSettingsAndUndoPutsThemBack)
{
    // The user's own settings, which must survive.
    ASSERT_TRUE(QDir(home.path()).mkpath(QStringLiteral(".claude")));
    const QByteArray original = R"({"theme": "dark", "env": {"DISABLE_TELEMETRY": "1"}})";
    {
        QFile file(claudeSettings());
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(original);
    }
    ConnectDialog dialog(fixture.service(), agentHome);
    dialog.show();
    EXPECT_TRUE(dialog.localUrl().startsWith(QStringLiteral("http://127.0.0.1:"))) << dialog.localUrl().toStdString();
    EXPECT_EQ(dialog.agentStatus(QStringLiteral("claude-code")), QStringLiteral("not using Tarn"));
    auto *undo = dialog.findChild<QPushButton *>(QStringLiteral("undo:claude-code"));
    ASSERT_NE(undo, nullptr);
    EXPECT_FALSE(undo->isEnabled());

    auto *setUp = dialog.findChild<QPushButton *>(QStringLiteral("setUp:claude-code"));
    ASSERT_NE(setUp, nullptr);
    QTest::mouseClick(setUp, Qt::LeftButton);
    TARN_WAIT_TRUE(dialog.agentStatus(QStringLiteral("claude-code")).startsWith(QStringLiteral("uses Tarn at ")), kTimeoutMs);
    EXPECT_TRUE(undo->isEnabled());

    QFile written(claudeSettings());
    ASSERT_TRUE(written.open(QIODevice::ReadOnly));
    const QJsonObject settings = QJsonDocument::fromJson(written.readAll()).object();
    const QJsonObject env = settings.value(u"env").toObject();
    EXPECT_EQ(env.value(u"ANTHROPIC_BASE_URL").toString(), dialog.localUrl());
    const QString key = env.value(u"ANTHROPIC_AUTH_TOKEN").toString();
    EXPECT_TRUE(key.startsWith(QStringLiteral("tarn-"))) << key.toStdString();
    EXPECT_EQ(env.value(u"DISABLE_TELEMETRY").toString(), QStringLiteral("1"));
    EXPECT_EQ(settings.value(u"theme").toString(), QStringLiteral("dark"));
    // The key it wrote is a real one, named after the agent.
    const Result<ClientKey> made = ClientKeyRepository(fixture.database()).findByName(QStringLiteral("claude-code"));
    ASSERT_TRUE(made.ok());
    EXPECT_TRUE(key.startsWith(made->prefix.left(9)));

    QTest::mouseClick(undo, Qt::LeftButton);
    TARN_WAIT_EQ(dialog.agentStatus(QStringLiteral("claude-code")), QStringLiteral("not using Tarn"), kTimeoutMs);
    QFile restored(claudeSettings());
    ASSERT_TRUE(restored.open(QIODevice::ReadOnly));
    EXPECT_EQ(restored.readAll(), original);
}

TEST_F(ConnectDialogTest, CreateKeyGivesTheSnippetAndAQrCodeOfTheAddressAndKey)
{
    ConnectDialog dialog(fixture.service(), agentHome);
    dialog.show();
    EXPECT_TRUE(dialog.qrImage().isNull());
    auto *name = dialog.findChild<QLineEdit *>(QStringLiteral("connectKeyName"));
    ASSERT_NE(name, nullptr);
    name->setText(QStringLiteral("phone"));
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("connectCreateKey")), Qt::LeftButton);
    TARN_WAIT_TRUE(!dialog.createdKey().isEmpty(), kTimeoutMs);
    const QString key = dialog.createdKey();
    EXPECT_TRUE(key.startsWith(QStringLiteral("tarn-")));
    EXPECT_EQ(dialog.findChild<QLineEdit *>(QStringLiteral("connectKey"))->text(), key);
    EXPECT_TRUE(ClientKeyRepository(fixture.database()).findByName(QStringLiteral("phone")).ok());

    auto *address = dialog.findChild<QComboBox *>(QStringLiteral("connectAddress"));
    ASSERT_NE(address, nullptr);
    const QString url = address->currentData().toString();
    ASSERT_FALSE(url.isEmpty());
    // Each client's snippet carries the address and the key.
    auto *client = dialog.findChild<QComboBox *>(QStringLiteral("connectClient"));
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->count(), 8);
    for (int i = 0; i < client->count(); ++i) {
        client->setCurrentIndex(i);
        SCOPED_TRACE(client->currentText().toStdString());
        EXPECT_TRUE(dialog.snippetText().contains(url)) << dialog.snippetText().toStdString();
        EXPECT_TRUE(dialog.snippetText().contains(key)) << dialog.snippetText().toStdString();
    }

    // The QR code, read back as a phone would.
    ASSERT_FALSE(dialog.qrImage().isNull());
    const QString zbarimg = QStandardPaths::findExecutable(QStringLiteral("zbarimg"));
    if (zbarimg.isEmpty())
        GTEST_SKIP() << "zbarimg (zbar-tools) is not installed: the QR code was not decoded";
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("qr.png"));
    ASSERT_TRUE(dialog.qrImage().save(png));
    QProcess decode;
    decode.start(zbarimg, {QStringLiteral("--raw"), QStringLiteral("-q"), png});
    ASSERT_TRUE(decode.waitForFinished(20000));
    const QJsonObject payload = QJsonDocument::fromJson(decode.readAllStandardOutput().trimmed()).object();
    EXPECT_EQ(payload.value(u"base_url").toString(), url + QStringLiteral("/v1"));
    EXPECT_EQ(payload.value(u"api_key").toString(), key);
}

} // namespace
