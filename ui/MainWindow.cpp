// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/MainWindow.h"

#include "ui/channels/ChannelsPage.h"
#include "ui/connect/ConnectDialog.h"
#include "ui/logs/LogsPage.h"
#include "ui/overview/OverviewPage.h"
#include "ui/routing/RoutingPage.h"
#include "ui/settings/SettingsPage.h"
#include "ui/usage/UsagePage.h"

#include "gateway/Gateway.h"
#include "gateway/desktop/DesktopService.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QKeySequence>
#include <QMetaEnum>
#include <QSettings>
#include <QHBoxLayout>
#include <QIcon>
#include <QPainter>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>

namespace tarn::ui {

namespace {

const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kMaximizedKey = QStringLiteral("window/maximized");
const QString kPageKey = QStringLiteral("window/page");

} // namespace

MainWindow::MainWindow(gateway::DesktopService &service, QWidget *parent)
    : QMainWindow(parent)
    , m_service(service)
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
    connect(m_settingsPage, &SettingsPage::connectRequested, this, &MainWindow::openConnectDialog);
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
    addShortcuts();
    // The window's own state lives beside the store, never in the user's home, so tests (each with
    // a data dir of its own) and several Tarn data dirs keep theirs apart.
    if (const QString dataDir = service.gateway().options().dataDir; !dataDir.isEmpty()) {
        m_uiState = std::make_unique<QSettings>(QDir(dataDir).filePath(QStringLiteral("ui.ini")), QSettings::IniFormat);
        restoreUiState();
    }
}

MainWindow::~MainWindow()
{
    saveUiState();
}

void MainWindow::addShortcuts()
{
    const auto add = [this](const QString &name, const QString &text, const QList<QKeySequence> &keys, auto handler) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, handler);
        addAction(action);
        return action;
    };
    for (int row = 0; row < m_navigation->count(); ++row) {
        QListWidgetItem *item = m_navigation->item(row);
        const QKeySequence key(QKeyCombination(Qt::CTRL, Qt::Key(Qt::Key_1 + row)));
        add(QStringLiteral("showPage%1").arg(row + 1), item->text(), {key},
            [this, row] { showPage(static_cast<Page>(row)); });
        item->setToolTip(tr("%1 (%2)").arg(item->text(), key.toString(QKeySequence::NativeText)));
    }
    add(QStringLiteral("refreshPage"), tr("Refresh"), {QKeySequence(Qt::Key_F5)}, &MainWindow::refreshCurrentPage);
    // Dialogs are windows of their own, so Esc there still closes the dialog, not this window.
    add(QStringLiteral("hideWindow"), tr("Hide window"),
        {QKeySequence(QKeyCombination(Qt::CTRL, Qt::Key_W)), QKeySequence(Qt::Key_Escape)}, &MainWindow::hideWindow);
    add(QStringLiteral("quit"), tr("Quit Tarn"), {QKeySequence(QKeyCombination(Qt::CTRL, Qt::Key_Q))},
        [this] { Q_EMIT quitRequested(); });
    m_listenStatus->setToolTip(tr("F5 refreshes the page; Ctrl+W or Esc hides the window, Tarn keeps serving; "
                                  "Ctrl+Q quits"));
}

void MainWindow::hideWindow()
{
    saveUiState();
    if (m_closeHidesToTray)
        hide();
    else
        showMinimized();
}

