// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/ProxyExchange.h"

#include "gateway/api/ApiHandler.h"
#include "gateway/api/UpstreamWire.h"
#include "gateway/core/Logging.h"
#include "gateway/core/Redaction.h"
#include "gateway/formats/Codec.h"
#include "gateway/formats/OpenAiResponse.h"
#include "gateway/formats/SseRelay.h"
#include "gateway/formats/StreamTranslator.h"
#include "gateway/formats/ErrorResponse.h"
#include "gateway/upstream/UpstreamClient.h"
#include "gateway/usage/UsageRecorder.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <climits>

namespace tarn::gateway {

namespace {

AttemptReport transportReport(AttemptReport::Transport transport, int status = 0)
{
    AttemptReport report;
    report.transport = transport;
    report.status = status;
    return report;
}

constexpr qsizetype kMaxEventBytes = 1024 * 1024;

TokenUsage tokenUsageOf(const ir::Usage &usage)
{
    return {usage.input, usage.output, usage.cacheRead, usage.reported};
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

// Comments held before a stream's first event; past this the stream starts regardless.
constexpr qsizetype kMaxHeldEventBytes = 64 * 1024;

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

} // namespace

ProxyExchange::ProxyExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response, ConfigSnapshot config,
                             RequestInfo info, std::optional<ir::Request> decoded, RoutePlan plan, UsageRecord record)
    : m_owner(owner)
    , m_router(*owner.context().router)
    , m_request(std::move(request))
    , m_response(std::move(response))
    , m_config(std::move(config))
    , m_info(std::move(info))
    , m_decoded(std::move(decoded))
    , m_plan(std::move(plan))
    , m_record(std::move(record))
{
}

ProxyExchange::~ProxyExchange()
{
    if (m_call)
        m_owner.upstream().cancel(m_call);
    m_response.setObserver(nullptr);
}

void ProxyExchange::start()
{
    m_response.setObserver(this);
    attemptNext();
}

void ProxyExchange::attemptNext()
{
    m_current = m_router.next(m_plan);
    if (!m_current) {
        answerExhausted();
        return;
    }
    const RouteCandidate &candidate = *m_current;
    const Channel &channel = *candidate.channel;
    m_record.attempts = m_plan.attempts();
    m_record.channelId = channel.id;
    m_record.channelName = channel.name;
    m_record.upstreamModel = candidate.upstreamModel;
    m_channelFormat = apiFormatOf(channel.type);
    m_record.channelFormat = QString::fromLatin1(apiFormatName(m_channelFormat));
    m_head = {};
    m_body.clear();
    m_relay.reset();
    m_heldEvents.clear();
    m_streaming = false;
    m_ttfbMs = -1;
    m_attemptStartNs = monotonicNs();

    if (m_channelFormat != m_info.format && !m_decoded) {
        // The first channel in another format: the client's body is decoded once, here.
        Result<ir::Request> decoded = codecFor(m_info.format).decodeRequest(
            std::string_view(m_request.body.constData(), std::size_t(m_request.body.size())));
        if (!decoded) {
            m_router.recordAttempt(m_plan, candidate, transportReport(AttemptReport::Transport::Abandoned));
            answerError(400, QStringLiteral("the request cannot be translated for channel '%1': %2")
                                 .arg(channel.name, decoded.error().message),
                        "invalid_request_error");
            return;
        }
        m_decoded = std::move(*decoded);
    }
    const ClientCall call{&m_request, &m_info, m_record.endpoint, m_decoded ? &*m_decoded : nullptr};
    UpstreamRequest upstream = channelRequest(candidate, call);
    upstream.timeouts = m_owner.context().timeouts;
    if (m_plan.attempts() > 1) {
        // A failover attempt gets what is left of the routing time budget, not a fresh allowance.
        const qint64 elapsedMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
        const int left = int(std::clamp<qint64>(m_config->routing.timeBudgetMs - elapsedMs, 1000, INT_MAX));
        upstream.timeouts.connectMs = std::min(upstream.timeouts.connectMs, left);
        upstream.timeouts.firstByteMs = std::min(upstream.timeouts.firstByteMs, left);
    }
    m_call = m_owner.upstream().start(std::move(upstream), this);
}

void ProxyExchange::logAttempt(int status, const QString &error)
{
    AttemptRecord attempt;
    attempt.channelId = m_current->channel->id;
    attempt.channelName = m_current->channel->name;
    attempt.keyId = m_current->keyId;
    attempt.status = status;
    attempt.error = redacted(error).left(300);
    attempt.ms = (monotonicNs() - m_attemptStartNs) / 1'000'000;
    m_record.attemptLog.append(std::move(attempt));
}

AttemptReport ProxyExchange::answeredReport() const
{
    AttemptReport report;
    report.status = m_head.status;
    report.ttfbMs = m_ttfbMs;
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_router.nowMs(), QTimeZone::utc());
    report.rateLimits = parseRateLimitHeaders(m_head.headers, now);
    // A 2xx body is only an error in disguise when it carries one (MiniMax's base_resp, a bare
    // "error" object): the common success skips the parse.
    if (!isSuccess(m_head.status) || m_body.contains("\"error\"") || m_body.contains("\"base_resp\""))
        report.verdict = classifyUpstreamAnswer(m_head.status, m_head.headers, m_body, now);
    // The router keeps and stores the upstream's words (disabled keys, lessons): never a key.
    report.verdict.reason = redacted(report.verdict.reason);
    return report;
}

