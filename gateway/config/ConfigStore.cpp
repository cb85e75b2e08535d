// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/config/ConfigStore.h"

#include "gateway/core/Logging.h"
#include "gateway/core/ThreadHop.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/PoolRepository.h"
#include "gateway/storage/SettingsRepository.h"

#include <QThread>
#include <QTimer>

#include <climits>

namespace tarn::gateway {

namespace {

// An integer setting within [min, max]; absent or garbage reads as fallback.
int intSetting(const QMap<QString, QString> &settings, const char *key, int min, int max, int fallback)
{
    const auto it = settings.constFind(QString::fromLatin1(key));
    if (it == settings.cend())
        return fallback;
    bool ok = false;
    const qlonglong value = it->trimmed().toLongLong(&ok);
    if (!ok || value < min || value > max) {
        qCWarning(lcGateway) << "ignoring setting" << key << "=" << *it << "(expected" << min << "to" << max << ")";
        return fallback;
    }
    return int(value);
}

bool boolSetting(const QMap<QString, QString> &settings, const char *key, bool fallback)
{
    const auto it = settings.constFind(QString::fromLatin1(key));
    if (it == settings.cend())
        return fallback;
    const QString value = it->trimmed().toLower();
    if (value == u"true" || value == u"1" || value == u"yes" || value == u"on")
        return true;
    if (value == u"false" || value == u"0" || value == u"no" || value == u"off")
        return false;
    qCWarning(lcGateway) << "ignoring setting" << key << "=" << *it << "(expected true or false)";
    return fallback;
}

RoutingSettings routingSettings(const QMap<QString, QString> &settings)
{
    const RoutingSettings defaults;
    RoutingSettings routing;
    routing.maxAttempts = intSetting(settings, SettingKeys::MaxAttempts, 0, RoutingSettings::kMaxAttemptsCap,
                                     defaults.maxAttempts);
    routing.timeBudgetMs = intSetting(settings, SettingKeys::TimeBudgetMs, 1, INT_MAX, defaults.timeBudgetMs);
    routing.retryEmptyAnswers = boolSetting(settings, SettingKeys::RetryEmptyAnswers, defaults.retryEmptyAnswers);
    routing.retestIntervalS = intSetting(settings, SettingKeys::RetestIntervalS, 0, INT_MAX, defaults.retestIntervalS);
    return routing;
}

} // namespace

ConfigStore::ConfigStore(Database &database, QObject *parent)
    : QObject(parent), m_database(database), m_snapshot(std::make_shared<RuntimeConfig>())
{
}

ConfigStore::~ConfigStore() = default;

Status ConfigStore::reload()
{
    // The store's connection belongs to the thread the store lives on (the gateway's control
    // thread): a reload asked from elsewhere (the window after a write, a test) runs there.
    if (QThread::currentThread() != thread())
        return runOnThreadOf(this, [this] { return reload(); });
    auto config = std::make_shared<RuntimeConfig>();
    bool keysMissing = false;
    // One read transaction: the revision, channels, keys, pools and settings come from one state of the
    // database, never half before and half after a change made meanwhile (by the CLI, say).
    const Status read = m_database.readTransaction([&]() -> Status {
        SettingsRepository settings(m_database);
        auto revision = settings.configRevision();
        if (!revision)
            return revision.error();
        // Keys are read from the secret vault here, on the store's thread, so the request path only
        // ever sees them in memory. A key the vault could not give (logged by the repository) is
        // left out rather than sent upstream as its reference.
        auto channels = ChannelRepository(m_database).list();
        if (!channels)
            return channels.error();
        keysMissing = false;
        for (Channel &channel : *channels)
            keysMissing |= channel.keys.removeIf([](const QString &key) { return SecretVault::isReference(key); }) > 0;
        auto keys = ClientKeyRepository(m_database).list();
        if (!keys)
            return keys.error();
        auto pools = PoolRepository(m_database).list();
        if (!pools)
            return pools.error();
        auto all = settings.all();
        if (!all)
            return all.error();
        const QString loopback = all->value(QString::fromLatin1(SettingKeys::LoopbackWithoutKey), QStringLiteral("true"));
        config->channels = std::move(*channels);
        for (ClientKey &key : *keys)
            config->keysByHash.insert(key.hash, std::move(key));
        if (Result<QByteArray> salt = ClientKeyRepository(m_database).installSalt())
            config->keySalt = std::move(*salt);
        else
            qCWarning(lcStorage) << "cannot read the client key salt:" << salt.error().message;
        config->loopbackWithoutKey = loopback != u"false" && loopback != u"0";
        config->pools = std::move(*pools);
        config->routing = routingSettings(*all);
        config->revision = *revision;
        return {};
    });
    if (!read)
        return read;
    m_keysMissing = keysMissing;
    m_lastReload.start();
    {
        std::lock_guard lock(m_mutex);
        m_snapshot = std::move(config);
    }
    Q_EMIT changed();
    return {};
}

ConfigSnapshot ConfigStore::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_snapshot;
}

void ConfigStore::startWatching(int intervalMs)
{
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &ConfigStore::poll);
    }
    m_timer->start(intervalMs);
}

void ConfigStore::poll()
{
    const auto revision = SettingsRepository(m_database).configRevision();
    if (!revision) {
        qCWarning(lcGateway) << "cannot read the configuration revision:" << revision.error().message;
        return;
    }
    if (*revision == snapshot()->revision) {
        // A keychain locked at login, say: try the keys it would not give again now and then.
        if (!m_keysMissing || m_lastReload.elapsed() < kMissingKeysRetryMs)
            return;
        qCInfo(lcGateway) << "reading the provider keys the secret store could not give before";
    } else {
        qCInfo(lcGateway) << "configuration changed (revision" << *revision << "); reloading";
    }
    if (const Status status = reload(); !status)
        qCWarning(lcGateway) << "configuration reload failed:" << status.error().message;
}

} // namespace tarn::gateway
