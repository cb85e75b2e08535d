// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/admin/AdminServer.h"

#include "gateway/Gateway.h"
#include "gateway/admin/AdminToken.h"
#include "gateway/cli/ChannelState.h"
#include "gateway/cli/CliSupport.h"
#include "gateway/cli/UsageJson.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/core/Logging.h"
#include "gateway/core/Paths.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/UsageRepository.h"

#include <QDateTime>
#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpServer>
#include <QThread>
#include <QUrlQuery>

#include <mutex>

namespace tarn::gateway {

using HttpStatus = QHttpServerResponder::StatusCode;

// What the gateway's thread tells the API's thread.
struct AdminShared
{
    std::mutex mutex;
    QList<QUrl> listening;
    QDateTime startedAt = QDateTime::currentDateTimeUtc();
};

namespace {

constexpr int kDefaultRecent = 100;
constexpr int kMaxRecent = 1000;

QJsonValue timeJson(const QDateTime &time)
{
    return QJsonValue::fromVariant(cli::jsonTime(time));
}

QList<QByteArray> headerValues(const QHttpServerRequest &request, const QByteArray &name)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    return request.headers().values(name);
#else
    QList<QByteArray> values;
    for (const auto &[key, value] : request.headers()) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            values.append(value);
    }
    return values;
#endif
}

// The token of "Authorization: Bearer <token>", when the request carries exactly one such header
// (two, even equal, are refused: a proxy and a client disagreeing is not for us to settle).
QByteArray bearerToken(const QHttpServerRequest &request)
{
    const QList<QByteArray> values = headerValues(request, "authorization");
    if (values.size() != 1)
        return {};
    const QByteArray value = values.first().trimmed();
    constexpr QByteArrayView scheme("bearer ");
    if (value.size() <= scheme.size() || QByteArrayView(value).first(scheme.size()).compare(scheme, Qt::CaseInsensitive) != 0)
        return {};
    return value.mid(scheme.size()).trimmed();
}

QJsonObject clientKeyJson(const ClientKey &key)
{
    return {{QStringLiteral("id"), key.id},
            {QStringLiteral("name"), key.name},
            {QStringLiteral("prefix"), key.prefix},
            {QStringLiteral("models"), QJsonArray::fromStringList(key.models)},
            {QStringLiteral("expires_at"), timeJson(key.expiresAt)},
            {QStringLiteral("revoked"), key.revoked},
            {QStringLiteral("created_at"), timeJson(key.createdAt)},
            {QStringLiteral("last_used_at"), timeJson(key.lastUsedAt)}};
}

QJsonObject routerJson(const RouterStatus &status)
{
    QJsonArray channels;
    for (const ChannelStatus &c : status.channels) {
        QJsonArray keys;
        for (const KeyStatus &k : c.keys) {
            keys.append(QJsonObject{{QStringLiteral("key_id"), k.keyId},
                                    {QStringLiteral("state"), healthStateName(k.state)},
                                    {QStringLiteral("cooldown_until"), timeJson(k.cooldownUntil)},
                                    {QStringLiteral("reason"), k.reason},
                                    {QStringLiteral("requests"), k.requests},
                                    {QStringLiteral("failures"), k.failures}});
        }
        channels.append(QJsonObject{{QStringLiteral("id"), c.channelId},
                                    {QStringLiteral("name"), c.name},
                                    {QStringLiteral("state"), healthStateName(c.state)},
                                    {QStringLiteral("cooldown_until"), timeJson(c.cooldownUntil)},
                                    {QStringLiteral("reason"), c.reason},
                                    {QStringLiteral("effective_weight"), c.effectiveWeight},
                                    {QStringLiteral("latency_ms"), c.latencyMs},
                                    {QStringLiteral("error_rate"), c.errorRate},
                                    {QStringLiteral("requests"), c.requests},
                                    {QStringLiteral("keys"), keys}});
    }
    return {{QStringLiteral("taken_at"), timeJson(status.takenAt)}, {QStringLiteral("channels"), channels}};
}

} // namespace

// Lives on the API's thread: the HTTP server, its socket and its database connection are made,
// used and destroyed there.
class AdminWorker final : public QObject
{
public:
    AdminWorker(Gateway &gateway, std::shared_ptr<AdminShared> shared, QByteArray token)
        : m_gateway(gateway)
        , m_shared(std::move(shared))
        , m_token(std::move(token))
    {
    }

    Result<quint16> begin(quint16 port)
    {
        // A connection name of its own: two servers in one process (tests) must not share one.
        auto database = Database::open(databasePath(m_gateway.options().dataDir),
                                       QStringLiteral("tarn-admin-%1").arg(quintptr(this), 0, 16));
        if (!database)
            return database.error();
        m_database = std::move(*database);
        m_http = new QHttpServer(this);
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        m_http->setMissingHandler(this, [this](const QHttpServerRequest &request, QHttpServerResponder &responder) {
            handle(request, responder);
        });
#else
        m_http->setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handle(request, responder);
        });
