// SPDX-License-Identifier: GPL-3.0-or-later
// The Responses codec's request and whole-answer halves: a Codex CLI request decoded, every
// validation error, both directions of requests and answers, and hostile bodies.
#include "gateway/formats/ResponsesCodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace tarn::gateway;
using namespace Qt::StringLiterals;
using Kind = ir::Part::Kind;

namespace {

const ResponsesCodec &codec()
{
    static const ResponsesCodec instance;
    return instance;
}

QJsonObject object(const std::string &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << json;
    return doc.object();
}

ir::Request decoded(const std::string &json)
{
    Result<ir::Request> request = codec().decodeRequest(json);
    EXPECT_TRUE(bool(request)) << (request ? std::string() : request.error().message.toStdString()) << "\n" << json;
    return request ? std::move(*request) : ir::Request{};
}

std::string errorOf(const std::string &json)
{
    const Result<ir::Request> request = codec().decodeRequest(json);
    return request ? std::string("(accepted)") : request.error().message.toStdString();
}

// What Codex CLI sends (see /work/shared/CLIENTS.md), its history one tool loop deep.
const char *const kCodexRequest = R"({
  "model": "gpt-5-codex",
  "instructions": "You are Codex, a coding agent.",
  "input": [
    {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "<permissions>sandboxed</permissions>"}]},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Fix the typo in README.md"}]},
    {"type": "reasoning", "id": "rs_01", "summary": [{"type": "summary_text", "text": "**Looking**"}, {"type": "summary_text", "text": "Reading the file"}],
     "content": null, "encrypted_content": "gAAAAABencrypted=="},
    {"type": "function_call", "id": "fc_01", "call_id": "call_A", "name": "exec_command", "arguments": "{\"cmd\":\"cat README.md\"}"},
    {"type": "function_call_output", "call_id": "call_A", "output": "Helo world"},
    {"type": "custom_tool_call", "id": "ctc_01", "status": "completed", "call_id": "call_B", "name": "apply_patch",
     "input": "*** Begin Patch\n*** Update File: README.md\n-Helo world\n+Hello world\n*** End Patch"},
    {"type": "custom_tool_call_output", "call_id": "call_B", "output": "Success. Updated README.md"},
    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Fixed."}]},
    {"role": "user", "content": "Thanks"}
  ],
  "tools": [
    {"type": "function", "name": "exec_command", "description": "Runs a command", "strict": false,
     "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}},
    {"type": "custom", "name": "apply_patch", "description": "Edit files with a patch",
     "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk+ end_patch"}},
    {"type": "web_search"},
    {"type": "tool_search"}
  ],
  "tool_choice": "auto",
  "parallel_tool_calls": false,
  "reasoning": {"effort": "medium", "summary": "auto"},
  "store": false,
  "stream": true,
  "include": ["reasoning.encrypted_content"],
  "prompt_cache_key": "0199-session",
  "text": {"verbosity": "low"},
  "client_metadata": {"x": "y"}
})";

