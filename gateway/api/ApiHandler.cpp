// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/ApiHandler.h"

#include "gateway/api/ApiRoutes.h"
#include "gateway/api/CountTokensExchange.h"
#include "gateway/api/GeminiEmbedExchange.h"
#include "gateway/api/GeminiModels.h"
#include "gateway/api/ProxyExchange.h"
#include "gateway/api/ResponseStore.h"
#include "gateway/auth/ClientAuthenticator.h"
#include "gateway/auth/ClientKeyLimiter.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/formats/Codec.h"
#include "gateway/formats/OpenAiRequest.h"
#include "gateway/formats/ErrorResponse.h"
#include "gateway/http/HttpResponse.h"
#include "gateway/routing/Router.h"
#include "gateway/upstream/UpstreamClient.h"
#include "gateway/usage/UsageRecorder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace tarn::gateway {

namespace {

// 405 with the Allow header, in the client's error shape.
void sendMethodNotAllowed(const HttpResponse &response, const QByteArray &allowed, QByteArrayView path)
{
    response.send(405, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
                        {QByteArrayLiteral("Allow"), allowed}},
                  errorBody(clientFormatOf(path), 405,
                            QStringLiteral("use %1 for %2").arg(QString::fromLatin1(allowed), QString::fromLatin1(path))));
}

// What the router needs to know: the model, what the request needs from a channel, and which
// conversation it belongs to (Claude Code's session header, the client's own cache key, else the
// conversation's opening), scoped to the client key so two clients never share an entry.
RouteRequest routeRequest(const HttpRequest &request, const RequestInfo &info, qint64 clientKeyId)
{
    RouteRequest route;
    route.model = info.model;
    const QByteArrayView path = request.path();
    if (path == "/v1/completions" || path == "/v1/embeddings")
        route.needs.channelType = ChannelType::OpenAI; // no translator covers these
    route.needs.tools = info.hasTools;
    route.needs.vision = info.hasImages;
    route.needs.jsonMode = info.wantsJson;
    route.needs.promptTokens = info.promptTokensEstimate;
    route.needs.maxOutputTokens = info.maxOutputTokens;
    QString conversation;
    if (const QByteArray session = request.header("x-claude-code-session-id"); !session.isEmpty())
        conversation = QStringLiteral("session:") + QString::fromLatin1(session.left(200));
    else if (!info.promptCacheKey.isEmpty())
        conversation = QStringLiteral("cache:") + info.promptCacheKey.left(200);
    else if (info.conversationHash)
        conversation = QStringLiteral("opening:") + QLatin1StringView(apiFormatName(info.format)) + u':'
            + QString::number(info.conversationHash, 16);
    if (!conversation.isEmpty())
        route.stickyKey = QString::number(clientKeyId) + u'|' + info.model + u'|' + conversation;
    return route;
}

// The caller's address as a client key's last-used address: IPv4 callers of a dual-stack socket
// are shown as IPv4.
QString clientAddressOf(const HttpRequest &request)
{
    bool isV4 = false;
    const quint32 v4 = request.peer.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : request.peer.toString();
}

} // namespace

ApiHandler::ApiHandler(const GatewayContext &context, QObject *threadContext)
    : m_context(context), m_upstream(new UpstreamClient(threadContext))
{
}

ApiHandler::~ApiHandler()
{
    // Exchanges cancel their upstream calls as they go; the client (a QObject child of the
    // thread context) is deleted with it afterwards.
    m_exchanges.clear();
}

