// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/StreamPipe.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace tarn::gateway {

// Passes an OpenAI SSE stream through event by event: forwards each complete event as soon as it
// arrives (never buffering more than one partial event, never rescanning bytes already seen),
// reads the usage chunk, drops that chunk when the client did not ask for it, and renames `model`
// when the client used an alias. Lines may end in LF, CRLF or CR, as the SSE spec allows; an event
// ends at a blank line. Bytes are forwarded as they came, line ends included.
class SseRelay final : public StreamPipe
{
public:
    struct Options
    {
        bool forwardUsageChunk = true; // false: we injected include_usage, hide its chunk
        QString clientModel;           // non-empty: rewrite each event's model to this
        qsizetype maxEventBytes = 1024 * 1024; // a longer event fails the relay (see failed())
        // Keep the start of the answer's text (this many bytes) and whether a real tool call came:
        // a tools request answered with the call written as text teaches the router. 0 = off.
        qsizetype collectContentBytes = 0;
        QStringList secrets; // the channel's credentials: an error event quoting one is redacted
    };

    explicit SseRelay(Options options) : m_options(std::move(options)) {}

    // Feeds upstream bytes; returns the bytes to send to the client now (may be empty). Once
    // failed(), returns nothing more: the caller ends the stream with an error.
    QByteArray feed(QByteArrayView chunk) override;
    // End of the upstream stream: whatever partial event is left.
    QByteArray finish() override;
    QByteArray errorEvent(int status, const QString &message, QByteArrayView code) const override;

    const TokenUsage &usage() const override { return m_usage; }
    bool sawDone() const { return m_sawDone; }
    // An event with data has come (not only comments such as keep-alives); the first one's data,
    // cut at 64 KiB, lets a caller that has not answered yet check it for an in-band error.
    bool sawData() const override { return !m_firstData.isNull(); }
    const QByteArray &firstData() const override { return m_firstData; }
    // Some choice carried a finish_reason: the answer ended properly.
    bool sawFinish() const override { return m_sawFinish || m_sawDone; }
    // The first event carrying a top-level "error" (relayed as it came), cut at 4 KiB; empty if none.
    const QByteArray &errorPayload() const override { return m_errorPayload; }
    // With Options::collectContentBytes: the start of the streamed text, and whether any event
    // carried tool_calls.
    const QString &content() const override { return m_content; }
    bool sawToolCalls() const override { return m_sawToolCalls; }
    // An event grew past Options::maxEventBytes: what came before it was relayed, it was not.
    bool failed() const override { return m_failed; }

private:
    void processEvent(QByteArrayView event, QByteArray &out);

    Options m_options;
    QByteArray m_pending;      // the incomplete event, already scanned to its end
    TokenUsage m_usage;
    bool m_atLineStart = true; // the scanned bytes end with a line end (or nothing)
    bool m_afterCR = false;    // ... which was a CR, so an LF next completes it (CRLF)
    bool m_sawDone = false;
    bool m_sawFinish = false;
    QByteArray m_errorPayload;
    QByteArray m_firstData; // null until the first data event
    QString m_content;
    bool m_sawToolCalls = false;
    bool m_failed = false;
};

} // namespace tarn::gateway
