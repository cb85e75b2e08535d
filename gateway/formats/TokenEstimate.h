// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Conversation.h"

#include <string_view>

namespace tarn::gateway {

// Token counts for text no tokenizer has seen, for count_tokens on channels that have no such
// endpoint and for routing's context check. BPE tokenizers of the models Tarn serves (GPT, Claude,
// GLM, Qwen, DeepSeek) spend about one token per 4 bytes of English or code, about one per CJK
// character (Han, kana, hangul), and about one per 2 characters of other scripts; the estimate
// follows those rates and so errs slightly high, which is the safe side for a context check.
qint64 estimateTextTokens(std::string_view utf8);

// A whole prompt: system, every message's text, tool calls and results, tool definitions, and
// overheads (4 per message, 1,000 per image or document: providers bill images by size, which
// Tarn does not decode).
qint64 estimatePromptTokens(const ir::Request &request);

} // namespace tarn::gateway
