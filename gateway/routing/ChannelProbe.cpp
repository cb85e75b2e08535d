// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/routing/ChannelProbe.h"

#include "gateway/core/Redaction.h"
#include "gateway/formats/ChannelWire.h"
#include "gateway/formats/Codec.h"
#include "gateway/formats/ParamOverrides.h"
#include "gateway/routing/AttemptVerdict.h"
#include "gateway/upstream/UpstreamClient.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

namespace tarn::gateway {

namespace {

// Enough of an error body to find its message; the rest is not read.
constexpr qsizetype kBodyLimit = 64 * 1024;

// The message of an OpenAI-shaped error ({"error": {"message": …}}), else the start of the body.
QString errorText(int status, const QByteArray &body)
{
    QString message;
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue error = object.value(QStringLiteral("error"));
    if (error.isObject())
        message = error.toObject().value(QStringLiteral("message")).toString();
    else if (error.isString())
        message = error.toString();
    if (message.isEmpty())
        message = object.value(QStringLiteral("message")).toString();
    if (message.isEmpty())
        message = QString::fromUtf8(body.left(300)).simplified();
    return message.isEmpty() ? QStringLiteral("HTTP %1").arg(status) : QStringLiteral("HTTP %1: %2").arg(status).arg(message);
}

QString failureText(UpstreamFailure failure, const QString &detail, const UpstreamTimeouts &timeouts)
{
    switch (failure) {
    case UpstreamFailure::FirstByteTimeout:
        return QStringLiteral("no answer within %1 s").arg(timeouts.firstByteMs / 1000);
    case UpstreamFailure::IdleTimeout:
        return QStringLiteral("the answer stalled for %1 s").arg(timeouts.idleMs / 1000);
    case UpstreamFailure::Connect:
        return QStringLiteral("cannot connect: %1").arg(detail);
    default:
        break;
    }
    const QString name = QString::fromLatin1(upstreamFailureName(failure));
    return detail.isEmpty() ? name : name + QStringLiteral(": ") + detail;
}

} // namespace

ChannelProbe::ChannelProbe(UpstreamClient &client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

ChannelProbe::~ChannelProbe()
{
    if (m_call)
        m_client.cancel(m_call);
}

UpstreamTimeouts ChannelProbe::defaultTimeouts()
{
    return {10'000, 30'000, 30'000};
}

QString ChannelProbe::probeModel(const Channel &channel, const QString &model)
{
    if (!model.isEmpty())
        return channel.upstreamModel(model);
    if (!channel.testModel.isEmpty())
        return channel.upstreamModel(channel.testModel);
    if (!channel.models.isEmpty())
        return channel.models.first();
    return channel.modelMap.isEmpty() ? QString() : channel.modelMap.first();
}

bool ChannelProbe::canProbe(const Channel &, QString *)
{
    return true; // every channel type has a codec
}

void ChannelProbe::start(const Channel &channel, const QString &key, const QString &model_, const UpstreamTimeouts &timeouts)
{
    if (m_running)
        return;
    m_running = true;
    m_result = {};
    m_result.keyId = keyId(key);
    m_body.clear();
    m_secrets = QStringList{key} + channel.extraHeaders.values();
    m_clock.start();
    m_timeouts = timeouts;

    QString why;
    if (!canProbe(channel, &why)) {
        m_result.error = why;
        finish(m_result);
        return;
    }
    // The smallest real completion, in the channel's own format.
    const QString model = probeModel(channel, model_);
    ir::Request ping;
    ping.model = model.toStdString();
    ping.maxTokens = 1;
    ping.messages.push_back({ir::Role::User, {ir::Part{}}});
    ping.messages.back().parts.back().text = "ping";
    RequestTarget target;
    target.model = ping.model;
    target.sendReasoning = false;
    const std::string body = codecFor(apiFormatOf(channel)).encodeRequest(ping, target);
    ChannelAddress address = channelAddress(channel, key, model, ChannelCall::Generate);
    UpstreamRequest request;
    request.url = std::move(address.url);
    request.body = withParamOverrides(QByteArray(body.data(), qsizetype(body.size())), channel.params);
    request.headers = std::move(address.headers);
    request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    request.headers.append({QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")});
    for (auto it = channel.extraHeaders.cbegin(); it != channel.extraHeaders.cend(); ++it)
        request.headers.append({it.key().toUtf8(), it.value().toUtf8()});
    request.proxy = channel.proxy.toUtf8();
    request.timeouts = timeouts;
    m_call = m_client.start(std::move(request), this);
}

void ChannelProbe::abort(const QString &reason)
{
    if (!m_running)
        return;
    if (m_call)
        m_client.cancel(m_call);
    m_call = 0;
    ProbeResult result = m_result;
    result.passed = false;
    result.error = redactSecrets(reason, m_secrets);
    finish(result);
}

void ChannelProbe::onUpstreamHead(const UpstreamResponseHead &head)
{
    m_result.status = head.status;
    m_headers = head.headers;
}

void ChannelProbe::onUpstreamData(QByteArrayView data)
{
    if (m_body.size() < kBodyLimit)
        m_body.append(data.first(std::min(data.size(), kBodyLimit - m_body.size())));
}

void ChannelProbe::onUpstreamFinished(UpstreamFailure failure, const QString &detail)
{
    m_call = 0;
    ProbeResult result = m_result;
    result.passed = failure == UpstreamFailure::None && result.status >= 200 && result.status < 300;
    QString disguised; // a 200 carrying an error (MiniMax's base_resp, a bare "error" object)
    if (result.passed) {
        const AttemptVerdict verdict = classifyUpstreamAnswer(result.status, m_headers, m_body, QDateTime::currentDateTimeUtc());
        if (verdict.kind != VerdictKind::Success) {
            result.passed = false;
            disguised = QStringLiteral("HTTP %1 with an error (%2): %3")
                            .arg(result.status)
                            .arg(QLatin1StringView(verdictKindName(verdict.kind)), verdict.reason);
        }
    }
    if (failure != UpstreamFailure::None)
        result.error = failureText(failure, detail, m_timeouts);
    else if (!disguised.isEmpty())
        result.error = disguised;
    else if (!result.passed)
        result.error = errorText(result.status, m_body);
    // Providers echo a rejected key in their 401 bodies.
    result.error = redactSecrets(result.error, m_secrets);
    finish(result);
}

void ChannelProbe::finish(ProbeResult result)
{
    m_running = false;
    result.latencyMs = m_clock.elapsed();
    m_body.clear();
    // Queued: never inside start() or an UpstreamClient callback, so a slot may delete the probe.
    QMetaObject::invokeMethod(this, [this, result] { Q_EMIT finished(result); }, Qt::QueuedConnection);
}

QList<ProbeResult> probeChannelBlocking(const Channel &channel, const QString &model, const QString &onlyKeyId,
                                        int timeoutMs)
{
    QStringList keys;
    for (const QString &key : channel.keys) {
        if (onlyKeyId.isEmpty() || keyId(key) == onlyKeyId)
            keys.append(key);
    }
    if (keys.isEmpty())
        return {};
    // The command line's main() skips this (only the gateway needs it); reference-counted.
    UpstreamClient::globalInit();
    UpstreamTimeouts timeouts = ChannelProbe::defaultTimeouts();
    timeouts.connectMs = std::min(timeouts.connectMs, timeoutMs);
    timeouts.firstByteMs = timeoutMs;
    timeouts.idleMs = timeoutMs;

    UpstreamClient client; // declared before the probes: they cancel into it when destroyed
    QEventLoop loop;
    QList<ProbeResult> results(keys.size());
    qsizetype pending = keys.size();
    std::vector<std::unique_ptr<ChannelProbe>> probes;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        auto probe = std::make_unique<ChannelProbe>(client);
        QObject::connect(probe.get(), &ChannelProbe::finished, &loop, [&results, &pending, &loop, i](const ProbeResult &r) {
            results[i] = r;
            if (--pending == 0)
                loop.quit();
        });
        probe->start(channel, keys.at(i), model, timeouts);
        probes.push_back(std::move(probe));
    }
    // A backstop over the per-phase timeouts: an answer trickling in forever still ends.
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&probes, timeoutMs] {
        for (const auto &probe : probes)
            probe->abort(QStringLiteral("no complete answer within %1 s").arg(timeoutMs / 1000));
    });
    deadline.start(timeouts.connectMs + 2 * timeoutMs);
    loop.exec();
    return results;
}

} // namespace tarn::gateway
