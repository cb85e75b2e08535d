// SPDX-License-Identifier: GPL-3.0-or-later
// Time values shared by the header parser and the error-body classifier (internal to routing/).
#pragma once

#include <QByteArrayView>

#include <optional>

namespace tarn::gateway {

// Milliseconds clamped to [0, 24 h]; infinity is 24 h, NaN 0.
qint64 clampRetryMs(double ms);
// Go-style durations as OpenAI and Gemini send them: "1m30.5s", "6m0s", "20ms", "0.5s", "30s".
std::optional<double> parseDurationMs(QByteArrayView text);

} // namespace tarn::gateway
