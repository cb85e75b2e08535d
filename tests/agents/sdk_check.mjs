// SPDX-License-Identifier: GPL-3.0-or-later
//
// The official SDKs against Tarn (run by run_agents.sh; Tarn's only channel is mock_model.py).
// Each check runs a two-turn tool loop: the mock answers the first turn with one call to the
// declared tool get_weather {city: "tarn-test"} and, once the tool result is in the history,
// with text starting "DONE-sdk". Each check asserts what the SDK parsed, not just "no exception".
//
// Environment: TARN_ROOT (http://127.0.0.1:PORT), TARN_KEY (a client key),
// AGENTS_DIR (holds node_modules with @anthropic-ai/sdk, openai, @google/genai).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const ROOT = process.env.TARN_ROOT;
const KEY = process.env.TARN_KEY;
const MODEL = 'sdk-model';
const req = createRequire(path.join(process.env.AGENTS_DIR || '/tmp/agents', 'node_modules', 'x.js'));
const load = async (name) => import(pathToFileURL(req.resolve(name)).href);

const anthropicMod = await load('@anthropic-ai/sdk');
const openaiMod = await load('openai');
const genaiMod = await load('@google/genai');
const Anthropic = anthropicMod.Anthropic ?? anthropicMod.default;
const OpenAI = openaiMod.OpenAI ?? openaiMod.default;
const { GoogleGenAI } = genaiMod;

let failures = 0;
async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`PASS ${name}${detail ? ` (${detail})` : ''}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e?.message ?? e}`);
    console.error(`--- ${name}\n${e?.stack ?? e}`);
  }
}

const isDone = (text) => typeof text === 'string' && text.startsWith('DONE-sdk');
const USER = 'What is the weather? Use the tool.';
const WEATHER = 'sunny, 21 C';

// ---- Anthropic -------------------------------------------------------------------------------
const anthropic = new Anthropic({ baseURL: ROOT, apiKey: KEY, maxRetries: 0 });
const anthropicTool = {
  name: 'get_weather', description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function assertToolUse(msg) {
  assert.equal(msg.type, 'message');
  assert.equal(msg.role, 'assistant');
  assert.equal(msg.stop_reason, 'tool_use');
  const uses = msg.content.filter((b) => b.type === 'tool_use');
  assert.equal(uses.length, 1, `one tool_use block, got ${JSON.stringify(msg.content)}`);
  assert.equal(uses[0].name, 'get_weather');
  assert.deepEqual(uses[0].input, { city: 'tarn-test' });
  assert.match(uses[0].id, /\S/);
  assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0, `usage ${JSON.stringify(msg.usage)}`);
  return uses[0];
}
function assertAnthropicText(msg) {
  assert.equal(msg.stop_reason, 'end_turn');
  const text = msg.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
  assert.ok(isDone(text), `text ${JSON.stringify(text)}`);
  assert.ok(text.includes(WEATHER), 'the tool_result reached the model');
  assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0, `usage ${JSON.stringify(msg.usage)}`);
  return text;
}
const secondTurn = (first, use) => [
  { role: 'user', content: USER },
  { role: 'assistant', content: first.content },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: WEATHER }] },
];

await check('anthropic messages.create tool loop', async () => {
  const base = { model: MODEL, max_tokens: 256, tools: [anthropicTool] };
  const first = await anthropic.messages.create({ ...base, messages: [{ role: 'user', content: USER }] });
  const use = assertToolUse(first);
  const second = await anthropic.messages.create({ ...base, messages: secondTurn(first, use) });
  return `tool_use ${use.name}${JSON.stringify(use.input)} -> ${JSON.stringify(assertAnthropicText(second))}`;
});

await check('anthropic messages.stream tool loop', async () => {
  const base = { model: MODEL, max_tokens: 256, tools: [anthropicTool] };
  const s1 = anthropic.messages.stream({ ...base, messages: [{ role: 'user', content: USER }] });
  let json = '';
  s1.on('inputJson', (delta) => { json += delta; });
  const first = await s1.finalMessage();
  const use = assertToolUse(first);
  assert.deepEqual(JSON.parse(json), use.input, 'input_json_delta pieces add up to the input');
  const s2 = anthropic.messages.stream({ ...base, messages: secondTurn(first, use) });
  let streamed = '';
  s2.on('text', (t) => { streamed += t; });
  const second = await s2.finalMessage();
  const text = assertAnthropicText(second);
  assert.equal(streamed, text, 'text deltas add up to the final text');
  return `tool_use ${use.name}${JSON.stringify(use.input)} -> ${JSON.stringify(text)}`;
});

// ---- OpenAI ----------------------------------------------------------------------------------
const openai = new OpenAI({ baseURL: `${ROOT}/v1`, apiKey: KEY, maxRetries: 0 });
const chatTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: anthropicTool.input_schema },
};

