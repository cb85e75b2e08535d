// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/usage/UsageRetention.h"

#include "gateway/core/SettingKeys.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageStatsRepository.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QPointer>
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
    // A pass still running holds only its own connection and a copy of the path; wait for it so
    // the database is not being pruned while the gateway closes it.
    while (m_running.load())
        QThread::msleep(5);
}

void UsageRetention::start(int firstDelayMs, int intervalMs)
{
    QTimer::singleShot(firstDelayMs, this, &UsageRetention::pruneNow);
    m_timer->start(intervalMs);
}

void UsageRetention::pruneNow()
{
    if (m_running.exchange(true))
        return; // the previous pass is still at work
    QPointer<UsageRetention> self(this);
    QThreadPool::globalInstance()->start([self, this, path = m_databasePath] {
        const qint64 removed = prune(path);
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, removed] {
                if (self)
                    Q_EMIT self->pruned(removed);
            }, Qt::QueuedConnection);
        m_running.store(false);
    });
}

} // namespace tarn::gateway
