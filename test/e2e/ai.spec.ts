import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Mode = 'ok' | 'hang' | 'hang-body' | 'malformed' | 'no-choices' | 'reset' | { status: number };

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: { model: string; messages: Array<{ role: string; content: string }> };
}

/** A minimal OpenAI-compatible chat-completions server that records what it receives. */
class FakeOpenAI {
  mode: Mode = 'ok';
  reply = 'Thanks so much for reaching out!';
  requests: Recorded[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<string> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString()),
    });
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const mode = this.mode;
    if (mode === 'hang') return;
    if (mode === 'reset') return req.socket.destroy();
    if (mode === 'hang-body') return void res.writeHead(200, { 'content-type': 'application/json' }).write('{"id":');
    if (mode === 'malformed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [');
    if (mode === 'no-choices') return json(200, { id: 'x', object: 'chat.completion', choices: [] });
    if (typeof mode === 'object') {
      const key = req.headers.authorization?.replace('Bearer ', '');
      return json(mode.status, { error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    json(200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: this.requests.at(-1)?.body.model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: this.reply } }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  }
}

const fake = new FakeOpenAI();
const API_KEY = 'sk-test-0123456789abcdefSECRET';
let t: TestApp;
let admin: string;
let agent: string;

beforeAll(async () => {
  const baseUrl = await fake.start();
  t = await startTestApp({ OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: 'test-model-1', OPENAI_TIMEOUT_MS: '1000' });
  admin = t.token(t.admin);
  const created = await t.http
    .post('/api/v1/agents')
    .set('Authorization', admin)
    .send({ first_name: 'Ann', email: 'ann@ai.test', roles: ['Agent'] })
    .expect(200);
  const key = await t.http.post(`/api/v1/agents/${created.body.data.id}/api-key`).set('Authorization', admin).expect(200);
  agent = t.token(key.body.data);
});
afterAll(async () => {
  await t?.close();
  await fake.stop();
});
beforeEach(() => {
  fake.mode = 'ok';
  fake.requests = [];
});

const setKey = (apiKey: string, auth = admin) => t.http.put('/api/v1/ai/provider').set('Authorization', auth).send({ provider: 'openai', api_key: apiKey });
const complete = (body: object, auth = agent) => t.http.post('/api/v1/ai/completion').set('Authorization', auth).send(body);
const storedKey = async () => (await t.dataSource.query(`SELECT config->>'api_key' AS k FROM ai_providers WHERE provider = 'openai'`))[0].k as string;

describe('GET /api/v1/ai/prompts', () => {
  test('lists the seeded prompts by title, without their content', async () => {
    const res = await t.http.get('/api/v1/ai/prompts').set('Authorization', agent).expect(200);
    expect(res.body.status).toBe('success');
    expect(res.body.data.map((p: { title: string }) => p.title)).toEqual([
      'Add Empathy',
      'Adjust Positive Tone',
      'Fix Grammar & Spelling',
      'Make Concise',
      'Make Friendly',
      'Make Professional',
    ]);
    for (const p of res.body.data) {
      expect(Object.keys(p).sort()).toEqual(['created_at', 'id', 'key', 'title', 'updated_at']);
      expect(new Date(p.created_at).toISOString()).toBe(p.created_at);
    }
    expect(res.body.data.find((p: { title: string }) => p.title === 'Make Friendly').key).toBe('make_friendly');
  });

  test('needs credentials', async () => {
    expect((await t.http.get('/api/v1/ai/prompts')).status).toBe(401);
  });
});

