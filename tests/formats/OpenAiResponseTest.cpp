// SPDX-License-Identifier: GPL-3.0-or-later
// Usage as the providers Tarn relays report it, read from an upstream answer.
#include "gateway/formats/OpenAiResponse.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

TEST(OpenAiUsage, ReadsOpenAiCachedTokensFromPromptDetails)
{
    const TokenUsage usage = usageOfOpenAiBody(
        R"({"id":"c","model":"gpt-x","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":6,"total_tokens":37,"prompt_tokens_details":{"cached_tokens":12,"audio_tokens":0}}})");
    EXPECT_TRUE(usage.reported);
    EXPECT_EQ(usage.prompt, 31);
    EXPECT_EQ(usage.completion, 6);
    EXPECT_EQ(usage.cached, 12);
}

TEST(OpenAiUsage, ReadsDeepSeekAndMoonshotCacheFields)
{
    const TokenUsage deepSeek = parseOpenAiUsage(
        R"({"prompt_tokens":100,"completion_tokens":5,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36})");
    EXPECT_EQ(deepSeek.prompt, 100);
    EXPECT_EQ(deepSeek.cached, 64);
    const TokenUsage moonshot = parseOpenAiUsage(R"({"prompt_tokens":50,"completion_tokens":2,"cached_tokens":20})");
    EXPECT_EQ(moonshot.cached, 20);
}

TEST(OpenAiUsage, AcceptsIntegralFloatsAndIgnoresNonNumbers)
{
    const TokenUsage usage = parseOpenAiUsage(R"({"prompt_tokens":12.0,"completion_tokens":"7","prompt_tokens_details":null})");
    EXPECT_TRUE(usage.reported);
    EXPECT_EQ(usage.prompt, 12);
    EXPECT_EQ(usage.completion, 0);
    EXPECT_EQ(usage.cached, 0);
}

TEST(OpenAiUsage, NoUsageOrBrokenJsonReportsNothing)
{
    EXPECT_FALSE(usageOfOpenAiBody(R"({"id":"c","choices":[]})").reported);
    EXPECT_FALSE(usageOfOpenAiBody(R"({"usage":null})").reported);
    EXPECT_FALSE(parseOpenAiUsage(R"({"prompt_tokens":)").reported);
    EXPECT_FALSE(parseOpenAiUsage("{}").reported);
    EXPECT_FALSE(parseOpenAiUsage("").reported);
}

} // namespace
