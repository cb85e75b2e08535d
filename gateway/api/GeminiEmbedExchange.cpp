// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/GeminiEmbedExchange.h"

#include "gateway/api/UpstreamWire.h"
#include "gateway/core/Logging.h"
#include "gateway/core/Redaction.h"
#include "gateway/formats/ChannelWire.h"
#include "gateway/formats/Codec.h"
#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/OpenAiResponse.h"
#include "gateway/formats/TokenEstimate.h"
#include "gateway/upstream/UpstreamClient.h"
#include "gateway/usage/UsageRecorder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include <algorithm>
#include <climits>

namespace tarn::gateway {

namespace {

// Google's own limit on one :batchEmbedContents call.
constexpr qsizetype kMaxBatchRequests = 100;

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

QString withoutModelsPrefix(QString model)
{
    if (model.startsWith(u"models/"))
        model.remove(0, 7);
    return model;
}

// One EmbedContentRequest's content as one text: its parts' texts, in order.
Result<QString> contentText(const QJsonValue &value, const QString &where)
{
    if (!value.isObject())
        return Error::invalid(QStringLiteral("%1.content must be an object with parts").arg(where));
    const QJsonValue parts = value.toObject().value(u"parts");
    if (!parts.isArray() || parts.toArray().isEmpty())
        return Error::invalid(QStringLiteral("%1.content.parts must be a non-empty array").arg(where));
    QStringList texts;
    for (const QJsonValue &part : parts.toArray()) {
        const QJsonValue text = part.toObject().value(u"text");
        if (!part.isObject() || !text.isString())
            return Error::invalid(QStringLiteral("%1.content.parts: only text parts can be embedded").arg(where));
        texts.append(text.toString());
    }
    return texts.join(u'\n');
}

Result<int> dimensionsOf(const QJsonObject &request, const QString &where)
{
    const QJsonValue value = request.value(u"outputDimensionality");
    if (value.isUndefined() || value.isNull())
        return 0;
    if (!value.isDouble() || value.toDouble() < 1 || value.toDouble() > 65536 || value.toDouble() != double(value.toInt()))
        return Error::invalid(QStringLiteral("%1.outputDimensionality must be a positive integer").arg(where));
    return value.toInt();
}

// An OpenAI /embeddings answer's vectors, ordered by index; none when the answer is not one
// vector of numbers per text.
std::optional<QJsonArray> openAiVectors(const QByteArray &body, qsizetype count)
{
    const QJsonArray data = QJsonDocument::fromJson(body).object().value(u"data").toArray();
    if (data.size() != count)
        return std::nullopt;
    std::vector<QJsonArray> byIndex(static_cast<std::size_t>(count));
    std::vector<bool> seen(static_cast<std::size_t>(count), false);
    for (qsizetype i = 0; i < data.size(); ++i) {
        const QJsonObject item = data.at(i).toObject();
        const qint64 index = item.value(u"index").isDouble() ? item.value(u"index").toInteger() : i;
        const QJsonValue vector = item.value(u"embedding");
        if (index < 0 || index >= count || seen[std::size_t(index)] || !vector.isArray())
            return std::nullopt;
        seen[std::size_t(index)] = true;
        byIndex[std::size_t(index)] = vector.toArray();
    }
    QJsonArray vectors;
    for (QJsonArray &vector : byIndex)
        vectors.append(QJsonObject{{QStringLiteral("values"), std::move(vector)}});
    return vectors;
}

} // namespace

Result<GeminiEmbedRequest> parseGeminiEmbedRequest(const QByteArray &body, bool batch, const QString &model)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error::invalid(QStringLiteral("the request body must be a JSON object"));
    const QJsonObject root = document.object();
    GeminiEmbedRequest embed;
    embed.batch = batch;
    if (!batch) {
        Result<QString> text = contentText(root.value(u"content"), QStringLiteral("request"));
        if (!text)
            return text.error();
        Result<int> dimensions = dimensionsOf(root, QStringLiteral("request"));
        if (!dimensions)
            return dimensions.error();
        embed.texts.append(*text);
        embed.dimensions = *dimensions;
        return embed;
    }
    const QJsonValue requests = root.value(u"requests");
    if (!requests.isArray() || requests.toArray().isEmpty())
        return Error::invalid(QStringLiteral("requests must be a non-empty array"));
    if (requests.toArray().size() > kMaxBatchRequests)
        return Error::invalid(QStringLiteral("at most %1 requests can be in one batch").arg(kMaxBatchRequests));
    const QJsonArray list = requests.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString where = QStringLiteral("requests[%1]").arg(i);
        if (!list.at(i).isObject())
            return Error::invalid(QStringLiteral("%1 must be an object").arg(where));
        const QJsonObject request = list.at(i).toObject();
        const QJsonValue named = request.value(u"model");
        if (!named.isUndefined() && (!named.isString() || withoutModelsPrefix(named.toString()) != model))
            return Error::invalid(QStringLiteral("%1.model must be the model of the URL, models/%2").arg(where, model));
        Result<QString> text = contentText(request.value(u"content"), where);
        if (!text)
            return text.error();
        Result<int> dimensions = dimensionsOf(request, where);
        if (!dimensions)
            return dimensions.error();
        if (i > 0 && *dimensions != embed.dimensions)
            return Error::invalid(QStringLiteral("every request of a batch must ask for the same outputDimensionality"));
        embed.dimensions = *dimensions;
        embed.texts.append(*text);
    }
    return embed;
}

