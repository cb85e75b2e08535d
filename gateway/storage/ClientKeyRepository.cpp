// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/ClientKeyRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSqlQuery>
#include <QTemporaryFile>

#include <algorithm>

namespace tarn::gateway {

using namespace storage;

namespace {

const QString kColumns = QStringLiteral(
    "id, name, key_hash, prefix, models, expires_at, tokens_per_month, revoked, created_at, last_used_at, "
    "hash_scheme, tokens_per_day, requests_per_minute, last_used_address");
constexpr qsizetype kSaltBytes = 32;

ClientKey keyFromRow(const QSqlQuery &q)
{
    ClientKey k;
    k.id = q.value(0).toLongLong();
    k.name = q.value(1).toString();
    k.hash = q.value(2).toString().toLatin1();
    k.prefix = q.value(3).toString();
    k.models = fromJsonArray(q.value(4).toString());
    k.expiresAt = fromDbTime(q.value(5));
    k.limits.tokensPerMonth = q.value(6).toLongLong();
    k.revoked = q.value(7).toInt() != 0;
    k.createdAt = fromDbTime(q.value(8));
    k.lastUsedAt = fromDbTime(q.value(9));
    k.hashScheme = keyHashSchemeFromName(q.value(10).toString());
    k.limits.tokensPerDay = q.value(11).toLongLong();
    k.limits.requestsPerMinute = q.value(12).toInt();
    k.lastUsedAddress = q.value(13).toString();
    return k;
}

QString generateKey()
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    QString key = QStringLiteral("tarn-");
    QRandomGenerator *random = QRandomGenerator::system();
    for (int i = 0; i < 40; ++i)
        key.append(QLatin1Char(kAlphabet[random->bounded(64)]));
    return key;
}

QString saltPath(const QString &databasePath)
{
    return QFileInfo(databasePath).absoluteDir().filePath(QString::fromLatin1(ClientKeyRepository::kSaltFileName));
}

Result<QByteArray> readSalt(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    const QByteArray salt = QByteArray::fromHex(file.read(4 * kSaltBytes).trimmed());
    if (salt.size() != kSaltBytes)
        return Error{ErrorCode::Io, QStringLiteral("%1 is not a Tarn key salt (expected %2 hex-encoded bytes)").arg(path).arg(kSaltBytes)};
    return salt;
}

Error alreadyExists(const QString &name)
{
    return {ErrorCode::AlreadyExists, QStringLiteral("a client key named '%1' already exists").arg(name)};
}

} // namespace

ClientKeyRepository::ClientKeyRepository(Database &db)
    : m_db(db)
{
}

QByteArray ClientKeyRepository::hashKey(QByteArrayView plaintext)
{
    return hashClientKey(plaintext, KeyHashScheme::Sha256, {});
}

Result<QByteArray> ClientKeyRepository::installSalt(const QString &databasePath)
{
    const QString path = saltPath(databasePath);
    if (QFile::exists(path))
        return readSalt(path);
    // Written whole under a temporary name, then renamed into place without replacing: a process
    // that loses the race reads the winner's salt.
    QTemporaryFile temp(path + QStringLiteral(".XXXXXX"));
    if (!temp.open())
        return Error{ErrorCode::Io, QStringLiteral("cannot create %1: %2").arg(path, temp.errorString())};
    QByteArray salt(kSaltBytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(salt.begin(), salt.end());
    temp.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (temp.write(salt.toHex() + '\n') < 0 || !temp.flush())
        return Error{ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, temp.errorString())};
    temp.close();
    if (temp.rename(path)) {
        temp.setAutoRemove(false);
        return salt;
    }
    return readSalt(path);
}

Result<QByteArray> ClientKeyRepository::installSalt() const
{
    return installSalt(m_db.path());
}

