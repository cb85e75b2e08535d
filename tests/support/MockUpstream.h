// SPDX-License-Identifier: GPL-3.0-or-later
// A mock LLM provider for integration tests: speaks OpenAI's (Chat Completions and the Responses
// API), Anthropic's and Gemini's wire shapes on one 127.0.0.1:<ephemeral> port from its own
// thread, records every request, scripts tool-calling model behaviour and injects faults on
// demand. It is written apart from Tarn's translators (it never links tarn_formats), so
// end-to-end tests through them check something.
//
// Routes (by path; the query string is ignored unless said):
//   OpenAI    POST /v1/chat/completions, /v1/completions, /v1/embeddings; GET /v1/models
//   Responses POST /v1/responses ("stream": true streams; like the chat route, any prefix
//             before /responses is accepted)
//   Anthropic POST /v1/messages ("stream": true streams), POST /v1/messages/count_tokens
//   Gemini    POST /v1beta/models/{model}:generateContent, :streamGenerateContent (?alt=sse: SSE,
//             else a streamed JSON array), :countTokens
//   anything else: 404 in the format the path suggests.
//
// Deterministic answers (MockScript.cpp; MockOpenAi.cpp, MockResponses.cpp, MockAnthropic.cpp,
// MockGemini.cpp):
//   reply words   "Hello", " from", " the", " mock", " upstream", then repeating; `chunks` words,
//                 one per stream delta (Gemini: one chunk per word).
//   prompt P = floor(B / 4) + 7, B = UTF-8 bytes of the request text, strings in arrays summed:
//                 OpenAI chat: every message's content (text parts of array contents included,
//                 tool messages too); completions: prompt; embeddings: input.
//                 Anthropic: system (string or text blocks) + every message's content (string,
//                 text blocks, and tool_result contents' text).
//                 Gemini: systemInstruction parts' text + every content's text parts (thought
//                 parts included; functionCall/functionResponse parts count 0).
//                 Responses: instructions + input (a string, or items: messages' string contents
//                 and input_text/output_text parts, function_call_output/custom_tool_call_output
//                 outputs; function_call and reasoning items count 0).
//                 So P is the same whichever format a plain-text conversation is written in.
//   visible completion C = number of text deltas (`chunks`, default 5; a toolLoop "Done: …" answer:
//                 its space-separated pieces); for tool calls the number of argument fragments:
//                 5 for the automatic call (arguments {"query":"mock"} in 5 fragments), else
//                 min(3, bytes) per call; 0 for embeddings.
//   reasoning R = MockBehaviour::reasoningTokens (0 by default).
//   cached K = min(MockBehaviour::cachedTokens, P).
//   OpenAI    usage {prompt_tokens P, completion_tokens C+R, total_tokens P+C+R,
//             prompt_tokens_details.cached_tokens K, completion_tokens_details.reasoning_tokens R};
//             id "chatcmpl-mock<seq>"; tool call ids "call_mock<seq>" (automatic call) or
//             "call_mock<seq>_<i>"; finish_reason "stop" / "tool_calls".
//   Anthropic id "msg_mock<seq>", model = the request's; usage {input_tokens P−K,
//             cache_creation_input_tokens 0, cache_read_input_tokens K, output_tokens C+R};
//             stream: message_start (output_tokens 1), content_block_start, ping (after the first
//             block start, as the API sends it), deltas, content_block_stop, …, message_delta
//             (stop_reason, usage.output_tokens C+R), message_stop. Blocks: thinking (signature
//             "mocksig"), then text or tool_use (ids "toolu_mock<seq>_<i>"); stop_reason
//             "end_turn" / "tool_use".
//   Gemini    responseId "mock<seq>", modelVersion = the model in the URL; usageMetadata
//             {promptTokenCount P, candidatesTokenCount C, totalTokenCount P+C+R,
//             cachedContentTokenCount K (when K > 0), thoughtsTokenCount R (when R > 0)};
//             finishReason "STOP" (tool calls too); functionCall parts carry thoughtSignature
//             "sig-<i>" and, with geminiCallIds, id "fc_mock<seq>_<i>". Stream events end
//             "\r\n\r\n" as Google's do; usage and finishReason ride on the last chunk only.
//   Responses id "resp_mock<seq>", object "response", model = the request's, status "completed"
//             (tool calls too), request settings echoed (instructions, store, tools, …); usage
//             {input_tokens P, input_tokens_details.cached_tokens K, output_tokens C+R,
//             output_tokens_details.reasoning_tokens R, total_tokens P+C+R}. Output items:
//             reasoning "rs_mock<seq>" (summary_text; encrypted_content "mockenc" when the
//             request's include asks for reasoning.encrypted_content), message "msg_mock<seq>"
//             (one output_text part, annotations []), function_call items id "fc_mock<seq>_<i>"
//             with call_id as OpenAI's tool call ids; a call to a declared custom tool is a
//             custom_tool_call "ctc_mock<seq>_<i>" whose input is the scripted arguments'
//             "input" string (else their text), streamed as custom_tool_call_input.delta (about
//             three pieces) and .done. Stream: "event: <type>" + data carrying
//             type and sequence_number (from 0): response.created, response.in_progress, per item
//             output_item.added, (reasoning_summary_part.added, reasoning_summary_text.delta…,
//             .done, reasoning_summary_part.done | content_part.added, output_text.delta per
//             word, output_text.done, content_part.done | function_call_arguments.delta per
//             fragment, .done), output_item.done; then response.completed (output and usage).
//             No [DONE]. Errors: OpenAI's error body.
//   count tokens Anthropic {"input_tokens": P}; Gemini {"totalTokens": P}.
//   Tools: when the request declares tools and nothing is scripted, every format answers with one
//   call to the first declared tool, arguments {"query":"mock"} (toolCallWhenToolsDeclared).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QThread>