describe('PUT /api/v1/ai/provider', () => {
  test('stores the key encrypted and returns true', async () => {
    const res = await setKey(API_KEY).expect(200);
    expect(res.body).toEqual({ status: 'success', data: true });
    const stored = await storedKey();
    expect(stored).toMatch(/^enc:[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain(API_KEY);
    expect(Buffer.from(stored.slice(4), 'base64').toString('latin1')).not.toContain('SECRET');
    await setKey(API_KEY).expect(200);
    expect(await storedKey()).not.toBe(stored);
  });

  test('an empty key clears it, and completion then says so', async () => {
    await setKey('').expect(200);
    expect(await storedKey()).toBe('');
    const res = await complete({ prompt_key: 'make_friendly', content: 'hello' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', message: expect.stringMatching(/API key is not set/) });
    expect(fake.requests).toHaveLength(0);
  });

  test('rejects other providers and bad bodies', async () => {
    for (const body of [
      { provider: 'anthropic', api_key: 'x' },
      { provider: 'openai' },
      { provider: 'openai', api_key: 42 },
      { api_key: 'x' },
      { provider: 'openai', api_key: 'a b\nc' },
    ]) {
      const res = await t.http.put('/api/v1/ai/provider').set('Authorization', admin).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_type).toBe('InputException');
    }
    const malformed = await t.http.put('/api/v1/ai/provider').set('Authorization', admin).set('Content-Type', 'application/json').send('{"provider":');
    expect(malformed.status).toBe(400);
  });

  test('needs ai:manage', async () => {
    const res = await setKey('sk-agent', agent);
    expect(res.status).toBe(403);
    expect(res.body.error_type).toBe('PermissionException');
    expect((await t.http.put('/api/v1/ai/provider').send({ provider: 'openai', api_key: 'x' })).status).toBe(401);
  });
});

describe('POST /api/v1/ai/completion', () => {
  beforeAll(async () => {
    await setKey(API_KEY).expect(200);
  });

  test('sends the prompt and content with the key and model, and returns the completion text', async () => {
    const res = await complete({ prompt_key: 'make_friendly', content: 'Your ticket is closed.' }).expect(200);
    expect(res.body).toEqual({ status: 'success', data: 'Thanks so much for reaching out!' });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.body.model).toBe('test-model-1');
    expect(req.body.messages).toEqual([
      { role: 'system', content: 'Modify the text to make it more friendly and approachable.' },
      { role: 'user', content: 'Your ticket is closed.' },
    ]);
  });

  test('a plaintext key written by an older server still works', async () => {
    await t.dataSource.query(`UPDATE ai_providers SET config = '{"api_key": "sk-legacy-plain"}'`);
    await complete({ prompt_key: 'fix_grammar_spelling', content: 'teh text' }).expect(200);
    expect(fake.requests[0].authorization).toBe('Bearer sk-legacy-plain');
    await setKey(API_KEY).expect(200);
  });

  test('a key that no longer decrypts is a clear 400', async () => {
    await t.dataSource.query(`UPDATE ai_providers SET config = jsonb_build_object('api_key', $1::text)`, [`enc:${Buffer.alloc(40, 7).toString('base64')}`]);
    const res = await complete({ prompt_key: 'make_concise', content: 'hello' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/cannot be decrypted/);
    expect(fake.requests).toHaveLength(0);
    await setKey(API_KEY).expect(200);
  });

  test('an unknown prompt key is 404', async () => {
    const res = await complete({ prompt_key: 'make_pirate', content: 'hello' });
    expect(res.status).toBe(404);
    expect(res.body.error_type).toBe('NotFoundException');
    expect(fake.requests).toHaveLength(0);
  });

  test('bad bodies are 400', async () => {
    const bodies = [
      {},
      { prompt_key: 'make_friendly' },
      { content: 'x' },
      { prompt_key: 'make_friendly', content: '   ' },
      { prompt_key: 'make_friendly', content: 5 },
      { prompt_key: ['make_friendly'], content: 'x' },
      { prompt_key: 'make_friendly', content: 'x'.repeat(20_001) },
    ];
    for (const body of bodies) {
      const res = await complete(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect(fake.requests).toHaveLength(0);
    expect((await t.http.post('/api/v1/ai/completion').send({ prompt_key: 'make_friendly', content: 'x' })).status).toBe(401);
  });

  test.each([
    [{ status: 401 }, 502, /rejected the API key/],
    [{ status: 403 }, 502, /denied access/],
    [{ status: 404 }, 502, /test-model-1/],
    [{ status: 429 }, 503, /rate limiting/],
    [{ status: 500 }, 502, /HTTP 500/],
    [{ status: 503 }, 503, /unavailable/],
    ['malformed', 502, /not a chat completion/],
    ['no-choices', 502, /not a chat completion/],
    ['reset', 502, /Could not reach/],
  ] as Array<[Mode, number, RegExp]>)('provider answering %j is %i with the envelope and no secret', async (mode, status, message) => {
    fake.mode = mode;
    const res = await complete({ prompt_key: 'make_friendly', content: 'hello' });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status: 'error', data: null, message: expect.stringMatching(message) });
    expect(JSON.stringify(res.body)).not.toContain('SECRET');
    expect(fake.requests).toHaveLength(1);
  });

  test.each(['hang', 'hang-body'] as const)('a provider that %s times out with 504 within the deadline', async (mode) => {
    fake.mode = mode;
    const started = Date.now();
    const res = await complete({ prompt_key: 'make_friendly', content: 'hello' });
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'NetworkException', message: expect.stringMatching(/did not answer within 1 second\./) });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
