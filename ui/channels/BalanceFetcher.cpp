// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/BalanceFetcher.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

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

} // namespace

BalanceFetcher::BalanceFetcher(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
}

BalanceFetcher::~BalanceFetcher() = default;

std::optional<BalanceQuery> BalanceFetcher::queryFor(const Channel &channel)
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
    }
    return {};
}

void BalanceFetcher::fetch(qint64 channelId, const BalanceQuery &query, const QString &key)
{
    QNetworkRequest request(query.url);
    request.setRawHeader("Authorization", "Bearer " + key.toUtf8());
    request.setTransferTimeout(kTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    const BalanceQuery::Kind kind = query.kind;
    connect(reply, &QNetworkReply::finished, this, [this, reply, channelId, kind] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 200 || status >= 300) {
            const QString error = status ? tr("HTTP %1").arg(status) : reply->errorString();
            Q_EMIT finished(channelId, QStringLiteral("?"), error);
            return;
        }
        const QString balance = parse(kind, reply->readAll());
        if (balance.isEmpty())
            Q_EMIT finished(channelId, QStringLiteral("?"), tr("unexpected answer"));
        else
            Q_EMIT finished(channelId, balance, {});
    });
}

} // namespace tarn::ui