std::optional<Refusal> ApiHandler::admit(const HttpRequest &head)
{
    // Everything but the health check needs a client (key); one that has none is turned away
    // before its body is buffered. handle() authenticates again against the snapshot it uses.
    const QByteArrayView path = head.path();
    if (path == "/health")
        return std::nullopt;
    const ConfigSnapshot config = m_context.config->snapshot();
    const auto identity = authenticateClient(head, *config);
    if (identity) {
        if (!identity->key)
            return std::nullopt;
        if (!identity->saltedHash.isEmpty())
            m_context.usage->upgradeKeyHash(identity->key->id, identity->saltedHash);
        // Limits are for the calls that reach a model (and get a usage row), decided here, before
        // the body is read: a key over its limit costs no buffering.
        if (!m_context.limiter || !isProxiedEndpoint(path))
            return std::nullopt;
        const std::optional<LimitExceeded> over = m_context.limiter->admit(*identity->key);
        if (!over)
            return std::nullopt;
        const Error error{ErrorCode::RateLimited, over->message(identity->key->name)};
        UsageRecord record = newUsageRecord(path);
        record.clientKeyId = identity->key->id;
        recordRefusal(head, std::move(record), error);
        return Refusal{httpStatusFor(error.code),
                       {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
                        {QByteArrayLiteral("Retry-After"), QByteArray::number(over->retryAfterS)}},
                       refusalBody(path, error)};
    }
    if (isProxiedEndpoint(path))
        recordRefusal(head, newUsageRecord(path), identity.error());
    return Refusal{httpStatusFor(identity.error().code),
                   {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}},
                   refusalBody(path, identity.error())};
}

void ApiHandler::handle(HttpRequest &&request, const HttpResponse &response)
{
    const QByteArrayView path = request.path();
    if (path == "/health") {
        response.sendJson(200, QByteArrayLiteral("{\"status\":\"ok\"}"));
        return;
    }
    if (isModelList(path) || !modelOfPath(path).isEmpty()) {
        if (request.method != "GET" && isModelList(path)) {
            sendMethodNotAllowed(response, QByteArrayLiteral("GET"), path);
            return;
        }
        if (request.method != "GET") {
            // A POST to …/models/{x} with no method after a colon (or an encoded one) is a call to
            // a method that does not exist, as Google answers it: 404, not "use GET".
            response.sendJson(404, errorBody(clientFormatOf(path), 404,
                                             QStringLiteral("unknown endpoint %1 %2: generate with POST "
                                                            "…/models/{model}:generateContent")
                                                 .arg(QString::fromLatin1(request.method),
                                                      QString::fromLatin1(path.first(std::min<qsizetype>(path.size(), 200)))),
                                             "unknown_url"));
            return;
        }
        handleModels(request, response);
        return;
    }
    const GeminiTarget gemini = geminiTarget(path);
    const bool geminiCount = gemini.valid && gemini.method == "countTokens";
    if (isProxiedEndpoint(path) || path == "/v1/messages/count_tokens" || geminiCount) {
        if (request.method != "POST") {
            sendMethodNotAllowed(response, QByteArrayLiteral("POST"), path);
            return;
        }
        if (path == "/v1/messages/count_tokens" || geminiCount)
            handleCountTokens(std::move(request), response);
        else if (gemini.method == "embedContent" || gemini.method == "batchEmbedContents")
            handleGeminiEmbed(std::move(request), response, gemini.model, gemini.method);
        else if (gemini.valid) // one usage endpoint per method, whatever the model
            handleProxy(std::move(request), response, QByteArray("/v1beta/models/{model}:" + gemini.method));
        else
            handleProxy(std::move(request), response, path);
        return;
    }
    response.sendJson(404, errorBody(clientFormatOf(path), 404,
                                     QStringLiteral("unknown endpoint %1 %2")
                                         .arg(QString::fromLatin1(request.method), QString::fromLatin1(path)),
                                     "unknown_url"));
}

QByteArray ApiHandler::protocolErrorBody(QByteArrayView path, int status, const QString &message,
                                         QByteArrayView code) const
{
    return errorBody(clientFormatOf(path), status, message, code);
}

