// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/ClientKey.h"

#include <QHash>

#include <memory>

namespace tarn::gateway {

// Everything the request path reads, as one immutable snapshot: a request keeps the snapshot it
// started with, and a configuration change swaps in a new one without locking the request path.
struct RuntimeConfig
{
    QList<Channel> channels; // every channel, enabled or not, ordered by priority
    QHash<QByteArray, ClientKey> keysByHash;
    bool loopbackWithoutKey = true; // loopback clients may omit the client key
    qint64 revision = 0;
};

using ConfigSnapshot = std::shared_ptr<const RuntimeConfig>;

namespace SettingKeys {
inline constexpr char LoopbackWithoutKey[] = "gateway.loopback_without_key";
}

} // namespace tarn::gateway
