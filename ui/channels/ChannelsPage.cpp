// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelsPage.h"

#include "ui/channels/BalanceFetcher.h"
#include "ui/channels/ChannelDialog.h"
#include "ui/channels/ChannelTableModel.h"
#include "ui/channels/ChannelTester.h"

#include "gateway/Gateway.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/UsageRepository.h"

#include "ui/PageLayout.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

constexpr int kLiveRefreshMs = 3000;

struct Loaded
{
    QList<Channel> channels;
    QHash<qint64, ChannelUsageTotals> today;
    QString error;
};

} // namespace

ChannelsPage::ChannelsPage(DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_model(new ChannelTableModel(this))
    , m_timer(new QTimer(this))
    , m_balances(new BalanceFetcher(this))
{
    setObjectName(QStringLiteral("channelsPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Channels"),
        tr("Upstream provider accounts: their models, weights, live health and today's traffic."));

    auto *toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("channelsToolbar"));
    auto action = [&](const QString &name, const QString &text, const QKeySequence &shortcut, void (ChannelsPage::*slot)()) {
        QAction *a = toolbar->addAction(text);
        a->setObjectName(name);
        a->setShortcut(shortcut);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    m_add = action(QStringLiteral("addChannelAction"), tr("Add..."), QKeySequence::New, &ChannelsPage::addChannel);
    m_edit = action(QStringLiteral("editChannelAction"), tr("Edit..."), QKeySequence(Qt::Key_Return), &ChannelsPage::editChannel);
    m_duplicate = action(QStringLiteral("duplicateChannelAction"), tr("Duplicate..."), QKeySequence(Qt::CTRL | Qt::Key_D),
                         &ChannelsPage::duplicateChannel);
    m_toggle = action(QStringLiteral("toggleChannelAction"), tr("Disable"), QKeySequence(Qt::CTRL | Qt::Key_E),
                      &ChannelsPage::toggleChannel);
    m_delete = action(QStringLiteral("deleteChannelAction"), tr("Delete"), QKeySequence::Delete, &ChannelsPage::deleteChannel);
    m_test = action(QStringLiteral("testChannelAction"), tr("Test"), QKeySequence(Qt::CTRL | Qt::Key_T), &ChannelsPage::testChannel);
    toolbar->addSeparator();
    action(QStringLiteral("checkBalancesAction"), tr("Check balances and quotas"), QKeySequence(Qt::CTRL | Qt::Key_B),
           &ChannelsPage::checkBalances);
    layout->addWidget(toolbar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("channelTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    // One line per channel: long cells elide (their tooltips hold the whole text).
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(ChannelTableModel::Models, QHeaderView::Stretch);
    // A quota line is long; sized to its contents (or even to its first window with the reset
    // time) it squeezed the models to a letter in the default window. Its first window's use fits,
    // the rest is in the tooltip (and the user may widen the column).
    m_view->horizontalHeader()->setSectionResizeMode(ChannelTableModel::Balance, QHeaderView::Interactive);
    m_view->horizontalHeader()->resizeSection(
        ChannelTableModel::Balance, m_view->fontMetrics().horizontalAdvance(QStringLiteral("5 h: 100 % used")) + 24);
    layout->addWidget(m_view, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("channelsStatusLabel"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_view, &QTableView::doubleClicked, this, &ChannelsPage::editChannel);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ChannelsPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ChannelsPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ChannelsPage::updateActions);
    connect(&m_service, &DesktopService::configurationChanged, this, &ChannelsPage::refresh);
    // Live state (cooldowns, latency) moves on its own; poll it only while someone can see it.
    m_timer->setInterval(kLiveRefreshMs);
    connect(m_timer, &QTimer::timeout, this, &ChannelsPage::refresh);
    connect(m_balances, &BalanceFetcher::finished, m_model, &ChannelTableModel::setBalance);

    updateActions();
    refresh();
}

ChannelsPage::~ChannelsPage() = default;

void ChannelsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_timer->start();
    refresh();
}

void ChannelsPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void ChannelsPage::refresh()
{
    // One read at a time: a slow store must not pile up reads behind the timer.
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    // "Today" is the user's calendar day.
    const QDateTime since = QDateTime(QDate::currentDate(), QTime(0, 0)).toUTC();
    m_service.run<Loaded>(
        this,
        [since](Database &db) {
            Loaded loaded;
            Result<QList<Channel>> channels = ChannelRepository(db).list();
            if (!channels) {
                loaded.error = channels.error().message;
                return loaded;
            }
            loaded.channels = std::move(*channels);
            if (auto today = UsageRepository(db).channelTotalsSince(since))
                loaded.today = std::move(*today);
            return loaded;
        },
        [this](Loaded loaded) {
            m_refreshing = false;
            if (!loaded.error.isEmpty()) {
                m_status->setText(tr("Cannot read the channels: %1").arg(loaded.error));
            } else {
                const Channel *selected = selectedChannel();
                const QString keep = !m_selectAfterRefresh.isEmpty() ? m_selectAfterRefresh
                                                                     : (selected ? selected->name : QString());
                m_selectAfterRefresh.clear();
                m_model->update(loaded.channels, loaded.today, m_service.gateway().routerStatus());
                if (!keep.isEmpty() && (!selectedChannel() || selectedChannel()->name != keep))
                    selectChannel(keep);
            }
            if (std::exchange(m_refreshAgain, false))
                refresh();
        });
}

const Channel *ChannelsPage::selectedChannel() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? nullptr : m_model->channelAt(rows.first().row());
}

void ChannelsPage::selectChannel(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row >= 0)
        m_view->selectRow(row);
}

