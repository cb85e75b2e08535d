// SPDX-License-Identifier: GPL-3.0-or-later
// The Gemini codec's requests: a client's GenerateContentRequest read into the IR, the IR written
// for a Gemini channel, and countTokens. Answers, errors and streams have their own files.
#include "GeminiCodecTestSupport.h"

#include "gateway/formats/ErrorResponse.h"

using namespace tarn::gateway;
using namespace tarn::gateway::test;
using namespace Qt::StringLiterals;
using Kind = ir::Part::Kind;

namespace {

const GeminiCodec codec;

ir::Request decoded(std::string_view json)
{
    Result<ir::Request> result = codec.decodeRequest(json);
    EXPECT_TRUE(result.ok()) << (result.ok() ? std::string() : result.error().message.toStdString());
    return result.ok() ? std::move(result).value() : ir::Request();
}

std::string rejection(std::string_view json)
{
    const Result<ir::Request> result = codec.decodeRequest(json);
    EXPECT_FALSE(result.ok()) << "accepted: " << json;
    return result.ok() ? std::string() : result.error().message.toStdString();
}

ir::Part text(std::string value)
{
    ir::Part part;
    part.text = std::move(value);
    return part;
}

ir::Part call(std::string id, std::string name, std::string arguments, std::string signature = {})
{
    ir::Part part;
    part.kind = Kind::ToolCall;
    part.id = std::move(id);
    part.name = std::move(name);
    part.arguments = std::move(arguments);
    part.signature = std::move(signature);
    return part;
}

ir::Part result(std::string id, std::string output, bool isError = false)
{
    ir::Part part;
    part.kind = Kind::ToolResult;
    part.id = std::move(id);
    part.content.push_back(text(std::move(output)));
    part.isError = isError;
    return part;
}

ir::Message message(ir::Role role, std::vector<ir::Part> parts)
{
    return ir::Message{role, std::move(parts)};
}

TEST(GeminiRequestDecode, ReadsParallelCallsAndMatchesResponsesByNameInOrder)
{
    const ir::Request request = decoded(geminiFixture("request_function_calling.json"));
    EXPECT_TRUE(request.model.empty());
    EXPECT_FALSE(request.stream);
    ASSERT_EQ(request.system.size(), 1u);
    EXPECT_EQ(request.system[0].text, "You are a helpful weather assistant.");
    ASSERT_EQ(request.messages.size(), 3u);

    const ir::Message &model = request.messages[1];
    EXPECT_EQ(model.role, ir::Role::Assistant);
    ASSERT_EQ(model.parts.size(), 2u);
    EXPECT_EQ(model.parts[0].kind, Kind::ToolCall);
    EXPECT_EQ(model.parts[0].name, "get_weather");
    EXPECT_EQ(model.parts[0].arguments, R"({"location":"Paris"})");
    EXPECT_EQ(model.parts[0].signature, "CiQBVKhc7nFQ2Ypb8NtzX1vQcQ+3kYxtWQHTrw==");
    EXPECT_TRUE(model.parts[1].signature.empty());
    EXPECT_EQ(model.parts[0].id.substr(0, 5), "call_");
    EXPECT_NE(model.parts[0].id, model.parts[1].id);

    const ir::Message &answers = request.messages[2];
    EXPECT_EQ(answers.role, ir::Role::User);
    ASSERT_EQ(answers.parts.size(), 2u);
    EXPECT_EQ(answers.parts[0].kind, Kind::ToolResult);
    EXPECT_EQ(answers.parts[0].id, model.parts[0].id);
    EXPECT_EQ(answers.parts[1].id, model.parts[1].id);
    EXPECT_EQ(answers.parts[1].name, "get_weather");
    ASSERT_EQ(answers.parts[0].content.size(), 1u);
    EXPECT_EQ(answers.parts[0].content[0].text, R"({"temperature":18,"unit":"celsius"})");

    ASSERT_EQ(request.tools.size(), 1u); // googleSearch is Google's own
    EXPECT_TRUE(sameJson(request.tools[0].parameters,
                         R"({"type":"object","properties":{"location":{"type":"string","description":"The city, e.g. Paris"},
                             "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]})"));
    EXPECT_EQ(request.toolChoice.mode, ir::ToolChoice::Mode::Named);
    EXPECT_EQ(request.toolChoice.name, "get_weather");
    EXPECT_EQ(request.maxTokens, 1024);
    EXPECT_EQ(request.temperature, 0.2);
    EXPECT_EQ(request.reasoningEffort, "medium"); // -1: dynamic
    EXPECT_FALSE(request.thinkingBudget);
}

TEST(GeminiRequestDecode, ReadsMediaThoughtsSystemAndJsonSchema)
{
    const ir::Request request = decoded(geminiFixture("request_multimodal.json"));
    ASSERT_EQ(request.messages.size(), 3u);
    const ir::Message &user = request.messages[0];
    EXPECT_EQ(user.role, ir::Role::User); // no role: user
    ASSERT_EQ(user.parts.size(), 3u);     // executableCode dropped
    EXPECT_EQ(user.parts[1].kind, Kind::Image);
    EXPECT_EQ(user.parts[1].image.mediaType, "image/png");
    EXPECT_EQ(user.parts[1].image.data.substr(0, 8), "iVBORw0K");
    EXPECT_EQ(user.parts[2].image.url, "https://generativelanguage.googleapis.com/v1beta/files/abc-123");
    EXPECT_TRUE(user.parts[2].image.data.empty());

    const ir::Message &model = request.messages[1];
    ASSERT_EQ(model.parts.size(), 3u);
    EXPECT_EQ(model.parts[0].kind, Kind::Thinking);
    EXPECT_EQ(model.parts[0].signature, "EoUECoIEAWkUfRO7");
    EXPECT_EQ(model.parts[1].text, "The first is a single pixel; ");

    ASSERT_EQ(request.system.size(), 2u); // system_instruction, snake_case
    EXPECT_EQ(request.stop, (std::vector<std::string>{"END", "STOP"}));
    EXPECT_EQ(request.topP, 0.95);
    EXPECT_EQ(request.topK, 40);
    EXPECT_EQ(request.responseFormat, ir::ResponseFormat::JsonSchema);
    EXPECT_FALSE(request.jsonSchemaName.empty());
    EXPECT_TRUE(sameJson(request.jsonSchema, R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
        "properties":{"descriptions":{"type":"array","items":{"type":"string"}}},"required":["descriptions"],
        "additionalProperties":false})"));
    EXPECT_EQ(request.reasoningEffort, "low");
}

TEST(GeminiRequestDecode, MatchesResponsesByIdThenByEarliestUnansweredCall)
{
    const ir::Request request = decoded(R"({"contents":[
        {"role":"user","parts":[{"text":"go"}]},
        {"role":"model","parts":[{"functionCall":{"id":"a1","name":"f","args":{}}},{"functionCall":{"name":"f"}},
                                 {"functionCall":{"name":"g","args":{"x":[1,2]}}}]},
        {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"r":2}}},
                                {"functionResponse":{"id":"a1","name":"f","response":{"r":1}}},
                                {"functionResponse":{"name":"g","response":{"output":"ok"}}},
                                {"functionResponse":{"name":"h","response":{}}}]}]})");
    const ir::Message &calls = request.messages[1];
    const ir::Message &answers = request.messages[2];
    ASSERT_EQ(answers.parts.size(), 4u);
    EXPECT_EQ(calls.parts[1].arguments, "{}");
    EXPECT_EQ(answers.parts[0].id, "a1"); // the earliest f not yet answered
    EXPECT_EQ(answers.parts[1].id, "a1");
    EXPECT_EQ(answers.parts[2].id, calls.parts[2].id);
    EXPECT_FALSE(answers.parts[3].id.empty()); // answers no call: an id of its own
    EXPECT_NE(answers.parts[3].id, calls.parts[1].id);
}

