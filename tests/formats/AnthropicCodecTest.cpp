// SPDX-License-Identifier: GPL-3.0-or-later
// The Anthropic Messages codec: client bodies in, channel bodies out, answers and SSE both ways,
// with Claude Code's real request shape and Anthropic's documented event sequences.
#include "gateway/formats/AnthropicCodec.h"
#include "gateway/formats/ErrorResponse.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

#include <limits>

using namespace tarn::gateway;
using Kind = ir::Part::Kind;
using EventKind = ir::StreamEvent::Kind;

namespace {

const AnthropicCodec codec;

std::string fixture(const char *name)
{
    QFile file(QStringLiteral(TARN_FIXTURES_DIR "/formats/anthropic/") + QLatin1StringView(name));
    EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << name;
    return file.readAll().toStdString();
}

QJsonValue parsed(std::string_view json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json.data(), qsizetype(json.size())), &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << json;
    return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
}

#define EXPECT_JSON_EQ(actual, expected) \
    EXPECT_EQ(parsed(actual), parsed(expected)) << "actual:   " << (actual) << "\nexpected: " << (expected)

ir::Request decoded(std::string_view json)
{
    Result<ir::Request> request = codec.decodeRequest(json);
    EXPECT_TRUE(request.ok()) << (request.ok() ? std::string() : request.error().message.toStdString()) << "\n" << json;
    return request.ok() ? std::move(request).value() : ir::Request{};
}

const QJsonObject encoded(const ir::Request &request, RequestTarget target = {"claude-target", 4096, true})
{
    return parsed(codec.encodeRequest(request, target)).toObject();
}

ir::Part text(std::string value, std::string cacheControl = {})
{
    ir::Part part;
    part.text = std::move(value);
    part.cacheControl = std::move(cacheControl);
    return part;
}

ir::Part thinking(std::string value, std::string signature)
{
    ir::Part part;
    part.kind = Kind::Thinking;
    part.text = std::move(value);
    part.signature = std::move(signature);
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

ir::Part toolResult(std::string id, std::vector<ir::Part> content, bool isError = false)
{
    ir::Part part;
    part.kind = Kind::ToolResult;
    part.id = std::move(id);
    part.content = std::move(content);
    part.isError = isError;
    return part;
}

ir::Part image(std::string mediaType, std::string data, std::string url = {})
{
    ir::Part part;
    part.kind = Kind::Image;
    part.image = {std::move(mediaType), std::move(data), std::move(url)};
    return part;
}

ir::Message user(std::vector<ir::Part> parts)
{
    return {ir::Role::User, std::move(parts)};
}

ir::Message assistant(std::vector<ir::Part> parts)
{
    return {ir::Role::Assistant, std::move(parts)};
}

QString compact(const QJsonValue &value)
{
    return QString::fromUtf8(value.isObject() ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)
                                              : QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
}

QString canon(std::string_view json)
{
    return compact(parsed(json));
}

// ---- SSE helpers ----

struct SseEvent
{
    std::string name;
    std::string data;
};

std::vector<SseEvent> sseEvents(std::string_view text)
{
    std::vector<SseEvent> events;
    SseEvent current;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.empty()) {
            if (!current.data.empty() || !current.name.empty())
                events.push_back(std::move(current));
            current = {};
        } else if (line.substr(0, 7) == "event: ") {
            current.name = std::string(line.substr(7));
        } else if (line.substr(0, 6) == "data: ") {
            current.data = std::string(line.substr(6));
        }
    }
    if (!current.data.empty())
        events.push_back(std::move(current));
    return events;
}

const char *kindName(Kind kind)
{
    switch (kind) {
    case Kind::Text: return "text";
    case Kind::Image: return "image";
    case Kind::Thinking: return "thinking";
    case Kind::RedactedThinking: return "redacted";
    case Kind::ToolCall: return "tool";
    case Kind::ToolResult: return "result";
    }
    return "?";
}

// One line per IR event, so a whole sequence is compared at once.
std::string describe(const std::vector<ir::StreamEvent> &events)
{
    std::string out;
    for (const ir::StreamEvent &e : events) {
        if (e.kind == EventKind::KeepAlive)
            continue; // pings: their own test (StreamDecoderPingIsAKeepAlive)
        switch (e.kind) {
        case EventKind::Start:
            out += "start " + e.id + " " + e.model + " in=" + std::to_string(e.usage.input) + " cr="
                + std::to_string(e.usage.cacheRead) + " cw=" + std::to_string(e.usage.cacheWrite);
            break;
        case EventKind::PartStart:
            out += "part" + std::to_string(e.index) + " " + kindName(e.partKind);
            if (e.partKind == Kind::ToolCall)
                out += " " + e.id + " " + e.name + (e.signature.empty() ? "" : " sig=" + e.signature);
            if (!e.text.empty())
                out += " data=" + e.text;
            break;
        case EventKind::PartDelta:
            out += "delta" + std::to_string(e.index) + " '" + e.text + "'" + (e.signature.empty() ? "" : " sig=" + e.signature);
            break;
        case EventKind::PartStop: out += "stop" + std::to_string(e.index); break;
        case EventKind::Finish:
            out += "finish " + std::to_string(int(e.stop)) + " seq=" + e.stopSequence + " in=" + std::to_string(e.usage.input)
                + " out=" + std::to_string(e.usage.output) + " cr=" + std::to_string(e.usage.cacheRead)
                + " cw=" + std::to_string(e.usage.cacheWrite);
            break;
        case EventKind::Error:
            out += "error " + std::to_string(e.error.status) + " " + std::to_string(int(e.error.kind)) + " " + e.error.message;
            break;
        case EventKind::KeepAlive:
            break;
        }
        out += "\n";
    }
    return out;
}

