// SPDX-License-Identifier: GPL-3.0-or-later
// What a proxied exchange sends back to its client: an upstream's answer (passed through, or
// decoded and re-encoded in the client's format), the stream pipe for the formats at hand, the
// error when no attempt succeeded, and the usage row. The attempts themselves: ProxyExchange.cpp.
#include "gateway/api/ProxyExchange.h"

#include "gateway/api/ResponseStore.h"
#include "gateway/api/UpstreamWire.h"
#include "gateway/core/Redaction.h"
#include "gateway/formats/Codec.h"
#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/GeminiArrayStream.h"
#include "gateway/formats/OpenAiResponse.h"
#include "gateway/formats/SseRelay.h"
#include "gateway/formats/StreamTranslator.h"
#include "gateway/upstream/UpstreamClient.h"
#include "gateway/usage/UsageRecorder.h"

#include <algorithm>

namespace tarn::gateway {

namespace {

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

TokenUsage tokenUsageOf(const ir::Usage &usage)
{
    return {usage.input, usage.output, usage.cacheRead, usage.reasoning, usage.reported};
}

// The text of an answer, for the checks that read an answer's words.
QString answerText(const ir::Response &response)
{
    QString text;
    for (const ir::Part &part : response.parts) {
        if (part.kind == ir::Part::Kind::Text)
            text += QString::fromStdString(part.text);
    }
    return text;
}

bool hasToolCall(const ir::Response &response)
{
    return std::any_of(response.parts.begin(), response.parts.end(),
                       [](const ir::Part &part) { return part.kind == ir::Part::Kind::ToolCall; });
}

} // namespace

void ProxyExchange::answerExhausted()
{
    if (m_lastHead.status) {
        const int status = m_lastHead.status;
        if (m_lastVerdict.kind == VerdictKind::InvalidKey) {
            // The provider refused Tarn's key, not the client's: a 401 would tell the client its
            // own key is wrong.
            answerError(502, QStringLiteral("%1 (every provider key tried was rejected)").arg(m_lastError),
                        "upstream_auth_error");
            return;
        }
        if (m_lastFormat != m_info.format || !isErrorBodyOf(m_info.format, m_lastBody)) {
            // Another format's error, an HTML page or another provider's shape: the client gets
            // its own format's error with the same meaning and status.
            HeaderList retry;
            if (const QByteArray after = headerValue(m_lastHead.headers, "retry-after"); !after.isEmpty())
                retry.append({QByteArrayLiteral("Retry-After"), after});
            ir::ApiError error = codecFor(m_lastFormat).decodeError(
                status, std::string_view(m_lastBody.constData(), std::size_t(m_lastBody.size())));
            error.status = status;
            if (error.code.empty())
                error.code = status == 429 ? "rate_limit_exceeded" : "upstream_error";
            const QString upstreamWords = QString::fromStdString(error.message);
            error.message = (upstreamWords.isEmpty() ? m_lastError : m_lastError.section(u':', 0, 0) + u": " + upstreamWords).toStdString();
            m_record.status = status;
            recordUsage(m_lastError);
            HeaderList headers{{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
            headers.append(retry);
            m_response.send(status, headers, errorBody(m_info.format, error));
            m_owner.finished(this);
            return;
        }
        // The last channel's own answer, as it was (its status tells SDKs whether to retry).
        m_head = m_lastHead;
        m_body = m_lastBody;
        m_record.status = status;
        relayAnswer();
        return;
    }
    if (m_lastTransportStatus) {
        answerError(m_lastTransportStatus, m_lastError, m_lastTransportStatus == 504 ? "upstream_timeout" : "upstream_error");
        return;
    }
    // No attempt could be made: everything is cooling down, open or over budget.
    const QString message = QStringLiteral("no channel can serve '%1' right now: %2").arg(m_info.model, m_plan.exhaustedReason());
    if (m_plan.retryAfterMs() >= 0) {
        const qint64 seconds = (m_plan.retryAfterMs() + 999) / 1000;
        answerError(429, message, "rate_limit_exceeded", {{QByteArrayLiteral("Retry-After"), QByteArray::number(std::max<qint64>(1, seconds))}});
    } else {
        answerError(503, message, "no_channel_available");
    }
}

void ProxyExchange::answerError(int status, const QString &message, QByteArrayView code, const HeaderList &extraHeaders)
{
    m_record.status = status;
    recordUsage(message);
    HeaderList headers{{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
    headers.append(extraHeaders);
    m_response.send(status, headers, errorBody(m_info.format, status, message, code));
    m_owner.finished(this);
}

void ProxyExchange::finishDecodedAnswer(AttemptReport report)
{
    const Codec &channelCodec = codecFor(m_channelFormat);
    Result<ir::Response> answer = channelCodec.decodeResponse(std::string_view(m_body.constData(), std::size_t(m_body.size())));
    if (!answer) {
        report.transport = AttemptReport::Transport::Broken;
        attemptFailed(report, QStringLiteral("the answer cannot be read as %1: %2")
                                  .arg(QLatin1StringView(apiFormatName(m_channelFormat)), answer.error().message));
        return;
    }
    const QString text = answerText(*answer);
    const bool calledTool = hasToolCall(*answer);
    report.emptyAnswer = m_config->routing.retryEmptyAnswers && !calledTool && text.trimmed().isEmpty()
        && answer->usage.output == 0;
    report.textualToolCall = m_info.hasTools && !calledTool && looksLikeTextualToolCall(streamedAnswer(text));
    if (report.emptyAnswer || report.textualToolCall) {
        attemptFailed(report, report.emptyAnswer ? QStringLiteral("empty answer")
                                                 : QStringLiteral("the tool call came back as plain text"));
        return;
    }
    const TokenUsage usage = tokenUsageOf(answer->usage);
    takeUsage(usage);
    report.tokens = usage.prompt + usage.completion;
    m_router.recordAttempt(m_plan, *m_current, report);
    logAttempt(m_head.status, {});
    m_record.ttftMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
    m_record.status = m_head.status;
    if (m_channelFormat != m_info.format) {
        answer->model = m_info.model.toStdString();
        if (m_info.format == ApiFormat::Responses)
            answer->id = ir::newId("resp_"); // the client may continue it by this id
        const std::string body = codecFor(m_info.format).encodeResponseFor(*answer, m_decoded ? &*m_decoded : nullptr);
        m_body = QByteArray(body.data(), qsizetype(body.size()));
        m_head.headers = {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
    } else if (m_current->upstreamModel != m_info.model
               && (m_channelFormat == ApiFormat::Anthropic || m_channelFormat == ApiFormat::Responses)) {
        m_body = withModel(m_body, m_info.model);
    }
    keepResponse(*answer);
    relayAnswer();
}

void ProxyExchange::keepResponse(const ir::Response &answer)
{
    // A Responses client may continue this answer by its id (previous_response_id) unless it said
    // store: false, as Codex does.
    ResponseStore *store = m_owner.context().responses;
    if (!store || m_info.format != ApiFormat::Responses || !m_decoded || !m_decoded->store || answer.id.empty())
        return;
    std::vector<ir::Message> conversation = m_decoded->messages;
    conversation.push_back(ir::Message{ir::Role::Assistant, answer.parts});
    store->put(m_record.clientKeyId, answer.id, std::move(conversation), monotonicNs() / 1'000'000);
}

std::unique_ptr<StreamPipe> ProxyExchange::newStreamPipe() const
{
    const QString clientModel = m_current->upstreamModel != m_info.model ? m_info.model : QString();
    const qsizetype collect = m_info.hasTools ? 4096 : 0;
    if (m_channelFormat == ApiFormat::OpenAI && m_info.format == ApiFormat::OpenAI) {
        SseRelay::Options options;
        options.forwardUsageChunk = m_info.clientWantsUsage;
        options.clientModel = clientModel;
        options.collectContentBytes = collect;
        options.maxEventBytes = kMaxEventBytes;
        options.secrets = channelSecrets(*m_current->channel);
        return std::make_unique<SseRelay>(std::move(options));
    }
    StreamTranslator::Options options;
    options.from = m_channelFormat;
    options.to = m_info.format;
    options.passThrough = m_channelFormat == m_info.format;
    options.clientModel = clientModel.toStdString();
    options.includeUsage = m_info.clientWantsUsage;
    options.estimatedInputTokens = m_info.promptTokensEstimate;
    options.request = m_decoded ? &*m_decoded : nullptr;
    options.collectAnswer = m_info.format == ApiFormat::Responses && m_decoded && m_decoded->store
        && m_owner.context().responses;
    options.maxEventBytes = kMaxEventBytes;
    options.collectContentBytes = collect;
    options.secrets = channelSecrets(*m_current->channel);
    auto translator = std::make_unique<StreamTranslator>(std::move(options));
    if (m_info.format == ApiFormat::Gemini && !geminiWantsSse(m_request.target))
        return std::make_unique<GeminiArrayStream>(std::move(translator)); // Google's array form
    return translator;
}

void ProxyExchange::relayAnswer()
{
    QString error;
    if (!isSuccess(m_head.status)) {
        // Providers echo the key they rejected: nothing key-shaped reaches the client or the row.
        m_body = redactSecrets(m_body, m_current ? channelSecrets(*m_current->channel) : QStringList{});
        error = QString::fromUtf8(m_body.left(300));
    }
    m_record.status = m_head.status;
    recordUsage(error);
    m_response.send(m_head.status, relayedHeaders(m_head.headers), m_body);
    m_owner.finished(this);
}

void ProxyExchange::endStreamWithError(const QString &message, const QString &rowError)
{
    // The head went out with 200; the failure goes in-band, in the stream's own event shape, and
    // the row says what happened (never a 200 success).
    m_response.write(m_relay ? m_relay->errorEvent(502, message, "upstream_error")
                             : "data: " + errorBody(m_info.format, 502, message, "upstream_error") + "\n\n");
    if (m_relay) {
        const TokenUsage usage = m_relay->usage();
        takeUsage(usage);
    }
    m_record.status = 502;
    recordUsage(rowError.isEmpty() ? message : rowError);
    m_response.end();
    m_owner.finished(this);
}

void ProxyExchange::takeUsage(const TokenUsage &usage)
{
    m_record.promptTokens = usage.prompt;
    m_record.completionTokens = usage.completion;
    m_record.cachedTokens = usage.cached;
    m_record.reasoningTokens = usage.reasoning;
}

void ProxyExchange::recordUsage(const QString &error)
{
    // Recorded before the last byte goes out, so a client that has its answer can rely on the row.
    m_done = true;
    m_response.setObserver(nullptr);
    m_record.error = error;
    m_record.latencyMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
    m_owner.context().usage->record(std::move(m_record));
}

} // namespace tarn::gateway
