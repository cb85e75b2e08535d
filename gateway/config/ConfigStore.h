// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/Result.h"

#include <QElapsedTimer>
#include <QObject>

#include <mutex>

class QTimer;

namespace tarn::gateway {

class Database;

// Loads channels, client keys and settings into a RuntimeConfig and keeps it current: it polls the
// database's config revision (bumped by triggers on every change, including the command line's
// from another process) and publishes a fresh snapshot when it moves.
class ConfigStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigStore)

public:
    explicit ConfigStore(Database &database, QObject *parent = nullptr);
    ~ConfigStore() override;

    // Callable from any thread: it runs on the store's own (blocking the caller meanwhile).
    Status reload();
    // Thread-safe.
    ConfigSnapshot snapshot() const;
    void startWatching(int intervalMs);

Q_SIGNALS:
    void changed();

private:
    void poll();

    static constexpr qint64 kMissingKeysRetryMs = 60'000;

    Database &m_database;
    QTimer *m_timer = nullptr;
    // The store's thread only: a key the secret vault could not give was left out of the snapshot.
    bool m_keysMissing = false;
    QElapsedTimer m_lastReload;
    mutable std::mutex m_mutex;
    ConfigSnapshot m_snapshot;
};

} // namespace tarn::gateway
