// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/api/GatewayContext.h"
#include "gateway/core/Result.h"
#include "gateway/http/HttpConnection.h"


#include <memory>
#include <unordered_map>

namespace tarn::gateway {

class UpstreamClient;
struct UsageRecord;

// One request the handler is answering asynchronously (a proxied call, a token count); it calls
// ApiHandler::finished() as its last act.
class Exchange
{
public:
    virtual ~Exchange() = default;
};

// Answers the API of one worker thread: health, model lists (in each client's shape), the proxied
// OpenAI Chat, Gemini (generate, stream, embed) and Anthropic
// Messages endpoints, and Anthropic's token counting.
class ApiHandler final : public RequestHandler
{
public:
    ApiHandler(const GatewayContext &context, QObject *threadContext);
    ~ApiHandler() override;
    Q_DISABLE_COPY_MOVE(ApiHandler)

    std::optional<Refusal> admit(const HttpRequest &head) override;
    void handle(HttpRequest &&request, const HttpResponse &response) override;
    QByteArray protocolErrorBody(QByteArrayView path, int status, const QString &message,
                                 QByteArrayView code) const override;

    // Used by ProxyExchange.
    UpstreamClient &upstream() { return *m_upstream; }
    const GatewayContext &context() const { return m_context; }
    void finished(Exchange *exchange);

private:
    void handleModels(const HttpRequest &request, const HttpResponse &response);
    void handleProxy(HttpRequest &&request, const HttpResponse &response, QByteArrayView endpoint);
    void handleCountTokens(HttpRequest &&request, const HttpResponse &response);
    // Gemini's :embedContent and :batchEmbedContents (method), through any channel that embeds.
    void handleGeminiEmbed(HttpRequest &&request, const HttpResponse &response, const QString &model,
                           const QByteArray &method);
    void reject(const HttpRequest &request, const HttpResponse &response, const UsageRecord &partial,
                const Error &error);
    // One usage row for a request refused before it reached a channel.
    void recordRefusal(const HttpRequest &request, UsageRecord record, const Error &error);
    static UsageRecord newUsageRecord(QByteArrayView endpoint);
    static QByteArray refusalBody(QByteArrayView path, const Error &error);

    GatewayContext m_context;
    UpstreamClient *m_upstream = nullptr; // child of the thread context
    std::unordered_map<Exchange *, std::unique_ptr<Exchange>> m_exchanges;
};

} // namespace tarn::gateway
