// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/Gateway.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/SettingsRepository.h"
#include "tests/ui/settings/SettingsTestSupport.h"
#include "tests/ui/support/DesktopFixture.h"
#include "ui/settings/ClientKeyModel.h"
#include "ui/settings/CreateKeyDialog.h"
#include "ui/settings/LaunchAtLogin.h"
#include "ui/settings/SettingsPage.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGuiApplication>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

using tarn::gateway::ClientKey;
using tarn::gateway::ClientKeyRepository;
using tarn::gateway::SettingsRepository;
using tarn::ui::ClientKeyModel;
using tarn::ui::CreateKeyDialog;
using tarn::ui::LaunchAtLogin;
using tarn::ui::SettingsPage;

namespace {

template<typename T>
T *child(QObject *parent, const char *name)
{
    return parent->findChild<T *>(QString::fromLatin1(name));
}

// A port nothing listens on right now (the kernel's pick, released at once).
quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : quint16(0);
}

// Whether a client reaching 127.0.0.1:port gets Tarn's /health answer.
bool answersHealth(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(3000))
        return false;
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    while (!answer.contains("\r\n") && socket.waitForReadyRead(5000))
        answer += socket.readAll();
    return answer.startsWith("HTTP/1.1 200");
}

TEST(SettingsPageTest, CreateKeyShowsSecretOnceAndStoresIt)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    QAbstractItemModelTester tester(page.keyModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    page.show();

    CreateKeyDialog *dialog = page.openCreateKeyDialog();
    ASSERT_NE(dialog, nullptr);
    auto *secret = child<QLineEdit>(dialog, "secretEdit");
    ASSERT_NE(secret, nullptr);
    EXPECT_FALSE(secret->isVisible());

    QTest::keyClicks(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("laptop"));
    QTest::keyClicks(child<QLineEdit>(dialog, "modelsEdit"), QStringLiteral("gpt-4o, glm-4.6"));
    child<QCheckBox>(dialog, "expiresCheck")->setChecked(true);
    QSignalSpy created(dialog, &CreateKeyDialog::keyCreated);
    QTest::mouseClick(child<QPushButton>(dialog, "createButton"), Qt::LeftButton);
    ASSERT_TRUE(created.count() == 1 || created.wait(5000));

    EXPECT_TRUE(secret->isVisible());
    EXPECT_TRUE(secret->isReadOnly());
    EXPECT_TRUE(secret->text().startsWith(QStringLiteral("tarn-")));
    EXPECT_FALSE(child<QPushButton>(dialog, "createButton")->isVisible());
    QTest::mouseClick(child<QPushButton>(dialog, "copyButton"), Qt::LeftButton);
    EXPECT_EQ(QGuiApplication::clipboard()->text(), secret->text());

    // Stored by hash: the secret matches the stored key, and nothing else keeps it.
    auto stored = ClientKeyRepository(fixture.database()).findByName(QStringLiteral("laptop"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->hash, *ClientKeyRepository(fixture.database()).saltedHash(secret->text().toUtf8()));
    EXPECT_EQ(stored->models, (QStringList{QStringLiteral("gpt-4o"), QStringLiteral("glm-4.6")}));
    EXPECT_TRUE(stored->expiresAt.isValid());

    // The table shows it, without the secret.
    ASSERT_TRUE(QTest::qWaitFor([&] { return page.keyModel()->rowCount() == 1; }, 5000));
    const QAbstractItemModel *model = page.keyModel();
    EXPECT_EQ(model->index(0, ClientKeyModel::Name).data().toString(), QStringLiteral("laptop"));
    EXPECT_EQ(model->index(0, ClientKeyModel::Models).data().toString(), QStringLiteral("gpt-4o, glm-4.6"));
    EXPECT_EQ(model->index(0, ClientKeyModel::LastUsed).data().toString(), QStringLiteral("never"));
    EXPECT_EQ(model->index(0, ClientKeyModel::Status).data().toString(), QStringLiteral("active"));
    for (int column = 0; column < model->columnCount(); ++column)
        EXPECT_FALSE(model->index(0, column).data().toString().contains(secret->text()));
    dialog->close();
}

TEST(SettingsPageTest, InvalidNameIsRefusedInline)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    CreateKeyDialog *dialog = page.openCreateKeyDialog();
    QTest::keyClicks(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("has space"));
    QTest::mouseClick(child<QPushButton>(dialog, "createButton"), Qt::LeftButton);
    EXPECT_TRUE(child<QWidget>(dialog, "errorLabel")->isVisible());
    EXPECT_TRUE(dialog->secret().isEmpty());
    dialog->close();
}

