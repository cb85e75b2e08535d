// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace tarn::gateway {

// Tokens an upstream reported for one request.
struct TokenUsage
{
    qint64 prompt = 0;
    qint64 completion = 0;
    qint64 cached = 0;
    qint64 reasoning = 0; // part of completion
    bool reported = false;
};

} // namespace tarn::gateway
