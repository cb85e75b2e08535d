// SPDX-License-Identifier: GPL-3.0-or-later
// Reading an OpenAI chat request and building the body Tarn sends upstream.
#include "gateway/formats/OpenAiRequest.h"

#include "tests/support/GTestQtPrinters.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

using namespace tarn::gateway;

namespace {

// A body as the HTTP layer hands it over: with spare capacity behind the data.
QByteArray padded(QByteArrayView json)
{
    QByteArray body;
    body.reserve(json.size() + 64);
    body.append(json);
    return body;
}

Result<RequestInfo> inspect(QByteArrayView json)
{
    return inspectOpenAiRequest(padded(json));
}

std::string errorOf(const Result<RequestInfo> &result)
{
    return result.ok() ? std::string("<ok>") : result.error().message.toStdString();
}

QJsonObject parsedObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << json.toStdString();
    EXPECT_TRUE(doc.isObject()) << json.toStdString();
    return doc.object();
}

TEST(InspectOpenAiRequest, ReadsAMinimalRequest)
{
    const auto info = inspect(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_TRUE(info.ok()) << errorOf(info);
    EXPECT_EQ(info->model, QStringLiteral("gpt-4o"));
    EXPECT_FALSE(info->stream);
    EXPECT_FALSE(info->clientWantsUsage);
    EXPECT_FALSE(info->hasTools);
}

TEST(InspectOpenAiRequest, ReadsNonAsciiAndEscapedModelNames)
{
    const auto info = inspect(R"({"model":"qwen\/模型\"x\""})");
    ASSERT_TRUE(info.ok()) << errorOf(info);
    EXPECT_EQ(info->model, QString::fromUtf8("qwen/模型\"x\""));
}

TEST(InspectOpenAiRequest, MissingModel)
{
    const auto info = inspect(R"({"messages":[]})");
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(errorOf(info).find("model"), std::string::npos) << errorOf(info);
}

TEST(InspectOpenAiRequest, ModelMustBeANonEmptyString)
{
    for (const char *json : {R"({"model":42})", R"({"model":null})", R"({"model":["a"]})",
                             R"({"model":{"name":"a"}})", R"({"model":true})", R"({"model":""})"}) {
        const auto info = inspect(json);
        ASSERT_FALSE(info.ok()) << json;
        EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument) << json;
        EXPECT_NE(errorOf(info).find("model"), std::string::npos) << errorOf(info);
    }
}

TEST(InspectOpenAiRequest, StreamMustBeABoolean)
{
    for (const char *json : {R"({"model":"m","stream":"true"})", R"({"model":"m","stream":1})",
                             R"({"model":"m","stream":{}})"}) {
        const auto info = inspect(json);
        ASSERT_FALSE(info.ok()) << json;
        EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument) << json;
        EXPECT_NE(errorOf(info).find("stream"), std::string::npos) << errorOf(info);
    }
}

TEST(InspectOpenAiRequest, StreamNullOrAbsentMeansNotStreaming)
{
    const auto null = inspect(R"({"model":"m","stream":null})");
    ASSERT_TRUE(null.ok()) << errorOf(null);
    EXPECT_FALSE(null->stream);
    const auto no = inspect(R"({"model":"m","stream":false})");
    ASSERT_TRUE(no.ok()) << errorOf(no);
    EXPECT_FALSE(no->stream);
    const auto yes = inspect(R"({"model":"m","stream":true})");
    ASSERT_TRUE(yes.ok()) << errorOf(yes);
    EXPECT_TRUE(yes->stream);
}

