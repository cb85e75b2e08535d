// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace tarn::gateway {

// Where the gateway listens ("--listen HOST:PORT"; "[::1]:8080" for IPv6).
// The port Tarn serves on when nothing else is said (--port, Settings).
inline constexpr quint16 kDefaultPort = 8276;

struct ListenAddress
{
    QString host;
    quint16 port = 0;

    friend bool operator==(const ListenAddress &, const ListenAddress &) = default;
};

} // namespace tarn::gateway