TEST(GeminiRequestDecode, LaterResponsesAnswerLaterCallsOfTheSameFunction)
{
    const ir::Request request = decoded(R"({"contents":[
        {"role":"model","parts":[{"functionCall":{"name":"f"}}]},
        {"role":"function","parts":[{"functionResponse":{"name":"f","response":{"n":1}}}]},
        {"role":"model","parts":[{"functionCall":{"name":"f"}}]},
        {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"n":2}}}]}]})");
    ASSERT_EQ(request.messages.size(), 4u);
    EXPECT_EQ(request.messages[1].role, ir::Role::User);
    EXPECT_EQ(request.messages[1].parts[0].id, request.messages[0].parts[0].id);
    EXPECT_EQ(request.messages[3].parts[0].id, request.messages[2].parts[0].id);
}

TEST(GeminiRequestDecode, MatchesManyCallsInLinearTime)
{
    // 20 000 calls of 100 functions and their responses, none with an id: no quadratic scan.
    constexpr int kCalls = 20000;
    std::string calls, responses;
    for (int i = 0; i < kCalls; ++i) {
        const std::string name = "f" + std::to_string(i % 100);
        calls += std::string(i ? "," : "") + R"({"functionCall":{"name":")" + name + R"(","args":{"i":)" + std::to_string(i) + "}}}";
        responses += std::string(i ? "," : "") + R"({"functionResponse":{"name":")" + name + R"(","response":{"i":)"
            + std::to_string(i) + "}}}";
    }
    const ir::Request request = decoded(R"({"contents":[{"role":"model","parts":[)" + calls
                                        + R"(]},{"role":"user","parts":[)" + responses + "]}]}");
    ASSERT_EQ(request.messages.size(), 2u);
    ASSERT_EQ(request.messages[1].parts.size(), std::size_t(kCalls));
    for (int i = 0; i < kCalls; i += 997) {
        EXPECT_EQ(request.messages[1].parts[i].id, request.messages[0].parts[i].id) << i;
        EXPECT_EQ(request.messages[1].parts[i].content[0].text, R"({"i":)" + std::to_string(i) + "}");
    }
}

