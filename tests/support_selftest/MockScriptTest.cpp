// SPDX-License-Identifier: GPL-3.0-or-later
// The mock model's scripted behaviour in OpenAI's shapes (parallel tool calls, the tool loop,
// reasoning), and the rules every format shares: path dispatch and the prompt token count.
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"
#include "tests/support_selftest/MockSseEvents.h"

#include <QJsonArray>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace Qt::StringLiterals;

namespace {

QJsonObject message(const QString &role, const QJsonValue &content)
{
    return {{u"role"_s, role}, {u"content"_s, content}};
}

QJsonObject chatBody(const QJsonArray &messages, bool stream, const QStringList &tools = {})
{
    QJsonObject body{{u"model"_s, u"gpt-test"_s}, {u"messages"_s, messages}};
    if (stream) {
        body.insert(u"stream"_s, true);
        body.insert(u"stream_options"_s, QJsonObject{{u"include_usage"_s, true}});
    }
    QJsonArray declared;
    for (const QString &name : tools)
        declared.append(QJsonObject{{u"type"_s, u"function"_s},
                                    {u"function"_s, QJsonObject{{u"name"_s, name}}}});
    if (!declared.isEmpty())
        body.insert(u"tools"_s, declared);
    return body;
}

QList<QJsonObject> chunks(const HttpStreamResult &r)
{
    QList<QJsonObject> out;
    for (const QByteArray &data : r.sseData()) {
        if (data != "[DONE]")
            out.append(QJsonDocument::fromJson(data).object());
    }
    return out;
}

QJsonObject delta(const QJsonObject &chunk)
{
    return chunk.value(u"choices").toArray().first().toObject().value(u"delta").toObject();
}

QString chatUrl(const MockUpstream &mock)
{
    return mock.baseUrl() + u"/chat/completions"_s;
}

} // namespace

TEST(MockScript, OpenAiParallelToolCallsStreamed)
{
    MockUpstream mock;
    MockBehaviour b;
    b.toolCalls = {{"get_weather", R"({"city":"Paris"})"}, {"get_time", R"({"tz":"UTC"})"}};
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    const QJsonArray messages{message(u"user"_s, u"hi"_s)};
    const HttpStreamResult r = client.stream("POST", chatUrl(mock),
                                             compactJson(chatBody(messages, true)));
    ASSERT_TRUE(r.complete);
    const QList<QJsonObject> all = chunks(r);
    QStringList arguments = {QString(), QString()};
    QStringList ids = {QString(), QString()};
    QList<int> fragments = {0, 0};
    for (const QJsonObject &chunk : all) {
        for (const QJsonValue &value : delta(chunk).value(u"tool_calls").toArray()) {
            const QJsonObject call = value.toObject();
            const int index = call.value(u"index").toInt(-1);
            ASSERT_TRUE(index == 0 || index == 1);
            const QJsonObject function = call.value(u"function").toObject();
            if (call.contains(u"id")) {
                EXPECT_TRUE(ids[index].isEmpty());
                ids[index] = call.value(u"id").toString();
                EXPECT_EQ(function.value(u"arguments").toString(u"x"_s), u""_s);
                EXPECT_FALSE(function.value(u"name").toString().isEmpty());
            } else {
                arguments[index] += function.value(u"arguments").toString();
                ++fragments[index];
            }
        }
    }
    EXPECT_EQ(ids, (QStringList{u"call_mock1_0"_s, u"call_mock1_1"_s}));
    EXPECT_EQ(arguments[0], u"{\"city\":\"Paris\"}"_s);
    EXPECT_EQ(arguments[1], u"{\"tz\":\"UTC\"}"_s);
    EXPECT_EQ(fragments, (QList<int>{3, 3}));
    EXPECT_EQ(delta(all.first()).value(u"role").toString(), u"assistant"_s);
    EXPECT_EQ(all[all.size() - 2].value(u"choices").toArray().first().toObject()
                  .value(u"finish_reason").toString(),
              u"tool_calls"_s);
    EXPECT_EQ(all.last().value(u"usage").toObject().value(u"completion_tokens").toInt(), 6);
}

