// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/ClientKeyModel.h"

#include "ui/settings/KeyLimitsField.h"

#include <QColor>
#include <QLocale>

namespace tarn::ui {

namespace {

QString formatTime(const QDateTime &time, const QString &none)
{
    if (!time.isValid())
        return none;
    return QLocale().toString(time.toLocalTime(), QLocale::ShortFormat);
}

} // namespace

ClientKeyModel::ClientKeyModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

ClientKeyModel::~ClientKeyModel() = default;

void ClientKeyModel::setKeys(QList<gateway::ClientKey> keys)
{
    beginResetModel();
    m_keys = std::move(keys);
    endResetModel();
}

int ClientKeyModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int ClientKeyModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ClientKeyModel::statusText(const gateway::ClientKey &key, const QDateTime &now)
{
    if (key.revoked)
        return tr("revoked");
    if (key.isExpired(now))
        return tr("expired");
    return tr("active");
}

QVariant ClientKeyModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const gateway::ClientKey &key = m_keys.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return key.name;
        case Prefix: return QString(key.prefix + QStringLiteral("…"));
        case Models: return key.models.isEmpty() ? tr("all models") : key.models.join(QStringLiteral(", "));
        case Limits: return KeyLimitsField::describe(key.limits);
        case Expires:
            return key.expiresAt.isValid() ? QLocale().toString(key.expiresAt.toLocalTime().date(), QLocale::ShortFormat)
                                           : tr("never");
        case LastUsed:
            // Where from, too: a key used from an address the user does not know is worth a look.
            return key.lastUsedAddress.isEmpty() || !key.lastUsedAt.isValid()
                ? formatTime(key.lastUsedAt, tr("never"))
                : tr("%1 from %2").arg(formatTime(key.lastUsedAt, tr("never")), key.lastUsedAddress);
        case Status: return statusText(key, QDateTime::currentDateTimeUtc());
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Models)
        return key.models.join(u'\n');
    if (role == Qt::ToolTipRole && index.column() == Limits)
        return KeyLimitsField::describe(key.limits);
    if (role == Qt::ForegroundRole && (key.revoked || key.isExpired(QDateTime::currentDateTimeUtc())))
        return QColor(Qt::gray);
    return {};
}

QVariant ClientKeyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Name");
    case Prefix: return tr("Key");
    case Models: return tr("Allowed models");
    case Limits: return tr("Limits");
    case Expires: return tr("Expires");
    case LastUsed: return tr("Last used");
    case Status: return tr("Status");
    default: return {};
    }
}

} // namespace tarn::ui
