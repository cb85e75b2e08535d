// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/PricesDialog.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QSet>
#include <QStyledItemDelegate>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

constexpr int UnpricedRole = Qt::UserRole + 1; // on the model cell: listed from usage, no price yet
enum PriceColumn { ModelColumn, InputColumn, OutputColumn, CachedColumn, NoteColumn, PriceColumnCount };

// Prices per million tokens run to fractions of a cent (0.028): the default editor's two decimals
// rounded them, and it took negatives.
class PriceDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &, const QModelIndex &) const override
    {
        auto *editor = new QDoubleSpinBox(parent);
        editor->setObjectName(QStringLiteral("priceEditor"));
        editor->setDecimals(6);
        editor->setRange(0.0, 1000000.0);
        editor->setSingleStep(0.1);
        editor->setFrame(false);
        editor->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return editor;
    }

    QString displayText(const QVariant &value, const QLocale &locale) const override
    {
        if (!value.isValid())
            return {};
        return locale.toString(value.toDouble(), 'g', 8);
    }
};

// A price cell: numbers are right-aligned, so their digits line up down a column.
QTableWidgetItem *priceItem()
{
    auto *item = new QTableWidgetItem;
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

PricesDialog::PricesDialog(DesktopService &service, QWidget *parent)
    : QDialog(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("pricesDialog"));
    setWindowTitle(tr("Model prices"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("US dollars per million tokens. Cached input is charged instead of input."), this));
    m_table = new QTableWidget(0, PriceColumnCount, this);
    m_table->setObjectName(QStringLiteral("pricesTable"));
    m_table->setAccessibleName(tr("Model prices"));
    m_table->setHorizontalHeaderLabels({tr("Model"), tr("Input"), tr("Output"), tr("Cached input"), tr("Note")});
    for (int column : {InputColumn, OutputColumn, CachedColumn})
        m_table->horizontalHeaderItem(column)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    // A model name is one word: it widens its column rather than wrapping ("claude-/sonnet-4-5").
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(ModelColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(NoteColumn, QHeaderView::Stretch);
    m_table->verticalHeader()->setVisible(false);
    auto *delegate = new PriceDelegate(m_table);
    for (int column : {InputColumn, OutputColumn, CachedColumn})
        m_table->setItemDelegateForColumn(column, delegate);
    resize(720, 420);
    layout->addWidget(m_table, 1);

    auto *rowButtons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add"), this);
    add->setObjectName(QStringLiteral("pricesAddButton"));
    auto *remove = new QPushButton(tr("Remove"), this);
    remove->setObjectName(QStringLiteral("pricesRemoveButton"));
    rowButtons->addWidget(add);
    rowButtons->addWidget(remove);
    rowButtons->addStretch(1);
    layout->addLayout(rowButtons);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("pricesStatus"));
    layout->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);

    connect(add, &QPushButton::clicked, this, [this] {
        addRow();
        m_table->editItem(m_table->item(m_table->rowCount() - 1, 0));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_table->currentRow() >= 0)
            m_table->removeRow(m_table->currentRow());
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &PricesDialog::save);
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == ModelColumn) {
            markDuplicates();
            return;
        }
        // A price entered for a listed model makes it a priced row.
        QTableWidgetItem *model = m_table->item(item->row(), ModelColumn);
        if (item->column() != NoteColumn && model && model->data(UnpricedRole).toBool() && item->data(Qt::EditRole).isValid()) {
            const QSignalBlocker block(m_table);
            model->setData(UnpricedRole, false);
            for (int column : {InputColumn, OutputColumn, CachedColumn})
                if (!m_table->item(item->row(), column)->data(Qt::EditRole).isValid())
                    m_table->item(item->row(), column)->setData(Qt::EditRole, 0.0);
            m_table->item(item->row(), NoteColumn)->setText(QString());
        }
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // The prices, and the models the usage has seen: those without a price are listed too, so a
    // missing price is seen rather than silently costing nothing.
    using Loaded = std::pair<Result<QList<ModelPrice>>, QStringList>;
    m_service.run<Loaded>(
        this,
        [](Database &database) {
            const UsageStatsRepository stats(database);
            const Result<QStringList> models = stats.knownModels();
            return Loaded{stats.prices(), models.ok() ? models.value() : QStringList()};
        },
        [this](const Loaded &result) {
            if (!result.first.ok()) {
                m_status->setText(tr("Could not read prices: %1").arg(result.first.error().message));
                return;
            }
            const QSignalBlocker block(m_table);
            for (const ModelPrice &price : result.first.value()) {
                m_storedModels.append(price.model);
                addRow(price);
            }
            for (const QString &model : result.second)
                if (!model.isEmpty() && !m_storedModels.contains(model))
                    addUnpricedRow(model);
            Q_EMIT loaded();
        });
}

