// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace tarn::gateway {

// A key a client presents (`Authorization: Bearer tarn-…`). Only its SHA-256 is stored.
struct ClientKey
{
    qint64 id = 0;
    QString name;
    QByteArray hash;        // hex SHA-256 of the full key
    QString prefix;         // first characters, to recognise a key in lists ("tarn-ab12…")
    QStringList models;     // allowed models; empty = all
    QDateTime expiresAt;    // invalid = never
    qint64 quotaTokens = 0; // 0 = unlimited (enforced by a later issue)
    bool revoked = false;
    QDateTime createdAt;
    QDateTime lastUsedAt;

    bool allowsModel(const QString &model) const { return models.isEmpty() || models.contains(model); }
    bool isExpired(const QDateTime &now) const { return expiresAt.isValid() && now >= expiresAt; }
};

} // namespace tarn::gateway
