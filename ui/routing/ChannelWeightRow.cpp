// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/routing/ChannelWeightRow.h"

#include "ui/routing/TierBoard.h"

#include <QApplication>
#include <QDrag>
#include <QMouseEvent>
#include <QShortcut>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

#include <cmath>

namespace tarn::ui {

ChannelWeightRow::ChannelWeightRow(const QString &pool, const PoolMemberView &member, QWidget *parent)
    : QWidget(parent)
    , m_pool(pool)
    , m_channelId(member.channelId)
    , m_name(member.name)
    , m_weight(member.weight)
{
    setObjectName(QStringLiteral("channelRow:") + member.name);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    // The grip says the row can be dragged; a press anywhere on the row's labels starts the drag.
    auto *grip = new QLabel(QStringLiteral("⠿"), this);
    grip->setObjectName(QStringLiteral("grip:") + member.name);
    grip->setCursor(Qt::OpenHandCursor);
    grip->setToolTip(tr("Drag onto another priority tier, or between tiers for a new one (Alt+Up / Alt+Down)"));
    auto *name = new QLabel(member.name, this);
    name->setMinimumWidth(110);
    if (!member.upstreamModel.isEmpty())
        name->setToolTip(tr("Sends %1 upstream").arg(member.upstreamModel));
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("state:") + member.name);
    m_state->setMinimumWidth(80);

    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("weight:") + member.name);
    m_slider->setAccessibleName(tr("Weight of %1").arg(member.name));
    m_slider->setMinimumWidth(110);
    // The weight itself, beside the slider it is set with (it was only in the slider's tooltip).
    m_weightValue = new QLabel(this);
    m_weightValue->setObjectName(QStringLiteral("weightValue:") + member.name);
    m_weightValue->setMinimumWidth(m_weightValue->fontMetrics().horizontalAdvance(QStringLiteral("000")));
    m_weightValue->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_weightValue->setToolTip(tr("Weight: this channel's part of its tier's traffic against the others'"));
    setStoredWeight(member.weight);

    m_share = new QLabel(this);
    m_share->setObjectName(QStringLiteral("share:") + member.name);
    m_share->setMinimumWidth(90);
    m_share->setToolTip(tr("Share of this priority tier with the weights as set"));
    m_observed = new QLabel(this);
    m_observed->setObjectName(QStringLiteral("observed:") + member.name);
    m_observed->setMinimumWidth(110);
    m_observed->setToolTip(tr("Share of the pool's requests this channel served in the last hour"));

    m_priority = new QSpinBox(this);
    m_priority->setObjectName(QStringLiteral("priority:") + member.name);
    m_priority->setAccessibleName(tr("Priority of %1").arg(member.name));
    m_priority->setRange(-1000, 1000);
    m_priority->setValue(member.priority);
    m_priority->setToolTip(tr("Higher tiers are tried first; lower ones take failover"));

    layout->addWidget(grip);
    layout->addWidget(name);
    layout->addWidget(m_state);
    layout->addWidget(new QLabel(tr("Weight"), this));
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_weightValue);
    layout->addSpacing(8);
    layout->addWidget(m_share);
    layout->addWidget(m_observed);
    layout->addWidget(new QLabel(tr("Priority"), this));
    layout->addWidget(m_priority);

    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        m_weight = value;
        m_weightValue->setText(QString::number(value));
        Q_EMIT weightEdited(m_channelId, m_weight);
    });
    connect(m_priority, &QSpinBox::valueChanged, this, [this](int value) { Q_EMIT priorityEdited(m_channelId, value); });

    // Whichever of the row's controls has focus, Alt+Up/Down moves the row (the keyboard's drag).
    const auto addStep = [this](QKeyCombination keys, int step) {
        auto *shortcut = new QShortcut(QKeySequence(keys), this);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        connect(shortcut, &QShortcut::activated, this, [this, step] { Q_EMIT tierStepRequested(m_channelId, step); });
    };
    addStep(Qt::ALT | Qt::Key_Up, -1);
    addStep(Qt::ALT | Qt::Key_Down, 1);
}

void ChannelWeightRow::mousePressEvent(QMouseEvent *event)
{
    m_pressed = event->button() == Qt::LeftButton;
    m_pressPos = event->position().toPoint();
    QWidget::mousePressEvent(event);
}

void ChannelWeightRow::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_pressed || !(event->buttons() & Qt::LeftButton)
        || (event->position().toPoint() - m_pressPos).manhattanLength() < QApplication::startDragDistance()) {
        QWidget::mouseMoveEvent(event);
        return;
    }
    m_pressed = false;
    // The drag belongs to the window: the drop rebuilds the tiers, this row included.
    auto *drag = new QDrag(window());
    drag->setMimeData(TierBoard::createMimeData(m_pool, m_channelId));
    drag->setPixmap(grab());
    drag->setHotSpot(m_pressPos);
    drag->exec(Qt::MoveAction); // nothing of this row may be touched after it returns
}

int ChannelWeightRow::priority() const
{
    return m_priority->value();
}

bool ChannelWeightRow::isDragging() const
{
    return m_slider->isSliderDown();
}

void ChannelWeightRow::setStoredWeight(double weight)
{
    m_weight = weight;
    const QSignalBlocker block(m_slider);
    // A weight set above the slider's range (from the command line) widens it rather than being
    // clamped the moment the user touches the slider.
    m_slider->setRange(0, std::max(kMaxSliderWeight, int(std::ceil(weight))));
    m_slider->setValue(int(std::lround(weight)));
    m_slider->setToolTip(tr("Weight %1").arg(weight));
    m_weightValue->setText(QLocale().toString(weight));
}

void ChannelWeightRow::setShare(std::optional<double> share, bool weighted)
{
    if (!share)
        m_share->setText(tr("last resort"));
    else if (!weighted)
        m_share->setText(QStringLiteral("–"));
    else
        m_share->setText(percentText(*share));
    m_share->setAccessibleName(tr("Share of its tier: %1").arg(m_share->text()));
}

void ChannelWeightRow::setObserved(std::optional<double> share)
{
    m_observed->setText(share ? tr("%1 last hour").arg(percentText(*share)) : tr("no traffic"));
}

void ChannelWeightRow::setState(const QString &text, const QString &tooltip)
{
    m_state->setText(text);
    m_state->setToolTip(tooltip);
}

} // namespace tarn::ui
