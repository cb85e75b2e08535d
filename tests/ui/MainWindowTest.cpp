// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/MainWindow.h"

#include "ui/channels/ChannelsPage.h"
#include "ui/overview/OverviewPage.h"
#include "tests/ui/support/DesktopFixture.h"
#include "ui/logs/LogsPage.h"
#include "ui/routing/RoutingPage.h"
#include "ui/settings/SettingsPage.h"
#include "ui/usage/UsagePage.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QPointer>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>

using tarn::ui::MainWindow;

namespace {

class MainWindowTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        window = std::make_unique<MainWindow>(fixture.service());
        navigation = window->findChild<QListWidget *>(QStringLiteral("navigation"));
        pages = window->findChild<QStackedWidget *>(QStringLiteral("pages"));
        ASSERT_NE(navigation, nullptr);
        ASSERT_NE(pages, nullptr);
    }

    // Clicks the navigation entry at row as a user would.
    void clickNavigation(int row)
    {
        QListWidgetItem *item = navigation->item(row);
        const QRect rect = navigation->visualItemRect(item);
        QTest::mouseClick(navigation->viewport(), Qt::LeftButton, {}, rect.center());
    }

    tarn::test::DesktopFixture fixture; // declared before the window: outlives it
    std::unique_ptr<MainWindow> window;
    QListWidget *navigation = nullptr;
    QStackedWidget *pages = nullptr;
};

TEST_F(MainWindowTest, HasTitleSizeIconAndSixPages)
{
    EXPECT_EQ(window->windowTitle(), QStringLiteral("Tarn"));
    EXPECT_EQ(window->size(), QSize(1000, 680));
    EXPECT_FALSE(window->windowIcon().isNull());
    ASSERT_EQ(navigation->count(), 6);
    ASSERT_EQ(pages->count(), 6);
    for (int row = 0; row < navigation->count(); ++row)
        EXPECT_FALSE(navigation->item(row)->icon().isNull()) << row;
    EXPECT_EQ(pages->currentWidget(), window->overviewPage());
    EXPECT_EQ(window->currentPage(), MainWindow::Page::Overview);
}

namespace {

// Whether image has an opaque pixel of exactly color (the tinted icons are one colour).
bool hasPixelOf(const QImage &image, const QColor &color)
{
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            if (pixel.alpha() == 255 && pixel.rgb() == color.rgb())
                return true;
        }
    }
    return false;
}

} // namespace

// The selected page's icon is drawn in the highlight's text colour (the brand blue vanished on the
// blue selection), and on a dark palette the icons take the text colour and follow a change.
TEST_F(MainWindowTest, NavigationIconsFollowThePalette)
{
    const QSize size = navigation->iconSize();
    const QPalette light = navigation->palette();
    const QImage selected = navigation->item(0)->icon().pixmap(size, QIcon::Selected).toImage();
    EXPECT_TRUE(hasPixelOf(selected, light.color(QPalette::HighlightedText)));

    QPalette dark = light;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    window->setPalette(dark);
    const QImage normal = navigation->item(1)->icon().pixmap(size, QIcon::Normal).toImage();
    EXPECT_TRUE(hasPixelOf(normal, QColor(0xee, 0xee, 0xee)));
}

TEST_F(MainWindowTest, ClickingNavigationSwitchesPage)
{
    window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
    QSignalSpy pageChanged(window.get(), &MainWindow::currentPageChanged);

    clickNavigation(1);
    EXPECT_NE(qobject_cast<tarn::ui::ChannelsPage *>(pages->currentWidget()), nullptr);
    clickNavigation(2);
    EXPECT_NE(qobject_cast<tarn::ui::RoutingPage *>(pages->currentWidget()), nullptr);
    clickNavigation(3);
    EXPECT_NE(qobject_cast<tarn::ui::UsagePage *>(pages->currentWidget()), nullptr);
    clickNavigation(4);
    EXPECT_NE(qobject_cast<tarn::ui::LogsPage *>(pages->currentWidget()), nullptr);
    clickNavigation(5);
    EXPECT_NE(qobject_cast<tarn::ui::SettingsPage *>(pages->currentWidget()), nullptr);
    EXPECT_EQ(pages->currentWidget()->objectName(), QStringLiteral("settingsPage"));
    EXPECT_EQ(window->currentPage(), MainWindow::Page::Settings);
    clickNavigation(0);
    EXPECT_NE(qobject_cast<tarn::ui::OverviewPage *>(pages->currentWidget()), nullptr);
    EXPECT_EQ(pageChanged.count(), 6);
}

TEST_F(MainWindowTest, ShowPageSelectsNavigationEntry)
{
    window->showPage(MainWindow::Page::Logs);
    EXPECT_EQ(navigation->currentRow(), 4);
    EXPECT_EQ(pages->currentWidget(), window->logsPage());
}

TEST_F(MainWindowTest, StatusBarShowsListenAddresses)
{
    window->setListenAddresses({QStringLiteral("http://127.0.0.1:8276")});
    auto *label = window->statusBar()->findChild<QLabel *>(QStringLiteral("listenStatus"));
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->text(), QStringLiteral("Listening on http://127.0.0.1:8276"));

    window->setListenAddresses({QStringLiteral("http://127.0.0.1:8276"),
                                QStringLiteral("http://100.64.0.7:8276")});
    EXPECT_TRUE(label->text().contains(QStringLiteral("http://100.64.0.7:8276")));

    window->setListenAddresses({});
    EXPECT_FALSE(label->text().contains(QStringLiteral("http")));
}

