// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <atomic>

namespace tarn::gateway {

// Counters shared by every connection of one server, for the limits that span connections.
struct ServerLoad
{
    std::atomic<int> openConnections{0};
    std::atomic<qint64> bufferedRequestBytes{0}; // request bytes held, body by body
};

} // namespace tarn::gateway
