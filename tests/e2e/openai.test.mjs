// End to end: the official `openai` npm package drives the built `llmgw serve`, which
// talks to a fake OpenAI upstream (support/fake_openai.mjs). Every answer goes the whole
// way: SDK → daemon → Gateway → upstream and back, and the SDK parses what llmgw sends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import OpenAI from 'openai';

import {
  embeddingValue,
  fakeImageBytes,
  k_long_retry_after,
  k_tool_arguments,
  startFakeOpenAI,
} from './support/fake_openai.mjs';
import { freshUser, runLlmgw, startServe } from './support/llmgw.mjs';

const k_provider_key = 'sk-e2e-provider-key-for-the-fake-1234';
const k_model = 'gpt-4o-mini';

// What the SDK sent through the counting fetch below: each POST is one ledger row.
const sdk = { requests: 0, errors: 0 };
async function countingFetch(url, init) {
  const response = await fetch(url, init);
  if (init?.method === 'POST') {
    sdk.requests += 1;
    if (response.status >= 400) sdk.errors += 1;
  }
  return response;
}

let fake;
let user;
let daemon;
let client; // the SDK's defaults (it retries on its own)
let strict; // maxRetries: 0, so an error the daemon passes on reaches the test as is

before(async () => {
  fake = await startFakeOpenAI();
  user = freshUser({ OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: k_provider_key });
  daemon = await startServe(user);
  client = new OpenAI({ baseURL: daemon.baseURL, apiKey: 'unused', fetch: countingFetch });
  strict = new OpenAI({
    baseURL: daemon.baseURL,
    apiKey: 'unused',
    maxRetries: 0,
    fetch: countingFetch,
  });
});

after(async () => {
  await daemon?.stop(); // already stopped by the last test, unless it failed earlier
  await fake?.close();
  user?.remove();
});

// Every test has a bound, so a hang fails instead of stalling the run.
const e2e = (name, fn) => test(name, { timeout: 20_000 }, fn);

const userSays = (content) => [{ role: 'user', content }];

// The daemon's chat requests to the fake whose last user message is `prompt`.
function upstreamChats(prompt) {
  return fake.calls('/v1/chat/completions').filter((r) => {
    const users = (r.body?.messages ?? []).filter((m) => m.role === 'user');
    return users.length > 0 && users[users.length - 1].content === prompt;
  });
}

// Runs `call`, which must throw; returns the error after checking its class.
async function rejection(call, errorClass) {
  let caught = null;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== null, `expected ${errorClass.name}, but the call succeeded`);
  assert.ok(
    caught instanceof errorClass,
    `expected ${errorClass.name}, got ${caught?.constructor?.name}: ${caught}`,
  );
  return caught;
}

// A chat completion through `strict` (no SDK retries) that must fail with `errorClass`.
const chatRejection = (request, errorClass) =>
  rejection(() => strict.chat.completions.create({ model: k_model, ...request }), errorClass);

e2e("chat, whole: content, usage, and llmgw's cost and provider", async () => {
  const prompt = 'Say hello to the SDK';
  const { data, response } = await client.chat.completions
    .create({ model: k_model, messages: userSays(prompt) })
    .withResponse();
  assert.equal(response.status, 200);
  assert.equal(data.object, 'chat.completion');
  assert.equal(data.model, k_model);
  assert.equal(data.choices.length, 1);
  assert.equal(data.choices[0].message.role, 'assistant');
  assert.equal(data.choices[0].message.content, `fake: ${prompt}`);
  assert.equal(data.choices[0].finish_reason, 'stop');
  // The fake counts words: 5 in the prompt, 6 in the answer.
  assert.equal(data.usage.prompt_tokens, 5);
  assert.equal(data.usage.completion_tokens, 6);
  assert.equal(data.usage.total_tokens, 11);
  assert.equal(data.provider, 'openai');
  assert.equal(typeof data.cost, 'number');
  assert.ok(data.cost > 0, `gpt-4o-mini is priced, so the cost is above 0, got ${data.cost}`);
  assert.ok(Number.isInteger(data.response_time_ms));

  // The headers say the same, and the request id is the SDK's too.
  assert.equal(response.headers.get('x-llmgw-provider'), 'openai');
  assert.equal(response.headers.get('x-llmgw-model'), k_model);
  assert.equal(response.headers.get('x-llmgw-cache'), 'miss');
  assert.equal(response.headers.get('x-llmgw-attempts'), '1');
  assert.ok(Math.abs(Number(response.headers.get('x-llmgw-cost-usd')) - data.cost) < 1e-9);
  assert.match(response.headers.get('x-request-id'), /^req_[0-9a-f]{24}$/);
  assert.equal(data._request_id, response.headers.get('x-request-id'));

  // What went upstream: llmgw's provider key (never the SDK's "unused"), the model, the
  // conversation.
  const sent = upstreamChats(prompt);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].headers.authorization, `Bearer ${k_provider_key}`);
  assert.equal(sent[0].body.model, k_model);
  assert.deepEqual(sent[0].body.messages, userSays(prompt));
});

