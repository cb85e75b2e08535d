// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/RequestInfo.h"

#include "gateway/formats/TokenEstimate.h"

namespace tarn::gateway {

namespace {

// FNV-1a: stable across processes and runs, unlike qHash.
quint64 fnv1a(std::string_view bytes, quint64 hash)
{
    for (const char c : bytes) {
        hash ^= quint8(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

constexpr quint64 kFnvBasis = 14695981039346656037ULL;

bool hasMedia(const std::vector<ir::Part> &parts)
{
    for (const ir::Part &part : parts) {
        if (part.kind == ir::Part::Kind::Image
            || (part.kind == ir::Part::Kind::ToolResult && hasMedia(part.content)))
            return true;
    }
    return false;
}

} // namespace

RequestInfo requestInfoOf(const ir::Request &request, ApiFormat format, qint64 bodyBytes)
{
    Q_UNUSED(bodyBytes)
    RequestInfo info;
    info.format = format;
    info.model = QString::fromStdString(request.model);
    info.stream = request.stream;
    info.clientWantsUsage = request.includeUsage;
    info.hasTools = !request.tools.empty();
    info.wantsJson = request.responseFormat != ir::ResponseFormat::Text;
    info.maxOutputTokens = request.maxTokens.value_or(0);
    info.promptTokensEstimate = estimatePromptTokens(request);
    info.promptCacheKey = QString::fromStdString(request.promptCacheKey);

    // The opening: system prompt, then every message up to and including the first user one.
    quint64 hash = kFnvBasis;
    for (const ir::Part &part : request.system)
        hash = fnv1a(part.text, hash);
    bool opened = false;
    for (const ir::Message &message : request.messages) {
        info.hasImages = info.hasImages || hasMedia(message.parts);
        if (opened)
            continue;
        hash = fnv1a(message.role == ir::Role::User ? "user" : "assistant", hash);
        for (const ir::Part &part : message.parts) {
            if (part.kind == ir::Part::Kind::Text)
                hash = fnv1a(part.text, hash);
        }
        opened = message.role == ir::Role::User;
    }
    if (opened)
        info.conversationHash = hash;
    return info;
}

} // namespace tarn::gateway