void ApiHandler::handleModels(const HttpRequest &request, const HttpResponse &response)
{
    const ConfigSnapshot config = m_context.config->snapshot();
    // Each client reads the list in its own API's shape.
    const ApiFormat format = modelListFormat(request);
    const auto identity = authenticateClient(request, *config);
    if (!identity) {
        response.sendJson(httpStatusFor(identity.error().code), errorBody(format, identity.error()));
        return;
    }
    QStringList models;
    for (const QString &model : Router::servedModels(*config)) {
        if (!identity->key || identity->key->allowsModel(model))
            models.append(model);
    }
    const auto entry = [format](const QString &model) {
        if (format == ApiFormat::Anthropic)
            return QJsonObject{{QStringLiteral("type"), QStringLiteral("model")},
                               {QStringLiteral("id"), model},
                               {QStringLiteral("display_name"), model},
                               {QStringLiteral("created_at"), QStringLiteral("2025-01-01T00:00:00Z")}};
        return QJsonObject{{QStringLiteral("id"), model},
                           {QStringLiteral("object"), QStringLiteral("model")},
                           {QStringLiteral("created"), 0},
                           {QStringLiteral("owned_by"), QStringLiteral("tarn")}};
    };
    if (const QString model = modelOfPath(request.path()); !model.isEmpty()) {
        // One model: a model the key may not use is as unknown as one nobody serves.
        if (!models.contains(model)) {
            response.sendJson(404, errorBody(format, 404, QStringLiteral("model '%1' is not found").arg(model.left(200)),
                                             "model_not_found"));
            return;
        }
        response.sendJson(200, format == ApiFormat::Gemini ? geminiModel(*config, model)
                                                           : QJsonDocument(entry(model)).toJson(QJsonDocument::Compact));
        return;
    }
    if (format == ApiFormat::Gemini) {
        const qsizetype at = request.target.indexOf('?');
        const QUrlQuery query(at < 0 ? QString() : QString::fromUtf8(request.target.sliced(at + 1)));
        const std::optional<QByteArray> page
            = geminiModelList(*config, models, query.queryItemValue(QStringLiteral("pageSize")).toInt(),
                              query.queryItemValue(QStringLiteral("pageToken")));
        if (!page) {
            response.sendJson(400, errorBody(format, 400, QStringLiteral("pageToken is not one this list gave")));
            return;
        }
        response.sendJson(200, *page);
        return;
    }
    QJsonArray data;
    for (const QString &model : models)
        data.append(entry(model));
    if (format == ApiFormat::Anthropic) {
        const QJsonValue first = data.isEmpty() ? QJsonValue() : data.first().toObject().value(u"id");
        const QJsonValue last = data.isEmpty() ? QJsonValue() : data.last().toObject().value(u"id");
        const QJsonObject list{{QStringLiteral("data"), data},
                               {QStringLiteral("has_more"), false},
                               {QStringLiteral("first_id"), first},
                               {QStringLiteral("last_id"), last}};
        response.sendJson(200, QJsonDocument(list).toJson(QJsonDocument::Compact));
        return;
    }
    const QJsonObject list{{QStringLiteral("object"), QStringLiteral("list")}, {QStringLiteral("data"), data}};
    response.sendJson(200, QJsonDocument(list).toJson(QJsonDocument::Compact));
}

