// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/api/ApiHandler.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/formats/Conversation.h"
#include "gateway/formats/RequestInfo.h"
#include "gateway/formats/StreamPipe.h"
#include "gateway/http/HttpRequest.h"
#include "gateway/http/HttpResponse.h"
#include "gateway/routing/Router.h"
#include "gateway/upstream/UpstreamRequest.h"

#include <memory>
#include <optional>

namespace tarn::gateway {

// One proxied request, from its route plan to the last byte and its usage row. It only sequences:
// the router picks each candidate and decides after each attempt whether to go on; formats/
// shapes and translates bodies, streams and errors (the client's format and each channel's may
// differ); this class moves bytes between them. Until the first byte reaches the
// client (for streams: until the first event, so an upstream that answers 200 and then fails is
// still failed over), a failed attempt is resent to the next candidate transparently.
class ProxyExchange final : public Exchange, public UpstreamObserver, public ResponseObserver
{
public:
    ProxyExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response, ConfigSnapshot config,
                  RequestInfo info, std::optional<ir::Request> decoded, RoutePlan plan, UsageRecord record);
    ~ProxyExchange() override;
    Q_DISABLE_COPY_MOVE(ProxyExchange)

    void start();

private:
    static constexpr qsizetype kMaxEventBytes = 1024 * 1024; // an upstream SSE event past this fails

    void attemptNext();
    // The attempt ended without reaching the client; the router decides whether another follows.
    void attemptFailed(const AttemptReport &report, const QString &why);
    void answerExhausted();
    void answerError(int status, const QString &message, QByteArrayView code, const HeaderList &extraHeaders = {});
    void relayAnswer();
    // A 2xx whole answer from a channel whose format is not OpenAI-to-OpenAI: decoded, judged,
    // and re-encoded for the client.
    void finishDecodedAnswer(AttemptReport report);
    void keepResponse(const ir::Response &answer); // for previous_response_id
    std::unique_ptr<StreamPipe> newStreamPipe() const;
    void startStreamToClient();
    void writeToClient(const QByteArray &bytes);
    void endStreamWithError(const QString &message, const QString &rowError = {});
    void logAttempt(int status, const QString &error);
    AttemptReport answeredReport() const;
    QString redacted(const QString &text) const;
    void takeUsage(const TokenUsage &usage);
    void recordUsage(const QString &error);

    void onUpstreamHead(const UpstreamResponseHead &head) override;
    void onUpstreamData(QByteArrayView data) override;
    void onUpstreamFinished(UpstreamFailure failure, const QString &detail) override;
    void onClientGone(ClientGone why) override;
    void onResponseDrained() override;

    ApiHandler &m_owner;
    Router &m_router;
    HttpRequest m_request;
    HttpResponse m_response;
    ConfigSnapshot m_config; // keeps the plan's channels alive
    RequestInfo m_info;
    std::optional<ir::Request> m_decoded; // the client's body decoded, once a translation needs it
    RoutePlan m_plan;
    UsageRecord m_record;
    std::optional<RouteCandidate> m_current;
    ApiFormat m_channelFormat = ApiFormat::OpenAI; // the current candidate's
    quint64 m_call = 0;
    qint64 m_attemptStartNs = 0;
    qint64 m_ttfbMs = -1;
    UpstreamResponseHead m_head;
    bool m_streaming = false; // a 2xx stream: relayed event by event once the first event is in
    bool m_paused = false;
    bool m_done = false;
    QByteArray m_body;        // a whole answer (non-streamed, or an error), held to decide on it
    std::unique_ptr<StreamPipe> m_relay;
    QByteArray m_heldEvents;  // comments (keep-alives) before the first event, sent with it
    // The last failed answer, passed back as it was when no candidate is left.
    UpstreamResponseHead m_lastHead;
    QByteArray m_lastBody;
    ApiFormat m_lastFormat = ApiFormat::OpenAI;
    QString m_lastError;
    AttemptVerdict m_lastVerdict;
    int m_lastTransportStatus = 0; // 502 / 504 when the last attempt got no answer
};

} // namespace tarn::gateway
