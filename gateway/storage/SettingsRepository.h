// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QMap>
#include <QString>

namespace tarn::gateway {

class Database;

// Key/value gateway settings stored in the database, and the configuration revision counter.
class SettingsRepository final
{
public:
    explicit SettingsRepository(Database &db);

    Result<QString> value(const QString &key, const QString &defaultValue = {}) const;
    Status setValue(const QString &key, const QString &value);
    Result<QMap<QString, QString>> all() const;
    // Grows on every change to channels, settings or client keys (not on key use): a running Tarn
    // polls it to pick up changes made by another process such as the CLI.
    Result<qint64> configRevision() const;

private:
    Database &m_db;
};

} // namespace tarn::gateway