TEST(ResponsesCodecRequest, DecodesACodexRequest)
{
    const ir::Request request = decoded(kCodexRequest);
    EXPECT_EQ(request.model, "gpt-5-codex");
    ASSERT_EQ(request.system.size(), 2u);
    EXPECT_EQ(request.system[0].text, "You are Codex, a coding agent.");
    EXPECT_EQ(request.system[1].text, "<permissions>sandboxed</permissions>");
    EXPECT_TRUE(request.stream);
    EXPECT_FALSE(request.store);
    EXPECT_EQ(request.promptCacheKey, "0199-session");
    EXPECT_EQ(request.reasoningEffort, "medium");
    EXPECT_EQ(request.parallelToolCalls, std::optional<bool>(false));
    EXPECT_EQ(request.toolChoice.mode, ir::ToolChoice::Mode::Auto);

    ASSERT_EQ(request.tools.size(), 2u); // web_search and tool_search dropped
    EXPECT_EQ(request.tools[0].name, "exec_command");
    EXPECT_FALSE(request.tools[0].custom);
    EXPECT_EQ(request.tools[0].parameters, R"({"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]})");
    const ir::Tool &patch = request.tools[1];
    EXPECT_TRUE(patch.custom);
    EXPECT_EQ(patch.description, "Edit files with a patch");
    EXPECT_EQ(patch.format, R"({"type":"grammar","syntax":"lark","definition":"start: begin_patch hunk+ end_patch"})");
    const QJsonObject schema = object(patch.parameters);
    EXPECT_EQ(schema.value("required"_L1).toArray(), QJsonArray{QStringLiteral("input")});
    const QString inputDescription = schema.value("properties"_L1).toObject().value("input"_L1).toObject().value("description"_L1).toString();
    EXPECT_TRUE(inputDescription.contains("lark"_L1)) << inputDescription.toStdString();
    EXPECT_TRUE(inputDescription.contains("start: begin_patch hunk+ end_patch"_L1));

    ASSERT_EQ(request.messages.size(), 7u);
    EXPECT_EQ(request.messages[0].role, ir::Role::User);
    EXPECT_EQ(request.messages[0].parts[0].text, "Fix the typo in README.md");
    const ir::Message &turn = request.messages[1];
    EXPECT_EQ(turn.role, ir::Role::Assistant);
    ASSERT_EQ(turn.parts.size(), 2u);
    EXPECT_EQ(turn.parts[0].kind, Kind::Thinking);
    EXPECT_EQ(turn.parts[0].text, "**Looking**\n\nReading the file");
    EXPECT_EQ(turn.parts[0].signature, "gAAAAABencrypted==");
    EXPECT_EQ(turn.parts[0].id, "rs_01");
    EXPECT_TRUE(turn.parts[0].openAiEncrypted);
    EXPECT_EQ(turn.parts[1].kind, Kind::ToolCall);
    EXPECT_EQ(turn.parts[1].id, "call_A");
    EXPECT_EQ(turn.parts[1].arguments, R"({"cmd":"cat README.md"})");
    const ir::Part &output = request.messages[2].parts.at(0);
    EXPECT_EQ(output.kind, Kind::ToolResult);
    EXPECT_EQ(output.id, "call_A");
    EXPECT_EQ(output.name, "exec_command");
    EXPECT_EQ(output.content.at(0).text, "Helo world");
    const ir::Part &patchCall = request.messages[3].parts.at(0);
    EXPECT_TRUE(patchCall.custom);
    EXPECT_EQ(patchCall.name, "apply_patch");
    EXPECT_EQ(object(patchCall.arguments).value("input"_L1).toString().toStdString(),
              "*** Begin Patch\n*** Update File: README.md\n-Helo world\n+Hello world\n*** End Patch");
    const ir::Message &results = request.messages[4];
    ASSERT_EQ(results.parts.size(), 1u);
    EXPECT_TRUE(results.parts[0].custom);
    EXPECT_EQ(results.parts[0].id, "call_B");
    EXPECT_EQ(results.parts[0].content.at(0).text, "Success. Updated README.md");
    EXPECT_EQ(request.messages[5].role, ir::Role::Assistant);
    EXPECT_EQ(request.messages[5].parts.at(0).text, "Fixed.");
    EXPECT_EQ(request.messages[6].role, ir::Role::User);
    EXPECT_EQ(request.messages[6].parts.at(0).text, "Thanks");
}

TEST(ResponsesCodecRequest, StringInputIsOneUserMessage)
{
    const ir::Request request = decoded(R"({"model":"m","input":"Hello","max_output_tokens":300,"temperature":0.5,"top_p":0.9,
        "user":"u1","previous_response_id":"resp_prev","text":{"format":{"type":"json_schema","name":"answer","strict":true,
        "schema":{"type":"object"}}},"tool_choice":{"type":"allowed_tools","mode":"required","tools":[]}})");
    ASSERT_EQ(request.messages.size(), 1u);
    EXPECT_EQ(request.messages[0].parts.at(0).text, "Hello");
    EXPECT_EQ(request.maxTokens, std::optional<qint64>(300));
    EXPECT_EQ(request.temperature, std::optional<double>(0.5));
    EXPECT_EQ(request.topP, std::optional<double>(0.9));
    EXPECT_EQ(request.user, "u1");
    EXPECT_EQ(request.previousResponseId, "resp_prev");
    EXPECT_TRUE(request.store);
    EXPECT_EQ(request.responseFormat, ir::ResponseFormat::JsonSchema);
    EXPECT_EQ(request.jsonSchemaName, "answer");
    EXPECT_EQ(request.jsonSchema, R"({"type":"object"})");
    EXPECT_EQ(request.toolChoice.mode, ir::ToolChoice::Mode::Required);
}

TEST(ResponsesCodecRequest, MapsToolChoicesAndEfforts)
{
    EXPECT_EQ(decoded(R"({"model":"m","tool_choice":{"type":"custom","name":"apply_patch"}})").toolChoice.name, "apply_patch");
    EXPECT_EQ(decoded(R"({"model":"m","tool_choice":{"type":"function","name":"f"}})").toolChoice.mode, ir::ToolChoice::Mode::Named);
    EXPECT_EQ(decoded(R"({"model":"m","tool_choice":{"type":"web_search_preview"}})").toolChoice.mode, ir::ToolChoice::Mode::Unset);
    EXPECT_EQ(decoded(R"({"model":"m","tool_choice":"none"})").toolChoice.mode, ir::ToolChoice::Mode::None);
    EXPECT_EQ(decoded(R"({"model":"m","reasoning":{"effort":"xhigh"}})").reasoningEffort, "high");
    EXPECT_EQ(decoded(R"({"model":"m","reasoning":{"effort":"minimal"}})").reasoningEffort, "minimal");
    const ir::Request none = decoded(R"({"model":"m","reasoning":{"effort":"none","summary":"auto"}})");
    EXPECT_EQ(none.thinkingBudget, std::optional<qint64>(0));
    EXPECT_TRUE(none.reasoningEffort.empty());
    EXPECT_EQ(decoded(R"({"model":"m","safety_identifier":"s1"})").user, "s1");
}

