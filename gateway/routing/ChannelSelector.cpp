// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/routing/ChannelSelector.h"

#include <algorithm>

namespace tarn::gateway {

QList<RouteCandidate> ChannelSelector::candidates(const RuntimeConfig &config, const QString &model,
                                                  const RouteRequirements &requirements)
{
    QList<RouteCandidate> out;
    for (const Channel &channel : config.channels) {
        if (!channel.enabled || channel.keys.isEmpty() || !channel.serves(model))
            continue;
        // Only OpenAI-compatible upstreams until the translators arrive.
        if (channel.type != requirements.inboundFormat)
            continue;
        if (requirements.tools && channel.capabilities.tools == CapabilityMode::Off)
            continue;
        out.append({&channel, channel.upstreamModel(model), nextKey(channel)});
    }
    std::stable_sort(out.begin(), out.end(), [](const RouteCandidate &a, const RouteCandidate &b) {
        return a.channel->priority > b.channel->priority;
    });
    return out;
}

const QString &ChannelSelector::nextKey(const Channel &channel)
{
    if (channel.keys.size() == 1)
        return channel.keys.constFirst();
    quint32 turn = 0;
    {
        std::lock_guard lock(m_mutex);
        turn = m_keyTurns[channel.id]++;
    }
    return channel.keys.at(int(turn % quint32(channel.keys.size())));
}

void ChannelSelector::reportOutcome(const RouteCandidate &, AttemptOutcome, int)
{
    // Cooldowns and circuit breaking arrive with the routing work.
}

QStringList ChannelSelector::servedModels(const RuntimeConfig &config)
{
    QStringList models;
    for (const Channel &channel : config.channels) {
        if (!channel.enabled)
            continue;
        for (const QString &m : channel.servedModels()) {
            if (!models.contains(m))
                models.append(m);
        }
    }
    models.sort();
    return models;
}

} // namespace tarn::gateway
