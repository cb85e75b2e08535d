// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/GeminiModels.h"

#include "gateway/routing/CapabilityResolver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tarn::gateway {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
// What a model no channel knows the limits of is said to take: a common size, not a promise.
constexpr int kUnknownInputTokens = 131072;
constexpr int kUnknownOutputTokens = 8192;

QJsonObject modelResource(const RuntimeConfig &config, const QString &model)
{
    // The limits of the channel that would most likely serve it: enabled, highest priority.
    const Channel *best = nullptr;
    for (const Channel &channel : config.channels) {
        if (channel.enabled && channel.serves(model) && (!best || channel.priority > best->priority))
            best = &channel;
    }
    int input = 0;
    int output = 0;
    bool thinking = false;
    if (best) {
        const EffectiveCapabilities caps = resolveCapabilities(*best, best->upstreamModel(model));
        input = caps.contextTokens.tokens;
        output = caps.maxOutputTokens.tokens;
        thinking = caps.reasoning.supported && caps.reasoning.source != CapabilitySource::Assumed;
    }
    if (output <= 0)
        output = kUnknownOutputTokens;
    if (input <= 0)
        input = kUnknownInputTokens;
    else if (input > output)
        input -= output; // a context window holds the answer too; Google's input limit does not
    QJsonObject resource{{QStringLiteral("name"), QString(u"models/" + model)},
                         {QStringLiteral("baseModelId"), model},
                         {QStringLiteral("version"), QStringLiteral("tarn")},
                         {QStringLiteral("displayName"), model},
                         {QStringLiteral("description"), QStringLiteral("Served by Tarn")},
                         {QStringLiteral("inputTokenLimit"), input},
                         {QStringLiteral("outputTokenLimit"), output},
                         {QStringLiteral("supportedGenerationMethods"),
                          QJsonArray{QStringLiteral("generateContent"), QStringLiteral("streamGenerateContent"),
                                     QStringLiteral("countTokens"), QStringLiteral("embedContent"),
                                     QStringLiteral("batchEmbedContents")}}};
    if (thinking)
        resource.insert(QStringLiteral("thinking"), true);
    return resource;
}

} // namespace

std::optional<QByteArray> geminiModelList(const RuntimeConfig &config, const QStringList &models, int pageSize,
                                          const QString &pageToken)
{
    const int size = pageSize <= 0 ? kDefaultPageSize : std::min(pageSize, kMaxPageSize);
    qsizetype from = 0;
    if (!pageToken.isEmpty()) {
        bool ok = false;
        from = pageToken.toLongLong(&ok);
        if (!ok || from < 0 || from > models.size())
            return std::nullopt;
    }
    QJsonArray page;
    const qsizetype to = std::min(models.size(), from + size);
    for (qsizetype i = from; i < to; ++i)
        page.append(modelResource(config, models.at(i)));
    QJsonObject list{{QStringLiteral("models"), page}};
    if (to < models.size())
        list.insert(QStringLiteral("nextPageToken"), QString::number(to));
    return QJsonDocument(list).toJson(QJsonDocument::Compact);
}

QByteArray geminiModel(const RuntimeConfig &config, const QString &model)
{
    return QJsonDocument(modelResource(config, model)).toJson(QJsonDocument::Compact);
}

} // namespace tarn::gateway
