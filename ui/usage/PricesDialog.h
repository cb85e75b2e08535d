// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/storage/UsageStats.h"

#include <QDialog>

class QLabel;
class QTableWidget;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// Edits the per-model prices the estimated costs come from (US dollars per million tokens).
class PricesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PricesDialog)

public:
    explicit PricesDialog(gateway::DesktopService &service, QWidget *parent = nullptr);

    // Adds an empty row to fill in (the "Add" button).
    void addRow(const gateway::ModelPrice &price = {});
    // The prices as the table holds them now; rows without a model name are left out.
    QList<gateway::ModelPrice> prices() const;
    // Lists a model seen in the usage that has no price, flagged so: the row is saved only once a
    // price has been entered.
    void addUnpricedRow(const QString &model);
    // Writes the table to the store: changed rows saved, removed models deleted. Emits saved().
    // Refused (and said why, inline) while a model is listed twice.
    void save();
    // The model names listed more than once (marked in the table).
    QStringList duplicateModels() const;

Q_SIGNALS:
    void loaded();
    void saved();

private:
    gateway::DesktopService &m_service;
    QTableWidget *m_table = nullptr;
    QLabel *m_status = nullptr;
    void markDuplicates();

    QStringList m_storedModels;
};

} // namespace tarn::ui
