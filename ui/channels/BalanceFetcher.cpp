// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/BalanceFetcher.h"

#include "ui/channels/ChannelProxy.h"

#include "ui/channels/CodingPlanQuota.h"

#include "gateway/core/Redaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

constexpr int kTimeoutMs = 15000;

// Providers write amounts as numbers or as decimal strings.
double amount(const QJsonValue &value)
{
    return value.isString() ? value.toString().toDouble() : value.toDouble();
}

QString money(const QString &currency, double value)
{
    return currency + QLatin1Char(' ') + QLocale().toString(value, 'f', 2);
}

// The provider's own words in an error body, whichever of the common shapes it uses.
QString errorMessage(const QByteArray &body)
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    const QJsonValue error = root.value(QLatin1String("error"));
    if (error.isObject())
        return error.toObject().value(QLatin1String("message")).toString();
    if (error.isString())
        return error.toString();
    for (const char *field : {"msg", "message"}) {
        if (const QString text = root.value(QLatin1String(field)).toString(); !text.isEmpty())
            return text;
    }
    return root.value(QLatin1String("base_resp")).toObject().value(QLatin1String("status_msg")).toString();
}

} // namespace

BalanceFetcher::BalanceFetcher(QObject *parent)
    : QObject(parent)
{
}

BalanceFetcher::~BalanceFetcher() = default;

std::optional<BalanceQuery> BalanceFetcher::queryFor(const Channel &channel)
{
    std::optional<BalanceQuery> query = endpointFor(channel);
    if (query) {
        query->proxy = channel.proxy;
        query->headers = channel.extraHeaders;
    }
    return query;
}

QNetworkAccessManager *BalanceFetcher::networkFor(const QString &proxy)
{
    QNetworkAccessManager *&network = m_networks[proxy];
    if (!network) {
        network = new QNetworkAccessManager(this);
        network->setProxy(channelProxy(proxy));
    }
    return network;
}

std::optional<BalanceQuery> BalanceFetcher::endpointFor(const Channel &channel)
{
    if (channel.keys.isEmpty())
        return std::nullopt;
    const QUrl base(channel.baseUrl);
    const QString host = base.host().toLower();
    QUrl root;
    root.setScheme(base.scheme());
    root.setHost(base.host());
    root.setPort(base.port());
    auto at = [&](const char *path) {
        QUrl url = root;
        url.setPath(QString::fromLatin1(path));
        return url;
    };
    if (host == u"api.deepseek.com")
        return BalanceQuery{BalanceQuery::Kind::DeepSeek, at("/user/balance")};
    if (host == u"api.siliconflow.cn" || host == u"api.siliconflow.com")
        return BalanceQuery{BalanceQuery::Kind::SiliconFlow, at("/v1/user/info")};
    if (host == u"openrouter.ai")
        return BalanceQuery{BalanceQuery::Kind::OpenRouter, at("/api/v1/credits")};
    if (host == u"api.moonshot.cn")
        return BalanceQuery{BalanceQuery::Kind::Moonshot, at("/v1/users/me/balance")};
    if (host == u"api.kimi.com")
        return BalanceQuery{BalanceQuery::Kind::KimiCoding, at("/coding/v1/usages")};
    // Coding-plan keys are used on the coding or the Anthropic endpoint; a pay-as-you-go key on
    // the general one has no plan to report.
    const QString path = base.path();
    if ((host == u"open.bigmodel.cn" || host == u"api.z.ai")
        && (path.startsWith(u"/api/coding/") || path.startsWith(u"/api/anthropic")))
        return BalanceQuery{BalanceQuery::Kind::ZhipuCoding, at("/api/monitor/usage/quota/limit")};
    if (host == u"api.minimaxi.com" || host == u"api.minimax.io")
        return BalanceQuery{BalanceQuery::Kind::MiniMaxCoding, at("/v1/api/openplatform/coding_plan/remains")};
    return std::nullopt;
}

