// SPDX-License-Identifier: GPL-3.0-or-later
// Settings after the review of issue 11: client keys editable after creation (models with
// completion and a warning, expiry), "Last used" kept fresh while visible, a shorter usage
// retention confirmed with the rows it deletes, and the data folder opened from the page.
#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/Channel.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/ui/settings/OpenedUrls.h"
#include "tests/ui/settings/SettingsTestSupport.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UsageRows.h"
#include "ui/settings/AllowedModelsField.h"
#include "ui/settings/ClientKeyModel.h"
#include "ui/settings/CreateKeyDialog.h"
#include "ui/settings/EditKeyDialog.h"
#include "ui/settings/SettingsPage.h"

#include <QCheckBox>
#include <QCompleter>
#include <QDesktopServices>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <gtest/gtest.h>

#include <algorithm>

using tarn::gateway::ClientKey;
using tarn::gateway::ClientKeyRepository;
using tarn::test::child;
using tarn::ui::AllowedModelsField;
using tarn::ui::ClientKeyModel;
using tarn::ui::CreateKeyDialog;
using tarn::ui::EditKeyDialog;
using tarn::ui::SettingsPage;

namespace {

void seedKey(tarn::test::DesktopFixture &fixture, const QString &name)
{
    ClientKey key;
    key.name = name;
    ASSERT_TRUE(ClientKeyRepository(fixture.database()).create(key).ok());
}

TEST(KeyEditTest, EditChangesModelsAndExpiryOfAnExistingKey)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    seedKey(fixture, QStringLiteral("ci"));
    SettingsPage page(fixture.service());
    page.show();
    TARN_WAIT_EQ(page.keyModel()->rowCount(), 1, 5000);
    auto *edit = child<QPushButton>(&page, "editKeyButton");
    EXPECT_FALSE(edit->isEnabled());
    page.keyTable()->selectRow(0);
    ASSERT_TRUE(edit->isEnabled());
    QTest::mouseClick(edit, Qt::LeftButton);
    auto *dialog = page.findChild<EditKeyDialog *>();
    ASSERT_NE(dialog, nullptr);

