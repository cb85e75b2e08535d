// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace tarn::gateway {

// HTTP header fields in arrival order, names as sent.
using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

// Case-insensitive header lookup; empty when absent.
QByteArray headerValue(const HeaderList &headers, QByteArrayView name);

} // namespace tarn::gateway