e2e('chat, whole: the raw response body carries cost and provider', async () => {
  const response = await client.chat.completions
    .create({ model: k_model, messages: userSays('raw body please') })
    .asResponse();
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^application\/json/);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const body = await response.json();
  assert.equal(body.choices[0].message.content, 'fake: raw body please');
  assert.equal(body.provider, 'openai');
  assert.equal(typeof body.cost, 'number');
  assert.ok(body.cost > 0);
});

e2e(
  'chat, streamed with include_usage: the text reassembles and the last chunk has usage',
  async () => {
    const prompt = 'stream these five words';
    const stream = await client.chat.completions.create({
      model: k_model,
      messages: userSays(prompt),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(
      chunks.length >= 4,
      `a role chunk, words, a finish chunk and usage; got ${chunks.length}`,
    );
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, `fake: ${prompt}`);
    for (const chunk of chunks) assert.equal(chunk.object, 'chat.completion.chunk');
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.equal(finishes.length, 1);
    assert.equal(finishes[0].choices[0].finish_reason, 'stop');

    const last = chunks[chunks.length - 1];
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.prompt_tokens, 4);
    assert.equal(last.usage.completion_tokens, 5);
    assert.equal(last.usage.total_tokens, 9);
    assert.equal(last.provider, 'openai');
    assert.ok(last.cost > 0);
    // Only the last chunk has usage.
    for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.usage == null);

    const sent = upstreamChats(prompt);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].body.stream, true);
    assert.equal(sent[0].body.stream_options?.include_usage, true);
  },
);

e2e(
  'chat, streamed without include_usage: no usage chunk, and the SSE ends with [DONE]',
  async () => {
    const response = await client.chat.completions
      .create({ model: k_model, messages: userSays('no usage wanted'), stream: true })
      .asResponse();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(response.headers.get('x-llmgw-provider'), 'openai');
    assert.equal(response.headers.get('x-llmgw-model'), k_model);
    assert.equal(response.headers.get('x-llmgw-cache'), 'miss');
    const body = await response.text();
    assert.ok(
      body.endsWith('data: [DONE]\n\n'),
      `the stream ends with [DONE]: ${JSON.stringify(body.slice(-80))}`,
    );
    const payloads = body
      .split('\n\n')
      .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
      .map((event) => JSON.parse(event.slice(6)));
    assert.ok(payloads.length >= 3);
    for (const chunk of payloads) {
      assert.equal(chunk.choices.length, 1, 'no choices: [] usage chunk when it was not asked for');
    }
    const text = payloads.map((c) => c.choices[0].delta?.content ?? '').join('');
    assert.equal(text, 'fake: no usage wanted');
  },
);

const k_weather_tool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city'],
    },
  },
};