void ProxyExchange::attemptFailed(const AttemptReport &report, const QString &why)
{
    const QString safeWhy = redacted(why);
    logAttempt(report.status, safeWhy.isEmpty() ? QStringLiteral("failed") : safeWhy);
    const bool failover = m_router.recordAttempt(m_plan, *m_current, report);
    qCInfo(lcRouting) << "channel" << m_current->channel->name << "failed:" << safeWhy.left(200)
                      << (failover ? "- failing over" : "- returned to the client");
    if (report.transport == AttemptReport::Transport::Answered && isSuccess(m_head.status)
        && report.verdict.kind != VerdictKind::Success) {
        // A 200 carrying an error (in its body or first event) is no answer to pass back.
        m_lastHead = {};
        m_lastBody.clear();
        m_lastTransportStatus = 502;
    } else if (report.transport == AttemptReport::Transport::Answered) {
        // Redacted now: by the time it is passed back, no candidate (and no key list) is current.
        m_lastHead = m_head;
        m_lastBody = redactSecrets(m_body, channelSecrets(*m_current->channel));
        m_lastFormat = m_channelFormat;
        m_lastVerdict = report.verdict;
        m_lastTransportStatus = 0;
    } else {
        m_lastHead = {};
        m_lastBody.clear();
        m_lastTransportStatus = report.transport == AttemptReport::Transport::Timeout ? 504 : 502;
    }
    m_lastError = QStringLiteral("upstream channel '%1' failed: %2").arg(m_current->channel->name, safeWhy);
    if (failover) {
        attemptNext();
        return;
    }
    answerExhausted();
}

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

void ProxyExchange::onUpstreamHead(const UpstreamResponseHead &head)
{
    m_head = head;
    if (m_info.stream && isSuccess(head.status)) {
        // The head is held until the first event: until then, a failure can still go elsewhere.
        m_streaming = true;
        m_relay = newStreamPipe();
    }
}

void ProxyExchange::startStreamToClient()
{
    HeaderList headers = relayedHeaders(m_head.headers);
    headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache")});
    m_record.status = m_head.status;
    m_record.ttftMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
    m_response.beginStream(m_head.status, headers);
}

