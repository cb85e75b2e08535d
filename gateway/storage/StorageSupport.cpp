// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/StorageSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QTimeZone>

namespace tarn::gateway::storage {

QVariant toDbTime(const QDateTime &time)
{
    if (!time.isValid())
        return QVariant();
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime fromDbTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

QString nowDbTime()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString toJsonArray(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QStringList fromJsonArray(const QString &text)
{
    QStringList list;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &v : array)
        list.append(v.toString());
    return list;
}

QString toJsonObject(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        object.insert(it.key(), it.value());
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QMap<QString, QString> fromJsonObject(const QString &text)
{
    QMap<QString, QString> map;
    const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = object.begin(); it != object.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

Error queryError(const QSqlQuery &query, const QString &what)
{
    const QSqlError error = query.lastError();
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    if (text.contains(u"UNIQUE constraint failed"))
        return {ErrorCode::AlreadyExists, QStringLiteral("%1: already exists").arg(what)};
    return Error::storage(QStringLiteral("%1 failed: %2").arg(what, text));
}

QVariant bindable(const QVariant &value)
{
    // The driver binds a null QString as SQL NULL; Tarn's text columns are NOT NULL, and an
    // absent value is the empty string. A deliberate NULL is an invalid QVariant.
    if (value.typeId() == QMetaType::QString && value.toString().isNull())
        return QStringLiteral("");
    return value;
}

Status execute(QSqlQuery &query, const QString &sql, const QVariantList &bindings, const QString &what)
{
    if (!query.prepare(sql))
        return queryError(query, what);
    for (const QVariant &value : bindings)
        query.addBindValue(bindable(value));
    if (!query.exec())
        return queryError(query, what);
    return {};
}

} // namespace tarn::gateway::storage
