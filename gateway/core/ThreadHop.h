// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThread>

#include <future>
#include <type_traits>

namespace tarn::gateway {

// Runs fn on context's thread and waits for its result. Like Qt::BlockingQueuedConnection, but the
// hand-over goes through std::promise, which ThreadSanitizer sees: Qt's semaphore synchronises
// inside uninstrumented Qt, so what the other thread wrote was reported as a race. Never call it
// from context's own thread (it would wait for itself), nor while that thread runs no event loop.
template<typename F>
auto runOnThreadOf(QObject *context, F fn) -> decltype(fn())
{
    using R = decltype(fn());
    Q_ASSERT(context->thread() != QThread::currentThread());
    std::promise<R> done;
    std::future<R> result = done.get_future();
    QMetaObject::invokeMethod(context, [&fn, &done] {
        if constexpr (std::is_void_v<R>) {
            fn();
            done.set_value();
        } else {
            done.set_value(fn());
        }
    }, Qt::QueuedConnection);
    return result.get();
}

} // namespace tarn::gateway
