// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/TokenUsage.h"

#include <QByteArray>
#include <QString>

namespace tarn::gateway {

// Passes an OpenAI SSE stream through event by event: forwards each complete event as soon as it
// arrives (never buffering more than one partial event), reads the usage chunk, drops that chunk
// when the client did not ask for it, and renames `model` when the client used an alias.
class SseRelay
{
public:
    struct Options
    {
        bool forwardUsageChunk = true; // false: we injected include_usage, hide its chunk
        QString clientModel;           // non-empty: rewrite each event's model to this
    };

    explicit SseRelay(Options options) : m_options(std::move(options)) {}

    // Feeds upstream bytes; returns the bytes to send to the client now (may be empty).
    QByteArray feed(QByteArrayView chunk);
    // End of the upstream stream: whatever partial event is left.
    QByteArray finish();

    const TokenUsage &usage() const { return m_usage; }
    bool sawDone() const { return m_sawDone; }

private:
    void processEvent(QByteArrayView event, QByteArray &out);

    Options m_options;
    QByteArray m_pending;
    TokenUsage m_usage;
    bool m_sawDone = false;
};

} // namespace tarn::gateway
