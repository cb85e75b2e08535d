// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

namespace tarn::gateway {

// A wire format a client or a channel speaks. Errors are answered in the client's own shape.
enum class ApiFormat { OpenAI, Anthropic, Gemini };

ApiFormat apiFormatOf(ChannelType type);
const char *apiFormatName(ApiFormat format); // "openai", "anthropic", "gemini"

} // namespace tarn::gateway