TEST(SettingsPageTest, RevokeAfterConfirmation)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    ClientKey key;
    key.name = QStringLiteral("ci");
    ASSERT_TRUE(ClientKeyRepository(fixture.database()).create(key).ok());

    SettingsPage page(fixture.service());
    ASSERT_TRUE(QTest::qWaitFor([&] { return page.keyModel()->rowCount() == 1; }, 5000));
    QStringList asked;
    bool answer = false;
    page.setConfirmation([&](const QString &question) {
        asked.append(question);
        return answer;
    });
    page.keyTable()->selectRow(0);
    auto *revoke = child<QPushButton>(&page, "revokeKeyButton");
    ASSERT_TRUE(revoke->isEnabled());

    QTest::mouseClick(revoke, Qt::LeftButton); // declined
    ASSERT_EQ(asked.size(), 1);
    EXPECT_TRUE(asked.at(0).contains(QStringLiteral("ci")));
    // Anything the declined click had queued would have run before the barrier's answer.
    ASSERT_TRUE(tarn::test::serviceBarrier(fixture.service()));
    EXPECT_FALSE(ClientKeyRepository(fixture.database()).findByName(QStringLiteral("ci"))->revoked);

    answer = true;
    QSignalSpy reloaded(&page, &SettingsPage::keysReloaded);
    QTest::mouseClick(revoke, Qt::LeftButton);
    ASSERT_TRUE(reloaded.wait(5000));
    EXPECT_TRUE(ClientKeyRepository(fixture.database()).findByName(QStringLiteral("ci"))->revoked);
    EXPECT_EQ(page.keyModel()->index(0, ClientKeyModel::Status).data().toString(), QStringLiteral("revoked"));
}

TEST(SettingsPageTest, ListenStartHiddenAndRetentionAreSaved)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    auto *listen = child<QLineEdit>(&page, "listenEdit");
    EXPECT_EQ(listen->text(), QStringLiteral("127.0.0.1"));
    auto *note = child<QLabel>(&page, "listenNote");
    EXPECT_EQ(note->text(), QStringLiteral("Now listening on %1.").arg(fixture.gateway().urls().value(0).toString()));

    const quint16 port = freePort();
    ASSERT_NE(port, 0);
    QSignalSpy saved(&page, &SettingsPage::saved);
    listen->setText(QStringLiteral(" 127.0.0.1 ,"));
    child<QSpinBox>(&page, "portSpin")->setValue(port);
    QTest::mouseClick(child<QPushButton>(&page, "saveListenButton"), Qt::LeftButton);
    ASSERT_TRUE(saved.wait(5000));
    SettingsRepository settings(fixture.database());
    EXPECT_EQ(settings.value(QStringLiteral("gateway.listen")).value(),
              QStringLiteral("127.0.0.1:%1").arg(port));
    EXPECT_EQ(fixture.gateway().urls().value(0), QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    EXPECT_TRUE(note->text().contains(QStringLiteral("http://127.0.0.1:%1").arg(port))) << qPrintable(note->text());

    child<QCheckBox>(&page, "startHiddenCheck")->setChecked(true);
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_EQ(settings.value(QStringLiteral("desktop.start_hidden")).value(), QStringLiteral("true"));

    auto *retention = child<QSpinBox>(&page, "retentionSpin");
    retention->setValue(90);
    Q_EMIT retention->editingFinished();
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_EQ(settings.value(QStringLiteral("usage.retention_days")).value(), QStringLiteral("90"));

    // A new page reads back what was saved.
    SettingsPage again(fixture.service());
    ASSERT_TRUE(QTest::qWaitFor([&] { return child<QSpinBox>(&again, "retentionSpin")->value() == 90; }, 5000));
    EXPECT_TRUE(child<QCheckBox>(&again, "startHiddenCheck")->isChecked());
    EXPECT_EQ(child<QLineEdit>(&again, "listenEdit")->text(), QStringLiteral("127.0.0.1"));
    EXPECT_EQ(child<QSpinBox>(&again, "portSpin")->value(), port);
}

// A new address applies at once: clients reach Tarn there, not at the old port, without a restart.
TEST(SettingsPageTest, ListenChangeAppliesWithoutRestart)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    const quint16 before = quint16(fixture.gateway().urls().value(0).port());
    const quint16 port = freePort();
    ASSERT_NE(port, 0);
    QSignalSpy saved(&page, &SettingsPage::saved);
    child<QSpinBox>(&page, "portSpin")->setValue(port);
    QTest::mouseClick(child<QPushButton>(&page, "saveListenButton"), Qt::LeftButton);
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_TRUE(answersHealth(port));
    EXPECT_FALSE(answersHealth(before));
    EXPECT_FALSE(child<QLabel>(&page, "listenNote")->property("failed").toBool());
}

