// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QWidget>

namespace tarn::ui {

// Requests by weekday and hour of day as a 7 × 24 grid of shaded cells: when the pool is busy.
class HeatmapWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeatmapWidget)

public:
    explicit HeatmapWidget(QWidget *parent = nullptr);

    void setHeatmap(const gateway::UsageHeatmap &heatmap);
    const gateway::UsageHeatmap &heatmap() const { return m_heatmap; }
    qint64 maximum() const { return m_maximum; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRect gridRect() const;

    gateway::UsageHeatmap m_heatmap{};
    qint64 m_maximum = 0;
};

} // namespace tarn::ui