void ApiHandler::handleProxy(HttpRequest &&request, const HttpResponse &response, QByteArrayView endpoint)
{
    UsageRecord record = newUsageRecord(endpoint);

    ConfigSnapshot config = m_context.config->snapshot();
    const auto identity = authenticateClient(request, *config);
    if (!identity) {
        reject(request, response, record, identity.error());
        return;
    }
    if (identity->key) {
        record.clientKeyId = identity->key->id;
        record.clientAddress = clientAddressOf(request);
    }

    std::optional<ir::Request> decoded;
    Result<RequestInfo> info = RequestInfo{};
    if (endpoint == "/v1/messages") {
        // Anthropic clients are decoded at once: routing reads what they need from the decoded
        // request, and most of them go to channels of another format anyway.
        Result<ir::Request> parsed = codecFor(ApiFormat::Anthropic)
                                           .decodeRequest(std::string_view(request.body.constData(), std::size_t(request.body.size())));
        if (!parsed) {
            reject(request, response, record, parsed.error());
            return;
        }
        info = requestInfoOf(*parsed, ApiFormat::Anthropic, request.body.size());
        decoded = std::move(*parsed);
    } else if (endpoint == "/v1/responses") {
        // Responses clients are decoded at once too: previous_response_id is resolved here, and
        // Codex's channels mostly speak Chat Completions.
        Result<ir::Request> parsed = codecFor(ApiFormat::Responses)
                                         .decodeRequest(std::string_view(request.body.constData(), std::size_t(request.body.size())));
        if (!parsed) {
            reject(request, response, record, parsed.error());
            return;
        }
        bool continued = false;
        if (!parsed->previousResponseId.empty()) {
            std::optional<std::vector<ir::Message>> stored;
            if (m_context.responses)
                stored = m_context.responses->find(record.clientKeyId, parsed->previousResponseId,
                                                   monotonicNs() / 1'000'000);
            if (!stored) {
                reject(request, response, record,
                       Error::invalid(QStringLiteral("Previous response with id '%1' not found: Tarn keeps recent "
                                                     "responses for a while (see README), in memory, per client key")
                                          .arg(QString::fromStdString(parsed->previousResponseId).left(200))));
                return;
            }
            parsed->messages = continuedConversation(std::move(*stored), std::move(parsed->messages));
            parsed->previousResponseId.clear();
            continued = true;
        }
        info = requestInfoOf(*parsed, ApiFormat::Responses, request.body.size());
        info->bodyRewritten = continued;
        decoded = std::move(*parsed);
    } else if (endpoint.startsWith("/v1beta/")) {
        // Gemini: the model and streaming are in the URL, not the body.
        Result<ir::Request> parsed = codecFor(ApiFormat::Gemini)
                                         .decodeRequest(std::string_view(request.body.constData(), std::size_t(request.body.size())));
        if (!parsed) {
            reject(request, response, record, parsed.error());
            return;
        }
        const GeminiTarget target = geminiTarget(request.path());
        parsed->model = target.model.toStdString();
        parsed->stream = target.method == "streamGenerateContent";
        info = requestInfoOf(*parsed, ApiFormat::Gemini, request.body.size());
        decoded = std::move(*parsed);
    } else {
        info = inspectOpenAiRequest(request.body);
        if (!info) {
            reject(request, response, record, info.error());
            return;
        }
    }
    record.requestedModel = info->model;
    record.stream = info->stream;
    if (identity->key && !identity->key->allowsModel(info->model)) {
        reject(request, response, record,
               {ErrorCode::PermissionDenied,
                QStringLiteral("client key '%1' may not use model '%2'").arg(identity->key->name, info->model)});
        return;
    }
    Result<RoutePlan> plan = m_context.router->plan(*config, routeRequest(request, *info, record.clientKeyId));
    if (!plan) {
        reject(request, response, record, plan.error());
        return;
    }
    auto exchange = std::make_unique<ProxyExchange>(*this, std::move(request), response, std::move(config), std::move(*info),
                                                    std::move(decoded), std::move(*plan), std::move(record));
    ProxyExchange *raw = exchange.get();
    m_exchanges.emplace(raw, std::move(exchange));
    raw->start();
}

void ApiHandler::handleCountTokens(HttpRequest &&request, const HttpResponse &response)
{
    ConfigSnapshot config = m_context.config->snapshot();
    const auto identity = authenticateClient(request, *config);
    if (!identity) {
        response.sendJson(httpStatusFor(identity.error().code), refusalBody(request.path(), identity.error()));
        return;
    }
    const ApiFormat format = clientFormatOf(request.path());
    std::string_view body(request.body.constData(), std::size_t(request.body.size()));
    // Gemini's countTokens may wrap the request: {"generateContentRequest": {...}}.
    const qsizetype wrapped = format == ApiFormat::Gemini ? request.body.indexOf("\"generateContentRequest\"") : -1;
    Result<ir::Request> decoded = codecFor(format).decodeRequest(body);
    if (!decoded && wrapped >= 0) {
        const QJsonObject inner = QJsonDocument::fromJson(request.body).object().value(u"generateContentRequest").toObject();
        const QByteArray innerBody = QJsonDocument(inner).toJson(QJsonDocument::Compact);
        decoded = codecFor(format).decodeRequest(std::string_view(innerBody.constData(), std::size_t(innerBody.size())));
    }
    if (!decoded) {
        response.sendJson(400, refusalBody(request.path(), decoded.error()));
        return;
    }
    if (format == ApiFormat::Gemini)
        decoded->model = geminiTarget(request.path()).model.toStdString();
    const QString model = QString::fromStdString(decoded->model);
    if (identity->key && !identity->key->allowsModel(model)) {
        const Error denied{ErrorCode::PermissionDenied,
                           QStringLiteral("client key '%1' may not use model '%2'").arg(identity->key->name, model)};
        response.sendJson(403, refusalBody(request.path(), denied));
        return;
    }
    auto exchange = std::make_unique<CountTokensExchange>(*this, std::move(request), response, std::move(config), format,
                                                          std::move(*decoded));
    CountTokensExchange *raw = exchange.get();
    m_exchanges.emplace(raw, std::move(exchange));
    raw->start();
}

