// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/usage/UsageRecorder.h"

#include "gateway/core/Logging.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/UsageRepository.h"

#include <chrono>
#include <future>

namespace tarn::gateway {

namespace {
constexpr auto kBatchInterval = std::chrono::milliseconds(200);
constexpr qsizetype kBatchSize = 512;
} // namespace

UsageRecorder::UsageRecorder(QString databasePath) : m_databasePath(std::move(databasePath)) {}

UsageRecorder::~UsageRecorder()
{
    stop();
}

Status UsageRecorder::start()
{
    if (m_thread.joinable())
        return {};
    std::promise<Status> opened;
    auto openedFuture = opened.get_future();
    m_thread = std::thread([this, &opened] {
        auto db = Database::open(m_databasePath,
                                 QStringLiteral("tarn-usage-%1").arg(reinterpret_cast<quintptr>(this)));
        if (!db) {
            opened.set_value(db.error());
            return;
        }
        m_database = std::move(db.value());
        // One repository for the thread's life: it keeps its prepared insert between batches.
        m_usage = std::make_unique<UsageRepository>(*m_database);
        {
            std::lock_guard lock(m_mutex);
            m_running = true;
        }
        opened.set_value(Status{});
        run();
        m_usage.reset(); // its statements are finalized before the connection closes
        m_database.reset();
        {
            std::lock_guard lock(m_mutex);
            m_running = false;
        }
        m_flushed.notify_all();
    });
    Status status = openedFuture.get();
    if (!status) {
        m_thread.join();
        return status;
    }
    return {};
}

void UsageRecorder::record(UsageRecord record)
{
    if (m_observer)
        m_observer(record);
    {
        std::lock_guard lock(m_mutex);
        if (record.clientKeyId > 0)
            m_keyUpdates.uses.insert(record.clientKeyId, {record.time, record.clientAddress});
        m_queue.append(std::move(record));
        ++m_recorded;
        if (m_queue.size() < kBatchSize)
            return;
    }
    m_wake.notify_one();
}

void UsageRecorder::upgradeKeyHash(qint64 keyId, const QByteArray &saltedHash)
{
    std::lock_guard lock(m_mutex);
    m_keyUpdates.saltedHashes.insert(keyId, saltedHash);
}

void UsageRecorder::flush()
{
    // m_running, not m_thread: stop() may be joining the thread on another thread right now.
    std::unique_lock lock(m_mutex);
    if (!m_running)
        return;
    const qint64 target = m_recorded;
    m_flushRequested = true;
    m_wake.notify_one();
    m_flushed.wait(lock, [&] { return m_committed + m_failed >= target || !m_running; });
}

void UsageRecorder::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

qint64 UsageRecorder::committedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_committed;
}

qint64 UsageRecorder::pendingCount() const
{
    std::lock_guard lock(m_mutex);
    return m_recorded - m_committed - m_failed;
}

void UsageRecorder::run()
{
    QList<UsageRecord> batch;
    KeyUpdates keys;
    int failures = 0;
    for (;;) {
        bool stopping = false;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, kBatchInterval, [this] {
                return m_stopping || m_flushRequested || m_queue.size() >= kBatchSize;
            });
            m_flushRequested = false;
            stopping = m_stopping;
            batch.append(std::move(m_queue));
            m_queue.clear();
            keys.uses.insert(m_keyUpdates.uses);
            keys.saltedHashes.insert(m_keyUpdates.saltedHashes);
            m_keyUpdates = {};
        }
        if (!batch.isEmpty() || !keys.isEmpty()) {
            const qsizetype rows = batch.size();
            if (writeBatch(batch, keys)) {
                failures = 0;
                std::lock_guard lock(m_mutex);
                m_committed += rows;
            } else if (++failures >= 50 || stopping) {
                // The disk refused for ~10 s (or we are exiting): say so loudly rather than hang.
                qCCritical(lcUsage) << "could not write" << rows << "usage rows; giving up on them";
                std::lock_guard lock(m_mutex);
                m_failed += rows;
                batch.clear();
                keys = {};
            }
        }
        m_flushed.notify_all();
        if (stopping) {
            std::lock_guard lock(m_mutex);
            if (m_queue.isEmpty())
                break;
        }
    }
    m_flushed.notify_all();
}

bool UsageRecorder::writeBatch(QList<UsageRecord> &batch, KeyUpdates &keys)
{
    if (!batch.isEmpty()) {
        if (const Status status = m_usage->insert(batch); !status) {
            qCWarning(lcUsage) << "usage batch not written, will retry:" << status.error().message;
            return false;
        }
        batch.clear();
    }
    ClientKeyRepository repository(*m_database);
    if (!keys.uses.isEmpty()) {
        if (const Status status = repository.recordKeyUse(keys.uses); !status)
            qCWarning(lcUsage) << "could not update key last-used times:" << status.error().message;
        keys.uses.clear();
    }
    if (!keys.saltedHashes.isEmpty()) {
        if (const Status status = repository.upgradeHashes(keys.saltedHashes); !status)
            qCWarning(lcUsage) << "could not salt client key hashes:" << status.error().message;
        keys.saltedHashes.clear();
    }
    return true;
}

} // namespace tarn::gateway
