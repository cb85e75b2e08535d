// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringView>

#include <utility>

namespace tarn::gateway {

// The one rule for a channel's extra request headers, shared by `tarn channel add/set --header`,
// the config import and the channel dialog, so none of them accepts what another refuses.

// What is wrong with one extra header.
enum class HeaderFault {
    None,
    MissingName,    // a value without a name
    InvalidName,    // not an RFC 9110 token
    DuplicateName,  // the same name as an earlier header, in any case (names are case-insensitive)
    ReservedName,   // a header that frames the message or the connection (Host, Content-Length, …): the
                    // HTTP client sets these, and a second, different one desynchronises the upstream
    MissingValue,
    MultiLineValue, // CR, LF or NUL: would end the header and start one the user never wrote
};

struct HeaderVerdict
{
    HeaderFault fault = HeaderFault::None;
    QString message; // a sentence naming the header and saying why; empty when fine

    [[nodiscard]] bool ok() const { return fault == HeaderFault::None; }
    [[nodiscard]] bool valueAtFault() const
    {
        return fault == HeaderFault::MissingValue || fault == HeaderFault::MultiLineValue;
    }
};

// RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~, at least one.
[[nodiscard]] bool isHttpToken(QStringView name);

// Whether `name` (any case) frames the message or the connection: Host, Content-Length,
// Transfer-Encoding, Connection and the hop-by-hop headers (RFC 9110 §7.6.1). A channel never sets
// these; UpstreamWire also skips them for rows stored before the rule refused them.
[[nodiscard]] bool isFramingHeader(QStringView name);

// One verdict per header, in order. Names and values are taken as given (callers trim what the
// user typed); a name seen earlier in the list, in any case, is a duplicate.
[[nodiscard]] QList<HeaderVerdict> checkExtraHeaders(const QList<std::pair<QString, QString>> &headers);

// The first fault of a stored header map, as an invalid-argument error carrying its message.
[[nodiscard]] Status validateExtraHeaders(const QMap<QString, QString> &headers);

} // namespace tarn::gateway
