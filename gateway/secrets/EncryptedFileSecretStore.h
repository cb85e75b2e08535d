// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/secrets/SecretStore.h"

#include <QByteArray>
#include <QMap>

#include <functional>

namespace tarn::gateway {

// Secrets in one AES-256-GCM encrypted JSON file in the data directory (secrets.enc), under a
// random 256-bit key in a second file beside it (secrets.key); both 0600. For machines with no
// keychain service (headless Linux): it keeps keys out of the database, its WAL and exports, and
// off disks copied without the key file, but anyone who can read the data directory can read them.
// Writes hold a lock file (secrets.lock), so processes (the gateway, the command line) and threads
// writing at once never lose each other's entries; each write replaces the file atomically.
class EncryptedFileSecretStore final : public SecretStore
{
public:
    explicit EncryptedFileSecretStore(QString dataDir);

    QString backendName() const override;
    Status write(const QString &name, const QString &secret) override;
    Result<QString> read(const QString &name) override;
    Status remove(const QString &name) override;

    QString filePath() const;
    QString keyFilePath() const;

private:
    Result<QMap<QString, QString>> load() const;
    Status save(const QMap<QString, QString> &secrets, const QByteArray &key) const;
    Result<QByteArray> readKey() const;
    Result<QByteArray> readOrCreateKey() const;
    // Runs change(secrets) under the lock and saves what it leaves.
    Status modify(const std::function<void(QMap<QString, QString> &)> &change);

    QString m_dir;
};

} // namespace tarn::gateway
