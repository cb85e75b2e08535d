// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>

class QThread;

namespace tarn::gateway {

class Database;
class Gateway;
class DesktopDatabaseWorker;

// The desktop's one way into the gateway: live state straight from the Gateway, and every read or
// write of the store on a thread of its own with its own SQLite connection, so a page never blocks
// the GUI thread on the database (a 1 M-row aggregate, a busy write lock). The UI never sees SQL:
// the work it hands over calls repositories and returns plain structs.
class DesktopService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopService)

public:
    explicit DesktopService(Gateway &gateway, QObject *parent = nullptr);
    ~DesktopService() override;

    // Opens the service's own connection to the gateway's database (on its thread). Call once,
    // after the gateway has started.
    Status start();
    // Stops the database thread after the work already handed over has run.
    void stop();

    Gateway &gateway() const { return m_gateway; }

    // Runs work on the database thread; then done(result) on the service's thread (the GUI thread),
    // unless context has been destroyed meanwhile (the result is then dropped). Work runs in
    // submission order. context must live on the service's thread: whether it is still alive is
    // decided there, because a check made on the database thread could be outdated by the time the
    // result is delivered (the context destroyed between the check and the post).
    template<typename T>
    void run(QObject *context, std::function<T(Database &)> work, std::function<void(T)> done)
    {
        Q_ASSERT(context && context->thread() == thread());
        post([this, guard = QPointer<QObject>(context), work = std::move(work),
              done = std::move(done)](Database &database) {
            auto result = std::make_shared<T>(work(database));
            QMetaObject::invokeMethod(this, [guard, result, done] {
                if (guard)
                    done(std::move(*result));
            }, Qt::QueuedConnection);
        });
    }

    // run() for work whose newer submission makes an older one pointless (a poll, a refresh after a
    // filter or range change): of the submissions for the same context and slot still waiting, only
    // the newest runs and is delivered; the others are skipped without touching the database, so a
    // write handed over meanwhile does not queue behind a pile of superseded queries.
    template<typename T>
    void runLatest(QObject *context, const QString &slot, std::function<T(Database &)> work,
                   std::function<void(T)> done)
    {
        Q_ASSERT(context && context->thread() == thread());
        const QString key = QString::number(quintptr(context), 16) + u'/' + slot;
        const quint64 generation = supersede(key);
        post([this, key, generation, guard = QPointer<QObject>(context), work = std::move(work),
              done = std::move(done)](Database &database) {
            if (!isLatest(key, generation))
                return;
            auto result = std::make_shared<T>(work(database));
            QMetaObject::invokeMethod(this, [this, key, generation, guard, result, done] {
                if (finishLatest(key, generation) && guard)
                    done(std::move(*result));
            }, Qt::QueuedConnection);
        });
    }

    // A change written through run() reaches the router at once (not at the next poll of the
    // configuration revision). Call from the GUI thread, in the write's done callback.
    void applyConfiguration();

Q_SIGNALS:
    // The configuration changed: written here, by the command line, or by another process.
    void configurationChanged();

private:
    void post(std::function<void(Database &)> job);
    // runLatest's bookkeeping (any thread): the generation a new submission for key gets, whether
    // generation is still the newest, and (on delivery) whether it was, forgetting key if so.
    quint64 supersede(const QString &key);
    bool isLatest(const QString &key, quint64 generation) const;
    bool finishLatest(const QString &key, quint64 generation);

    Gateway &m_gateway;
    QThread *m_thread = nullptr;
    DesktopDatabaseWorker *m_worker = nullptr;
    mutable std::mutex m_latestMutex;
    QHash<QString, quint64> m_latest; // runLatest: the newest generation per context and slot
};

} // namespace tarn::gateway
