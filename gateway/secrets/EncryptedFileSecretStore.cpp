// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/secrets/EncryptedFileSecretStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <mutex>

namespace tarn::gateway {

namespace {

constexpr int kKeySize = 32;
constexpr int kNonceSize = 12;
constexpr int kTagSize = 16;
constexpr int kCheckSize = 8;
const QByteArray kMagic = QByteArrayLiteral("TARNSEC1");
constexpr int kHeaderSize = 8 + kCheckSize; // magic + key check, authenticated as associated data
constexpr int kLockTimeoutMs = 15'000;

// Threads of this process take this before the lock file: QLockFile is for processes.
std::mutex &writeMutex()
{
    static std::mutex mutex;
    return mutex;
}

// Tells "the wrong key file" from "a damaged file" without revealing anything of the key.
QByteArray keyCheck(const QByteArray &key)
{
    return QCryptographicHash::hash(QByteArray(QByteArrayLiteral("tarn secrets key check") + key), QCryptographicHash::Sha256)
        .left(kCheckSize);
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Result<QByteArray> seal(const QByteArray &plain, const QByteArray &key)
{
    QByteArray nonce(kNonceSize, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(nonce.data()), kNonceSize) != 1)
        return Error{ErrorCode::Internal, QStringLiteral("no random bytes for the secrets file")};
    const QByteArray header = QByteArray(kMagic + keyCheck(key));
    CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    QByteArray cipher(plain.size() + kTagSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(cipher.data());
    int len = 0;
    int total = 0;
    const bool ok = ctx
        && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1
        && EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char *>(key.constData()),
                              reinterpret_cast<const unsigned char *>(nonce.constData())) == 1
        && EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(header.constData()),
                             int(header.size())) == 1
        && EVP_EncryptUpdate(ctx.get(), out, &len, reinterpret_cast<const unsigned char *>(plain.constData()),
                             int(plain.size())) == 1
        && (total = len, EVP_EncryptFinal_ex(ctx.get(), out + total, &len) == 1)
        && (total += len, EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, out + total) == 1);
    if (!ok)
        return Error{ErrorCode::Internal, QStringLiteral("cannot encrypt the secrets file")};
    cipher.truncate(total + kTagSize);
    return QByteArray(header + nonce + cipher);
}

Result<QByteArray> open(const QByteArray &sealed, const QByteArray &key, const QString &path, const QString &keyPath)
{
    if (sealed.size() < kHeaderSize + kNonceSize + kTagSize || !sealed.startsWith(kMagic))
        return Error{ErrorCode::Io, QStringLiteral("%1 is not a Tarn secrets file (or is truncated)").arg(path)};
    const QByteArray header = sealed.left(kHeaderSize);
    if (header.mid(kMagic.size()) != keyCheck(key)) {
        return Error{ErrorCode::Io, QStringLiteral("%1 was not encrypted with the key in %2 (a key file from another "
                                                   "install?): the provider keys in it cannot be read")
                                        .arg(path, keyPath)};
    }
    const QByteArray nonce = sealed.mid(kHeaderSize, kNonceSize);
    const QByteArray cipher = sealed.mid(kHeaderSize + kNonceSize, sealed.size() - kHeaderSize - kNonceSize - kTagSize);
    QByteArray tag = sealed.right(kTagSize);
    CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    QByteArray plain(cipher.size() + kTagSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(plain.data());
    int len = 0;
    int total = 0;
    const bool ok = ctx
        && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1
        && EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char *>(key.constData()),
                              reinterpret_cast<const unsigned char *>(nonce.constData())) == 1
        && EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(header.constData()),
                             int(header.size())) == 1
        && EVP_DecryptUpdate(ctx.get(), out, &len, reinterpret_cast<const unsigned char *>(cipher.constData()),
                             int(cipher.size())) == 1
        && (total = len, EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1)
        && EVP_DecryptFinal_ex(ctx.get(), out + total, &len) == 1;
    if (!ok) {
        return Error{ErrorCode::Io, QStringLiteral("%1 is damaged or was altered (it fails authentication): the provider "
                                                   "keys in it cannot be read").arg(path)};
    }
    plain.truncate(total + len);
    return plain;
}

// Writes data to path atomically, readable by the owner only.
Status writeOwnerOnly(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (file.write(data) != data.size() || !file.commit())
        return Error{ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    return {};
}

} // namespace

EncryptedFileSecretStore::EncryptedFileSecretStore(QString dataDir)
    : m_dir(std::move(dataDir))
{
}

QString EncryptedFileSecretStore::backendName() const
{
    return QStringLiteral("file");
}

