// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/HeatmapWidget.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

namespace tarn::ui {

namespace {
constexpr int LabelWidth = 36;
constexpr int LabelHeight = 16;
} // namespace

HeatmapWidget::HeatmapWidget(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("usageHeatmap"));
    setAccessibleName(tr("Requests by weekday and hour"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void HeatmapWidget::setHeatmap(const gateway::UsageHeatmap &heatmap)
{
    m_heatmap = heatmap;
    m_maximum = 0;
    for (const auto &day : m_heatmap)
        m_maximum = std::max(m_maximum, *std::max_element(day.begin(), day.end()));
    setAccessibleDescription(tr("Busiest hour: %1 requests").arg(m_maximum));
    update();
}

QSize HeatmapWidget::sizeHint() const { return {LabelWidth + 24 * 22, LabelHeight + 7 * 20}; }
QSize HeatmapWidget::minimumSizeHint() const { return {LabelWidth + 24 * 8, LabelHeight + 7 * 10}; }

QRect HeatmapWidget::gridRect() const
{
    return rect().adjusted(LabelWidth, LabelHeight, -1, -1);
}

void HeatmapWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QRect grid = gridRect();
    const double cellW = double(grid.width()) / 24.0;
    const double cellH = double(grid.height()) / 7.0;
    const QColor base = palette().color(QPalette::Base);
    const QColor hot = palette().color(QPalette::Highlight);
    painter.setPen(palette().color(QPalette::WindowText));
    for (int hour = 0; hour < 24; hour += 3)
        painter.drawText(QRectF(grid.left() + hour * cellW, 0, cellW * 3, LabelHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         QString::number(hour));
    const QLocale locale;
    for (int day = 0; day < 7; ++day) {
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRectF(0, grid.top() + day * cellH, LabelWidth - 4, cellH), Qt::AlignRight | Qt::AlignVCenter,
                         locale.dayName(day + 1, QLocale::ShortFormat));
        for (int hour = 0; hour < 24; ++hour) {
            const double share = m_maximum > 0 ? double(m_heatmap[day][hour]) / double(m_maximum) : 0.0;
            // Blend from the base colour to the highlight so the map follows light and dark themes.
            const QColor cell = QColor::fromRgbF(
                float(base.redF() + (hot.redF() - base.redF()) * share),
                float(base.greenF() + (hot.greenF() - base.greenF()) * share),
                float(base.blueF() + (hot.blueF() - base.blueF()) * share));
            painter.fillRect(QRectF(grid.left() + hour * cellW + 1, grid.top() + day * cellH + 1, cellW - 2, cellH - 2),
                             cell);
        }
    }
}

bool HeatmapWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QRect grid = gridRect();
        if (grid.contains(help->pos()) && grid.width() > 0 && grid.height() > 0) {
            const int hour = std::clamp((help->pos().x() - grid.left()) * 24 / grid.width(), 0, 23);
            const int day = std::clamp((help->pos().y() - grid.top()) * 7 / grid.height(), 0, 6);
            QToolTip::showText(help->globalPos(), tr("%1 %2:00 – %3 requests")
                                                       .arg(QLocale().dayName(day + 1, QLocale::ShortFormat))
                                                       .arg(hour, 2, 10, QLatin1Char('0'))
                                                       .arg(m_heatmap[day][hour]),
                               this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace tarn::ui