TEST(GeminiRequestDecode, ReadsMediaInsideAFunctionResponse)
{
    const ir::Request request = decoded(R"({"contents":[{"role":"user","parts":[{"functionResponse":{"name":"shot",
        "response":{"ok":true},"parts":[{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},{"text":"ignored"}]}}]}]})");
    const ir::Part &result = request.messages[0].parts[0];
    ASSERT_EQ(result.content.size(), 2u);
    EXPECT_EQ(result.content[0].text, R"({"ok":true})");
    EXPECT_EQ(result.content[1].kind, Kind::Image);
    EXPECT_EQ(result.content[1].image.mediaType, "image/png");
    rejection(R"({"contents":[{"role":"user","parts":[{"functionResponse":{"name":"shot","parts":[7]}}]}]})");
}

TEST(GeminiRequestDecode, MapsFunctionCallingModes)
{
    const auto mode = [](std::string_view config) {
        return decoded(R"({"contents":[{"parts":[{"text":"x"}]}],"toolConfig":{"functionCallingConfig":)"
                       + std::string(config) + "}}").toolChoice;
    };
    EXPECT_EQ(mode(R"({"mode":"AUTO"})").mode, ir::ToolChoice::Mode::Auto);
    EXPECT_EQ(mode(R"({"mode":"VALIDATED"})").mode, ir::ToolChoice::Mode::Auto);
    EXPECT_EQ(mode(R"({"mode":"NONE"})").mode, ir::ToolChoice::Mode::None);
    EXPECT_EQ(mode(R"({"mode":"ANY"})").mode, ir::ToolChoice::Mode::Required);
    EXPECT_EQ(mode(R"({"mode":"ANY","allowedFunctionNames":["a","b"]})").mode, ir::ToolChoice::Mode::Required);
    EXPECT_EQ(mode(R"({"mode":"ANY","allowed_function_names":["a"]})").name, "a");
    EXPECT_EQ(mode(R"({})").mode, ir::ToolChoice::Mode::Unset);
    rejection(R"({"contents":[{"parts":[{"text":"x"}]}],"toolConfig":{"functionCallingConfig":{"mode":"SOMETIMES"}}})");
}

TEST(GeminiRequestDecode, MapsThinkingBudgetsAndLevels)
{
    const auto config = [](std::string_view thinking) {
        return decoded(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"thinkingConfig":)"
                       + std::string(thinking) + "}}");
    };
    EXPECT_EQ(config(R"({"thinkingBudget":0})").thinkingBudget, 0);
    EXPECT_EQ(config(R"({"thinkingBudget":2048})").thinkingBudget, 2048);
    EXPECT_EQ(config(R"({"thinkingBudget":2048.0})").thinkingBudget, 2048);
    EXPECT_EQ(config(R"({"thinkingLevel":"high"})").reasoningEffort, "high");
    EXPECT_EQ(config(R"({"thinking_level":"MINIMAL"})").reasoningEffort, "minimal");
    EXPECT_TRUE(config(R"({"thinkingLevel":"THINKING_LEVEL_UNSPECIFIED"})").reasoningEffort.empty());
    rejection(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":-5}}})");
    rejection(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":1.5}}})");
}

