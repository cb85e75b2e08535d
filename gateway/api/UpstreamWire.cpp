// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/UpstreamWire.h"

#include "gateway/core/ExtraHeaderRule.h"

#include "gateway/formats/ChannelWire.h"
#include "gateway/formats/Codec.h"
#include "gateway/formats/GeminiCodec.h"
#include "gateway/formats/OpenAiRequest.h"
#include "gateway/formats/OpenAiResponse.h"
#include "gateway/formats/ParamOverrides.h"
#include "gateway/routing/CapabilityResolver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tarn::gateway {

namespace {

// Upstream response headers worth passing on; everything else (framing, cookies, servers) is ours.
bool isRelayedHeader(const QByteArray &name)
{
    static const char *const exact[] = {"content-type", "retry-after", "x-request-id", "request-id",
                                        "openai-processing-ms", "openai-version", "anthropic-organization-id"};
    for (const char *h : exact) {
        if (headerNameIs(name, h))
            return true;
    }
    return isRateLimitHeaderName(name);
}

// What a translated request tells the target about limits and reasoning.
RequestTarget targetFor(const RouteCandidate &candidate)
{
    const Channel &channel = *candidate.channel;
    const EffectiveCapabilities &caps = candidate.caps; // resolved (and cached) by routing
    RequestTarget target;
    target.model = candidate.upstreamModel.toStdString();
    if (caps.maxOutputTokens.tokens > 0)
        target.defaultMaxTokens = std::min<qint64>(caps.maxOutputTokens.tokens, 32000);
    // Unknown models behind an OpenAI-compatible API often reject reasoning_effort; Anthropic- and
    // Gemini-format endpoints take their thinking parameters for any model.
    target.sendReasoning = caps.reasoning.supported
        && (caps.reasoning.source != CapabilitySource::Assumed || channel.type != ChannelType::OpenAI);
    return target;
}

QByteArray anthropicBetas(const QByteArray &clientBetas, const QStringList &strip)
{
    if (strip.isEmpty())
        return clientBetas.trimmed();
    QByteArrayList kept;
    for (const QByteArray &beta : clientBetas.split(',')) {
        const QByteArray name = beta.trimmed();
        if (!name.isEmpty() && !strip.contains(QString::fromLatin1(name)))
            kept.append(name);
    }
    return kept.join(',');
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

void appendExtraHeaders(HeaderList &headers, const Channel &channel)
{
    for (auto it = channel.extraHeaders.cbegin(); it != channel.extraHeaders.cend(); ++it) {
        if (!isFramingHeader(it.key()))
            headers.append({it.key().toUtf8(), it.value().toUtf8()});
    }
}

bool isErrorBodyOf(ApiFormat format, const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue error = object.value(QStringLiteral("error"));
    switch (format) {
    case ApiFormat::OpenAI:
    case ApiFormat::Responses: return error.isObject();
    case ApiFormat::Anthropic: return object.value(QStringLiteral("type")) == QStringLiteral("error") && error.isObject();
    case ApiFormat::Gemini: return error.isObject() && error.toObject().contains(QStringLiteral("status"));
    }
    return false;
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

UpstreamRequest channelRequest(const RouteCandidate &candidate, const ClientCall &call)
{
    const Channel &channel = *candidate.channel;
    const RequestInfo &info = *call.info;
    const ApiFormat channelFormat = apiFormatOf(channel);
    // A rewritten request (a continued conversation) is encoded even for the client's own format.
    const bool sameFormat = channelFormat == info.format && !info.bodyRewritten;
    UpstreamRequest upstream;

    if (call.countTokens && channelFormat == ApiFormat::Gemini && !sameFormat) {
        const std::string body = geminiCountTokensBody(*call.decoded, candidate.upstreamModel.toStdString());
        upstream.body = QByteArray(body.data(), qsizetype(body.size()));
    } else if (!sameFormat) {
        const std::string body = codecFor(channelFormat).encodeRequest(*call.decoded, targetFor(candidate));
        upstream.body = QByteArray(body.data(), qsizetype(body.size()));
    } else if (channelFormat == ApiFormat::OpenAI) {
        upstream.body = upstreamOpenAiBody(call.request->body, info, candidate.upstreamModel);
    } else if (channelFormat == ApiFormat::Gemini) {
        // The model is the URL's, which the client key was checked against: a "model" member in
        // the body must not name another one.
        static const ParamOverrides dropModel{{}, {QStringLiteral("model")}};
        upstream.body = withParamOverrides(call.request->body, dropModel);
    } else {
        upstream.body = candidate.upstreamModel == info.model ? call.request->body
                                                                : withModel(call.request->body, candidate.upstreamModel);
    }
    upstream.body = withParamOverrides(upstream.body, channel.params);

    const ChannelCall kind = call.countTokens ? ChannelCall::CountTokens
                             : info.stream   ? ChannelCall::Stream
                                             : ChannelCall::Generate;
    // A translated request to an OpenAI channel is always a chat completion.
    const QByteArray openAiEndpoint = sameFormat ? call.endpoint.mid(3).toLatin1() : QByteArrayLiteral("/chat/completions");
    ChannelAddress address = channelAddress(channel, candidate.key, candidate.upstreamModel, kind, openAiEndpoint);
    upstream.url = std::move(address.url);
    upstream.headers = std::move(address.headers);
    upstream.headers.reserve(6 + channel.extraHeaders.size());
    if (channelFormat == ApiFormat::Anthropic && sameFormat) {
        // The client's API version and betas when it speaks Anthropic too, minus the betas this
        // provider rejects.
        if (const QByteArray version = call.request->header("anthropic-version"); !version.isEmpty()) {
            for (auto &[name, value] : upstream.headers) {
                if (name == "anthropic-version")
                    value = version;
            }
        }
        {
            const QByteArray betas = anthropicBetas(call.request->header("anthropic-beta"), channel.stripBetas);
            if (!betas.isEmpty())
                upstream.headers.append({QByteArrayLiteral("anthropic-beta"), betas});
        }
    }
    upstream.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    upstream.headers.append({QByteArrayLiteral("Accept"), info.stream ? QByteArrayLiteral("text/event-stream")
                                                                     : QByteArrayLiteral("application/json")});
    appendExtraHeaders(upstream.headers, channel);
    upstream.proxy = channel.proxy.toUtf8();
    return upstream;
}

} // namespace tarn::gateway
