// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QHash>
#include <QLoggingCategory>
#include <QSet>
#include <QString>

#include <memory>
#include <mutex>

// Where keys are kept, and keys moving there; never a key.
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)

namespace tarn::gateway {

class SecretStore;

// Provider keys by reference: what the database keeps in place of a key is a reference,
// "secret:<backend>:<uuid>" (backend: keychain, file or memory), and the vault turns keys into
// references (store) and back (resolve). A reference is never rewritten (a changed key gets a new
// one), so what was resolved once is cached for the life of the process and later reads, for every
// config snapshot, cost no keychain round trip. A reference names its backend, so a process that
// writes to another backend (the gateway as a service on the file, the command line in a desktop
// session on the keychain) still reads what the other wrote.
class SecretVault final
{
public:
    // writeStore: where new secrets go. note: why this backend was chosen (shown with status()).
    // fellBack: the keychain was wanted but does not work here.
    SecretVault(QString dataDir, std::unique_ptr<SecretStore> writeStore, QString note = {}, bool fellBack = false);
    ~SecretVault();
    SecretVault(const SecretVault &) = delete;
    SecretVault &operator=(const SecretVault &) = delete;

    // The vault of a data directory, made on first use: the backend named by TARN_SECRET_BACKEND
    // (keychain, file or memory) when set, else the OS keychain when a test entry can be written
    // and read back, else the encrypted file (said once in the log). Thread-safe.
    static std::shared_ptr<SecretVault> forDataDir(const QString &dataDir);
    // Tests: makes vault the one forDataDir returns for dataDir.
    static void install(const QString &dataDir, std::shared_ptr<SecretVault> vault);

    // Whether value is a reference rather than a key.
    static bool isReference(const QString &value);

    // "keychain", "file" or "memory": where new secrets go.
    QString backendName() const;
    // One line for people: the backend, where it keeps secrets and why it was chosen.
    QString status() const;
    // True when the keychain was wanted (no TARN_SECRET_BACKEND) but no keychain service works.
    bool fellBack() const { return m_fellBack; }
    // Says status() in the log: a warning when the vault fell back to the file. The gateway calls
    // it once at start (the command line stays quiet).
    void logStatus() const;

    // Keeps secret and returns its new reference.
    Result<QString> store(const QString &secret);
    // The key behind a reference; a value that is not a reference (a key not yet migrated) is
    // returned as it is. Errors name the reference, never a key.
    Result<QString> resolve(const QString &value);
    // Removes the secret behind a reference (values that are not references are ignored).
    Status forget(const QString &reference);
    // True the first time it is asked about reference: callers that re-read channels every few
    // seconds say once in the log that a key cannot be read, not at every read.
    bool firstFailure(const QString &reference);

private:
    // The store for a reference's backend; nullptr when this process cannot open it.
    SecretStore *storeFor(const QString &backend);

    QString m_dataDir;
    QString m_note;
    bool m_fellBack = false;
    std::unique_ptr<SecretStore> m_writeStore;
    std::mutex m_mutex; // guards the cache and the lazily opened read stores
    std::unique_ptr<SecretStore> m_otherFile;
    std::unique_ptr<SecretStore> m_otherKeychain;
    QHash<QString, QString> m_cache; // reference -> key
    QSet<QString> m_reportedFailures;
};

} // namespace tarn::gateway
