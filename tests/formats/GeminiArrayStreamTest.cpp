// SPDX-License-Identifier: GPL-3.0-or-later
// GeminiArrayStream: Google's array stream form (`[{…}`, `,\r\n{…}`, `]`) written from a Gemini
// channel's own events passed through and from another format's stream translated, byte for byte,
// fed whole and one byte at a time; errors as the array's last element; the ?alt= reading.
#include "gateway/formats/GeminiArrayStream.h"
#include "gateway/formats/StreamTranslator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

const QByteArray kChunk1 = R"({"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"modelVersion":"g"})";
const QByteArray kChunk2 = R"({"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"index":0}],"modelVersion":"g"})";
const QByteArray kChunk3 = R"({"candidates":[{"content":{"parts":[{"text":"!"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":3,"totalTokenCount":6},"modelVersion":"g"})";
const QByteArray kError = R"({"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}})";

std::unique_ptr<GeminiArrayStream> arrayStream(ApiFormat from)
{
    StreamTranslator::Options options;
    options.from = from;
    options.to = ApiFormat::Gemini;
    options.passThrough = from == ApiFormat::Gemini;
    return std::make_unique<GeminiArrayStream>(std::make_unique<StreamTranslator>(std::move(options)));
}

// What the client receives for `upstream`, fed in one piece or one byte at a time.
QByteArray clientBytes(ApiFormat from, const QByteArray &upstream, bool byteByByte, GeminiArrayStream **keep = nullptr)
{
    static std::unique_ptr<GeminiArrayStream> kept;
    auto stream = arrayStream(from);
    QByteArray out;
    if (byteByByte) {
        for (qsizetype i = 0; i < upstream.size(); ++i)
            out += stream->feed(upstream.sliced(i, 1));
    } else {
        out += stream->feed(upstream);
    }
    out += stream->finish();
    if (keep) {
        kept = std::move(stream);
        *keep = kept.get();
    }
    return out;
}

QJsonArray parsedArray(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << body.toStdString();
    EXPECT_TRUE(document.isArray()) << body.toStdString();
    return document.array();
}

} // namespace

TEST(GeminiArrayStream, ReadsAltFromTheQuery)
{
    EXPECT_TRUE(geminiWantsSse("/v1beta/models/m:streamGenerateContent?alt=sse"));
    EXPECT_TRUE(geminiWantsSse("/v1beta/models/m:streamGenerateContent?key=k&alt=sse"));
    EXPECT_TRUE(geminiWantsSse("/v1beta/models/m:streamGenerateContent?alt=%73se"));
    EXPECT_FALSE(geminiWantsSse("/v1beta/models/m:streamGenerateContent"));
    EXPECT_FALSE(geminiWantsSse("/v1beta/models/m:streamGenerateContent?alt=json"));
    EXPECT_FALSE(geminiWantsSse("/v1beta/models/m:streamGenerateContent?salt=sse"));
    EXPECT_FALSE(geminiWantsSse("/v1beta/models/m:streamGenerateContent?alt=sse&alt=json"));
}

TEST(GeminiArrayStream, PassThroughReframesEachEventByteForByteAtEverySplit)
{
    // CRLF, LF and CR line ends, a keep-alive comment and multi-space data: the elements are the
    // events' data as they came, keep-alives gone.
    const QByteArray upstream = "data: " + kChunk1 + "\r\n\r\n: keep-alive\n\ndata: " + kChunk2 + "\n\ndata: " + kChunk3
        + "\r\r";
    const QByteArray expected = "[" + kChunk1 + ",\r\n" + kChunk2 + ",\r\n" + kChunk3 + "]";
    EXPECT_EQ(clientBytes(ApiFormat::Gemini, upstream, false), expected);
    EXPECT_EQ(clientBytes(ApiFormat::Gemini, upstream, true), expected);
    EXPECT_EQ(parsedArray(expected).size(), 3);
}

TEST(GeminiArrayStream, LastEventWithoutItsBlankLineStillClosesTheArray)
{
    GeminiArrayStream *stream = nullptr;
    const QByteArray out = clientBytes(ApiFormat::Gemini, "data: " + kChunk1 + "\n\ndata: " + kChunk3, false, &stream);
    EXPECT_EQ(out, "[" + kChunk1 + ",\r\n" + kChunk3 + "]");
    EXPECT_TRUE(stream->sawFinish());
    EXPECT_EQ(stream->usage().prompt, 3);
    EXPECT_EQ(stream->contentType(), QByteArrayLiteral("application/json"));
}

