// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/formats/OpenAiRequest.h"
#include "gateway/formats/SseRelay.h"
#include "gateway/http/HttpRequest.h"
#include "gateway/http/HttpResponse.h"
#include "gateway/routing/RouteCandidate.h"
#include "gateway/upstream/UpstreamRequest.h"

#include <optional>

namespace tarn::gateway {

class ApiHandler;

// One proxied OpenAI request, from the routed candidates to the last byte and its usage row.
// It keeps the request body until the first byte reaches the client, so a failed attempt
// (refused connection, 429, 5xx, timeout) is resent to the next candidate transparently.
class ProxyExchange final : public UpstreamObserver, public ResponseObserver
{
public:
    ProxyExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response, ConfigSnapshot config,
                  OpenAiRequestInfo info, QList<RouteCandidate> candidates, UsageRecord record);
    ~ProxyExchange();
    Q_DISABLE_COPY_MOVE(ProxyExchange)

    void start();

private:
    void attemptNext();
    bool canRetry() const;
    void retryOrFail(AttemptOutcome outcome, int status, const QString &why);
    void answerError(int status, const QString &message, QByteArrayView code);
    void relayHead(const UpstreamResponseHead &head);
    void writeToClient(const QByteArray &bytes);
    void endStreamWithError(const QString &message, const QString &rowError = {});
    QString redacted(const QString &text) const;
    void recordUsage(const QString &error);

    void onUpstreamHead(const UpstreamResponseHead &head) override;
    void onUpstreamData(QByteArrayView data) override;
    void onUpstreamFinished(UpstreamFailure failure, const QString &detail) override;
    void onClientGone(ClientGone why) override;
    void onResponseDrained() override;

    ApiHandler &m_owner;
    HttpRequest m_request;
    HttpResponse m_response;
    ConfigSnapshot m_config; // keeps the candidates' channels alive
    OpenAiRequestInfo m_info;
    QList<RouteCandidate> m_candidates;
    UsageRecord m_record;
    qsizetype m_next = 0;
    const RouteCandidate *m_current = nullptr;
    quint64 m_call = 0;
    UpstreamResponseHead m_head;
    bool m_streaming = false; // relaying SSE to the client
    bool m_paused = false;
    bool m_done = false;
    QByteArray m_body;        // non-streamed answer, held to read usage and restore the model
    std::optional<SseRelay> m_relay;
};

} // namespace tarn::gateway