QString EncryptedFileSecretStore::filePath() const
{
    return QDir(m_dir).filePath(QStringLiteral("secrets.enc"));
}

QString EncryptedFileSecretStore::keyFilePath() const
{
    return QDir(m_dir).filePath(QStringLiteral("secrets.key"));
}

Result<QByteArray> EncryptedFileSecretStore::readKey() const
{
    QFile file(keyFilePath());
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{ErrorCode::Io, QStringLiteral("%1 exists but its key file %2 cannot be read (%3): the provider keys "
                                                   "in it cannot be read").arg(filePath(), keyFilePath(), file.errorString())};
    }
    const QByteArray key = file.readAll();
    if (key.size() != kKeySize) {
        return Error{ErrorCode::Io, QStringLiteral("%1 is not a Tarn secrets key (expected %2 bytes)")
                                        .arg(keyFilePath()).arg(kKeySize)};
    }
    return key;
}

Result<QByteArray> EncryptedFileSecretStore::readOrCreateKey() const
{
    if (QFile::exists(keyFilePath()))
        return readKey();
    if (QFile::exists(filePath())) {
        return Error{ErrorCode::Io, QStringLiteral("%1 exists but its key file %2 is missing: the provider keys in it "
                                                   "cannot be read").arg(filePath(), keyFilePath())};
    }
    QByteArray key(kKeySize, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(key.data()), kKeySize) != 1)
        return Error{ErrorCode::Internal, QStringLiteral("no random bytes for the secrets key")};
    if (!QDir().mkpath(m_dir))
        return Error{ErrorCode::Io, QStringLiteral("cannot create the data directory %1").arg(m_dir)};
    if (Status s = writeOwnerOnly(keyFilePath(), key); !s)
        return s.error();
    return key;
}

Result<QMap<QString, QString>> EncryptedFileSecretStore::load() const
{
    QMap<QString, QString> secrets;
    QFile file(filePath());
    if (!file.exists())
        return secrets;
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(filePath(), file.errorString())};
    const QByteArray sealed = file.readAll();
    Result<QByteArray> key = readKey();
    if (!key)
        return key.error();
    Result<QByteArray> plain = open(sealed, *key, filePath(), keyFilePath());
    if (!plain)
        return plain.error();
    const QJsonObject root = QJsonDocument::fromJson(*plain).object();
    const QJsonObject entries = root.value(QStringLiteral("secrets")).toObject();
    for (auto it = entries.begin(); it != entries.end(); ++it)
        secrets.insert(it.key(), it.value().toString());
    return secrets;
}

Status EncryptedFileSecretStore::save(const QMap<QString, QString> &secrets, const QByteArray &key) const
{
    QJsonObject entries;
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        entries.insert(it.key(), it.value());
    const QByteArray plain =
        QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("secrets"), entries}}).toJson(QJsonDocument::Compact);
    Result<QByteArray> sealed = seal(plain, key);
    if (!sealed)
        return sealed.error();
    return writeOwnerOnly(filePath(), *sealed);
}

Status EncryptedFileSecretStore::modify(const std::function<void(QMap<QString, QString> &)> &change)
{
    std::lock_guard threads(writeMutex());
    if (!QDir().mkpath(m_dir))
        return Error{ErrorCode::Io, QStringLiteral("cannot create the data directory %1").arg(m_dir)};
    QLockFile lock(QDir(m_dir).filePath(QStringLiteral("secrets.lock")));
    if (!lock.tryLock(kLockTimeoutMs))
        return Error{ErrorCode::Io, QStringLiteral("cannot lock the secrets file in %1 (another Tarn holds it)").arg(m_dir)};
    Result<QByteArray> key = readOrCreateKey();
    if (!key)
        return key.error();
    Result<QMap<QString, QString>> secrets = load();
    if (!secrets)
        return secrets.error();
    change(*secrets);
    return save(*secrets, *key);
}

Status EncryptedFileSecretStore::write(const QString &name, const QString &secret)
{
    return modify([&](QMap<QString, QString> &secrets) { secrets.insert(name, secret); });
}

Result<QString> EncryptedFileSecretStore::read(const QString &name)
{
    Result<QMap<QString, QString>> secrets = load();
    if (!secrets)
        return secrets.error();
    const auto it = secrets->constFind(name);
    if (it == secrets->cend())
        return Error::notFound(QStringLiteral("no secret named %1 in %2").arg(name, filePath()));
    return *it;
}

Status EncryptedFileSecretStore::remove(const QString &name)
{
    if (!QFile::exists(filePath()))
        return {};
    return modify([&](QMap<QString, QString> &secrets) { secrets.remove(name); });
}

} // namespace tarn::gateway