void ChannelsPage::updateActions()
{
    const Channel *c = selectedChannel();
    for (QAction *a : {m_edit, m_duplicate, m_toggle, m_delete, m_test})
        a->setEnabled(c != nullptr);
    m_toggle->setText(c && !c->enabled ? tr("Enable") : tr("Disable"));
    m_test->setEnabled(c && !c->keys.isEmpty());
}

void ChannelsPage::openDialog(const Channel &channel)
{
    QStringList taken;
    for (int row = 0; row < m_model->rowCount(); ++row)
        taken << m_model->channelAt(row)->name;
    auto *dialog = new ChannelDialog(m_service, channel, taken, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ChannelDialog::saved, this, [this](const QString &name) {
        m_selectAfterRefresh = name;
        m_status->setText(tr("Saved channel %1.").arg(name));
        refresh();
    });
    // open(), not exec(): the page keeps refreshing while the dialog is up.
    dialog->open();
}

void ChannelsPage::addChannel()
{
    openDialog(Channel{});
}

void ChannelsPage::editChannel()
{
    if (const Channel *c = selectedChannel())
        openDialog(*c);
}

void ChannelsPage::duplicateChannel()
{
    const Channel *selected = selectedChannel();
    if (!selected)
        return;
    // A copy is a new channel: no id, a free name, none of the original's learned state.
    Channel copy = *selected;
    copy.id = 0;
    copy.disabledKeys.clear();
    copy.learned.clear();
    const QString base = selected->name + QStringLiteral("-copy");
    copy.name = base;
    for (int n = 2; m_model->rowOf(copy.name) >= 0; ++n)
        copy.name = base + QString::number(n);
    openDialog(copy);
}

void ChannelsPage::toggleChannel()
{
    const Channel *c = selectedChannel();
    if (!c)
        return;
    const QString name = c->name;
    const bool enable = !c->enabled;
    write([name, enable](Database &db) { return ChannelRepository(db).setEnabled(name, enable); });
}

void ChannelsPage::deleteChannel()
{
    const Channel *c = selectedChannel();
    if (!c)
        return;
    const QString name = c->name;
    const auto answer = QMessageBox::question(
        this, tr("Delete channel"),
        tr("Delete the channel '%1'? Its keys and learned state are removed; its usage history stays.").arg(name),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes)
        return;
    write([name](Database &db) { return ChannelRepository(db).remove(name); });
}

void ChannelsPage::testChannel()
{
    const Channel *c = selectedChannel();
    if (!c)
        return;
    const qint64 id = c->id;
    const QString name = c->name;
    m_status->setText(tr("Testing %1...").arg(name));
    testSavedChannel(m_service, this, id, [this, id, name](const ChannelTestOutcome &outcome) {
        m_model->setTestResult(id, outcome.latencyMs, outcome.error);
        m_status->setText(tr("%1: %2").arg(name, testOutcomeText(outcome)));
    });
}

void ChannelsPage::checkBalances()
{
    // Only on request: it sends each key to its provider's account endpoint.
    int asked = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const Channel &c = *m_model->channelAt(row);
        const auto query = BalanceFetcher::queryFor(c);
        if (!query)
            continue;
        m_model->setBalance(c.id, tr("checking..."), {});
        m_balances->fetch(c.id, *query, c.keys.first());
        ++asked;
    }
    m_status->setText(asked ? tr("Asking %n provider(s) for the balance or quota...", nullptr, asked)
                            : tr("None of these providers reports a balance or quota (DeepSeek, SiliconFlow, OpenRouter, "
                                 "Moonshot and the Kimi, Zhipu / Z.ai and MiniMax coding plans do)."));
}

void ChannelsPage::write(std::function<Status(Database &)> work)
{
    m_service.run<Status>(this, std::move(work), [this](const Status &status) {
        if (!status) {
            m_status->setText(status.error().message);
            return;
        }
        m_service.applyConfiguration();
        refresh();
    });
}

} // namespace tarn::ui
