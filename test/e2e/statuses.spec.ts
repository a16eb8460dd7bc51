import { Ajv } from 'ajv';
import type supertest from 'supertest';
import { PrioritiesService } from '../../src/modules/statuses/priorities.service.js';
import { StatusesService } from '../../src/modules/statuses/statuses.service.js';
import { loadContract } from '../../src/shared/openapi/contract.js';
import { createAgent } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const contract = loadContract();
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
ajv.addSchema({ components: contract.components }, 'contract');

/** Every property of the contract schema is present (plus `extra`), and the value validates against it. */
function expectSchema(value: unknown, name: string, extra: string[] = []): void {
  const validate = ajv.compile({ $ref: `contract#/components/schemas/${name}` });
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  const properties = Object.keys((contract.components.schemas![name] as { properties: object }).properties);
  expect(Object.keys(value as object).sort()).toEqual([...properties, ...extra].sort());
}

let t: TestApp;
let auth: string;
let agentAuth: string;
beforeAll(async () => {
  t = await startTestApp();
  auth = t.token(t.admin);
  agentAuth = t.token(await createAgent(t, { roles: ['Agent'] }));
});
afterAll(async () => t?.close());

let seq = 0;
async function createStatus(body: Record<string, unknown> = {}) {
  seq += 1;
  const res = await t.http
    .post('/api/v1/statuses')
    .set('Authorization', auth)
    .send({ name: `Custom ${seq}`, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as { id: number; created_at: string; name: string; category: string };
}

async function conversationWithStatus(statusId: number): Promise<void> {
  const [{ id: contactId }] = await t.dataSource.query(`INSERT INTO users (type, email, first_name) VALUES ('contact', $1, 'C') RETURNING id`, [
    `c${Date.now()}-${Math.random()}@example.com`,
  ]);
  await t.dataSource.query(`INSERT INTO conversations (contact_id, inbox_id, status_id) VALUES ($1, (SELECT min(id) FROM inboxes), $2)`, [contactId, statusId]);
}

describe('GET /api/v1/statuses and /priorities', () => {
  test('lists the seeded statuses in id order, with their category, to any agent', async () => {
    const res = await t.http.get('/api/v1/statuses').set('Authorization', agentAuth);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    for (const s of res.body.data) expectSchema(s, 'Status', ['category']);
    expect(res.body.data.slice(0, 4).map((s: { name: string; category: string }) => [s.name, s.category])).toEqual([
      ['Open', 'open'],
      ['Snoozed', 'waiting'],
      ['Resolved', 'resolved'],
      ['Closed', 'resolved'],
    ]);
    const ids = res.body.data.map((s: { id: number }) => s.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  test('lists the priorities Low, Medium, High', async () => {
    const res = await t.http.get('/api/v1/priorities').set('Authorization', agentAuth);
    expect(res.status).toBe(200);
    for (const p of res.body.data) expectSchema(p, 'Priority');
    expect(res.body.data.map((p: { name: string }) => p.name)).toEqual(['Low', 'Medium', 'High']);
  });

  test.each(['/api/v1/statuses', '/api/v1/priorities'])('%s needs credentials', async (path) => {
    const res = await t.http.get(path);
    expect(res.status).toBe(401);
    expect(res.body.error_type).toBe('UnauthorizedException');
    const bad = await t.http.get(path).set('Authorization', 'token nope:nope');
    expect(bad.status).toBe(401);
  });
});

describe('POST /api/v1/statuses', () => {
  test('creates a status, trimmed, with category open by default', async () => {
    const res = await t.http.post('/api/v1/statuses').set('Authorization', auth).send({ name: '  On hold  ' });
    expect(res.status).toBe(200);
    expectSchema(res.body.data, 'Status', ['category']);
    expect(res.body.data).toMatchObject({ name: 'On hold', category: 'open' });
    const list = await t.http.get('/api/v1/statuses').set('Authorization', auth);
    expect(list.body.data.at(-1)).toEqual(res.body.data);
  });

  test('takes a category', async () => {
    expect((await createStatus({ name: 'Awaiting customer', category: 'waiting' })).category).toBe('waiting');
    expect((await createStatus({ name: 'Spam', category: 'resolved' })).category).toBe('resolved');
  });

  test('a 25-character name is fine; 26 is 400', async () => {
    expect((await createStatus({ name: 'x'.repeat(25) })).name).toBe('x'.repeat(25));
    const res = await t.http
      .post('/api/v1/statuses')
      .set('Authorization', auth)
      .send({ name: 'y'.repeat(26) });
    expect(res.status).toBe(400);
    expect(res.body.data.fields.name).toBe('Status is too long, should be at most 25 characters');
  });

  test.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: null }, 'name'],
    [{ name: 5 }, 'name'],
    [{ name: ['Open'] }, 'name'],
    [{ name: 'Valid', category: 'closed' }, 'category'],
    [{ name: 'Valid', category: 1 }, 'category'],
  ])('bad input %j is 400', async (body, field) => {
    const res = await t.http.post('/api/v1/statuses').set('Authorization', auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(Object.keys(res.body.data.fields)).toEqual([field]);
  });

  test('a duplicate name is 409, also in another case', async () => {
    for (const name of ['Open', 'closed', ' RESOLVED ']) {
      const res = await t.http.post('/api/v1/statuses').set('Authorization', auth).send({ name });
      expect(res.status, name).toBe(409);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'ConflictException', data: null });
    }
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM conversation_statuses WHERE lower(name) IN ('open', 'closed', 'resolved')`);
    expect(n).toBe(3);
  });
});

describe('PUT /api/v1/statuses/{id}', () => {
  test('renames a custom status and changes its category', async () => {
    const s = await createStatus({ category: 'open' });
    const res = await t.http.put(`/api/v1/statuses/${s.id}`).set('Authorization', auth).send({ name: 'Pending vendor', category: 'waiting' });
    expect(res.status).toBe(200);
    expectSchema(res.body.data, 'Status', ['category']);
    expect(res.body.data).toEqual({ ...s, name: 'Pending vendor', category: 'waiting' });
    const kept = await t.http.put(`/api/v1/statuses/${s.id}`).set('Authorization', auth).send({ name: 'Pending vendor!' });
    expect(kept.body.data.category).toBe('waiting');
  });

  test('the four default statuses cannot be updated (400)', async () => {
    const list = await t.http.get('/api/v1/statuses').set('Authorization', auth);
    for (const s of list.body.data.slice(0, 4)) {
      const res = await t.http
        .put(`/api/v1/statuses/${s.id}`)
        .set('Authorization', auth)
        .send({ name: `${s.name} x` });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error_type: 'InputException', message: 'Cannot update default conversation status' });
      const same = await t.http.put(`/api/v1/statuses/${s.id}`).set('Authorization', auth).send({ name: s.name, category: 'waiting' });
      expect(same.status).toBe(400);
    }
    const after = await t.http.get('/api/v1/statuses').set('Authorization', auth);
    expect(after.body.data.slice(0, 4)).toEqual(list.body.data.slice(0, 4));
  });

  test('a duplicate name is 409; its own name is fine', async () => {
    const a = await createStatus();
    const b = await createStatus();
    const res = await t.http.put(`/api/v1/statuses/${a.id}`).set('Authorization', auth).send({ name: b.name });
    expect(res.status).toBe(409);
    const toDefault = await t.http.put(`/api/v1/statuses/${a.id}`).set('Authorization', auth).send({ name: 'snoozed' });
    expect(toDefault.status).toBe(409);
    await t.http.put(`/api/v1/statuses/${a.id}`).set('Authorization', auth).send({ name: a.name }).expect(200);
  });

  test('unknown id is 404, bad id or body is 400', async () => {
    const missing = await t.http.put('/api/v1/statuses/999999').set('Authorization', auth).send({ name: 'Ghost' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error_type: 'NotFoundException', message: 'Status not found' });
    for (const id of ['0', '-3', 'abc']) {
      expect((await t.http.put(`/api/v1/statuses/${id}`).set('Authorization', auth).send({ name: 'X' })).status).toBe(400);
    }
    const s = await createStatus();
    expect((await t.http.put(`/api/v1/statuses/${s.id}`).set('Authorization', auth).send({ name: ' ' })).status).toBe(400);
    expect((await t.http.put(`/api/v1/statuses/${s.id}`).set('Authorization', auth).send({})).status).toBe(400);
    expect((await t.http.put(`/api/v1/statuses/${s.id}`).set('Authorization', auth).send({ name: 'Ok', category: 'later' })).status).toBe(400);
  });
});

describe('DELETE /api/v1/statuses/{id}', () => {
  test('deletes a custom status', async () => {
    const s = await createStatus();
    const res = await t.http.delete(`/api/v1/statuses/${s.id}`).set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', data: true });
    const list = await t.http.get('/api/v1/statuses').set('Authorization', auth);
    expect(list.body.data.some((x: { id: number }) => x.id === s.id)).toBe(false);
    const again = await t.http.delete(`/api/v1/statuses/${s.id}`).set('Authorization', auth);
    expect(again.status).toBe(404);
  });

  test('the default statuses cannot be deleted (400)', async () => {
    const list = await t.http.get('/api/v1/statuses').set('Authorization', auth);
    for (const s of list.body.data.slice(0, 4)) {
      const res = await t.http.delete(`/api/v1/statuses/${s.id}`).set('Authorization', auth);
      expect(res.status).toBe(400);
      expect(res.body.error_type).toBe('InputException');
    }
  });

  test('a status in use by a conversation is 400 and stays', async () => {
    const s = await createStatus();
    await conversationWithStatus(s.id);
    const res = await t.http.delete(`/api/v1/statuses/${s.id}`).set('Authorization', auth);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/in use/);
    const rows = await t.dataSource.query(`SELECT 1 FROM conversation_statuses WHERE id = $1`, [s.id]);
    expect(rows).toHaveLength(1);
  });

  test('unknown id is 404, bad id is 400', async () => {
    expect((await t.http.delete('/api/v1/statuses/999999').set('Authorization', auth)).status).toBe(404);
    expect((await t.http.delete('/api/v1/statuses/x').set('Authorization', auth)).status).toBe(400);
  });
});

describe('authorization', () => {
  type Method = 'post' | 'put' | 'delete';
  const routes: Array<[Method, string]> = [
    ['post', '/api/v1/statuses'],
    ['put', '/api/v1/statuses/1'],
    ['delete', '/api/v1/statuses/1'],
  ];
  const call = (method: Method, path: string): supertest.Test => t.http[method](path);

  test.each(routes)('%s %s needs credentials (401)', async (method, path) => {
    expect((await call(method, path).send({ name: 'x' })).status).toBe(401);
  });

  test.each(routes)('%s %s needs status:manage (403 for an Agent)', async (method, path) => {
    const res = await call(method, path).set('Authorization', agentAuth).send({ name: 'Agent made' });
    expect(res.status).toBe(403);
    expect(res.body.error_type).toBe('PermissionException');
    const rows = await t.dataSource.query(`SELECT 1 FROM conversation_statuses WHERE name = 'Agent made'`);
    expect(rows).toHaveLength(0);
  });
});

describe('services other modules call', () => {
  test('StatusesService.findByName is exact and case-sensitive; findById', async () => {
    const statuses = t.app.get(StatusesService);
    const open = await statuses.findByName('Open');
    expect(open).toEqual({ id: expect.any(Number), name: 'Open', category: 'open' });
    expect(await statuses.findByName('open')).toBeNull();
    expect(await statuses.findByName('Nope')).toBeNull();
    expect(await statuses.findById(open!.id)).toEqual(open);
    expect(await statuses.findById(999999)).toBeNull();
  });

  test('PrioritiesService.findByName', async () => {
    const priorities = t.app.get(PrioritiesService);
    expect(await priorities.findByName('High')).toEqual({ id: expect.any(Number), name: 'High' });
    expect(await priorities.findByName('high')).toBeNull();
  });
});