TEST(MockScript, OpenAiToolLoopBothTurnsAndUtf8Cut)
{
    MockUpstream mock;
    MockBehaviour b;
    b.toolLoop = true;
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    QJsonArray messages{message(u"system"_s, u"be brief"_s), message(u"user"_s, u"run it"_s)};
    const HttpResult first = client.request(
        "POST", chatUrl(mock), compactJson(chatBody(messages, false, {u"shell"_s, u"read"_s})));
    const QJsonObject assistant = first.json().value(u"choices").toArray().first().toObject()
                                      .value(u"message").toObject();
    const QJsonObject call = assistant.value(u"tool_calls").toArray().first().toObject();
    EXPECT_EQ(call.value(u"id").toString(), u"call_mock1_0"_s);
    EXPECT_EQ(call.value(u"function").toObject().value(u"name").toString(), u"shell"_s);
    EXPECT_EQ(call.value(u"function").toObject().value(u"arguments").toString(),
              u"{\"command\":\"echo tarn-e2e\"}"_s);

    messages.append(assistant);
    QJsonObject result = message(u"tool"_s, QString(300, QChar(0xe9))); // 600 UTF-8 bytes
    result.insert(u"tool_call_id"_s, call.value(u"id"));
    messages.append(result);
    const HttpStreamResult second = client.stream(
        "POST", chatUrl(mock), compactJson(chatBody(messages, true, {u"shell"_s})));
    QString text;
    int pieces = 0;
    for (const QJsonObject &chunk : chunks(second)) {
        const QString piece = delta(chunk).value(u"content").toString();
        pieces += piece.isEmpty() ? 0 : 1;
        text += piece;
    }
    EXPECT_EQ(text, u"Done: "_s + QString(100, QChar(0xe9))); // the first 200 bytes
    EXPECT_EQ(pieces, 2);
    EXPECT_EQ(chunks(second).last().value(u"usage").toObject().value(u"completion_tokens").toInt(),
              2);
}

TEST(MockScript, OpenAiReasoningPlainAndStreamed)
{
    MockUpstream mock;
    MockBehaviour b;
    b.thinking = "Pondering deeply";
    b.reasoningTokens = 11;
    mock.setDefaultBehaviour(b);
    HttpTestClient client;
    const QJsonArray messages{message(u"user"_s, u"abcd"_s)};
    const HttpResult plain = client.request("POST", chatUrl(mock),
                                            compactJson(chatBody(messages, false)));
    const QJsonObject o = plain.json();
    const QJsonObject m = o.value(u"choices").toArray().first().toObject().value(u"message").toObject();
    EXPECT_EQ(m.value(u"reasoning_content").toString(), u"Pondering deeply"_s);
    EXPECT_EQ(m.value(u"content").toString(), u"Hello from the mock upstream"_s);
    const QJsonObject usage = o.value(u"usage").toObject();
    EXPECT_EQ(usage.value(u"completion_tokens").toInt(), 5 + 11);
    EXPECT_EQ(usage.value(u"total_tokens").toInt(), 8 + 5 + 11);
    EXPECT_EQ(usage.value(u"completion_tokens_details").toObject().value(u"reasoning_tokens").toInt(),
              11);

    const HttpStreamResult r = client.stream("POST", chatUrl(mock),
                                             compactJson(chatBody(messages, true)));
    QStringList order;
    for (const QJsonObject &chunk : chunks(r)) {
        const QJsonObject d = delta(chunk);
        if (d.contains(u"reasoning_content"))
            order.append(u"r:"_s + d.value(u"reasoning_content").toString());
        if (!d.value(u"content").toString().isEmpty())
            order.append(u"c:"_s + d.value(u"content").toString());
    }
    EXPECT_EQ(order, (QStringList{u"r:Pondering"_s, u"r: deeply"_s, u"c:Hello"_s, u"c: from"_s,
                                  u"c: the"_s, u"c: mock"_s, u"c: upstream"_s}));
}

