// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/PoolSettings.h"

namespace tarn::gateway {

QString routingStrategyName(RoutingStrategy strategy)
{
    switch (strategy) {
    case RoutingStrategy::Weighted: return QStringLiteral("weighted");
    case RoutingStrategy::Latency: return QStringLiteral("latency");
    case RoutingStrategy::Cheapest: return QStringLiteral("cheapest");
    }
    return QStringLiteral("weighted");
}

std::optional<RoutingStrategy> routingStrategyFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"weighted")
        return RoutingStrategy::Weighted;
    if (n == u"latency")
        return RoutingStrategy::Latency;
    if (n == u"cheapest")
        return RoutingStrategy::Cheapest;
    return std::nullopt;
}

} // namespace tarn::gateway