TEST(InspectOpenAiRequest, IncludeUsage)
{
    const auto wants = inspect(R"({"model":"m","stream":true,"stream_options":{"include_usage":true}})");
    ASSERT_TRUE(wants.ok()) << errorOf(wants);
    EXPECT_TRUE(wants->clientWantsUsage);
    const auto declines = inspect(R"({"model":"m","stream":true,"stream_options":{"include_usage":false}})");
    ASSERT_TRUE(declines.ok()) << errorOf(declines);
    EXPECT_FALSE(declines->clientWantsUsage);
    const auto other = inspect(R"({"model":"m","stream":true,"stream_options":{"other":true}})");
    ASSERT_TRUE(other.ok()) << errorOf(other);
    EXPECT_FALSE(other->clientWantsUsage);
    const auto notObject = inspect(R"({"model":"m","stream":true,"stream_options":"include_usage"})");
    ASSERT_TRUE(notObject.ok()) << errorOf(notObject);
    EXPECT_FALSE(notObject->clientWantsUsage);
    const auto nested = inspect(R"({"model":"m","messages":[{"include_usage":true}]})");
    ASSERT_TRUE(nested.ok()) << errorOf(nested);
    EXPECT_FALSE(nested->clientWantsUsage);
}

TEST(InspectOpenAiRequest, Tools)
{
    const auto with = inspect(R"({"model":"m","tools":[{"type":"function","function":{"name":"f"}}]})");
    ASSERT_TRUE(with.ok()) << errorOf(with);
    EXPECT_TRUE(with->hasTools);
    const auto empty = inspect(R"({"model":"m","tools":[]})");
    ASSERT_TRUE(empty.ok()) << errorOf(empty);
    EXPECT_FALSE(empty->hasTools);
    const auto notArray = inspect(R"({"model":"m","tools":{"type":"function"}})");
    ASSERT_TRUE(notArray.ok()) << errorOf(notArray);
    EXPECT_FALSE(notArray->hasTools);
}

TEST(InspectOpenAiRequest, BodyMustBeAJsonObject)
{
    for (const char *json : {"[]", R"(["model"])", R"("model")", "42", "null", "true"}) {
        const auto info = inspect(json);
        ASSERT_FALSE(info.ok()) << json;
        EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument) << json;
        EXPECT_NE(errorOf(info).find("object"), std::string::npos) << errorOf(info);
    }
}

TEST(InspectOpenAiRequest, InvalidJsonAndEmptyBody)
{
    for (const char *json : {R"({"model":"m")", R"({"model":"m",})", R"({'model':'m'})", "{\"model\":\"m\"} x"}) {
        const auto info = inspect(json);
        ASSERT_FALSE(info.ok()) << json;
        EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument) << json;
    }
    const auto empty = inspectOpenAiRequest(QByteArray());
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code, ErrorCode::InvalidArgument);
}

TEST(InspectOpenAiRequest, UnpaddedBodyIsReadCorrectly)
{
    // No spare capacity at all: the parser must copy instead of reading past the end.
    const QByteArray exact(R"({"model":"m","stream":true})");
    ASSERT_LT(exact.capacity() - exact.size(), 64);
    const auto info = inspectOpenAiRequest(exact);
    ASSERT_TRUE(info.ok()) << errorOf(info);
    EXPECT_EQ(info->model, QStringLiteral("m"));
    EXPECT_TRUE(info->stream);
}

TEST(InspectOpenAiRequest, RawDataBodyIsNotReadPastItsEnd)
{
    // fromRawData has no capacity of its own: a heap block of exactly the body's size, so ASan
    // catches any read behind it.
    const char json[] = R"({"model":"raw","stream":false})";
    const std::size_t size = sizeof json - 1;
    std::unique_ptr<char[]> block(new char[size]);
    std::memcpy(block.get(), json, size);
    const QByteArray body = QByteArray::fromRawData(block.get(), qsizetype(size));
    const auto info = inspectOpenAiRequest(body);
    ASSERT_TRUE(info.ok()) << errorOf(info);
    EXPECT_EQ(info->model, QStringLiteral("raw"));
}

TEST(InspectOpenAiRequest, LargeBodyWithATrailingModel)
{
    QByteArray json = R"({"messages":[)";
    for (int i = 0; i < 20000; ++i)
        json += R"({"role":"user","content":"message number )" + QByteArray::number(i) + R"("},)";
    json += R"({"role":"user","content":"last"}],"model":"late"})";
    const auto info = inspect(json);
    ASSERT_TRUE(info.ok()) << errorOf(info);
    EXPECT_EQ(info->model, QStringLiteral("late"));
}

