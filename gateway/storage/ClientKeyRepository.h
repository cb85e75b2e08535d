// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ClientKey.h"
#include "gateway/core/Result.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>

namespace tarn::gateway {

class Database;

// Reads and writes client keys. Only a key's SHA-256 is stored; the plaintext is shown once.
class ClientKeyRepository final
{
public:
    explicit ClientKeyRepository(Database &db);

    // Generates "tarn-" + 40 url-safe random characters, stores its hash and prefix with meta's
    // name, models, expiry and quota, and returns the plaintext key (the only time it exists).
    Result<QString> create(ClientKey meta);
    // Ordered by name.
    Result<QList<ClientKey>> list() const;
    Result<ClientKey> findByName(const QString &name) const;
    // hash is the hex SHA-256 from hashKey(); NotFound if no key has it.
    Result<ClientKey> findByHash(QByteArrayView hash) const;
    Status revoke(const QString &name);
    // Changes what a key may do after its creation: its allowed models (empty = all) and its
    // expiry (invalid = never). NotFound if no key has that name.
    Status update(const QString &name, const QStringList &models, const QDateTime &expiresAt);
    // Records when keys were last used (id -> time), in one transaction.
    Status touchLastUsed(const QHash<qint64, QDateTime> &lastUsed);
    // Restores a key from an exported configuration, matched by name: an existing key gets the
    // metadata (and the hash, when key.hash is set); a new key needs key.hash.
    Status importKey(const ClientKey &key);

    // Hex SHA-256 of a plaintext key.
    static QByteArray hashKey(QByteArrayView plaintext);
    static constexpr qsizetype kPrefixLength = 9;

private:
    Database &m_db;
};

} // namespace tarn::gateway
