// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace tarn::ui {

// Where a provider tells an API key's remaining balance or coding-plan quota, and how to read the
// answer (PROVIDERS.md, "Balance and quota endpoints").
struct BalanceQuery
{
    enum class Kind { DeepSeek, SiliconFlow, OpenRouter, Moonshot, KimiCoding, ZhipuCoding, MiniMaxCoding };
    BalanceQuery(Kind kind_ = Kind::DeepSeek, QUrl url_ = {}) : kind(kind_), url(std::move(url_)) {}

    Kind kind = Kind::DeepSeek;
    QUrl url;
    QString proxy;                    // the channel's, so the call goes the way its requests go
    QMap<QString, QString> headers;   // the channel's extra headers (an organisation, a referer)

    // A coding plan's usage windows rather than money.
    bool isQuota() const { return kind >= Kind::KimiCoding; }
};

// What the column shows for one answer: the text, and the tooltip (the detail, or why not).
struct BalanceReading
{
    QString text;
    QString detail;
    bool ok = false;
    double usedPercent = -1; // a quota's most used window (0-100); -1 for balances and failures
};

// Asks providers that expose one for a key's balance or coding-plan quota, asynchronously: the
// Channels page's Balance column. Providers without such an endpoint have no query.
class BalanceFetcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BalanceFetcher)

public:
    explicit BalanceFetcher(QObject *parent = nullptr);
    ~BalanceFetcher() override;

    // By the channel's host (and, for Zhipu / Z.ai, its coding-plan path); nullopt for providers
    // without a balance or quota endpoint, or without a key.
    static std::optional<BalanceQuery> queryFor(const gateway::Channel &channel);
    // "CNY 110.00" from the provider's answer; empty when the answer is not of the expected shape.
    static QString parse(BalanceQuery::Kind kind, const QByteArray &body);
    // A successful (2xx) answer as the column shows it: a balance, or a quota such as
    // "5 h: 37 % used · resets 14:20" with every window in the detail. now places reset times.
    static BalanceReading read(BalanceQuery::Kind kind, const QByteArray &body, const QDateTime &now);

    // finished(channelId, text, detail, usedPercent) follows: the balance or quota with its
    // detail, or "?" ("quota unavailable: …" for quotas) with the error as detail.
    void fetch(qint64 channelId, const BalanceQuery &query, const QString &key);

Q_SIGNALS:
    void finished(qint64 channelId, const QString &balance, const QString &detail, double usedPercent);

private:
    static std::optional<BalanceQuery> endpointFor(const gateway::Channel &channel);
    // One manager per proxy: a manager's proxy applies to every call it makes.
    QNetworkAccessManager *networkFor(const QString &proxy);

    QHash<QString, QNetworkAccessManager *> m_networks;
};

} // namespace tarn::ui
