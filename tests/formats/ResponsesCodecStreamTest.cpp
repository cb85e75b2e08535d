// SPDX-License-Identifier: GPL-3.0-or-later
// The Responses codec's stream half: the events a Responses client (Codex CLI, the openai SDKs'
// responses.stream) must read for each kind of part, overlapping tool calls, custom tool calls,
// encrypted reasoning, incomplete and failed answers; and the decoder on an upstream's stream
// split at every byte, its errors and custom calls, and a round trip through both.
#include "gateway/formats/Codec.h"
#include "gateway/formats/SseEvents.h"
#include "gateway/formats/StreamTranslator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using Event = ir::StreamEvent;
using Kind = ir::Part::Kind;

namespace {

struct WireEvent
{
    std::string name;
    QJsonObject data;
    std::string type() const { return data.value(QLatin1String("type")).toString().toStdString(); }
};

std::vector<WireEvent> wireEvents(const std::string &bytes)
{
    std::vector<WireEvent> out;
    SseEvents events;
    events.feed(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
    while (events.next()) {
        const QByteArray data(events.data().data(), qsizetype(events.data().size()));
        out.push_back({std::string(events.name()), QJsonDocument::fromJson(data).object()});
    }
    return out;
}

std::vector<std::string> typesOf(const std::vector<WireEvent> &events)
{
    std::vector<std::string> out;
    for (const WireEvent &event : events)
        out.push_back(event.type());
    return out;
}

Event start(std::string id = {}, std::string model = "gpt-test")
{
    Event event;
    event.kind = Event::Kind::Start;
    event.id = std::move(id);
    event.model = std::move(model);
    return event;
}

Event partStart(int index, Kind kind, std::string id = {}, std::string name = {})
{
    Event event;
    event.kind = Event::Kind::PartStart;
    event.index = index;
    event.partKind = kind;
    event.id = std::move(id);
    event.name = std::move(name);
    return event;
}

Event delta(int index, std::string text, std::string signature = {}, bool encrypted = false)
{
    Event event;
    event.kind = Event::Kind::PartDelta;
    event.index = index;
    event.text = std::move(text);
    event.signature = std::move(signature);
    event.openAiEncrypted = encrypted;
    return event;
}

Event partStop(int index)
{
    Event event;
    event.kind = Event::Kind::PartStop;
    event.index = index;
    return event;
}

Event finish(ir::StopReason stop, qint64 input = 0, qint64 output = 0)
{
    Event event;
    event.kind = Event::Kind::Finish;
    event.stop = stop;
    event.usage.input = input;
    event.usage.output = output;
    event.usage.reported = input || output;
    return event;
}

Event failure(ir::ErrorKind kind, std::string message, std::string code = {})
{
    Event event;
    event.kind = Event::Kind::Error;
    event.error.kind = kind;
    event.error.status = ir::statusForErrorKind(kind);
    event.error.message = std::move(message);
    event.error.code = std::move(code);
    return event;
}

// The encoder's whole output for `events`, end() included; checks every event's name is its
// data's type and sequence numbers count up from 0.
std::string encode(const std::vector<Event> &events, const ir::Request *request = nullptr)
{
    const std::unique_ptr<StreamEncoder> encoder
        = codecFor(ApiFormat::Responses).newStreamEncoder(StreamEncoderOptions{true, request});
    std::string out;
    for (const Event &event : events)
        encoder->encode(event, out);
    encoder->end(out);
    qint64 sequence = 0;
    for (const WireEvent &event : wireEvents(out)) {
        EXPECT_EQ(event.name, event.type());
        EXPECT_EQ(event.data.value(QLatin1String("sequence_number")).toInteger(-1), sequence++) << event.name;
    }
    return out;
}

QJsonObject obj(const QJsonValue &value)
{
    return value.toObject();
}

std::string str(const QJsonValue &value)
{
    return value.toString().toStdString();
}

TEST(ResponsesStreamEncoder, TextAnswer)
{
    const std::vector<WireEvent> events = wireEvents(encode({start("chatcmpl-1"), partStart(0, Kind::Text), delta(0, "Hel"),
                                                             delta(0, "lo"), partStop(0), finish(ir::StopReason::EndTurn, 12, 3)}));
    const std::vector<std::string> expected = {"response.created", "response.in_progress", "response.output_item.added",
                                               "response.content_part.added", "response.output_text.delta",
                                               "response.output_text.delta", "response.output_text.done",
                                               "response.content_part.done", "response.output_item.done", "response.completed"};
    ASSERT_EQ(typesOf(events), expected);
    const QJsonObject created = obj(events[0].data.value(QLatin1String("response")));
    EXPECT_TRUE(str(created.value(QLatin1String("id"))).starts_with("resp_")); // not the upstream's chatcmpl id
    EXPECT_EQ(str(created.value(QLatin1String("status"))), "in_progress");
    EXPECT_EQ(str(created.value(QLatin1String("model"))), "gpt-test");
    EXPECT_TRUE(created.value(QLatin1String("usage")).isNull());
    EXPECT_TRUE(created.value(QLatin1String("output")).toArray().isEmpty());
    const QJsonObject item = obj(events[2].data.value(QLatin1String("item")));
    const std::string itemId = str(item.value(QLatin1String("id")));
    EXPECT_TRUE(itemId.starts_with("msg_"));
    EXPECT_EQ(str(item.value(QLatin1String("type"))), "message");
    EXPECT_EQ(str(item.value(QLatin1String("status"))), "in_progress");
    EXPECT_EQ(str(events[4].data.value(QLatin1String("item_id"))), itemId);
    EXPECT_EQ(str(events[4].data.value(QLatin1String("delta"))), "Hel");
    EXPECT_EQ(str(events[6].data.value(QLatin1String("text"))), "Hello");
    EXPECT_EQ(str(obj(events[7].data.value(QLatin1String("part"))).value(QLatin1String("text"))), "Hello");
    const QJsonObject doneItem = obj(events[8].data.value(QLatin1String("item")));
    EXPECT_EQ(str(doneItem.value(QLatin1String("status"))), "completed");
    const QJsonObject completed = obj(events[9].data.value(QLatin1String("response")));
    EXPECT_EQ(str(completed.value(QLatin1String("status"))), "completed");
    EXPECT_EQ(completed.value(QLatin1String("id")), created.value(QLatin1String("id")));
    EXPECT_EQ(completed.value(QLatin1String("output")).toArray(), QJsonArray{doneItem});
    const QJsonObject usage = obj(completed.value(QLatin1String("usage")));
    EXPECT_EQ(usage.value(QLatin1String("input_tokens")).toInteger(), 12);
    EXPECT_EQ(usage.value(QLatin1String("output_tokens")).toInteger(), 3);
    EXPECT_EQ(usage.value(QLatin1String("total_tokens")).toInteger(), 15);
    EXPECT_EQ(obj(usage.value(QLatin1String("input_tokens_details"))).value(QLatin1String("cached_tokens")).toInteger(-1), 0);
    EXPECT_EQ(obj(usage.value(QLatin1String("output_tokens_details"))).value(QLatin1String("reasoning_tokens")).toInteger(-1), 0);
}

TEST(ResponsesStreamEncoder, KeepsAResponsesUpstreamsIdAndEchoesTheRequest)
{
    ir::Request request;
    request.system.push_back({});
    request.system.back().text = "Be brief.";
    request.instructions = "Be brief.";
    request.maxTokens = 100;
    request.store = false;
    const std::vector<WireEvent> events = wireEvents(encode({start("resp_abc"), finish(ir::StopReason::EndTurn)}, &request));
    ASSERT_EQ(events.size(), 3u);
    const QJsonObject response = obj(events[0].data.value(QLatin1String("response")));
    EXPECT_EQ(str(response.value(QLatin1String("id"))), "resp_abc");
    EXPECT_EQ(str(response.value(QLatin1String("instructions"))), "Be brief.");
    EXPECT_EQ(response.value(QLatin1String("max_output_tokens")).toInteger(), 100);
    EXPECT_FALSE(response.value(QLatin1String("store")).toBool(true));
    EXPECT_EQ(str(response.value(QLatin1String("tool_choice"))), "auto");
    EXPECT_TRUE(response.value(QLatin1String("metadata")).isObject());
    // Without the request at hand, no echo.
    const std::vector<WireEvent> bare = wireEvents(encode({start(), finish(ir::StopReason::EndTurn)}));
    EXPECT_FALSE(obj(bare[0].data.value(QLatin1String("response"))).contains(QLatin1String("instructions")));
}

TEST(ResponsesStreamEncoder, InterleavedParallelToolCallsKeepTheirItems)
{
    const std::vector<WireEvent> events = wireEvents(encode({
        start(), partStart(0, Kind::ToolCall, "call_a", "get_weather"), partStart(1, Kind::ToolCall, "call_b", "get_time"),
        delta(0, R"({"city":)"), delta(1, R"({"tz":"UTC"})"), delta(0, R"("Paris"})"), partStop(1), partStop(0),
        finish(ir::StopReason::ToolUse, 20, 9)}));
    const std::vector<std::string> expected = {
        "response.created", "response.in_progress", "response.output_item.added", "response.output_item.added",
        "response.function_call_arguments.delta", "response.function_call_arguments.delta",
        "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
        "response.function_call_arguments.done", "response.output_item.done", "response.completed"};
    ASSERT_EQ(typesOf(events), expected);
    const QJsonObject first = obj(events[2].data.value(QLatin1String("item")));
    const QJsonObject second = obj(events[3].data.value(QLatin1String("item")));
    EXPECT_EQ(events[2].data.value(QLatin1String("output_index")).toInt(-1), 0);
    EXPECT_EQ(events[3].data.value(QLatin1String("output_index")).toInt(-1), 1);
    EXPECT_EQ(str(first.value(QLatin1String("type"))), "function_call");
    EXPECT_EQ(str(first.value(QLatin1String("call_id"))), "call_a");
    EXPECT_EQ(str(first.value(QLatin1String("name"))), "get_weather");
    EXPECT_EQ(str(first.value(QLatin1String("arguments"))), "");
    EXPECT_TRUE(str(first.value(QLatin1String("id"))).starts_with("fc_"));
    EXPECT_NE(first.value(QLatin1String("id")), second.value(QLatin1String("id")));
    EXPECT_EQ(events[5].data.value(QLatin1String("item_id")), second.value(QLatin1String("id")));
    EXPECT_EQ(events[5].data.value(QLatin1String("output_index")).toInt(-1), 1);
    EXPECT_EQ(events[6].data.value(QLatin1String("item_id")), first.value(QLatin1String("id")));
    EXPECT_EQ(str(events[7].data.value(QLatin1String("arguments"))), R"({"tz":"UTC"})");
    EXPECT_EQ(events[7].data.value(QLatin1String("output_index")).toInt(-1), 1);
    EXPECT_EQ(str(events[9].data.value(QLatin1String("arguments"))), R"({"city":"Paris"})");
    const QJsonArray output = obj(events[11].data.value(QLatin1String("response"))).value(QLatin1String("output")).toArray();
    ASSERT_EQ(output.size(), 2);
    EXPECT_EQ(output[0].toObject(), obj(events[10].data.value(QLatin1String("item"))));
    EXPECT_EQ(output[1].toObject(), obj(events[8].data.value(QLatin1String("item"))));
    EXPECT_EQ(str(output[0].toObject().value(QLatin1String("status"))), "completed");
}

TEST(ResponsesStreamEncoder, CustomToolCallUnwrapsItsInput)
{
    ir::Request request;
    ir::Tool tool;
    tool.name = "apply_patch";
    tool.custom = true;
    request.tools.push_back(tool);
    // The call's arguments are the IR's {"input": …} for it, in pieces.
    const std::string patch = "*** Begin Patch\n*** Add File: a.txt\n+hi \"there\"\n*** End Patch";
    const std::vector<WireEvent> events = wireEvents(encode({
        start(), partStart(0, Kind::ToolCall, "call_p", "apply_patch"), delta(0, R"({"input":"*** Begin Patch\n)"),
        delta(0, R"(*** Add File: a.txt\n+hi \"there\"\n*** End Patch"})"), partStop(0), finish(ir::StopReason::ToolUse)}, &request));
    const std::vector<std::string> expected = {
        "response.created", "response.in_progress", "response.output_item.added", "response.custom_tool_call_input.delta",
        "response.custom_tool_call_input.done", "response.output_item.done", "response.completed"};
    ASSERT_EQ(typesOf(events), expected);
    const QJsonObject added = obj(events[2].data.value(QLatin1String("item")));
    EXPECT_EQ(str(added.value(QLatin1String("type"))), "custom_tool_call");
    EXPECT_TRUE(str(added.value(QLatin1String("id"))).starts_with("ctc_"));
    EXPECT_EQ(str(added.value(QLatin1String("call_id"))), "call_p");
    EXPECT_EQ(str(events[3].data.value(QLatin1String("delta"))), patch);
    EXPECT_EQ(str(events[4].data.value(QLatin1String("input"))), patch);
    const QJsonObject done = obj(events[5].data.value(QLatin1String("item")));
    EXPECT_EQ(str(done.value(QLatin1String("input"))), patch);
    EXPECT_EQ(str(done.value(QLatin1String("name"))), "apply_patch");

    // StreamEvent::custom says so without the request; arguments not in the wrapping go as they are.
    Event custom = partStart(0, Kind::ToolCall, "call_q", "freeform");
    custom.custom = true;
    const std::vector<WireEvent> bare = wireEvents(encode({start(), custom, delta(0, "raw text"), partStop(0), finish(ir::StopReason::ToolUse)}));
    ASSERT_EQ(bare.size(), 7u);
    EXPECT_EQ(str(obj(bare[5].data.value(QLatin1String("item"))).value(QLatin1String("input"))), "raw text");
}

TEST(ResponsesStreamEncoder, ReasoningWithEncryptedContent)
{
    Event thinking = partStart(0, Kind::Thinking);
    const std::vector<WireEvent> events = wireEvents(encode({
        start(), thinking, delta(0, "Thinking "), delta(0, "hard."), delta(0, {}, "gAAAAB-secret", true), partStop(0),
        partStart(1, Kind::Text), delta(1, "4"), partStop(1), finish(ir::StopReason::EndTurn)}));
    const std::vector<std::string> expected = {
        "response.created", "response.in_progress", "response.output_item.added", "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"};
    ASSERT_EQ(typesOf(events), expected);
    const QJsonObject added = obj(events[2].data.value(QLatin1String("item")));
    EXPECT_EQ(str(added.value(QLatin1String("type"))), "reasoning");
    EXPECT_TRUE(str(added.value(QLatin1String("id"))).starts_with("rs_"));
    EXPECT_TRUE(added.value(QLatin1String("summary")).toArray().isEmpty());
    EXPECT_EQ(events[4].data.value(QLatin1String("summary_index")).toInt(-1), 0);
    EXPECT_EQ(str(events[6].data.value(QLatin1String("text"))), "Thinking hard.");
    const QJsonObject done = obj(events[8].data.value(QLatin1String("item")));
    EXPECT_EQ(str(done.value(QLatin1String("encrypted_content"))), "gAAAAB-secret");
    const QJsonArray summary = done.value(QLatin1String("summary")).toArray();
    ASSERT_EQ(summary.size(), 1);
    EXPECT_EQ(str(summary[0].toObject().value(QLatin1String("type"))), "summary_text");
    EXPECT_EQ(str(summary[0].toObject().value(QLatin1String("text"))), "Thinking hard.");
    EXPECT_EQ(events[9].data.value(QLatin1String("output_index")).toInt(-1), 1);

    // An Anthropic signature is not encrypted_content; redacted thinking writes nothing.
    const std::vector<WireEvent> anthropic = wireEvents(encode({
        start(), partStart(0, Kind::Thinking), delta(0, "hm", "anthropic-sig"), partStop(0), partStart(1, Kind::RedactedThinking),
        partStop(1), finish(ir::StopReason::EndTurn)}));
    ASSERT_EQ(anthropic.size(), 9u);
    EXPECT_FALSE(obj(anthropic[7].data.value(QLatin1String("item"))).contains(QLatin1String("encrypted_content")));
    EXPECT_EQ(obj(anthropic[8].data.value(QLatin1String("response"))).value(QLatin1String("output")).toArray().size(), 1);

    // Reasoning that is only encrypted has an empty summary and no summary part events.
    const std::vector<WireEvent> hidden = wireEvents(encode({
        start(), partStart(0, Kind::Thinking), delta(0, {}, "gAAAA", true), partStop(0), finish(ir::StopReason::EndTurn)}));
    ASSERT_EQ(typesOf(hidden), (std::vector<std::string>{"response.created", "response.in_progress", "response.output_item.added",
                                                          "response.output_item.done", "response.completed"}));
    EXPECT_TRUE(obj(hidden[3].data.value(QLatin1String("item"))).value(QLatin1String("summary")).toArray().isEmpty());
}

TEST(ResponsesStreamEncoder, MaxTokensIsIncompleteAndOpenPartsAreClosedFirst)
{
    const std::vector<WireEvent> events = wireEvents(encode({start(), partStart(0, Kind::Text), delta(0, "cut"),
                                                             finish(ir::StopReason::MaxTokens, 5, 16)}));
    const std::vector<std::string> expected = {"response.created", "response.in_progress", "response.output_item.added",
                                               "response.content_part.added", "response.output_text.delta",
                                               "response.output_text.done", "response.content_part.done",
                                               "response.output_item.done", "response.incomplete"};
    ASSERT_EQ(typesOf(events), expected);
    const QJsonObject response = obj(events.back().data.value(QLatin1String("response")));
    EXPECT_EQ(str(response.value(QLatin1String("status"))), "incomplete");
    EXPECT_EQ(str(obj(response.value(QLatin1String("incomplete_details"))).value(QLatin1String("reason"))), "max_output_tokens");
    EXPECT_EQ(response.value(QLatin1String("output")).toArray().size(), 1);

    const std::vector<WireEvent> filtered = wireEvents(encode({start(), finish(ir::StopReason::ContentFilter)}));
    const QJsonObject details = obj(obj(filtered.back().data.value(QLatin1String("response"))).value(QLatin1String("incomplete_details")));
    EXPECT_EQ(str(details.value(QLatin1String("reason"))), "content_filter");
}

TEST(ResponsesStreamEncoder, ErrorMidStreamIsResponseFailedWithCodexsCodes)
{
    struct Case
    {
        Event error;
        const char *code;
    };
    const Case cases[] = {
        {failure(ir::ErrorKind::RateLimit, "Rate limit reached. Please try again in 20s."), "rate_limit_exceeded"},
        {failure(ir::ErrorKind::RateLimit, "You exceeded your current quota"), "insufficient_quota"},
        {failure(ir::ErrorKind::RateLimit, "quota", "insufficient_quota"), "insufficient_quota"},
        {failure(ir::ErrorKind::InvalidRequest, "This model's maximum context length is 8192 tokens"), "context_length_exceeded"},
        {failure(ir::ErrorKind::InvalidRequest, "too long", "context_length_exceeded"), "context_length_exceeded"},
        {failure(ir::ErrorKind::Server, "boom"), "server_error"},
        {failure(ir::ErrorKind::Overloaded, "busy"), "server_error"},
        {failure(ir::ErrorKind::Server, "cut", "upstream_error"), "upstream_error"},
    };
    for (const Case &c : cases) {
        const std::vector<WireEvent> events = wireEvents(encode({start(), partStart(0, Kind::Text), delta(0, "par"), c.error,
                                                                 delta(0, "after"), finish(ir::StopReason::EndTurn)}));
        ASSERT_EQ(events.size(), 6u);
        EXPECT_EQ(events.back().type(), "response.failed");
        const QJsonObject response = obj(events.back().data.value(QLatin1String("response")));
        EXPECT_EQ(str(response.value(QLatin1String("status"))), "failed");
        const QJsonObject error = obj(response.value(QLatin1String("error")));
        EXPECT_EQ(str(error.value(QLatin1String("code"))), c.code) << c.error.error.message;
        EXPECT_EQ(str(error.value(QLatin1String("message"))), c.error.error.message);
    }
    // An error with nothing before it (a fresh encoder ending a stream already under way) is the
    // failed event alone.
    const std::vector<WireEvent> alone = wireEvents(encode({failure(ir::ErrorKind::Server, "gone", "upstream_error")}));
    ASSERT_EQ(typesOf(alone), std::vector<std::string>{"response.failed"});
}

TEST(ResponsesStreamEncoder, KeepAliveIsACommentAndACutStreamEndsWithNothing)
{
    Event keepAlive;
    keepAlive.kind = Event::Kind::KeepAlive;
    const std::string out = encode({start(), keepAlive, partStart(0, Kind::Text), delta(0, "x")});
    EXPECT_NE(out.find("\n\n: keep-alive\n\n"), std::string::npos);
    // No Finish: neither a completed event nor a terminator (the caller reports the cut).
    EXPECT_EQ(wireEvents(out).back().type(), "response.output_text.delta");
}

// A Responses stream as the API reference shows one (reasoning with a summary and
// encrypted_content, a function call with streamed arguments, text), with an unknown event and a
// malformed one among them.
const char kUpstream[] = R"(event: response.created
data: {"type":"response.created","response":{"id":"resp_68af","object":"response","created_at":1756315696,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5-2025-08-07","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":"auto"},"store":false,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}},"sequence_number":0}

event: response.in_progress
data: {"type":"response.in_progress","response":{"id":"resp_68af","object":"response","created_at":1756315696,"status":"in_progress","model":"gpt-5-2025-08-07","output":[],"usage":null},"sequence_number":1}

event: response.output_item.added
data: {"type":"response.output_item.added","item":{"id":"rs_68af1","type":"reasoning","summary":[]},"output_index":0,"sequence_number":2}

event: response.reasoning_summary_part.added
data: {"type":"response.reasoning_summary_part.added","item_id":"rs_68af1","output_index":0,"part":{"type":"summary_text","text":""},"sequence_number":3,"summary_index":0}

event: response.reasoning_summary_text.delta
data: {"type":"response.reasoning_summary_text.delta","delta":"**Checking** the weather","item_id":"rs_68af1","obfuscation":"x","output_index":0,"sequence_number":4,"summary_index":0}

event: response.reasoning_summary_text.done
data: {"type":"response.reasoning_summary_text.done","item_id":"rs_68af1","output_index":0,"sequence_number":5,"summary_index":0,"text":"**Checking** the weather"}

event: response.reasoning_summary_part.done
data: {"type":"response.reasoning_summary_part.done","item_id":"rs_68af1","output_index":0,"part":{"type":"summary_text","text":"**Checking** the weather"},"sequence_number":6,"summary_index":0}

event: response.output_item.done
data: {"type":"response.output_item.done","item":{"id":"rs_68af1","type":"reasoning","encrypted_content":"gAAAAABor-enc","summary":[{"type":"summary_text","text":"**Checking** the weather"}]},"output_index":0,"sequence_number":7}

event: response.output_item.added
data: {"type":"response.output_item.added","item":{"id":"fc_68af2","type":"function_call","status":"in_progress","arguments":"","call_id":"call_Zx1","name":"get_weather"},"output_index":1,"sequence_number":8}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","delta":"{\"location\":","item_id":"fc_68af2","obfuscation":"y","output_index":1,"sequence_number":9}

event: response.some_future_event
data: {"type":"response.some_future_event","sequence_number":10}

event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","delta":"\"Paris, France\"}","item_id":"fc_68af2","output_index":1,"sequence_number":11}

data: {not json

event: response.function_call_arguments.done
data: {"type":"response.function_call_arguments.done","arguments":"{\"location\":\"Paris, France\"}","item_id":"fc_68af2","output_index":1,"sequence_number":12}

event: response.output_item.done
data: {"type":"response.output_item.done","item":{"id":"fc_68af2","type":"function_call","status":"completed","arguments":"{\"location\":\"Paris, France\"}","call_id":"call_Zx1","name":"get_weather"},"output_index":1,"sequence_number":13}

event: response.output_item.added
data: {"type":"response.output_item.added","item":{"id":"msg_68af3","type":"message","status":"in_progress","content":[],"role":"assistant"},"output_index":2,"sequence_number":14}

event: response.content_part.added
data: {"type":"response.content_part.added","content_index":0,"item_id":"msg_68af3","output_index":2,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""},"sequence_number":15}

event: response.output_text.delta
data: {"type":"response.output_text.delta","content_index":0,"delta":"Checking ","item_id":"msg_68af3","logprobs":[],"output_index":2,"sequence_number":16}

event: response.output_text.delta
data: {"type":"response.output_text.delta","content_index":0,"delta":"now.","item_id":"msg_68af3","logprobs":[],"output_index":2,"sequence_number":17}

event: response.output_text.done
data: {"type":"response.output_text.done","content_index":0,"item_id":"msg_68af3","logprobs":[],"output_index":2,"sequence_number":18,"text":"Checking now."}

event: response.content_part.done
data: {"type":"response.content_part.done","content_index":0,"item_id":"msg_68af3","output_index":2,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"Checking now."},"sequence_number":19}

event: response.output_item.done
data: {"type":"response.output_item.done","item":{"id":"msg_68af3","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Checking now."}],"role":"assistant"},"output_index":2,"sequence_number":20}

event: response.completed
data: {"type":"response.completed","response":{"id":"resp_68af","object":"response","created_at":1756315696,"status":"completed","error":null,"incomplete_details":null,"model":"gpt-5-2025-08-07","output":[],"usage":{"input_tokens":75,"input_tokens_details":{"cached_tokens":64},"output_tokens":150,"output_tokens_details":{"reasoning_tokens":128},"total_tokens":225}},"sequence_number":21}

)";

std::vector<Event> decodeAll(std::string_view bytes)
{
    const std::unique_ptr<StreamDecoder> decoder = codecFor(ApiFormat::Responses).newStreamDecoder();
    std::vector<Event> out;
    SseEvents events;
    events.feed(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
    while (events.next())
        decoder->decode(events.name(), events.data(), out);
    if (events.finish())
        decoder->decode(events.name(), events.data(), out);
    decoder->end(out);
    return out;
}

std::string describe(const std::vector<Event> &events)
{
    std::string out;
    for (const Event &event : events) {
        switch (event.kind) {
        case Event::Kind::Start: out += "Start(" + event.id + "," + event.model + ")"; break;
        case Event::Kind::PartStart:
            out += "PartStart(" + std::to_string(event.index) + "," + std::to_string(int(event.partKind)) + "," + event.id + ","
                   + event.name + (event.custom ? ",custom" : "") + ")";
            break;
        case Event::Kind::PartDelta:
            out += "Delta(" + std::to_string(event.index) + "," + event.text + "," + event.signature
                   + (event.openAiEncrypted ? ",enc" : "") + ")";
            break;
        case Event::Kind::PartStop: out += "Stop(" + std::to_string(event.index) + ")"; break;
        case Event::Kind::Finish:
            out += "Finish(" + std::to_string(int(event.stop)) + "," + std::to_string(event.usage.input) + ","
                   + std::to_string(event.usage.output) + "," + std::to_string(event.usage.cacheRead) + ","
                   + std::to_string(event.usage.reasoning) + ")";
            break;
        case Event::Kind::Error:
            out += "Error(" + std::to_string(int(event.error.kind)) + "," + std::to_string(event.error.status) + ","
                   + event.error.code + "," + event.error.message + ")";
            break;
        case Event::Kind::KeepAlive: out += "KeepAlive"; break;
        }
        out += "\n";
    }
    return out;
}

TEST(ResponsesStreamDecoder, ReadsTheReferenceStream)
{
    const std::string expected = "Start(resp_68af,gpt-5-2025-08-07)\n"
                                 "PartStart(0,2,rs_68af1,)\n"
                                 "Delta(0,**Checking** the weather,)\n"
                                 "Delta(0,,gAAAAABor-enc,enc)\n"
                                 "Stop(0)\n"
                                 "PartStart(1,4,call_Zx1,get_weather)\n"
                                 "Delta(1,{\"location\":,)\n"
                                 "Delta(1,\"Paris, France\"},)\n"
                                 "Stop(1)\n"
                                 "PartStart(2,0,,)\n"
                                 "Delta(2,Checking ,)\n"
                                 "Delta(2,now.,)\n"
                                 "Stop(2)\n"
                                 "Finish(4,75,150,64,128)\n";
    EXPECT_EQ(describe(decodeAll(kUpstream)), expected);
}

// Through StreamTranslator to another format, fed split at every byte: the client's stream is
// the same as from one whole chunk.
TEST(ResponsesStreamDecoder, SplitAtEveryByteThroughTheTranslator)
{
    const QByteArray bytes(kUpstream);
    for (const ApiFormat to : {ApiFormat::Anthropic, ApiFormat::OpenAI, ApiFormat::Responses}) {
        const auto translate = [&](qsizetype cut) {
            ir::setIdSeedForTests(7);
            StreamTranslator::Options options;
            options.from = ApiFormat::Responses;
            options.to = to;
            StreamTranslator translator(options);
            QByteArray out = translator.feed(bytes.first(cut));
            out += translator.feed(bytes.sliced(cut));
            out += translator.finish();
            EXPECT_TRUE(translator.sawFinish());
            EXPECT_TRUE(translator.sawToolCalls());
            EXPECT_EQ(translator.usage().prompt, 75);
            EXPECT_EQ(translator.usage().cached, 64);
            EXPECT_EQ(translator.usage().completion, 150);
            ir::setIdSeedForTests(0);
            return out;
        };
        const QByteArray whole = translate(bytes.size());
        // created_at / created are the clock's: compare with them cut out.
        const auto withoutClock = [](QByteArray text) {
            static const QRegularExpression clock(QStringLiteral("\"created(_at)?\":\\d+"));
            return QString::fromUtf8(text).replace(clock, QString());
        };
        ASSERT_FALSE(whole.isEmpty());
        for (qsizetype cut = 1; cut < bytes.size(); ++cut)
            ASSERT_EQ(withoutClock(translate(cut)), withoutClock(whole)) << "cut at " << cut << " to " << apiFormatName(to);
    }
}

// Every golden's upstream stream, whatever its format, for a Responses client: the same events
// however the bytes were split, each named as its type, numbered 0, 1, 2…, every delta naming an
// item that was added and not yet done, and the last event the end of the response.
TEST(ResponsesStreamEncoder, EveryGoldenStreamAtEverySplit)
{
    const QDir dir(QStringLiteral(TARN_FIXTURES_DIR "/formats/pairs"));
    int streams = 0;
    for (const QString &file : dir.entryList({QStringLiteral("stream_*.json")}, QDir::Files, QDir::Name)) {
        QFile in(dir.filePath(file));
        ASSERT_TRUE(in.open(QIODevice::ReadOnly));
        const QJsonObject testCase = QJsonDocument::fromJson(in.readAll()).object();
        const QString from = testCase.value(QLatin1String("from")).toString();
        StreamTranslator::Options options;
        options.from = from == QLatin1String("anthropic") ? ApiFormat::Anthropic
                     : from == QLatin1String("gemini")    ? ApiFormat::Gemini
                     : from == QLatin1String("responses") ? ApiFormat::Responses
                                                          : ApiFormat::OpenAI;
        options.to = ApiFormat::Responses;
        QByteArray bytes;
        for (const QJsonValue &value : testCase.value(QLatin1String("input")).toArray()) {
            const QJsonObject event = value.toObject();
            if (event.contains(QLatin1String("event")))
                bytes += "event: " + event.value(QLatin1String("event")).toString().toUtf8() + '\n';
            const QJsonValue data = event.value(QLatin1String("data"));
            bytes += "data: " + (data.isString() ? data.toString().toUtf8() : QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact))
                   + "\n\n";
        }
        const auto translate = [&](QList<qsizetype> cuts) {
            ir::setIdSeedForTests(3);
            StreamTranslator translator(options);
            QByteArray out;
            qsizetype at = 0;
            cuts.append(bytes.size());
            for (const qsizetype end : cuts) {
                out += translator.feed(bytes.sliced(at, end - at));
                at = end;
            }
            out += translator.finish();
            ir::setIdSeedForTests(0);
            static const QRegularExpression clock(QStringLiteral("\"created_at\":\\d+"));
            return QString::fromUtf8(out).replace(clock, QStringLiteral("\"created_at\":0")).toStdString();
        };
        const std::string whole = translate({});
        const std::string what = file.toStdString();
        for (qsizetype cut = 1; cut < bytes.size(); ++cut)
            ASSERT_EQ(translate({cut}), whole) << what << " cut at " << cut;
        QList<qsizetype> everyByte;
        for (qsizetype cut = 1; cut < bytes.size(); ++cut)
            everyByte.append(cut);
        ASSERT_EQ(translate(everyByte), whole) << what;

        const std::vector<WireEvent> events = wireEvents(whole);
        ASSERT_GE(events.size(), 1u) << what;
        std::set<std::string> open;
        qint64 sequence = 0;
        for (const WireEvent &event : events) {
            EXPECT_EQ(event.name, event.type()) << what;
            EXPECT_EQ(event.data.value(QLatin1String("sequence_number")).toInteger(-1), sequence++) << what;
            const std::string type = event.type();
            const std::string itemId = str(event.data.value(QLatin1String("item_id")));
            if (type == "response.output_item.added") {
                open.insert(str(obj(event.data.value(QLatin1String("item"))).value(QLatin1String("id"))));
            } else if (type == "response.output_item.done") {
                EXPECT_EQ(open.erase(str(obj(event.data.value(QLatin1String("item"))).value(QLatin1String("id")))), 1u) << what;
            } else if (!itemId.empty()) {
                EXPECT_TRUE(open.count(itemId)) << what << " " << type;
            }
        }
        const std::string last = events.back().type();
        EXPECT_TRUE(last == "response.completed" || last == "response.incomplete" || last == "response.failed") << what << " " << last;
        if (last != "response.failed") {
            EXPECT_TRUE(open.empty()) << what;
        }
        ++streams;
    }
    EXPECT_GE(streams, 20);
}

TEST(ResponsesStreamDecoder, ErrorsCarryTheirKindAndCode)
{
    struct Case
    {
        const char *data;
        ir::ErrorKind kind;
        int status;
        const char *code;
    };
    const Case cases[] = {
        {R"({"type":"response.failed","response":{"id":"resp_1","status":"failed","error":{"code":"rate_limit_exceeded","message":"Try again in 2s"}}})",
         ir::ErrorKind::RateLimit, 429, "rate_limit_exceeded"},
        {R"({"type":"response.failed","response":{"status":"failed","error":{"code":"insufficient_quota","message":"quota"}}})",
         ir::ErrorKind::RateLimit, 429, "insufficient_quota"},
        {R"({"type":"response.failed","response":{"status":"failed","error":{"code":"context_length_exceeded","message":"too long"}}})",
         ir::ErrorKind::InvalidRequest, 400, "context_length_exceeded"},
        {R"({"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"oops"}}})",
         ir::ErrorKind::Server, 500, "server_error"},
        {R"({"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":3})",
         ir::ErrorKind::RateLimit, 429, "rate_limit_exceeded"},
        {R"({"type":"error","error":{"type":"invalid_request_error","code":"invalid_prompt","message":"bad"}})",
         ir::ErrorKind::InvalidRequest, 400, "invalid_prompt"},
    };
    for (const Case &c : cases) {
        const std::string bytes = std::string("data: ") + R"({"type":"response.created","response":{"id":"resp_1","model":"m"}})"
                                  + "\n\ndata: " + c.data + "\n\ndata: " + R"({"type":"response.completed","response":{}})" + "\n\n";
        const std::vector<Event> events = decodeAll(bytes);
        ASSERT_EQ(events.size(), 2u) << c.data; // Start, Error; nothing after it
        EXPECT_EQ(events[1].kind, Event::Kind::Error);
        EXPECT_EQ(events[1].error.kind, c.kind) << c.data;
        EXPECT_EQ(events[1].error.status, c.status) << c.data;
        EXPECT_EQ(events[1].error.code, c.code) << c.data;
        EXPECT_FALSE(events[1].error.message.empty());
    }
}