TEST(GeminiRequestDecode, RewritesOpenApiResponseSchemaTypes)
{
    const ir::Request request = decoded(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{
        "responseMimeType":"application/json","responseSchema":{"type":"ARRAY","items":{"type":"OBJECT",
        "properties":{"type":{"type":"STRING","enum":["OBJECT"]},"n":{"type":"INTEGER","minimum":-1,"maximum":18446744073709551615}},
        "propertyOrdering":["type","n"]}}}})");
    EXPECT_EQ(request.responseFormat, ir::ResponseFormat::JsonSchema);
    // Only the values of "type" keywords change: a property named "type" and enum values stay.
    EXPECT_EQ(request.jsonSchema,
              R"({"type":"array","items":{"type":"object","properties":{"type":{"type":"string","enum":["OBJECT"]},)"
              R"("n":{"type":"integer","minimum":-1,"maximum":18446744073709551615}},"propertyOrdering":["type","n"]}})");
    EXPECT_EQ(decoded(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json"}})")
                  .responseFormat, ir::ResponseFormat::JsonObject);
    EXPECT_EQ(decoded(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"text/plain"}})")
                  .responseFormat, ir::ResponseFormat::Text);
}

TEST(GeminiRequestDecode, KeepsUnicodeAndLargeTexts)
{
    const std::string big(1 << 20, 'a');
    const ir::Request request = decoded(R"({"contents":[{"parts":[{"text":"h\u00e9 🙂 \u0000 \"q\""},{"text":")" + big
                                        + R"("}]}]})");
    ASSERT_EQ(request.messages[0].parts.size(), 2u);
    EXPECT_EQ(request.messages[0].parts[0].text, std::string("h\xc3\xa9 \xf0\x9f\x99\x82 ") + '\0' + " \"q\"");
    EXPECT_EQ(request.messages[0].parts[1].text.size(), big.size());
}

TEST(GeminiRequestDecode, DropsEmptyTextsAndMisplacedParts)
{
    const ir::Request request = decoded(R"({"contents":[
        {"role":"user","parts":[{"text":""},{"functionCall":{"name":"f"}},{"videoMetadata":{}}]},
        {"role":"model","parts":[{"functionResponse":{"name":"f","response":{}}},{"text":"ok"}]},
        {"role":"user"}]})");
    ASSERT_EQ(request.messages.size(), 1u); // an empty user turn, and a model turn of text
    EXPECT_EQ(request.messages[0].role, ir::Role::Assistant);
    EXPECT_EQ(request.messages[0].parts[0].text, "ok");
}