void ProxyExchange::onUpstreamData(QByteArrayView data)
{
    if (m_ttfbMs < 0)
        m_ttfbMs = (monotonicNs() - m_attemptStartNs) / 1'000'000;
    if (m_streaming) {
        QByteArray out = m_relay->feed(data);
        if (!m_response.hasStarted() && !out.isEmpty() && !m_relay->sawData()
            && m_heldEvents.size() + out.size() <= kMaxHeldEventBytes) {
            // Keep-alive comments before the first event: held with the head, so failover stays open.
            m_heldEvents.append(out);
            return;
        }
        if (!out.isEmpty() && !m_response.hasStarted()) {
            // Some providers answer 200 and put the error in the first event: still a failure
            // the router can act on, since nothing has reached the client.
            const QByteArray &first = m_relay->firstData();
            if (first.startsWith('{') && (first.contains("\"error\"") || first.contains("\"base_resp\""))) {
                m_body = first;
                const AttemptReport report = answeredReport();
                if (report.verdict.kind != VerdictKind::Success) {
                    m_owner.upstream().cancel(std::exchange(m_call, 0));
                    m_streaming = false;
                    attemptFailed(report, QStringLiteral("error in the stream's first event (%1): %2")
                                              .arg(QLatin1StringView(verdictKindName(report.verdict.kind)),
                                                   report.verdict.reason));
                    return;
                }
                m_body.clear();
            }
            startStreamToClient();
            out.prepend(std::exchange(m_heldEvents, {}));
        }
        writeToClient(out);
        if (m_relay->failed()) {
            m_owner.upstream().cancel(std::exchange(m_call, 0));
            const QString why = QStringLiteral("upstream sent an SSE event larger than %1 bytes").arg(kMaxEventBytes);
            if (!m_response.hasStarted()) {
                AttemptReport report;
                report.transport = AttemptReport::Transport::Broken;
                report.detail = why;
                attemptFailed(report, why);
                return;
            }
            m_router.recordAttempt(m_plan, *m_current, transportReport(AttemptReport::Transport::Broken, m_head.status));
            logAttempt(m_head.status, why);
            endStreamWithError(why);
        }
        return;
    }
    if (m_body.size() + data.size() > m_owner.context().maxUpstreamBodyBytes) {
        m_owner.upstream().cancel(std::exchange(m_call, 0));
        m_router.recordAttempt(m_plan, *m_current, transportReport(AttemptReport::Transport::Abandoned));
        const QString why = QStringLiteral("upstream answer exceeds %1 bytes").arg(m_owner.context().maxUpstreamBodyBytes);
        logAttempt(m_head.status, why);
        answerError(502, why, "upstream_too_large");
        return;
    }
    m_body.append(data);
}

void ProxyExchange::writeToClient(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_response.write(bytes) && !m_paused && m_call) {
        // The client reads slower than the provider writes: stop reading upstream (TCP
        // back-pressure) instead of queueing the stream in memory.
        m_paused = true;
        m_owner.upstream().pause(m_call, true);
    }
}

void ProxyExchange::onResponseDrained()
{
    if (m_paused && m_call) {
        m_paused = false;
        m_owner.upstream().pause(m_call, false);
    }
}

