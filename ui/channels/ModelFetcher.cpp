// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ModelFetcher.h"

#include "ui/channels/ChannelProxy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

constexpr int kTimeoutMs = 15000;

QString joinPath(QString base, const QString &path)
{
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base + path;
}


} // namespace

ModelFetcher::ModelFetcher(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
}

ModelFetcher::~ModelFetcher() = default;

void ModelFetcher::fetch(const Channel &channel)
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    const QString key = channel.keys.value(0);
    QNetworkRequest request;
    switch (channel.type) {
    case ChannelType::OpenAI:
        request.setUrl(QUrl(joinPath(channel.baseUrl, QStringLiteral("/models"))));
        if (!key.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + key.toUtf8());
        break;
    case ChannelType::Anthropic:
        request.setUrl(QUrl(joinPath(channel.baseUrl, QStringLiteral("/v1/models?limit=1000"))));
        request.setRawHeader("x-api-key", key.toUtf8());
        request.setRawHeader("anthropic-version", "2023-06-01");
        break;
    case ChannelType::Gemini:
        request.setUrl(QUrl(joinPath(channel.baseUrl, QStringLiteral("/v1beta/models?pageSize=1000"))));
        request.setRawHeader("x-goog-api-key", key.toUtf8());
        break;
    }
    for (auto it = channel.extraHeaders.cbegin(); it != channel.extraHeaders.cend(); ++it)
        request.setRawHeader(it.key().toUtf8(), it.value().toUtf8());
    request.setTransferTimeout(kTimeoutMs);
    m_network->setProxy(channelProxy(channel.proxy));
    m_reply = m_network->get(request);
    const ChannelType type = channel.type;
    connect(m_reply, &QNetworkReply::finished, this, [this, reply = m_reply, type] { onFinished(reply, type); });
}

void ModelFetcher::onFinished(QNetworkReply *reply, ChannelType type)
{
    reply->deleteLater();
    if (reply == m_reply)
        m_reply = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError && status == 0) {
        Q_EMIT finished({}, reply->errorString());
        return;
    }
    if (status < 200 || status >= 300) {
        Q_EMIT finished({}, tr("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(200)).simplified()));
        return;
    }
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    QStringList models;
    if (type == ChannelType::Gemini) {
        // "models/gemini-2.5-pro": the channel's models are named without the resource prefix.
        for (const QJsonValue &m : root.value(QLatin1String("models")).toArray()) {
            QString name = m.toObject().value(QLatin1String("name")).toString();
            if (name.startsWith(QLatin1String("models/")))
                name = name.mid(7);
            if (!name.isEmpty())
                models << name;
        }
    } else {
        for (const QJsonValue &m : root.value(QLatin1String("data")).toArray()) {
            const QString id = m.toObject().value(QLatin1String("id")).toString();
            if (!id.isEmpty())
                models << id;
        }
    }
    if (models.isEmpty()) {
        Q_EMIT finished({}, tr("the provider listed no models"));
        return;
    }
    models.sort();
    models.removeDuplicates();
    Q_EMIT finished(models, {});
}

} // namespace tarn::ui
