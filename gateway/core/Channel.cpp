// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/Channel.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace tarn::gateway {

QString channelTypeName(ChannelType type)
{
    switch (type) {
    case ChannelType::OpenAI: return QStringLiteral("openai");
    case ChannelType::Anthropic: return QStringLiteral("anthropic");
    case ChannelType::Gemini: return QStringLiteral("gemini");
    }
    return QStringLiteral("openai");
}

std::optional<ChannelType> channelTypeFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"openai")
        return ChannelType::OpenAI;
    if (n == u"anthropic")
        return ChannelType::Anthropic;
    if (n == u"gemini")
        return ChannelType::Gemini;
    return std::nullopt;
}

QString openAiApiName(OpenAiApi api)
{
    return api == OpenAiApi::Responses ? QStringLiteral("responses") : QStringLiteral("chat");
}

std::optional<OpenAiApi> openAiApiFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"chat")
        return OpenAiApi::Chat;
    if (n == u"responses")
        return OpenAiApi::Responses;
    return std::nullopt;
}

QString capabilityName(Capability capability)
{
    switch (capability) {
    case Capability::Tools: return QStringLiteral("tools");
    case Capability::ParallelTools: return QStringLiteral("parallel_tools");
    case Capability::Vision: return QStringLiteral("vision");
    case Capability::JsonMode: return QStringLiteral("json_mode");
    case Capability::Reasoning: return QStringLiteral("reasoning");
    }
    return QStringLiteral("tools");
}

std::optional<Capability> capabilityFromName(const QString &name)
{
    for (const Capability c : kAllCapabilities) {
        if (capabilityName(c) == name.trimmed().toLower())
            return c;
    }
    return std::nullopt;
}

QString capabilityModeName(CapabilityMode mode)
{
    switch (mode) {
    case CapabilityMode::Auto: return QStringLiteral("auto");
    case CapabilityMode::On: return QStringLiteral("on");
    case CapabilityMode::Off: return QStringLiteral("off");
    }
    return QStringLiteral("auto");
}

std::optional<CapabilityMode> capabilityModeFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"auto")
        return CapabilityMode::Auto;
    if (n == u"on" || n == u"yes" || n == u"true")
        return CapabilityMode::On;
    if (n == u"off" || n == u"no" || n == u"false")
        return CapabilityMode::Off;
    return std::nullopt;
}

CapabilityMode ChannelCapabilities::mode(Capability capability) const
{
    switch (capability) {
    case Capability::Tools: return tools;
    case Capability::Vision: return vision;
    case Capability::JsonMode: return jsonMode;
    case Capability::ParallelTools:
    case Capability::Reasoning: break;
    }
    return CapabilityMode::Auto;
}

namespace {

CapabilityMode modeFromJson(const QJsonValue &value, bool legacyDefault)
{
    if (value.isBool())
        return value.toBool() == legacyDefault ? CapabilityMode::Auto
                                               : (value.toBool() ? CapabilityMode::On : CapabilityMode::Off);
    return capabilityModeFromName(value.toString()).value_or(CapabilityMode::Auto);
}

} // namespace

QJsonObject capabilitiesToJson(const ChannelCapabilities &caps)
{
    return QJsonObject{{QStringLiteral("tools"), capabilityModeName(caps.tools)},
                       {QStringLiteral("vision"), capabilityModeName(caps.vision)},
                       {QStringLiteral("json_mode"), capabilityModeName(caps.jsonMode)},
                       {QStringLiteral("context_tokens"), caps.contextTokens},
                       {QStringLiteral("max_output_tokens"), caps.maxOutputTokens}};
}

ChannelCapabilities capabilitiesFromJson(const QJsonObject &object)
{
    ChannelCapabilities caps;
    caps.tools = modeFromJson(object.value(QStringLiteral("tools")), true);
    caps.vision = modeFromJson(object.value(QStringLiteral("vision")), false);
    caps.jsonMode = modeFromJson(object.value(QStringLiteral("json_mode")), true);
    caps.contextTokens = object.value(QStringLiteral("context_tokens")).toInt(0);
    caps.maxOutputTokens = object.value(QStringLiteral("max_output_tokens")).toInt(0);
    return caps;
}

QByteArray compactJsonValue(const QJsonValue &value)
{
    // QJsonDocument only writes arrays and objects: write [value] and take the brackets off.
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

QJsonObject paramOverridesToJson(const ParamOverrides &overrides)
{
    QJsonObject set;
    for (auto it = overrides.set.cbegin(); it != overrides.set.cend(); ++it) {
        const QJsonDocument parsed = QJsonDocument::fromJson('[' + it.value() + ']');
        if (parsed.isArray() && parsed.array().size() == 1)
            set.insert(it.key(), parsed.array().at(0));
    }
    return QJsonObject{{QStringLiteral("set"), set}, {QStringLiteral("drop"), QJsonArray::fromStringList(overrides.drop)}};
}

ParamOverrides paramOverridesFromJson(const QJsonObject &object)
{
    ParamOverrides overrides;
    const QJsonObject set = object.value(QStringLiteral("set")).toObject();
    for (auto it = set.begin(); it != set.end(); ++it)
        overrides.set.insert(it.key(), compactJsonValue(it.value()));
    for (const QJsonValue &path : object.value(QStringLiteral("drop")).toArray()) {
        if (path.isString() && !overrides.drop.contains(path.toString()))
            overrides.drop.append(path.toString());
    }
    return overrides;
}

QString keyId(const QString &key)
{
    const QByteArray digest = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex();
    return QStringLiteral("k-") + QString::fromLatin1(digest.left(10));
}

QStringList Channel::servedModels() const
{
    QStringList all = models;
    for (auto it = modelMap.cbegin(); it != modelMap.cend(); ++it) {
        if (!all.contains(it.key()))
            all.append(it.key());
    }
    return all;
}

bool Channel::serves(const QString &model) const
{
    return modelMap.contains(model) || models.contains(model);
}

QString Channel::upstreamModel(const QString &requested) const
{
    return modelMap.value(requested, requested);
}

} // namespace tarn::gateway