QString BalanceFetcher::parse(BalanceQuery::Kind kind, const QByteArray &body)
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    const QJsonObject data = root.value(QLatin1String("data")).toObject();
    switch (kind) {
    case BalanceQuery::Kind::DeepSeek: {
        const QJsonArray infos = root.value(QLatin1String("balance_infos")).toArray();
        if (infos.isEmpty())
            return {};
        const QJsonObject info = infos.first().toObject();
        return money(info.value(QLatin1String("currency")).toString(QStringLiteral("CNY")),
                     amount(info.value(QLatin1String("total_balance"))));
    }
    case BalanceQuery::Kind::SiliconFlow:
        if (!data.contains(QLatin1String("totalBalance")))
            return {};
        return money(QStringLiteral("CNY"), amount(data.value(QLatin1String("totalBalance"))));
    case BalanceQuery::Kind::OpenRouter:
        if (!data.contains(QLatin1String("total_credits")))
            return {};
        return money(QStringLiteral("USD"), amount(data.value(QLatin1String("total_credits")))
                                                - amount(data.value(QLatin1String("total_usage"))));
    case BalanceQuery::Kind::Moonshot:
        if (!data.contains(QLatin1String("available_balance")))
            return {};
        return money(QStringLiteral("CNY"), amount(data.value(QLatin1String("available_balance"))));
    case BalanceQuery::Kind::KimiCoding:
    case BalanceQuery::Kind::ZhipuCoding:
    case BalanceQuery::Kind::MiniMaxCoding:
        return read(kind, body, QDateTime::currentDateTimeUtc()).text;
    }
    return {};
}

BalanceReading BalanceFetcher::read(BalanceQuery::Kind kind, const QByteArray &body, const QDateTime &now)
{
    if (!BalanceQuery{kind, {}}.isQuota()) {
        const QString balance = parse(kind, body);
        return balance.isEmpty() ? BalanceReading{QStringLiteral("?"), tr("unexpected answer"), false}
                                 : BalanceReading{balance, {}, true};
    }
    QuotaReading quota;
    if (kind == BalanceQuery::Kind::KimiCoding)
        quota = readKimiQuota(body);
    else if (kind == BalanceQuery::Kind::ZhipuCoding)
        quota = readZhipuQuota(body);
    else
        quota = readMiniMaxQuota(body, now);
    if (!quota.error.isEmpty())
        return {tr("quota unavailable: %1").arg(quota.error), quota.error, false};
    // The colour warns of the window closest to its cap, whichever it is (tool calls aside).
    double used = quota.windows.first().usedPercent;
    for (const QuotaWindow &w : quota.windows) {
        if (w.minutes > 0)
            used = std::max(used, w.usedPercent);
    }
    return {quotaText(quota.windows, now), quotaDetail(quota.windows), true, used};
}

void BalanceFetcher::fetch(qint64 channelId, const BalanceQuery &query, const QString &key)
{
    QNetworkRequest request(query.url);
    // Zhipu's monitor endpoint takes the bare key (PROVIDERS.md); the others a bearer token.
    request.setRawHeader("Authorization", (query.kind == BalanceQuery::Kind::ZhipuCoding ? QByteArray() : "Bearer ")
                                              + key.toUtf8());
    request.setRawHeader("Accept", "application/json");
    for (auto it = query.headers.cbegin(); it != query.headers.cend(); ++it)
        request.setRawHeader(it.key().toUtf8(), it.value().toUtf8());
    request.setTransferTimeout(kTimeoutMs);
    QNetworkReply *reply = networkFor(query.proxy)->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, channelId, query, key] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->read(256 * 1024);
        if (status < 200 || status >= 300) {
            QString error = status ? tr("HTTP %1").arg(status) : reply->errorString();
            if (const QString message = errorMessage(body); status && !message.isEmpty() && query.isQuota())
                error += QStringLiteral(": ") + message.left(200);
            // Providers echo a rejected key.
            error = redactSecrets(error, {key});
            Q_EMIT finished(channelId, query.isQuota() ? tr("quota unavailable: %1").arg(error) : QStringLiteral("?"),
                            error, -1);
            return;
        }
        BalanceReading reading = read(query.kind, body, QDateTime::currentDateTimeUtc());
        reading.text = redactSecrets(reading.text, {key});
        reading.detail = redactSecrets(reading.detail, {key});
        Q_EMIT finished(channelId, reading.text, reading.detail, reading.usedPercent);
    });
}

} // namespace tarn::ui
