import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { RawHttpClient } from '../support/fuzz/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Regressions found by the fuzzer (`npm run fuzz`) at the HTTP edge, before any module runs:
 * each of these used to be a 500, a bare Fastify/Node body outside the error envelope, or a
 * response a client could not parse.
 */
let t: TestApp;
let auth: string;
let raw: RawHttpClient;
let port: number;

beforeAll(async () => {
  t = await startTestApp();
  auth = t.token(t.admin);
  await t.app.listen(0, '127.0.0.1');
  port = (t.app.getHttpServer().address() as AddressInfo).port;
  raw = new RawHttpClient(`http://127.0.0.1:${port}`);
});
afterAll(async () => {
  raw?.close();
  await t?.close();
});

const envelope = (type = 'InputException') => ({ status: 'error', data: null, error_type: type, message: expect.any(String) });

/** Writes bytes on a fresh socket and returns everything the server sends back before it closes. */
function exchange(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('deeply nested JSON', () => {
  test.each([
    ['arrays', `${'['.repeat(100_000)}1${']'.repeat(100_000)}`],
    ['objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
  ])('nested %s are a 400, not a stack overflow in the validation pipe', async (_, nested) => {
    const res = await t.http
      .post('/api/v1/views')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send(`{"name":"Deep","team_id":${nested}}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope());
    expect(res.body.message).toMatch(/nested more than 32 levels/);
  });

  test('ordinary nesting still passes', async () => {
    const res = await t.http
      .post('/api/v1/views')
      .set('Authorization', auth)
      .send({ name: 'Shallow', filters: { tags: ['vip'] } });
    expect(res.status).toBe(200);
  });
});

describe('URLs the router cannot decode', () => {
  test.each(['/api/v1/teams/%zz', '/api/v1/agents/%', '/api/v1/conversations/%e0%80/messages'])('%s is a 400 envelope', async (path) => {
    const res = await raw.send({ method: 'GET', path, headers: { Authorization: auth } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(envelope());
  });

  test('an over-long path parameter is a 414 envelope', async () => {
    const res = await raw.send({ method: 'GET', path: `/api/v1/teams/${'1'.repeat(300)}`, headers: { Authorization: auth } });
    expect(res.status).toBe(414);
    expect(res.json).toEqual(envelope());
  });
});

describe('requests Node refuses to parse', () => {
  test('raw non-ASCII bytes in the request line are a 400 envelope', async () => {
    const res = await raw.send({ method: 'GET', path: '/api/v1/teams?\u00ff=\u00c0\u00af', headers: { Authorization: auth } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(envelope());
  });

  test('oversized headers are a 431 envelope', async () => {
    const res = await raw.send({ method: 'GET', path: `/api/v1/teams?q=${'y'.repeat(20_000)}`, headers: { Authorization: auth } });
    expect(res.status).toBe(431);
    expect(res.json).toEqual(envelope());
  });

  test('the answer to a bad HEAD has no body, so the client can parse it', async () => {
    const reply = await exchange(Buffer.from('HEAD /api/v1/teams?\u00ff HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'));
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply.endsWith('\r\n\r\n')).toBe(true);
  });

  test('the server keeps serving afterwards', async () => {
    await t.http.get('/health').expect(200);
  });
});

describe('strings no field can hold', () => {
  test('in a body field are a 400 naming the field (PostgreSQL text cannot hold them)', async () => {
    const res = await t.http.post('/api/v1/statuses').set('Authorization', auth).send({ name: 'Bad\u0000name' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ...envelope(), data: { fields: { name: 'must not contain NUL characters' } } });
  });

  test('in a nested field or a key', async () => {
    const nested = await t.http
      .post('/api/v1/views')
      .set('Authorization', auth)
      .send({ name: 'V', filters: { tags: ['a\u0000'] } });
    expect(nested.body.data).toEqual({ fields: { 'filters.tags.0': 'must not contain NUL characters' } });
    const key = await t.http.post('/api/v1/statuses').set('Authorization', auth).send({ name: 'K', 'x\u0000': 1 });
    expect(key.status).toBe(400);
  });

  test('a lone surrogate (valid JSON, not valid Unicode) is a 400 naming the field; validator.js threw a URIError on it: 500', async () => {
    for (const email of ['\udfff\ud800', 'a\ud800@example.com']) {
      const agent = await t.http
        .post('/api/v1/agents')
        .set('Authorization', auth)
        .send({ email, first_name: 'S', roles: ['Agent'] });
      expect(agent.status).toBe(400);
      expect(agent.body.data).toEqual({ fields: { email: 'must be valid Unicode (it has an unpaired surrogate)' } });
      const conversation = await t.http.post('/api/v1/conversations').set('Authorization', auth).send({
        inbox_id: 1,
        contact_email: email,
        first_name: 'N',
        last_name: 'U',
        subject: 'S',
        content: 'C',
        initiator: 'contact',
      });
      expect(conversation.status).toBe(400);
      expect(Object.keys(conversation.body.data.fields)).toEqual(['contact_email']);
    }
    const paired = await t.http.post('/api/v1/statuses').set('Authorization', auth).send({ name: 'Paired 😀 ok' });
    expect(paired.status).toBe(200);
  });

  test('in a lookup by name or a query parameter', async () => {
    const { body } = await t.http.post('/api/v1/conversations').set('Authorization', auth).send({
      inbox_id: 1,
      contact_email: 'nul@example.com',
      first_name: 'N',
      last_name: 'U',
      subject: 'S',
      content: 'C',
      initiator: 'contact',
    });
    const uuid = body.data.uuid as string;
    for (const [path, payload] of [
      [`/api/v1/conversations/${uuid}/status`, { status: '\u0000' }],
      [`/api/v1/conversations/${uuid}/priority`, { priority: 'High\u0000' }],
    ] as const) {
      const res = await t.http.put(path).set('Authorization', auth).send(payload);
      expect(res.status, path).toBe(400);
      expect(res.body.error_type).toBe('InputException');
    }
    const query = await t.http.get('/api/v1/contacts/search?query=abc%00').set('Authorization', auth);
    expect(query.status).toBe(400);
  });
});
