// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Codec.h"
#include "gateway/formats/SseEvents.h"
#include "gateway/formats/StreamPipe.h"

#include <QStringList>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tarn::gateway {

// A channel's stream in one format, written to the client in another (or the same, observed):
// splits the upstream bytes into SSE events (LF, CRLF or CR line ends, split anywhere across
// chunks), decodes each into IR events, and encodes those for the client at once. Holds no more
// than one partial event (and, for the formats that need it, one tool call's arguments).
class StreamTranslator final : public StreamPipe
{
public:
    struct Options
    {
        ApiFormat from = ApiFormat::OpenAI; // the channel's format
        ApiFormat to = ApiFormat::OpenAI;   // the client's format
        // from == to: the upstream's events go out byte for byte and are decoded only to be
        // observed (usage, finish, errors).
        bool passThrough = false;
        std::string clientModel;            // the model name the client sees; "" = the upstream's
        bool includeUsage = true;           // OpenAI clients: the final usage chunk
        const ir::Request *request = nullptr; // the client's request, decoded (not owned; see
                                              // StreamEncoderOptions::request)
        qint64 estimatedInputTokens = 0;    // for a Start whose upstream reports no input usage yet
        qsizetype maxEventBytes = 1024 * 1024;
        qsizetype collectContentBytes = 0;  // see StreamPipe::content()
        bool collectAnswer = false;         // see StreamPipe::answer()
        // The channel's credentials: an upstream error event quoting one reaches the client
        // redacted (in pass-through too: the event's own bytes, with the key cut out).
        QStringList secrets;
    };

    explicit StreamTranslator(Options options);
    ~StreamTranslator() override;

    QByteArray feed(QByteArrayView chunk) override;
    QByteArray finish() override;
    QByteArray errorEvent(int status, const QString &message, QByteArrayView code) const override;

    const TokenUsage &usage() const override { return m_usage; }
    bool sawData() const override { return !m_firstData.isNull(); }
    const QByteArray &firstData() const override { return m_firstData; }
    bool sawFinish() const override { return m_sawFinish; }
    const QByteArray &errorPayload() const override { return m_errorPayload; }
    const QString &content() const override { return m_content; }
    bool sawToolCalls() const override { return m_sawToolCalls; }
    const ir::Response *answer() const override { return m_options.collectAnswer && m_sawFinish ? &m_answer : nullptr; }
    bool failed() const override { return m_failed; }

private:
    // Decodes one SSE event; passing through, returns the bytes to send instead of the event's
    // own (a redacted error, a message_start naming the client's model), else a null array.
    QByteArray handleEvent(std::string_view name, std::string_view data, QByteArray &out);
    QByteArray renamedMessageStart(const QByteArray &raw, std::string_view data) const;
    void handleIrEvents(std::string_view data, QByteArray &out);
    void passOnKeepAlives(QByteArray &out);
    void observe(ir::StreamEvent &event, std::string_view data);

    Options m_options;
    std::unique_ptr<StreamDecoder> m_decoder;
    std::unique_ptr<StreamEncoder> m_encoder;   // none when passing through
    SseEvents m_sse;
    std::vector<ir::StreamEvent> m_events;      // reused per event
    std::vector<ir::Part::Kind> m_partKinds;    // by part index: which deltas are text
    ir::Response m_answer;                      // collectAnswer: the parts in their index order
    std::vector<int> m_answerParts;             // collectAnswer: part index -> m_answer.parts index
    void collect(const ir::StreamEvent &event);
    std::string m_encoded;                      // reused per event
    QByteArray m_raw;                           // passing through: the partial event's bytes
    qsizetype m_dataLessSeen = 0;               // the upstream's keep-alive comments so far
    TokenUsage m_usage;
    QByteArray m_firstData;
    QByteArray m_errorPayload;
    QString m_content;
    bool m_sawFinish = false;
    bool m_sawToolCalls = false;
    bool m_failed = false;
    bool m_renameThis = false; // passing through: the event just decoded needs the client's model
    bool m_redactThis = false; // passing through: the event just decoded is an error, to redact
    bool m_ended = false;    // an Error has been written: nothing more is
    bool m_finished = false; // finish() was called
};

} // namespace tarn::gateway