TEST(ResponsesCodecRequest, ReadsContentPartsAndDropsWhatChannelsCannotUse)
{
    const ir::Request request = decoded(R"({"model":"m","input":[
        {"role":"user","content":[{"type":"input_text","text":"Look"},
          {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"},
          {"type":"input_image","image_url":"https://example.com/cat.jpg","detail":"auto"},
          {"type":"input_image","file_id":"file-123","detail":"auto"},
          {"type":"input_file","file_data":"data:application/pdf;base64,JVBERi0=","filename":"a.pdf"},
          {"type":"input_file","file_id":"file-456"},
          {"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]},
        {"type":"item_reference","id":"msg_old"},
        {"type":"web_search_call","id":"ws_1","status":"completed"},
        {"role":"assistant","content":[{"type":"refusal","refusal":"I can't."}]},
        {"type":"function_call_output","call_id":"c9","output":[{"type":"input_text","text":"shot"},
          {"type":"input_image","image_url":"data:image/jpeg;base64,/9j/"}]}]})");
    ASSERT_EQ(request.messages.size(), 3u);
    const std::vector<ir::Part> &parts = request.messages[0].parts;
    ASSERT_EQ(parts.size(), 4u);
    EXPECT_EQ(parts[1].image.mediaType, "image/png");
    EXPECT_EQ(parts[1].image.data, "iVBORw0KGgo=");
    EXPECT_EQ(parts[2].image.url, "https://example.com/cat.jpg");
    EXPECT_EQ(parts[3].image.mediaType, "application/pdf");
    EXPECT_EQ(request.messages[1].parts.at(0).text, "I can't.");
    const ir::Part &result = request.messages[2].parts.at(0);
    ASSERT_EQ(result.content.size(), 2u);
    EXPECT_EQ(result.content[1].image.mediaType, "image/jpeg");
}

TEST(ResponsesCodecRequest, InvalidBodiesAreAnsweredNamingTheField)
{
    const std::pair<const char *, const char *> cases[] = {
        {"", "empty"},
        {"[1]", "JSON object"},
        {"{\"model\":", "not valid JSON"},
        {R"({"input":"x"})", "'model'"},
        {R"({"model":null})", "'model'"},
        {R"({"model":3})", "'model' must be"},
        {R"({"model":""})", "'model' must be"},
        {R"({"model":"a","model":"b"})", "duplicate top-level key 'model'"},
        {R"({"model":"m","input":3})", "'input' must be"},
        {R"({"model":"m","input":[3]})", "'input[0]' must be an object"},
        {R"({"model":"m","input":[{"type":5}]})", "'input[0].type' must be a string"},
        {R"({"model":"m","input":[{"content":"x"}]})", "'input[0].role'"},
        {R"({"model":"m","input":[{"role":"tool","content":"x"}]})", "'input[0].role' must be one of"},
        {R"({"model":"m","input":[{"role":7,"content":"x"}]})", "'input[0].role' must be a string"},
        {R"({"model":"m","input":[{"role":"user"}]})", "'input[0].content'"},
        {R"({"model":"m","input":[{"role":"user","content":{}}]})", "'input[0].content' must be"},
        {R"({"model":"m","input":[{"role":"user","content":[1]}]})", "'input[0].content[0]' must be an object"},
        {R"({"model":"m","input":[{"role":"user","content":[{"text":"x"}]}]})", "'input[0].content[0].type'"},
        {R"({"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":1}]}]})", "'input[0].content[0].text' must be a string"},
        {R"({"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":1}]}]})", "'input[0].content[0].image_url' must be a string"},
        {R"({"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]})", "'input[0].call_id'"},
        {R"({"model":"m","input":[{"type":"function_call","call_id":"c"}]})", "'input[0].name'"},
        {R"({"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":{}}]})", "'input[0].arguments' must be a string"},
        {R"({"model":"m","input":[{"type":"function_call_output","call_id":"c"}]})", "'input[0].output'"},
        {R"({"model":"m","input":[{"type":"function_call_output","call_id":"c","output":5}]})", "'input[0].output' must be"},
        {R"({"model":"m","input":[{"type":"custom_tool_call","call_id":"c","name":"p","input":{}}]})", "'input[0].input' must be a string"},
        {R"({"model":"m","input":[{"type":"reasoning","summary":"x"}]})", "'input[0].summary' must be an array"},
        {R"({"model":"m","input":[{"type":"reasoning","summary":[{"type":"summary_text"}]}]})", "'input[0].summary[0]'"},
        {R"({"model":"m","input":[{"type":"reasoning","summary":[],"encrypted_content":1}]})", "'input[0].encrypted_content' must be a string"},
        {R"({"model":"m","instructions":["x"]})", "'instructions' must be a string"},
        {R"({"model":"m","tools":{}})", "'tools' must be an array"},
        {R"({"model":"m","tools":[1]})", "'tools[0]' must be an object"},
        {R"({"model":"m","tools":[{"name":"f"}]})", "'tools[0].type'"},
        {R"({"model":"m","tools":[{"type":"function"}]})", "'tools[0].name'"},
        {R"({"model":"m","tools":[{"type":"function","name":"f","parameters":"x"}]})", "'tools[0].parameters' must be an object"},
        {R"({"model":"m","tools":[{"type":"function","name":"f","description":1}]})", "'tools[0].description' must be a string"},
        {R"({"model":"m","tools":[{"type":"function","name":"f","strict":"yes"}]})", "'tools[0].strict' must be a boolean"},
        {R"({"model":"m","tools":[{"type":"custom","name":"p","format":"lark"}]})", "'tools[0].format' must be an object"},
        {R"({"model":"m","tools":[{"type":"custom","name":"p","format":{"type":"regex"}}]})", "'tools[0].format.type' must be"},
        {R"({"model":"m","tools":[{"type":"custom","name":"p","format":{"type":"grammar","syntax":"lark"}}]})", "'tools[0].format.definition'"},
        {R"({"model":"m","tool_choice":"sometimes"})", "'tool_choice' must be"},
        {R"({"model":"m","tool_choice":5})", "'tool_choice' must be"},
        {R"({"model":"m","tool_choice":{"type":"function"}})", "'tool_choice.name'"},
        {R"({"model":"m","tool_choice":{"type":"allowed_tools","mode":"never"}})", "'tool_choice.mode'"},
        {R"({"model":"m","parallel_tool_calls":"yes"})", "'parallel_tool_calls' must be a boolean"},
        {R"({"model":"m","max_output_tokens":"5"})", "'max_output_tokens' must be an integer"},
        {R"({"model":"m","max_output_tokens":-1})", "'max_output_tokens' must be a non-negative"},
        {R"({"model":"m","temperature":"hot"})", "'temperature' must be a number"},
        {R"({"model":"m","top_p":[]})", "'top_p' must be a number"},
        {R"({"model":"m","stream":"true"})", "'stream' must be a boolean"},
        {R"({"model":"m","store":1})", "'store' must be a boolean"},
        {R"({"model":"m","reasoning":"high"})", "'reasoning' must be an object"},
        {R"({"model":"m","reasoning":{"effort":1}})", "'reasoning.effort' must be a string"},
        {R"({"model":"m","text":"json"})", "'text' must be an object"},
        {R"({"model":"m","text":{"format":"json"}})", "'text.format' must be an object"},
        {R"({"model":"m","text":{"format":{}}})", "'text.format.type'"},
        {R"({"model":"m","text":{"format":{"type":"xml"}}})", "'text.format.type' must be"},
        {R"({"model":"m","text":{"format":{"type":"json_schema","name":"a"}}})", "'text.format.schema'"},
        {R"({"model":"m","text":{"format":{"type":"json_schema","schema":[]}}})", "'text.format.schema' must be an object"},
        {R"({"model":"m","user":1})", "'user' must be a string"},
        {R"({"model":"m","safety_identifier":1})", "'safety_identifier' must be a string"},
        {R"({"model":"m","prompt_cache_key":{}})", "'prompt_cache_key' must be a string"},
        {R"({"model":"m","previous_response_id":2})", "'previous_response_id' must be a string"},
    };
    for (const auto &[body, expected] : cases) {
        const std::string message = errorOf(body);
        EXPECT_NE(message.find(expected), std::string::npos) << body << "\n -> " << message;
    }
}