// The lead's rule: a duplicated member the gateway acts on is ambiguous (a proxy and an upstream
// could each read a different one), so it is refused.
TEST(InspectOpenAiRequest, DuplicateModelIsRejected)
{
    const auto info = inspect(R"({"model":"cheap","messages":[],"model":"expensive"})");
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(errorOf(info).find("duplicate"), std::string::npos) << errorOf(info);
}

TEST(InspectOpenAiRequest, DuplicateStreamIsRejected)
{
    const auto info = inspect(R"({"model":"m","stream":false,"stream":true})");
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(errorOf(info).find("duplicate"), std::string::npos) << errorOf(info);
}

TEST(InspectOpenAiRequest, DuplicateStreamOptionsIsRejected)
{
    const auto info = inspect(
        R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"stream_options":{}})");
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(errorOf(info).find("duplicate"), std::string::npos) << errorOf(info);
}

TEST(InspectOpenAiRequest, SameKeyInNestedObjectsIsNotADuplicate)
{
    const auto info = inspect(R"({"model":"m","metadata":{"model":"x","stream":true},"stream":false})");
    ASSERT_TRUE(info.ok()) << errorOf(info);
    EXPECT_EQ(info->model, QStringLiteral("m"));
    EXPECT_FALSE(info->stream);
}

RequestInfo infoFor(const QByteArray &body)
{
    const auto info = inspectOpenAiRequest(body);
    EXPECT_TRUE(info.ok()) << errorOf(info);
    return info.ok() ? *info : RequestInfo{};
}

TEST(UpstreamOpenAiBody, UnchangedBodyIsTheSameBuffer)
{
    const QByteArray body = padded(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("m"));
    EXPECT_EQ(out, body);
    EXPECT_EQ(out.constData(), body.constData()); // shared, not copied
}

TEST(UpstreamOpenAiBody, StreamThatAlreadyAsksForUsageIsUntouched)
{
    const QByteArray body = padded(R"({"model":"m","stream":true,"stream_options":{"include_usage":true}})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("m"));
    EXPECT_EQ(out.constData(), body.constData());
}

TEST(UpstreamOpenAiBody, RenamesTheModelAndKeepsEverythingElseByteForByte)
{
    const QByteArray body = padded(R"({ "messages" : [ {"role":"user","content":"model: \"alias\""} ],)"
                                   R"( "model" : "alias" , "temperature": 0.70 })");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("vendor/real-1"));
    EXPECT_EQ(out, R"({ "messages" : [ {"role":"user","content":"model: \"alias\""} ],)"
                   R"( "model" : "vendor/real-1" , "temperature": 0.70 })");
    EXPECT_EQ(body, R"({ "messages" : [ {"role":"user","content":"model: \"alias\""} ],)"
                    R"( "model" : "alias" , "temperature": 0.70 })"); // input untouched
}

TEST(UpstreamOpenAiBody, RenamedModelIsJsonEscaped)
{
    const QByteArray body = padded(R"({"model":"alias"})");
    const QString upstream = QString::fromUtf8("we\"ird\\name\n模型");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), upstream);
    EXPECT_EQ(parsedObject(out).value(u"model").toString(), upstream);
}

