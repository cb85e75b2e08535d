// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/routing/PoolView.h"

#include <QList>
#include <QPointer>
#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QMimeData;
class QVBoxLayout;

namespace tarn::ui {

// The priority tiers of one pool, highest first, with a gap above, between and below them. A
// channel row dragged onto a tier joins it; dropped into a gap, it gets a new tier there. The
// board only says where a channel was dropped; the page decides the priorities.
class TierBoard final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TierBoard)

public:
    explicit TierBoard(QWidget *parent = nullptr);
    ~TierBoard() override;

    // What a channel row carries while dragged: its pool and its id.
    static QString mimeType();
    static QMimeData *createMimeData(const QString &pool, qint64 channelId);

    // Drags of other pools' channels are refused.
    void setPool(const QString &pool);
    // Says whether dropping the channel there would change anything; where it would not, the
    // board shows no target and refuses the drop.
    void setMovesAnything(std::function<bool(qint64 channelId, TierDrop drop)> movesAnything);
    // Replaces the content: the tiers' widgets (highest first; the board takes them), or, with no
    // tier, a message instead.
    void setTiers(const QList<QWidget *> &tiers, QWidget *emptyMessage = nullptr);

    // Where a drop at pos (board coordinates) would land; nullopt outside any tier or gap.
    std::optional<TierDrop> dropAt(const QPoint &pos) const;
    // The gap before tier index (tiers.size(): after the last), for tests and the drop indicator.
    QWidget *gap(int index) const;
    QWidget *tier(int index) const;
    int tierCount() const { return int(m_tiers.size()); }

Q_SIGNALS:
    void channelDropped(qint64 channelId, tarn::ui::TierDrop drop);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    std::optional<qint64> acceptedChannel(const QMimeData *mime) const;
    std::optional<TierDrop> usefulDropAt(const QMimeData *mime, const QPoint &pos) const;
    void highlight(std::optional<TierDrop> drop);

    QVBoxLayout *m_layout = nullptr;
    QString m_pool;
    std::function<bool(qint64, TierDrop)> m_movesAnything;
    QList<QWidget *> m_tiers;
    QList<QLabel *> m_gaps;
    std::optional<TierDrop> m_highlighted;
};

} // namespace tarn::ui