#endif
        m_socket = new QTcpServer(this);
        if (!m_socket->listen(QHostAddress::LocalHost, port)) {
            return Error{ErrorCode::Io,
                         QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(port).arg(m_socket->errorString())};
        }
        m_http->bind(m_socket);
        return m_socket->serverPort();
    }

    // Everything made on this thread goes on it (sockets may not be deleted from another).
    void end()
    {
        delete m_http;
        m_http = nullptr;
        delete m_socket; // null already when the HTTP server took it over (bind() adopts it)
        m_socket = nullptr;
        m_database.reset();
    }

private:
    static void fail(QHttpServerResponder &responder, HttpStatus status, const char *type, const QString &message)
    {
        const QJsonObject body{{QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), QString::fromLatin1(type)},
                                                                     {QStringLiteral("message"), message}}}};
        responder.write(QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", status);
    }

    static void answer(QHttpServerResponder &responder, const QJsonObject &body)
    {
        responder.write(QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", HttpStatus::Ok);
    }

    void handle(const QHttpServerRequest &request, QHttpServerResponder &responder)
    {
        // Bound to loopback, so this holds; checked all the same in case that ever changes.
        if (!request.remoteAddress().isLoopback())
            return fail(responder, HttpStatus::Forbidden, "forbidden", QStringLiteral("the management API serves this machine only"));
        if (!adminTokenMatches(bearerToken(request), m_token)) {
            return fail(responder, HttpStatus::Unauthorized, "unauthorized",
                        QStringLiteral("send Authorization: Bearer <the token in %1>")
                            .arg(adminTokenPath(m_gateway.options().dataDir)));
        }
        using Method = QHttpServerRequest::Method;
        const QString path = request.url().path();
        const QUrlQuery query = request.query();
        const bool get = request.method() == Method::Get;
        const bool post = request.method() == Method::Post;
        const auto wrongMethod = [&responder](const char *allowed) {
            fail(responder, HttpStatus::MethodNotAllowed, "method_not_allowed",
                 QStringLiteral("this endpoint takes %1").arg(QLatin1String(allowed)));
        };

        if (path == u"/admin/v1/status")
            return get ? answer(responder, status()) : wrongMethod("GET");
        if (path == u"/admin/v1/channels")
            return get ? answer(responder, channels()) : wrongMethod("GET");
        if (path == u"/admin/v1/router")
            return get ? answer(responder, routerJson(m_gateway.routerStatus())) : wrongMethod("GET");
        if (path == u"/admin/v1/keys")
            return get ? keys(responder) : wrongMethod("GET");
        if (path == u"/admin/v1/usage")
            return get ? usage(responder, query) : wrongMethod("GET");
        if (path == u"/admin/v1/requests")
            return get ? requests(responder, query) : wrongMethod("GET");
        if (path == u"/admin/v1/pause" || path == u"/admin/v1/resume") {
            if (!post)
                return wrongMethod("POST");
            const bool paused = path == u"/admin/v1/pause";
            QMetaObject::invokeMethod(&m_gateway, [gateway = &m_gateway, paused] { gateway->setPaused(paused); },
                                      Qt::QueuedConnection);
            return answer(responder, {{QStringLiteral("paused"), paused}});
        }
        fail(responder, HttpStatus::NotFound, "not_found", QStringLiteral("no endpoint %1").arg(path));
    }

    QJsonObject status() const
    {
        QJsonArray listening;
        QDateTime startedAt;
        {
            std::lock_guard lock(m_shared->mutex);
            for (const QUrl &url : m_shared->listening)
                listening.append(url.toString());
            startedAt = m_shared->startedAt;
        }
        const RouterStatus router = m_gateway.routerStatus();
        const ConfigSnapshot config = m_gateway.config().snapshot();
        QJsonObject states{{QStringLiteral("healthy"), 0}, {QStringLiteral("cooling"), 0}, {QStringLiteral("open"), 0},
                           {QStringLiteral("disabled"), 0}};
        for (const Channel &channel : config->channels) {
            const QString state = healthStateName(cli::channelStateView(channel, router).state);
            states[state] = states.value(state).toInt() + 1;
        }
        return {{QStringLiteral("version"), QStringLiteral(TARN_VERSION)},
                {QStringLiteral("started_at"), timeJson(startedAt)},
                {QStringLiteral("uptime_s"), startedAt.secsTo(QDateTime::currentDateTimeUtc())},
                {QStringLiteral("paused"), m_gateway.isPaused()},
                {QStringLiteral("listening"), listening},
                {QStringLiteral("channels"), config->channels.size()},
                {QStringLiteral("channel_states"), states},
                // "file": no keychain service runs here, which a window should tell its user.
                {QStringLiteral("secrets"), QJsonObject{{QStringLiteral("backend"), m_gateway.secretBackend()},
                                                        {QStringLiteral("detail"), m_gateway.secretStatus()}}}};
    }

    QJsonObject channels() const
    {
        const RouterStatus router = m_gateway.routerStatus();
        const ConfigSnapshot config = m_gateway.config().snapshot();
        QJsonArray list;
        for (const Channel &channel : config->channels)
            list.append(cli::channelStateJson(channel, cli::channelStateView(channel, router)));
        return {{QStringLiteral("channels"), list}};
    }

    void keys(QHttpServerResponder &responder)
    {
        const Result<QList<ClientKey>> keys = ClientKeyRepository(*m_database).list();
        if (!keys)
            return fail(responder, HttpStatus::InternalServerError, "storage_error", keys.error().message);
        QJsonArray list;
        for (const ClientKey &key : *keys)
            list.append(clientKeyJson(key));
        answer(responder, {{QStringLiteral("keys"), list}});
    }

    void usage(QHttpServerResponder &responder, const QUrlQuery &query)
    {
        const QString sinceText = query.hasQueryItem(QStringLiteral("since")) ? query.queryItemValue(QStringLiteral("since"))
                                                                              : QStringLiteral("24h");
        const Result<QDateTime> since = cli::parseSince(sinceText, QDateTime::currentDateTimeUtc(), QStringLiteral("since"));
        if (!since)
            return fail(responder, HttpStatus::BadRequest, "invalid_request", since.error().message);
        const Result<UsageSummary> summary = UsageRepository(*m_database).summarize(*since);
        if (!summary)
            return fail(responder, HttpStatus::InternalServerError, "storage_error", summary.error().message);
        answer(responder, cli::usageSummaryJson(*since, *summary));
    }

    void requests(QHttpServerResponder &responder, const QUrlQuery &query)
    {
        int limit = kDefaultRecent;
        if (query.hasQueryItem(QStringLiteral("limit"))) {
            bool ok = false;
            limit = query.queryItemValue(QStringLiteral("limit")).toInt(&ok);
            if (!ok || limit < 1 || limit > kMaxRecent) {
                return fail(responder, HttpStatus::BadRequest, "invalid_request",
                            QStringLiteral("limit must be 1 to %1").arg(kMaxRecent));
            }
        }
        const Result<QList<UsageRecord>> records = UsageRepository(*m_database).recent(limit);
        if (!records)
            return fail(responder, HttpStatus::InternalServerError, "storage_error", records.error().message);
        QJsonArray list;
        for (const UsageRecord &record : *records)
            list.append(cli::usageRecordJson(record));
        answer(responder, {{QStringLiteral("requests"), list}});
    }

    Gateway &m_gateway;
    std::shared_ptr<AdminShared> m_shared;
    QByteArray m_token;
    QHttpServer *m_http = nullptr;
    QPointer<QTcpServer> m_socket;
    std::unique_ptr<Database> m_database;
};