ConnectDialog *MainWindow::openConnectDialog()
{
    if (!m_connectDialog) {
        m_connectDialog = new ConnectDialog(m_service, gateway::connect::agentHomeFromEnvironment(), this);
        m_connectDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_connectDialog->show();
    m_connectDialog->raise();
    m_connectDialog->activateWindow();
    return m_connectDialog;
}

void MainWindow::refreshCurrentPage()
{
    switch (currentPage()) {
    case Page::Overview: m_overviewPage->refresh(); break;
    case Page::Channels: m_channelsPage->refresh(); break;
    case Page::Routing: m_routingPage->refresh(); break;
    case Page::Usage: m_usagePage->refresh(); break;
    case Page::Logs: m_logsPage->refresh(); break;
    case Page::Settings: m_settingsPage->reload(); break;
    }
}

void MainWindow::saveUiState() const
{
    if (!m_uiState)
        return;
    m_uiState->setValue(kGeometryKey, saveGeometry());
    m_uiState->setValue(kMaximizedKey, isMaximized());
    m_uiState->setValue(kPageKey, QString::fromLatin1(QMetaEnum::fromType<Page>().valueToKey(int(currentPage()))));
    m_uiState->sync();
}

void MainWindow::restoreUiState()
{
    if (const QByteArray geometry = m_uiState->value(kGeometryKey).toByteArray(); !geometry.isEmpty())
        restoreGeometry(geometry);
    if (m_uiState->value(kMaximizedKey, false).toBool())
        setWindowState(windowState() | Qt::WindowMaximized);
    // By name, so a page added later does not shift what was saved.
    bool known = false;
    const QByteArray page = m_uiState->value(kPageKey).toString().toLatin1();
    const int value = QMetaEnum::fromType<Page>().keyToValue(page.constData(), &known);
    if (known && value >= 0 && value < m_pages->count())
        showPage(static_cast<Page>(value));
}

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

void MainWindow::hideEvent(QHideEvent *event)
{
    QMainWindow::hideEvent(event);
    saveUiState();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveUiState();
    // At logout the session manager closes the windows: refusing would hold up (or cancel) the
    // session's end.
    if (m_closeHidesToTray && !m_quitting && !qApp->isSavingSession()) {
        // The gateway keeps serving; the tray icon brings the window back.
        event->ignore();
        hide();
        return;
    }
    event->accept();
    Q_EMIT quitRequested();
}

namespace {

// source's shape, filled with color (the icons are one-colour line art).
QPixmap tinted(QPixmap source, const QColor &color)
{
    QPainter painter(&source);
    painter.setCompositionMode(QPainter::CompositionMode_SourceIn);
    painter.fillRect(QRectF(0, 0, source.width(), source.height()), color);
    return source;
}

} // namespace

void MainWindow::addPage(QWidget *page, const QString &label, const QString &iconName)
{
    auto *item = new QListWidgetItem(label, m_navigation);
    item->setData(Qt::UserRole, iconName);
    item->setSizeHint(QSize(0, 36));
    m_pages->addWidget(page);
    updateNavigationIcons();
}

void MainWindow::updateNavigationIcons()
{
    // The window's: it reaches this event before its children have taken the new palette.
    const QPalette palette = this->palette();
    const bool dark = palette.color(QPalette::Window).lightnessF() < 0.5;
    const qreal ratio = devicePixelRatioF();
    for (int row = 0; row < m_navigation->count(); ++row) {
        QListWidgetItem *item = m_navigation->item(row);
        const QString path = QStringLiteral(":/tarn/icons/%1.svg").arg(item->data(Qt::UserRole).toString());
        const QPixmap drawn = QIcon(path).pixmap(m_navigation->iconSize(), ratio);
        QIcon icon;
        // The brand colour on a light palette; the text colour on a dark one, where it is dim.
        icon.addPixmap(dark ? tinted(drawn, palette.color(QPalette::WindowText)) : drawn, QIcon::Normal);
        icon.addPixmap(tinted(drawn, palette.color(QPalette::HighlightedText)), QIcon::Selected);
        item->setIcon(icon);
    }
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange
        || event->type() == QEvent::StyleChange)
        updateNavigationIcons();
}

void MainWindow::onNavigationRowChanged(int row)
{
    if (row < 0 || row >= m_pages->count())
        return;
    m_pages->setCurrentIndex(row);
    Q_EMIT currentPageChanged(static_cast<Page>(row));
}

} // namespace tarn::ui