TEST(GeminiRequestDecode, RejectsMalformedBodiesNamingTheField)
{
    EXPECT_NE(rejection(""), "");
    EXPECT_NE(rejection("{"), "");
    EXPECT_NE(rejection("[]"), "");
    EXPECT_NE(rejection(R"("contents")"), "");
    EXPECT_NE(rejection("{}").find("contents"), std::string::npos);
    EXPECT_NE(rejection(R"({"contents":{}})").find("contents"), std::string::npos);
    EXPECT_NE(rejection(R"({"contents":[]})").find("contents"), std::string::npos);
    EXPECT_NE(rejection(R"({"contents":[{"parts":[{"text":"a"}]}],"contents":[]})").find("duplicate"), std::string::npos);
    EXPECT_NE(rejection(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{},"generation_config":{}})")
                  .find("duplicate"), std::string::npos);

    const auto field = [](std::string_view body, std::string_view expected) {
        const std::string message = rejection(body);
        EXPECT_NE(message.find(expected), std::string::npos) << message;
    };
    field(R"({"contents":[1]})", "contents[0]");
    field(R"({"contents":[{"role":1,"parts":[]}]})", "contents[0].role");
    field(R"({"contents":[{"role":"system","parts":[]}]})", "contents[0].role");
    field(R"({"contents":[{"parts":{}}]})", "contents[0].parts");
    field(R"({"contents":[{"parts":["hi"]}]})", "contents[0].parts[0]");
    field(R"({"contents":[{"parts":[{"text":1}]}]})", "contents[0].parts[0].text");
    field(R"({"contents":[{"parts":[{"text":"a","thought":"yes"}]}]})", "thought");
    field(R"({"contents":[{"parts":[{"text":"a","thoughtSignature":7}]}]})", "thoughtSignature");
    field(R"({"contents":[{"parts":[{"inlineData":{"mimeType":"image/png"}}]}]})", "inlineData.data");
    field(R"({"contents":[{"parts":[{"inlineData":"abc"}]}]})", "inlineData");
    field(R"({"contents":[{"parts":[{"fileData":{"fileUri":""}}]}]})", "fileData.fileUri");
    field(R"({"contents":[{"role":"model","parts":[{"functionCall":{"args":{}}}]}]})", "functionCall.name");
    field(R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":[1]}}]}]})", "functionCall.args");
    field(R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","id":3}}]}]})", "functionCall.id");
    field(R"({"contents":[{"parts":[{"functionResponse":{"response":{}}}]}]})", "functionResponse.name");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"systemInstruction":"be nice"})", "systemInstruction");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"systemInstruction":{"parts":[{"text":false}]}})", "systemInstruction.parts[0].text");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"tools":{}})", "tools");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"tools":[{"functionDeclarations":[{"description":"x"}]}]})",
          "tools[0].functionDeclarations[0].name");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"tools":[{"functionDeclarations":[{"name":"f","parameters":"{}"}]}]})",
          "parameters");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"toolConfig":[]})", "toolConfig");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"maxOutputTokens":"100"}})", "maxOutputTokens");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"maxOutputTokens":-1}})", "maxOutputTokens");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"temperature":"hot"}})", "temperature");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"topK":0.5}})", "topK");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"stopSequences":"END"}})", "stopSequences");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"stopSequences":[1]}})", "stopSequences");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":[]}})",
          "responseSchema");
    field(R"({"contents":[{"parts":[{"text":"a"}]}],"generationConfig":{"thinkingConfig":{"thinkingLevel":2}}})", "thinkingLevel");
}

TEST(GeminiRequestDecode, SurvivesDeepNesting)
{
    const std::string deep = std::string(5000, '[') + std::string(5000, ']');
    rejection(R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":)" + deep + "}}}]}]}");
    const std::string nested = std::string(200, '[') + std::string(200, ']');
    const ir::Request request =
        decoded(R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":)" + nested + "}}}]}]}");
    EXPECT_EQ(request.messages[0].parts[0].arguments, R"({"a":)" + nested + "}");
}

TEST(GeminiRequestEncode, RoundTripsAClientsFunctionCallingRequest)
{
    const ir::Request request = decoded(geminiFixture("request_function_calling.json"));
    const std::string body = codec.encodeRequest(request, RequestTarget{});
    EXPECT_TRUE(sameJson(body, geminiFixture("request_function_calling_encoded.json")));
    EXPECT_EQ(body.find("\"model\":"), std::string::npos);
    EXPECT_EQ(body.find("\"stream\":"), std::string::npos);
}

