// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/SettingKeys.h"

#include "gateway/core/Channel.h"
#include "gateway/core/ClientKey.h"
#include "gateway/core/PoolSettings.h"

#include <QHash>

#include <memory>

namespace tarn::gateway {

// Gateway-wide routing limits (settings table, "routing.*").
struct RoutingSettings
{
    int maxAttempts = 0;          // 0 = every candidate once; never more than kMaxAttemptsCap
    int timeBudgetMs = 120'000;   // no new attempt starts after this much time in a request
    bool retryEmptyAnswers = false; // a 200 with no content and 0 output tokens fails over
    int retestIntervalS = 300;    // how often disabled keys are tested again; 0 = never

    static constexpr int kMaxAttemptsCap = 5;
};

// Everything the request path reads, as one immutable snapshot: a request keeps the snapshot it
// started with, and a configuration change swaps in a new one without locking the request path.
struct RuntimeConfig
{
    QList<Channel> channels; // every channel, enabled or not, ordered by priority
    QHash<QByteArray, ClientKey> keysByHash; // by stored hash, salted or (not yet upgraded) plain
    QByteArray keySalt; // the install's salt for key hashes; empty = could not be read (no upgrades)
    bool loopbackWithoutKey = true; // loopback clients may omit the client key
    QHash<QString, PoolSettings> pools; // by model name; absent = defaults
    RoutingSettings routing;
    qint64 revision = 0;
};

using ConfigSnapshot = std::shared_ptr<const RuntimeConfig>;

} // namespace tarn::gateway
