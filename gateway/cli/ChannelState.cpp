// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/cli/ChannelState.h"

#include "gateway/cli/CliSupport.h"
#include "gateway/routing/CapabilityResolver.h"

namespace tarn::gateway::cli {

namespace {

// Cooling ends by itself; an open breaker waits for a probe request, so it stays open.
HealthState current(HealthState state, const QDateTime &cooldownUntil, const QDateTime &now)
{
    if (state == HealthState::Cooling && cooldownUntil.isValid() && cooldownUntil <= now)
        return HealthState::Healthy;
    return state;
}

QJsonValue orNull(bool present, const QJsonValue &value)
{
    return present ? value : QJsonValue(QJsonValue::Null);
}

} // namespace

ChannelStateView channelStateView(const Channel &channel, const RouterStatus &status, const QDateTime &now)
{
    ChannelStateView view;
    const ChannelStatus *row = nullptr;
    for (const ChannelStatus &c : status.channels) {
        if (c.channelId == channel.id)
            row = &c;
    }
    if (row) {
        view.published = true;
        view.state = current(row->state, row->cooldownUntil, now);
        if (view.state != HealthState::Healthy) {
            view.cooldownUntil = row->cooldownUntil;
            view.reason = row->reason;
        }
        view.effectiveWeight = row->effectiveWeight;
        view.latencyMs = row->latencyMs;
        view.errorRate = row->errorRate;
        view.updatedAt = status.takenAt;
    }

    int disabledKeys = 0;
    QString firstKeyReason;
    for (const QString &key : channel.keys) {
        KeyStateView k;
        k.maskedKey = maskSecret(key);
        k.keyId = keyId(key);
        if (channel.disabledKeys.contains(k.keyId)) {
            // The persisted state wins over the published one: it is what the next gateway reads.
            k.state = HealthState::Disabled;
            k.disabledReason = channel.disabledKeys.value(k.keyId);
        } else if (row) {
            for (const KeyStatus &ks : row->keys) {
                if (ks.keyId != k.keyId)
                    continue;
                k.state = current(ks.state, ks.cooldownUntil, now);
                if (k.state == HealthState::Cooling || k.state == HealthState::Open)
                    k.cooldownUntil = ks.cooldownUntil;
                if (k.state == HealthState::Disabled)
                    k.disabledReason = ks.reason;
            }
        }
        if (k.state == HealthState::Disabled) {
            ++disabledKeys;
            if (firstKeyReason.isEmpty())
                firstKeyReason = k.disabledReason;
        }
        view.keys.append(k);
    }

    if (!channel.enabled) {
        view.state = HealthState::Disabled;
        view.cooldownUntil = {};
        view.reason = QStringLiteral("disabled in the configuration");
    } else if (!channel.keys.isEmpty() && disabledKeys == channel.keys.size()) {
        view.state = HealthState::Disabled;
        view.cooldownUntil = {};
        view.reason = firstKeyReason.isEmpty() ? QStringLiteral("every key is disabled")
                                               : QStringLiteral("every key is disabled (%1)").arg(firstKeyReason);
    }
    return view;
}

QStringList upstreamModels(const Channel &channel)
{
    QStringList models = channel.models;
    for (const QString &target : channel.modelMap) {
        if (!models.contains(target))
            models.append(target);
    }
    return models;
}

// The contract's three sources: what neither the user, an upstream nor the table says is the
// built-in default assumption, flagged "assumed": true.
static QString jsonSource(CapabilitySource source)
{
    return capabilitySourceName(source == CapabilitySource::Assumed ? CapabilitySource::Builtin : source);
}

QJsonArray effectiveCapabilitiesJson(const Channel &channel)
{
    QJsonArray array;
    for (const QString &model : upstreamModels(channel)) {
        const EffectiveCapabilities caps = resolveCapabilities(channel, model);
        QJsonObject entry{{QStringLiteral("model"), model}};
        for (const Capability c : kAllCapabilities) {
            const EffectiveCapability &e = caps.get(c);
            entry.insert(capabilityName(c), QJsonObject{{QStringLiteral("supported"), e.supported},
                                                        {QStringLiteral("source"), jsonSource(e.source)},
                                                        {QStringLiteral("assumed"), e.source == CapabilitySource::Assumed}});
        }
        for (const auto &[name, limit] : {std::pair{QStringLiteral("context_tokens"), caps.contextTokens},
                                          std::pair{QStringLiteral("max_output_tokens"), caps.maxOutputTokens}}) {
            entry.insert(name, QJsonObject{{QStringLiteral("value"), orNull(limit.tokens > 0, limit.tokens)},
                                           {QStringLiteral("source"), jsonSource(limit.source)},
                                           {QStringLiteral("assumed"), limit.source == CapabilitySource::Assumed}});
        }
        array.append(entry);
    }
    return array;
}

QJsonObject channelStateJson(const Channel &channel, const ChannelStateView &view)
{
    QJsonObject object = channelToJson(channel, SecretMode::Mask);
    object.insert(QStringLiteral("declared_capabilities"), object.take(QStringLiteral("capabilities")));
    object.insert(QStringLiteral("capabilities"), effectiveCapabilitiesJson(channel));
    const bool disabled = view.state == HealthState::Disabled;
    object.insert(QStringLiteral("state"), healthStateName(view.state));
    object.insert(QStringLiteral("cooldown_until"), QJsonValue::fromVariant(jsonTime(view.cooldownUntil)));
    object.insert(QStringLiteral("disabled_reason"), orNull(disabled, view.reason));
    object.insert(QStringLiteral("state_reason"), view.reason);
    object.insert(QStringLiteral("effective_weight"), orNull(view.published, view.effectiveWeight));
    object.insert(QStringLiteral("latency_ms"), orNull(view.published && view.latencyMs >= 0, view.latencyMs));
    object.insert(QStringLiteral("error_rate"), orNull(view.published, view.errorRate));
    object.insert(QStringLiteral("state_updated_at"), QJsonValue::fromVariant(jsonTime(view.updatedAt)));
    QJsonArray keys;
    for (const KeyStateView &k : view.keys) {
        keys.append(QJsonObject{{QStringLiteral("key"), k.maskedKey},
                                {QStringLiteral("key_id"), k.keyId},
                                {QStringLiteral("state"), healthStateName(k.state)},
                                {QStringLiteral("cooldown_until"), QJsonValue::fromVariant(jsonTime(k.cooldownUntil))},
                                {QStringLiteral("disabled_reason"), orNull(k.state == HealthState::Disabled, k.disabledReason)}});
    }
    object.insert(QStringLiteral("keys_state"), keys);
    return object;
}

QString describeState(HealthState state, const QDateTime &cooldownUntil, const QString &reason)
{
    QString text = healthStateName(state);
    if (cooldownUntil.isValid())
        text += QStringLiteral(" until ") + cooldownUntil.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
    if (!reason.isEmpty() && state != HealthState::Healthy)
        text += QStringLiteral(" (") + reason + u')';
    return text;
}

} // namespace tarn::gateway::cli
