// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/routing/RoutingPage.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/routing/Router.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/PoolRepository.h"

#include "ui/PageLayout.h"
#include "ui/routing/ChannelWeightRow.h"
#include "ui/routing/TierBoard.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

RoutingPage::RoutingPage(DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("routingPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Routing"),
        tr("Every model clients ask for is a pool of the channels serving it. Higher priority tiers are tried first; "
           "inside a tier, traffic splits by weight. Drag a channel onto another tier, or between two for a new "
           "one (Alt+Up / Alt+Down)."));

    auto *controls = new QHBoxLayout;
    m_poolCombo = new QComboBox(this);
    m_poolCombo->setObjectName(QStringLiteral("poolCombo"));
    m_poolCombo->setAccessibleName(tr("Model pool"));
    m_poolCombo->setMinimumContentsLength(24);
    m_strategyCombo = new QComboBox(this);
    m_strategyCombo->setObjectName(QStringLiteral("strategyCombo"));
    m_strategyCombo->setAccessibleName(tr("Strategy"));
    m_strategyCombo->addItem(tr("Weighted"), routingStrategyName(RoutingStrategy::Weighted));
    m_strategyCombo->addItem(tr("Lowest latency"), routingStrategyName(RoutingStrategy::Latency));
    m_strategyCombo->addItem(tr("Cheapest"), routingStrategyName(RoutingStrategy::Cheapest));
    m_stickyCheck = new QCheckBox(tr("Sticky conversations"), this);
    m_stickyCheck->setObjectName(QStringLiteral("stickyCheck"));
    m_stickyCheck->setToolTip(tr("Requests of one conversation keep their channel while it is healthy"));
    controls->addWidget(new QLabel(tr("Pool"), this));
    controls->addWidget(m_poolCombo, 1);
    controls->addSpacing(16);
    controls->addWidget(new QLabel(tr("Strategy"), this));
    controls->addWidget(m_strategyCombo);
    controls->addWidget(m_stickyCheck);
    layout->addLayout(controls);

    m_strategyNote = new QLabel(this);
    m_strategyNote->setObjectName(QStringLiteral("strategyNote"));
    m_strategyNote->setWordWrap(true);
    layout->addWidget(m_strategyNote);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_board = new TierBoard(scroll);
    connect(m_board, &TierBoard::channelDropped, this, &RoutingPage::onChannelDropped);
    m_board->setMovesAnything([this](qint64 channelId, TierDrop drop) {
        return !prioritiesForDrop(m_shownTiers, channelId, drop).isEmpty();
    });
    scroll->setWidget(m_board);
    layout->addWidget(scroll, 1);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("routingMessage"));
    m_message->setWordWrap(true);
    m_message->hide();
    layout->addWidget(m_message);

    m_saveTimer = new QTimer(this);
    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(kSaveDelayMs);
    connect(m_saveTimer, &QTimer::timeout, this, &RoutingPage::savePending);
    m_observedTimer = new QTimer(this);
    m_observedTimer->setInterval(kObservedRefreshMs);
    connect(m_observedTimer, &QTimer::timeout, this, [this] {
        updateStates();
        refreshObserved();
    });

    connect(m_poolCombo, &QComboBox::currentTextChanged, this, [this](const QString &model) {
        m_observed = {};
        showPool(model);
        refreshObserved();
    });
    connect(m_strategyCombo, &QComboBox::currentIndexChanged, this, [this] {
        savePoolSettings();
        updateShares();
    });
    connect(m_stickyCheck, &QCheckBox::toggled, this, &RoutingPage::savePoolSettings);
    connect(&m_service, &DesktopService::configurationChanged, this, &RoutingPage::reloadPools);
    reloadPools();
}

RoutingPage::~RoutingPage() = default;

QString RoutingPage::currentPool() const
{
    return m_poolCombo->currentText();
}

void RoutingPage::selectPool(const QString &model)
{
    if (const int index = m_poolCombo->findText(model); index >= 0)
        m_poolCombo->setCurrentIndex(index);
}

void RoutingPage::refresh()
{
    reloadPools();
    refreshObserved();
}

void RoutingPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_observedTimer->start();
    updateStates();
    refreshObserved();
}

void RoutingPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_observedTimer->stop();
}

void RoutingPage::reloadPools()
{
    const ConfigSnapshot config = m_service.gateway().config().snapshot();
    const QStringList models = Router::servedModels(*config);
    const QString current = m_poolCombo->currentText();
    {
        const QSignalBlocker block(m_poolCombo);
        QStringList shown;
        for (int i = 0; i < m_poolCombo->count(); ++i)
            shown.append(m_poolCombo->itemText(i));
        if (shown != models) {
            m_poolCombo->clear();
            m_poolCombo->addItems(models);
            m_poolCombo->setCurrentIndex(std::max(0, int(models.indexOf(current))));
        }
    }
    if (m_poolCombo->currentText() != current)
        m_observed = {};
    showPool(m_poolCombo->currentText());
}

