// SPDX-License-Identifier: GPL-3.0-or-later
// The token estimate count_tokens and the context check use where no tokenizer answers: rates per
// script, and a prompt's overheads.
#include "gateway/formats/TokenEstimate.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

TEST(EstimateTextTokens, RatesPerScript)
{
    EXPECT_EQ(estimateTextTokens(""), 0);
    EXPECT_EQ(estimateTextTokens("abcd"), 1);     // a token per 4 bytes of ASCII, rounded up
    EXPECT_EQ(estimateTextTokens("abcde"), 2);
    EXPECT_EQ(estimateTextTokens("你好世界"), 4);  // a token per CJK character
    EXPECT_EQ(estimateTextTokens("こんにちは"), 5);
    EXPECT_EQ(estimateTextTokens("안녕"), 2);
    EXPECT_EQ(estimateTextTokens("สวัสดี"), 6);    // Thai: a token per letter and mark
    EXPECT_EQ(estimateTextTokens("नमस्ते"), 6);     // Devanagari likewise
    EXPECT_EQ(estimateTextTokens("→─│"), 3);       // symbols and box drawing
    EXPECT_EQ(estimateTextTokens("😀🚀"), 4);       // two per emoji
    EXPECT_EQ(estimateTextTokens("Привет"), 3);    // Cyrillic: a token per two letters
    EXPECT_EQ(estimateTextTokens("καλημέρα"), 4);  // Greek likewise
}

TEST(EstimateTextTokens, MixedTextAddsItsParts)
{
    EXPECT_EQ(estimateTextTokens("abcd你好😀"), 1 + 2 + 2);
}

TEST(EstimateTextTokens, TruncatedOrInvalidUtf8NeverReadsPastTheEnd)
{
    // A lead byte with its continuation cut off, and lone continuation bytes: counted, no crash.
    EXPECT_GT(estimateTextTokens(std::string_view("\xF0\x9F", 2)), 0);
    EXPECT_GT(estimateTextTokens(std::string_view("\x80\x80\x80", 3)), 0);
    EXPECT_GT(estimateTextTokens(std::string_view("a\xE4", 2)), 0);
}

TEST(EstimatePromptTokens, CountsEveryPartAndItsOverheads)
{
    ir::Request request;
    ir::Part system;
    system.text = "abcd";
    request.system.push_back(system);
    ir::Message message;
    ir::Part text;
    text.text = "abcdabcd";
    message.parts.push_back(text);
    ir::Part image;
    image.kind = ir::Part::Kind::Image;
    message.parts.push_back(image);
    request.messages.push_back(message);
    ir::Tool tool;
    tool.name = "run";
    tool.description = "abcd";
    tool.parameters = R"({"type":"object"})";
    request.tools.push_back(tool);
    // system 1; message 4 + text 2 + image 1000; tool 1 + 1 + 5 + 8
    EXPECT_EQ(estimatePromptTokens(request), 1 + 4 + 2 + 1000 + 1 + 1 + 5 + 8);
}

} // namespace