    child<QLineEdit>(dialog, "modelsEdit")->setText(QStringLiteral("gpt-4o, glm-4.6"));
    child<QCheckBox>(dialog, "expiresCheck")->setChecked(true);
    QSignalSpy saved(dialog, &EditKeyDialog::keySaved);
    QSignalSpy reloaded(&page, &SettingsPage::keysReloaded);
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    ASSERT_TRUE(saved.count() == 1 || saved.wait(5000));
    auto stored = ClientKeyRepository(fixture.database()).findByName(QStringLiteral("ci"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->models, (QStringList{QStringLiteral("gpt-4o"), QStringLiteral("glm-4.6")}));
    EXPECT_TRUE(stored->expiresAt.isValid());
    TARN_WAIT_EQ(page.keyModel()->index(0, ClientKeyModel::Models).data().toString(),
                 QStringLiteral("gpt-4o, glm-4.6"), 5000);

    // A double-click on the row opens the editor too, with what is stored now.
    page.keyTable()->selectRow(0);
    const QRect cell = page.keyTable()->visualRect(page.keyModel()->index(0, ClientKeyModel::Name));
    QTest::mousePress(page.keyTable()->viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(page.keyTable()->viewport(), Qt::LeftButton, {}, cell.center());
    QList<EditKeyDialog *> dialogs = page.findChildren<EditKeyDialog *>();
    ASSERT_FALSE(dialogs.isEmpty());
    EXPECT_EQ(child<QLineEdit>(dialogs.last(), "modelsEdit")->text(), QStringLiteral("gpt-4o, glm-4.6"));
    EXPECT_TRUE(child<QCheckBox>(dialogs.last(), "expiresCheck")->isChecked());
    for (EditKeyDialog *open : dialogs)
        open->close();
}

// Limits set in the editor reach the store, the table and the running gateway: with one request
// a minute, the key's second request is refused with 429 and Retry-After.
TEST(KeyEditTest, LimitsSetInTheEditorApplyToTheRunningGateway)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    tarn::test::MockUpstream upstream;
    tarn::gateway::Channel channel;
    channel.name = QStringLiteral("main");
    channel.baseUrl = upstream.baseUrl();
    channel.keys = {QStringLiteral("sk-upstream")};
    channel.models = {QStringLiteral("gpt-x")};
    ASSERT_TRUE(tarn::gateway::ChannelRepository(fixture.database()).add(channel).ok());
    ClientKey meta;
    meta.name = QStringLiteral("phone");
    const tarn::gateway::Result<QString> plaintext = ClientKeyRepository(fixture.database()).create(meta);
    ASSERT_TRUE(plaintext.ok());
    fixture.service().applyConfiguration();

    SettingsPage page(fixture.service());
    page.show();
    TARN_WAIT_EQ(page.keyModel()->rowCount(), 1, 5000);
    EXPECT_EQ(page.keyModel()->index(0, ClientKeyModel::Limits).data().toString(), QStringLiteral("no limits"));
    page.keyTable()->selectRow(0);
    QTest::mouseClick(child<QPushButton>(&page, "editKeyButton"), Qt::LeftButton);
    auto *dialog = page.findChild<EditKeyDialog *>();
    ASSERT_NE(dialog, nullptr);
    child<QSpinBox>(dialog, "requestsPerMinuteSpin")->setValue(1);
    child<QSpinBox>(dialog, "tokensPerDaySpin")->setValue(50000);
    QSignalSpy saved(dialog, &EditKeyDialog::keySaved);
    QTest::mouseClick(child<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
    ASSERT_TRUE(saved.count() == 1 || saved.wait(5000));
    const tarn::gateway::Result<ClientKey> stored = ClientKeyRepository(fixture.database()).findByName(QStringLiteral("phone"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->limits.requestsPerMinute, 1);
    EXPECT_EQ(stored->limits.tokensPerDay, 50000);
    EXPECT_EQ(stored->limits.tokensPerMonth, 0);
    TARN_WAIT_EQ(page.keyModel()->index(0, ClientKeyModel::Limits).data().toString(),
                 QStringLiteral("50,000 tokens/day · 1 requests/min"), 5000);

    // The running gateway has it: the second request within the minute is refused.
    TARN_WAIT_TRUE(std::any_of(fixture.gateway().config().snapshot()->keysByHash.cbegin(),
                               fixture.gateway().config().snapshot()->keysByHash.cend(),
                               [](const ClientKey &k) { return k.limits.requestsPerMinute == 1; }),
                   5000);
    const QString url = fixture.gateway().urls().first().toString() + QStringLiteral("/v1/chat/completions");
    const QByteArray body = R"({"model":"gpt-x","messages":[{"role":"user","content":"hi"}]})";
    const tarn::test::HttpHeaders auth{{"Authorization", "Bearer " + plaintext->toUtf8()}};
    tarn::test::HttpTestClient client;
    EXPECT_EQ(client.request("POST", url, body, auth).status, 200);
    const tarn::test::HttpResult refused = client.request("POST", url, body, auth);
    EXPECT_EQ(refused.status, 429) << refused.body.toStdString();
    EXPECT_FALSE(refused.header("retry-after").isEmpty());
}

TEST(KeyEditTest, AllowedModelsCompleteServedModelsAndWarnAboutOthers)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    tarn::gateway::Channel channel;
    channel.name = QStringLiteral("zhipu");
    channel.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
    channel.keys = {QStringLiteral("sk-test")};
    channel.models = {QStringLiteral("glm-4.6"), QStringLiteral("gpt-4o")};
    ASSERT_TRUE(tarn::gateway::ChannelRepository(fixture.database()).add(channel).ok());
    fixture.service().applyConfiguration();
    TARN_WAIT_TRUE(fixture.gateway().config().snapshot() && !fixture.gateway().config().snapshot()->channels.isEmpty(),
                   5000);

    SettingsPage page(fixture.service());
    page.show();
    CreateKeyDialog *dialog = page.openCreateKeyDialog();
    auto *field = dialog->findChild<AllowedModelsField *>();
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->servedModels(), (QStringList{QStringLiteral("glm-4.6"), QStringLiteral("gpt-4o")}));

    auto *edit = child<QLineEdit>(dialog, "modelsEdit");
    auto *completer = child<QCompleter>(dialog, "modelsCompleter");
    ASSERT_NE(completer, nullptr);
    QTest::keyClicks(edit, QStringLiteral("gpt-4o, GL"));
    EXPECT_EQ(completer->completionPrefix(), QStringLiteral("GL"));
    EXPECT_EQ(completer->completionCount(), 1);
    EXPECT_EQ(completer->currentCompletion(), QStringLiteral("glm-4.6"));
    Q_EMIT completer->activated(QStringLiteral("glm-4.6"));
    EXPECT_EQ(edit->text(), QStringLiteral("gpt-4o, glm-4.6"));
    auto *warning = child<QLabel>(dialog, "modelsWarning");
    EXPECT_FALSE(warning->isVisible());

    edit->setText(QStringLiteral("gpt-4o, gpt-5-typo"));
    EXPECT_TRUE(warning->isVisible());
    EXPECT_TRUE(warning->text().contains(QStringLiteral("gpt-5-typo"))) << qPrintable(warning->text());
    EXPECT_FALSE(warning->text().contains(QStringLiteral("gpt-4o,")));
    dialog->close();
}

// "Last used" follows the store while the page is visible; hidden, the page stops asking.
TEST(KeyEditTest, LastUsedRefreshesWhileVisible)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    seedKey(fixture, QStringLiteral("phone"));
    SettingsPage page(fixture.service());
    page.setKeyRefreshInterval(std::chrono::milliseconds(50));
    auto *timer = child<QTimer>(&page, "keyRefreshTimer");
    ASSERT_NE(timer, nullptr);
    EXPECT_FALSE(timer->isActive());
    page.show();
    EXPECT_TRUE(timer->isActive());
    TARN_WAIT_EQ(page.keyModel()->rowCount(), 1, 5000);
    EXPECT_EQ(page.keyModel()->index(0, ClientKeyModel::LastUsed).data().toString(), QStringLiteral("never"));

