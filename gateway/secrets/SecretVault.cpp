// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/secrets/SecretVault.h"

#include "gateway/secrets/EncryptedFileSecretStore.h"
#include "gateway/secrets/KeychainSecretStore.h"
#include "gateway/secrets/MemorySecretStore.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QUuid>

Q_LOGGING_CATEGORY(lcSecrets, "tarn.secrets", QtInfoMsg)

namespace tarn::gateway {

namespace {

const QString kPrefix = QStringLiteral("secret:");

std::mutex &registryMutex()
{
    static std::mutex mutex;
    return mutex;
}

QHash<QString, std::shared_ptr<SecretVault>> &registry()
{
    static QHash<QString, std::shared_ptr<SecretVault>> vaults;
    return vaults;
}

QString canonicalDir(const QString &dataDir)
{
    return QDir::cleanPath(QFileInfo(dataDir).absoluteFilePath());
}

// reference -> (backend, name); empty backend when value is no reference.
std::pair<QString, QString> splitReference(const QString &value)
{
    if (!value.startsWith(kPrefix))
        return {};
    const qsizetype colon = value.indexOf(u':', kPrefix.size());
    if (colon < 0)
        return {};
    const QString backend = value.mid(kPrefix.size(), colon - kPrefix.size());
    const QString name = value.mid(colon + 1);
    if (backend.isEmpty() || QUuid::fromString(name).isNull())
        return {};
    return {backend, name};
}

std::shared_ptr<SecretVault> chooseVault(const QString &dir)
{
    const QString forced = qEnvironmentVariable("TARN_SECRET_BACKEND").trimmed().toLower();
    if (forced == u"memory")
        return std::make_shared<SecretVault>(dir, std::make_unique<MemorySecretStore>(), QStringLiteral("chosen by TARN_SECRET_BACKEND"));
    if (forced == u"file")
        return std::make_shared<SecretVault>(dir, std::make_unique<EncryptedFileSecretStore>(dir), QStringLiteral("chosen by TARN_SECRET_BACKEND"));
    if (forced == u"keychain")
        return std::make_shared<SecretVault>(dir, std::make_unique<KeychainSecretStore>(), QStringLiteral("chosen by TARN_SECRET_BACKEND"));
    if (!forced.isEmpty())
        qCWarning(lcSecrets) << "ignoring TARN_SECRET_BACKEND =" << forced << "(expected keychain, file or memory)";

    auto keychain = std::make_unique<KeychainSecretStore>();
    const Status works = keychain->probe();
    if (works)
        return std::make_shared<SecretVault>(dir, std::move(keychain), QStringLiteral("a test entry was written and read back"));
    auto file = std::make_unique<EncryptedFileSecretStore>(dir);
    const QString note = QStringLiteral("no OS keychain service here (%1)").arg(works.error().message);
    return std::make_shared<SecretVault>(dir, std::move(file), note, true);
}

} // namespace

SecretVault::SecretVault(QString dataDir, std::unique_ptr<SecretStore> writeStore, QString note, bool fellBack)
    : m_dataDir(std::move(dataDir)), m_note(std::move(note)), m_fellBack(fellBack), m_writeStore(std::move(writeStore))
{
}

void SecretVault::logStatus() const
{
    if (m_fellBack)
        qCWarning(lcSecrets).noquote() << "provider keys are not in an OS keychain:" << status();
    else
        qCInfo(lcSecrets).noquote() << "provider keys are kept in the" << status();
}

SecretVault::~SecretVault() = default;

std::shared_ptr<SecretVault> SecretVault::forDataDir(const QString &dataDir)
{
    const QString dir = canonicalDir(dataDir);
    std::lock_guard lock(registryMutex());
    std::shared_ptr<SecretVault> &vault = registry()[dir];
    if (!vault)
        vault = chooseVault(dir);
    return vault;
}

void SecretVault::install(const QString &dataDir, std::shared_ptr<SecretVault> vault)
{
    std::lock_guard lock(registryMutex());
    registry().insert(canonicalDir(dataDir), std::move(vault));
}

bool SecretVault::isReference(const QString &value)
{
    return !splitReference(value).first.isEmpty();
}

QString SecretVault::backendName() const
{
    return m_writeStore->backendName();
}

QString SecretVault::status() const
{
    QString where;
    if (auto *file = dynamic_cast<EncryptedFileSecretStore *>(m_writeStore.get()))
        where = QStringLiteral("encrypted file %1 (key in %2)").arg(file->filePath(), file->keyFilePath());
    else if (backendName() == u"keychain")
        where = QStringLiteral("OS keychain (service \"Tarn\")");
    else
        where = QStringLiteral("memory of this process only");
    return m_note.isEmpty() ? where : QStringLiteral("%1; %2").arg(where, m_note);
}

Result<QString> SecretVault::store(const QString &secret)
{
    const QString name = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (Status s = m_writeStore->write(name, secret); !s)
        return s.error();
    const QString reference = kPrefix + backendName() + u':' + name;
    std::lock_guard lock(m_mutex);
    m_cache.insert(reference, secret);
    return reference;
}

SecretStore *SecretVault::storeFor(const QString &backend)
{
    if (backend == m_writeStore->backendName())
        return m_writeStore.get();
    if (backend == u"file") {
        if (!m_otherFile)
            m_otherFile = std::make_unique<EncryptedFileSecretStore>(m_dataDir);
        return m_otherFile.get();
    }
    if (backend == u"keychain") {
        if (!m_otherKeychain)
            m_otherKeychain = std::make_unique<KeychainSecretStore>();
        return m_otherKeychain.get();
    }
    return nullptr;
}

Result<QString> SecretVault::resolve(const QString &value)
{
    const auto [backend, name] = splitReference(value);
    if (backend.isEmpty())
        return value;
    SecretStore *store = nullptr;
    {
        std::lock_guard lock(m_mutex);
        if (const auto it = m_cache.constFind(value); it != m_cache.cend())
            return *it;
        store = storeFor(backend);
    }
    if (!store)
        return Error{ErrorCode::NotFound, QStringLiteral("%1 is kept in a %2 store this process cannot open").arg(value, backend)};
    Result<QString> secret = store->read(name);
    if (!secret)
        return Error{secret.error().code, QStringLiteral("cannot read %1: %2").arg(value, secret.error().message)};
    std::lock_guard lock(m_mutex);
    m_cache.insert(value, *secret);
    return secret;
}

bool SecretVault::firstFailure(const QString &reference)
{
    std::lock_guard lock(m_mutex);
    if (m_reportedFailures.contains(reference))
        return false;
    m_reportedFailures.insert(reference);
    return true;
}

Status SecretVault::forget(const QString &reference)
{
    const auto [backend, name] = splitReference(reference);
    if (backend.isEmpty())
        return {};
    SecretStore *store = nullptr;
    {
        std::lock_guard lock(m_mutex);
        m_cache.remove(reference);
        store = storeFor(backend);
    }
    return store ? store->remove(name) : Status{};
}

} // namespace tarn::gateway
