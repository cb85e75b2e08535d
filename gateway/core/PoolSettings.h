// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace tarn::gateway {

// How a pool (every channel serving one model name) orders its channels inside a priority tier.
enum class RoutingStrategy { Weighted, Latency, Cheapest };
QString routingStrategyName(RoutingStrategy strategy); // "weighted", "latency", "cheapest"
std::optional<RoutingStrategy> routingStrategyFromName(const QString &name);

struct PoolSettings
{
    RoutingStrategy strategy = RoutingStrategy::Weighted;
    bool sticky = true; // requests of one conversation keep their channel while it is healthy

    friend bool operator==(const PoolSettings &, const PoolSettings &) = default;
};

} // namespace tarn::gateway
