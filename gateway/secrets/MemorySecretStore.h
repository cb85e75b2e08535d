// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/secrets/SecretStore.h"

#include <QHash>

#include <mutex>

namespace tarn::gateway {

// Secrets held in this process only: for tests, and for nothing that must outlive the process.
class MemorySecretStore final : public SecretStore
{
public:
    QString backendName() const override;
    Status write(const QString &name, const QString &secret) override;
    Result<QString> read(const QString &name) override;
    Status remove(const QString &name) override;

    // Tests: every write after the next `count` fails (as a store that goes away midway would).
    void failWritesAfter(int count);
    int size() const;

private:
    mutable std::mutex m_mutex;
    QHash<QString, QString> m_secrets;
    int m_writesLeft = -1; // < 0: no limit
};

} // namespace tarn::gateway
