// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

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
bool isSpace(char c);
qsizetype skipWhitespace(QByteArrayView s, qsizetype i);
qsizetype skipString(QByteArrayView s, qsizetype i);  // i at the opening quote
qsizetype skipValue(QByteArrayView s, qsizetype i);   // any value, nested ones whole
} // namespace jsonscan

// `"…"` with JSON escaping.
QByteArray jsonQuoted(const QString &text);

// Copy of json with the byte range replaced.
QByteArray spliced(QByteArrayView json, JsonSpan span, QByteArrayView replacement);

} // namespace tarn::gateway
