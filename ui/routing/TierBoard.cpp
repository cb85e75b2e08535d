// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/routing/TierBoard.h"

#include <QDragEnterEvent>
#include <QDragLeaveEvent>
#include <QDragMoveEvent>
#include <QDropEvent>
#include <QLabel>
#include <QMimeData>
#include <QVBoxLayout>

namespace tarn::ui {

namespace {

constexpr int kGapHeight = 14;

} // namespace

TierBoard::TierBoard(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("tierBoard"));
    setAcceptDrops(true);
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(0);
    m_layout->addStretch(1);
}

TierBoard::~TierBoard() = default;

QString TierBoard::mimeType()
{
    return QStringLiteral("application/x-tarn-pool-channel");
}

QMimeData *TierBoard::createMimeData(const QString &pool, qint64 channelId)
{
    auto *mime = new QMimeData;
    mime->setData(mimeType(), (pool + u'\n' + QString::number(channelId)).toUtf8());
    return mime;
}

void TierBoard::setPool(const QString &pool)
{
    m_pool = pool;
}

void TierBoard::setMovesAnything(std::function<bool(qint64, TierDrop)> movesAnything)
{
    m_movesAnything = std::move(movesAnything);
}

void TierBoard::setTiers(const QList<QWidget *> &tiers, QWidget *emptyMessage)
{
    m_highlighted.reset();
    // Everything but the trailing stretch goes: the pool or its tiers changed shape.
    while (m_layout->count() > 1) {
        QLayoutItem *item = m_layout->takeAt(0);
        delete item->widget();
        delete item;
    }
    m_tiers = tiers;
    m_gaps.clear();
    if (tiers.isEmpty()) {
        if (emptyMessage)
            m_layout->insertWidget(0, emptyMessage);
        return;
    }
    const auto addGap = [this] {
        auto *gap = new QLabel(this);
        gap->setObjectName(QStringLiteral("tierGap:%1").arg(m_gaps.size()));
        gap->setAlignment(Qt::AlignCenter);
        gap->setMinimumHeight(kGapHeight);
        gap->setForegroundRole(QPalette::Highlight);
        m_layout->insertWidget(m_layout->count() - 1, gap);
        m_gaps.append(gap);
    };
    for (QWidget *tier : tiers) {
        addGap();
        tier->setParent(this);
        tier->setAutoFillBackground(true);
        m_layout->insertWidget(m_layout->count() - 1, tier);
    }
    addGap();
}

std::optional<TierDrop> TierBoard::dropAt(const QPoint &pos) const
{
    if (m_tiers.isEmpty() || !rect().contains(pos))
        return std::nullopt;
    // Gaps and tiers alternate from the top; the space below the last tier is its gap too.
    for (int i = 0; i < m_tiers.size(); ++i) {
        if (pos.y() < m_gaps.at(i)->geometry().bottom() + 1)
            return TierDrop{i, true};
        if (pos.y() < m_tiers.at(i)->geometry().bottom() + 1)
            return TierDrop{i, false};
    }
    return TierDrop{int(m_tiers.size()), true};
}

QWidget *TierBoard::gap(int index) const
{
    return index >= 0 && index < m_gaps.size() ? m_gaps.at(index) : nullptr;
}

QWidget *TierBoard::tier(int index) const
{
    return index >= 0 && index < m_tiers.size() ? m_tiers.at(index) : nullptr;
}

std::optional<qint64> TierBoard::acceptedChannel(const QMimeData *mime) const
{
    if (!mime || !mime->hasFormat(mimeType()))
        return std::nullopt;
    const QStringList parts = QString::fromUtf8(mime->data(mimeType())).split(u'\n');
    bool ok = false;
    const qint64 id = parts.size() == 2 ? parts.at(1).toLongLong(&ok) : 0;
    // A channel serving several models is in several pools: it may only be dropped on the one it
    // was picked up from, where its tiers are the ones shown.
    if (!ok || parts.at(0) != m_pool)
        return std::nullopt;
    return id;
}

std::optional<TierDrop> TierBoard::usefulDropAt(const QMimeData *mime, const QPoint &pos) const
{
    const std::optional<qint64> channel = acceptedChannel(mime);
    const std::optional<TierDrop> drop = channel ? dropAt(pos) : std::nullopt;
    if (drop && m_movesAnything && !m_movesAnything(*channel, *drop))
        return std::nullopt;
    return drop;
}

void TierBoard::dragEnterEvent(QDragEnterEvent *event)
{
    if (!acceptedChannel(event->mimeData())) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::MoveAction);
    event->accept();
}

void TierBoard::dragMoveEvent(QDragMoveEvent *event)
{
    const std::optional<TierDrop> drop = usefulDropAt(event->mimeData(), event->position().toPoint());
    highlight(drop);
    if (!drop) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::MoveAction);
    event->accept();
}

void TierBoard::dragLeaveEvent(QDragLeaveEvent *event)
{
    highlight(std::nullopt);
    QWidget::dragLeaveEvent(event);
}

void TierBoard::dropEvent(QDropEvent *event)
{
    highlight(std::nullopt);
    const std::optional<TierDrop> drop = usefulDropAt(event->mimeData(), event->position().toPoint());
    if (!drop) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::MoveAction);
    event->accept();
    Q_EMIT channelDropped(*acceptedChannel(event->mimeData()), *drop);
}

void TierBoard::highlight(std::optional<TierDrop> drop)
{
    if (drop == m_highlighted)
        return;
    const auto paint = [this](const TierDrop &target, bool on) {
        if (target.newTier) {
            if (QLabel *gap = m_gaps.value(target.index))
                gap->setText(on ? tr("▬▬  New priority tier here  ▬▬") : QString());
        } else if (QWidget *tier = m_tiers.value(target.index)) {
            tier->setBackgroundRole(on ? QPalette::AlternateBase : QPalette::Window);
        }
    };
    if (m_highlighted)
        paint(*m_highlighted, false);
    m_highlighted = drop;
    if (drop)
        paint(*drop, true);
}

} // namespace tarn::ui