// An address Tarn cannot bind (taken, or not an address) is refused with the reason; nothing is
// saved and Tarn keeps listening where it did.
TEST(SettingsPageTest, ListenChangeThatCannotBindIsRefusedAndNotSaved)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    const QList<QUrl> before = fixture.gateway().urls();
    QTcpServer squatter;
    ASSERT_TRUE(squatter.listen(QHostAddress::LocalHost, 0));
    QSignalSpy saved(&page, &SettingsPage::saved);
    child<QSpinBox>(&page, "portSpin")->setValue(squatter.serverPort());
    QTest::mouseClick(child<QPushButton>(&page, "saveListenButton"), Qt::LeftButton);
    auto *note = child<QLabel>(&page, "listenNote");
    EXPECT_TRUE(note->property("failed").toBool());
    EXPECT_TRUE(note->text().startsWith(QStringLiteral("Not saved: cannot listen on 127.0.0.1:%1").arg(squatter.serverPort())))
        << qPrintable(note->text());
    EXPECT_TRUE(note->text().contains(before.value(0).toString())) << qPrintable(note->text());

    child<QLineEdit>(&page, "listenEdit")->setText(QStringLiteral("my-laptop"));
    QTest::mouseClick(child<QPushButton>(&page, "saveListenButton"), Qt::LeftButton);
    EXPECT_TRUE(note->text().startsWith(QStringLiteral("Not saved:"))) << qPrintable(note->text());

    // Nothing reached the store, and the gateway still listens where it did.
    QCoreApplication::processEvents();
    EXPECT_EQ(saved.count(), 0);
    EXPECT_EQ(SettingsRepository(fixture.database()).value(QStringLiteral("gateway.listen")).value(), QString());
    EXPECT_EQ(fixture.gateway().urls(), before);
    EXPECT_TRUE(answersHealth(quint16(before.value(0).port())));
}

#if !defined(Q_OS_WIN) && !defined(Q_OS_MACOS)
TEST(LaunchAtLoginTest, WritesAndRemovesXdgAutostartEntry)
{
    QTemporaryDir config;
    const QByteArray previous = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());

    LaunchAtLogin launch(QStringLiteral("/opt/Tarn App/tarn"), {QStringLiteral("--data-dir"), QStringLiteral("/data")});
    const QString path = config.path() + QStringLiteral("/autostart/tarn.desktop");
    EXPECT_EQ(launch.location(), path);
    EXPECT_FALSE(launch.isEnabled());

    ASSERT_TRUE(launch.setEnabled(true)) << qPrintable(launch.errorString());
    EXPECT_TRUE(launch.isEnabled());
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QString content = QString::fromUtf8(file.readAll());
    EXPECT_TRUE(content.startsWith(QStringLiteral("[Desktop Entry]\n")));
    EXPECT_TRUE(content.contains(QStringLiteral("Exec=\"/opt/Tarn App/tarn\" --data-dir /data --autostart\n"))) << qPrintable(content);
    EXPECT_TRUE(content.contains(QStringLiteral("Type=Application\n")));

    ASSERT_TRUE(launch.setEnabled(false));
    EXPECT_FALSE(QFile::exists(path));
    EXPECT_FALSE(launch.isEnabled());
    EXPECT_TRUE(launch.setEnabled(false)); // already gone is fine

    if (previous.isNull())
        qunsetenv("XDG_CONFIG_HOME");
    else
        qputenv("XDG_CONFIG_HOME", previous);
}