await check('openai chat.completions.create tool loop', async () => {
  const messages = [{ role: 'user', content: USER }];
  const first = await openai.chat.completions.create({ model: MODEL, tools: [chatTool], messages });
  const c1 = first.choices[0];
  assert.equal(first.object, 'chat.completion');
  assert.equal(c1.finish_reason, 'tool_calls');
  assert.equal(c1.message.tool_calls?.length, 1, `tool_calls ${JSON.stringify(c1.message)}`);
  const call = c1.message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'tarn-test' });
  assert.ok(first.usage?.prompt_tokens > 0 && first.usage?.completion_tokens > 0, `usage ${JSON.stringify(first.usage)}`);
  const second = await openai.chat.completions.create({
    model: MODEL, tools: [chatTool],
    messages: [...messages, c1.message, { role: 'tool', tool_call_id: call.id, content: WEATHER }],
  });
  const c2 = second.choices[0];
  assert.equal(c2.finish_reason, 'stop');
  assert.ok(isDone(c2.message.content) && c2.message.content.includes(WEATHER), `content ${JSON.stringify(c2.message.content)}`);
  assert.ok(second.usage?.prompt_tokens > 0 && second.usage?.completion_tokens > 0, `usage ${JSON.stringify(second.usage)}`);
  return `${call.function.name}(${call.function.arguments}) -> ${JSON.stringify(c2.message.content)}`;
});

await check('openai chat.completions stream tool loop', async () => {
  const base = { model: MODEL, tools: [chatTool], stream_options: { include_usage: true } };
  const messages = [{ role: 'user', content: USER }];
  const s1 = openai.chat.completions.stream({ ...base, messages });
  const first = await s1.finalChatCompletion();
  const c1 = first.choices[0];
  assert.equal(c1.finish_reason, 'tool_calls');
  assert.equal(c1.message.tool_calls?.length, 1, `tool_calls ${JSON.stringify(c1.message)}`);
  const call = c1.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'tarn-test' });
  assert.match(call.id, /\S/);
  assert.ok(first.usage?.prompt_tokens > 0 && first.usage?.completion_tokens > 0, `usage ${JSON.stringify(first.usage)}`);
  const s2 = openai.chat.completions.stream({
    ...base,
    messages: [...messages, c1.message, { role: 'tool', tool_call_id: call.id, content: WEATHER }],
  });
  let streamed = '';
  s2.on('content', (d) => { streamed += d; });
  const second = await s2.finalChatCompletion();
  const c2 = second.choices[0];
  assert.equal(c2.finish_reason, 'stop');
  assert.ok(isDone(c2.message.content) && c2.message.content.includes(WEATHER), `content ${JSON.stringify(c2.message.content)}`);
  assert.equal(streamed, c2.message.content);
  assert.ok(second.usage?.prompt_tokens > 0 && second.usage?.completion_tokens > 0, `usage ${JSON.stringify(second.usage)}`);
  return `${call.function.name}(${call.function.arguments}) -> ${JSON.stringify(c2.message.content)}`;
});

const respTool = {
  type: 'function', name: 'get_weather', description: 'Weather for a city',
  parameters: anthropicTool.input_schema, strict: false,
};
function assertFunctionCall(resp) {
  assert.equal(resp.object, 'response');
  assert.equal(resp.status, 'completed');
  const calls = resp.output.filter((o) => o.type === 'function_call');
  assert.equal(calls.length, 1, `output ${JSON.stringify(resp.output)}`);
  assert.equal(calls[0].name, 'get_weather');
  assert.deepEqual(JSON.parse(calls[0].arguments), { city: 'tarn-test' });
  assert.match(calls[0].call_id, /\S/);
  assert.ok(resp.usage?.input_tokens > 0 && resp.usage?.output_tokens > 0, `usage ${JSON.stringify(resp.usage)}`);
  return calls[0];
}
function assertResponseText(resp) {
  assert.equal(resp.status, 'completed');
  const msg = resp.output.find((o) => o.type === 'message');
  assert.ok(msg, `a message item in ${JSON.stringify(resp.output)}`);
  assert.equal(msg.content[0].type, 'output_text');
  assert.ok(isDone(resp.output_text) && resp.output_text.includes(WEATHER), `output_text ${JSON.stringify(resp.output_text)}`);
  assert.ok(resp.usage?.input_tokens > 0 && resp.usage?.output_tokens > 0, `usage ${JSON.stringify(resp.usage)}`);
  return resp.output_text;
}

await check('openai responses.create tool loop (full history, then previous_response_id)', async () => {
  const input = [{ role: 'user', content: USER }];
  const first = await openai.responses.create({ model: MODEL, tools: [respTool], input });
  const call = assertFunctionCall(first);
  const output = { type: 'function_call_output', call_id: call.call_id, output: WEATHER };
  const second = await openai.responses.create({
    model: MODEL, tools: [respTool], input: [...input, ...first.output, output],
  });
  const text = assertResponseText(second);
  const chained = await openai.responses.create({
    model: MODEL, tools: [respTool], previous_response_id: first.id, input: [output],
  });
  assertResponseText(chained);
  return `${call.name}(${call.arguments}) -> ${JSON.stringify(text)}`;
});

