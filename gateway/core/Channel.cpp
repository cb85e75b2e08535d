// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/Channel.h"

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
