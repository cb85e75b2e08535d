// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/routing/PoolView.h"

#include <QHash>
#include <QSet>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QTimer;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class ChannelWeightRow;
class TierBoard;

// The Routing page: per model pool, its channels by priority tier with a weight slider each, the
// share of its tier those weights give, and the share it really got in the last hour; the pool's
// strategy and stickiness. Edits are written (debounced while dragging) and applied to the
// running router at once. A channel's priority is set by its spin box, by dragging its row onto
// another tier (or between tiers, for a new one) or with Alt+Up / Alt+Down.
class RoutingPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingPage)

public:
    // How long a slider or spin box must rest before its value is written.
    static constexpr int kSaveDelayMs = 250;
    static constexpr int kObservedRefreshMs = 5000;

    explicit RoutingPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~RoutingPage() override;

    QString currentPool() const;
    // Shows the pool of model if there is one.
    void selectPool(const QString &model);

public Q_SLOTS:
    // Reads the pools again and the observed shares of the last hour (F5).
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    struct PendingEdit
    {
        std::optional<double> weight;
        std::optional<int> priority;
    };

    void reloadPools();
    void showPool(const QString &model);
    void rebuildTiers(const QList<PoolTierView> &tiers);
    void syncWeights(const QList<PoolTierView> &tiers);
    void updateShares();
    void updateStates();
    void onWeightEdited(qint64 channelId, double weight);
    void onPriorityEdited(qint64 channelId, int priority);
    void onChannelDropped(qint64 channelId, TierDrop drop);
    void onTierStepRequested(qint64 channelId, int step);
    void savePending();
    void savePoolSettings();
    void refreshObserved();

    gateway::DesktopService &m_service;
    QComboBox *m_poolCombo = nullptr;
    QComboBox *m_strategyCombo = nullptr;
    QCheckBox *m_stickyCheck = nullptr;
    QLabel *m_strategyNote = nullptr;
    QLabel *m_message = nullptr;
    TierBoard *m_board = nullptr;
    QList<PoolTierView> m_shownTiers;
    qint64 m_refocusChannel = 0; // moved by the keyboard: its slider gets the focus back
    QList<QList<ChannelWeightRow *>> m_tiers;
    QHash<qint64, ChannelWeightRow *> m_rows;
    QString m_structureKey;
    QHash<qint64, PendingEdit> m_pending;
    QSet<qint64> m_inFlight;
    QTimer *m_saveTimer = nullptr;
    QTimer *m_observedTimer = nullptr;
    ObservedShares m_observed;
};

} // namespace tarn::ui
