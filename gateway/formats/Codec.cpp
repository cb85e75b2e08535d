// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/Codec.h"

#include "gateway/formats/AnthropicCodec.h"
#include "gateway/formats/GeminiCodec.h"
#include "gateway/formats/OpenAiCodec.h"
#include "gateway/formats/ResponsesCodec.h"

namespace tarn::gateway {

ApiFormat apiFormatOf(ChannelType type)
{
    switch (type) {
    case ChannelType::OpenAI: return ApiFormat::OpenAI;
    case ChannelType::Anthropic: return ApiFormat::Anthropic;
    case ChannelType::Gemini: return ApiFormat::Gemini;
    }
    return ApiFormat::OpenAI;
}

ApiFormat apiFormatOf(const Channel &channel)
{
    if (channel.type == ChannelType::OpenAI && channel.openAiApi == OpenAiApi::Responses)
        return ApiFormat::Responses;
    return apiFormatOf(channel.type);
}

const char *apiFormatName(ApiFormat format)
{
    switch (format) {
    case ApiFormat::OpenAI: return "openai";
    case ApiFormat::Anthropic: return "anthropic";
    case ApiFormat::Gemini: return "gemini";
    case ApiFormat::Responses: return "responses";
    }
    return "openai";
}

const Codec &codecFor(ApiFormat format)
{
    static const OpenAiCodec openAi;
    static const AnthropicCodec anthropic;
    static const GeminiCodec gemini;
    static const ResponsesCodec responses;
    switch (format) {
    case ApiFormat::OpenAI: return openAi;
    case ApiFormat::Anthropic: return anthropic;
    case ApiFormat::Gemini: return gemini;
    case ApiFormat::Responses: return responses;
    }
    return openAi;
}

} // namespace tarn::gateway
