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
    // Writes the table to the store: changed rows saved, removed models deleted. Emits saved().
    void save();

Q_SIGNALS:
    void loaded();
    void saved();

private:
    gateway::DesktopService &m_service;
    QTableWidget *m_table = nullptr;
    QLabel *m_status = nullptr;
    QStringList m_storedModels;
};

} // namespace tarn::ui