TEST(GeminiRequestEncode, WritesAnotherFormatsConversationAsGeminiTurns)
{
    ir::Request request;
    request.system = {text("Be brief."), text("Use tools.")};
    ir::Part image;
    image.kind = Kind::Image;
    image.image.url = "https://example.com/cat.PNG?size=large";
    ir::Part thinking;
    thinking.kind = Kind::Thinking;
    thinking.text = "hmm";
    thinking.signature = "sig-anthropic";
    ir::Part redacted;
    redacted.kind = Kind::RedactedThinking;
    redacted.text = "opaque";
    ir::Part failed = result("toolu_2", "disk full", true);
    failed.name = "write";
    ir::Part picture = result("toolu_1", "not json {");
    ir::Part shot;
    shot.kind = Kind::Image;
    shot.image.data = "R0lGODlhAQABAAAAACw=";
    picture.content.push_back(shot);
    request.messages = {
        message(ir::Role::User, {text("Look:"), image}),
        message(ir::Role::User, {text("and read the file.")}),
        message(ir::Role::Assistant, {thinking, redacted, text("Reading."),
                                      call("toolu_1", "read", R"({"path":"/a"})"),
                                      call(ir::idWithSignature("toolu_2", "c2ln"), "write", "{not json")}),
        message(ir::Role::User, {picture}),
        message(ir::Role::User, {failed, result(ir::idWithSignature("toolu_3", "x"), R"( {"ok":true} )")}),
        message(ir::Role::Assistant, {thinking}), // nothing Gemini takes: no turn of its own
        message(ir::Role::User, {text("Thanks")}),
    };
    const std::string body = codec.encodeRequest(request, RequestTarget{});
    EXPECT_TRUE(sameJson(body, R"({
      "contents": [
        {"role":"user","parts":[{"text":"Look:"},
          {"fileData":{"mimeType":"image/png","fileUri":"https://example.com/cat.PNG?size=large"}},
          {"text":"and read the file."}]},
        {"role":"model","parts":[{"text":"Reading."},
          {"functionCall":{"name":"read","args":{"path":"/a"}},"thoughtSignature":"skip_thought_signature_validator"},
          {"functionCall":{"name":"write","args":{}},"thoughtSignature":"c2ln"}]},
        {"role":"user","parts":[
          {"functionResponse":{"name":"read","response":{"result":"not json {"}}},
          {"inlineData":{"mimeType":"image/gif","data":"R0lGODlhAQABAAAAACw="}},
          {"functionResponse":{"name":"write","response":{"error":"disk full"}}},
          {"functionResponse":{"name":"unknown","response":{"ok":true}}},
          {"text":"Thanks"}]}
      ],
      "systemInstruction":{"parts":[{"text":"Be brief.\n\nUse tools."}]}
    })"));
}

TEST(GeminiRequestEncode, WritesToolsChoiceAndGenerationConfig)
{
    ir::Request request;
    request.messages = {message(ir::Role::User, {text("hi")})};
    request.tools = {{"lookup", "Looks things up", R"({"type":"object","properties":{"q":{"type":"string"}},"additionalProperties":false})"},
                     {"ping", "", ""}};
    request.toolChoice = {ir::ToolChoice::Mode::Named, "lookup"};
    request.maxTokens = 500;
    request.temperature = 0.7;
    request.topP = 1.0;
    request.topK = 3;
    request.stop = {"a", "b", "c", "d", "e", "f"};
    request.responseFormat = ir::ResponseFormat::JsonSchema;
    request.jsonSchema = R"({"type":"object"})";
    request.reasoningEffort = "high";
    request.parallelToolCalls = false;
    request.user = "u-1";
    EXPECT_TRUE(sameJson(codec.encodeRequest(request, RequestTarget{}), R"({
      "contents":[{"role":"user","parts":[{"text":"hi"}]}],
      "tools":[{"functionDeclarations":[
        {"name":"lookup","description":"Looks things up",
         "parametersJsonSchema":{"type":"object","properties":{"q":{"type":"string"}},"additionalProperties":false}},
        {"name":"ping"}]}],
      "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["lookup"]}},
      "generationConfig":{"maxOutputTokens":500,"temperature":0.7,"topP":1,"topK":3,"stopSequences":["a","b","c","d","e"],
        "responseMimeType":"application/json","responseJsonSchema":{"type":"object"},
        "thinkingConfig":{"thinkingBudget":24576,"includeThoughts":true}}
    })"));

    RequestTarget noReasoning;
    noReasoning.sendReasoning = false;
    EXPECT_EQ(codec.encodeRequest(request, noReasoning).find("thinkingConfig"), std::string::npos);

    const auto modeOf = [&](ir::ToolChoice::Mode mode) {
        request.toolChoice = {mode, {}};
        return jsonOf(codec.encodeRequest(request, RequestTarget{}))["toolConfig"_L1]["functionCallingConfig"_L1]["mode"_L1].toString();
    };
    EXPECT_EQ(modeOf(ir::ToolChoice::Mode::Auto), QStringLiteral("AUTO"));
    EXPECT_EQ(modeOf(ir::ToolChoice::Mode::Required), QStringLiteral("ANY"));
    EXPECT_EQ(modeOf(ir::ToolChoice::Mode::None), QStringLiteral("NONE"));
    request.tools.clear(); // a tool config without declarations is an error at Google
    EXPECT_EQ(codec.encodeRequest(request, RequestTarget{}).find("toolConfig"), std::string::npos);
}

