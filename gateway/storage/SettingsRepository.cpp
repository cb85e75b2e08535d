// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/SettingsRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QSqlQuery>

namespace tarn::gateway {

using namespace storage;

SettingsRepository::SettingsRepository(Database &db)
    : m_db(db)
{
}

Result<QString> SettingsRepository::value(const QString &key, const QString &defaultValue) const
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key},
                           QStringLiteral("reading setting '%1'").arg(key));
        !s)
        return s.error();
    return q.next() ? q.value(0).toString() : defaultValue;
}

Status SettingsRepository::setValue(const QString &key, const QString &value)
{
    QSqlQuery q(m_db.handle());
    return execute(q, QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                   {key, value}, QStringLiteral("saving setting '%1'").arg(key));
}

Result<QMap<QString, QString>> SettingsRepository::all() const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT key, value FROM settings ORDER BY key"), {},
                           QStringLiteral("reading settings"));
        !s)
        return s.error();
    QMap<QString, QString> settings;
    while (q.next())
        settings.insert(q.value(0).toString(), q.value(1).toString());
    return settings;
}

Result<qint64> SettingsRepository::configRevision() const
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("SELECT value FROM meta WHERE key = 'config_revision'"), {},
                           QStringLiteral("reading the configuration revision"));
        !s)
        return s.error();
    if (!q.next())
        return Error::storage(QStringLiteral("the configuration revision is missing from the database"));
    return q.value(0).toLongLong();
}

} // namespace tarn::gateway