TEST(MockScript, DeclaredToolsWithoutAutomaticCall)
{
    MockUpstream mock;
    MockBehaviour b;
    b.toolCallWhenToolsDeclared = false;
    mock.pushBehaviour(b);
    HttpTestClient client;
    const QByteArray body = compactJson(chatBody({message(u"user"_s, u"hi"_s)}, false, {u"f"_s}));
    const QJsonObject off = client.request("POST", chatUrl(mock), body).json();
    EXPECT_EQ(off.value(u"choices").toArray().first().toObject().value(u"finish_reason").toString(),
              u"stop"_s);
    const QJsonObject on = client.request("POST", chatUrl(mock), body).json();
    const QJsonObject call = on.value(u"choices").toArray().first().toObject()
                                 .value(u"message").toObject()
                                 .value(u"tool_calls").toArray().first().toObject();
    EXPECT_EQ(call.value(u"id").toString(), u"call_mock2"_s); // the legacy automatic call
}

TEST(MockScript, FormatFromPath)
{
    const auto format = [](const char *path) {
        MockRequest request;
        request.path = path;
        return request.format();
    };
    EXPECT_EQ(format("/v1/chat/completions"), "openai");
    EXPECT_EQ(format("/v1/embeddings"), "openai");
    EXPECT_EQ(format("/v1beta/openai/chat/completions"), "openai");
    EXPECT_EQ(format("/v1/messages"), "anthropic");
    EXPECT_EQ(format("/v1/messages?beta=true"), "anthropic");
    EXPECT_EQ(format("/v1/messages/count_tokens"), "anthropic");
    EXPECT_EQ(format("/v1beta/models/gemini-2.5-flash:generateContent"), "gemini");
    EXPECT_EQ(format("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"), "gemini");
    EXPECT_EQ(format("/v1beta/models/g:countTokens"), "gemini");
}

// One plain-text conversation written in each format gets one prompt token count:
// system "You are terse." (14) + user "abcdefgh" (8) + assistant "ok" (2) + user "more" (4)
// = 28 bytes, P = 28 / 4 + 7 = 14.
TEST(MockScript, PromptTokensAgreeAcrossFormats)
{
    MockUpstream mock;
    HttpTestClient client;
    const QJsonArray openAi{message(u"system"_s, u"You are terse."_s),
                            message(u"user"_s, u"abcdefgh"_s), message(u"assistant"_s, u"ok"_s),
                            message(u"user"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s},
                                                                      {u"text"_s, u"more"_s}}})};
    const HttpResult o = client.request("POST", chatUrl(mock), compactJson(chatBody(openAi, false)));
    EXPECT_EQ(o.json().value(u"usage").toObject().value(u"prompt_tokens").toInt(), 14);

    const QJsonObject anthropic{
        {u"model"_s, u"claude"_s},
        {u"max_tokens"_s, 10},
        {u"system"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s},
                                             {u"text"_s, u"You are terse."_s}}}},
        {u"messages"_s, QJsonArray{message(u"user"_s, u"abcdefgh"_s),
                                   message(u"assistant"_s, u"ok"_s),
                                   message(u"user"_s, u"more"_s)}}};
    const HttpResult a = client.request("POST", mock.anthropicBaseUrl() + u"/v1/messages"_s,
                                        compactJson(anthropic),
                                        {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}});
    EXPECT_EQ(a.json().value(u"usage").toObject().value(u"input_tokens").toInt(), 14);

    const auto content = [](const char *role, const QString &text) {
        return QJsonObject{{u"role"_s, QLatin1String(role)},
                           {u"parts"_s, QJsonArray{QJsonObject{{u"text"_s, text}}}}};
    };
    const QJsonObject gemini{
        {u"system_instruction"_s,
         QJsonObject{{u"parts"_s, QJsonArray{QJsonObject{{u"text"_s, u"You are terse."_s}}}}}},
        {u"contents"_s, QJsonArray{content("user", u"abcdefgh"_s), content("model", u"ok"_s),
                                   content("user", u"more"_s)}}};
    const HttpResult g = client.request(
        "POST", mock.geminiBaseUrl() + u"/v1beta/models/g:generateContent?key=k"_s,
        compactJson(gemini));
    EXPECT_EQ(g.json().value(u"usageMetadata").toObject().value(u"promptTokenCount").toInt(), 14);
}
