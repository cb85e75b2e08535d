// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QList>
#include <QObject>
#include <QUrl>

#include <memory>
#include <optional>

class QThread;

namespace tarn::gateway {

class Gateway;
class AdminWorker;
struct AdminShared;

// The management API: JSON for scripts and automation, on QtHttpServer. It listens on 127.0.0.1
// only, whatever the gateway exposes, and every request must carry the local admin token
// (`Authorization: Bearer <contents of <data dir>/admin-token>`); it answers on a thread of its
// own with its own database connection, so a slow query never holds up the gateway or the window.
//
//   GET  /admin/v1/status    version, uptime, paused, listening URLs, channels by live state
//   GET  /admin/v1/channels  every channel as `tarn channel list --json` shows it, live state
//   GET  /admin/v1/keys      client keys: name, prefix, allowed models, expiry, last use (no hash)
//   GET  /admin/v1/usage     totals per channel and model since ?since= (default 24h), as `tarn usage --json`
//   GET  /admin/v1/requests  the newest ?limit= (default 100, at most 1000) requests
//   GET  /admin/v1/router    the router's live state: per channel and key, state, cooldown, reason
//   POST /admin/v1/pause, /admin/v1/resume
//
// Errors are {"error": {"type", "message"}} with 401 (no or wrong token), 403 (not loopback),
// 404 (no such endpoint), 405 (wrong method) or 400 (bad parameter). Secrets never leave: keys
// are masked ("sk-p…"), client keys appear by name and prefix only.
class AdminServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminServer)

public:
    // The gateway must be started and outlive the server (stop() the server first).
    explicit AdminServer(Gateway &gateway, QObject *parent = nullptr);
    ~AdminServer() override;

    // Loads or creates the admin token, then binds 127.0.0.1:port (0: any free port).
    Status start(quint16 port);
    void stop();
    // http://127.0.0.1:PORT once started; empty before.
    QUrl url() const { return m_url; }

    // Where the API goes when not told: the gateway's first port + 1, or any free port when the
    // gateway itself was given port 0 (tests, scripts that read the announced lines).
    static quint16 defaultPort(const QList<QUrl> &listening, bool ephemeral);

private:
    void publishListening(const QList<QUrl> &urls);

    Gateway &m_gateway;
    std::shared_ptr<AdminShared> m_shared;
    QThread *m_thread = nullptr;
    AdminWorker *m_worker = nullptr;
    QUrl m_url;
};

} // namespace tarn::gateway
