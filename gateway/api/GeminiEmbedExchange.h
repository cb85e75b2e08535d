// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/api/ApiHandler.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/Result.h"
#include "gateway/core/UsageRecord.h"
#include "gateway/http/HttpRequest.h"
#include "gateway/http/HttpResponse.h"
#include "gateway/routing/Router.h"
#include "gateway/upstream/UpstreamRequest.h"

#include <QStringList>

#include <optional>

namespace tarn::gateway {

// A Gemini client's embedding request, read from :embedContent ({content, outputDimensionality?})
// or :batchEmbedContents ({requests:[{model, content, …}]}): one text per content (its parts'
// texts joined), in order.
struct GeminiEmbedRequest
{
    bool batch = false;
    QStringList texts;
    int dimensions = 0; // outputDimensionality; 0 = not given
};
// model is the URL's; a request in a batch naming another model is refused, as Google does.
Result<GeminiEmbedRequest> parseGeminiEmbedRequest(const QByteArray &body, bool batch, const QString &model);

// Gemini's :embedContent and :batchEmbedContents through any channel that embeds: an OpenAI-type
// channel gets POST {base}/embeddings {model, input} and its answer comes back as Gemini's
// {embedding:{values}} ({embeddings:[…]} for a batch); a Gemini channel gets the client's call
// with the channel's model name. Anthropic channels have no embeddings and are passed over. Fails
// over like a completion until an answer reaches the client; one usage row, as /v1/embeddings.
class GeminiEmbedExchange final : public Exchange, public UpstreamObserver, public ResponseObserver
{
public:
    GeminiEmbedExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response, ConfigSnapshot config,
                        GeminiEmbedRequest embed, RoutePlan plan, UsageRecord record);
    ~GeminiEmbedExchange() override;
    Q_DISABLE_COPY_MOVE(GeminiEmbedExchange)

    void start();

private:
    static constexpr qint64 kMaxAnswerBytes = 64LL * 1024 * 1024;

    void attemptNext();
    UpstreamRequest upstreamRequest(const RouteCandidate &candidate) const;
    void answerFailure();
    void answerError(int status, const QString &message, QByteArrayView code);
    void finish(int status, const QByteArray &body, const QString &error);
    void logAttempt(int status, const QString &error);

    void onUpstreamHead(const UpstreamResponseHead &head) override;
    void onUpstreamData(QByteArrayView data) override;
    void onUpstreamFinished(UpstreamFailure failure, const QString &detail) override;
    void onClientGone(ClientGone why) override;
    void onResponseDrained() override {}

    ApiHandler &m_owner;
    Router &m_router;
    HttpRequest m_request;
    HttpResponse m_response;
    ConfigSnapshot m_config;
    GeminiEmbedRequest m_embed;
    RoutePlan m_plan;
    UsageRecord m_record;
    std::optional<RouteCandidate> m_current;
    quint64 m_call = 0;
    qint64 m_attemptStartNs = 0;
    UpstreamResponseHead m_head;
    QByteArray m_body;
    bool m_tooBig = false;
    // The last failure, answered when no candidate is left.
    int m_lastStatus = 0;
    QByteArray m_lastBody;
    ChannelType m_lastType = ChannelType::OpenAI;
    QString m_lastError;
};

} // namespace tarn::gateway