TEST(ResponsesCodecRequest, NullsAreNotGiven)
{
    const ir::Request request = decoded(R"({"model":"m","input":null,"instructions":null,"tools":null,"tool_choice":null,
        "parallel_tool_calls":null,"max_output_tokens":null,"temperature":null,"top_p":null,"stream":null,"store":null,
        "reasoning":null,"text":null,"user":null,"prompt_cache_key":null,"previous_response_id":null,"include":null,
        "metadata":null,"truncation":null,"service_tier":null,"background":null})");
    EXPECT_TRUE(request.messages.empty());
    EXPECT_TRUE(request.store);
    EXPECT_FALSE(request.maxTokens);
}

TEST(ResponsesCodecRequest, HostileBodiesNeverCrash)
{
    // Nesting deeper than the parser allows is refused, not recursed into.
    std::string deep = R"({"model":"m","input":)";
    deep.append(100000, '[');
    deep.append(100000, ']');
    deep.append("}");
    EXPECT_NE(errorOf(deep), "(accepted)");

    // A huge string goes through whole.
    const std::string huge(8 * 1024 * 1024, 'x');
    const ir::Request big = decoded(R"({"model":"m","input":")" + huge + R"("})");
    ASSERT_EQ(big.messages.size(), 1u);
    EXPECT_EQ(big.messages[0].parts[0].text.size(), huge.size());

    // A huge grammar is cut in the description, at a character boundary.
    std::string grammar;
    for (int i = 0; i < 20000; ++i)
        grammar.append("é");
    const ir::Request cut = decoded(R"({"model":"m","tools":[{"type":"custom","name":"p","format":{"type":"grammar","syntax":"regex","definition":")"
                                    + grammar + R"("}}]})");
    ASSERT_EQ(cut.tools.size(), 1u);
    EXPECT_LT(cut.tools[0].parameters.size(), grammar.size());
    EXPECT_FALSE(object(cut.tools[0].parameters).isEmpty()); // still valid JSON (valid UTF-8)

    // Not UTF-8: refused by the parser.
    EXPECT_NE(errorOf("{\"model\":\"m\",\"input\":\"\xff\xfe\"}").find("not valid JSON"), std::string::npos);

    // NUL characters inside strings are data.
    const ir::Request nul = decoded(R"({"model":"m","input":"a\u0000b"})");
    EXPECT_EQ(nul.messages.at(0).parts.at(0).text, std::string("a\0b", 3));

    // Items of unknown types, arrays of nulls, hosted tools' items are dropped, not failed.
    const ir::Request odd = decoded(R"({"model":"m","input":[{"type":"mcp_call"},{"type":"local_shell_call"},
        {"type":"reasoning"},{"type":"image_generation_call","result":null}],"tools":[{"type":"mcp","server_label":"x"},
        {"type":"local_shell"},{"type":"computer_use_preview"},{"type":"image_generation"},{"type":"file_search"},
        {"type":"code_interpreter"},{"type":"web_search_preview"}]})");
    EXPECT_TRUE(odd.messages.empty());
    EXPECT_TRUE(odd.tools.empty());
}

