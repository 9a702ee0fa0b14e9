// A fake OpenAI upstream on 127.0.0.1 (an ephemeral port) speaking OpenAI's wire format
// (/work/shared/wire-formats.md §2), for llmgw to talk to while an SDK talks to llmgw.
//
//   const fake = await startFakeOpenAI();   // fake.baseURL is "http://127.0.0.1:PORT/v1"
//   ... fake.requests holds every request: {method, path, headers, body (parsed JSON)}
//   await fake.close();
//
// Answers, by endpoint:
//   POST /v1/chat/completions  content "fake: " + the last user message's text, whole or
//       (with "stream": true) as SSE chunks: a role chunk, one chunk per word, a finish
//       chunk, a usage chunk (choices: []) when stream_options.include_usage, then
//       data: [DONE]. Usage: prompt_tokens = words in every message, completion_tokens =
//       words in the answer. With "tools" and no "tool" message yet, the model calls the
//       first tool with k_tool_arguments (streamed: id, type and name in the first
//       fragment, the arguments in pieces); once a "tool" message is in the conversation
//       it answers "fake: the tool said " + that message's content.
//       Scripted faults, by the last user message:
//         "please fail NNN"       that status with OpenAI's error body; 429 and 5xx carry
//                                 retry-after: k_long_retry_after (longer than llmgw
//                                 waits, so it answers the status at once)
//         "please fail NNN once"  the same the first time this text is seen, with
//                                 retry-after-ms: 10; answered normally after that
//       An upstream model starting "no-such" gets 404 model_not_found.
//   POST /v1/embeddings  one embedding per input (a string or an array of strings) of
//       `dimensions` values (default 4), value j of input i being embeddingValue(i, j)
//       (exact in float32); with encoding_format "base64" the base64 of the values as
//       little-endian float32. Usage: words in the inputs.
//   POST /v1/images/generations  `n` items (default 1): with response_format "b64_json"
//       the base64 of fakeImageBytes(i, prompt), otherwise a url and a revised_prompt.
//   GET  /v1/models  a list of k_upstream_models.
//   anything else, or a body that is not what the endpoint takes: OpenAI's error body
//       (404 or 400).
// Every response carries x-request-id: req_fake_<n>, n counting requests from 1.
import http from 'node:http';

export const k_tool_arguments = { city: 'Paris', unit: 'celsius' };
export const k_long_retry_after = 120;
export const k_upstream_models = ['gpt-4o-mini', 'text-embedding-3-small', 'dall-e-3'];
const k_created = 1_760_000_000;

export function embeddingValue(input, j) {
  // Multiples of 1/8 in [-1, 1]: exact in float32, so base64 round trips compare equal.
  return (((input * 5 + j * 3) % 17) - 8) / 8;
}

export function fakeImageBytes(index, prompt) {
  return Buffer.from(`fake image ${index}: ${prompt}`, 'utf8');
}

// OpenAI's encoding_format "base64": the values as little-endian float32.
function float32Base64(values) {
  const bytes = Buffer.alloc(4 * values.length);
  values.forEach((value, j) => bytes.writeFloatLE(value, 4 * j));
  return bytes.toString('base64');
}

function words(text) {
  const found = text
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  return found.length;
}

function messageText(message) {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .filter((part) => part?.type === 'text' && typeof part.text === 'string')
      .map((part) => part.text)
      .join(' ');
  }
  return '';
}