void RoutingPage::showPool(const QString &model)
{
    const ConfigSnapshot config = m_service.gateway().config().snapshot();
    const PoolSettings settings = config->pools.value(model);
    {
        const QSignalBlocker blockStrategy(m_strategyCombo);
        const QSignalBlocker blockSticky(m_stickyCheck);
        m_strategyCombo->setCurrentIndex(std::max(0, m_strategyCombo->findData(routingStrategyName(settings.strategy))));
        m_stickyCheck->setChecked(settings.sticky);
        m_strategyCombo->setEnabled(!model.isEmpty());
        m_stickyCheck->setEnabled(!model.isEmpty());
    }
    const QList<PoolTierView> tiers = poolTiers(*config, model);
    const QString key = model + u'|' + poolStructureKey(tiers);
    if (key != m_structureKey) {
        m_structureKey = key;
        rebuildTiers(tiers);
    } else {
        syncWeights(tiers);
    }
    updateShares();
    updateStates();
}

void RoutingPage::rebuildTiers(const QList<PoolTierView> &tiers)
{
    m_tiers.clear();
    m_rows.clear();
    m_shownTiers = tiers;
    m_board->setPool(currentPool());
    if (tiers.isEmpty()) {
        auto *empty = new QLabel(tr("No pools yet: no enabled channel serves a model. Add one on the Channels page."),
                                 m_board);
        empty->setObjectName(QStringLiteral("noPools"));
        empty->setWordWrap(true);
        m_board->setTiers({}, empty);
        return;
    }
    QList<QWidget *> boxes;
    for (qsizetype t = 0; t < tiers.size(); ++t) {
        const PoolTierView &tier = tiers.at(t);
        const QString title = t == 0 ? tr("Priority %1").arg(tier.priority)
                                     : tr("Priority %1 (failover)").arg(tier.priority);
        auto *box = new QGroupBox(title, m_board);
        box->setObjectName(QStringLiteral("tier:%1").arg(tier.priority));
        auto *boxLayout = new QVBoxLayout(box);
        QList<ChannelWeightRow *> rows;
        for (const PoolMemberView &member : tier.members) {
            auto *row = new ChannelWeightRow(currentPool(), member, box);
            if (const auto pending = m_pending.value(member.channelId); pending.weight)
                row->setStoredWeight(*pending.weight);
            connect(row, &ChannelWeightRow::weightEdited, this, &RoutingPage::onWeightEdited);
            connect(row, &ChannelWeightRow::priorityEdited, this, &RoutingPage::onPriorityEdited);
            connect(row, &ChannelWeightRow::tierStepRequested, this, &RoutingPage::onTierStepRequested);
            boxLayout->addWidget(row);
            rows.append(row);
            m_rows.insert(member.channelId, row);
        }
        m_tiers.append(rows);
        boxes.append(box);
    }
    m_board->setTiers(boxes);
    if (ChannelWeightRow *row = m_rows.value(std::exchange(m_refocusChannel, 0))) {
        if (auto *slider = row->findChild<QSlider *>())
            slider->setFocus(Qt::ShortcutFocusReason);
    }
}

void RoutingPage::syncWeights(const QList<PoolTierView> &tiers)
{
    for (const PoolTierView &tier : tiers) {
        for (const PoolMemberView &member : tier.members) {
            ChannelWeightRow *row = m_rows.value(member.channelId);
            // A value the user is still editing, or one being written, wins over the snapshot,
            // which may predate it.
            if (!row || row->isDragging() || m_pending.contains(member.channelId) || m_inFlight.contains(member.channelId))
                continue;
            if (row->weight() != member.weight)
                row->setStoredWeight(member.weight);
        }
    }
}

void RoutingPage::updateShares()
{
    const bool weighted = m_strategyCombo->currentData().toString() == routingStrategyName(RoutingStrategy::Weighted);
    m_strategyNote->setText(weighted ? QString()
                                     : tr("This pool orders each tier by %1, not by weight: the weights only matter "
                                          "once it is weighted again.")
                                           .arg(m_strategyCombo->currentText().toLower()));
    m_strategyNote->setVisible(!weighted);
    for (const QList<ChannelWeightRow *> &rows : std::as_const(m_tiers)) {
        QList<double> weights;
        for (const ChannelWeightRow *row : rows)
            weights.append(row->weight());
        const QList<std::optional<double>> shares = tierShares(weights);
        for (qsizetype i = 0; i < rows.size(); ++i)
            rows.at(i)->setShare(shares.at(i), weighted);
    }
    for (ChannelWeightRow *row : std::as_const(m_rows))
        row->setObserved(m_observed.share(row->channelId()));
}

