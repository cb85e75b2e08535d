// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiResponse.h"

#include "gateway/formats/Conversation.h"
#include "gateway/formats/JsonMembers.h"

#include <simdjson.h>

#include <cmath>

namespace tarn::gateway {

namespace {

// A token count: an integer, or (some providers) a float with an integral value; else 0. Clamped
// like every count the codecs decode: the upstream is not trusted.
qint64 count(simdjson::dom::object object, std::string_view key)
{
    simdjson::dom::element value;
    if (object[key].get(value))
        return 0;
    if (int64_t integer = 0; !value.get(integer))
        return ir::clampTokens(integer);
    if (double real = 0; !value.get(real) && std::isfinite(real) && real >= 0 && real < 9.0e18)
        return ir::clampTokens(qint64(real));
    return 0;
}

} // namespace

TokenUsage parseOpenAiUsage(QByteArrayView usageJson)
{
    // Runs once per answer (and on the usage chunk of a stream): simdjson, not QJsonDocument,
    // which cost more than the rest of the usage bookkeeping together.
    thread_local simdjson::dom::parser parser;
    TokenUsage out;
    simdjson::dom::object usage;
    if (parser.parse(usageJson.data(), std::size_t(usageJson.size())).get(usage) || usage.size() == 0)
        return out;
    out.reported = true;
    out.prompt = count(usage, "prompt_tokens");
    out.completion = count(usage, "completion_tokens");
    if (simdjson::dom::object details; !usage["prompt_tokens_details"].get(details))
        out.cached = count(details, "cached_tokens");
    if (out.cached == 0)
        out.cached = count(usage, "prompt_cache_hit_tokens"); // DeepSeek
    if (out.cached == 0)
        out.cached = count(usage, "cached_tokens"); // Moonshot
    // Thinking tokens (o-series, DeepSeek reasoner, Qwen, Zhipu): already counted in completion.
    if (simdjson::dom::object details; !usage["completion_tokens_details"].get(details))
        out.reasoning = count(details, "reasoning_tokens");
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