e2e('tool calls: the SDK parses the call, and a second turn sends the tool result', async () => {
  const prompt = 'What is the weather in Paris?';
  const first = await client.chat.completions.create({
    model: k_model,
    messages: userSays(prompt),
    tools: [k_weather_tool],
  });
  const choice = first.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.equal(call.id, 'call_fake_1');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), k_tool_arguments);
  // The tools reached the upstream as sent.
  assert.deepEqual(upstreamChats(prompt)[0].body.tools, [k_weather_tool]);

  const conversation = [
    ...userSays(prompt),
    choice.message,
    { role: 'tool', tool_call_id: call.id, content: '18 degrees and sunny' },
  ];
  const second = await client.chat.completions.create({
    model: k_model,
    messages: conversation,
    tools: [k_weather_tool],
  });
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.equal(second.choices[0].message.content, 'fake: the tool said 18 degrees and sunny');
  const sent = upstreamChats(prompt);
  assert.equal(sent.length, 2);
  const [, assistant, tool] = sent[1].body.messages;
  assert.equal(assistant.role, 'assistant');
  assert.equal(assistant.tool_calls[0].id, call.id);
  assert.equal(assistant.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), k_tool_arguments);
  assert.deepEqual(tool, { role: 'tool', tool_call_id: call.id, content: '18 degrees and sunny' });
});

e2e("tool calls, streamed: the SDK's stream helper joins the argument fragments", async () => {
  const stream = client.chat.completions.stream({
    model: k_model,
    messages: userSays('Weather in Paris, streamed?'),
    tools: [k_weather_tool],
    stream_options: { include_usage: true },
  });
  const final = await stream.finalChatCompletion();
  const choice = final.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  assert.equal(choice.message.tool_calls[0].id, 'call_fake_1');
  assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(choice.message.tool_calls[0].function.arguments), k_tool_arguments);
  assert.ok(final.usage.completion_tokens > 0);
});

e2e("embeddings: the SDK's default (base64, decoded by the SDK)", async () => {
  const input = ['first text', 'the second text'];
  const { data, response } = await client.embeddings
    .create({ model: 'text-embedding-3-small', input })
    .withResponse();
  const sent = fake.calls('/v1/embeddings').at(-1);
  assert.equal(sent.body.encoding_format, 'base64', 'the SDK asks for base64 when not told');
  assert.deepEqual(sent.body.input, input);
  assert.equal(data.object, 'list');
  assert.equal(data.data.length, 2);
  for (const [i, item] of data.data.entries()) {
    assert.equal(item.index, i);
    assert.deepEqual(
      item.embedding,
      [0, 1, 2, 3].map((j) => embeddingValue(i, j)),
    );
  }
  assert.equal(data.usage.prompt_tokens, 5);
  assert.equal(data.provider, 'openai');
  assert.equal(typeof data.cost, 'number');
  assert.equal(response.headers.get('x-llmgw-provider'), 'openai');
  assert.equal(response.headers.get('x-llmgw-model'), 'text-embedding-3-small');
});

e2e('embeddings: encoding_format float and base64, as asked', async () => {
  const floats = await client.embeddings.create({
    model: 'text-embedding-3-small',
    input: 'one input',
    encoding_format: 'float',
    dimensions: 3,
  });
  assert.equal(fake.calls('/v1/embeddings').at(-1).body.encoding_format, 'float');
  assert.equal(fake.calls('/v1/embeddings').at(-1).body.dimensions, 3);
  assert.deepEqual(
    floats.data[0].embedding,
    [0, 1, 2].map((j) => embeddingValue(0, j)),
  );

  const encoded = await client.embeddings.create({
    model: 'text-embedding-3-small',
    input: 'one input',
    encoding_format: 'base64',
  });
  const text = encoded.data[0].embedding;
  assert.equal(typeof text, 'string', 'asked for base64, the SDK leaves it as the string');
  const bytes = Buffer.from(text, 'base64');
  assert.equal(bytes.length, 4 * 4);
  const values = Array.from({ length: 4 }, (_, j) => bytes.readFloatLE(4 * j));
  assert.deepEqual(
    values,
    [0, 1, 2, 3].map((j) => embeddingValue(0, j)),
  );
});

