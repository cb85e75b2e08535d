// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

#include <QObject>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace tarn::ui {

// Where a provider tells an API key's remaining balance, and how to read the answer
// (PROVIDERS.md, "Balance and quota endpoints").
struct BalanceQuery
{
    enum class Kind { DeepSeek, SiliconFlow, OpenRouter, Moonshot };
    Kind kind = Kind::DeepSeek;
    QUrl url;
};

// Asks providers that expose one for a key's balance, asynchronously: the Channels page's
// Balance column. Providers without such an endpoint have no query.
class BalanceFetcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BalanceFetcher)

public:
    explicit BalanceFetcher(QObject *parent = nullptr);
    ~BalanceFetcher() override;

    // By the channel's host; nullopt for providers without a balance endpoint or without a key.
    static std::optional<BalanceQuery> queryFor(const gateway::Channel &channel);
    // "CNY 110.00" from the provider's answer; empty when the answer is not of the expected shape.
    static QString parse(BalanceQuery::Kind kind, const QByteArray &body);

    // finished(channelId, text) follows: the balance, or "?" with the error as detail.
    void fetch(qint64 channelId, const BalanceQuery &query, const QString &key);

Q_SIGNALS:
    void finished(qint64 channelId, const QString &balance, const QString &error);

private:
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace tarn::ui
