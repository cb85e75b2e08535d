// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/http/HttpLimits.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>

namespace tarn::gateway {

class RequestHandler;
struct ServerLoad;

// Makes the request handler of one worker thread; called on that thread, with the worker as the
// parent for any QObject the handler needs (its upstream client, for one).
using RequestHandlerFactory = std::function<std::unique_ptr<RequestHandler>(QObject *threadContext)>;

// Lives in one worker thread: owns that thread's connections and request handler.
class HttpWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpWorker)

public:
    HttpWorker(const HttpLimits &limits, RequestHandlerFactory factory, ServerLoad *load,
               QObject *parent = nullptr);
    ~HttpWorker() override;

    // Called (queued) on the worker's thread.
    void start();
    void adopt(qintptr descriptor);
    void shutdown(int graceMs);

Q_SIGNALS:
    void drained();

private:
    void checkDrained();

    HttpLimits m_limits;
    RequestHandlerFactory m_factory;
    std::unique_ptr<RequestHandler> m_handler;
    ServerLoad *m_load;
    int m_liveConnections = 0;
    bool m_shuttingDown = false;
};

} // namespace tarn::gateway