function errorBody(status, message, extra = {}) {
  const type =
    status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const code = status === 429 ? 'rate_limit_exceeded' : null;
  return { error: { message, type, param: null, code, ...extra } };
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

class FakeOpenAI {
  constructor() {
    this.requests = [];
    this.failedOnce = new Set();
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async listen() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.baseURL = `http://127.0.0.1:${this.server.address().port}/v1`;
    return this;
  }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }

  // Requests to one endpoint, e.g. fake.calls('/v1/chat/completions').
  calls(path) {
    return this.requests.filter((r) => r.path === path);
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = raw.length > 0 ? JSON.parse(raw) : null;
      } catch {
        body = null;
      }
      const path = new URL(req.url, 'http://fake').pathname;
      this.requests.push({ method: req.method, path, headers: req.headers, body });
      res.setHeader('x-request-id', `req_fake_${this.requests.length}`);
      const route = `${req.method} ${path}`;
      if (route === 'POST /v1/chat/completions') return this.chat(body, res);
      if (route === 'POST /v1/embeddings') return this.embeddings(body, res);
      if (route === 'POST /v1/images/generations') return this.images(body, res);
      if (route === 'GET /v1/models') {
        return sendJson(res, 200, {
          object: 'list',
          data: k_upstream_models.map((id) => ({
            id,
            object: 'model',
            created: k_created,
            owned_by: 'openai',
          })),
        });
      }
      sendJson(res, 404, errorBody(404, `Unknown request URL: ${req.method} ${path}`));
    });
  }

  // A scripted failure for this prompt, or null to answer normally.
  fault(prompt) {
    const match = /please fail (\d{3})( once)?/.exec(prompt);
    if (!match) return null;
    const status = Number(match[1]);
    const once = match[2] !== undefined;
    if (once) {
      if (this.failedOnce.has(prompt)) return null;
      this.failedOnce.add(prompt);
    }
    const headers = {};
    if (once) headers['retry-after-ms'] = '10';
    else if (status === 429 || status >= 500) headers['retry-after'] = String(k_long_retry_after);
    return { status, headers, body: errorBody(status, `scripted failure ${status}`) };
  }

  chat(body, res) {
    if (body === null || typeof body !== 'object' || !Array.isArray(body.messages)) {
      return sendJson(
        res,
        400,
        errorBody(400, "'messages' must be an array", { param: 'messages' }),
      );
    }
    const model = String(body.model ?? '');
    if (model.startsWith('no-such')) {
      return sendJson(
        res,
        404,
        errorBody(404, `The model \`${model}\` does not exist or you do not have access to it.`, {
          code: 'model_not_found',
        }),
      );
    }
    const users = body.messages.filter((m) => m?.role === 'user');
    const prompt = users.length > 0 ? messageText(users[users.length - 1]) : '';
    const fault = this.fault(prompt);
    if (fault) return sendJson(res, fault.status, fault.body, fault.headers);

    const toolMessages = body.messages.filter((m) => m?.role === 'tool');
    const tools = Array.isArray(body.tools) ? body.tools : [];
    let content = `fake: ${prompt}`;
    let toolCall = null;
    if (toolMessages.length > 0) {
      content = `fake: the tool said ${messageText(toolMessages[toolMessages.length - 1])}`;
    } else if (tools.length > 0) {
      content = null;
      toolCall = {
        id: 'call_fake_1',
        type: 'function',
        function: {
          name: tools[0]?.function?.name ?? 'tool',
          arguments: JSON.stringify(k_tool_arguments),
        },
      };
    }
    const promptTokens = Math.max(
      1,
      body.messages.reduce((sum, m) => sum + words(messageText(m)), 0),
    );
    const completionTokens = Math.max(1, content === null ? 8 : words(content));
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    };
    const finish = toolCall ? 'tool_calls' : 'stop';
    const id = `chatcmpl-fake-${this.requests.length}`;
    if (body.stream === true) {
      return this.streamChat(res, { id, model, content, toolCall, finish, usage, body });
    }
    const message = { role: 'assistant', content, refusal: null, annotations: [] };
    if (toolCall) message.tool_calls = [toolCall];
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created: k_created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage,
      service_tier: 'default',
      system_fingerprint: null,
    });
  }

  streamChat(res, { id, model, content, toolCall, finish, usage, body }) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (choices, extra = {}) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created: k_created,
        model,
        system_fingerprint: null,
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      })}\n\n`;
    const delta = (d, finishReason = null) => [
      { index: 0, delta: d, logprobs: null, finish_reason: finishReason },
    ];
    const events = [
      chunk(delta({ role: 'assistant', content: toolCall ? null : '', refusal: null })),
    ];
    if (toolCall) {
      events.push(
        chunk(
          delta({
            tool_calls: [
              {
                index: 0,
                id: toolCall.id,
                type: 'function',
                function: { name: toolCall.function.name, arguments: '' },
              },
            ],
          }),
        ),
      );
      const args = toolCall.function.arguments;
      for (let at = 0; at < args.length; at += 7) {
        events.push(
          chunk(
            delta({ tool_calls: [{ index: 0, function: { arguments: args.slice(at, at + 7) } }] }),
          ),
        );
      }
    } else {
      for (const piece of content.match(/\S+\s*/g) ?? [])
        events.push(chunk(delta({ content: piece })));
    }
    events.push(chunk(delta({}, finish)));
    if (includeUsage) events.push(chunk([], { usage }));
    events.push('data: [DONE]\n\n');
    for (const event of events) res.write(event);
    res.end();
  }

  embeddings(body, res) {
    const input = body?.input;
    const inputs = typeof input === 'string' ? [input] : input;
    if (
      !Array.isArray(inputs) ||
      inputs.length === 0 ||
      !inputs.every((s) => typeof s === 'string')
    ) {
      return sendJson(
        res,
        400,
        errorBody(400, "'input' must be a string or an array of strings", { param: 'input' }),
      );
    }
    const dimensions = Number.isInteger(body.dimensions) ? body.dimensions : 4;
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((_, i) => {
      const values = Array.from({ length: dimensions }, (_, j) => embeddingValue(i, j));
      const embedding = base64 ? float32Base64(values) : values;
      return { object: 'embedding', index: i, embedding };
    });
    const tokens = Math.max(
      1,
      inputs.reduce((sum, s) => sum + words(s), 0),
    );
    sendJson(res, 200, {
      object: 'list',
      model: String(body.model ?? ''),
      data,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  images(body, res) {
    if (typeof body?.prompt !== 'string' || body.prompt.length === 0) {
      return sendJson(res, 400, errorBody(400, "'prompt' is required", { param: 'prompt' }));
    }
    const n = Number.isInteger(body.n) ? body.n : 1;
    const data = Array.from({ length: n }, (_, i) =>
      body.response_format === 'b64_json'
        ? { b64_json: fakeImageBytes(i, body.prompt).toString('base64') }
        : { url: `https://images.fake.test/${i}.png`, revised_prompt: `fake: ${body.prompt}` },
    );
    sendJson(res, 200, { created: k_created, data });
  }
}

export async function startFakeOpenAI() {
  return new FakeOpenAI().listen();
}
