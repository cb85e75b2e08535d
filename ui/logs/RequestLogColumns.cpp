// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/logs/RequestLogColumns.h"

#include "ui/logs/RequestLogModel.h"

#include <QApplication>
#include <QEvent>
#include <QFontMetrics>
#include <QHeaderView>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>

#include <algorithm>

namespace tarn::ui {

namespace {

// The status cell is "502 upstream failed": the code is what must show, the error elides at its
// end (the row is tinted and the tooltip has the whole error), and the column is as wide as the code.
class StatusDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt(option);
        initStyleOption(&opt, index);
        opt.text = opt.text.section(u' ', 0, 0);
        const QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
        return style->sizeFromContents(QStyle::CT_ItemViewItem, &opt, QSize(), opt.widget);
    }

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideRight;
    }
};

// The route cell elides its model before its channel (elideRoute).
class RouteDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const QStyle *style = option->widget ? option->widget->style() : QApplication::style();
        // The text rectangle the style leaves inside the cell (its margins on both sides).
        const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, option->widget) + 1;
        option->text = RequestLogColumns::elideRoute(option->text, option->fontMetrics, option->rect.width() - 2 * margin);
    }
};

constexpr int kBoundedColumns[] = {RequestLogModel::Time,    RequestLogModel::Status, RequestLogModel::Tokens,
                                   RequestLogModel::Latency, RequestLogModel::Ttft,   RequestLogModel::Inbound};
// Key names, model → channel routes and failover chains have no bound.
constexpr int kFreeTextColumns[] = {RequestLogModel::Client, RequestLogModel::Route, RequestLogModel::Attempts};

} // namespace

RequestLogColumns::RequestLogColumns(QTableView *view)
    : QObject(view)
    , m_view(view)
{
    m_view->setItemDelegateForColumn(RequestLogModel::Status, new StatusDelegate(m_view));
    m_view->setItemDelegateForColumn(RequestLogModel::Route, new RouteDelegate(m_view));
    // The last column (the client format) takes what is left over; it is sized like the others
    // first, so what is left for the free-text columns leaves it whole.
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_viewport = m_view->viewport();
    m_viewport->installEventFilter(this);

    // Rows arrive a page or a poll at a time: one fit after the burst, not one per signal.
    m_fitTimer = new QTimer(this);
    m_fitTimer->setSingleShot(true);
    m_fitTimer->setInterval(0);
    connect(m_fitTimer, &QTimer::timeout, this, &RequestLogColumns::fit);
    QAbstractItemModel *model = m_view->model();
    connect(model, &QAbstractItemModel::rowsInserted, this, &RequestLogColumns::scheduleFit);
    connect(model, &QAbstractItemModel::modelReset, this, &RequestLogColumns::scheduleFit);
    connect(model, &QAbstractItemModel::dataChanged, this, &RequestLogColumns::scheduleFit);
}

RequestLogColumns::~RequestLogColumns() = default;

QString RequestLogColumns::elideRoute(const QString &route, const QFontMetrics &metrics, int width)
{
    if (metrics.horizontalAdvance(route) <= width)
        return route;
    static const QString arrow = QStringLiteral(" → ");
    const qsizetype at = route.indexOf(arrow);
    if (at < 0)
        return metrics.elidedText(route, Qt::ElideMiddle, width);
    const QString target = route.mid(at);
    // Keep at least a few characters of the model ("gpt…"); past that the channel gives way.
    const int minimumModel = metrics.horizontalAdvance(route.left(3) + QChar(0x2026));
    const int forModel = width - metrics.horizontalAdvance(target);
    if (forModel >= minimumModel)
        return metrics.elidedText(route.left(at), Qt::ElideMiddle, forModel) + target;
    const QString model = metrics.elidedText(route.left(at), Qt::ElideRight, minimumModel);
    return model + metrics.elidedText(target, Qt::ElideRight, width - metrics.horizontalAdvance(model));
}

int RequestLogColumns::neededWidth(int column) const
{
    // QTableView hides it as protected; QAbstractItemView has it public (and it is virtual).
    const QAbstractItemView *view = m_view;
    return std::max(m_view->horizontalHeader()->sectionSizeHint(column), view->sizeHintForColumn(column));
}

void RequestLogColumns::fit()
{
    QHeaderView *header = m_view->horizontalHeader();
    int left = m_view->viewport()->width();
    for (const int column : kBoundedColumns) {
        const int width = neededWidth(column);
        header->resizeSection(column, width);
        left -= width;
    }
    // The free-text columns share what is left so that as many as possible show whole: one that
    // needs less than an even share gets what it needs, one whose header is wider than a share gets
    // its header (the view scrolls sideways before a header is cut), and the others split the rest
    // evenly. The last column takes what is over.
    struct Sharing
    {
        int column;
        int needed;
        int header;
    };
    QList<Sharing> sharing;
    for (const int column : kFreeTextColumns)
        sharing.append({column, neededWidth(column), header->sectionSizeHint(column)});
    const auto share = [&] { return std::max(left, 0) / int(sharing.size()); };
    for (qsizetype i = 0; i < sharing.size();) {
        const Sharing &c = sharing.at(i);
        const int width = c.needed <= share() ? c.needed : c.header > share() ? c.header : -1;
        if (width < 0) {
            ++i;
            continue;
        }
        header->resizeSection(c.column, width);
        left -= width;
        sharing.removeAt(i);
        i = 0; // a share has changed: look at the others again
    }
    while (!sharing.isEmpty()) {
        const int width = share();
        header->resizeSection(sharing.takeFirst().column, width);
        left -= width;
    }
}

bool RequestLogColumns::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize && watched == m_viewport)
        scheduleFit();
    return QObject::eventFilter(watched, event);
}

void RequestLogColumns::scheduleFit()
{
    m_fitTimer->start();
}

} // namespace tarn::ui
