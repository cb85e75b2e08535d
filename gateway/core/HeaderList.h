// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace tarn::gateway {

// HTTP header fields in arrival order, names as sent.
using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

// ASCII case-insensitive equality, as header names compare (RFC 9110 5.1). Lengths first: the hot
// path asks for a header dozens of times per request, and QByteArrayView::compare with
// Qt::CaseInsensitive walks the common prefix even when the lengths differ.
inline bool headerNameIs(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const char x = a.data()[i];
        const char y = b.data()[i];
        if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z'))
            return false;
    }
    return true;
}

// Case-insensitive header lookup; empty when absent.
QByteArray headerValue(const HeaderList &headers, QByteArrayView name);

} // namespace tarn::gateway
