// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace tarn::gateway {

// What the built-in table knows of a well-known model family; nullopt / 0 = not known.
struct KnownModel
{
    QString family; // e.g. "glm-4.6", "gpt-4o", "claude-sonnet-4"
    std::optional<bool> tools;
    std::optional<bool> parallelTools;
    std::optional<bool> vision;
    std::optional<bool> jsonMode;
    std::optional<bool> reasoning;
    int contextTokens = 0;
    int maxOutputTokens = 0;
};

// Looks the upstream model name up in the built-in table (GLM, MiniMax, Qwen, Doubao/Seed,
// DeepSeek, Kimi/Moonshot, GPT/o-series, Claude, Gemini families). Case-insensitive; tolerates
// vendor prefixes ("openai/gpt-4o", "anthropic/claude-…", "Pro/deepseek-ai/DeepSeek-V3") and
// date/version suffixes ("gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929").
std::optional<KnownModel> lookupKnownModel(const QString &model);

} // namespace tarn::gateway
