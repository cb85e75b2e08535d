// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/SseEvents.h"
#include "gateway/formats/StreamPipe.h"

#include <memory>

namespace tarn::gateway {

// Whether a Gemini :streamGenerateContent call asked for server-sent events (?alt=sse). Without
// it Google answers the other stream form, one JSON array written as it grows.
bool geminiWantsSse(QByteArrayView target);

// Gemini's array stream form: the answer as one JSON array of GenerateContentResponse objects,
// written element by element as it grows (`[{…}`, then `,\r\n{…}` for each next one, then `]`),
// content type application/json. Wraps the pipe that writes the same answer as Gemini SSE (a
// translation, or a Gemini channel's own events passed through) and re-frames each of its events
// as the next element; everything the exchange judges by (usage, finish, errors) is the inner
// pipe's. An error is written, as Google does, as the next element, and closes the array. SSE
// comments (keep-alives) have no place in a JSON array and are dropped.
class GeminiArrayStream final : public StreamPipe
{
public:
    explicit GeminiArrayStream(std::unique_ptr<StreamPipe> geminiSse);
    ~GeminiArrayStream() override;

    QByteArray feed(QByteArrayView chunk) override;
    // Closes the array when the answer finished; a cut-short one is left open for errorEvent().
    QByteArray finish() override;
    // The error as the array's next (or first) element, and the array's end; nothing once closed.
    QByteArray errorEvent(int status, const QString &message, QByteArrayView code) const override;
    QByteArray contentType() const override;

    const TokenUsage &usage() const override { return m_inner->usage(); }
    bool sawData() const override { return m_inner->sawData(); }
    const QByteArray &firstData() const override { return m_inner->firstData(); }
    bool sawFinish() const override { return m_inner->sawFinish(); }
    const QByteArray &errorPayload() const override { return m_inner->errorPayload(); }
    const QString &content() const override { return m_inner->content(); }
    bool sawToolCalls() const override { return m_inner->sawToolCalls(); }
    bool failed() const override { return m_inner->failed() || m_events.failed(); }

private:
    void reframe(const QByteArray &sse, bool last, QByteArray &out);
    void appendElement(std::string_view json, QByteArray &out);
    QByteArray closing() const;

    std::unique_ptr<StreamPipe> m_inner;
    SseEvents m_events;
    bool m_opened = false; // `[` is written
    bool m_closed = false; // `]` is written: nothing more is
};

} // namespace tarn::gateway
