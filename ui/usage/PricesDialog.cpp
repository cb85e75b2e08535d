// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/PricesDialog.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

PricesDialog::PricesDialog(DesktopService &service, QWidget *parent)
    : QDialog(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("pricesDialog"));
    setWindowTitle(tr("Model prices"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("US dollars per million tokens. Cached input is charged instead of input."), this));
    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(QStringLiteral("pricesTable"));
    m_table->setAccessibleName(tr("Model prices"));
    m_table->setHorizontalHeaderLabels({tr("Model"), tr("Input"), tr("Output"), tr("Cached input")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->verticalHeader()->setVisible(false);
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
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_service.run<Result<QList<ModelPrice>>>(
        this, [](Database &database) { return UsageStatsRepository(database).prices(); },
        [this](Result<QList<ModelPrice>> result) {
            if (!result.ok()) {
                m_status->setText(tr("Could not read prices: %1").arg(result.error().message));
                return;
            }
            for (const ModelPrice &price : result.value()) {
                m_storedModels.append(price.model);
                addRow(price);
            }
            Q_EMIT loaded();
        });
}

void PricesDialog::addRow(const ModelPrice &price)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, 0, new QTableWidgetItem(price.model));
    const double values[] = {price.inputPerMTok, price.outputPerMTok, price.cachedPerMTok};
    for (int column = 1; column <= 3; ++column) {
        auto *item = new QTableWidgetItem;
        item->setData(Qt::EditRole, values[column - 1]);
        m_table->setItem(row, column, item);
    }
}

QList<ModelPrice> PricesDialog::prices() const
{
    QList<ModelPrice> result;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString model = m_table->item(row, 0) ? m_table->item(row, 0)->text().trimmed() : QString();
        if (model.isEmpty())
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
