import { createAgent } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const UNAUTHORIZED = { status: 'error', data: null, error_type: 'UnauthorizedException' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('authentication', () => {
  test('both schemes authenticate', async () => {
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin)).expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.basic(t.admin)).expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', `token   ${t.admin.api_key}:${t.admin.api_secret}  `).expect(200);
  });

  test.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['Bearer scheme', 'Bearer abc'],
    ['capitalised Token', () => `Token ${t.admin.api_key}:${t.admin.api_secret}`],
    ['lower-case basic', () => `basic ${b64(`${t.admin.api_key}:${t.admin.api_secret}`)}`],
    ['token without colon', () => `token ${t.admin.api_key}`],
    ['token with empty secret', () => `token ${t.admin.api_key}:`],
    ['token with empty key', () => `token :${t.admin.api_secret}`],
    ['token with wrong secret', () => `token ${t.admin.api_key}:${'x'.repeat(64)}`],
    ['token with unknown key', () => `token ${'k'.repeat(32)}:${t.admin.api_secret}`],
    ['basic with invalid base64', 'Basic %%%not-base64%%%'],
    ['basic without colon', () => `Basic ${b64(t.admin.api_key)}`],
    ['basic with wrong secret', () => `Basic ${b64(`${t.admin.api_key}:wrong`)}`],
    ['basic with empty credentials', `Basic ${b64(':')}`],
    ['a huge header', `token ${'a'.repeat(5000)}:${'b'.repeat(5000)}`],
  ])('%s is 401 with the envelope', async (_name, header) => {
    const req = t.http.get('/api/v1/agents/me');
    const value = typeof header === 'function' ? header() : header;
    if (value !== undefined) req.set('Authorization', value);
    const res = await req;
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject(UNAUTHORIZED);
    expect(typeof res.body.message).toBe('string');
  });

  test('mutations without credentials are 401 too (no CSRF path)', async () => {
    const res = await t.http.post('/api/v1/agents').send({ first_name: 'x', email: 'x@example.com', roles: ['Agent'] });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject(UNAUTHORIZED);
  });

  test('a wrong secret after a cached success is still rejected', async () => {
    const a = await createAgent(t);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
    await t.http
      .get('/api/v1/agents/me')
      .set('Authorization', `token ${a.api_key}:${a.api_secret.slice(0, -1)}X`)
      .expect(401);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
  });

  test('changes made outside this instance (plain SQL) reach the credential cache', async () => {
    const a = await createAgent(t);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
    await t.dataSource.query(`UPDATE users SET enabled = false WHERE id = $1`, [a.id]);
    await expect.poll(async () => (await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a))).status, { timeout: 1000, interval: 20 }).toBe(401);
    await t.dataSource.query(`UPDATE users SET enabled = true WHERE id = $1`, [a.id]);
    await expect.poll(async () => (await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a))).status, { timeout: 1000, interval: 20 }).toBe(200);
    await t.dataSource.query(`UPDATE roles SET permissions = array_append(permissions, 'users:manage') WHERE name = 'Agent'`);
    await expect.poll(async () => (await t.http.get('/api/v1/agents').set('Authorization', t.token(a))).status, { timeout: 1000, interval: 20 }).toBe(200);
    await t.dataSource.query(`UPDATE roles SET permissions = array_remove(permissions, 'users:manage') WHERE name = 'Agent'`);
    await expect.poll(async () => (await t.http.get('/api/v1/agents').set('Authorization', t.token(a))).status, { timeout: 1000, interval: 20 }).toBe(403);
  });

  test('requests arriving together with a fresh key share its verification, and a wrong secret among them still fails', async () => {
    const a = await createAgent(t);
    const right = Array.from({ length: 12 }, () => t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)));
    const wrong = Array.from({ length: 6 }, () => t.http.get('/api/v1/agents/me').set('Authorization', `token ${a.api_key}:${a.api_secret.slice(0, -1)}X`));
    const statuses = (await Promise.all([...right, ...wrong])).map((r) => r.status);
    expect(statuses.slice(0, 12)).toEqual(Array(12).fill(200));
    expect(statuses.slice(12)).toEqual(Array(6).fill(401));
  });

  test('public routes need no credentials', async () => {
    await t.http.get('/health').expect(200);
    expect((await t.http.get('/docs-json')).status).toBe(200);
    const docs = await t.http.get('/docs/');
    expect([200, 301, 302]).toContain(docs.status);
  });
});
