// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelPresets.h"

#include <QCoreApplication>

namespace tarn::ui {

using gateway::ChannelType;
using gateway::OpenAiApi;

// From PROVIDERS.md. Where a provider offers both, the OpenAI-compatible base is used: every
// client format translates to it.
const QList<ChannelPreset> &channelPresets()
{
    static const QList<ChannelPreset> presets = [] {
        auto s = [](const char *text) { return QString::fromUtf8(text); };
        auto list = [&](std::initializer_list<const char *> names) {
            QStringList out;
            for (const char *name : names)
                out << s(name);
            return out;
        };
        return QList<ChannelPreset>{
            {s("OpenAI"), s("openai"), ChannelType::OpenAI, s("https://api.openai.com/v1"), list({"gpt-4.1", "gpt-4o-mini"})},
            // OpenAI serves its Codex models only on the Responses API.
            {s("OpenAI Codex (Responses API)"), s("openai-codex"), ChannelType::OpenAI, s("https://api.openai.com/v1"),
             list({"gpt-5-codex"}), OpenAiApi::Responses},
            {s("Anthropic"), s("anthropic"), ChannelType::Anthropic, s("https://api.anthropic.com"),
             list({"claude-sonnet-4-6", "claude-haiku-4-5"})},
            {s("Google Gemini"), s("gemini"), ChannelType::Gemini, s("https://generativelanguage.googleapis.com"),
             list({"gemini-2.5-pro", "gemini-2.5-flash"})},
            {s("Zhipu (China)"), s("zhipu"), ChannelType::OpenAI, s("https://open.bigmodel.cn/api/paas/v4"),
             list({"glm-5", "glm-4.7"})},
            {s("Zhipu coding plan"), s("zhipu-coding"), ChannelType::OpenAI, s("https://open.bigmodel.cn/api/coding/paas/v4"),
             list({"glm-5", "glm-4.7"})},
            {s("Z.ai (international)"), s("zai"), ChannelType::OpenAI, s("https://api.z.ai/api/paas/v4"), list({"glm-5"})},
            {s("Z.ai coding plan"), s("zai-coding"), ChannelType::OpenAI, s("https://api.z.ai/api/coding/paas/v4"), list({"glm-5"})},
            {s("MiniMax"), s("minimax"), ChannelType::OpenAI, s("https://api.minimaxi.com/v1"), list({"MiniMax-M2.5"})},
            {s("Qwen / DashScope"), s("qwen"), ChannelType::OpenAI, s("https://dashscope.aliyuncs.com/compatible-mode/v1"),
             list({"qwen3-max", "qwen3-coder-plus"})},
            {s("Volcano Ark / Doubao"), s("ark"), ChannelType::OpenAI, s("https://ark.cn-beijing.volces.com/api/v3"),
             list({"doubao-seed-2-0-code-preview-latest"})},
            {s("DeepSeek"), s("deepseek"), ChannelType::OpenAI, s("https://api.deepseek.com/v1"),
             list({"deepseek-chat", "deepseek-reasoner"})},
            {s("Moonshot / Kimi"), s("moonshot"), ChannelType::OpenAI, s("https://api.moonshot.cn/v1"), list({"kimi-k2.5"})},
            {s("Kimi for Coding"), s("kimi-coding"), ChannelType::OpenAI, s("https://api.kimi.com/coding/v1"),
             list({"kimi-for-coding"})},
            {s("OpenRouter"), s("openrouter"), ChannelType::OpenAI, s("https://openrouter.ai/api/v1"),
             list({"anthropic/claude-sonnet-4.6"})},
            {s("SiliconFlow"), s("siliconflow"), ChannelType::OpenAI, s("https://api.siliconflow.cn/v1"), {}},
            {s("Ollama (local)"), s("ollama"), ChannelType::OpenAI, s("http://127.0.0.1:11434/v1"), {}},
            {QCoreApplication::translate("ChannelPresets", "Custom"), {}, ChannelType::OpenAI, {}, {}},
        };
    }();
    return presets;
}

} // namespace tarn::ui
