// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QLabel;
class QListWidget;
class QSettings;
class QStackedWidget;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class ChannelsPage;
class ConnectDialog;
class LogsPage;
class OverviewPage;
class RoutingPage;
class SettingsPage;
class UsagePage;

// The main window: page navigation on the left, the current page on the right, listen status below.
// Remembers its geometry, maximised state and page in <data dir>/ui.ini. Keys: Ctrl+1..Ctrl+6 pick
// a page, F5 refreshes it, Ctrl+W or Esc hides the window (Tarn keeps serving), Ctrl+Q quits.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // Order of the navigation entries and of the stacked pages.
    enum class Page { Overview, Channels, Routing, Usage, Logs, Settings };
    Q_ENUM(Page)

    // The pages read and write through service, which must outlive the window.
    explicit MainWindow(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows e.g. "Listening on http://127.0.0.1:8276" in the status bar; empty means not listening.
    void setListenAddresses(const QStringList &urls);

    // True while a tray icon is available: closing the window then only hides it.
    void setCloseHidesToTray(bool hides);
    [[nodiscard]] bool closeHidesToTray() const;
    // The application is quitting (the tray's Quit, Ctrl+Q): the next close is accepted even when
    // closing hides to the tray. Qt 6 lets any window veto QCoreApplication::quit() by refusing
    // its close, which kept Tarn running after Quit whenever a tray was there.
    void prepareToQuit() { m_quitting = true; }

    void showPage(Page page);
    [[nodiscard]] Page currentPage() const;

    // Shows, un-minimises, raises and activates the window (tray click, second instance).
    void showAndActivate();
    // Puts the window away without ending Tarn: hidden when the tray can bring it back, else
    // minimised (a hidden window without a tray could only come back through a second launch).
    void hideWindow();
    // Asks the current page to read its data again (F5).
    void refreshCurrentPage();
    // Shows the "Connect a client" window (one at a time; raised when already open).
    ConnectDialog *openConnectDialog();
    // Writes geometry, maximised state and page to ui.ini (also done on hide, close and exit).
    void saveUiState() const;

    [[nodiscard]] OverviewPage *overviewPage() const;
    [[nodiscard]] ChannelsPage *channelsPage() const;
    [[nodiscard]] RoutingPage *routingPage() const;
    [[nodiscard]] UsagePage *usagePage() const;
    [[nodiscard]] LogsPage *logsPage() const;
    [[nodiscard]] SettingsPage *settingsPage() const;

Q_SIGNALS:
    // The window was closed while not hiding to the tray, or Ctrl+Q: the user wants Tarn to end.
    void quitRequested();
    void currentPageChanged(tarn::ui::MainWindow::Page page);

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void addPage(QWidget *page, const QString &label, const QString &iconName);
    // The navigation icons in the palette's colours: the brand blue vanished on the blue of a
    // selected row and was dim on a dark palette.
    void updateNavigationIcons();
    void addShortcuts();
    void restoreUiState();
    void onNavigationRowChanged(int row);

    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_listenStatus = nullptr;
    OverviewPage *m_overviewPage = nullptr;
    ChannelsPage *m_channelsPage = nullptr;
    RoutingPage *m_routingPage = nullptr;
    UsagePage *m_usagePage = nullptr;
    LogsPage *m_logsPage = nullptr;
    SettingsPage *m_settingsPage = nullptr;
    gateway::DesktopService &m_service;
    QPointer<ConnectDialog> m_connectDialog;
    bool m_closeHidesToTray = false;
    bool m_quitting = false;
    std::unique_ptr<QSettings> m_uiState; // null when the gateway has no data dir
};

} // namespace tarn::ui