Status ClientKeyRepository::adoptSalt(const QByteArray &salt)
{
    if (salt.size() != kSaltBytes)
        return Error::invalid(QStringLiteral("the key salt must be %1 bytes").arg(kSaltBytes));
    const QString path = saltPath(m_db.path());
    if (QFile::exists(path)) {
        Result<QByteArray> current = readSalt(path);
        if (current && *current == salt)
            return {};
        QSqlQuery q(m_db.handle());
        if (Status s = execute(q, QStringLiteral("SELECT count(*) FROM client_keys WHERE hash_scheme = 'hmac-sha256'"), {},
                               QStringLiteral("counting salted client keys"));
            !s)
            return s;
        if (q.next() && q.value(0).toLongLong() > 0) {
            return Error::invalid(QStringLiteral("the file's client key hashes were made with another installation's salt, "
                                                 "and keys here use this one's: import into a fresh data directory, or "
                                                 "create the keys again here"));
        }
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(salt.toHex() + '\n');
    if (!file.commit())
        return Error{ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    return {};
}

Result<QByteArray> ClientKeyRepository::saltedHash(QByteArrayView plaintext) const
{
    Result<QByteArray> salt = installSalt();
    if (!salt)
        return salt.error();
    return hashClientKey(plaintext, KeyHashScheme::HmacSha256, *salt);
}

Result<QString> ClientKeyRepository::create(ClientKey meta)
{
    const QString plaintext = generateKey();
    Result<QByteArray> hash = saltedHash(plaintext.toLatin1());
    if (!hash)
        return hash.error();
    meta.hash = *hash;
    meta.hashScheme = KeyHashScheme::HmacSha256;
    meta.prefix = plaintext.left(kPrefixLength);
    QSqlQuery q(m_db.handle());
    const Status s = execute(q, QStringLiteral("INSERT INTO client_keys (name, key_hash, hash_scheme, prefix, models, "
                                               "expires_at, tokens_per_day, tokens_per_month, requests_per_minute, "
                                               "revoked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             {meta.name, QString::fromLatin1(meta.hash), QString::fromLatin1(keyHashSchemeName(meta.hashScheme)),
                              meta.prefix, toJsonArray(meta.models), toDbTime(meta.expiresAt), meta.limits.tokensPerDay,
                              meta.limits.tokensPerMonth, meta.limits.requestsPerMinute, meta.revoked ? 1 : 0, nowDbTime()},
                             QStringLiteral("creating client key '%1'").arg(meta.name));
    if (!s)
        return s.error().code == ErrorCode::AlreadyExists ? alreadyExists(meta.name) : s.error();
    return plaintext;
}

Result<QList<ClientKey>> ClientKeyRepository::list() const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT %1 FROM client_keys ORDER BY name").arg(kColumns), {},
                           QStringLiteral("listing client keys"));
        !s)
        return s.error();
    QList<ClientKey> keys;
    while (q.next())
        keys.append(keyFromRow(q));
    return keys;
}

Result<bool> ClientKeyRepository::hasActive(const QDateTime &now) const
{
    const Result<QList<ClientKey>> keys = list();
    if (!keys)
        return keys.error();
    return std::any_of(keys->cbegin(), keys->cend(), [&](const ClientKey &k) { return !k.revoked && !k.isExpired(now); });
}

Result<ClientKey> ClientKeyRepository::findByName(const QString &name) const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT %1 FROM client_keys WHERE name = ?").arg(kColumns), {name},
                           QStringLiteral("reading client key '%1'").arg(name));
        !s)
        return s.error();
    if (!q.next())
        return Error::notFound(QStringLiteral("no client key named '%1'").arg(name));
    return keyFromRow(q);
}

Result<ClientKey> ClientKeyRepository::findByHash(QByteArrayView hash) const
{
    QSqlQuery q(m_db.handle());
    q.setForwardOnly(true);
    if (Status s = execute(q, QStringLiteral("SELECT %1 FROM client_keys WHERE key_hash = ?").arg(kColumns),
                           {QString::fromLatin1(hash)}, QStringLiteral("looking up a client key"));
        !s)
        return s.error();
    if (!q.next())
        return Error::notFound(QStringLiteral("unknown client key"));
    return keyFromRow(q);
}

Status ClientKeyRepository::revoke(const QString &name)
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("UPDATE client_keys SET revoked = 1 WHERE name = ?"), {name},
                           QStringLiteral("revoking client key '%1'").arg(name));
        !s)
        return s;
    if (q.numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no client key named '%1'").arg(name));
    return {};
}

Status ClientKeyRepository::update(const QString &name, const QStringList &models, const QDateTime &expiresAt)
{
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("UPDATE client_keys SET models = ?, expires_at = ? WHERE name = ?"),
                           {toJsonArray(models), toDbTime(expiresAt), name},
                           QStringLiteral("updating client key '%1'").arg(name));
        !s)
        return s;
    if (q.numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no client key named '%1'").arg(name));
    return {};
}

