// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/JsonMembers.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>
#include <cstring>

namespace tarn::gateway {

namespace {

using jsonscan::skipString;
using jsonscan::skipValue;
using jsonscan::skipWhitespace;

// A member name as written (escapes and all) against a plain key: `"mod\u0065l"` is `model` to
// every JSON parser, so it must be to Tarn too.
bool nameIs(QByteArrayView written, QByteArrayView key)
{
    if (!written.contains('\\'))
        return written == key;
    const QJsonDocument decoded = QJsonDocument::fromJson("[\"" + written.toByteArray() + "\"]");
    return decoded.isArray() && decoded.array().at(0).toString().toUtf8() == key;
}

} // namespace

namespace jsonscan {

qsizetype skipString(QByteArrayView s, qsizetype i)
{
    // The closing quote is the first one not escaped: preceded by an even run of backslashes.
    const char *const data = s.data();
    for (++i; i < s.size(); ++i) {
        const void *quote = std::memchr(data + i, '"', std::size_t(s.size() - i));
        if (!quote)
            return -1;
        i = static_cast<const char *>(quote) - data;
        qsizetype backslashes = 0;
        while (data[i - 1 - backslashes] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0)
            return i + 1;
    }
    return -1;
}

qsizetype skipValue(QByteArrayView s, qsizetype i)
{
    if (i >= s.size())
        return -1;
    const char c = s[i];
    if (c == '"')
        return skipString(s, i);
    if (c == '{' || c == '[') {
        int depth = 0;
        while (i < s.size()) {
            const char d = s[i];
            if (d == '"') {
                i = skipString(s, i);
                if (i < 0)
                    return -1;
                continue;
            }
            if (d == '{' || d == '[')
                ++depth;
            else if ((d == '}' || d == ']') && --depth == 0)
                return i + 1;
            ++i;
        }
        return -1;
    }
    // number, true, false, null
    const qsizetype start = i;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !isSpace(s[i]))
        ++i;
    return i > start ? i : -1;
}

} // namespace jsonscan


JsonSpan findTopLevelMember(QByteArrayView json, QByteArrayView key)
{
    qsizetype i = skipWhitespace(json, 0);
    if (i >= json.size() || json[i] != '{')
        return {};
    i = skipWhitespace(json, i + 1);
    while (i < json.size() && json[i] == '"') {
        const qsizetype keyEnd = skipString(json, i);
        if (keyEnd < 0)
            return {};
        const QByteArrayView name = json.sliced(i + 1, keyEnd - i - 2);
        i = skipWhitespace(json, keyEnd);
        if (i >= json.size() || json[i] != ':')
            return {};
        i = skipWhitespace(json, i + 1);
        const qsizetype valueEnd = skipValue(json, i);
        if (valueEnd < 0)
            return {};
        if (nameIs(name, key))
            return {i, valueEnd};
        i = skipWhitespace(json, valueEnd);
        if (i < json.size() && json[i] == ',')
            i = skipWhitespace(json, i + 1);
    }
    return {};
}

QByteArray jsonQuoted(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out.append('"');
    for (const char c : utf8) {
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                out.append(buf);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
    return out;
}

QByteArray spliced(QByteArrayView json, JsonSpan span, QByteArrayView replacement)
{
    QByteArray out;
    out.reserve(json.size() - (span.end - span.begin) + replacement.size() + 64);
    out.append(json.first(span.begin)).append(replacement).append(json.sliced(span.end));
    return out;
}

} // namespace tarn::gateway
