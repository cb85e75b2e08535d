// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <cstring>
#include <string_view>

namespace tarn::gateway {

// Byte range [begin, end) of a value inside a JSON text.
struct JsonSpan
{
    qsizetype begin = -1;
    qsizetype end = -1;
    bool found() const { return begin >= 0; }
};

// Locates the value of a top-level member of a JSON object without building a DOM, so a 1 MB chat
// history is scanned once and never reserialised. The text must already be valid JSON (validate
// with a real parser first); a name written with escapes matches the key it decodes to.
JsonSpan findTopLevelMember(QByteArrayView json, QByteArrayView key);

// Scanning helpers over valid JSON text: each takes the index of the first byte of its token and
// returns the index after it (-1 when the text ends first).
namespace jsonscan {
inline bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
inline qsizetype skipWhitespace(QByteArrayView s, qsizetype i)
{
    while (i < s.size() && isSpace(s.data()[i]))
        ++i;
    return i;
}
qsizetype skipString(QByteArrayView s, qsizetype i);  // i at the opening quote
qsizetype skipValue(QByteArrayView s, qsizetype i);   // any value, nested ones whole

// Where each of `names` first occurs quoted ("name", quotes included) in `text`, or -1: what one
// indexOf per name would say, in one pass over the text's quotes. A filter before a real parse
// (an occurrence may sit inside a string value); the hot path runs it on every answer and event.
template<std::size_t N>
std::array<qsizetype, N> findQuoted(QByteArrayView text, const std::array<std::string_view, N> &names)
{
    std::array<qsizetype, N> at;
    at.fill(-1);
    std::size_t missing = N;
    const char *const begin = text.data();
    const char *const end = begin + text.size();
    for (const char *quote = begin; missing > 0 && quote < end; ++quote) {
        quote = static_cast<const char *>(std::memchr(quote, '"', std::size_t(end - quote)));
        if (!quote)
            break;
        const std::size_t left = std::size_t(end - quote - 1);
        for (std::size_t k = 0; k < N; ++k) {
            const std::string_view name = names[k];
            if (at[k] < 0 && left > name.size() && quote[1 + name.size()] == '"'
                && std::memcmp(quote + 1, name.data(), name.size()) == 0) {
                at[k] = quote - begin;
                --missing;
            }
        }
    }
    return at;
}
} // namespace jsonscan

// `"…"` with JSON escaping.
QByteArray jsonQuoted(const QString &text);

// Copy of json with the byte range replaced.
QByteArray spliced(QByteArrayView json, JsonSpan span, QByteArrayView replacement);

} // namespace tarn::gateway
