// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

class QFontMetrics;
class QTableView;
class QTimer;

namespace tarn::ui {

// Sizes the request log's columns to its view. The columns whose text is bounded (time, status
// code, token counts, durations, client format) get their widest loaded cell or their header,
// whichever is wider, so none is ever cut; the free-text ones (client, model → channel, attempts)
// share what is left so that as many as fit show whole, the others eliding (in the middle; a route
// keeps its channel; the tooltips and the page's details pane have the whole text). Refits when rows arrive and when the view is resized.
class RequestLogColumns final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestLogColumns)

public:
    // Parented to view; view must already have its RequestLogModel.
    explicit RequestLogColumns(QTableView *view);
    ~RequestLogColumns() override;

    // "model → channel" in width: the channel is what the column is read for, so the model elides
    // first (in its middle: model names differ at their ends), then the channel at its end.
    static QString elideRoute(const QString &route, const QFontMetrics &metrics, int width);

    // The width column's cells and header need to be read whole.
    [[nodiscard]] int neededWidth(int column) const;
    void fit();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void scheduleFit();

    QTableView *m_view = nullptr;
    // Kept apart from m_view: while the view is being destroyed it is no longer a scroll area,
    // so asking it for its viewport in the event filter would be undefined behaviour.
    QObject *m_viewport = nullptr;
    QTimer *m_fitTimer = nullptr;
};

} // namespace tarn::ui