TEST(ResponsesCodecRequest, EncodesForAResponsesChannel)
{
    const ir::Request request = decoded(kCodexRequest);
    RequestTarget target;
    target.model = "gpt-5.1-codex";
    const QJsonObject body = object(codec().encodeRequest(request, target));
    EXPECT_EQ(body.value("model"_L1).toString().toStdString(), "gpt-5.1-codex");
    EXPECT_EQ(body.value("instructions"_L1).toString().toStdString(), "You are Codex, a coding agent.\n\n<permissions>sandboxed</permissions>");
    EXPECT_FALSE(body.value("store"_L1).toBool(true));
    EXPECT_EQ(body.value("include"_L1).toArray(), QJsonArray{QStringLiteral("reasoning.encrypted_content")});
    EXPECT_EQ(body.value("reasoning"_L1).toObject().value("effort"_L1).toString().toStdString(), "medium");
    EXPECT_EQ(body.value("prompt_cache_key"_L1).toString().toStdString(), "0199-session");
    EXPECT_TRUE(body.value("stream"_L1).toBool());
    EXPECT_FALSE(body.value("parallel_tool_calls"_L1).toBool(true));
    const QJsonArray tools = body.value("tools"_L1).toArray();
    ASSERT_EQ(tools.size(), 2);
    EXPECT_FALSE(tools[0].toObject().value("strict"_L1).toBool(true));
    EXPECT_EQ(tools[1].toObject().value("type"_L1).toString().toStdString(), "custom");
    EXPECT_EQ(tools[1].toObject().value("format"_L1).toObject().value("syntax"_L1).toString().toStdString(), "lark");

    const QJsonArray input = body.value("input"_L1).toArray();
    std::vector<std::string> types;
    for (const QJsonValue &item : input)
        types.push_back(item.toObject().value("type"_L1).toString().toStdString());
    EXPECT_EQ(types, (std::vector<std::string>{"message", "reasoning", "function_call", "function_call_output", "custom_tool_call",
                                  "custom_tool_call_output", "message", "message"}));
    EXPECT_EQ(input[1].toObject().value("encrypted_content"_L1).toString().toStdString(), "gAAAAABencrypted==");
    EXPECT_EQ(input[1].toObject().value("id"_L1).toString().toStdString(), "rs_01");
    EXPECT_EQ(input[4].toObject().value("input"_L1).toString().toStdString(),
              "*** Begin Patch\n*** Update File: README.md\n-Helo world\n+Hello world\n*** End Patch");

    // Round trip: what went out reads back as what came in.
    const ir::Request again = decoded(codec().encodeRequest(request, target));
    ASSERT_EQ(again.messages.size(), request.messages.size());
    for (std::size_t i = 0; i < request.messages.size(); ++i) {
        ASSERT_EQ(again.messages[i].parts.size(), request.messages[i].parts.size()) << i;
        for (std::size_t j = 0; j < request.messages[i].parts.size(); ++j) {
            const ir::Part &a = request.messages[i].parts[j];
            const ir::Part &b = again.messages[i].parts[j];
            EXPECT_EQ(a.kind, b.kind);
            EXPECT_EQ(a.text, b.text);
            EXPECT_EQ(a.arguments, b.arguments);
            EXPECT_EQ(a.custom, b.custom);
            EXPECT_EQ(a.signature, b.signature);
        }
    }
    EXPECT_EQ(again.tools.size(), 2u);
    EXPECT_EQ(again.tools[1].format, request.tools[1].format);
}

