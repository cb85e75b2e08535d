// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

#include <atomic>

class QTimer;

namespace tarn::gateway {

// Deletes usage rows older than the retention the user set (settings key usage.retention_days),
// soon after start and then every hour. The work runs on a pool thread with a connection of its
// own: pruning a large table must never stall the thread that owns the gateway (the GUI thread
// on the desktop).
class UsageRetention final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsageRetention)

public:
    UsageRetention(QString databasePath, QObject *parent = nullptr);
    ~UsageRetention() override;

    void start(int firstDelayMs = 5000, int intervalMs = 3600 * 1000);
    // Runs one pass now (on a pool thread); pruned(rows) follows.
    void pruneNow();

Q_SIGNALS:
    void pruned(qint64 rows);

private:
    QString m_databasePath;
    QTimer *m_timer = nullptr;
    bool m_busy = false;          // a pass is under way (GUI/owner thread only)
    std::atomic_int m_inFlight = 0; // passes that may still post back to this object
};

} // namespace tarn::gateway
