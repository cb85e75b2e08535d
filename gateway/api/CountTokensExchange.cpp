// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/CountTokensExchange.h"

#include "gateway/api/UpstreamWire.h"
#include "gateway/core/Logging.h"
#include "gateway/formats/GeminiCodec.h"
#include "gateway/formats/TokenEstimate.h"
#include "gateway/upstream/UpstreamClient.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tarn::gateway {

namespace {

constexpr qint64 kMaxAnswerBytes = 64 * 1024;
constexpr int kTimeoutMs = 10'000;

// The channel that would most likely serve the model: enabled, with a usable key, highest
// priority first. Routing state is not consulted: a count is cheap and changes nothing.
std::optional<RouteCandidate> countingChannel(const RuntimeConfig &config, const QString &model)
{
    const Channel *best = nullptr;
    for (const Channel &channel : config.channels) {
        if (!channel.enabled || !channel.serves(model))
            continue;
        if (!best || channel.priority > best->priority)
            best = &channel;
    }
    if (!best)
        return std::nullopt;
    for (const QString &key : best->keys) {
        if (best->disabledKeys.contains(keyId(key)))
            continue;
        RouteCandidate candidate; // capabilities are not consulted: a count needs none
        candidate.channel = best;
        candidate.upstreamModel = best->upstreamModel(model);
        candidate.key = key;
        candidate.keyId = keyId(key);
        return candidate;
    }
    return std::nullopt;
}

} // namespace

CountTokensExchange::CountTokensExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response,
                                         ConfigSnapshot config, ApiFormat clientFormat, ir::Request decoded)
    : m_owner(owner)
    , m_request(std::move(request))
    , m_response(std::move(response))
    , m_config(std::move(config))
    , m_clientFormat(clientFormat)
    , m_decoded(std::move(decoded))
{
}

CountTokensExchange::~CountTokensExchange()
{
    if (m_call)
        m_owner.upstream().cancel(m_call);
    m_response.setObserver(nullptr);
}

void CountTokensExchange::start()
{
    m_response.setObserver(this);
    const QString model = QString::fromStdString(m_decoded.model);
    const std::optional<RouteCandidate> candidate = countingChannel(*m_config, model);
    // OpenAI channels count nothing; Anthropic's endpoint takes only an Anthropic client's body.
    if (!candidate || candidate->channel->type == ChannelType::OpenAI
        || (candidate->channel->type == ChannelType::Anthropic && m_clientFormat != ApiFormat::Anthropic)) {
        answer(estimatePromptTokens(m_decoded));
        return;
    }
    m_channelFormat = apiFormatOf(*candidate->channel);
    RequestInfo info;
    info.format = m_clientFormat;
    info.model = model;
    ClientCall call{&m_request, &info, QString::fromLatin1(m_request.path()), &m_decoded};
    call.countTokens = true;
    UpstreamRequest upstream = channelRequest(*candidate, call);
    upstream.timeouts = m_owner.context().timeouts;
    upstream.timeouts.connectMs = std::min(upstream.timeouts.connectMs, kTimeoutMs);
    upstream.timeouts.firstByteMs = std::min(upstream.timeouts.firstByteMs, kTimeoutMs);
    upstream.timeouts.idleMs = std::min(upstream.timeouts.idleMs, kTimeoutMs);
    m_call = m_owner.upstream().start(std::move(upstream), this);
}

void CountTokensExchange::onUpstreamHead(const UpstreamResponseHead &head)
{
    m_status = head.status;
}

void CountTokensExchange::onUpstreamData(QByteArrayView data)
{
    if (m_body.size() + data.size() <= kMaxAnswerBytes)
        m_body.append(data);
}

void CountTokensExchange::onUpstreamFinished(UpstreamFailure failure, const QString &detail)
{
    m_call = 0;
    qint64 tokens = -1;
    if (failure == UpstreamFailure::None && m_status == 200) {
        if (m_channelFormat == ApiFormat::Gemini) {
            tokens = geminiCountTokensResult(std::string_view(m_body.constData(), std::size_t(m_body.size())));
        } else {
            const QJsonValue count = QJsonDocument::fromJson(m_body).object().value(u"input_tokens");
            tokens = count.isDouble() ? qint64(count.toDouble()) : -1;
        }
    }
    if (tokens < 0) {
        qCInfo(lcRouting) << "token count from the upstream failed (" << m_status << detail.left(200)
                          << "): answering an estimate";
        tokens = estimatePromptTokens(m_decoded);
    }
    answer(tokens);
}

void CountTokensExchange::onClientGone(ClientGone)
{
    m_owner.finished(this);
}

void CountTokensExchange::answer(qint64 tokens)
{
    m_response.setObserver(nullptr);
    const QByteArray member = m_clientFormat == ApiFormat::Gemini ? QByteArrayLiteral("{\"totalTokens\":")
                                                                  : QByteArrayLiteral("{\"input_tokens\":");
    m_response.sendJson(200, member + QByteArray::number(tokens) + '}');
    m_owner.finished(this);
}

} // namespace tarn::gateway