TEST(ResponsesStreamDecoder, CustomToolCallInputBecomesWrappedArguments)
{
    const std::string streamed = R"(data: {"type":"response.output_item.added","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","call_id":"call_p","name":"apply_patch","input":""}}

data: {"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":"*** Begin \"Patch\"\n"}

data: {"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":"*** End Patch"}

data: {"type":"response.custom_tool_call_input.done","output_index":0,"item_id":"ctc_1","input":"*** Begin \"Patch\"\n*** End Patch"}

data: {"type":"response.output_item.done","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","call_id":"call_p","name":"apply_patch","input":"*** Begin \"Patch\"\n*** End Patch"}}

data: {"type":"response.completed","response":{"status":"completed"}}

)";
    const std::vector<Event> events = decodeAll(streamed);
    ASSERT_GE(events.size(), 4u);
    EXPECT_EQ(events[0].kind, Event::Kind::Start);
    EXPECT_EQ(events[1].kind, Event::Kind::PartStart);
    EXPECT_TRUE(events[1].custom);
    EXPECT_EQ(events[1].id, "call_p");
    std::string arguments;
    for (const Event &event : events) {
        if (event.kind == Event::Kind::PartDelta)
            arguments += event.text;
    }
    EXPECT_EQ(arguments, R"({"input":"*** Begin \"Patch\"\n*** End Patch"})");
    EXPECT_EQ(events.back().kind, Event::Kind::Finish);
    EXPECT_EQ(events.back().stop, ir::StopReason::ToolUse);

    // Only whole at output_item.done: the input comes from the item.
    const std::string whole = R"(data: {"type":"response.output_item.added","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","call_id":"call_p","name":"apply_patch","input":""}}

