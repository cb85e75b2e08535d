// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/api/GatewayContext.h"
#include "gateway/core/Result.h"
#include "gateway/http/HttpConnection.h"


#include <memory>
#include <unordered_map>

namespace tarn::gateway {

class ProxyExchange;
class UpstreamClient;
struct UsageRecord;

// Answers the API of one worker thread: health, model list, and the proxied OpenAI endpoints.
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
    void finished(ProxyExchange *exchange);

private:
    void handleModels(const HttpRequest &request, const HttpResponse &response);
    void handleProxy(HttpRequest &&request, const HttpResponse &response, QByteArrayView endpoint);
    void reject(const HttpRequest &request, const HttpResponse &response, const UsageRecord &partial,
                const Error &error);
    // One usage row for a request refused before it reached a channel.
    void recordRefusal(const HttpRequest &request, UsageRecord record, const Error &error);
    static UsageRecord newUsageRecord(QByteArrayView endpoint);
    static QByteArray refusalBody(const Error &error);

    GatewayContext m_context;
    UpstreamClient *m_upstream = nullptr; // child of the thread context
    std::unordered_map<ProxyExchange *, std::unique_ptr<ProxyExchange>> m_exchanges;
};

} // namespace tarn::gateway