void ApiHandler::handleGeminiEmbed(HttpRequest &&request, const HttpResponse &response, const QString &model,
                                   const QByteArray &method)
{
    UsageRecord record = newUsageRecord(QByteArray("/v1beta/models/{model}:" + method));
    ConfigSnapshot config = m_context.config->snapshot();
    const auto identity = authenticateClient(request, *config);
    if (!identity) {
        reject(request, response, record, identity.error());
        return;
    }
    if (identity->key) {
        record.clientKeyId = identity->key->id;
        record.clientAddress = clientAddressOf(request);
    }
    record.requestedModel = model;
    Result<GeminiEmbedRequest> embed = parseGeminiEmbedRequest(request.body, method == "batchEmbedContents", model);
    if (!embed) {
        reject(request, response, record, embed.error());
        return;
    }
    if (identity->key && !identity->key->allowsModel(model)) {
        reject(request, response, record,
               {ErrorCode::PermissionDenied,
                QStringLiteral("client key '%1' may not use model '%2'").arg(identity->key->name, model)});
        return;
    }
    RouteRequest route;
    route.model = model;
    Result<RoutePlan> plan = m_context.router->plan(*config, route);
    if (!plan) {
        reject(request, response, record, plan.error());
        return;
    }
    auto exchange = std::make_unique<GeminiEmbedExchange>(*this, std::move(request), response, std::move(config),
                                                          std::move(*embed), std::move(*plan), std::move(record));
    GeminiEmbedExchange *raw = exchange.get();
    m_exchanges.emplace(raw, std::move(exchange));
    raw->start();
}

UsageRecord ApiHandler::newUsageRecord(QByteArrayView endpoint)
{
    UsageRecord record;
    record.time = QDateTime::currentDateTimeUtc();
    record.inboundFormat = QString::fromLatin1(apiFormatName(clientFormatOf(endpoint)));
    record.endpoint = QString::fromLatin1(endpoint);
    return record;
}

QByteArray ApiHandler::refusalBody(QByteArrayView path, const Error &error)
{
    // OpenAI's own code for an unknown model, so SDKs that branch on it behave.
    const QByteArrayView code = error.code == ErrorCode::NotFound ? QByteArrayView("model_not_found")
                                                                  : QByteArrayView(errorCodeName(error.code));
    return errorBody(clientFormatOf(path), httpStatusFor(error.code), error.message, code);
}

void ApiHandler::recordRefusal(const HttpRequest &request, UsageRecord record, const Error &error)
{
    if (record.clientKeyId > 0)
        record.clientAddress = clientAddressOf(request);
    record.status = httpStatusFor(error.code);
    record.error = error.message;
    record.latencyMs = (monotonicNs() - request.arrivedNs) / 1'000'000;
    m_context.usage->record(std::move(record));
}

void ApiHandler::reject(const HttpRequest &request, const HttpResponse &response, const UsageRecord &partial,
                        const Error &error)
{
    recordRefusal(request, partial, error); // before the answer: the client may look for it
    response.sendJson(httpStatusFor(error.code), refusalBody(request.path(), error));
}

void ApiHandler::finished(Exchange *exchange)
{
    // Called as the exchange's last act; neither the upstream client nor the connection touch an
    // observer after its final callback, so it can go now (a queued delete cost an event-loop
    // wake-up per request).
    m_exchanges.erase(exchange);
}

} // namespace tarn::gateway
