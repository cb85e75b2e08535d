// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ClientKey.h"

#include <QAbstractTableModel>
#include <QList>

namespace tarn::ui {

// The client keys table of the Settings page: one row per key, as `tarn key list` shows them.
class ClientKeyModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientKeyModel)

public:
    enum Column { Name, Prefix, Models, Limits, Expires, LastUsed, Status, ColumnCount };
    Q_ENUM(Column)

    explicit ClientKeyModel(QObject *parent = nullptr);
    ~ClientKeyModel() override;

    void setKeys(QList<gateway::ClientKey> keys);
    [[nodiscard]] const QList<gateway::ClientKey> &keys() const { return m_keys; }
    [[nodiscard]] gateway::ClientKey keyAt(int row) const { return m_keys.value(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString statusText(const gateway::ClientKey &key, const QDateTime &now);

private:
    QList<gateway::ClientKey> m_keys;
};

} // namespace tarn::ui
