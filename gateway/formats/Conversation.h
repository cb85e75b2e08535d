// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The one internal representation every wire format translates to and from (see Codec.h). It is
// a superset of what OpenAI Chat Completions, Anthropic Messages and Gemini generateContent can
// say about a chat turn: what one format has and another lacks (thinking signatures, Gemini's
// thoughtSignature, cache_control) travels through it, and each encoder maps or drops it.
// Strings are UTF-8; JSON-valued fields hold compact JSON text.
namespace tarn::gateway::ir {

enum class Role { User, Assistant };

// Inline or linked media: images, and documents such as PDFs (mediaType says which).
struct Image
{
    std::string mediaType; // "image/png"; may be empty for a URL
    std::string data;      // base64, without the "data:…;base64," prefix; empty for a URL
    std::string url;       // http(s) URL; empty when data is set
};

struct Part
{
    enum class Kind { Text, Image, Thinking, RedactedThinking, ToolCall, ToolResult };
    Kind kind = Kind::Text;
    std::string text;         // Text, Thinking; RedactedThinking: the opaque `data`
    std::string signature;    // Thinking: its signature; ToolCall: Gemini's thoughtSignature
    Image image;              // Image
    std::string id;           // ToolCall: the call's id; ToolResult: the id of the call it answers
    std::string name;         // ToolCall: the function; ToolResult: the function, when known
    std::string arguments;    // ToolCall: the arguments as a JSON object text ("{}" when none)
    std::vector<Part> content; // ToolResult: its content (Text and Image parts)
    bool isError = false;     // ToolResult: the tool failed
    std::string cacheControl; // Anthropic cache_control object text; "" = none
    // ToolCall/ToolResult: a call to a custom (freeform) tool, as the Responses API has them. Its
    // raw input travels as arguments {"input": "<the text>"}, the shape every other format's
    // function call can carry; the Responses codec unwraps it.
    bool custom = false;
    // Thinking: `signature` is the Responses API's reasoning.encrypted_content, which only OpenAI
    // Responses channels can read (every other encoder drops such a part); `id` is the reasoning
    // item's id. Unset, a signature is Anthropic's.
    bool openAiEncrypted = false;
};

// System prompts are not messages (Request::system). Tool results are parts of a User message,
// as Anthropic has them; OpenAI's role "tool" messages and Gemini's functionResponse parts map
// to that.
struct Message
{
    Role role = Role::User;
    std::vector<Part> parts;
};

struct Tool
{
    std::string name;
    std::string description;
    std::string parameters; // JSON Schema object text; "" = none
    // A Responses API custom (freeform) tool: its calls carry one raw string, not JSON arguments.
    // Formats without them get a function whose one string parameter `input` carries it
    // (`parameters` says so); `format` keeps the tool's own format object text (a grammar) for
    // the formats that have custom tools.
    bool custom = false;
    std::string format = {};
};

struct ToolChoice
{
    enum class Mode { Unset, Auto, None, Required, Named };
    Mode mode = Mode::Unset;
    std::string name; // Named
};

enum class ResponseFormat { Text, JsonObject, JsonSchema };

struct Request
{
    std::string model;
    std::vector<Part> system; // Text parts
    std::vector<Message> messages;
    std::vector<Tool> tools;
    ToolChoice toolChoice;
    std::optional<bool> parallelToolCalls; // false: at most one call per turn
    std::optional<qint64> maxTokens;
    std::optional<double> temperature;
    std::optional<double> topP;
    std::optional<qint64> topK;
    std::vector<std::string> stop;
    bool stream = false;
    bool includeUsage = false; // OpenAI stream_options.include_usage as the client sent it
    ResponseFormat responseFormat = ResponseFormat::Text;
    std::string jsonSchema;     // JsonSchema: the schema object text
    std::string jsonSchemaName; // JsonSchema: its name
    // Reasoning as the client asked for it: an effort ("minimal", "low", "medium", "high") or a
    // token budget (0 = thinking explicitly off). Encoders map one onto the other.
    std::string reasoningEffort;
    std::optional<qint64> thinkingBudget;
    std::string user; // end-user id (OpenAI `user`, Anthropic metadata.user_id)
    std::string promptCacheKey; // the client's own cache key (OpenAI prompt_cache_key); routing
                                // keeps a conversation on one channel by it
    // Responses API: the stored response this one continues (resolved, and cleared, before the
    // request is routed), and whether the client lets it be stored (`store`, default true).
    std::string previousResponseId;
    bool store = true;
    // Responses API: the request's own `instructions` (also the first system part), which its
    // answers echo; system/developer input messages join `system` but are not instructions.
    std::string instructions;
};

enum class StopReason { Unknown, EndTurn, MaxTokens, StopSequence, ToolUse, ContentFilter, Refusal };

// Token counts with one meaning whatever the format: `input` is the whole prompt including
// cached and cache-written tokens (Anthropic's input_tokens excludes them: its codec adds them),
// `output` the whole completion including reasoning (Gemini's candidatesTokenCount excludes
// thoughts: its codec adds them).
struct Usage
{
    qint64 input = 0;
    qint64 output = 0;
    qint64 cacheRead = 0;
    qint64 cacheWrite = 0;
    qint64 reasoning = 0;
    bool reported = false;
};

// Token counts from upstreams are untrusted: clampTokens bounds one to [0, kMaxTokens] (negative
// counts become 0), addTokens adds two without overflow, the sum clamped the same way. Every codec
// decodes and combines counts through them, so no count anywhere exceeds kMaxTokens.
inline constexpr qint64 kMaxTokens = qint64(1) << 40;
qint64 clampTokens(qint64 count);
qint64 addTokens(qint64 a, qint64 b);

struct Response
{
    std::string id;
    std::string model;
    std::vector<Part> parts; // Text, Thinking, RedactedThinking, ToolCall
    StopReason stop = StopReason::Unknown;
    std::string stopSequence; // StopSequence: which one matched, when known
    Usage usage;
};

// An error with one meaning whatever the format; each codec maps kinds to its vocabulary.
enum class ErrorKind {
    InvalidRequest,  // 400 (also context too long: code "context_length_exceeded")
    Authentication,  // 401
    Permission,      // 403
    NotFound,        // 404
    RequestTooLarge, // 413
    RateLimit,       // 429 (quota exhausted too: code "insufficient_quota")
    Server,          // 500, 502
    Overloaded,      // 503, 529
    Timeout,         // 504
};

struct ApiError
{
    int status = 500;
    ErrorKind kind = ErrorKind::Server;
    std::string message;
    std::string code; // OpenAI-style code when known: "rate_limit_exceeded", "insufficient_quota",
                      // "context_length_exceeded", "invalid_api_key", "model_not_found"
};

// The kind a status means (400 → InvalidRequest, 429 → RateLimit, 529 → Overloaded, …), and the
// status a kind is answered with when it has none of its own.
ErrorKind errorKindForStatus(int status);
int statusForErrorKind(ErrorKind kind);

// An id for what an upstream did not name (Gemini function calls, answers without an id):
// prefix + 24 random base62 characters. setIdSeedForTests(seed) makes the sequence repeatable on
// the calling thread (golden files); seed 0 returns to random ids.
std::string newId(std::string_view prefix);
void setIdSeedForTests(quint64 seed);

// Gemini's thoughtSignature must come back with the function call it was issued on. OpenAI and
// Anthropic clients have no field for it, so it rides inside the call id they echo back:
// "<id>__thought__<the signature text, base64url without padding>" (ids stay [A-Za-z0-9_-]).
std::string idWithSignature(std::string_view id, std::string_view signature);
struct IdAndSignature
{
    std::string id;
    std::string signature; // "" when the id carried none
};
IdAndSignature splitIdAndSignature(std::string_view id);

// One step of a streamed answer. Decoders emit, in order: Start once; then parts, each as
// PartStart, any PartDeltas, PartStop, indexed 0, 1, 2… in the order they start; then Finish;
// nothing after Finish but an Error. Parts may overlap (a delta may address any started, unstopped
// part: OpenAI upstreams may interleave parallel tool calls); an encoder whose format needs one
// block at a time holds back a later part's events until the earlier one stops. An Error may come
// at any point and ends the stream.
struct StreamEvent
{
    // KeepAlive: the upstream said it is still there (an SSE comment, Anthropic's ping) and
    // nothing more; the client hears its own format's keep-alive, so a long silent phase (a
    // reasoning model thinking, a provider's queue) does not trip its idle timeout.
    enum class Kind { Start, PartStart, PartDelta, PartStop, Finish, Error, KeepAlive };
    Kind kind = Kind::Start;
    int index = -1;                 // PartStart, PartDelta, PartStop
    Part::Kind partKind = Part::Kind::Text; // PartStart: Text, Thinking, RedactedThinking, ToolCall
    std::string id;                 // Start: message id; PartStart(ToolCall): call id
    std::string model;              // Start
    std::string name;               // PartStart(ToolCall): function name
    std::string text;               // PartDelta: text / thinking text / argument JSON fragment;
                                    // PartStart(RedactedThinking): its data
    std::string signature;          // PartDelta(Thinking): signature; PartStart/PartDelta(ToolCall):
                                    // Gemini thoughtSignature
    bool custom = false;            // PartStart(ToolCall): a custom tool's call (see Part::custom)
    bool openAiEncrypted = false;   // PartDelta(Thinking): the signature is OpenAI's encrypted_content
    StopReason stop = StopReason::Unknown; // Finish
    std::string stopSequence;       // Finish
    Usage usage;                    // Start: input side if known; Finish: totals as known
    ApiError error;                 // Error
};

} // namespace tarn::gateway::ir