// An entry the desktop skips, or one starting another binary, is not "enabled"; enabling rewrites it.
TEST(LaunchAtLoginTest, SkippedOrForeignEntryIsNotEnabled)
{
    QTemporaryDir config;
    const QByteArray previous = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    LaunchAtLogin launch(QStringLiteral("/opt/tarn/tarn"));
    ASSERT_TRUE(launch.setEnabled(true));
    ASSERT_TRUE(launch.isEnabled());
    const auto write = [&](const QByteArray &content) {
        QFile file(launch.location());
        ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(content);
    };
    write("[Desktop Entry]\nType=Application\nExec=/opt/tarn/tarn --autostart\nHidden=true\n");
    EXPECT_FALSE(launch.isEnabled());
    write("[Desktop Entry]\nType=Application\nExec=/opt/tarn/tarn --autostart\nX-GNOME-Autostart-enabled=false\n");
    EXPECT_FALSE(launch.isEnabled());
    write("[Desktop Entry]\nType=Application\nExec=/usr/bin/old-tarn --autostart\n");
    EXPECT_FALSE(launch.isEnabled());
    write("[Desktop Entry]\nType=Application\nExec=/opt/tarn/tarn --autostart\n");
    EXPECT_TRUE(launch.isEnabled());
    write("[Desktop Entry]\nType=Application\nExec=/usr/bin/old-tarn\nHidden=true\n");
    ASSERT_TRUE(launch.setEnabled(true));
    EXPECT_TRUE(launch.isEnabled());

    EXPECT_TRUE(LaunchAtLogin::startedAtLogin({QStringLiteral("tarn"), QStringLiteral("--autostart")}));
    EXPECT_FALSE(LaunchAtLogin::startedAtLogin({QStringLiteral("tarn")}));
    if (previous.isNull())
        qunsetenv("XDG_CONFIG_HOME");
    else
        qputenv("XDG_CONFIG_HOME", previous);
}

TEST(LaunchAtLoginTest, CheckboxOnSettingsPageTogglesEntry)
{
    QTemporaryDir config;
    const QByteArray previous = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    {
        tarn::test::DesktopFixture fixture;
        ASSERT_TRUE(fixture.isValid());
        SettingsPage page(fixture.service());
        auto *check = child<QCheckBox>(&page, "launchAtLoginCheck");
        EXPECT_FALSE(check->isChecked());
        check->setChecked(true);
        EXPECT_TRUE(QFile::exists(config.path() + QStringLiteral("/autostart/tarn.desktop")));
        check->setChecked(false);
        EXPECT_FALSE(QFile::exists(config.path() + QStringLiteral("/autostart/tarn.desktop")));
    }
    if (previous.isNull())
        qunsetenv("XDG_CONFIG_HOME");
    else
        qputenv("XDG_CONFIG_HOME", previous);
}
#endif

// "Reachable from" applies an exposure at once and saves it for the next start; every network is
// asked about first, and a no changes nothing.
TEST(SettingsPageTest, TheExposureIsAppliedAndSaved)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    QStringList asked;
    page.setConfirmation([&](const QString &question) {
        asked.append(question);
        return false;
    });
    auto *mode = child<QComboBox>(&page, "exposeCombo");
    ASSERT_NE(mode, nullptr);
    EXPECT_EQ(mode->currentText(), QStringLiteral("Custom addresses")); // the fixture listens on an address
    EXPECT_TRUE(child<QLineEdit>(&page, "listenEdit")->isEnabled());

    const quint16 port = freePort();
    ASSERT_NE(port, 0);
    child<QSpinBox>(&page, "portSpin")->setValue(port);
    mode->setCurrentIndex(mode->findText(QStringLiteral("Only this machine")));
    EXPECT_FALSE(child<QLineEdit>(&page, "listenEdit")->isEnabled());
    EXPECT_TRUE(child<QLineEdit>(&page, "listenEdit")->text().startsWith(QStringLiteral("127.0.0.1")));
    QSignalSpy saved(&page, &SettingsPage::saved);
    QTest::mouseClick(child<QPushButton>(&page, "saveListenButton"), Qt::LeftButton);
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_EQ(fixture.gateway().exposeMode(), tarn::gateway::ExposeMode::Loopback);
    EXPECT_EQ(fixture.gateway().urls().value(0), QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    EXPECT_TRUE(answersHealth(port));
    SettingsRepository settings(fixture.database());
    EXPECT_EQ(settings.value(QStringLiteral("gateway.expose")).value(), QStringLiteral("loopback"));
    EXPECT_EQ(settings.value(QStringLiteral("gateway.listen")).value(), QStringLiteral("127.0.0.1:%1").arg(port));

    // Every network: asked first; declined, nothing changes.
    mode->setCurrentIndex(mode->findText(QStringLiteral("Every network (all interfaces)")));
    QTest::mouseClick(child<QPushButton>(&page, "saveListenButton"), Qt::LeftButton);
    ASSERT_EQ(asked.size(), 1);
    EXPECT_TRUE(asked.first().contains(QStringLiteral("every network")));
    EXPECT_EQ(fixture.gateway().exposeMode(), tarn::gateway::ExposeMode::Loopback);
    EXPECT_EQ(settings.value(QStringLiteral("gateway.expose")).value(), QStringLiteral("loopback"));

    // A new page shows the saved choice.
    SettingsPage again(fixture.service());
    TARN_WAIT_EQ(child<QComboBox>(&again, "exposeCombo")->currentText(), QStringLiteral("Only this machine"), 5000);
}

} // namespace
