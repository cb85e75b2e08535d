// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace tarn::gateway {

// How a key's stored hash was made. Keys made before salting are plain SHA-256 and are rewritten
// as HMAC-SHA256 under the install's salt the first time they are presented.
enum class KeyHashScheme {
    Sha256,     // hex SHA-256 of the key (schema before v7; imports of old exports)
    HmacSha256, // hex HMAC-SHA256 of the key, keyed with the install's salt
};
const char *keyHashSchemeName(KeyHashScheme scheme);
// "sha256" or "hmac-sha256"; for any other name *ok (when given) is set false and Sha256 returned.
KeyHashScheme keyHashSchemeFromName(QStringView name, bool *ok = nullptr);
// The hex digest of plaintext under scheme (salt is ignored by Sha256).
QByteArray hashClientKey(QByteArrayView plaintext, KeyHashScheme scheme, QByteArrayView salt);

// What a key may spend; 0 = unlimited. Days and months are local calendar ones, as on the usage page.
struct ClientKeyLimits
{
    qint64 tokensPerDay = 0;
    qint64 tokensPerMonth = 0;
    int requestsPerMinute = 0;

    bool any() const { return tokensPerDay > 0 || tokensPerMonth > 0 || requestsPerMinute > 0; }
    friend bool operator==(const ClientKeyLimits &, const ClientKeyLimits &) = default;
};

// A key a client presents (`Authorization: Bearer tarn-…`). Only a hash of it is stored.
struct ClientKey
{
    qint64 id = 0;
    QString name;
    QByteArray hash;        // hex digest of the full key, see hashScheme
    KeyHashScheme hashScheme = KeyHashScheme::Sha256;
    QString prefix;         // first characters, to recognise a key in lists ("tarn-ab12…")
    QStringList models;     // allowed models; empty = all
    QDateTime expiresAt;    // invalid = never
    ClientKeyLimits limits;
    bool revoked = false;
    QDateTime createdAt;
    QDateTime lastUsedAt;
    QString lastUsedAddress; // the peer address of the last request with this key; empty = none yet

    bool allowsModel(const QString &model) const { return models.isEmpty() || models.contains(model); }
    bool isExpired(const QDateTime &now) const { return expiresAt.isValid() && now >= expiresAt; }
};

} // namespace tarn::gateway
