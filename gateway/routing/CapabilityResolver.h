// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

namespace tarn::gateway {

// Where an effective capability comes from, strongest first.
enum class CapabilitySource {
    Declared, // set on the channel (CLI/UI): on or off
    Learned,  // an upstream rejected (or served) it for this model
    Builtin,  // the built-in table of well-known models
    Assumed,  // nobody knows: assumed supported until an upstream says otherwise
};
QString capabilitySourceName(CapabilitySource source); // "declared", "learned", "builtin", "assumed"

struct EffectiveCapability
{
    bool supported = true;
    CapabilitySource source = CapabilitySource::Assumed;
};

struct EffectiveLimit
{
    int tokens = 0; // 0 = unknown
    CapabilitySource source = CapabilitySource::Assumed;
};

// A channel-model's capabilities after declared > learned > built-in > assumed.
struct EffectiveCapabilities
{
    EffectiveCapability tools, parallelTools, vision, jsonMode, reasoning;
    EffectiveLimit contextTokens, maxOutputTokens;

    const EffectiveCapability &get(Capability capability) const;
};

// `learned` adds to channel.learned (the router's not yet persisted lessons); later entries win.
EffectiveCapabilities resolveCapabilities(const Channel &channel, const QString &upstreamModel,
                                          const QList<LearnedCapability> &learned = {});

} // namespace tarn::gateway
