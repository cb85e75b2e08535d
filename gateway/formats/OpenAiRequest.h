// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/formats/RequestInfo.h"

#include <QByteArray>
#include <QString>

namespace tarn::gateway {

// Validates the body as a JSON object (simdjson, so a 1 MB history costs well under a millisecond)
// and reads model / stream / stream_options. The body must have 64 bytes of spare capacity or it
// is copied once.
Result<RequestInfo> inspectOpenAiRequest(const QByteArray &body);

// The body to send upstream: `model` replaced when the channel maps it, and for streams
// stream_options.include_usage forced on so usage can be recorded. Everything else is kept byte
// for byte; when nothing changes the original (shared) buffer is returned.
QByteArray upstreamOpenAiBody(const QByteArray &body, const RequestInfo &info,
                              const QString &upstreamModel);

} // namespace tarn::gateway
