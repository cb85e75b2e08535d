// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/OpenAiUpstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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

} // namespace

HeaderList relayedHeaders(const HeaderList &upstream)
{
    HeaderList headers;
    for (const auto &header : upstream) {
        if (isRelayedHeader(header.first))
            headers.append(header);
    }
    return headers;
}

// Everything of a channel's that is a credential: its keys and its extra header values.
QStringList channelSecrets(const Channel &channel)
{
    QStringList secrets = channel.keys;
    for (auto it = channel.extraHeaders.cbegin(); it != channel.extraHeaders.cend(); ++it)
        secrets.append(it.value());
    return secrets;
}

// Whether an error body is in OpenAI's shape ({"error": {...}}), which OpenAI clients parse.
bool isOpenAiErrorBody(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    return object.value(QStringLiteral("error")).isObject();
}

// A streamed answer's text as the whole answer it stands for, for the checks that read one.
QByteArray streamedAnswer(const QString &content)
{
    const QJsonObject message{{QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), content}};
    const QJsonObject choice{{QStringLiteral("index"), 0}, {QStringLiteral("message"), message},
                             {QStringLiteral("finish_reason"), QStringLiteral("stop")}};
    const QJsonObject answer{{QStringLiteral("object"), QStringLiteral("chat.completion")},
                             {QStringLiteral("choices"), QJsonArray{choice}}};
    return QJsonDocument(answer).toJson(QJsonDocument::Compact);
}

UpstreamRequest openAiUpstreamRequest(const RouteCandidate &candidate, const QString &endpoint,
                                      const QByteArray &body, const OpenAiRequestInfo &info)
{
    const Channel &channel = *candidate.channel;
    UpstreamRequest upstream;
    QByteArray base = channel.baseUrl.toUtf8();
    while (base.endsWith('/'))
        base.chop(1);
    upstream.url = base + endpointSuffix(endpoint);
    upstream.body = upstreamOpenAiBody(body, info, candidate.upstreamModel);
    upstream.headers.reserve(4 + channel.extraHeaders.size());
    upstream.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + candidate.key.toUtf8()});
    upstream.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    upstream.headers.append({QByteArrayLiteral("Accept"), info.stream ? QByteArrayLiteral("text/event-stream")
                                                                     : QByteArrayLiteral("application/json")});
    for (auto it = channel.extraHeaders.cbegin(); it != channel.extraHeaders.cend(); ++it)
        upstream.headers.append({it.key().toUtf8(), it.value().toUtf8()});
    upstream.proxy = channel.proxy.toUtf8();
    return upstream;
}

} // namespace tarn::gateway
