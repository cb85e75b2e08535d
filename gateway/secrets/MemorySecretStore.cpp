// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/secrets/MemorySecretStore.h"

namespace tarn::gateway {

QString MemorySecretStore::backendName() const
{
    return QStringLiteral("memory");
}

Status MemorySecretStore::write(const QString &name, const QString &secret)
{
    std::lock_guard lock(m_mutex);
    if (m_writesLeft == 0)
        return Error{ErrorCode::Io, QStringLiteral("the memory secret store refuses writes (test fault)")};
    if (m_writesLeft > 0)
        --m_writesLeft;
    m_secrets.insert(name, secret);
    return {};
}

Result<QString> MemorySecretStore::read(const QString &name)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_secrets.constFind(name);
    if (it == m_secrets.cend())
        return Error::notFound(QStringLiteral("no secret named %1 in memory").arg(name));
    return *it;
}

Status MemorySecretStore::remove(const QString &name)
{
    std::lock_guard lock(m_mutex);
    m_secrets.remove(name);
    return {};
}

void MemorySecretStore::failWritesAfter(int count)
{
    std::lock_guard lock(m_mutex);
    m_writesLeft = count;
}

int MemorySecretStore::size() const
{
    std::lock_guard lock(m_mutex);
    return int(m_secrets.size());
}

} // namespace tarn::gateway