data: {"type":"response.output_item.done","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","call_id":"call_p","name":"apply_patch","input":"a\tb"}}

)";
    arguments.clear();
    const std::vector<Event> wholeEvents = decodeAll(whole);
    for (const Event &event : wholeEvents) {
        if (event.kind == Event::Kind::PartDelta)
            arguments += event.text;
    }
    EXPECT_EQ(arguments, R"({"input":"a\tb"})");
    EXPECT_EQ(wholeEvents.back().kind, Event::Kind::PartStop); // end() closes; no Finish was sent
}

TEST(ResponsesStreamDecoder, IncompleteAndCutShortStreams)
{
    const std::vector<Event> incomplete = decodeAll(
        R"(data: {"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","content":[]}}

data: {"type":"response.output_text.delta","output_index":0,"item_id":"msg_1","content_index":0,"delta":"Hi"}

data: {"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":3,"output_tokens":9}}}

)");
    EXPECT_EQ(describe(incomplete), "Start(,)\nPartStart(0,0,,)\nDelta(0,Hi,)\nStop(0)\nFinish(2,3,9,0,0)\n");

    // A function call cut short: end() stops it with "{}" arguments, no Finish.
    const std::vector<Event> cut = decodeAll(
        R"(data: {"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1","type":"function_call","call_id":"c1","name":"f","arguments":""}}

data: {"type":"response.function_call_arguments.delta","output_index":0,"item_id":"fc_1","delta":"{\"a\""}

)");
    EXPECT_EQ(describe(cut), "Start(,)\nPartStart(0,4,c1,f)\nDelta(0,{\"a\",)\nStop(0)\n");

    // Arguments only whole at output_item.done.
    const std::vector<Event> whole = decodeAll(
        R"(data: {"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1","type":"function_call","call_id":"c1","name":"f","arguments":""}}

data: {"type":"response.output_item.done","output_index":0,"item":{"id":"fc_1","type":"function_call","call_id":"c1","name":"f","arguments":"{\"x\":1}"}}

)");
    EXPECT_EQ(describe(whole), "Start(,)\nPartStart(0,4,c1,f)\nDelta(0,{\"x\":1},)\nStop(0)\n");
}

