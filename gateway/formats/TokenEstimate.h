// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Conversation.h"

#include <string_view>

namespace tarn::gateway {

// Token counts for text no tokenizer has seen, for count_tokens on channels that have no such
// endpoint and for routing's context check. BPE tokenizers of the models Tarn serves (GPT, Claude,
// GLM, Qwen, DeepSeek) spend about one token per 4 bytes of English or code; about one per CJK
// character (Han, kana, hangul), per letter of the Brahmic and South-East Asian scripts (Hindi,
// Thai, Burmese, Khmer, …) and per symbol (arrows, box drawing); about two per emoji; and about
// one per 2 characters of the other scripts (accented Latin, Greek, Cyrillic, Arabic, Hebrew).
// The estimate follows those rates and so errs slightly high, the safe side for a context check.
qint64 estimateTextTokens(std::string_view utf8);

// A whole prompt: system, every message's text, tool calls and results, tool definitions, and
// overheads (4 per message, 1,000 per image or document: providers bill images by size, which
// Tarn does not decode).
qint64 estimatePromptTokens(const ir::Request &request);

} // namespace tarn::gateway
