// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ErrorResponse.h"
#include "gateway/formats/OpenAiCodec.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

#include <limits>
#include <map>

using namespace tarn::gateway;
using namespace Qt::StringLiterals;
using Kind = ir::Part::Kind;
using EventKind = ir::StreamEvent::Kind;

namespace {

const OpenAiCodec &codec()
{
    static const OpenAiCodec instance;
    return instance;
}

std::string fixture(const char *name)
{
    QFile file(QStringLiteral(TARN_FIXTURES_DIR "/formats/openai/") + QLatin1StringView(name));
    EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << name;
    return file.readAll().toStdString();
}

QJsonObject object(const std::string &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << json;
    EXPECT_TRUE(doc.isObject()) << json;
    return doc.object();
}

ir::Request decoded(const std::string &json)
{
    Result<ir::Request> result = codec().decodeRequest(json);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message.toStdString());
    return result.ok() ? std::move(result).value() : ir::Request{};
}

std::string decodeError(const std::string &json)
{
    Result<ir::Request> result = codec().decodeRequest(json);
    EXPECT_FALSE(result.ok()) << json;
    if (result.ok())
        return {};
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    return result.error().message.toStdString();
}

std::string withMessages(const std::string &messages, const std::string &extra = {})
{
    return R"({"model":"gpt-4o","messages":)" + messages + extra + "}";
}

ir::Part text(std::string value, Kind kind = Kind::Text)
{
    ir::Part part;
    part.kind = kind;
    part.text = std::move(value);
    return part;
}

ir::Part toolCall(std::string id, std::string name, std::string arguments, std::string signature = {})
{
    ir::Part part;
    part.kind = Kind::ToolCall;
    part.id = std::move(id);
    part.name = std::move(name);
    part.arguments = std::move(arguments);
    part.signature = std::move(signature);
    return part;
}

ir::Part toolResult(std::string id, std::vector<ir::Part> content, std::string name = {})
{
    ir::Part part;
    part.kind = Kind::ToolResult;
    part.id = std::move(id);
    part.name = std::move(name);
    part.content = std::move(content);
    return part;
}

ir::Part image(std::string mediaType, std::string data, std::string url = {})
{
    ir::Part part;
    part.kind = Kind::Image;
    part.image = {std::move(mediaType), std::move(data), std::move(url)};
    return part;
}

void expectSamePart(const ir::Part &a, const ir::Part &b, const std::string &where)
{
    EXPECT_EQ(int(a.kind), int(b.kind)) << where;
    EXPECT_EQ(a.text, b.text) << where;
    EXPECT_EQ(a.signature, b.signature) << where;
    EXPECT_EQ(a.image.mediaType, b.image.mediaType) << where;
    EXPECT_EQ(a.image.data, b.image.data) << where;
    EXPECT_EQ(a.image.url, b.image.url) << where;
    EXPECT_EQ(a.id, b.id) << where;
    EXPECT_EQ(a.name, b.name) << where;
    EXPECT_EQ(a.arguments, b.arguments) << where;
    EXPECT_EQ(a.isError, b.isError) << where;
    ASSERT_EQ(a.content.size(), b.content.size()) << where;
    for (std::size_t i = 0; i < a.content.size(); ++i)
        expectSamePart(a.content[i], b.content[i], where + ".content[" + std::to_string(i) + "]");
}

void expectSameMessages(const std::vector<ir::Message> &a, const std::vector<ir::Message> &b)
{
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(int(a[i].role), int(b[i].role)) << "message " << i;
        ASSERT_EQ(a[i].parts.size(), b[i].parts.size()) << "message " << i;
        for (std::size_t j = 0; j < a[i].parts.size(); ++j)
            expectSamePart(a[i].parts[j], b[i].parts[j], "messages[" + std::to_string(i) + "].parts[" + std::to_string(j) + "]");
    }
}

// ---- Stream helpers ----

struct SseEvent
{
    std::string name;
    std::string data;
};

