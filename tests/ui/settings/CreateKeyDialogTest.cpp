// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/ClientKeyRepository.h"
#include "tests/ui/settings/SettingsTestSupport.h"
#include "tests/ui/support/DesktopFixture.h"
#include "ui/settings/CreateKeyDialog.h"
#include "ui/settings/SettingsPage.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

using tarn::gateway::ClientKeyRepository;
using tarn::test::child;
using tarn::ui::CreateKeyDialog;
using tarn::ui::SettingsPage;

namespace {

// Escape, the window's close button and Cancel do nothing while the create is queued: closing
// then stored a key whose secret nobody ever saw. Once it answers, the secret is shown.
TEST(CreateKeyDialogTest, CannotBeClosedWhileCreating)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    page.show();
    QPointer<CreateKeyDialog> dialog = page.openCreateKeyDialog();
    QTest::keyClicks(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("laptop"));
    child<QSpinBox>(dialog, "tokensPerMonthSpin")->setValue(2000000);
    QSignalSpy created(dialog.data(), &CreateKeyDialog::keyCreated);

    tarn::test::ServiceHold hold(fixture.service());
    ASSERT_TRUE(hold.isHeld());
    QTest::mouseClick(child<QPushButton>(dialog, "createButton"), Qt::LeftButton);
    EXPECT_TRUE(dialog->isCreating());
    EXPECT_TRUE(child<QLabel>(dialog, "creatingLabel")->isVisible());
    EXPECT_FALSE(child<QPushButton>(dialog, "cancelButton")->isEnabled());
    EXPECT_FALSE(child<QPushButton>(dialog, "createButton")->isEnabled());
    QTest::keyClick(child<QLineEdit>(dialog, "nameEdit"), Qt::Key_Escape);
    EXPECT_FALSE(dialog->close());
    QCoreApplication::processEvents();
    ASSERT_FALSE(dialog.isNull());
    EXPECT_TRUE(dialog->isVisible());

    hold.release();
    ASSERT_TRUE(created.count() == 1 || created.wait(5000));
    ASSERT_FALSE(dialog.isNull());
    EXPECT_FALSE(dialog->isCreating());
    EXPECT_FALSE(child<QLabel>(dialog, "creatingLabel")->isVisible());
    const QString secret = dialog->secret();
    EXPECT_TRUE(secret.startsWith(QStringLiteral("tarn-")));
    EXPECT_FALSE(child<QPushButton>(dialog, "cancelButton")->isVisible());
    auto *closeButton = child<QPushButton>(dialog, "closeButton");
    ASSERT_NE(closeButton, nullptr);
    EXPECT_TRUE(closeButton->isVisible());
    EXPECT_TRUE(closeButton->isEnabled());
    auto stored = ClientKeyRepository(fixture.database()).findByName(QStringLiteral("laptop"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->hash, *ClientKeyRepository(fixture.database()).saltedHash(secret.toUtf8()));
    EXPECT_EQ(stored->limits.tokensPerMonth, 2000000); // the limit set while creating
    EXPECT_EQ(stored->limits.tokensPerDay, 0);

    // Now it closes, with the Close button.
    QTest::mouseClick(closeButton, Qt::LeftButton);
    QCoreApplication::processEvents();
    EXPECT_TRUE(dialog.isNull() || !dialog->isVisible());
}

// Enter after the key is shown copies it instead of closing the dialog on it.
TEST(CreateKeyDialogTest, EnterAfterCreationCopiesAndKeepsTheDialog)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    page.show();
    QPointer<CreateKeyDialog> dialog = page.openCreateKeyDialog();
    auto *name = child<QLineEdit>(dialog, "nameEdit");
    QTest::keyClicks(name, QStringLiteral("desk"));
    QSignalSpy created(dialog.data(), &CreateKeyDialog::keyCreated);
    QTest::keyClick(name, Qt::Key_Return); // Enter in the form creates
    ASSERT_TRUE(created.count() == 1 || created.wait(5000));
    QGuiApplication::clipboard()->clear();

    QWidget *focus = dialog->focusWidget();
    ASSERT_NE(focus, nullptr);
    QTest::keyClick(focus, Qt::Key_Return);
    QCoreApplication::processEvents();
    ASSERT_FALSE(dialog.isNull());
    EXPECT_TRUE(dialog->isVisible());
    EXPECT_EQ(QGuiApplication::clipboard()->text(), dialog->secret());
    dialog->close();
}

// Create and Cancel are both standard buttons: a style that gives dialog buttons icons gives both.
TEST(CreateKeyDialogTest, CreateAndCancelLookAlike)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    SettingsPage page(fixture.service());
    CreateKeyDialog *dialog = page.openCreateKeyDialog();
    EXPECT_EQ(child<QPushButton>(dialog, "createButton")->icon().isNull(),
              child<QPushButton>(dialog, "cancelButton")->icon().isNull());
    dialog->close();
}

// A copied secret leaves the clipboard after the delay; something copied since is left alone.
TEST(CreateKeyDialogTest, CopiedSecretIsClearedFromTheClipboard)
{
    tarn::test::DesktopFixture fixture;
    ASSERT_TRUE(fixture.isValid());
    CreateKeyDialog::setClipboardClearDelay(std::chrono::milliseconds(100));
    SettingsPage page(fixture.service());
    page.show();
    QPointer<CreateKeyDialog> dialog = page.openCreateKeyDialog();
    QTest::keyClicks(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("clip"));
    QSignalSpy created(dialog.data(), &CreateKeyDialog::keyCreated);
    QTest::mouseClick(child<QPushButton>(dialog, "createButton"), Qt::LeftButton);
    ASSERT_TRUE(created.count() == 1 || created.wait(5000));
    QClipboard *clipboard = QGuiApplication::clipboard();
    QTest::mouseClick(child<QPushButton>(dialog, "copyButton"), Qt::LeftButton);
    EXPECT_EQ(clipboard->text(), dialog->secret());
    dialog->close(); // the timer outlives the dialog
    TARN_WAIT_TRUE(clipboard->text().isEmpty(), 5000);

    // Copied again, then the user copies something else: that stays.
    dialog = page.openCreateKeyDialog();
    QTest::keyClicks(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("clip2"));
    QSignalSpy created2(dialog.data(), &CreateKeyDialog::keyCreated);
    QTest::mouseClick(child<QPushButton>(dialog, "createButton"), Qt::LeftButton);
    ASSERT_TRUE(created2.count() == 1 || created2.wait(5000));
    QTest::mouseClick(child<QPushButton>(dialog, "copyButton"), Qt::LeftButton);
    clipboard->setText(QStringLiteral("something else"));
    // A timer of the same delay started after the copy fires after the dialog's: by then it has
    // looked at the clipboard.
    bool past = false;
    QTimer::singleShot(std::chrono::milliseconds(100), clipboard, [&past] { past = true; });
    TARN_WAIT_TRUE(past, 5000);
    EXPECT_EQ(clipboard->text(), QStringLiteral("something else"));
    CreateKeyDialog::setClipboardClearDelay(std::chrono::seconds(60));
    dialog->close();
}

} // namespace