GeminiEmbedExchange::GeminiEmbedExchange(ApiHandler &owner, HttpRequest &&request, HttpResponse response,
                                         ConfigSnapshot config, GeminiEmbedRequest embed, RoutePlan plan,
                                         UsageRecord record)
    : m_owner(owner)
    , m_router(*owner.context().router)
    , m_request(std::move(request))
    , m_response(std::move(response))
    , m_config(std::move(config))
    , m_embed(std::move(embed))
    , m_plan(std::move(plan))
    , m_record(std::move(record))
{
}

GeminiEmbedExchange::~GeminiEmbedExchange()
{
    if (m_call)
        m_owner.upstream().cancel(m_call);
    m_response.setObserver(nullptr);
}

void GeminiEmbedExchange::start()
{
    m_response.setObserver(this);
    attemptNext();
}

void GeminiEmbedExchange::attemptNext()
{
    // Anthropic channels serve the model's chat but have no embeddings: passed over, untried.
    do
        m_current = m_router.next(m_plan);
    while (m_current && m_current->channel->type == ChannelType::Anthropic);
    if (!m_current) {
        answerFailure();
        return;
    }
    const Channel &channel = *m_current->channel;
    m_record.attempts = m_plan.attempts();
    m_record.channelId = channel.id;
    m_record.channelName = channel.name;
    m_record.upstreamModel = m_current->upstreamModel;
    m_record.channelFormat = QString::fromLatin1(apiFormatName(apiFormatOf(channel.type)));
    m_head = {};
    m_body.clear();
    m_tooBig = false;
    m_attemptStartNs = monotonicNs();
    UpstreamRequest upstream = upstreamRequest(*m_current);
    upstream.timeouts = m_owner.context().timeouts;
    if (m_plan.attempts() > 1) {
        // A failover attempt gets what is left of the routing time budget, as completions do.
        const qint64 elapsedMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
        const int left = int(std::clamp<qint64>(m_config->routing.timeBudgetMs - elapsedMs, 1000, INT_MAX));
        upstream.timeouts.connectMs = std::min(upstream.timeouts.connectMs, left);
        upstream.timeouts.firstByteMs = std::min(upstream.timeouts.firstByteMs, left);
    }
    m_call = m_owner.upstream().start(std::move(upstream), this);
}