await check('openai responses.stream tool loop', async () => {
  const input = [{ role: 'user', content: USER }];
  const s1 = openai.responses.stream({ model: MODEL, tools: [respTool], input });
  const types = new Set();
  let argDeltas = '';
  s1.on('event', (e) => types.add(e.type));
  s1.on('response.function_call_arguments.delta', (e) => { argDeltas += e.delta; });
  const first = await s1.finalResponse();
  const call = assertFunctionCall(first);
  for (const t of ['response.created', 'response.output_item.added', 'response.output_item.done', 'response.completed']) {
    assert.ok(types.has(t), `event ${t} missing; saw ${[...types].join(',')}`);
  }
  if (argDeltas) assert.equal(argDeltas, call.arguments, 'argument deltas add up to the arguments');
  const s2 = openai.responses.stream({
    model: MODEL, tools: [respTool],
    input: [...input, ...first.output, { type: 'function_call_output', call_id: call.call_id, output: WEATHER }],
  });
  let streamed = '';
  s2.on('response.output_text.delta', (e) => { streamed += e.delta; });
  const second = await s2.finalResponse();
  const text = assertResponseText(second);
  assert.equal(streamed, text, 'output_text deltas add up to output_text');
  return `${call.name}(${call.arguments}) -> ${JSON.stringify(text)}`;
});

// ---- Google GenAI ----------------------------------------------------------------------------
const genai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: ROOT } });
const genaiConfig = {
  tools: [{
    functionDeclarations: [{
      name: 'get_weather', description: 'Weather for a city',
      parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
    }],
  }],
};
const userContent = { role: 'user', parts: [{ text: USER }] };
function assertFunctionCallParts(calls, usage) {
  assert.equal(calls?.length, 1, `functionCalls ${JSON.stringify(calls)}`);
  assert.equal(calls[0].name, 'get_weather');
  assert.deepEqual(calls[0].args, { city: 'tarn-test' });
  assert.ok(usage?.promptTokenCount > 0 && usage?.candidatesTokenCount > 0, `usageMetadata ${JSON.stringify(usage)}`);
  return calls[0];
}
const functionResponseTurn = (modelContent, call) => [
  userContent,
  modelContent,
  { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { output: WEATHER } } }] },
];

await check('genai generateContent tool loop', async () => {
  const first = await genai.models.generateContent({ model: MODEL, contents: [userContent], config: genaiConfig });
  const call = assertFunctionCallParts(first.functionCalls, first.usageMetadata);
  const modelContent = first.candidates[0].content;
  assert.equal(modelContent.role, 'model');
  const second = await genai.models.generateContent({
    model: MODEL, contents: functionResponseTurn(modelContent, call), config: genaiConfig,
  });
  assert.ok(isDone(second.text) && second.text.includes(WEATHER), `text ${JSON.stringify(second.text)}`);
  assert.equal(second.candidates[0].finishReason, 'STOP');
  assert.ok(second.usageMetadata?.promptTokenCount > 0 && second.usageMetadata?.candidatesTokenCount > 0);
  return `${call.name}${JSON.stringify(call.args)} -> ${JSON.stringify(second.text)}`;
});

await check('genai generateContentStream tool loop', async () => {
  const calls = [];
  const parts = [];
  let usage;
  for await (const chunk of await genai.models.generateContentStream({
    model: MODEL, contents: [userContent], config: genaiConfig,
  })) {
    if (chunk.functionCalls) calls.push(...chunk.functionCalls);
    parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
    if (chunk.usageMetadata) usage = chunk.usageMetadata;
  }
  const call = assertFunctionCallParts(calls, usage);
  let text = '';
  let finish;
  usage = undefined;
  for await (const chunk of await genai.models.generateContentStream({
    model: MODEL, contents: functionResponseTurn({ role: 'model', parts }, call), config: genaiConfig,
  })) {
    text += chunk.text ?? '';
    finish = chunk.candidates?.[0]?.finishReason ?? finish;
    if (chunk.usageMetadata) usage = chunk.usageMetadata;
  }
  assert.ok(isDone(text) && text.includes(WEATHER), `text ${JSON.stringify(text)}`);
  assert.equal(finish, 'STOP');
  assert.ok(usage?.promptTokenCount > 0 && usage?.candidatesTokenCount > 0, `usageMetadata ${JSON.stringify(usage)}`);
  return `${call.name}${JSON.stringify(call.args)} -> ${JSON.stringify(text)}`;
});

process.exitCode = failures ? 1 : 0;
