// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in model table: names as the upstreams and aggregators spell them find the right family.
#include "gateway/routing/KnownModels.h"

#include <gtest/gtest.h>

#include <string>

using namespace tarn::gateway;

namespace {

std::string familyOf(const char *model)
{
    const std::optional<KnownModel> known = lookupKnownModel(QString::fromUtf8(model));
    return known ? known->family.toStdString() : std::string("<none>");
}

TEST(KnownModels, MostSpecificPatternWins)
{
    EXPECT_EQ(familyOf("glm-4.5"), "glm-4.5");
    EXPECT_EQ(familyOf("glm-4.5v"), "glm-4.5v");
    EXPECT_EQ(familyOf("glm-4.5-air"), "glm-4.5-air");
    EXPECT_EQ(familyOf("glm-4.6v"), "glm-4.6v");
    EXPECT_EQ(familyOf("o1"), "o1");
    EXPECT_EQ(familyOf("o1-mini"), "o1-mini");
    EXPECT_EQ(familyOf("o3-mini"), "o3-mini");
    EXPECT_EQ(familyOf("gpt-4o-mini"), "gpt-4o-mini");
    EXPECT_EQ(familyOf("gpt-4-turbo"), "gpt-4-turbo");
    EXPECT_EQ(familyOf("gemini-2.5-flash-lite"), "gemini-2.5-flash-lite");
    EXPECT_EQ(familyOf("kimi-k2-thinking-turbo"), "kimi-k2-thinking");
    EXPECT_EQ(familyOf("moonshot-v1-8k-vision-preview"), "moonshot-v1-8k-vision");
    EXPECT_EQ(familyOf("doubao-seed-1-6-flash-250828"), "doubao-seed-1-6-flash");
    EXPECT_EQ(familyOf("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5");
    EXPECT_EQ(familyOf("claude-opus-4-1-20250805"), "claude-opus-4-1");
    EXPECT_EQ(familyOf("deepseek-v3.1-terminus"), "deepseek-v3.1");
}

TEST(KnownModels, ToleratesVendorPrefixesAndDateSuffixes)
{
    EXPECT_EQ(familyOf("openai/gpt-4o"), "gpt-4o");
    EXPECT_EQ(familyOf("gpt-4o-2024-08-06"), "gpt-4o");
    EXPECT_EQ(familyOf("GPT-4o-Mini-2024-07-18"), "gpt-4o-mini");
    EXPECT_EQ(familyOf("anthropic/claude-3.5-sonnet"), "claude-3-5-sonnet");
    EXPECT_EQ(familyOf("anthropic/claude-sonnet-4.5"), "claude-sonnet-4-5");
    EXPECT_EQ(familyOf("claude-3-7-sonnet-20250219"), "claude-3-7-sonnet");
    EXPECT_EQ(familyOf("us.anthropic.claude-3-5-haiku-20241022-v1:0"), "claude-3-5-haiku");
    EXPECT_EQ(familyOf("claude-sonnet-4@20250514"), "claude-sonnet-4");
    EXPECT_EQ(familyOf("Pro/deepseek-ai/DeepSeek-V3"), "deepseek-v3");
    EXPECT_EQ(familyOf("deepseek-ai/DeepSeek-R1-0528"), "deepseek-r1");
    EXPECT_EQ(familyOf("accounts/fireworks/models/glm-4p6"), "glm-4.6");
    EXPECT_EQ(familyOf("qwen/qwen3-235b-a22b-2507"), "qwen3-235b-a22b");
    EXPECT_EQ(familyOf("qwen-plus-latest"), "qwen-plus");
    EXPECT_EQ(familyOf("models/gemini-2.5-pro-preview-05-06"), "gemini-2.5-pro");
    EXPECT_EQ(familyOf("deepseek/deepseek-chat-v3.1:free"), "deepseek-chat");
    EXPECT_EQ(familyOf("doubao-seed-1.6"), "doubao-seed-1-6");
    EXPECT_EQ(familyOf("doubao-1.5-pro-32k-250115"), "doubao-1-5-pro-32k");
    EXPECT_EQ(familyOf("kimi-k2-0905-preview"), "kimi-k2-0905");
    EXPECT_EQ(familyOf("  MiniMax-M2  "), "minimax-m2");
    EXPECT_EQ(familyOf("abab6.5s-chat"), "abab6.5s");
    EXPECT_EQ(familyOf("openai/gpt-oss-120b"), "gpt-oss");
}

TEST(KnownModels, UnknownNamesAndNearMissesAreNotGuessed)
{
    EXPECT_FALSE(lookupKnownModel(QString()));
    EXPECT_FALSE(lookupKnownModel(QStringLiteral("llama-3.1-70b-instruct")));
    EXPECT_FALSE(lookupKnownModel(QStringLiteral("my-custom-model")));
    EXPECT_FALSE(lookupKnownModel(QStringLiteral("gpt-4.5-preview"))); // not a gpt-4 variant
    EXPECT_FALSE(lookupKnownModel(QStringLiteral("o10")));
    EXPECT_FALSE(lookupKnownModel(QStringLiteral("glm-4")));
    EXPECT_FALSE(lookupKnownModel(QStringLiteral("openai/")));
    EXPECT_EQ(familyOf("glm-4.5vx"), "<none>");
}

TEST(KnownModels, CarriesTheDocumentedFacts)
{
    const auto o1mini = lookupKnownModel(QStringLiteral("o1-mini-2024-09-12"));
    ASSERT_TRUE(o1mini);
    EXPECT_EQ(o1mini->tools, false);
    EXPECT_EQ(o1mini->vision, false);
    EXPECT_EQ(o1mini->reasoning, true);

    const auto o1 = lookupKnownModel(QStringLiteral("o1"));
    ASSERT_TRUE(o1);
    EXPECT_EQ(o1->tools, true);

    const auto glm45v = lookupKnownModel(QStringLiteral("glm-4.5v"));
    ASSERT_TRUE(glm45v);
    EXPECT_EQ(glm45v->vision, true);
    const auto glm46 = lookupKnownModel(QStringLiteral("glm-4.6"));
    ASSERT_TRUE(glm46);
    EXPECT_EQ(glm46->vision, false);
    EXPECT_EQ(glm46->contextTokens, 200 * 1024);

    const auto claude = lookupKnownModel(QStringLiteral("claude-haiku-4-5"));
    ASSERT_TRUE(claude);
    EXPECT_EQ(claude->contextTokens, 200000);
    EXPECT_EQ(claude->tools, true);

    const auto gemini = lookupKnownModel(QStringLiteral("gemini-2.5-flash"));
    ASSERT_TRUE(gemini);
    EXPECT_EQ(gemini->contextTokens, 1048576);
    EXPECT_EQ(gemini->vision, true);

    const auto chat = lookupKnownModel(QStringLiteral("deepseek-chat"));
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->tools, true);
    EXPECT_EQ(chat->vision, false);

    // The alias has pointed at models with and without tool support: not claimed either way.
    const auto reasoner = lookupKnownModel(QStringLiteral("deepseek-reasoner"));
    ASSERT_TRUE(reasoner);
    EXPECT_FALSE(reasoner->tools.has_value());
    EXPECT_EQ(reasoner->reasoning, true);

    const auto vl = lookupKnownModel(QStringLiteral("qwen-vl-max-latest"));
    ASSERT_TRUE(vl);
    EXPECT_EQ(vl->vision, true);
    EXPECT_EQ(vl->contextTokens, 0); // unknown, not guessed

    const auto vision = lookupKnownModel(QStringLiteral("moonshot-v1-32k-vision-preview"));
    ASSERT_TRUE(vision);
    EXPECT_EQ(vision->vision, true);
    EXPECT_EQ(vision->contextTokens, 32 * 1024);
    EXPECT_EQ(lookupKnownModel(QStringLiteral("moonshot-v1-32k"))->vision, false);
}

} // namespace

TEST(KnownModelsGpt4, PreviewAnd32kModelsAreNotTheOriginal8kGpt4)
{
    EXPECT_EQ(tarn::gateway::lookupKnownModel(QStringLiteral("gpt-4"))->contextTokens, 8192);
    EXPECT_EQ(tarn::gateway::lookupKnownModel(QStringLiteral("gpt-4-32k"))->contextTokens, 32768);
    const auto preview = tarn::gateway::lookupKnownModel(QStringLiteral("gpt-4-1106-preview"));
    ASSERT_TRUE(preview);
    EXPECT_EQ(preview->contextTokens, 128000);
    EXPECT_EQ(preview->jsonMode, true);
    EXPECT_EQ(tarn::gateway::lookupKnownModel(QStringLiteral("gpt-4-0125-preview"))->contextTokens, 128000);
}
