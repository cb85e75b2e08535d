// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Starting the management API beside the gateway, the same way headless and with a window.
#include "gateway/Gateway.h"
#include "gateway/admin/AdminServer.h"

#include <cstdio>
#include <optional>

namespace tarn::app {

struct AdminLaunch
{
    bool enabled = true;           // --no-admin turns it off
    std::optional<quint16> port;   // --admin-port N (0: any free port); default: the gateway's + 1
    bool ephemeral = false;        // the gateway was asked for port 0: so is the API
};

// Starts admin for gateway and prints "admin on http://127.0.0.1:PORT" (a line scripts parse, like
// "listening on"); a port that cannot be had is said on stderr and the gateway serves on without it.
inline void startAdmin(gateway::AdminServer &admin, const gateway::Gateway &gateway, const AdminLaunch &launch)
{
    if (!launch.enabled)
        return;
    const quint16 port = launch.port.value_or(gateway::AdminServer::defaultPort(gateway.urls(), launch.ephemeral));
    if (const gateway::Status status = admin.start(port); !status) {
        std::fprintf(stderr, "tarn: the management API is off: %s (choose another port with --admin-port, or --no-admin)\n",
                     qPrintable(status.error().message));
        return;
    }
    std::fprintf(stdout, "admin on %s\n", qPrintable(admin.url().toString()));
    std::fflush(stdout);
}

} // namespace tarn::app
