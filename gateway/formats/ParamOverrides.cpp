// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ParamOverrides.h"

#include "gateway/formats/JsonMembers.h"

#include <QList>
#include <QVarLengthArray>

namespace tarn::gateway {

namespace {

using jsonscan::isSpace;
using jsonscan::skipString;
using jsonscan::skipValue;
using jsonscan::skipWhitespace;

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The key a member name written with escapes stands for (`"top\u005fp"` is top_p to every
// parser, so it is to the overrides too). Escaped names are rare: no need to be fast.
QByteArray decodedName(QByteArrayView written)
{
    QString text;
    qsizetype plainFrom = 0;
    for (qsizetype i = 0; i < written.size(); ++i) {
        if (written[i] != '\\')
            continue;
        text += QString::fromUtf8(written.sliced(plainFrom, i - plainFrom));
        if (++i >= written.size())
            return {};
        const char e = written[i];
        switch (e) {
        case 'b': text += u'\b'; break;
        case 'f': text += u'\f'; break;
        case 'n': text += u'\n'; break;
        case 'r': text += u'\r'; break;
        case 't': text += u'\t'; break;
        case 'u': {
            if (i + 4 >= written.size())
                return {};
            char16_t unit = 0;
            for (int k = 1; k <= 4; ++k) {
                const int digit = hexDigit(written[i + k]);
                if (digit < 0)
                    return {};
                unit = char16_t(unit * 16 + digit);
            }
            text += QChar(unit); // a surrogate pair arrives as two escapes and joins up here
            i += 4;
            break;
        }
        default: text += QLatin1Char(e); // \" \\ \/
        }
        plainFrom = i + 1;
    }
    text += QString::fromUtf8(written.sliced(plainFrom));
    return text.toUtf8();
}

bool nameIs(QByteArrayView written, QByteArrayView key)
{
    if (!written.contains('\\'))
        return written == key;
    return decodedName(written) == key;
}

// One member of an object: where its name's opening quote is and where its value lies.
struct Member
{
    qsizetype keyBegin = 0;
    qsizetype valueBegin = 0;
    qsizetype valueEnd = 0;
    bool matches = false;
};

// The members of the object opening at s[open], flagging those named key.
struct ObjectScan
{
    qsizetype open = 0;
    qsizetype close = 0; // the index of '}'
    QVarLengthArray<Member, 16> members;
    qsizetype firstMatch = -1;
};

bool scanObject(QByteArrayView s, qsizetype open, QByteArrayView key, ObjectScan &scan)
{
    if (open >= s.size() || s[open] != '{')
        return false;
    scan.open = open;
    qsizetype i = skipWhitespace(s, open + 1);
    if (i < s.size() && s[i] == '}') {
        scan.close = i;
        return true;
    }
    while (i < s.size() && s[i] == '"') {
        Member m;
        m.keyBegin = i;
        const qsizetype keyEnd = skipString(s, i);
        if (keyEnd < 0)
            return false;
        m.matches = nameIs(s.sliced(i + 1, keyEnd - i - 2), key);
        i = skipWhitespace(s, keyEnd);
        if (i >= s.size() || s[i] != ':')
            return false;
        m.valueBegin = skipWhitespace(s, i + 1);
        m.valueEnd = skipValue(s, m.valueBegin);
        if (m.valueEnd < 0)
            return false;
        if (m.matches && scan.firstMatch < 0)
            scan.firstMatch = scan.members.size();
        scan.members.append(m);
        i = skipWhitespace(s, m.valueEnd);
        if (i < s.size() && s[i] == '}') {
            scan.close = i;
            return true;
        }
        if (i >= s.size() || s[i] != ',')
            return false;
        i = skipWhitespace(s, i + 1);
    }
    return false;
}

// Removes member j with the comma that separated it (the one after it, or before it for the last
// member), then brings the scan up to date with the shorter text.
void removeMember(QByteArray &out, ObjectScan &scan, qsizetype j)
{
    auto &m = scan.members;
    qsizetype from = 0;
    qsizetype to = 0;
    if (m.size() == 1) {
        from = scan.open + 1;
        to = scan.close;
    } else if (j + 1 < m.size()) {
        from = m[j].keyBegin;
        to = m[j + 1].keyBegin;
    } else {
        from = m[j - 1].valueEnd;
        to = m[j].valueEnd;
    }
    out.remove(from, to - from);
    const qsizetype removed = to - from;
    m.remove(j);
    for (qsizetype k = j; k < m.size(); ++k) {
        m[k].keyBegin -= removed;
        m[k].valueBegin -= removed;
        m[k].valueEnd -= removed;
    }
    scan.close -= removed;
}

// Removes every matching member at index >= from, last first so earlier offsets stay valid.
void removeMatches(QByteArray &out, ObjectScan &scan, qsizetype from)
{
    for (qsizetype j = scan.members.size() - 1; j >= from; --j) {
        if (scan.members[j].matches)
            removeMember(out, scan, j);
    }
}

// `"a":{"b":value}` for the segments a, b.
QByteArray nestedMember(const QList<QByteArray> &segments, qsizetype first, const QByteArray &value)
{
    QByteArray text;
    for (qsizetype i = first; i < segments.size(); ++i) {
        text += jsonQuoted(QString::fromUtf8(segments[i])) + ':';
        if (i + 1 < segments.size())
            text += '{';
    }
    text += value;
    text += QByteArray(segments.size() - 1 - first, '}');
    return text;
}

void appendMember(QByteArray &out, const ObjectScan &scan, const QByteArray &member)
{
    if (scan.members.isEmpty())
        out.insert(scan.open + 1, member);
    else
        out.insert(scan.members.last().valueEnd, QByteArray(',' + member));
}

// "a.b" -> {"a", "b"}; empty when a segment is empty.
QList<QByteArray> segmentsOf(const QString &path)
{
    QList<QByteArray> segments = path.toUtf8().split('.');
    for (const QByteArray &segment : segments) {
        if (segment.isEmpty())
            return {};
    }
    return segments;
}

void dropPath(QByteArray &out, qsizetype root, const QString &path)
{
    const QList<QByteArray> segments = segmentsOf(path);
    qsizetype open = root;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        ObjectScan scan;
        if (!scanObject(out, open, segments[i], scan) || scan.firstMatch < 0)
            return;
        if (i + 1 == segments.size()) {
            removeMatches(out, scan, 0);
            return;
        }
        open = scan.members[scan.firstMatch].valueBegin;
    }
}

void setPath(QByteArray &out, qsizetype root, const QString &path, const QByteArray &value)
{
    const QList<QByteArray> segments = segmentsOf(path);
    qsizetype open = root;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        ObjectScan scan;
        if (!scanObject(out, open, segments[i], scan))
            return; // an intermediate that is not an object
        if (scan.firstMatch < 0) {
            appendMember(out, scan, nestedMember(segments, i, value));
            return;
        }
        const Member first = scan.members[scan.firstMatch];
        if (i + 1 == segments.size()) {
            // One member of the name, or the upstream's parser picks which one counts.
            removeMatches(out, scan, scan.firstMatch + 1);
            out.replace(first.valueBegin, first.valueEnd - first.valueBegin, value);
            return;
        }
        open = first.valueBegin;
    }
}

} // namespace

QByteArray withParamOverrides(const QByteArray &body, const ParamOverrides &overrides)
{
    if (overrides.isEmpty())
        return body;
    const qsizetype root = skipWhitespace(body, 0);
    if (root >= body.size() || body[root] != '{')
        return body;
    QByteArray out = body;
    for (const QString &path : overrides.drop)
        dropPath(out, root, path);
    for (auto it = overrides.set.cbegin(); it != overrides.set.cend(); ++it) {
        const QByteArray value = it.value().trimmed();
        if (!value.isEmpty())
            setPath(out, root, it.key(), value);
    }
    return out;
}

} // namespace tarn::gateway
