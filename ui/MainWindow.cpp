// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/MainWindow.h"

#include "ui/channels/ChannelsPage.h"
#include "ui/logs/LogsPage.h"
#include "ui/overview/OverviewPage.h"
#include "ui/routing/RoutingPage.h"
#include "ui/settings/SettingsPage.h"
#include "ui/usage/UsagePage.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>

namespace tarn::ui {

MainWindow::MainWindow(gateway::DesktopService &service, QWidget *parent)
    : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Tarn"));
    setWindowIcon(QIcon(QStringLiteral(":/tarn/icons/tarn.svg")));
    resize(1000, 680);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_navigation = new QListWidget(central);
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setIconSize(QSize(24, 24));
    m_navigation->setSpacing(2);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setSelectionMode(QAbstractItemView::SingleSelection);
    m_navigation->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_navigation->setFixedWidth(180);
    m_navigation->setAccessibleName(tr("Pages"));

    m_pages = new QStackedWidget(central);
    m_pages->setObjectName(QStringLiteral("pages"));

    layout->addWidget(m_navigation);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    m_overviewPage = new OverviewPage(service, m_pages);
    m_channelsPage = new ChannelsPage(service, m_pages);
    m_routingPage = new RoutingPage(service, m_pages);
    m_usagePage = new UsagePage(service, m_pages);
    m_logsPage = new LogsPage(service, m_pages);
    m_settingsPage = new SettingsPage(service, m_pages);
    // Same order as enum Page.
    addPage(m_overviewPage, tr("Overview"), QStringLiteral("page-overview"));
    addPage(m_channelsPage, tr("Channels"), QStringLiteral("page-channels"));
    addPage(m_routingPage, tr("Routing"), QStringLiteral("page-routing"));
    addPage(m_usagePage, tr("Usage"), QStringLiteral("page-usage"));
    addPage(m_logsPage, tr("Logs"), QStringLiteral("page-logs"));
    addPage(m_settingsPage, tr("Settings"), QStringLiteral("page-settings"));

    connect(m_navigation, &QListWidget::currentRowChanged, this, &MainWindow::onNavigationRowChanged);

    m_listenStatus = new QLabel(this);
    m_listenStatus->setObjectName(QStringLiteral("listenStatus"));
    m_listenStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(m_listenStatus, 1);
    setListenAddresses({});

    m_navigation->setCurrentRow(0);
}

MainWindow::~MainWindow() = default;

void MainWindow::setListenAddresses(const QStringList &urls)
{
    m_listenStatus->setText(urls.isEmpty()
                                ? tr("Gateway not listening")
                                : tr("Listening on %1").arg(urls.join(QStringLiteral(", "))));
}

void MainWindow::setCloseHidesToTray(bool hides)
{
    m_closeHidesToTray = hides;
}

bool MainWindow::closeHidesToTray() const
{
    return m_closeHidesToTray;
}

void MainWindow::showPage(Page page)
{
    m_navigation->setCurrentRow(static_cast<int>(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return static_cast<Page>(m_pages->currentIndex());
}

void MainWindow::showAndActivate()
{
    if (isMinimized())
        setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    show();
    raise();
    activateWindow();
}

OverviewPage *MainWindow::overviewPage() const { return m_overviewPage; }
ChannelsPage *MainWindow::channelsPage() const { return m_channelsPage; }
RoutingPage *MainWindow::routingPage() const { return m_routingPage; }
UsagePage *MainWindow::usagePage() const { return m_usagePage; }
LogsPage *MainWindow::logsPage() const { return m_logsPage; }
SettingsPage *MainWindow::settingsPage() const { return m_settingsPage; }

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_closeHidesToTray) {
        // The gateway keeps serving; the tray icon brings the window back.
        event->ignore();
        hide();
        return;
    }
    event->accept();
    emit quitRequested();
}

void MainWindow::addPage(QWidget *page, const QString &label, const QString &iconName)
{
    const QIcon icon(QStringLiteral(":/tarn/icons/%1.svg").arg(iconName));
    auto *item = new QListWidgetItem(icon, label, m_navigation);
    item->setSizeHint(QSize(0, 36));
    m_pages->addWidget(page);
}

void MainWindow::onNavigationRowChanged(int row)
{
    if (row < 0 || row >= m_pages->count())
        return;
    m_pages->setCurrentIndex(row);
    emit currentPageChanged(static_cast<Page>(row));
}

} // namespace tarn::ui
