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
#include "gateway/formats/JsonMembers.h"
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
    m_channelFormat = apiFormatOf(channel);
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
    static const QTimeZone utc = QTimeZone::utc(); // made once: each call allocates
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_router.nowMs(), utc);
    report.rateLimits = parseRateLimitHeaders(m_head.headers, now);
    // A 2xx body is only an error in disguise when it carries one (MiniMax's base_resp, a bare
    // "error" object): the common success skips the parse.
    static constexpr std::array<std::string_view, 2> kErrorNames{"error", "base_resp"};
    const auto errorAt = [this] { return jsonscan::findQuoted(m_body, kErrorNames); };
    if (!isSuccess(m_head.status) || errorAt() != std::array<qsizetype, 2>{-1, -1})
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
    if (const QByteArray type = m_relay->contentType(); !type.isEmpty()) {
        headers.removeIf([](const auto &header) { return headerNameIs(header.first, "content-type"); });
        headers.append({QByteArrayLiteral("Content-Type"), type});
    }
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
        if (m_response.hasStarted() && !m_relay->errorPayload().isEmpty()) {
            // The client has the upstream's error event, the end of its stream: stop waiting on
            // an upstream that may never close.
            m_owner.upstream().cancel(std::exchange(m_call, 0));
            const QString why = QStringLiteral("error event in the stream: %1")
                                    .arg(redacted(QString::fromUtf8(m_relay->errorPayload().left(300))));
            m_router.recordAttempt(m_plan, *m_current, transportReport(AttemptReport::Transport::Broken, m_head.status));
            logAttempt(m_head.status, why);
            takeUsage(m_relay->usage());
            m_record.status = 502;
            recordUsage(why);
            m_response.end();
            m_owner.finished(this);
            return;
        }
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
        if (const ir::Response *answer = m_relay->answer())
            keepResponse(*answer);
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

QString ProxyExchange::redacted(const QString &text) const
{
    return redactSecrets(text, m_current ? channelSecrets(*m_current->channel) : QStringList{});
}

void ProxyExchange::onClientGone(ClientGone why)
{
    const quint64 call = std::exchange(m_call, 0);
    if (call) {
        m_router.recordAttempt(m_plan, *m_current, transportReport(AttemptReport::Transport::Abandoned));
        logAttempt(m_head.status, QStringLiteral("client went away"));
    }
    m_record.status = 499;
    recordUsage(why == ClientGone::StoppedReading
                    ? QStringLiteral("client stopped reading the response; connection closed")
                    : QStringLiteral("client closed the connection"));
    // Abort the upstream at once (the provider stops generating and billing), right after the row
    // is handed over: whoever sees the upstream call end can rely on the row being there.
    if (call)
        m_owner.upstream().cancel(call);
    m_owner.finished(this);
}

} // namespace tarn::gateway
