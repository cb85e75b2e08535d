// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"
#include "gateway/routing/RouteCandidate.h"

#include <QList>

#include <mutex>
#include <unordered_map>

namespace tarn::gateway {

// Decides which channels a request goes to, in order. Shared by all worker threads.
// This first version orders the enabled channels serving the model by priority (highest first);
// weighted choice within a tier, cooldowns and learned capabilities replace it behind the same
// two calls.
class ChannelSelector
{
public:
    QList<RouteCandidate> candidates(const RuntimeConfig &config, const QString &model,
                                     const RouteRequirements &requirements);
    void reportOutcome(const RouteCandidate &candidate, AttemptOutcome outcome, int retryAfterSeconds);

    // Every model name some enabled channel serves (aliases included), sorted.
    static QStringList servedModels(const RuntimeConfig &config);

private:
    // Picks the channel's next key, round robin per channel (one shared cursor made two channels
    // of two keys each always use the same key). Survives configuration reloads: keyed by id.
    const QString &nextKey(const Channel &channel);

    std::mutex m_mutex;
    std::unordered_map<qint64, quint32> m_keyTurns; // channel id -> next key index
};

} // namespace tarn::gateway
