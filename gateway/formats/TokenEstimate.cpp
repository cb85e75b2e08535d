// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/TokenEstimate.h"

namespace tarn::gateway {

namespace {

bool isCjk(char32_t c)
{
    return (c >= 0x2E80 && c <= 0x9FFF)     // CJK radicals, kana, Han, hangul compatibility jamo
        || (c >= 0xAC00 && c <= 0xD7AF)     // hangul syllables
        || (c >= 0xF900 && c <= 0xFAFF)     // CJK compatibility ideographs
        || (c >= 0xFF00 && c <= 0xFFEF)     // full-width forms
        || (c >= 0x20000 && c <= 0x3FFFF);  // Han extensions
}

// Characters the tokenizers spend about a token on each: the Brahmic and South-East Asian
// scripts (Devanagari to Myanmar: Hindi, Bengali, Tamil, Thai, Lao, Tibetan, Burmese; Khmer),
// whose letters rarely merge, and the punctuation, arrow, box-drawing and dingbat blocks.
bool isTokenPerCharacter(char32_t c)
{
    return (c >= 0x0900 && c <= 0x109F) || (c >= 0x1780 && c <= 0x17FF) || (c >= 0x2000 && c <= 0x2E7F);
}

constexpr qint64 kPerMessage = 4;
constexpr qint64 kPerMedia = 1000;

qint64 partTokens(const ir::Part &part)
{
    using Kind = ir::Part::Kind;
    switch (part.kind) {
    case Kind::Image: return kPerMedia;
    case Kind::ToolCall: return estimateTextTokens(part.name) + estimateTextTokens(part.arguments) + 3;
    case Kind::ToolResult: {
        qint64 tokens = 3;
        for (const ir::Part &inner : part.content)
            tokens += partTokens(inner);
        return tokens;
    }
    case Kind::Text:
    case Kind::Thinking:
    case Kind::RedactedThinking: return estimateTextTokens(part.text);
    }
    return 0;
}

} // namespace

qint64 estimateTextTokens(std::string_view utf8)
{
    qint64 asciiBytes = 0, wholeTokens = 0, other = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const unsigned char lead = static_cast<unsigned char>(utf8[i]);
        if (lead < 0x80) {
            ++asciiBytes;
            ++i;
            continue;
        }
        const int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        char32_t c = lead & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F);
        for (int k = 1; k < length && i + std::size_t(k) < utf8.size(); ++k)
            c = (c << 6) | (static_cast<unsigned char>(utf8[i + std::size_t(k)]) & 0x3F);
        i += std::size_t(length);
        if (isCjk(c) || isTokenPerCharacter(c))
            ++wholeTokens;
        else if (length == 4)
            wholeTokens += 2; // emoji and other astral symbols: their four bytes rarely merge
        else
            ++other;          // Latin with accents, Greek, Cyrillic, Arabic, Hebrew, …
    }
    return (asciiBytes + 3) / 4 + wholeTokens + (other + 1) / 2;
}

qint64 estimatePromptTokens(const ir::Request &request)
{
    qint64 tokens = 0;
    for (const ir::Part &part : request.system)
        tokens += partTokens(part);
    for (const ir::Message &message : request.messages) {
        tokens += kPerMessage;
        for (const ir::Part &part : message.parts)
            tokens += partTokens(part);
    }
    for (const ir::Tool &tool : request.tools)
        tokens += estimateTextTokens(tool.name) + estimateTextTokens(tool.description)
            + estimateTextTokens(tool.parameters) + 8;
    return tokens;
}

} // namespace tarn::gateway