void ProxyExchange::onUpstreamFinished(UpstreamFailure failure, const QString &detail)
{
    m_call = 0;
    m_paused = false;
    if (m_done)
        return;
    if (failure != UpstreamFailure::None) {
        const QString why = QString::fromLatin1(upstreamFailureName(failure)) + u": " + detail;
        AttemptReport report;
        report.transport = failure == UpstreamFailure::FirstByteTimeout || failure == UpstreamFailure::IdleTimeout
            ? AttemptReport::Transport::Timeout
            : (m_head.status ? AttemptReport::Transport::Broken : AttemptReport::Transport::ConnectFailed);
        report.status = m_head.status;
        report.detail = redacted(why);
        if (!m_response.hasStarted()) {
            attemptFailed(report, why);
            return;
        }
        // Mid-stream: the status is sent already; tell the client in-band and end cleanly.
        m_router.recordAttempt(m_plan, *m_current, report);
        logAttempt(m_head.status, why);
        writeToClient(m_relay->finish());
        const QString safe = redacted(detail);
        endStreamWithError(QStringLiteral("upstream stream interrupted: %1").arg(safe),
                           QStringLiteral("stream interrupted: %1").arg(safe));
        return;
    }
    if (m_streaming) {
        QByteArray rest = m_relay->finish();
        if (!m_response.hasStarted()) {
            if (!m_relay->sawData()) {
                // 200 and then nothing: not an answer, and nothing reached the client yet.
                AttemptReport report;
                report.transport = AttemptReport::Transport::Broken;
                report.status = m_head.status;
                attemptFailed(report, QStringLiteral("the stream ended before its first event"));
                return;
            }
            startStreamToClient();
            rest.prepend(std::exchange(m_heldEvents, {}));
        }
        writeToClient(rest);
        if (!m_relay->errorPayload().isEmpty() || !m_relay->sawFinish()) {
            // The upstream reported an error in-band, or stopped without finishing: a failed
            // answer, whatever the 200 said. The client already has the upstream's error event;
            // a cut-short stream gets ours.
            const bool inBand = !m_relay->errorPayload().isEmpty();
            const QString why = inBand ? QStringLiteral("error event in the stream: %1")
                                             .arg(redacted(QString::fromUtf8(m_relay->errorPayload().left(300))))
                                       : QStringLiteral("the stream ended before the answer finished");
            m_router.recordAttempt(m_plan, *m_current, transportReport(AttemptReport::Transport::Broken, m_head.status));
            logAttempt(m_head.status, why);
            if (inBand) {
                const TokenUsage usage = m_relay->usage();
                takeUsage(usage);
                m_record.status = 502;
                recordUsage(why);
                m_response.end();
                m_owner.finished(this);
            } else {
                endStreamWithError(why);
            }
            return;
        }
        const TokenUsage usage = m_relay->usage();
        takeUsage(usage);
        AttemptReport report = answeredReport();
        report.tokens = usage.prompt + usage.completion;
        // Already streamed, so nothing to fail over; but the router learns for the next request.
        report.textualToolCall = m_info.hasTools && !m_relay->sawToolCalls() && !m_relay->content().isEmpty()
            && looksLikeTextualToolCall(streamedAnswer(m_relay->content()));
        m_router.recordAttempt(m_plan, *m_current, report);
        const QString note = report.textualToolCall
            ? QStringLiteral("the tool call came back as plain text; tools marked unsupported for this model")
            : QString();
        logAttempt(m_head.status, note);
        recordUsage(note);
        m_response.end();
        m_owner.finished(this);
        return;
    }
    // A whole answer: success, or an error the router may fail over on.
    AttemptReport report = answeredReport();
    if (isSuccess(m_head.status) && report.verdict.kind == VerdictKind::Success
        && (m_channelFormat != ApiFormat::OpenAI || m_info.format != ApiFormat::OpenAI)) {
        finishDecodedAnswer(std::move(report));
        return;
    }
    if (isSuccess(m_head.status) && report.verdict.kind == VerdictKind::Success) {
        report.emptyAnswer = m_config->routing.retryEmptyAnswers && isEmptyOpenAiAnswer(m_body);
        report.textualToolCall = m_info.hasTools && looksLikeTextualToolCall(m_body);
        if (!report.emptyAnswer && !report.textualToolCall) {
            const TokenUsage usage = usageOfOpenAiBody(m_body);
            takeUsage(usage);
            report.tokens = usage.prompt + usage.completion;
            m_router.recordAttempt(m_plan, *m_current, report);
            logAttempt(m_head.status, {});
            m_record.ttftMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
            m_record.status = m_head.status;
            if (m_current->upstreamModel != m_info.model)
                m_body = withModel(m_body, m_info.model);
            relayAnswer();
            return;
        }
        attemptFailed(report, report.emptyAnswer ? QStringLiteral("empty answer")
                                                 : QStringLiteral("the tool call came back as plain text"));
        return;
    }
    attemptFailed(report, QStringLiteral("HTTP %1 (%2): %3")
                              .arg(m_head.status)
                              .arg(QLatin1StringView(verdictKindName(report.verdict.kind)), report.verdict.reason));
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
        const std::string body = codecFor(m_info.format).encodeResponse(*answer);
        m_body = QByteArray(body.data(), qsizetype(body.size()));
        m_head.headers = {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}};
    } else if (m_current->upstreamModel != m_info.model && m_channelFormat == ApiFormat::Anthropic) {
        m_body = withModel(m_body, m_info.model);
    }
    relayAnswer();
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
        return std::make_unique<SseRelay>(std::move(options));
    }
    StreamTranslator::Options options;
    options.from = m_channelFormat;
    options.to = m_info.format;
    options.passThrough = m_channelFormat == m_info.format;
    options.clientModel = clientModel.toStdString();
    options.includeUsage = m_info.clientWantsUsage;
    options.estimatedInputTokens = m_info.promptTokensEstimate;
    options.maxEventBytes = kMaxEventBytes;
    options.collectContentBytes = collect;
    return std::make_unique<StreamTranslator>(std::move(options));
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
}

QString ProxyExchange::redacted(const QString &text) const
{
    return redactSecrets(text, m_current ? channelSecrets(*m_current->channel) : QStringList{});
}

void ProxyExchange::onClientGone(ClientGone why)
{
    if (m_call) {
        // Abort the upstream at once: the provider stops generating (and billing).
        m_owner.upstream().cancel(std::exchange(m_call, 0));
        m_router.recordAttempt(m_plan, *m_current, transportReport(AttemptReport::Transport::Abandoned));
        logAttempt(m_head.status, QStringLiteral("client went away"));
    }
    m_record.status = 499;
    recordUsage(why == ClientGone::StoppedReading
                    ? QStringLiteral("client stopped reading the response; connection closed")
                    : QStringLiteral("client closed the connection"));
    m_owner.finished(this);
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