    const qint64 id = ClientKeyRepository(fixture.database()).findByName(QStringLiteral("phone"))->id;
    ASSERT_TRUE(ClientKeyRepository(fixture.database()).touchLastUsed({{id, QDateTime::currentDateTimeUtc()}}).ok());
    TARN_WAIT_TRUE(page.keyModel()->index(0, ClientKeyModel::LastUsed).data().toString() != QStringLiteral("never"),
                   5000);

    page.hide();
    EXPECT_FALSE(timer->isActive());
}

// Lowering "Keep usage for" says how many rows it would delete and asks; declined, nothing is saved.
TEST(RetentionTest, LoweringAsksWithTheRowsItDeletes)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    const QDateTime old = QDateTime::currentDateTimeUtc().addDays(-45);
    QList<tarn::gateway::UsageRecord> rows;
    for (int i = 0; i < 3; ++i)
        rows.append(tarn::test::usageRow(old.addSecs(i), QStringLiteral("alpha"), QStringLiteral("gpt-4o"), 200, 10, 5, 0));
    rows.append(tarn::test::usageRow(QDateTime::currentDateTimeUtc(), QStringLiteral("alpha"), QStringLiteral("gpt-4o"),
                                     200, 10, 5, 0));
    ASSERT_TRUE(tarn::gateway::UsageRepository(fixture.database()).insert(rows).ok());

    SettingsPage page(fixture.service());
    ASSERT_TRUE(tarn::test::serviceBarrier(fixture.service())); // the stored settings are read
    QStringList asked;
    bool answer = false;
    page.setConfirmation([&](const QString &question) {
        asked.append(question);
        return answer;
    });
    auto *retention = child<QSpinBox>(&page, "retentionSpin");
    QSignalSpy kept(&page, &SettingsPage::retentionKept);
    QSignalSpy saved(&page, &SettingsPage::saved);
    retention->setValue(30);
    Q_EMIT retention->editingFinished();
    ASSERT_TRUE(kept.wait(5000));
    ASSERT_EQ(asked.size(), 1);
    EXPECT_TRUE(asked.at(0).contains(QStringLiteral("deletes 3 usage rows"))) << qPrintable(asked.at(0));
    EXPECT_EQ(retention->value(), 0);
    ASSERT_TRUE(tarn::test::serviceBarrier(fixture.service()));
    EXPECT_EQ(saved.count(), 0);
    EXPECT_EQ(tarn::gateway::SettingsRepository(fixture.database()).value(QStringLiteral("usage.retention_days")).value(),
              QString());

    answer = true;
    retention->setValue(30);
    Q_EMIT retention->editingFinished();
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_EQ(asked.size(), 2);
    EXPECT_EQ(tarn::gateway::SettingsRepository(fixture.database()).value(QStringLiteral("usage.retention_days")).value(),
              QStringLiteral("30"));

    // Raising it deletes nothing more: saved without asking.
    retention->setValue(60);
    Q_EMIT retention->editingFinished();
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_EQ(asked.size(), 2);
}

TEST(DataFolderTest, OpenButtonOpensTheDataFolder)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    tarn::test::OpenedUrls opened;
    QDesktopServices::setUrlHandler(QStringLiteral("file"), &opened, "open");
    SettingsPage page(fixture.service());
    // The path on one line that scrolls (a label wrapped a long one), read-only and whole.
    auto *path = child<QLineEdit>(&page, "dataDirLabel");
    ASSERT_NE(path, nullptr);
    EXPECT_TRUE(path->isReadOnly());
    EXPECT_EQ(path->text(), QDir::toNativeSeparators(fixture.gateway().options().dataDir));
    auto *button = child<QPushButton>(&page, "openDataDirButton");
    ASSERT_NE(button, nullptr);
    QTest::mouseClick(button, Qt::LeftButton);
    QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
    ASSERT_EQ(opened.urls.size(), 1);
    EXPECT_EQ(opened.urls.at(0), QUrl::fromLocalFile(fixture.gateway().options().dataDir));
}

} // namespace