void RoutingPage::updateStates()
{
    if (m_rows.isEmpty())
        return;
    const RouterStatus status = m_service.gateway().routerStatus();
    for (const ChannelStatus &channel : status.channels) {
        ChannelWeightRow *row = m_rows.value(channel.channelId);
        if (!row)
            continue;
        QString text = healthStateName(channel.state);
        if (channel.state != HealthState::Healthy && channel.cooldownUntil.isValid())
            text = tr("%1 until %2").arg(text, QLocale().toString(channel.cooldownUntil.toLocalTime().time(), QLocale::ShortFormat));
        row->setState(text, channel.reason);
    }
}

void RoutingPage::onWeightEdited(qint64 channelId, double weight)
{
    m_pending[channelId].weight = weight;
    updateShares();
    m_saveTimer->start();
}

void RoutingPage::onPriorityEdited(qint64 channelId, int priority)
{
    m_pending[channelId].priority = priority;
    m_saveTimer->start();
}

void RoutingPage::onChannelDropped(qint64 channelId, TierDrop drop)
{
    const QHash<qint64, int> moves = prioritiesForDrop(m_shownTiers, channelId, drop);
    if (moves.isEmpty())
        return;
    for (auto it = moves.cbegin(); it != moves.cend(); ++it)
        m_pending[it.key()].priority = it.value();
    // A drop is a decision, not a value still moving: written and applied at once.
    m_saveTimer->stop();
    savePending();
}

void RoutingPage::onTierStepRequested(qint64 channelId, int step)
{
    if (const std::optional<TierDrop> drop = tierStep(m_shownTiers, channelId, step)) {
        m_refocusChannel = channelId;
        onChannelDropped(channelId, *drop);
    }
}

void RoutingPage::savePending()
{
    if (m_pending.isEmpty())
        return;
    const QHash<qint64, PendingEdit> edits = std::exchange(m_pending, {});
    for (auto it = edits.cbegin(); it != edits.cend(); ++it)
        m_inFlight.insert(it.key());
    m_service.run<QString>(
        this,
        [edits](Database &database) {
            // Read each channel fresh so an edit made elsewhere meanwhile (a key, a model) survives.
            ChannelRepository channels(database);
            Result<QList<Channel>> list = channels.list();
            if (!list)
                return list.error().message;
            for (Channel &channel : *list) {
                const auto edit = edits.constFind(channel.id);
                if (edit == edits.cend())
                    continue;
                if (edit->weight)
                    channel.weight = *edit->weight;
                if (edit->priority)
                    channel.priority = *edit->priority;
                if (const Status s = channels.update(channel); !s)
                    return s.error().message;
            }
            return QString();
        },
        [this, edits](const QString &error) {
            for (auto it = edits.cbegin(); it != edits.cend(); ++it)
                m_inFlight.remove(it.key());
            m_message->setText(error.isEmpty() ? QString() : tr("Could not save the change: %1").arg(error));
            m_message->setVisible(!error.isEmpty());
            m_service.applyConfiguration();
            reloadPools();
        });
}

void RoutingPage::savePoolSettings()
{
    const QString model = currentPool();
    if (model.isEmpty())
        return;
    PoolSettings settings;
    settings.strategy = routingStrategyFromName(m_strategyCombo->currentData().toString()).value_or(RoutingStrategy::Weighted);
    settings.sticky = m_stickyCheck->isChecked();
    m_service.run<QString>(
        this,
        [model, settings](Database &database) {
            const Status s = PoolRepository(database).set(model, settings);
            return s ? QString() : s.error().message;
        },
        [this](const QString &error) {
            m_message->setText(error.isEmpty() ? QString() : tr("Could not save the pool: %1").arg(error));
            m_message->setVisible(!error.isEmpty());
            m_service.applyConfiguration();
        });
}

void RoutingPage::refreshObserved()
{
    const QString model = currentPool();
    if (model.isEmpty() || !isVisible())
        return;
    const QDateTime since = QDateTime::currentDateTimeUtc().addSecs(-3600);
    m_service.runLatest<ObservedShares>(
        this, QStringLiteral("observed"), [model, since](Database &database) { return observedShares(database, model, since); },
        [this, model](const ObservedShares &observed) {
            if (model != currentPool())
                return;
            m_observed = observed;
            updateShares();
        });
}

} // namespace tarn::ui
