// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/ClientKeyRepository.h"

#include "gateway/storage/Database.h"
#include "gateway/storage/StorageSupport.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSqlQuery>

namespace tarn::gateway {

using namespace storage;

namespace {

const QString kColumns = QStringLiteral(
    "id, name, key_hash, prefix, models, expires_at, quota_tokens, revoked, created_at, last_used_at");

ClientKey keyFromRow(const QSqlQuery &q)
{
    ClientKey k;
    k.id = q.value(0).toLongLong();
    k.name = q.value(1).toString();
    k.hash = q.value(2).toString().toLatin1();
    k.prefix = q.value(3).toString();
    k.models = fromJsonArray(q.value(4).toString());
    k.expiresAt = fromDbTime(q.value(5));
    k.quotaTokens = q.value(6).toLongLong();
    k.revoked = q.value(7).toInt() != 0;
    k.createdAt = fromDbTime(q.value(8));
    k.lastUsedAt = fromDbTime(q.value(9));
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
    return QCryptographicHash::hash(plaintext, QCryptographicHash::Sha256).toHex();
}

Result<QString> ClientKeyRepository::create(ClientKey meta)
{
    const QString plaintext = generateKey();
    meta.hash = hashKey(plaintext.toLatin1());
    meta.prefix = plaintext.left(kPrefixLength);
    QSqlQuery q(m_db.handle());
    const Status s = execute(q, QStringLiteral("INSERT INTO client_keys (name, key_hash, prefix, models, expires_at, "
                                               "quota_tokens, revoked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                             {meta.name, QString::fromLatin1(meta.hash), meta.prefix, toJsonArray(meta.models),
                              toDbTime(meta.expiresAt), meta.quotaTokens, meta.revoked ? 1 : 0, nowDbTime()},
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
        return execute(q, QStringLiteral("UPDATE client_keys SET key_hash = ?, prefix = ?, models = ?, expires_at = ?, "
                                         "quota_tokens = ?, revoked = ? WHERE id = ?"),
                       {QString::fromLatin1(hash), prefix, toJsonArray(key.models), toDbTime(key.expiresAt),
                        key.quotaTokens, key.revoked ? 1 : 0, existing->id},
                       what);
    }
    if (key.hash.isEmpty()) {
        return Error::invalid(QStringLiteral("client key '%1' does not exist here and the file has no key hash for it "
                                             "(export with --secrets to carry keys over)")
                                  .arg(key.name));
    }
    const QVariant createdAt = key.createdAt.isValid() ? toDbTime(key.createdAt) : QVariant(nowDbTime());
    return execute(q, QStringLiteral("INSERT INTO client_keys (name, key_hash, prefix, models, expires_at, quota_tokens, "
                                     "revoked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                   {key.name, QString::fromLatin1(key.hash), key.prefix, toJsonArray(key.models), toDbTime(key.expiresAt),
                    key.quotaTokens, key.revoked ? 1 : 0, createdAt},
                   what);
}

} // namespace tarn::gateway
