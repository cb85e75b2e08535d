// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace tarn::gateway {

// The wire format a channel's upstream speaks.
enum class ChannelType { OpenAI, Anthropic, Gemini };

QString channelTypeName(ChannelType type);
std::optional<ChannelType> channelTypeFromName(const QString &name);

// What a channel can serve; a request needing one of these only goes to channels that have it.
struct ChannelCapabilities
{
    bool tools = true;
    bool vision = false;
    int contextTokens = 0; // 0 = unknown / unlimited

    friend bool operator==(const ChannelCapabilities &, const ChannelCapabilities &) = default;
};

// A provider connection: where to send requests, with which keys, for which models.
struct Channel
{
    qint64 id = 0;
    QString name;
    ChannelType type = ChannelType::OpenAI;
    // SDK convention: OpenAI-compatible bases include the version path (…/v1, …/api/paas/v4) and
    // Tarn appends /chat/completions; Anthropic and Gemini bases are the host.
    QString baseUrl;
    QStringList keys;
    QStringList models;
    QMap<QString, QString> modelMap; // alias the client asks for -> upstream model name
    int priority = 0;                // higher is tried first
    double weight = 1.0;
    bool enabled = true;
    ChannelCapabilities capabilities;
    QString proxy;                   // per-channel HTTP(S) proxy URL; empty = environment
    QMap<QString, QString> extraHeaders;
    QDateTime createdAt;
    QDateTime updatedAt;

    // Every model name a client may ask for on this channel: models plus aliases.
    QStringList servedModels() const;
    bool serves(const QString &model) const;
    // The upstream's name for what the client asked for (alias resolved).
    QString upstreamModel(const QString &requested) const;

    friend bool operator==(const Channel &, const Channel &) = default;
};

} // namespace tarn::gateway