#include <memory>
#include <utility>

namespace tarn::test {

using MockHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct MockRequest
{
    QByteArray method, path; // path includes the query string, e.g. "/v1/chat/completions"
    MockHeaders headers;
    QByteArray body;         // de-chunked
    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent
    QJsonObject json() const;                     // body parsed as a JSON object (empty if not)
    QByteArray format() const; // "openai", "responses", "anthropic" or "gemini", from the path
};

// A tool call the mock model makes (MockBehaviour::toolCalls).
struct MockToolCall
{
    QByteArray name;
    QByteArray argumentsJson; // a JSON object text, sent byte for byte ("" = "{}")
};

struct MockBehaviour
{
    int status = 200;             // >= 300 without `body`: an error in the path's format
    QByteArray body;              // raw body override (empty: generate the answer)
    MockHeaders headers;          // extra headers, e.g. Retry-After (a Content-Type here wins)
    int delayMs = 0;              // before the response head
    int chunkDelayMs = 0;         // between stream chunks
    bool hang = false;            // accept, read the request, never answer
    bool truncateStream = false;  // send half the SSE events then close the connection abruptly
    bool closeWithoutResponse = false;
    // Extensions:
    int cachedTokens = 0;         // prompt_tokens_details.cached_tokens (clamped to P)
    int chunks = 5;               // content deltas in a stream (= words in the reply)
    bool closeDelimited = false;  // stream/answer without Content-Length or chunking, then close
    QList<QByteArray> rawEvents;  // stream these raw body pieces instead (one write each)
    // Adversarial extensions (defaults keep the behaviour above):
    QByteArray eventSeparator;    // generated SSE events end with this instead of "\n\n"
                                  // (e.g. "\r\n\r\n" or "\r\r"); rawEvents are sent as given
    int silenceAfterEvents = -1;  // >= 0: after that many stream pieces, go quiet for silenceMs
    int silenceMs = 0;
    int streamEventsBeforeClose = -1; // >= 0: a stream sends its head and that many pieces, then
                                      // closes (FIN, no last chunk: everything sent arrives);
                                      // 0 = the stream dies before its first event
    // Scripted model behaviour, every format (defaults off):
    QList<MockToolCall> toolCalls; // answer with these calls (parallel when 2+), stop reason
                                   // tool_calls / tool_use / STOP (Responses: function_call
                                   // items, status completed); streams fragment the arguments
    bool toolLoop = false;         // an agent's turn: if the latest tool result (OpenAI role
                                   // "tool", Anthropic tool_result, Gemini functionResponse,
                                   // Responses function_call_output) is not
                                   // followed by a user message, answer "Done: <its text, first
                                   // 200 bytes>"; otherwise call `toolCalls`, or the first declared
                                   // tool with {"command":"echo tarn-e2e"} (fits Claude Code's Bash)
    bool toolCallWhenToolsDeclared = true; // unscripted requests declaring tools get a tool call
    bool geminiCallIds = false;    // Gemini functionCall parts carry an "id"
    QByteArray thinking;           // reasoning text sent before the answer (OpenAI
                                   // reasoning_content, Anthropic thinking block, Gemini thought,
                                   // Responses reasoning item's summary)
    int reasoningTokens = 0;       // R in the usage rules above
    // Request checks of the new formats (the real APIs refuse these requests too):
    bool requireAnthropicKey = true;     // no x-api-key: 401 authentication_error
    bool requireAnthropicVersion = true; // no anthropic-version: 400 invalid_request_error
    bool requireGeminiKey = true;        // no x-goog-api-key nor ?key=: 403 PERMISSION_DENIED
    bool strictRequests = true;  // Anthropic: model, max_tokens and non-empty messages required;
                                 // Gemini: non-empty contents required (else 400)
};

namespace detail {
struct MockState;
class MockServer;
} // namespace detail

class MockUpstream
{
public:
    MockUpstream();  // starts its thread and listens on 127.0.0.1:0
    ~MockUpstream(); // stops listening, drops connections, joins the thread
    MockUpstream(const MockUpstream &) = delete;
    MockUpstream &operator=(const MockUpstream &) = delete;

    quint16 port() const;
    QString baseUrl() const;          // "http://127.0.0.1:PORT/v1"
    QString anthropicBaseUrl() const; // "http://127.0.0.1:PORT" (requests go to /v1/messages)
    QString geminiBaseUrl() const;    // "http://127.0.0.1:PORT" (requests go to /v1beta/models/…)

    void pushBehaviour(MockBehaviour b); // queue: consumed one per request, then the default
    void setDefaultBehaviour(MockBehaviour b);
    void clearBehaviours();              // drops queued behaviours, default back to MockBehaviour{}

    QList<MockRequest> requests() const; // everything received so far, in arrival order
    MockRequest lastRequest() const;     // empty when none
    int requestCount() const;
    void clearRequests();
    bool waitForRequests(int n, int timeoutMs); // spins the caller's event loop, bounded

    int openConnections() const;
    int totalConnections() const;
    bool waitForDisconnect(int timeoutMs); // true once a peer closed a connection since last call
    int abortedStreams() const;            // streams whose client went away before the end
                                           // (including before the mock's queued bytes left)
    int completedStreams() const;          // streams whose last piece the mock has written

private:
    std::unique_ptr<detail::MockState> m_state;
    std::unique_ptr<QThread> m_thread;
    detail::MockServer *m_server = nullptr; // lives in m_thread
    quint16 m_port = 0;
};

} // namespace tarn::test
