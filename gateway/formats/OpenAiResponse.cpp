// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiResponse.h"

#include "gateway/formats/JsonMembers.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tarn::gateway {

TokenUsage parseOpenAiUsage(QByteArrayView usageJson)
{
    const QJsonObject usage = QJsonDocument::fromJson(usageJson.toByteArray()).object();
    TokenUsage out;
    if (usage.isEmpty())
        return out;
    out.reported = true;
    out.prompt = usage.value(u"prompt_tokens").toInteger();
    out.completion = usage.value(u"completion_tokens").toInteger();
    const QJsonValue details = usage.value(u"prompt_tokens_details");
    if (details.isObject())
        out.cached = details.toObject().value(u"cached_tokens").toInteger();
    if (out.cached == 0)
        out.cached = usage.value(u"prompt_cache_hit_tokens").toInteger();
    if (out.cached == 0)
        out.cached = usage.value(u"cached_tokens").toInteger();
    return out;
}

TokenUsage usageOfOpenAiBody(QByteArrayView body)
{
    const JsonSpan span = findTopLevelMember(body, "usage");
    if (!span.found())
        return {};
    return parseOpenAiUsage(body.sliced(span.begin, span.end - span.begin));
}

QByteArray withModel(const QByteArray &json, const QString &model)
{
    const JsonSpan span = findTopLevelMember(json, "model");
    if (!span.found())
        return json;
    return spliced(json, span, jsonQuoted(model));
}

} // namespace tarn::gateway