std::vector<ir::StreamEvent> decodeStream(std::string_view sse, bool end = true)
{
    std::vector<ir::StreamEvent> events;
    auto decoder = codec.newStreamDecoder();
    for (const SseEvent &event : sseEvents(sse))
        decoder->decode(event.name, event.data, events);
    if (end)
        decoder->end(events);
    for (const ir::StreamEvent &event : events) {
        if (event.kind == EventKind::PartDelta) {
            EXPECT_FALSE(event.text.empty() && event.signature.empty()) << "empty delta";
        }
    }
    return events;
}

std::string encodeStream(const std::vector<ir::StreamEvent> &events)
{
    std::string out;
    auto encoder = codec.newStreamEncoder({});
    for (const ir::StreamEvent &event : events)
        encoder->encode(event, out);
    encoder->end(out);
    return out;
}

std::string sse(std::string_view name, std::string_view data)
{
    return "event: " + std::string(name) + "\ndata: " + std::string(data) + "\n\n";
}

ir::StreamEvent startEvent(std::string id, std::string model, qint64 input = 0)
{
    ir::StreamEvent e;
    e.kind = EventKind::Start;
    e.id = std::move(id);
    e.model = std::move(model);
    e.usage.input = input;
    return e;
}

ir::StreamEvent partStart(int index, Kind kind, std::string id = {}, std::string name = {}, std::string signature = {})
{
    ir::StreamEvent e;
    e.kind = EventKind::PartStart;
    e.index = index;
    e.partKind = kind;
    e.id = std::move(id);
    e.name = std::move(name);
    e.signature = std::move(signature);
    return e;
}

ir::StreamEvent partDelta(int index, std::string text, std::string signature = {})
{
    ir::StreamEvent e;
    e.kind = EventKind::PartDelta;
    e.index = index;
    e.text = std::move(text);
    e.signature = std::move(signature);
    return e;
}

ir::StreamEvent partStop(int index)
{
    ir::StreamEvent e;
    e.kind = EventKind::PartStop;
    e.index = index;
    return e;
}

ir::StreamEvent finishEvent(ir::StopReason stop, qint64 input, qint64 output, qint64 cacheRead = 0, qint64 cacheWrite = 0)
{
    ir::StreamEvent e;
    e.kind = EventKind::Finish;
    e.stop = stop;
    e.usage = {input, output, cacheRead, cacheWrite, 0, true};
    return e;
}

constexpr const char *kUsage10 = R"("usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1})";

std::string messageStart(std::string_view id, std::string_view model, std::string_view usage = kUsage10)
{
    return sse("message_start", R"({"type":"message_start","message":{"id":")" + std::string(id) + R"(","type":"message","role":"assistant","model":")"
                                    + std::string(model) + R"(","content":[],"stop_reason":null,"stop_sequence":null,)" + std::string(usage) + "}}")
        + sse("ping", R"({"type":"ping"})");
}

std::string blockStart(int index, std::string_view block)
{
    return sse("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(index) + R"(,"content_block":)" + std::string(block) + "}");
}

std::string blockDelta(int index, std::string_view type, std::string_view field, std::string_view value)
{
    return sse("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(index) + R"(,"delta":{"type":")"
                                          + std::string(type) + R"(",")" + std::string(field) + R"(":")" + std::string(value) + R"("}})");
}

std::string blockStop(int index)
{
    return sse("content_block_stop", R"({"type":"content_block_stop","index":)" + std::to_string(index) + "}");
}

std::string messageEnd(std::string_view stop, std::string_view usage)
{
    return sse("message_delta", R"({"type":"message_delta","delta":{"stop_reason":")" + std::string(stop) + R"(","stop_sequence":null},"usage":)" + std::string(usage) + "}")
        + sse("message_stop", R"({"type":"message_stop"})");
}

} // namespace

#include "AnthropicCodecTestRequest.inc"
#include "AnthropicCodecTestResponse.inc"
#include "AnthropicCodecTestStream.inc"
#include "AnthropicCodecTestHostile.inc"