TEST(ResponsesCodecRequest, EncodingDropsWhatTheChannelCannotRead)
{
    ir::Request request;
    request.maxTokens = 1;
    request.stop = {"END"};
    request.thinkingBudget = 10000;
    ir::Part thinking;
    thinking.kind = Kind::Thinking;
    thinking.text = "Anthropic thinking";
    thinking.signature = "sig";
    ir::Part call;
    call.kind = Kind::ToolCall;
    call.id = "toolu_1";
    call.name = "apply_patch";
    call.arguments = R"({"input":"patch text"})";
    request.messages.push_back({ir::Role::User, {}});
    request.messages[0].parts.push_back(ir::Part{});
    request.messages[0].parts[0].text = "hi";
    request.messages.push_back({ir::Role::Assistant, {thinking, call}});
    ir::Part result;
    result.kind = Kind::ToolResult;
    result.id = "toolu_1";
    result.isError = true;
    result.content.push_back(ir::Part{});
    result.content[0].text = "rejected";
    request.messages.push_back({ir::Role::User, {result}});
    ir::Tool tool;
    tool.name = "apply_patch";
    tool.custom = true;
    request.tools.push_back(tool);

    RequestTarget target;
    target.model = "gpt-5";
    QJsonObject body = object(codec().encodeRequest(request, target));
    EXPECT_EQ(body.value("max_output_tokens"_L1).toInt(), 16);
    EXPECT_FALSE(body.contains("stop"_L1));
    EXPECT_EQ(body.value("reasoning"_L1).toObject().value("effort"_L1).toString().toStdString(), "medium");
    EXPECT_TRUE(body.contains("include"_L1));
    const QJsonArray input = body.value("input"_L1).toArray();
    ASSERT_EQ(input.size(), 3); // the Anthropic thinking is dropped
    EXPECT_EQ(input[1].toObject().value("type"_L1).toString().toStdString(), "custom_tool_call");
    EXPECT_EQ(input[1].toObject().value("input"_L1).toString().toStdString(), "patch text");
    EXPECT_EQ(input[2].toObject().value("type"_L1).toString().toStdString(), "custom_tool_call_output");
    EXPECT_EQ(input[2].toObject().value("output"_L1).toString().toStdString(), "Error: rejected");

    target.sendReasoning = false;
    body = object(codec().encodeRequest(request, target));
    EXPECT_FALSE(body.contains("reasoning"_L1));
    EXPECT_FALSE(body.contains("include"_L1));
}

const char *const kAnswer = R"({
  "id": "resp_67ccd2bed1ec8190b14f964abc054267",
  "object": "response",
  "created_at": 1741476542,
  "status": "completed",
  "error": null,
  "incomplete_details": null,
  "model": "gpt-5-codex",
  "output": [
    {"type": "reasoning", "id": "rs_9", "summary": [{"type": "summary_text", "text": "Planning"}], "encrypted_content": "gAAAenc"},
    {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
     "content": [{"type": "output_text", "text": "Applying the fix.", "annotations": []}]},
    {"type": "custom_tool_call", "id": "ctc_1", "status": "completed", "call_id": "call_P", "name": "apply_patch", "input": "*** Begin Patch\n*** End Patch"},
    {"type": "function_call", "id": "fc_1", "status": "completed", "call_id": "call_X", "name": "exec_command", "arguments": "{\"cmd\":\"ls\"}"},
    {"type": "web_search_call", "id": "ws_1", "status": "completed"}
  ],
  "usage": {"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1024}, "output_tokens": 300,
            "output_tokens_details": {"reasoning_tokens": 128}, "total_tokens": 1500}
})";

TEST(ResponsesCodecResponse, DecodesAnAnswer)
{
    const Result<ir::Response> response = codec().decodeResponse(kAnswer);
    ASSERT_TRUE(bool(response));
    EXPECT_EQ(response->id, "resp_67ccd2bed1ec8190b14f964abc054267");
    EXPECT_EQ(response->model, "gpt-5-codex");
    EXPECT_EQ(response->stop, ir::StopReason::ToolUse);
    ASSERT_EQ(response->parts.size(), 4u);
    EXPECT_EQ(response->parts[0].kind, Kind::Thinking);
    EXPECT_EQ(response->parts[0].text, "Planning");
    EXPECT_EQ(response->parts[0].signature, "gAAAenc");
    EXPECT_EQ(response->parts[0].id, "rs_9");
    EXPECT_TRUE(response->parts[0].openAiEncrypted);
    EXPECT_EQ(response->parts[1].text, "Applying the fix.");
    EXPECT_TRUE(response->parts[2].custom);
    EXPECT_EQ(response->parts[2].id, "call_P");
    EXPECT_EQ(object(response->parts[2].arguments).value("input"_L1).toString().toStdString(), "*** Begin Patch\n*** End Patch");
    EXPECT_EQ(response->parts[3].arguments, R"({"cmd":"ls"})");
    EXPECT_TRUE(response->usage.reported);
    EXPECT_EQ(response->usage.input, 1200);
    EXPECT_EQ(response->usage.cacheRead, 1024);
    EXPECT_EQ(response->usage.output, 300);
    EXPECT_EQ(response->usage.reasoning, 128);
}

