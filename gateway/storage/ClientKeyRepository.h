// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ClientKey.h"
#include "gateway/core/Result.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>

namespace tarn::gateway {

class Database;

// When and from where a key was last used (UsageRecorder batches these off the request path).
struct ClientKeyUse
{
    QDateTime at;
    QString address; // peer address; empty = keep the stored one
};

// Reads and writes client keys. Only a salted hash of a key is stored (HMAC-SHA256 under the
// install's salt, see installSalt()); the plaintext is shown once. Keys from before salting keep a
// plain SHA-256 until upgradeHashes() rewrites them.
class ClientKeyRepository final
{
public:
    explicit ClientKeyRepository(Database &db);

    // Generates "tarn-" + 40 url-safe random characters, stores its salted hash and prefix with
    // meta's name, models, expiry and limits, and returns the plaintext key (the only time it exists).
    Result<QString> create(ClientKey meta);
    // Ordered by name.
    Result<QList<ClientKey>> list() const;
    // Whether any key is neither revoked nor expired at now: one a caller could present.
    Result<bool> hasActive(const QDateTime &now) const;
    Result<ClientKey> findByName(const QString &name) const;
    // hash is a stored hex digest (either scheme); NotFound if no key has it.
    Result<ClientKey> findByHash(QByteArrayView hash) const;
    Status revoke(const QString &name);
    // Changes what a key may do after its creation: its allowed models (empty = all) and its
    // expiry (invalid = never). NotFound if no key has that name.
    Status update(const QString &name, const QStringList &models, const QDateTime &expiresAt);
    // Sets a key's limits (0 = unlimited). NotFound if no key has that name.
    Status setLimits(const QString &name, const ClientKeyLimits &limits);
    // Records when keys were last used (id -> time), in one transaction.
    Status touchLastUsed(const QHash<qint64, QDateTime> &lastUsed);
    // Records when and from where keys were last used (id -> use), in one transaction.
    Status recordKeyUse(const QHash<qint64, ClientKeyUse> &uses);
    // Rewrites plain SHA-256 rows (id -> their new HMAC-SHA256 hex digest) as salted ones; rows
    // already salted are left alone, so a repeated upgrade is a no-op.
    Status upgradeHashes(const QHash<qint64, QByteArray> &saltedHashes);
    // Restores a key from an exported configuration, matched by name: an existing key gets the
    // metadata (and the hash, when key.hash is set); a new key needs key.hash.
    Status importKey(const ClientKey &key);

    // The install's salt for key hashes: 32 random bytes kept hex-encoded in a 0600 file beside the
    // database (kSaltFileName), not in it, so a copy of the database alone cannot test guessed
    // keys. Created on first use; two processes creating it at once agree on one.
    Result<QByteArray> installSalt() const;
    static Result<QByteArray> installSalt(const QString &databasePath);
    // Makes salt (from an exported configuration) this install's salt. Refused when it differs
    // from the salt salted keys here were made with.
    Status adoptSalt(const QByteArray &salt);
    // The hash a key would be stored with now (HMAC-SHA256 under the install's salt).
    Result<QByteArray> saltedHash(QByteArrayView plaintext) const;

    // Hex SHA-256 of a plaintext key: the scheme before salting (KeyHashScheme::Sha256).
    static QByteArray hashKey(QByteArrayView plaintext);
    static constexpr const char *kSaltFileName = "client-key-salt";
    static constexpr qsizetype kPrefixLength = 9;

private:
    Database &m_db;
};

} // namespace tarn::gateway
