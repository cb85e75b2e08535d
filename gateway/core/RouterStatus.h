// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace tarn::gateway {

// The router's live view of a channel or key, as the UI and `tarn channel list` show it.
enum class HealthState {
    Healthy,
    Cooling,  // rate-limited, out of quota or at its budget until cooldownUntil
    Open,     // circuit open after repeated 5xx/timeouts; a probe request is let through at cooldownUntil
    Disabled, // the upstream rejected the key (401/403); a passing test re-enables it
};

inline QString healthStateName(HealthState state)
{
    switch (state) {
    case HealthState::Healthy: return QStringLiteral("healthy");
    case HealthState::Cooling: return QStringLiteral("cooling");
    case HealthState::Open: return QStringLiteral("open");
    case HealthState::Disabled: return QStringLiteral("disabled");
    }
    return QStringLiteral("healthy");
}

struct KeyStatus
{
    QString keyId; // see keyId() in Channel.h
    HealthState state = HealthState::Healthy;
    QDateTime cooldownUntil; // UTC; null when not cooling
    QString reason;
    qint64 requests = 0; // attempts since the gateway started
    qint64 failures = 0;

    friend bool operator==(const KeyStatus &, const KeyStatus &) = default;
};

struct ChannelStatus
{
    qint64 channelId = 0;
    QString name;
    HealthState state = HealthState::Healthy; // the channel's own state (breaker, budget), keys aside
    QDateTime cooldownUntil;
    QString reason;
    double effectiveWeight = 0; // weight after budgets and upstream rate-limit headers
    double latencyMs = -1;      // EWMA of time to first byte; -1 = no sample yet
    double errorRate = 0;       // EWMA of failed attempts, 0..1
    qint64 requests = 0;        // attempts since the gateway started
    QList<KeyStatus> keys;
    QList<LearnedCapability> learned; // stored lessons and those not stored yet

    friend bool operator==(const ChannelStatus &, const ChannelStatus &) = default;
};

struct RouterStatus
{
    QDateTime takenAt; // UTC
    QList<ChannelStatus> channels;
};

} // namespace tarn::gateway
