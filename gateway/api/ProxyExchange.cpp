// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/ProxyExchange.h"

#include "gateway/api/ApiHandler.h"
#include "gateway/core/Logging.h"
#include "gateway/core/Redaction.h"
#include "gateway/formats/OpenAiResponse.h"
#include "gateway/http/ErrorResponse.h"
#include "gateway/routing/ChannelSelector.h"
#include "gateway/upstream/UpstreamClient.h"
#include "gateway/usage/UsageRecorder.h"

namespace tarn::gateway {

namespace {

// Upstream response headers worth passing on; everything else (framing, cookies, servers) is ours.
bool isRelayedHeader(const QByteArray &name)
{
    static const char *const exact[] = {"content-type", "retry-after", "x-request-id", "request-id",
                                        "openai-processing-ms", "openai-version"};
    for (const char *h : exact) {
        if (name.compare(h, Qt::CaseInsensitive) == 0)
            return true;
    }
    return name.size() > 12 && name.first(12).compare("x-ratelimit-", Qt::CaseInsensitive) == 0;
}

QByteArray endpointSuffix(const QString &endpoint)
{
    // "/v1/chat/completions" -> "/chat/completions": the channel's base URL carries the version.
    return endpoint.mid(3).toLatin1();
}

int retryAfterSeconds(const UpstreamResponseHead &head)
{
    bool ok = false;
    const int seconds = headerValue(head.headers, "retry-after").trimmed().toInt(&ok);
    return ok ? seconds : 0;
}

} // namespace

ProxyExchange::ProxyExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response,
                             ConfigSnapshot config, OpenAiRequestInfo info, QList<RouteCandidate> candidates,
                             UsageRecord record)
    : m_owner(owner)
    , m_request(std::move(request))
    , m_response(std::move(response))
    , m_config(std::move(config))
    , m_info(std::move(info))
    , m_candidates(std::move(candidates))
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

bool ProxyExchange::canRetry() const
{
    return m_next < m_candidates.size() && !m_response.hasStarted();
}

void ProxyExchange::attemptNext()
{
    m_current = &m_candidates.at(m_next++);
    const Channel &channel = *m_current->channel;
    ++m_record.attempts;
    m_record.channelId = channel.id;
    m_record.channelName = channel.name;
    m_record.upstreamModel = m_current->upstreamModel;
    m_head = {};
    m_body.clear();

    UpstreamRequest upstream;
    QByteArray base = channel.baseUrl.toUtf8();
    while (base.endsWith('/'))
        base.chop(1);
    upstream.url = base + endpointSuffix(m_record.endpoint);
    upstream.body = upstreamOpenAiBody(m_request.body, m_info, m_current->upstreamModel);
    upstream.headers.reserve(4 + channel.extraHeaders.size());
    upstream.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + m_current->key.toUtf8()});
    upstream.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    upstream.headers.append({QByteArrayLiteral("Accept"), m_info.stream ? QByteArrayLiteral("text/event-stream")
                                                                       : QByteArrayLiteral("application/json")});
    for (auto it = channel.extraHeaders.cbegin(); it != channel.extraHeaders.cend(); ++it)
        upstream.headers.append({it.key().toUtf8(), it.value().toUtf8()});
    upstream.proxy = channel.proxy.toUtf8();
    upstream.timeouts = m_owner.context().timeouts;
    m_call = m_owner.upstream().start(std::move(upstream), this);
}

void ProxyExchange::retryOrFail(AttemptOutcome outcome, int status, const QString &why)
{
    m_owner.context().selector->reportOutcome(*m_current, outcome, 0);
    const QString safeWhy = redacted(why);
    qCInfo(lcRouting) << "channel" << m_current->channel->name << "failed:" << safeWhy
                      << (canRetry() ? "- trying the next channel" : "- no channel left");
    if (canRetry()) {
        attemptNext();
        return;
    }
    answerError(status, QStringLiteral("upstream channel '%1' failed: %2").arg(m_current->channel->name, safeWhy),
                status == 504 ? "upstream_timeout" : "upstream_error");
}

void ProxyExchange::answerError(int status, const QString &message, QByteArrayView code)
{
    m_record.status = status;
    recordUsage(message);
    m_response.sendJson(status, errorBody(ApiFormat::OpenAI, status, message, code));
    m_owner.finished(this);
}

void ProxyExchange::onUpstreamHead(const UpstreamResponseHead &head)
{
    const bool retryable = head.status == 429 || head.status >= 500;
    if (retryable && canRetry()) {
        const quint64 call = std::exchange(m_call, 0);
        m_owner.upstream().cancel(call);
        m_owner.context().selector->reportOutcome(
            *m_current, head.status == 429 ? AttemptOutcome::RateLimited : AttemptOutcome::ServerError,
            retryAfterSeconds(head));
        qCInfo(lcRouting) << "channel" << m_current->channel->name << "answered" << head.status
                          << "- trying the next channel";
        attemptNext();
        return;
    }
    m_head = head;
    m_record.status = head.status;
    if (m_info.stream && head.status == 200) {
        m_streaming = true;
        SseRelay::Options options;
        options.forwardUsageChunk = m_info.clientWantsUsage;
        if (m_current->upstreamModel != m_info.model)
            options.clientModel = m_info.model;
        m_relay.emplace(std::move(options));
        relayHead(head);
    }
}

