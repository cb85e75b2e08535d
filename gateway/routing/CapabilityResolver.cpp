// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/routing/CapabilityResolver.h"

#include "gateway/routing/KnownModels.h"

namespace tarn::gateway {

QString capabilitySourceName(CapabilitySource source)
{
    switch (source) {
    case CapabilitySource::Declared: return QStringLiteral("declared");
    case CapabilitySource::Learned: return QStringLiteral("learned");
    case CapabilitySource::Builtin: return QStringLiteral("builtin");
    case CapabilitySource::Assumed: return QStringLiteral("assumed");
    }
    return QStringLiteral("assumed");
}

const EffectiveCapability &EffectiveCapabilities::get(Capability capability) const
{
    switch (capability) {
    case Capability::Tools: return tools;
    case Capability::ParallelTools: return parallelTools;
    case Capability::Vision: return vision;
    case Capability::JsonMode: return jsonMode;
    case Capability::Reasoning: return reasoning;
    }
    return tools;
}

namespace {

EffectiveCapability &slot(EffectiveCapabilities &caps, Capability capability)
{
    return const_cast<EffectiveCapability &>(caps.get(capability));
}

void applyLearned(EffectiveCapabilities &caps, const QList<LearnedCapability> &learned, const QString &model)
{
    for (const LearnedCapability &l : learned) {
        if (l.model == model)
            slot(caps, l.capability) = {l.supported, CapabilitySource::Learned};
    }
}

} // namespace

EffectiveCapabilities resolveCapabilities(const Channel &channel, const QString &upstreamModel,
                                          const QList<LearnedCapability> &learned)
{
    EffectiveCapabilities caps;
    // Assumed: serves text, tools and JSON mode; no vision or reasoning claims.
    caps.vision = {true, CapabilitySource::Assumed};
    caps.reasoning = {false, CapabilitySource::Assumed};
    if (const std::optional<KnownModel> known = lookupKnownModel(upstreamModel)) {
        const auto set = [&](Capability c, const std::optional<bool> &value) {
            if (value)
                slot(caps, c) = {*value, CapabilitySource::Builtin};
        };
        set(Capability::Tools, known->tools);
        set(Capability::ParallelTools, known->parallelTools);
        set(Capability::Vision, known->vision);
        set(Capability::JsonMode, known->jsonMode);
        set(Capability::Reasoning, known->reasoning);
        if (known->contextTokens > 0)
            caps.contextTokens = {known->contextTokens, CapabilitySource::Builtin};
        if (known->maxOutputTokens > 0)
            caps.maxOutputTokens = {known->maxOutputTokens, CapabilitySource::Builtin};
    }
    applyLearned(caps, channel.learned, upstreamModel);
    applyLearned(caps, learned, upstreamModel);
    for (const Capability c : {Capability::Tools, Capability::Vision, Capability::JsonMode}) {
        const CapabilityMode mode = channel.capabilities.mode(c);
        if (mode != CapabilityMode::Auto)
            slot(caps, c) = {mode == CapabilityMode::On, CapabilitySource::Declared};
    }
    if (channel.capabilities.contextTokens > 0)
        caps.contextTokens = {channel.capabilities.contextTokens, CapabilitySource::Declared};
    if (channel.capabilities.maxOutputTokens > 0)
        caps.maxOutputTokens = {channel.capabilities.maxOutputTokens, CapabilitySource::Declared};
    return caps;
}

} // namespace tarn::gateway