TEST(ResponsesCodecResponse, StatusesMapToStopReasons)
{
    const auto stopOf = [](const std::string &rest) {
        const Result<ir::Response> response = codec().decodeResponse(R"({"object":"response","output":[],)" + rest + "}");
        EXPECT_TRUE(bool(response)) << rest;
        return response ? response->stop : ir::StopReason::Unknown;
    };
    EXPECT_EQ(stopOf(R"("status":"completed")"), ir::StopReason::EndTurn);
    EXPECT_EQ(stopOf(R"("status":"incomplete","incomplete_details":{"reason":"max_output_tokens"})"), ir::StopReason::MaxTokens);
    EXPECT_EQ(stopOf(R"("status":"incomplete","incomplete_details":{"reason":"content_filter"})"), ir::StopReason::ContentFilter);
    const Result<ir::Response> refusal = codec().decodeResponse(
        R"({"object":"response","status":"completed","output":[{"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"No."}]}]})");
    ASSERT_TRUE(bool(refusal));
    EXPECT_EQ(refusal->stop, ir::StopReason::Refusal);
    EXPECT_EQ(refusal->parts.at(0).text, "No.");

    const Result<ir::Response> failed = codec().decodeResponse(
        R"({"object":"response","status":"failed","error":{"code":"server_error","message":"The model crashed"},"output":[]})");
    ASSERT_FALSE(bool(failed));
    EXPECT_TRUE(failed.error().message.contains("The model crashed"_L1));
    for (const char *wrong : {"", "[]", "{}", R"({"object":"chat.completion","output":[]})", R"({"object":"response","output":{}})"})
        EXPECT_FALSE(bool(codec().decodeResponse(wrong))) << wrong;
    // Items of the wrong shape are skipped, counts out of range clamped.
    const Result<ir::Response> odd = codec().decodeResponse(
        R"({"object":"response","status":"completed","output":[1,null,{"type":"message","content":7},{"type":"function_call"}],
            "usage":{"input_tokens":-5,"output_tokens":1e300}})");
    ASSERT_TRUE(bool(odd));
    EXPECT_TRUE(odd->parts.empty());
    EXPECT_EQ(odd->usage.input, 0);
    EXPECT_EQ(odd->usage.output, ir::kMaxTokens);
}

TEST(ResponsesCodecResponse, EncodesForAResponsesClient)
{
    const ir::Request request = decoded(kCodexRequest);
    ir::Response response;
    response.id = "msg_anthropic";
    response.model = "claude-sonnet-4-5";
    response.stop = ir::StopReason::ToolUse;
    ir::Part thinking;
    thinking.kind = Kind::Thinking;
    thinking.text = "Thinking it over";
    thinking.signature = "anthropic-signature";
    ir::Part text;
    text.text = "Patching ";
    ir::Part more = text;
    more.text = "now.";
    ir::Part call; // a function call whose name is a custom tool of the request: unwrapped
    call.kind = Kind::ToolCall;
    call.id = "toolu_1";
    call.name = "apply_patch";
    call.arguments = R"({"input":"*** Begin Patch\n*** End Patch"})";
    ir::Part raw = call; // arguments not of the wrapper's shape: passed as they are
    raw.custom = true;
    raw.name = "other";
    raw.arguments = R"({"patch":1})";
    ir::Part function = call;
    function.name = "exec_command";
    function.arguments = R"({"cmd":"ls"})";
    response.parts = {thinking, text, more, call, raw, function};
    response.usage = {100, 20, 60, 0, 5, true};

    const QJsonObject body = object(codec().encodeResponseFor(response, &request));
    EXPECT_TRUE(body.value("id"_L1).toString().startsWith("resp_"_L1));
    EXPECT_EQ(body.value("object"_L1).toString().toStdString(), "response");
    EXPECT_EQ(body.value("status"_L1).toString().toStdString(), "completed");
    EXPECT_TRUE(body.value("incomplete_details"_L1).isNull());
    // The request's own instructions, not the developer message that joined the system prompt.
    EXPECT_EQ(body.value("instructions"_L1).toString().toStdString(), "You are Codex, a coding agent.");
    EXPECT_FALSE(body.value("parallel_tool_calls"_L1).toBool(true));
    EXPECT_FALSE(body.value("store"_L1).toBool(true));
    EXPECT_EQ(body.value("tools"_L1).toArray().size(), 2);
    EXPECT_EQ(body.value("reasoning"_L1).toObject().value("effort"_L1).toString().toStdString(), "medium");
    const QJsonArray output = body.value("output"_L1).toArray();
    ASSERT_EQ(output.size(), 5);
    EXPECT_EQ(output[0].toObject().value("type"_L1).toString().toStdString(), "reasoning");
    EXPECT_FALSE(output[0].toObject().contains("encrypted_content"_L1)); // Anthropic's signature stays home
    EXPECT_EQ(output[0].toObject().value("summary"_L1).toArray()[0].toObject().value("text"_L1).toString().toStdString(), "Thinking it over");
    EXPECT_EQ(output[1].toObject().value("content"_L1).toArray()[0].toObject().value("text"_L1).toString().toStdString(), "Patching now.");
    EXPECT_EQ(output[2].toObject().value("type"_L1).toString().toStdString(), "custom_tool_call");
    EXPECT_EQ(output[2].toObject().value("input"_L1).toString().toStdString(), "*** Begin Patch\n*** End Patch");
    EXPECT_EQ(output[2].toObject().value("call_id"_L1).toString().toStdString(), "toolu_1");
    EXPECT_TRUE(output[2].toObject().value("id"_L1).toString().startsWith("ctc_"_L1));
    EXPECT_EQ(output[3].toObject().value("input"_L1).toString().toStdString(), R"({"patch":1})");
    EXPECT_EQ(output[4].toObject().value("type"_L1).toString().toStdString(), "function_call");
    EXPECT_EQ(output[4].toObject().value("arguments"_L1).toString().toStdString(), R"({"cmd":"ls"})");
    const QJsonObject usage = body.value("usage"_L1).toObject();
    EXPECT_EQ(usage.value("input_tokens"_L1).toInt(), 100);
    EXPECT_EQ(usage.value("input_tokens_details"_L1).toObject().value("cached_tokens"_L1).toInt(), 60);
    EXPECT_EQ(usage.value("output_tokens_details"_L1).toObject().value("reasoning_tokens"_L1).toInt(), 5);
    EXPECT_EQ(usage.value("total_tokens"_L1).toInt(), 120);

    // Without the request the call is a function call, and the echo is the defaults.
    const QJsonObject bare = object(codec().encodeResponse(response));
    EXPECT_EQ(bare.value("output"_L1).toArray()[2].toObject().value("type"_L1).toString().toStdString(), "function_call");
    EXPECT_TRUE(bare.value("instructions"_L1).isNull());
    EXPECT_EQ(bare.value("tools"_L1).toArray().size(), 0);
}