void ProxyExchange::relayHead(const UpstreamResponseHead &head)
{
    HeaderList headers;
    for (const auto &header : head.headers) {
        if (isRelayedHeader(header.first))
            headers.append(header);
    }
    if (m_streaming) {
        headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache")});
        m_response.beginStream(head.status, headers);
    } else {
        m_response.send(head.status, headers, m_body);
    }
}

void ProxyExchange::onUpstreamData(QByteArrayView data)
{
    if (m_record.ttftMs < 0)
        m_record.ttftMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
    if (m_streaming) {
        writeToClient(m_relay->feed(data));
        if (m_relay->failed()) {
            m_owner.upstream().cancel(std::exchange(m_call, 0));
            endStreamWithError(QStringLiteral("upstream sent an SSE event larger than %1 bytes")
                                   .arg(SseRelay::Options{}.maxEventBytes));
        }
        return;
    }
    if (m_body.size() + data.size() > m_owner.context().maxUpstreamBodyBytes) {
        m_owner.upstream().cancel(std::exchange(m_call, 0));
        answerError(502, QStringLiteral("upstream answer exceeds %1 bytes").arg(m_owner.context().maxUpstreamBodyBytes),
                    "upstream_too_large");
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
    if (m_done)
        return;
    if (failure != UpstreamFailure::None) {
        if (!m_response.hasStarted()) {
            const bool timeout = failure == UpstreamFailure::FirstByteTimeout || failure == UpstreamFailure::IdleTimeout;
            retryOrFail(timeout ? AttemptOutcome::Timeout : AttemptOutcome::ConnectFailed, timeout ? 504 : 502,
                        QString::fromLatin1(upstreamFailureName(failure)) + u": " + detail);
            return;
        }
        // Mid-stream: the status is sent already; tell the client in-band and end cleanly.
        writeToClient(m_relay->finish());
        const QString why = redacted(detail);
        endStreamWithError(QStringLiteral("upstream stream interrupted: %1").arg(why),
                           QStringLiteral("stream interrupted: %1").arg(why));
        return;
    }
    if (m_streaming) {
        writeToClient(m_relay->finish());
        const TokenUsage usage = m_relay->usage();
        m_record.promptTokens = usage.prompt;
        m_record.completionTokens = usage.completion;
        m_record.cachedTokens = usage.cached;
        recordUsage({});
        m_response.end();
        m_owner.finished(this);
        return;
    }
    // Whole answer (success or an upstream error passed through with its status and body).
    if (m_head.status == 200) {
        const TokenUsage usage = usageOfOpenAiBody(m_body);
        m_record.promptTokens = usage.prompt;
        m_record.completionTokens = usage.completion;
        m_record.cachedTokens = usage.cached;
        if (m_current->upstreamModel != m_info.model)
            m_body = withModel(m_body, m_info.model);
    }
    m_owner.context().selector->reportOutcome(
        *m_current, m_head.status < 400 ? AttemptOutcome::Success : AttemptOutcome::ClientError, 0);
    if (m_head.status >= 400) {
        // Providers echo the key they rejected: nothing key-shaped reaches the client or the row.
        m_body = redactSecrets(m_body, m_current->channel->keys);
        recordUsage(QString::fromUtf8(m_body.left(300)));
    } else {
        recordUsage({});
    }
    relayHead(m_head);
    m_owner.finished(this);
}

void ProxyExchange::endStreamWithError(const QString &message, const QString &rowError)
{
    // The head went out with 200; the failure goes in-band, in the stream's own event shape, and
    // the row says what happened (never a 200 success).
    const QByteArray event = "data: " + errorBody(ApiFormat::OpenAI, 502, message, "upstream_error") + "\n\n";
    m_response.write(event);
    if (m_relay) {
        const TokenUsage usage = m_relay->usage();
        m_record.promptTokens = usage.prompt;
        m_record.completionTokens = usage.completion;
        m_record.cachedTokens = usage.cached;
    }
    m_record.status = 502;
    recordUsage(rowError.isEmpty() ? message : rowError);
    m_response.end();
    m_owner.finished(this);
}

QString ProxyExchange::redacted(const QString &text) const
{
    return redactSecrets(text, m_current ? m_current->channel->keys : QStringList{});
}

void ProxyExchange::onClientGone(ClientGone why)
{
    m_record.status = 499;
    recordUsage(why == ClientGone::StoppedReading
                    ? QStringLiteral("client stopped reading the response; connection closed")
                    : QStringLiteral("client closed the connection"));
    // Abort the upstream at once: the provider stops generating (and billing).
    if (m_call)
        m_owner.upstream().cancel(std::exchange(m_call, 0));
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
