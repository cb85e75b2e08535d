// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Conversions between Tarn's value types and SQLite columns, shared by the repositories.
#include "gateway/core/Result.h"

#include <QDateTime>
#include <QMap>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace tarn::gateway::storage {

// Timestamps are ISO-8601 UTC text with milliseconds ("2024-05-01T12:00:00.000Z"): sortable.
QVariant toDbTime(const QDateTime &time);
QString dbTimeFromMSecs(qint64 msecsSinceEpoch);
QDateTime fromDbTime(const QVariant &value);
QString nowDbTime();

QString toJsonArray(const QStringList &list);
QStringList fromJsonArray(const QString &text);
QString toJsonObject(const QMap<QString, QString> &map);
QMap<QString, QString> fromJsonObject(const QString &text);

// Error for a failed query: AlreadyExists for UNIQUE violations, StorageError otherwise.
Error queryError(const QSqlQuery &query, const QString &what);

// value, with a null QString turned into an empty one (SQL NULL is only an invalid QVariant).
QVariant bindable(const QVariant &value);

// Prepares and executes sql with positional bindings.
Status execute(QSqlQuery &query, const QString &sql, const QVariantList &bindings, const QString &what);

} // namespace tarn::gateway::storage
