// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/HttpRequest.h"

#include <chrono>

namespace tarn::gateway {

QByteArrayView HttpRequest::path() const
{
    const qsizetype q = target.indexOf('?');
    return q < 0 ? QByteArrayView(target) : QByteArrayView(target).first(q);
}

qint64 monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace tarn::gateway
