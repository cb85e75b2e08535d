// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QString>

namespace tarn::gateway {

// Where provider keys are kept outside the database: a name -> secret map behind one backend (the
// OS keychain, an encrypted file, memory). Implementations are thread-safe; calls may block (a
// keychain round trip, a file lock), so they never run on the request path.
class SecretStore
{
public:
    virtual ~SecretStore() = default;

    // "keychain", "file" or "memory": also the backend's part of a secret reference.
    virtual QString backendName() const = 0;
    // Creates or replaces the secret called name.
    virtual Status write(const QString &name, const QString &secret) = 0;
    // NotFound when there is no such secret. Errors never contain a secret.
    virtual Result<QString> read(const QString &name) = 0;
    // Removing what is not there succeeds.
    virtual Status remove(const QString &name) = 0;
};

} // namespace tarn::gateway
