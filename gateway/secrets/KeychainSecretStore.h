// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/secrets/SecretStore.h"

namespace tarn::gateway {

// Secrets in the OS keychain through QtKeychain: the macOS Keychain, the Windows Credential
// Manager, the Secret Service (GNOME Keyring, KWallet) on Linux. QtKeychain's jobs are
// asynchronous; they all run on one keychain thread of the process and callers wait for them
// (with a timeout), so no call needs an event loop of the caller's and none runs on the request path.
class KeychainSecretStore final : public SecretStore
{
public:
    // service: the keychain's service name the entries are filed under ("Tarn").
    // A call not answered within timeoutMs fails (a keychain prompting for its password, say).
    explicit KeychainSecretStore(QString service = QStringLiteral("Tarn"), int timeoutMs = 15'000);

    // False when Tarn was built without QtKeychain.
    static bool isBuiltIn();
    // Whether the keychain really works here: writes, reads back and deletes a test entry. On
    // Linux QtKeychain loads libsecret even where no Secret Service runs, so only a real round
    // trip tells; the error says why it does not.
    Status probe(int timeoutMs = 5'000);

    QString backendName() const override;
    Status write(const QString &name, const QString &secret) override;
    Result<QString> read(const QString &name) override;
    Status remove(const QString &name) override;

private:
    QString m_service;
    int m_timeoutMs;
};

} // namespace tarn::gateway
