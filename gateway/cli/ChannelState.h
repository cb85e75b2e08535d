// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A channel's live state as the listings show it: what the running gateway published
// (router_state) merged with what the configuration says (a disabled channel, disabled keys).
#include "gateway/core/Channel.h"
#include "gateway/core/RouterStatus.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace tarn::gateway::cli {

struct KeyStateView
{
    QString maskedKey;
    QString keyId;
    HealthState state = HealthState::Healthy;
    QDateTime cooldownUntil;
    QString disabledReason; // empty unless state is Disabled
};

struct ChannelStateView
{
    HealthState state = HealthState::Healthy;
    QDateTime cooldownUntil;
    QString reason;          // why the channel is not healthy; empty when it is
    bool published = false;  // the gateway published a row for this channel
    double effectiveWeight = 0;
    double latencyMs = -1;
    double errorRate = 0;
    QDateTime updatedAt;
    QList<KeyStateView> keys;

    // Takes a share of its tier's traffic.
    bool available() const { return state == HealthState::Healthy; }
};

// A cooldown that has passed reads as healthy: a gateway that stopped publishing leaves its last
// rows behind. Disabled in configuration, or every key disabled, reads as disabled.
ChannelStateView channelStateView(const Channel &channel, const RouterStatus &status,
                                  const QDateTime &now = QDateTime::currentDateTimeUtc());

// Every model name the channel sends upstream: its models, then alias targets not among them.
QStringList upstreamModels(const Channel &channel);

// `list --json` / `show --json`: the configuration (secrets masked, declared capabilities as
// "declared_capabilities"), the state fields and "capabilities", the effective capabilities with
// their source for each upstream model.
QJsonObject channelStateJson(const Channel &channel, const ChannelStateView &view);
QJsonArray effectiveCapabilitiesJson(const Channel &channel);

// "healthy", "cooling until 12:00 UTC (429 rate limited)", "disabled (401 invalid key)".
QString describeState(HealthState state, const QDateTime &cooldownUntil, const QString &reason);

} // namespace tarn::gateway::cli
