// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/TokenUsage.h"

#include <QByteArray>
#include <QString>

namespace tarn::gateway {

// Reads an OpenAI `usage` object (chat, completions, embeddings), including the cached-token
// fields providers use: prompt_tokens_details.cached_tokens (OpenAI, Qwen, Zhipu),
// prompt_cache_hit_tokens (DeepSeek) and cached_tokens (Moonshot), and the reasoning tokens in
// completion_tokens_details.reasoning_tokens. Counts are clamped (ir::clampTokens).
TokenUsage parseOpenAiUsage(QByteArrayView usageJson);

// Usage of a whole (non-streamed) response body; reported=false when it has none.
TokenUsage usageOfOpenAiBody(QByteArrayView body);

// Copy of a response object with its top-level `model` set to what the client asked for, or the
// input unchanged (shared) when it has no model member.
QByteArray withModel(const QByteArray &json, const QString &model);

} // namespace tarn::gateway
