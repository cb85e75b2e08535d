// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/api/ApiHandler.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/formats/ApiFormat.h"
#include "gateway/formats/Conversation.h"
#include "gateway/http/HttpRequest.h"
#include "gateway/http/HttpResponse.h"
#include "gateway/upstream/UpstreamRequest.h"

namespace tarn::gateway {

// Token counting for any channel: Anthropic's POST /v1/messages/count_tokens ({"input_tokens": N})
// and Gemini's :countTokens ({"totalTokens": N}). Asked of the upstream when the channel that
// would serve the model has a counting endpoint that can take the request (Anthropic's for
// Anthropic clients, Gemini's for both), otherwise — or when that call fails — estimated
// (formats/TokenEstimate). Claude Code calls it often and treats a failure as fatal, so it always
// answers.
// Counting is free at providers and not a completion: no usage row, no routing state.
class CountTokensExchange final : public Exchange, public UpstreamObserver, public ResponseObserver
{
public:
    CountTokensExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response, ConfigSnapshot config,
                        ApiFormat clientFormat, ir::Request decoded);
    ~CountTokensExchange() override;
    Q_DISABLE_COPY_MOVE(CountTokensExchange)

    void start();

private:
    void answer(qint64 tokens);

    void onUpstreamHead(const UpstreamResponseHead &head) override;
    void onUpstreamData(QByteArrayView data) override;
    void onUpstreamFinished(UpstreamFailure failure, const QString &detail) override;
    void onClientGone(ClientGone why) override;
    void onResponseDrained() override {}

    ApiHandler &m_owner;
    HttpRequest m_request;
    HttpResponse m_response;
    ConfigSnapshot m_config;
    ApiFormat m_clientFormat;
    ir::Request m_decoded;
    ApiFormat m_channelFormat = ApiFormat::OpenAI;
    quint64 m_call = 0;
    int m_status = 0;
    QByteArray m_body;
};

} // namespace tarn::gateway