AdminServer::AdminServer(Gateway &gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_shared(std::make_shared<AdminShared>())
{
    publishListening(gateway.urls());
    connect(&gateway, &Gateway::listeningChanged, this, &AdminServer::publishListening);
}

AdminServer::~AdminServer()
{
    stop();
}

quint16 AdminServer::defaultPort(const QList<QUrl> &listening, bool ephemeral)
{
    if (ephemeral || listening.isEmpty() || listening.first().port() <= 0 || listening.first().port() >= 65535)
        return 0;
    return quint16(listening.first().port() + 1);
}

Status AdminServer::start(quint16 port)
{
    if (m_thread)
        return Error{ErrorCode::Internal, QStringLiteral("the management API is already running")};
    Result<QByteArray> token = loadOrCreateAdminToken(m_gateway.options().dataDir);
    if (!token)
        return token.error();
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("tarn-admin"));
    m_worker = new AdminWorker(m_gateway, m_shared, *token);
    m_worker->moveToThread(m_thread);
    m_thread->start();
    Result<quint16> bound = Error{ErrorCode::Internal, QString()};
    QMetaObject::invokeMethod(m_worker, [this, port, &bound] { bound = m_worker->begin(port); },
                              Qt::BlockingQueuedConnection);
    if (!bound) {
        stop();
        return bound.error();
    }
    m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(*bound));
    return {};
}

void AdminServer::stop()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->end(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_worker; // holds nothing of its thread any more
    m_worker = nullptr;
    delete m_thread;
    m_thread = nullptr;
    m_url.clear();
}

void AdminServer::publishListening(const QList<QUrl> &urls)
{
    std::lock_guard lock(m_shared->mutex);
    m_shared->listening = urls;
}

} // namespace tarn::gateway