UpstreamRequest GeminiEmbedExchange::upstreamRequest(const RouteCandidate &candidate) const
{
    const Channel &channel = *candidate.channel;
    UpstreamRequest upstream;
    if (channel.type == ChannelType::Gemini) {
        // The client's own call, naming the channel's model (in the URL, and in each request of
        // a batch, where Google requires it).
        ChannelAddress address = channelAddress(channel, candidate.key, candidate.upstreamModel, ChannelCall::Generate);
        address.url.chop(qsizetype(sizeof(":generateContent") - 1));
        address.url += m_embed.batch ? QByteArrayLiteral(":batchEmbedContents") : QByteArrayLiteral(":embedContent");
        upstream.url = std::move(address.url);
        upstream.headers = std::move(address.headers);
        QJsonObject body = QJsonDocument::fromJson(m_request.body).object();
        if (m_embed.batch) {
            QJsonArray requests = body.value(u"requests").toArray();
            for (qsizetype i = 0; i < requests.size(); ++i) {
                QJsonObject request = requests.at(i).toObject();
                request.insert(QStringLiteral("model"), QString(u"models/" + candidate.upstreamModel));
                requests[i] = request;
            }
            body.insert(QStringLiteral("requests"), requests);
        } else {
            body.remove(QStringLiteral("model"));
        }
        upstream.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    } else {
        // Always Chat-style addressing: a channel set to the Responses API still has /embeddings.
        Channel chat = channel;
        chat.openAiApi = OpenAiApi::Chat;
        ChannelAddress address = channelAddress(chat, candidate.key, candidate.upstreamModel, ChannelCall::Generate,
                                                "/embeddings");
        upstream.url = std::move(address.url);
        upstream.headers = std::move(address.headers);
        QJsonObject body{{QStringLiteral("model"), candidate.upstreamModel},
                         {QStringLiteral("input"), m_embed.batch ? QJsonValue(QJsonArray::fromStringList(m_embed.texts))
                                                                 : QJsonValue(m_embed.texts.value(0))}};
        if (m_embed.dimensions > 0)
            body.insert(QStringLiteral("dimensions"), m_embed.dimensions);
        // The channel's parameter overrides are for chat completions (temperature and the like),
        // which an embeddings endpoint rejects: not applied here.
        upstream.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    upstream.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    upstream.headers.append({QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")});
    appendExtraHeaders(upstream.headers, channel);
    upstream.proxy = channel.proxy.toUtf8();
    return upstream;
}

void GeminiEmbedExchange::onUpstreamHead(const UpstreamResponseHead &head)
{
    m_head = head;
}

void GeminiEmbedExchange::onUpstreamData(QByteArrayView data)
{
    if (m_body.size() + data.size() > kMaxAnswerBytes) {
        m_tooBig = true;
        return;
    }
    m_body.append(data);
}

void GeminiEmbedExchange::logAttempt(int status, const QString &error)
{
    AttemptRecord attempt;
    attempt.channelId = m_current->channel->id;
    attempt.channelName = m_current->channel->name;
    attempt.keyId = m_current->keyId;
    attempt.status = status;
    attempt.error = redactSecrets(error, channelSecrets(*m_current->channel)).left(300);
    attempt.ms = (monotonicNs() - m_attemptStartNs) / 1'000'000;
    m_record.attemptLog.append(std::move(attempt));
}

void GeminiEmbedExchange::onUpstreamFinished(UpstreamFailure failure, const QString &detail)
{
    m_call = 0;
    const Channel &channel = *m_current->channel;
    const QStringList secrets = channelSecrets(channel);
    AttemptReport report;
    report.status = m_head.status;
    QString why;
    if (failure != UpstreamFailure::None || m_tooBig) {
        report.transport = failure == UpstreamFailure::FirstByteTimeout || failure == UpstreamFailure::IdleTimeout
            ? AttemptReport::Transport::Timeout
            : (m_head.status ? AttemptReport::Transport::Broken : AttemptReport::Transport::ConnectFailed);
        why = m_tooBig ? QStringLiteral("the answer is larger than %1 bytes").arg(kMaxAnswerBytes)
                       : QString::fromLatin1(upstreamFailureName(failure)) + u": " + detail;
        report.detail = redactSecrets(why, secrets);
        m_lastStatus = report.transport == AttemptReport::Transport::Timeout ? 504 : 502;
        m_lastBody.clear();
    } else {
        static const QTimeZone utc = QTimeZone::utc();
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_router.nowMs(), utc);
        report.ttfbMs = (monotonicNs() - m_attemptStartNs) / 1'000'000;
        report.rateLimits = parseRateLimitHeaders(m_head.headers, now);
        if (!isSuccess(m_head.status)) {
            report.verdict = classifyUpstreamAnswer(m_head.status, m_head.headers, m_body, now);
            report.verdict.reason = redactSecrets(report.verdict.reason, secrets);
            why = QStringLiteral("HTTP %1: %2").arg(m_head.status).arg(report.verdict.reason);
            m_lastStatus = report.verdict.kind == VerdictKind::InvalidKey ? 502 : m_head.status;
            m_lastBody = redactSecrets(m_body, secrets);
            m_lastType = channel.type;
        } else {
            // The answer in the client's shape, or a failure when it is not one vector per text.
            QByteArray answer;
            TokenUsage usage;
            if (channel.type == ChannelType::Gemini) {
                const QJsonObject object = QJsonDocument::fromJson(m_body).object();
                const bool whole = m_embed.batch
                    ? object.value(u"embeddings").toArray().size() == m_embed.texts.size()
                    : object.value(u"embedding").isObject();
                if (whole)
                    answer = m_body;
                const QJsonValue count = object.value(u"usageMetadata").toObject().value(u"promptTokenCount");
                if (count.isDouble())
                    usage = {count.toInteger(), 0, 0, true};
            } else if (const std::optional<QJsonArray> vectors = openAiVectors(m_body, m_embed.texts.size())) {
                const QJsonObject object = m_embed.batch ? QJsonObject{{QStringLiteral("embeddings"), *vectors}}
                                                         : QJsonObject{{QStringLiteral("embedding"), vectors->first()}};
                answer = QJsonDocument(object).toJson(QJsonDocument::Compact);
                usage = usageOfOpenAiBody(m_body);
            }
            if (!answer.isEmpty()) {
                if (!usage.reported)
                    usage.prompt = estimateTextTokens(m_embed.texts.join(u'\n').toStdString());
                report.tokens = usage.prompt;
                m_router.recordAttempt(m_plan, *m_current, report);
                logAttempt(m_head.status, {});
                m_record.promptTokens = usage.prompt;
                m_record.cachedTokens = usage.cached;
                m_record.ttftMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
                finish(200, answer, {});
                return;
            }
            report.transport = AttemptReport::Transport::Broken;
            why = QStringLiteral("the answer is not one embedding per text");
            m_lastStatus = 502;
            m_lastBody.clear();
        }
    }
    logAttempt(m_head.status, why);
    m_lastError = QStringLiteral("upstream channel '%1' failed: %2").arg(channel.name, redactSecrets(why, secrets));
    if (m_router.recordAttempt(m_plan, *m_current, report)) {
        attemptNext();
        return;
    }
    answerFailure();
}

void GeminiEmbedExchange::answerFailure()
{
    if (m_lastStatus) {
        if (m_lastType == ChannelType::Gemini && !m_lastBody.isEmpty() && m_lastStatus != 502
            && isErrorBodyOf(ApiFormat::Gemini, m_lastBody)) {
            finish(m_lastStatus, m_lastBody, m_lastError);
            return;
        }
        ir::ApiError error;
        if (!m_lastBody.isEmpty())
            error = codecFor(apiFormatOf(m_lastType))
                        .decodeError(m_lastStatus, std::string_view(m_lastBody.constData(), std::size_t(m_lastBody.size())));
        error.status = m_lastStatus;
        error.kind = ir::errorKindForStatus(m_lastStatus);
        const QString upstreamWords = QString::fromStdString(error.message);
        error.message = (upstreamWords.isEmpty() ? m_lastError : m_lastError.section(u':', 0, 0) + u": " + upstreamWords)
                            .toStdString();
        finish(m_lastStatus, errorBody(ApiFormat::Gemini, error), m_lastError);
        return;
    }
    const QString message = QStringLiteral("no channel can embed with '%1' right now: %2")
                                .arg(m_record.requestedModel, m_plan.exhaustedReason().isEmpty()
                                                                  ? QStringLiteral("no OpenAI or Gemini channel serves it")
                                                                  : m_plan.exhaustedReason());
    answerError(m_plan.retryAfterMs() >= 0 ? 429 : 503, message, "no_channel_available");
}

void GeminiEmbedExchange::answerError(int status, const QString &message, QByteArrayView code)
{
    finish(status, errorBody(ApiFormat::Gemini, status, message, code), message);
}

void GeminiEmbedExchange::finish(int status, const QByteArray &body, const QString &error)
{
    // The row before the answer: a client that has its answer can rely on the row being there.
    m_response.setObserver(nullptr);
    m_record.status = status;
    m_record.error = error;
    m_record.latencyMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
    m_owner.context().usage->record(std::move(m_record));
    m_response.send(status, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}}, body);
    m_owner.finished(this);
}

void GeminiEmbedExchange::onClientGone(ClientGone)
{
    const quint64 call = std::exchange(m_call, 0);
    if (call) {
        AttemptReport report;
        report.transport = AttemptReport::Transport::Abandoned;
        m_router.recordAttempt(m_plan, *m_current, report);
        logAttempt(m_head.status, QStringLiteral("client went away"));
    }
    m_record.status = 499;
    m_record.error = QStringLiteral("client closed the connection");
    m_record.latencyMs = (monotonicNs() - m_request.arrivedNs) / 1'000'000;
    m_owner.context().usage->record(std::move(m_record));
    if (call)
        m_owner.upstream().cancel(call);
    m_owner.finished(this);
}

} // namespace tarn::gateway