void PricesDialog::addRow(const ModelPrice &price)
{
    const QSignalBlocker block(m_table);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, ModelColumn, new QTableWidgetItem(price.model));
    const double values[] = {price.inputPerMTok, price.outputPerMTok, price.cachedPerMTok};
    for (int column = InputColumn; column <= CachedColumn; ++column) {
        auto *item = priceItem();
        item->setData(Qt::EditRole, values[column - InputColumn]);
        m_table->setItem(row, column, item);
    }
    auto *note = new QTableWidgetItem;
    note->setFlags(Qt::ItemIsEnabled);
    m_table->setItem(row, NoteColumn, note);
    markDuplicates();
}

void PricesDialog::addUnpricedRow(const QString &model)
{
    const QSignalBlocker block(m_table);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto *name = new QTableWidgetItem(model);
    name->setData(UnpricedRole, true);
    m_table->setItem(row, ModelColumn, name);
    for (int column = InputColumn; column <= CachedColumn; ++column)
        m_table->setItem(row, column, priceItem());
    auto *note = new QTableWidgetItem(tr("no price: cost estimates leave it out"));
    note->setFlags(Qt::ItemIsEnabled);
    note->setForeground(QColor(0xb2, 0x6a, 0x00));
    m_table->setItem(row, NoteColumn, note);
}

QStringList PricesDialog::duplicateModels() const
{
    QSet<QString> seen;
    QStringList duplicates;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString model = m_table->item(row, ModelColumn) ? m_table->item(row, ModelColumn)->text().trimmed() : QString();
        if (model.isEmpty())
            continue;
        if (seen.contains(model) && !duplicates.contains(model))
            duplicates.append(model);
        seen.insert(model);
    }
    return duplicates;
}

void PricesDialog::markDuplicates()
{
    const QStringList duplicates = duplicateModels();
    const QSignalBlocker block(m_table);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QTableWidgetItem *model = m_table->item(row, ModelColumn);
        if (!model)
            continue;
        const bool twice = duplicates.contains(model->text().trimmed());
        model->setBackground(twice ? QBrush(QColor(0xc6, 0x28, 0x28, 60)) : QBrush());
        model->setToolTip(twice ? tr("Listed twice: keep one row per model") : QString());
    }
    m_status->setText(duplicates.isEmpty() ? QString() : tr("%1 is listed twice: keep one row per model").arg(duplicates.join(QStringLiteral(", "))));
}

QList<ModelPrice> PricesDialog::prices() const
{
    QList<ModelPrice> result;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString model = m_table->item(row, 0) ? m_table->item(row, 0)->text().trimmed() : QString();
        if (model.isEmpty() || m_table->item(row, 0)->data(UnpricedRole).toBool())
            continue;
        auto number = [this, row](int column) {
            return m_table->item(row, column) ? m_table->item(row, column)->data(Qt::EditRole).toDouble() : 0.0;
        };
        result.append({model, number(1), number(2), number(3)});
    }
    return result;
}

void PricesDialog::save()
{
    if (!duplicateModels().isEmpty()) {
        markDuplicates();
        return;
    }
    const QList<ModelPrice> current = prices();
    QStringList removed = m_storedModels;
    for (const ModelPrice &price : current)
        removed.removeAll(price.model);
    m_service.run<QString>(
        this,
        [current, removed](Database &database) {
            UsageStatsRepository stats(database);
            for (const QString &model : removed)
                if (Status s = stats.removePrice(model); !s.ok())
                    return s.error().message;
            for (const ModelPrice &price : current)
                if (Status s = stats.setPrice(price); !s.ok())
                    return s.error().message;
            return QString();
        },
        [this](QString error) {
            if (!error.isEmpty()) {
                m_status->setText(tr("Could not save: %1").arg(error));
                return;
            }
            Q_EMIT saved();
            accept();
        });
}

} // namespace tarn::ui
