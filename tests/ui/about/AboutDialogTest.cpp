// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/about/AboutDialog.h"
#include "ui/tray/TrayIcon.h"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QSignalSpy>

#include <gtest/gtest.h>

using tarn::ui::AboutDialog;
using tarn::ui::TrayIcon;

// The app sets its version from TARN_VERSION (main.cpp, DesktopApp.cpp); TARN_PROJECT_VERSION is
// CMake's PROJECT_VERSION handed to this test on its own, so a version typed anywhere else fails.
TEST(AboutDialogTest, ShowsTheCMakeProjectVersion)
{
    QCoreApplication::setApplicationVersion(QStringLiteral(TARN_VERSION));
    AboutDialog dialog(QDir::tempPath());
    const auto *label = dialog.findChild<QLabel *>(QStringLiteral("versionLabel"));
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->text().toStdString(), "Version " TARN_PROJECT_VERSION);
    EXPECT_EQ(dialog.versionText(), label->text());
}

TEST(AboutDialogTest, NamesTheLicenceQtAndTheDataFolder)
{
    const QString dir = QDir::tempPath() + QStringLiteral("/tarn data");
    AboutDialog dialog(dir);
    dialog.show();
    const auto *licence = dialog.findChild<QLabel *>(QStringLiteral("licenceLabel"));
    ASSERT_NE(licence, nullptr);
    EXPECT_TRUE(licence->text().contains(QStringLiteral("GPL-3.0-or-later")));
    const auto *qt = dialog.findChild<QLabel *>(QStringLiteral("qtLabel"));
    ASSERT_NE(qt, nullptr);
    EXPECT_TRUE(qt->text().startsWith(QString::fromLatin1(qVersion())));
    EXPECT_TRUE(dialog.dataDirText().contains(QDir::toNativeSeparators(dir).toHtmlEscaped()));
    EXPECT_TRUE(dialog.dataDirText().contains(QStringLiteral("tarn%20data"))); // the link opens it
}

TEST(AboutDialogTest, TrayMenuAsksForTheAboutBox)
{
    TrayIcon tray;
    auto *action = tray.menu()->findChild<QAction *>(QStringLiteral("aboutAction"));
    ASSERT_NE(action, nullptr);
    QSignalSpy requested(&tray, &TrayIcon::aboutRequested);
    action->trigger();
    EXPECT_EQ(requested.count(), 1);
}