TEST(GeminiArrayStream, TranslatedStreamIsTheSameAtEverySplit)
{
    const QByteArray upstream
        = R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]})"
          "\n\n: ping\n\n"
          R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}})"
          "\n\ndata: [DONE]\n\n";
    const QByteArray whole = clientBytes(ApiFormat::OpenAI, upstream, false);
    EXPECT_EQ(clientBytes(ApiFormat::OpenAI, upstream, true), whole);
    ASSERT_TRUE(whole.startsWith("[{")) << whole.toStdString();
    ASSERT_TRUE(whole.endsWith("}]")) << whole.toStdString();
    EXPECT_EQ(whole.count(",\r\n{"), parsedArray(whole).size() - 1);
    const QJsonArray elements = parsedArray(whole);
    QString text;
    for (const QJsonValue &element : elements) {
        const QJsonObject candidate = element.toObject().value(u"candidates").toArray().at(0).toObject();
        for (const QJsonValue &part : candidate.value(u"content").toObject().value(u"parts").toArray())
            text += part.toObject().value(u"text").toString();
    }
    EXPECT_EQ(text, QStringLiteral("Hi there"));
    const QJsonObject last = elements.last().toObject();
    EXPECT_EQ(last.value(u"candidates").toArray().at(0).toObject().value(u"finishReason").toString(), QStringLiteral("STOP"));
    EXPECT_EQ(last.value(u"usageMetadata").toObject().value(u"promptTokenCount").toInt(), 4);
}

TEST(GeminiArrayStream, UpstreamErrorIsTheLastElementAndClosesTheArray)
{
    GeminiArrayStream *stream = nullptr;
    // Whatever follows the error is not written: the array has ended.
    const QByteArray out = clientBytes(ApiFormat::Gemini,
                                       "data: " + kChunk1 + "\n\ndata: " + kError + "\n\ndata: " + kChunk2 + "\n\n", false,
                                       &stream);
    EXPECT_EQ(out, "[" + kChunk1 + ",\r\n" + kError + "]");
    EXPECT_FALSE(stream->errorPayload().isEmpty());
    EXPECT_TRUE(stream->errorEvent(502, QStringLiteral("late"), "upstream_error").isEmpty());
    EXPECT_EQ(parsedArray(out).size(), 2);
}

TEST(GeminiArrayStream, TranslatedErrorIsAnElementToo)
{
    const QByteArray upstream
        = R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})"
          "\n\n"
          R"(data: {"error":{"message":"overloaded","type":"server_error","code":"overloaded"}})"
          "\n\n";
    const QByteArray out = clientBytes(ApiFormat::OpenAI, upstream, true);
    const QJsonArray elements = parsedArray(out);
    ASSERT_GE(elements.size(), 2);
    EXPECT_TRUE(elements.last().toObject().value(u"error").isObject());
    EXPECT_TRUE(out.endsWith("}]"));
}

TEST(GeminiArrayStream, CutShortStreamStaysOpenForTheErrorElement)
{
    auto stream = arrayStream(ApiFormat::Gemini);
    QByteArray out = stream->feed(QByteArray("data: " + kChunk1 + "\n\n"));
    out += stream->finish();
    EXPECT_EQ(out, "[" + kChunk1) << "no finish came: the array is not closed yet";
    EXPECT_FALSE(stream->sawFinish());
    out += stream->errorEvent(502, QStringLiteral("the stream ended before the answer finished"), "upstream_error");
    const QJsonArray elements = parsedArray(out);
    ASSERT_EQ(elements.size(), 2);
    const QJsonObject error = elements.at(1).toObject().value(u"error").toObject();
    EXPECT_EQ(error.value(u"code").toInt(), 502);
    EXPECT_TRUE(out.contains(",\r\n{\"error\""));
}

TEST(GeminiArrayStream, ErrorBeforeAnyElementIsAWholeArray)
{
    auto stream = arrayStream(ApiFormat::OpenAI);
    const QByteArray out = stream->errorEvent(504, QStringLiteral("timed out"), "upstream_timeout");
    ASSERT_TRUE(out.startsWith("[{\"error\"")) << out.toStdString();
    EXPECT_EQ(parsedArray(out).size(), 1);
}
