// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/usage/UsageRetention.h"

#include "gateway/core/SettingKeys.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace tarn::gateway {

Q_LOGGING_CATEGORY(lcRetention, "tarn.usage.retention")

namespace {

// One pass on the calling (pool) thread: -1 when nothing was done or it failed.
qint64 prune(const QString &path)
{
    auto database = Database::open(path, QStringLiteral("tarn-retention-%1").arg(reinterpret_cast<quintptr>(&path)));
    if (!database) {
        qCWarning(lcRetention) << "cannot open the database to prune usage:" << database.error().message;
        return -1;
    }
    const Result<QString> days = SettingsRepository(**database).value(QString::fromLatin1(SettingKeys::RetentionDays));
    bool ok = false;
    const int keepDays = days ? days->toInt(&ok) : 0;
    if (!ok || keepDays <= 0)
        return -1;
    const Result<qint64> removed =
        UsageStatsRepository(**database).pruneBefore(QDateTime::currentDateTimeUtc().addDays(-keepDays));
    if (!removed) {
        qCWarning(lcRetention) << "could not prune usage:" << removed.error().message;
        return -1;
    }
    if (*removed > 0)
        qCInfo(lcRetention) << "removed" << *removed << "usage rows older than" << keepDays << "days";
    return *removed;
}

} // namespace

UsageRetention::UsageRetention(QString databasePath, QObject *parent)
    : QObject(parent)
    , m_databasePath(std::move(databasePath))
    , m_timer(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, &UsageRetention::pruneNow);
}

UsageRetention::~UsageRetention()
{
    // A pass still running posts its result to this object: wait until it has (the post to a
    // deleted object is then dropped by Qt), so it never touches freed memory.
    while (m_inFlight.load() > 0)
        QThread::msleep(5);
}

void UsageRetention::start(int firstDelayMs, int intervalMs)
{
    QTimer::singleShot(firstDelayMs, this, &UsageRetention::pruneNow);
    m_timer->start(intervalMs);
}

void UsageRetention::pruneNow()
{
    if (m_busy)
        return; // the previous pass is still at work
    m_busy = true;
    ++m_inFlight;
    QThreadPool::globalInstance()->start([this, path = m_databasePath] {
        const qint64 removed = prune(path);
        // Busy ends on this object's thread, just before pruned(): whoever hears pruned() may
        // start the next pass at once.
        QMetaObject::invokeMethod(this, [this, removed] {
            m_busy = false;
            Q_EMIT pruned(removed);
        }, Qt::QueuedConnection);
        --m_inFlight;
    });
}

} // namespace tarn::gateway