e2e('images: b64_json and url', async () => {
  const prompt = 'a lighthouse at dusk';
  const b64 = await client.images.generate({
    model: 'dall-e-3',
    prompt,
    response_format: 'b64_json',
  });
  assert.equal(b64.data.length, 1);
  assert.deepEqual(Buffer.from(b64.data[0].b64_json, 'base64'), fakeImageBytes(0, prompt));
  assert.equal(b64.provider, 'openai');
  assert.ok(Number.isInteger(b64.created));

  const urls = await client.images.generate({
    model: 'dall-e-2',
    prompt,
    n: 2,
    response_format: 'url',
  });
  assert.equal(urls.data.length, 2);
  assert.deepEqual(
    urls.data.map((d) => d.url),
    ['https://images.fake.test/0.png', 'https://images.fake.test/1.png'],
  );
  assert.equal(urls.data[0].revised_prompt, `fake: ${prompt}`);
  const sent = fake.calls('/v1/images/generations').at(-1);
  assert.equal(sent.body.n, 2);
  assert.equal(sent.body.model, 'dall-e-2');
});

e2e('models: list and retrieve', async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    assert.equal(model.object, 'model');
    ids.push(model.id);
  }
  assert.ok(ids.includes('mock/echo'), `mock/echo is listed: ${ids.join(', ')}`);
  assert.ok(
    ids.includes(`openai/${k_model}`),
    `openai (with its key) is listed: ${ids.join(', ')}`,
  );

  const echo = await client.models.retrieve('mock/echo');
  assert.equal(echo.id, 'mock/echo');
  assert.equal(echo.object, 'model');
  assert.equal(echo.owned_by, 'mock');
  const mini = await client.models.retrieve(k_model);
  assert.equal(mini.id, k_model);
  assert.equal(mini.owned_by, 'openai');

  const missing = await rejection(
    () => strict.models.retrieve('no-such-provider/model'),
    OpenAI.NotFoundError,
  );
  assert.equal(missing.status, 404);
  assert.equal(missing.error.code, 'model_not_found');
  assert.equal(missing.error.type, 'invalid_request_error');
  assert.match(missing.error.message, /no-such-provider\/model/);
});

e2e('errors: malformed input is a BadRequestError, and nothing goes upstream', async () => {
  const before = fake.requests.length;
  const error = await chatRejection(
    { messages: /** @type {any} */ ('not an array') },
    OpenAI.BadRequestError,
  );
  assert.equal(error.status, 400);
  assert.equal(error.error.type, 'invalid_request_error');
  assert.equal(error.error.param, 'messages');
  assert.match(error.error.message, /messages/);
  assert.match(error.headers.get('x-request-id'), /^req_/);
  assert.equal(fake.requests.length, before);
});

