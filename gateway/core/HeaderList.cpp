// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/HeaderList.h"

namespace tarn::gateway {

QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &[headerName, value] : headers) {
        if (headerName.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace tarn::gateway