TEST(UpstreamOpenAiBody, RenamesAModelKeyWrittenWithEscapes)
{
    const QByteArray body = padded(R"({"mod\u0065l":"alias","messages":[]})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("real"));
    const QJsonObject object = parsedObject(out);
    EXPECT_EQ(object.value(u"model").toString(), QStringLiteral("real"));
    EXPECT_TRUE(object.value(u"messages").isArray());
}

TEST(UpstreamOpenAiBody, InjectsIncludeUsageWhenThereAreNoStreamOptions)
{
    const QByteArray body = padded(R"({"model":"m","stream":true,"messages":[{"role":"user","content":"{"}]})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("m"));
    const QJsonObject object = parsedObject(out);
    EXPECT_TRUE(object.value(u"stream_options").toObject().value(u"include_usage").toBool());
    EXPECT_TRUE(object.value(u"stream").toBool());
    EXPECT_EQ(object.value(u"messages").toArray().at(0).toObject().value(u"content").toString(), QStringLiteral("{"));
    EXPECT_EQ(out.count("\"stream_options\""), 1);
}

TEST(UpstreamOpenAiBody, SetsIncludeUsageInsideExistingStreamOptions)
{
    const QByteArray body = padded(R"({"model":"m","stream":true,"stream_options":{"include_usage":false,"extra":1},"n":1})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("m"));
    const QJsonObject object = parsedObject(out);
    const QJsonObject options = object.value(u"stream_options").toObject();
    EXPECT_TRUE(options.value(u"include_usage").toBool());
    EXPECT_EQ(options.value(u"extra").toInt(), 1);
    EXPECT_EQ(object.value(u"n").toInt(), 1);
    EXPECT_EQ(out.count("\"stream_options\""), 1);
    EXPECT_EQ(out.count("include_usage"), 1);
}

TEST(UpstreamOpenAiBody, StreamOptionsWithUnusualNumbersStayValidJson)
{
    // Found by fuzz_request_inspection. The header promises everything but model and
    // include_usage is kept byte for byte; a round trip through QJsonDocument turns
    // 18446744073709551615 into 18446744073709552000 (which simdjson refuses) and -0.0 into 0.
    const QByteArray body = padded(R"({"model":"gpt-x","messages":[],"stream":true,"stream_options":)"
                                   R"({"temperature":-0.0,"top_p":0e-7,"seed":18446744073709551615,"x":[1,2]}})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("gpt-x"));
    const QJsonObject options = parsedObject(out).value(u"stream_options").toObject();
    EXPECT_TRUE(options.value(u"include_usage").toBool()) << out.toStdString();
    EXPECT_EQ(options.value(u"x").toArray().size(), 2) << out.toStdString();
    EXPECT_EQ(out.count("\"stream_options\""), 1) << out.toStdString();
    EXPECT_TRUE(out.contains(R"("seed":18446744073709551615)")) << out.toStdString();
    EXPECT_TRUE(out.contains(R"("temperature":-0.0)")) << out.toStdString();
    EXPECT_TRUE(out.contains(R"("top_p":0e-7)")) << out.toStdString();
}

TEST(UpstreamOpenAiBody, NonStreamingRequestGetsNoStreamOptions)
{
    const QByteArray body = padded(R"({"model":"alias","stream":false})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("real"));
    EXPECT_FALSE(out.contains("stream_options"));
    EXPECT_EQ(parsedObject(out).value(u"model").toString(), QStringLiteral("real"));
}

TEST(UpstreamOpenAiBody, RenameAndInjectTogether)
{
    const QByteArray body = padded(R"({"stream":true,"model":"alias","messages":[]})");
    const QByteArray out = upstreamOpenAiBody(body, infoFor(body), QStringLiteral("real"));
    const QJsonObject object = parsedObject(out);
    EXPECT_EQ(object.value(u"model").toString(), QStringLiteral("real"));
    EXPECT_TRUE(object.value(u"stream_options").toObject().value(u"include_usage").toBool());
    EXPECT_TRUE(object.value(u"messages").isArray());
    EXPECT_EQ(object.size(), 4);
}

} // namespace

// What routing reads from a request: the capabilities it needs, its size and its conversation.
TEST(OpenAiRequestRouting, ImagesJsonModeAndMaxTokensAreSeen)
{
    const auto plain = inspect(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_TRUE(plain.ok());
    EXPECT_FALSE(plain->hasImages);
    EXPECT_FALSE(plain->wantsJson);
    EXPECT_EQ(plain->maxOutputTokens, 0);

    const auto vision = inspect(R"({"model":"m","max_completion_tokens":512,"max_tokens":9,
        "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},
        "messages":[{"role":"user","content":[{"type":"text","text":"what is this"},
        {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}]}]})");
    ASSERT_TRUE(vision.ok()) << errorOf(vision);
    EXPECT_TRUE(vision->hasImages);
    EXPECT_TRUE(vision->wantsJson);
    EXPECT_EQ(vision->maxOutputTokens, 512);

    const auto text = inspect(R"({"model":"m","response_format":{"type":"text"},"max_tokens":7,"messages":[]})");
    ASSERT_TRUE(text.ok());
    EXPECT_FALSE(text->wantsJson);
    EXPECT_EQ(text->maxOutputTokens, 7);
}

TEST(OpenAiRequestRouting, PromptEstimateLeavesImageBytesOut)
{
    const QByteArray image(400'000, 'A');
    const QByteArray body = R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,)"
        + image + R"("}}]}]})";
    const auto info = inspect(body);
    ASSERT_TRUE(info.ok());
    EXPECT_LT(info->promptTokensEstimate, 100);
    const QByteArray pdf = R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,)"
        + image + R"("}},{"type":"input_audio","input_audio":{"format":"wav","data":")" + image + R"("}}]}]})";
    const auto files = inspect(pdf);
    ASSERT_TRUE(files.ok());
    EXPECT_LT(files->promptTokensEstimate, 100);
    EXPECT_FALSE(files->hasImages);
    const QByteArray text(400'000, 'x');
    const QByteArray bigBody = R"({"model":"m","messages":[{"role":"user","content":")" + text + R"("}]})";
    const auto big = inspect(bigBody);
    ASSERT_TRUE(big.ok());
    EXPECT_NEAR(double(big->promptTokensEstimate), 100'000.0, 100.0);
}

TEST(OpenAiRequestRouting, ConversationHashIsStableAcrossTurnsAndDiffersBetweenConversations)
{
    const auto turn1 = inspect(R"({"model":"m","messages":[{"role":"system","content":"be brief"},
        {"role":"user","content":"write a parser"}]})");
    const auto turn2 = inspect(R"({"model":"m","messages":[{"role":"system","content":"be brief"},
        {"role":"user","content":"write a parser"},{"role":"assistant","content":"ok"},{"role":"user","content":"now test it"}]})");
    const auto other = inspect(R"({"model":"m","messages":[{"role":"system","content":"be brief"},
        {"role":"user","content":"write a lexer"}]})");
    const auto noUser = inspect(R"({"model":"m","messages":[{"role":"system","content":"be brief"}]})");
    ASSERT_TRUE(turn1.ok() && turn2.ok() && other.ok() && noUser.ok());
    EXPECT_NE(turn1->conversationHash, 0u);
    EXPECT_EQ(turn1->conversationHash, turn2->conversationHash);
    EXPECT_NE(turn1->conversationHash, other->conversationHash);
    EXPECT_EQ(noUser->conversationHash, 0u);

    const auto keyed = inspect(R"({"model":"m","prompt_cache_key":"conv-42","messages":[]})");
    ASSERT_TRUE(keyed.ok());
    EXPECT_EQ(keyed->promptCacheKey, QStringLiteral("conv-42"));
}

TEST(OpenAiRequestRouting, OddShapesAreToleratedNotMisread)
{
    // Content parts that are not objects, a role that is not a string, image_url as a bare string.
    const auto info = inspect(R"({"model":"m","max_tokens":-5,"response_format":"json_object",
        "messages":[{"role":7,"content":[1,null,{"type":"image_url","image_url":"data:x"}]},{"content":null},"x"]})");
    ASSERT_TRUE(info.ok()) << errorOf(info);
    EXPECT_TRUE(info->hasImages);
    EXPECT_FALSE(info->wantsJson);
    EXPECT_EQ(info->maxOutputTokens, 0);
    EXPECT_EQ(info->conversationHash, 0u);
}