e2e('errors: an unknown model is a NotFoundError, from llmgw or from the upstream', async () => {
  // One llmgw cannot route (it goes nowhere), and one the upstream does not know.
  const cases = [
    { model: 'no-such-provider/model', said: /no-such-provider/, upstream: 0 },
    { model: 'openai/no-such-model', said: /no-such-model` does not exist/, upstream: 1 },
  ];
  for (const { model, said, upstream } of cases) {
    const before = fake.requests.length;
    const error = await chatRejection({ model, messages: userSays('hi') }, OpenAI.NotFoundError);
    assert.equal(error.status, 404);
    assert.equal(error.error.type, 'invalid_request_error');
    assert.equal(error.error.code, 'model_not_found');
    assert.match(error.error.message, said);
    assert.equal(fake.requests.length - before, upstream, `upstream requests for ${model}`);
  }
});

e2e('errors: an upstream 400 is a BadRequestError, not retried', async () => {
  const prompt = 'please fail 400';
  const error = await chatRejection({ messages: userSays(prompt) }, OpenAI.BadRequestError);
  assert.equal(error.status, 400);
  assert.equal(error.error.type, 'invalid_request_error');
  assert.match(error.error.message, /scripted failure 400/);
  assert.equal(upstreamChats(prompt).length, 1);
});

e2e(
  "errors: a passed-through 429 is a RateLimitError with the upstream's Retry-After",
  async () => {
    const prompt = 'please fail 429';
    const error = await chatRejection({ messages: userSays(prompt) }, OpenAI.RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.error.type, 'requests');
    assert.equal(error.error.code, 'rate_limit_exceeded');
    assert.match(error.error.message, /scripted failure 429/);
    assert.equal(error.headers.get('retry-after'), String(k_long_retry_after));
    // Longer than llmgw waits: it answered at once, after one attempt.
    assert.equal(upstreamChats(prompt).length, 1);
  },
);

e2e('errors: a 429 before a stream starts is an ordinary RateLimitError', async () => {
  const prompt = 'please fail 429 before streaming';
  const error = await chatRejection(
    { messages: userSays(prompt), stream: true, stream_options: { include_usage: true } },
    OpenAI.RateLimitError,
  );
  assert.equal(error.status, 429);
  assert.equal(error.error.code, 'rate_limit_exceeded');
});

e2e(
  'errors: an upstream 503 is an InternalServerError; one 503 then success is retried by llmgw',
  async () => {
    const failing = await chatRejection(
      { messages: userSays('please fail 503') },
      OpenAI.InternalServerError,
    );
    assert.equal(failing.status, 503);
    assert.equal(failing.error.type, 'server_error');
    assert.match(failing.error.message, /scripted failure 503/);
    assert.equal(failing.headers.get('retry-after'), String(k_long_retry_after));

    const prompt = 'please fail 503 once';
    const { data, response } = await strict.chat.completions
      .create({ model: k_model, messages: userSays(prompt) })
      .withResponse();
    assert.equal(data.choices[0].message.content, `fake: ${prompt}`);
    assert.equal(response.headers.get('x-llmgw-attempts'), '2');
    assert.equal(upstreamChats(prompt).length, 2);
  },
);

e2e(
  'the response cache: a temperature-0 request asked twice is answered once upstream',
  async () => {
    const prompt = 'cache this answer';
    const request = { model: k_model, messages: userSays(prompt), temperature: 0 };
    const first = await client.chat.completions.create(request).withResponse();
    const second = await client.chat.completions.create(request).withResponse();
    assert.equal(first.response.headers.get('x-llmgw-cache'), 'miss');
    assert.equal(second.response.headers.get('x-llmgw-cache'), 'hit');
    assert.equal(second.data.choices[0].message.content, first.data.choices[0].message.content);
    assert.equal(second.data.cost, 0, 'a cache hit costs nothing');
    assert.equal(upstreamChats(prompt).length, 1);

    // x-llmgw-cache: bypass, sent through the SDK's per-request headers, goes upstream.
    const bypass = await client.chat.completions
      .create(request, { headers: { 'x-llmgw-cache': 'bypass' } })
      .withResponse();
    assert.equal(bypass.response.headers.get('x-llmgw-cache'), 'miss');
    assert.equal(upstreamChats(prompt).length, 2);
  },
);

// Last: it stops the daemon the other tests use.
e2e('SIGTERM stops the daemon at once with exit 0, and the ledger has every request', async () => {
  const result = await daemon.stop();
  assert.equal(
    result.killed,
    undefined,
    `llmgw serve outlived the timeout; stderr:\n${result.stderr}`,
  );
  assert.equal(result.signal, null);
  assert.equal(result.code, 0, `exit code; stderr:\n${result.stderr}`);
  // The SDK's idle keep-alive connections do not hold it up (nothing is in flight).
  assert.ok(result.elapsed_ms < 2000, `stopping took ${result.elapsed_ms} ms`);
  assert.equal(result.stdout, `${daemon.baseURL}\n`, 'stdout carries only the base URL');
  const stopped = /stopped; (\d+) requests recorded in the ledger/.exec(result.stderr);
  assert.ok(stopped, `the stop note is on stderr:\n${result.stderr}`);
  assert.equal(Number(stopped[1]), sdk.requests);

  // The ledger, read back by `llmgw usage` as the same user.
  const usage = runLlmgw(user, ['usage', '--json', '--by', 'provider']);
  assert.equal(usage.code, 0, usage.stderr);
  const report = JSON.parse(usage.stdout);
  assert.equal(report.total.requests, sdk.requests);
  assert.equal(report.total.errors, sdk.errors);
  assert.equal(report.total.cache_hits, 1);
  const openai = report.lines.find((line) => line.label === 'openai');
  assert.ok(openai, `an openai line in ${usage.stdout}`);
  assert.ok(openai.cost_usd > 0);
});
