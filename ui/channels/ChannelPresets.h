// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace tarn::ui {

// A provider the channel dialog can fill in: its wire type, documented base URL and suggested
// models (suggestions only: providers rename models often).
struct ChannelPreset
{
    QString label;       // shown in the preset combo
    QString namePrefix;  // suggested channel name
    gateway::ChannelType type = gateway::ChannelType::OpenAI;
    QString baseUrl;     // empty for Custom
    QStringList models;
    gateway::OpenAiApi api = gateway::OpenAiApi::Chat; // OpenAI type: which of its APIs
};

// The presets in the order the dialog offers them; the last one is "Custom" (fills nothing).
const QList<ChannelPreset> &channelPresets();

} // namespace tarn::ui
