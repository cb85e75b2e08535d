// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/PoolSettings.h"
#include "gateway/core/Result.h"

#include <QHash>
#include <QString>

namespace tarn::gateway {

class Database;

// Reads and writes per-model pool settings (strategy, stickiness); a model without a row uses
// the defaults.
class PoolRepository final
{
public:
    explicit PoolRepository(Database &db);

    Result<QHash<QString, PoolSettings>> list() const;
    // Inserts or replaces the settings of model.
    Status set(const QString &model, const PoolSettings &settings);
    // NotFound when model has no settings of its own.
    Status remove(const QString &model);

private:
    Database &m_db;
};

} // namespace tarn::gateway
