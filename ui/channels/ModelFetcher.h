// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

#include <QObject>
#include <QStringList>

class QNetworkAccessManager;
class QNetworkReply;

namespace tarn::ui {

// Asks a provider which models it serves ("Fetch models" in the channel dialog): GET …/models
// in the channel's own wire format with its first key, asynchronously (the GUI thread never waits
// on the network). Providers rename models often; the answer beats any built-in list.
class ModelFetcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelFetcher)

public:
    explicit ModelFetcher(QObject *parent = nullptr);
    ~ModelFetcher() override;

    // Uses type, baseUrl, the first key and proxy of channel. A fetch still running is dropped.
    void fetch(const gateway::Channel &channel);
    bool isRunning() const { return m_reply != nullptr; }

Q_SIGNALS:
    // models sorted; error empty on success.
    void finished(const QStringList &models, const QString &error);

private:
    void onFinished(QNetworkReply *reply, gateway::ChannelType type);

    QNetworkAccessManager *m_network = nullptr;
    QNetworkReply *m_reply = nullptr;
};

} // namespace tarn::ui