// IR events through the encoder and back through the decoder say the same.
TEST(ResponsesStream, RoundTrip)
{
    ir::Request request;
    ir::Tool tool;
    tool.name = "apply_patch";
    tool.custom = true;
    request.tools.push_back(tool);
    Event custom = partStart(2, Kind::ToolCall, "call_c", "apply_patch");
    const std::vector<Event> events = {start("resp_rt", "gpt-5"),
                                       partStart(0, Kind::Thinking, "rs_keep"),
                                       delta(0, "think"),
                                       delta(0, {}, "enc", true),
                                       partStop(0),
                                       partStart(1, Kind::ToolCall, "call_a", "f"),
                                       custom,
                                       delta(1, R"({"a":)"),
                                       delta(2, R"({"input":"line \"1\"\n"})"),
                                       delta(1, "1}"),
                                       partStop(2),
                                       partStop(1),
                                       partStart(3, Kind::Text),
                                       delta(3, "done"),
                                       partStop(3),
                                       finish(ir::StopReason::ToolUse, 10, 20)};
    const std::vector<Event> decoded = decodeAll(encode(events, &request));
    const std::string expected = "Start(resp_rt,gpt-5)\n"
                                 "PartStart(0,2,rs_keep,)\n"
                                 "Delta(0,think,)\n"
                                 "Delta(0,,enc,enc)\n"
                                 "Stop(0)\n"
                                 "PartStart(1,4,call_a,f)\n"
                                 "PartStart(2,4,call_c,apply_patch,custom)\n"
                                 "Delta(2,{\"input\":\",)\n"
                                 "Delta(1,{\"a\":,)\n"
                                 "Delta(1,1},)\n"
                                 "Delta(2,line \\\"1\\\"\\n,)\n"
                                 "Delta(2,\"},)\n"
                                 "Stop(2)\n"
                                 "Stop(1)\n"
                                 "PartStart(3,0,,)\n"
                                 "Delta(3,done,)\n"
                                 "Stop(3)\n"
                                 "Finish(4,10,20,0,0)\n";
    EXPECT_EQ(describe(decoded), expected);
}

} // namespace
