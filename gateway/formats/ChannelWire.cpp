// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ChannelWire.h"

namespace tarn::gateway {

namespace {

// The base URL without trailing slashes, and without a version segment the format adds itself
// (ANTHROPIC_BASE_URL is the host, yet users paste ".../v1").
QByteArray baseWithout(const QString &baseUrl, QByteArrayView version)
{
    QByteArray base = baseUrl.toUtf8();
    while (base.endsWith('/'))
        base.chop(1);
    if (!version.isEmpty() && base.endsWith(version))
        base.chop(version.size());
    while (base.endsWith('/'))
        base.chop(1);
    return base;
}

} // namespace

ChannelAddress channelAddress(const Channel &channel, const QString &key, const QString &upstreamModel,
                              ChannelCall call, QByteArrayView openAiEndpoint)
{
    ChannelAddress address;
    switch (apiFormatOf(channel)) {
    case ApiFormat::OpenAI:
        address.url = baseWithout(channel.baseUrl, {}) + openAiEndpoint.toByteArray();
        address.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + key.toUtf8()});
        break;
    case ApiFormat::Responses:
        address.url = baseWithout(channel.baseUrl, {}) + QByteArrayLiteral("/responses");
        address.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + key.toUtf8()});
        break;
    case ApiFormat::Anthropic:
        address.url = baseWithout(channel.baseUrl, "/v1")
            + (call == ChannelCall::CountTokens ? QByteArrayLiteral("/v1/messages/count_tokens")
                                                : QByteArrayLiteral("/v1/messages"));
        address.headers.append({QByteArrayLiteral("x-api-key"), key.toUtf8()});
        address.headers.append({QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01")});
        break;
    case ApiFormat::Gemini:
        address.url = baseWithout(channel.baseUrl, "/v1beta") + "/v1beta/models/" + upstreamModel.toUtf8()
            + (call == ChannelCall::CountTokens ? QByteArrayLiteral(":countTokens")
               : call == ChannelCall::Stream    ? QByteArrayLiteral(":streamGenerateContent?alt=sse")
                                                : QByteArrayLiteral(":generateContent"));
        address.headers.append({QByteArrayLiteral("x-goog-api-key"), key.toUtf8()});
        break;
    }
    return address;
}

} // namespace tarn::gateway