TEST(ResponsesCodecResponse, IncompleteAndRefusedAnswers)
{
    ir::Response response;
    response.model = "m";
    response.stop = ir::StopReason::MaxTokens;
    response.parts.push_back(ir::Part{});
    response.parts[0].text = "Cut";
    QJsonObject body = object(codec().encodeResponse(response));
    EXPECT_EQ(body.value("status"_L1).toString().toStdString(), "incomplete");
    EXPECT_EQ(body.value("incomplete_details"_L1).toObject().value("reason"_L1).toString().toStdString(), "max_output_tokens");

    response.stop = ir::StopReason::Refusal;
    body = object(codec().encodeResponse(response));
    const QJsonObject part = body.value("output"_L1).toArray()[0].toObject().value("content"_L1).toArray()[0].toObject();
    EXPECT_EQ(part.value("type"_L1).toString().toStdString(), "refusal");
    EXPECT_EQ(part.value("refusal"_L1).toString().toStdString(), "Cut");
}

TEST(ResponsesCodecResponse, RoundTrips)
{
    const Result<ir::Response> first = codec().decodeResponse(kAnswer);
    ASSERT_TRUE(bool(first));
    const Result<ir::Response> second = codec().decodeResponse(codec().encodeResponse(*first));
    ASSERT_TRUE(bool(second));
    EXPECT_EQ(second->id, first->id);
    EXPECT_EQ(second->stop, first->stop);
    ASSERT_EQ(second->parts.size(), first->parts.size());
    for (std::size_t i = 0; i < first->parts.size(); ++i) {
        EXPECT_EQ(second->parts[i].kind, first->parts[i].kind);
        EXPECT_EQ(second->parts[i].text, first->parts[i].text);
        EXPECT_EQ(second->parts[i].arguments, first->parts[i].arguments);
        EXPECT_EQ(second->parts[i].custom, first->parts[i].custom);
        EXPECT_EQ(second->parts[i].signature, first->parts[i].signature);
        EXPECT_EQ(second->parts[i].id, first->parts[i].id);
    }
    EXPECT_EQ(second->usage.cacheRead, 1024);
}

TEST(ResponsesCodecError, SpeaksOpenAisErrorShape)
{
    const ir::ApiError error = codec().decodeError(
        429, R"({"error":{"message":"Rate limit reached. Please try again in 2s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}})");
    EXPECT_EQ(error.kind, ir::ErrorKind::RateLimit);
    EXPECT_EQ(error.code, "rate_limit_exceeded");
    const QJsonObject body = object(codec().encodeError(error));
    EXPECT_EQ(body.value("error"_L1).toObject().value("code"_L1).toString().toStdString(), "rate_limit_exceeded");
}

} // namespace
