// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

namespace tarn::gateway {

// A wire format a client or a channel speaks. Errors are answered in the client's own shape.
// OpenAI is Chat Completions; Responses is OpenAI's Responses API (Codex), whose errors outside a
// stream are OpenAI's.
enum class ApiFormat { OpenAI, Anthropic, Gemini, Responses };

ApiFormat apiFormatOf(ChannelType type);
// What a channel speaks: its type's format, or Responses for an OpenAI channel set to that API.
ApiFormat apiFormatOf(const Channel &channel);
const char *apiFormatName(ApiFormat format); // "openai", "anthropic", "gemini", "responses"

} // namespace tarn::gateway
