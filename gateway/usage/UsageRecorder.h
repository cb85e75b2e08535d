// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/storage/ClientKeyRepository.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace tarn::gateway {

// Writes usage rows to SQLite on its own thread, in batched transactions, so no request thread ever
// waits on the disk. A row that fails to write stays queued and is retried; stop() flushes.
class UsageRecorder
{
public:
    explicit UsageRecorder(QString databasePath);
    ~UsageRecorder();
    Q_DISABLE_COPY_MOVE(UsageRecorder)

    // Opens the writer's own connection (and checks it works) and starts the thread.
    Status start();
    // Called for every row handed to record(), on the recording thread, before it is queued
    // (the client key limits count tokens here). Set before start().
    void setObserver(std::function<void(const UsageRecord &)> observer) { m_observer = std::move(observer); }
    // Thread-safe, never blocks on SQLite.
    void record(UsageRecord record);
    // Queues the salted hash that replaces a key's pre-salting SHA-256 (written with the next
    // batch). Thread-safe, never blocks on SQLite.
    void upgradeKeyHash(qint64 keyId, const QByteArray &saltedHash);
    // Blocks until every row recorded so far is committed (or fails to be).
    void flush();
    void stop();

    qint64 committedCount() const;
    qint64 pendingCount() const;

private:
    void run();
    struct KeyUpdates
    {
        QHash<qint64, ClientKeyUse> uses;
        QHash<qint64, QByteArray> saltedHashes;
        bool isEmpty() const { return uses.isEmpty() && saltedHashes.isEmpty(); }
    };
    bool writeBatch(QList<UsageRecord> &batch, KeyUpdates &keys);

    QString m_databasePath;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_flushed;
    QList<UsageRecord> m_queue;
    KeyUpdates m_keyUpdates;
    std::function<void(const UsageRecord &)> m_observer;
    qint64 m_recorded = 0;  // rows handed to record()
    qint64 m_committed = 0; // rows committed
    qint64 m_failed = 0;    // rows dropped after repeated failures (should stay 0)
    bool m_stopping = false;
    bool m_running = false; // the writer thread is in run() (guarded by m_mutex)
    bool m_flushRequested = false;
    std::unique_ptr<class Database> m_database; // lives on the writer thread
    std::unique_ptr<class UsageRepository> m_usage; // on m_database, same thread
};

} // namespace tarn::gateway