TEST_F(MainWindowTest, CloseHidesToTrayWhenEnabled)
{
    window->setAttribute(Qt::WA_DeleteOnClose, false);
    QPointer<MainWindow> guard(window.get());
    QSignalSpy quit(window.get(), &MainWindow::quitRequested);
    window->setCloseHidesToTray(true);
    window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));

    EXPECT_FALSE(window->close());
    EXPECT_FALSE(window->isVisible());
    EXPECT_FALSE(guard.isNull());
    EXPECT_EQ(quit.count(), 0);

    window->showAndActivate();
    EXPECT_TRUE(window->isVisible());
}

// Quitting (the tray's Quit, Ctrl+Q) goes through closing every window in Qt 6, and a window that
// refuses its close vetoes the quit: once quitting, closing is accepted even with a tray.
TEST_F(MainWindowTest, QuittingIsNotVetoedByHidingToTray)
{
    window->setAttribute(Qt::WA_DeleteOnClose, false);
    window->setCloseHidesToTray(true);
    window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
    QSignalSpy quit(window.get(), &MainWindow::quitRequested);
    window->prepareToQuit();
    EXPECT_TRUE(window->close());
    EXPECT_FALSE(window->isVisible());
    EXPECT_EQ(quit.count(), 1);
}

TEST_F(MainWindowTest, CloseRequestsQuitWithoutTray)
{
    QSignalSpy quit(window.get(), &MainWindow::quitRequested);
    window->setCloseHidesToTray(false);
    window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));

    EXPECT_TRUE(window->close());
    EXPECT_FALSE(window->isVisible());
    EXPECT_EQ(quit.count(), 1);
}

TEST_F(MainWindowTest, RemembersGeometryMaximisedStateAndPageInTheDataDir)
{
    window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
    window->resize(1100, 730);
    window->showPage(MainWindow::Page::Usage);
    window.reset(); // Tarn exits

    const QString ini = QDir(fixture.dataDir()).filePath(QStringLiteral("ui.ini"));
    ASSERT_TRUE(QFileInfo::exists(ini));
    EXPECT_EQ(QSettings(ini, QSettings::IniFormat).value(QStringLiteral("window/page")).toString(), QStringLiteral("Usage"));

    // The next start opens where the user left it.
    auto second = std::make_unique<MainWindow>(fixture.service());
    EXPECT_EQ(second->size(), QSize(1100, 730));
    EXPECT_EQ(second->currentPage(), MainWindow::Page::Usage);
    EXPECT_EQ(second->findChild<QStackedWidget *>(QStringLiteral("pages"))->currentWidget(), second->usagePage());
    EXPECT_FALSE(second->isMaximized());
    second->showMaximized();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(second.get()));
    second->showPage(MainWindow::Page::Logs);
    second.reset();

    MainWindow third(fixture.service());
    EXPECT_TRUE(third.isMaximized());
    EXPECT_EQ(third.currentPage(), MainWindow::Page::Logs);
    third.showNormal();
    EXPECT_EQ(third.size(), QSize(1100, 730)); // the size it had before it was maximised
}

TEST_F(MainWindowTest, CtrlNumberSwitchesPagesAndTooltipsSaySo)
{
    window->show();
    window->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
    QTest::keyClick(window.get(), Qt::Key_3, Qt::ControlModifier);
    EXPECT_EQ(window->currentPage(), MainWindow::Page::Routing);
    EXPECT_EQ(pages->currentWidget(), window->routingPage());
    EXPECT_EQ(navigation->currentRow(), 2);
    QTest::keyClick(window.get(), Qt::Key_6, Qt::ControlModifier);
    EXPECT_EQ(window->currentPage(), MainWindow::Page::Settings);
    QTest::keyClick(window.get(), Qt::Key_1, Qt::ControlModifier);
    EXPECT_EQ(window->currentPage(), MainWindow::Page::Overview);
    EXPECT_EQ(navigation->item(2)->toolTip(), QStringLiteral("Routing (Ctrl+3)"));
}

TEST_F(MainWindowTest, CtrlWAndEscapeHideTheWindowWhileTarnKeepsRunning)
{
    QSignalSpy quit(window.get(), &MainWindow::quitRequested);
    window->setCloseHidesToTray(true);
    for (const auto &[key, modifiers] : {std::pair{Qt::Key_W, Qt::ControlModifier}, std::pair{Qt::Key_Escape, Qt::NoModifier}}) {
        window->showAndActivate();
        ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
        QTest::keyClick(window.get(), key, modifiers);
        EXPECT_FALSE(window->isVisible()) << key;
    }
    EXPECT_EQ(quit.count(), 0);
}

TEST_F(MainWindowTest, CtrlQQuits)
{
    QSignalSpy quit(window.get(), &MainWindow::quitRequested);
    window->show();
    window->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
    QTest::keyClick(window.get(), Qt::Key_Q, Qt::ControlModifier);
    EXPECT_EQ(quit.count(), 1);
}

TEST_F(MainWindowTest, F5RefreshesTheCurrentPage)
{
    QSignalSpy refreshed(window->overviewPage(), &tarn::ui::OverviewPage::refreshed);
    window->show();
    window->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
    ASSERT_TRUE(refreshed.wait(10000)); // shown: its first refresh
    refreshed.clear();
    QTest::keyClick(window.get(), Qt::Key_F5);
    ASSERT_TRUE(refreshed.wait(10000));
    EXPECT_EQ(refreshed.count(), 1);
}

TEST_F(MainWindowTest, SavesScreenshotForReview)
{
    window->setListenAddresses({QStringLiteral("http://127.0.0.1:8276")});
    window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
    const QPixmap shot = window->grab();
    ASSERT_FALSE(shot.isNull());
    EXPECT_EQ(shot.size(), QSize(1000, 680));

    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(shot.save(dir.filePath(QStringLiteral("main-window.png"))));
}

} // namespace
