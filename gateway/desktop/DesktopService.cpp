// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/desktop/DesktopService.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/core/Paths.h"
#include "gateway/core/ThreadHop.h"
#include "gateway/storage/Database.h"

#include <QLoggingCategory>
#include <QThread>

namespace tarn::gateway {

Q_LOGGING_CATEGORY(lcDesktopService, "tarn.desktop")

// Lives on the service's thread and owns the connection opened there (QtSql connections belong to
// the thread that opened them).
class DesktopDatabaseWorker final : public QObject
{
public:
    explicit DesktopDatabaseWorker(QString path) : m_path(std::move(path)) {}

    Status open()
    {
        auto database = Database::open(m_path, QStringLiteral("tarn-desktop-%1").arg(reinterpret_cast<quintptr>(this)));
        if (!database)
            return database.error();
        m_database = std::move(database.value());
        return {};
    }

    void runJob(const std::function<void(Database &)> &job)
    {
        if (m_database)
            job(*m_database);
        else
            qCWarning(lcDesktopService) << "desktop database work dropped: the database is not open";
    }

    void close() { m_database.reset(); }

private:
    QString m_path;
    std::unique_ptr<Database> m_database;
};

DesktopService::DesktopService(Gateway &gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
{
    connect(&m_gateway, &Gateway::configurationChanged, this, &DesktopService::configurationChanged);
}

DesktopService::~DesktopService()
{
    stop();
}

Status DesktopService::start()
{
    if (m_thread)
        return {};
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("tarn-desktop-db"));
    m_worker = new DesktopDatabaseWorker(databasePath(m_gateway.options().dataDir));
    m_worker->moveToThread(m_thread);
    m_thread->start();
    const Status opened = runOnThreadOf(m_worker, [worker = m_worker] { return worker->open(); });
    if (!opened)
        stop();
    return opened;
}

void DesktopService::stop()
{
    if (!m_thread)
        return;
    // Behind every job handed over so far: they run, then the connection closes on its own thread.
    // Waited for, because a loop told to quit need not run what is still queued (LeakSanitizer
    // caught the worker and its connection left behind); through runOnThreadOf so ThreadSanitizer
    // sees the hand-over.
    runOnThreadOf(m_worker, [worker = m_worker] {
        worker->close();
        delete worker;
    });
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_worker = nullptr;
}

void DesktopService::post(std::function<void(Database &)> job)
{
    if (!m_worker) {
        qCWarning(lcDesktopService) << "desktop database work dropped: the service is not started";
        return;
    }
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, job = std::move(job)] { worker->runJob(job); },
                              Qt::QueuedConnection);
}

quint64 DesktopService::supersede(const QString &key)
{
    std::lock_guard lock(m_latestMutex);
    return ++m_latest[key];
}

bool DesktopService::isLatest(const QString &key, quint64 generation) const
{
    std::lock_guard lock(m_latestMutex);
    return m_latest.value(key) == generation;
}

bool DesktopService::finishLatest(const QString &key, quint64 generation)
{
    std::lock_guard lock(m_latestMutex);
    const auto it = m_latest.find(key);
    if (it == m_latest.end() || it.value() != generation)
        return false;
    m_latest.erase(it); // nothing newer is waiting: the next submission starts afresh
    return true;
}

void DesktopService::applyConfiguration()
{
    if (const Status status = m_gateway.config().reload(); !status)
        qCWarning(lcDesktopService) << "could not reload the configuration:" << status.error().message;
}

} // namespace tarn::gateway
