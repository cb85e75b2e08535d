// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/StorageSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QTimeZone>

namespace tarn::gateway::storage {

namespace {

void putDigits(char *out, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = char('0' + value % 10);
        value /= 10;
    }
}

} // namespace

QString dbTimeFromMSecs(qint64 msecsSinceEpoch)
{
    // Hand-formatted: the usage writer stamps every request, and QDateTime::toString goes through
    // QLocale and QString::arg (about a microsecond a row). Same text as
    // toUTC().toString(Qt::ISODateWithMs) for years 0001–9999 (Howard Hinnant's civil_from_days).
    qint64 days = msecsSinceEpoch / 86'400'000;
    qint64 msOfDay = msecsSinceEpoch % 86'400'000;
    if (msOfDay < 0) {
        msOfDay += 86'400'000;
        --days;
    }
    const qint64 z = days + 719'468;
    const qint64 era = (z >= 0 ? z : z - 146'096) / 146'097;
    const qint64 dayOfEra = z - era * 146'097;
    const qint64 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36'524 - dayOfEra / 146'096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 monthIndex = (5 * dayOfYear + 2) / 153;
    const int day = int(dayOfYear - (153 * monthIndex + 2) / 5 + 1);
    const int month = int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
    const qint64 year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 1 || year > 9999)
        return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch).toUTC().toString(Qt::ISODateWithMs);

    char text[24]; // YYYY-MM-DDTHH:MM:SS.mmmZ
    putDigits(text, int(year), 4);
    text[4] = '-';
    putDigits(text + 5, month, 2);
    text[7] = '-';
    putDigits(text + 8, day, 2);
    text[10] = 'T';
    putDigits(text + 11, int(msOfDay / 3'600'000), 2);
    text[13] = ':';
    putDigits(text + 14, int(msOfDay / 60'000 % 60), 2);
    text[16] = ':';
    putDigits(text + 17, int(msOfDay / 1000 % 60), 2);
    text[19] = '.';
    putDigits(text + 20, int(msOfDay % 1000), 3);
    text[23] = 'Z';
    return QString::fromLatin1(text, 24);
}

QVariant toDbTime(const QDateTime &time)
{
    if (!time.isValid())
        return QVariant();
    return dbTimeFromMSecs(time.toMSecsSinceEpoch());
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