std::vector<SseEvent> sseEvents(const std::string &stream)
{
    std::vector<SseEvent> events;
    std::size_t at = 0;
    while (at < stream.size()) {
        std::size_t end = stream.find("\n\n", at);
        if (end == std::string::npos)
            end = stream.size();
        const std::string block = stream.substr(at, end - at);
        at = end + 2;
        SseEvent event;
        std::size_t line = 0;
        while (line < block.size()) {
            std::size_t lineEnd = block.find('\n', line);
            if (lineEnd == std::string::npos)
                lineEnd = block.size();
            const std::string text = block.substr(line, lineEnd - line);
            if (text.starts_with("data: "))
                event.data += (event.data.empty() ? "" : "\n") + text.substr(6);
            else if (text.starts_with("event: "))
                event.name = text.substr(7);
            line = lineEnd + 1;
        }
        if (!event.data.empty())
            events.push_back(event);
    }
    return events;
}

// Checks the IR stream contract (Conversation.h): Start once first; parts indexed in start
// order; deltas only for open parts and never empty; Finish with every part stopped; nothing
// after Finish but an Error, nothing after an Error.
void expectValidStream(const std::vector<ir::StreamEvent> &events)
{
    bool started = false, finished = false, failed = false;
    int next = 0;
    std::map<int, bool> open;
    for (const ir::StreamEvent &event : events) {
        EXPECT_FALSE(failed) << "an event after Error";
        switch (event.kind) {
        case EventKind::Start:
            EXPECT_FALSE(started) << "two Starts";
            started = true;
            break;
        case EventKind::PartStart:
            EXPECT_TRUE(started);
            EXPECT_FALSE(finished);
            EXPECT_EQ(event.index, next++);
            open[event.index] = true;
            break;
        case EventKind::PartDelta:
            EXPECT_TRUE(open[event.index]) << "delta for part " << event.index << " which is not open";
            EXPECT_FALSE(event.text.empty() && event.signature.empty()) << "empty delta";
            break;
        case EventKind::PartStop:
            EXPECT_TRUE(open[event.index]) << "stop of part " << event.index << " which is not open";
            open[event.index] = false;
            break;
        case EventKind::Finish:
            EXPECT_TRUE(started);
            EXPECT_FALSE(finished) << "two Finishes";
            for (const auto &[index, isOpen] : open)
                EXPECT_FALSE(isOpen) << "part " << index << " open at Finish";
            finished = true;
            break;
        case EventKind::Error:
            failed = true;
            break;
        case EventKind::KeepAlive:
            break; // anywhere
        }
    }
}

std::vector<ir::StreamEvent> decodeStream(const std::vector<SseEvent> &events, bool callEnd = true)
{
    std::unique_ptr<StreamDecoder> decoder = codec().newStreamDecoder();
    std::vector<ir::StreamEvent> out;
    for (const SseEvent &event : events)
        decoder->decode(event.name, event.data, out);
    if (callEnd)
        decoder->end(out);
    expectValidStream(out);
    return out;
}

std::vector<ir::StreamEvent> decodeData(const std::vector<std::string> &data, bool callEnd = true)
{
    std::vector<SseEvent> events;
    for (const std::string &item : data)
        events.push_back({{}, item});
    return decodeStream(events, callEnd);
}

// The text each part's deltas add up to, by part index.
std::map<int, std::string> partTexts(const std::vector<ir::StreamEvent> &events)
{
    std::map<int, std::string> texts;
    for (const ir::StreamEvent &event : events) {
        if (event.kind == EventKind::PartDelta)
            texts[event.index] += event.text;
    }
    return texts;
}

std::string kinds(const std::vector<ir::StreamEvent> &events)
{
    std::string out;
    for (const ir::StreamEvent &event : events) {
        static const char *names[] = {"Start", "PartStart", "PartDelta", "PartStop", "Finish", "Error"};
        out += names[int(event.kind)];
        if (event.index >= 0)
            out += std::to_string(event.index);
        out += ' ';
    }
    return out;
}

std::string chunk(const std::string &delta, const std::string &finish = "null", const std::string &extra = {})
{
    return R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":)"
        + delta + R"(,"logprobs":null,"finish_reason":)" + finish + "}]" + extra + "}";
}

std::string encodeEvents(const std::vector<ir::StreamEvent> &events, bool includeUsage = true)
{
    std::unique_ptr<StreamEncoder> encoder = codec().newStreamEncoder({includeUsage});
    std::string out;
    for (const ir::StreamEvent &event : events)
        encoder->encode(event, out);
    encoder->end(out);
    return out;
}

} // namespace

#include "OpenAiCodecRequestTests.inc"
#include "OpenAiCodecAnswerTests.inc"
#include "OpenAiCodecStreamTests.inc"
