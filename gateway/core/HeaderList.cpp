// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/HeaderList.h"

namespace tarn::gateway {

QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &[headerName, value] : headers) {
        if (headerNameIs(headerName, name))
            return value;
    }
    return {};
}

} // namespace tarn::gateway
