// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/routing/PoolView.h"

#include <QWidget>

#include <optional>

class QLabel;
class QSlider;
class QSpinBox;

namespace tarn::ui {

// One channel of a pool on the routing page: its weight slider with the share of its tier beside
// it, the share it really got in the last hour, its live state and its priority. The row can be
// dragged by its grip onto another tier of its pool, or moved a tier with Alt+Up / Alt+Down.
class ChannelWeightRow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelWeightRow)

public:
    static constexpr int kMaxSliderWeight = 100;

    ChannelWeightRow(const QString &pool, const PoolMemberView &member, QWidget *parent = nullptr);

    qint64 channelId() const { return m_channelId; }
    QString channelName() const { return m_name; }
    // The weight as the user set it (the stored one until the slider moves; may be fractional).
    double weight() const { return m_weight; }
    int priority() const;
    bool isDragging() const;

    // Shows a weight that changed elsewhere, without reporting it as an edit.
    void setStoredWeight(double weight);
    void setShare(std::optional<double> share, bool weighted);
    void setObserved(std::optional<double> share);
    void setState(const QString &text, const QString &tooltip);

Q_SIGNALS:
    void weightEdited(qint64 channelId, double weight);
    void priorityEdited(qint64 channelId, int priority);
    // Alt+Up (step -1) or Alt+Down (+1): the user wants the channel one tier higher or lower.
    void tierStepRequested(qint64 channelId, int step);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    QString m_pool;
    QPoint m_pressPos;
    bool m_pressed = false;
    qint64 m_channelId = 0;
    QString m_name;
    double m_weight = 1.0;
    QSlider *m_slider = nullptr;
    QLabel *m_weightValue = nullptr;
    QLabel *m_share = nullptr;
    QLabel *m_observed = nullptr;
    QLabel *m_state = nullptr;
    QSpinBox *m_priority = nullptr;
};

} // namespace tarn::ui