Status ClientKeyRepository::setLimits(const QString &name, const ClientKeyLimits &limits)
{
    if (limits.tokensPerDay < 0 || limits.tokensPerMonth < 0 || limits.requestsPerMinute < 0)
        return Error::invalid(QStringLiteral("limits must be 0 (unlimited) or more"));
    QSqlQuery q(m_db.handle());
    if (Status s = execute(q, QStringLiteral("UPDATE client_keys SET tokens_per_day = ?, tokens_per_month = ?, "
                                             "requests_per_minute = ? WHERE name = ?"),
                           {limits.tokensPerDay, limits.tokensPerMonth, limits.requestsPerMinute, name},
                           QStringLiteral("setting the limits of client key '%1'").arg(name));
        !s)
        return s;
    if (q.numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no client key named '%1'").arg(name));
    return {};
}

Status ClientKeyRepository::recordKeyUse(const QHash<qint64, ClientKeyUse> &uses)
{
    if (uses.isEmpty())
        return {};
    return m_db.transaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        if (!q.prepare(QStringLiteral("UPDATE client_keys SET last_used_at = ?, "
                                      "last_used_address = CASE WHEN ? = '' THEN last_used_address ELSE ? END WHERE id = ?")))
            return queryError(q, QStringLiteral("recording key use"));
        for (auto it = uses.cbegin(); it != uses.cend(); ++it) {
            const QString address = it->address.isNull() ? QStringLiteral("") : it->address;
            q.bindValue(0, toDbTime(it->at));
            q.bindValue(1, address);
            q.bindValue(2, address);
            q.bindValue(3, it.key());
            if (!q.exec())
                return queryError(q, QStringLiteral("recording key use"));
        }
        return {};
    });
}

Status ClientKeyRepository::upgradeHashes(const QHash<qint64, QByteArray> &saltedHashes)
{
    if (saltedHashes.isEmpty())
        return {};
    return m_db.transaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        if (!q.prepare(QStringLiteral("UPDATE client_keys SET key_hash = ?, hash_scheme = 'hmac-sha256' "
                                      "WHERE id = ? AND hash_scheme = 'sha256'")))
            return queryError(q, QStringLiteral("salting a client key's hash"));
        for (auto it = saltedHashes.cbegin(); it != saltedHashes.cend(); ++it) {
            q.bindValue(0, QString::fromLatin1(it.value()));
            q.bindValue(1, it.key());
            if (!q.exec())
                return queryError(q, QStringLiteral("salting a client key's hash"));
        }
        return {};
    });
}

Status ClientKeyRepository::touchLastUsed(const QHash<qint64, QDateTime> &lastUsed)
{
    if (lastUsed.isEmpty())
        return {};
    return m_db.transaction([&]() -> Status {
        QSqlQuery q(m_db.handle());
        if (!q.prepare(QStringLiteral("UPDATE client_keys SET last_used_at = ? WHERE id = ?")))
            return queryError(q, QStringLiteral("recording key use"));
        for (auto it = lastUsed.cbegin(); it != lastUsed.cend(); ++it) {
            q.bindValue(0, toDbTime(it.value()));
            q.bindValue(1, it.key());
            if (!q.exec())
                return queryError(q, QStringLiteral("recording key use"));
        }
        return {};
    });
}

Status ClientKeyRepository::importKey(const ClientKey &key)
{
    Result<ClientKey> existing = findByName(key.name);
    if (!existing && existing.error().code != ErrorCode::NotFound)
        return existing.error();
    QSqlQuery q(m_db.handle());
    const QString what = QStringLiteral("importing client key '%1'").arg(key.name);
    if (existing) {
        const QByteArray hash = key.hash.isEmpty() ? existing->hash : key.hash;
        const QString prefix = key.hash.isEmpty() || key.prefix.isEmpty() ? existing->prefix : key.prefix;
        const KeyHashScheme scheme = key.hash.isEmpty() ? existing->hashScheme : key.hashScheme;
        return execute(q, QStringLiteral("UPDATE client_keys SET key_hash = ?, hash_scheme = ?, prefix = ?, models = ?, "
                                         "expires_at = ?, tokens_per_day = ?, tokens_per_month = ?, "
                                         "requests_per_minute = ?, revoked = ? WHERE id = ?"),
                       {QString::fromLatin1(hash), QString::fromLatin1(keyHashSchemeName(scheme)), prefix,
                        toJsonArray(key.models), toDbTime(key.expiresAt), key.limits.tokensPerDay,
                        key.limits.tokensPerMonth, key.limits.requestsPerMinute, key.revoked ? 1 : 0, existing->id},
                       what);
    }
    if (key.hash.isEmpty()) {
        return Error::invalid(QStringLiteral("client key '%1' does not exist here and the file has no key hash for it "
                                             "(export with --secrets to carry keys over)")
                                  .arg(key.name));
    }
    const QVariant createdAt = key.createdAt.isValid() ? toDbTime(key.createdAt) : QVariant(nowDbTime());
    return execute(q, QStringLiteral("INSERT INTO client_keys (name, key_hash, hash_scheme, prefix, models, expires_at, "
                                     "tokens_per_day, tokens_per_month, requests_per_minute, revoked, created_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                   {key.name, QString::fromLatin1(key.hash), QString::fromLatin1(keyHashSchemeName(key.hashScheme)),
                    key.prefix, toJsonArray(key.models), toDbTime(key.expiresAt), key.limits.tokensPerDay,
                    key.limits.tokensPerMonth, key.limits.requestsPerMinute, key.revoked ? 1 : 0, createdAt},
                   what);
}

} // namespace tarn::gateway
