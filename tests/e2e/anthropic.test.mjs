// End to end: the official `@anthropic-ai/sdk` drives the built `llmgw serve`'s
// POST /v1/messages, which an OpenAI-protocol provider (the fake upstream) serves: the
// SDK parses llmgw's Anthropic-shaped answers, stream events and errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';

import { startFakeOpenAI } from './support/fake_openai.mjs';
import { freshUser, startServe } from './support/llmgw.mjs';

const k_model = 'gpt-4o-mini';

let fake;
let user;
let daemon;
let client;

before(async () => {
  fake = await startFakeOpenAI();
  user = freshUser({ OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: 'sk-e2e-anthropic-fake-5678' });
  daemon = await startServe(user);
  // The SDK adds /v1/messages to its base URL.
  client = new Anthropic({
    baseURL: daemon.baseURL.replace(/\/v1$/, ''),
    apiKey: 'unused',
    maxRetries: 0,
  });
});

after(async () => {
  await daemon?.stop();
  await fake?.close();
  user?.remove();
});

const e2e = (name, fn) => test(name, { timeout: 20_000 }, fn);

e2e('messages, whole: text, stop reason and usage', async () => {
  const message = await client.messages.create({
    model: k_model,
    max_tokens: 200,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'Hello from Anthropic SDK' }],
  });
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.ok(message.id.startsWith('msg_'));
  assert.deepEqual(message.content, [{ type: 'text', text: 'fake: Hello from Anthropic SDK' }]);
  assert.equal(message.stop_reason, 'end_turn');
  // The fake counts words: 2 in the system prompt, 4 in the message; 5 in the answer.
  assert.equal(message.usage.input_tokens, 6);
  assert.equal(message.usage.output_tokens, 5);
});

e2e('messages, streamed: the SDK reassembles the events', async () => {
  const stream = client.messages.stream({
    model: k_model,
    max_tokens: 200,
    messages: [{ role: 'user', content: 'Stream three words' }],
  });
  let text = '';
  stream.on('text', (piece) => {
    text += piece;
  });
  const message = await stream.finalMessage();
  assert.equal(text, 'fake: Stream three words');
  assert.equal(message.content[0].text, 'fake: Stream three words');
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.usage.output_tokens, 4);
});

e2e('messages with tools: a tool_use block, then the answer to its result', async () => {
  const tools = [
    {
      name: 'get_weather',
      description: 'The weather in a city',
      input_schema: { type: 'object', properties: { city: { type: 'string' } } },
    },
  ];
  const first = await client.messages.create({
    model: k_model,
    max_tokens: 200,
    tools,
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
  });
  assert.equal(first.stop_reason, 'tool_use');
  const call = first.content.find((block) => block.type === 'tool_use');
  assert.ok(call, 'a tool_use block');
  assert.equal(call.name, 'get_weather');
  assert.equal(call.input.city, 'Paris');
  const second = await client.messages.create({
    model: k_model,
    max_tokens: 200,
    tools,
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny' }] },
    ],
  });
  assert.equal(second.content[0].text, 'fake: the tool said sunny');
});

e2e('errors reach the SDK as its own error classes', async () => {
  await assert.rejects(
    client.messages.create({
      model: k_model,
      max_tokens: 10,
      messages: [{ role: 'user', content: 'please fail 429' }],
    }),
    (error) => error instanceof Anthropic.RateLimitError && error.status === 429,
  );
  await assert.rejects(
    client.messages.create({ model: k_model, messages: [{ role: 'user', content: 'x' }] }),
    (error) => error instanceof Anthropic.BadRequestError && /max_tokens/.test(error.message),
  );
});