TEST(GeminiRequestEncode, MapsReasoningToThinkingBudgets)
{
    const auto thinking = [](std::string effort, std::optional<qint64> budget) {
        ir::Request request;
        request.messages = {message(ir::Role::User, {text("hi")})};
        request.reasoningEffort = std::move(effort);
        request.thinkingBudget = budget;
        const QJsonDocument body = jsonOf(codec.encodeRequest(request, RequestTarget{}));
        return QJsonDocument(body["generationConfig"_L1]["thinkingConfig"_L1].toObject()).toJson(QJsonDocument::Compact).toStdString();
    };
    EXPECT_EQ(thinking("minimal", {}), R"({"includeThoughts":true,"thinkingBudget":512})");
    EXPECT_EQ(thinking("low", {}), R"({"includeThoughts":true,"thinkingBudget":1024})");
    EXPECT_EQ(thinking("medium", {}), R"({"includeThoughts":true,"thinkingBudget":8192})");
    EXPECT_EQ(thinking("", 0), R"({"thinkingBudget":0})");
    EXPECT_EQ(thinking("", 3000), R"({"includeThoughts":true,"thinkingBudget":3000})");
    EXPECT_EQ(thinking("", 100000), R"({"includeThoughts":true,"thinkingBudget":24576})");
    EXPECT_EQ(thinking("", {}), "{}");
}

TEST(GeminiRequestEncode, InlinesDataUrlsAndSniffsMissingMediaTypes)
{
    ir::Request request;
    ir::Part png, dataUrl, pdf;
    png.kind = dataUrl.kind = pdf.kind = Kind::Image;
    png.image.data = "iVBORw0KGgoAAAANSUhEUg==";
    dataUrl.image.url = "data:image/webp;base64,UklGRhwAAABXRUJQ";
    pdf.image.url = "https://example.com/paper.pdf#page=2";
    request.messages = {message(ir::Role::User, {png, dataUrl, pdf})};
    EXPECT_TRUE(sameJson(codec.encodeRequest(request, RequestTarget{}), R"({"contents":[{"role":"user","parts":[
        {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgoAAAANSUhEUg=="}},
        {"inlineData":{"mimeType":"image/webp","data":"UklGRhwAAABXRUJQ"}},
        {"fileData":{"mimeType":"application/pdf","fileUri":"https://example.com/paper.pdf#page=2"}}]}]})"));
}

TEST(GeminiCountTokens, WrapsTheRequestAndReadsTheTotal)
{
    ir::Request request = decoded(geminiFixture("request_function_calling.json"));
    const std::string body = geminiCountTokensBody(request, "gemini-2.5-flash");
    const QJsonDocument document = jsonOf(body);
    const QJsonObject inner = document["generateContentRequest"_L1].toObject();
    EXPECT_EQ(inner["model"_L1].toString(), QStringLiteral("models/gemini-2.5-flash"));
    EXPECT_EQ(inner["contents"_L1].toArray().size(), 3);
    EXPECT_TRUE(inner.contains(QStringLiteral("systemInstruction")));
    EXPECT_TRUE(inner.contains(QStringLiteral("tools")));
    EXPECT_FALSE(inner.contains(QStringLiteral("generationConfig")));
    EXPECT_EQ(document.object().size(), 1);
    EXPECT_EQ(jsonOf(geminiCountTokensBody(request, "models/gemini-2.5-pro"))["generateContentRequest"_L1]["model"_L1].toString(),
              QStringLiteral("models/gemini-2.5-pro"));

    EXPECT_EQ(geminiCountTokensResult(geminiFixture("count_tokens_response.json")), 31);
    EXPECT_EQ(geminiCountTokensResult(R"({"totalTokens":0})"), 0);
    EXPECT_EQ(geminiCountTokensResult(""), -1);
    EXPECT_EQ(geminiCountTokensResult("{"), -1);
    EXPECT_EQ(geminiCountTokensResult(R"({"totalTokens":"31"})"), -1);
    EXPECT_EQ(geminiCountTokensResult(R"({"totalTokens":-3})"), -1);
    EXPECT_EQ(geminiCountTokensResult(geminiFixture("error_rate_limit.json")), -1);
}

} // namespace
