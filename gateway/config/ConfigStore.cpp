// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/config/ConfigStore.h"

#include "gateway/core/Logging.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"

#include <QTimer>

namespace tarn::gateway {

ConfigStore::ConfigStore(Database &database, QObject *parent)
    : QObject(parent), m_database(database), m_snapshot(std::make_shared<RuntimeConfig>())
{
}

ConfigStore::~ConfigStore() = default;

Status ConfigStore::reload()
{
    auto config = std::make_shared<RuntimeConfig>();
    // One read transaction: the revision, channels, keys and settings come from one state of the
    // database, never half before and half after a change made meanwhile (by the CLI, say).
    const Status read = m_database.readTransaction([&]() -> Status {
        SettingsRepository settings(m_database);
        auto revision = settings.configRevision();
        if (!revision)
            return revision.error();
        auto channels = ChannelRepository(m_database).list();
        if (!channels)
            return channels.error();
        auto keys = ClientKeyRepository(m_database).list();
        if (!keys)
            return keys.error();
        auto loopback = settings.value(QString::fromLatin1(SettingKeys::LoopbackWithoutKey), QStringLiteral("true"));
        if (!loopback)
            return loopback.error();
        config->channels = std::move(*channels);
        for (ClientKey &key : *keys)
            config->keysByHash.insert(key.hash, std::move(key));
        config->loopbackWithoutKey = *loopback != u"false" && *loopback != u"0";
        config->revision = *revision;
        return {};
    });
    if (!read)
        return read;
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
    if (*revision == snapshot()->revision)
        return;
    qCInfo(lcGateway) << "configuration changed (revision" << *revision << "); reloading";
    if (const Status status = reload(); !status)
        qCWarning(lcGateway) << "configuration reload failed:" << status.error().message;
}

} // namespace tarn::gateway
