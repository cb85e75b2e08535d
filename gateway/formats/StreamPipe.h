// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Conversation.h"
#include "gateway/formats/TokenUsage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace tarn::gateway {

// A streamed answer on its way from a channel to a client, event by event: passed through
// (SseRelay, OpenAI to OpenAI), observed (same format, other than OpenAI) or translated
// (StreamTranslator). The exchange feeds upstream bytes in and writes what comes out; what the
// pipe saw on the way decides how the attempt is judged and what the usage row says.
class StreamPipe
{
public:
    virtual ~StreamPipe() = default;

    // Upstream bytes in; bytes for the client out (may be empty). Once failed(), nothing more.
    virtual QByteArray feed(QByteArrayView chunk) = 0;
    // End of the upstream stream: whatever is left, and the client format's terminator if the
    // answer finished.
    virtual QByteArray finish() = 0;
    // The client format's in-band error event, for a failure Tarn saw (a cut-short stream, an
    // oversize event); the exchange writes it and ends the stream.
    virtual QByteArray errorEvent(int status, const QString &message, QByteArrayView code) const = 0;
    // The client's Content-Type when the pipe frames the answer its own way; empty: the upstream's.
    virtual QByteArray contentType() const { return {}; }

    virtual const TokenUsage &usage() const = 0;
    // An event with data has come (not only comments such as keep-alives); the first one's data,
    // cut at 64 KiB, lets a caller that has not answered yet check it for an in-band error.
    virtual bool sawData() const = 0;
    virtual const QByteArray &firstData() const = 0;
    // The answer ended properly (a finish reason, [DONE], message_stop).
    virtual bool sawFinish() const = 0;
    // The upstream's in-band error event (its data, as it came), cut at 4 KiB; empty if none.
    virtual const QByteArray &errorPayload() const = 0;
    // With content collection on: the start of the streamed text, and whether a tool call came.
    virtual const QString &content() const = 0;
    virtual bool sawToolCalls() const = 0;
    // With answer collection on (StreamTranslator::Options::collectAnswer): the whole answer as
    // the client saw it (its id included), once the stream finished; else nullptr.
    virtual const ir::Response *answer() const { return nullptr; }
    // An event grew past the size limit: what came before it was relayed, it was not.
    virtual bool failed() const = 0;
};

} // namespace tarn::gateway
