import { Ajv } from 'ajv';
import { loadContract } from '../../src/shared/openapi/contract.js';
import { createAgent } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const contract = loadContract();
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
ajv.addSchema({ components: contract.components }, 'contract');

/** Every property of the contract schema is present, and the value validates against it. */
function expectSchema(value: unknown, name: string): void {
  const validate = ajv.compile({ $ref: `contract#/components/schemas/${name}` });
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  const properties = Object.keys((contract.components.schemas![name] as { properties: object }).properties);
  expect(Object.keys(value as object).sort()).toEqual(properties.sort());
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
async function createTeam(body: Record<string, unknown> = {}) {
  seq += 1;
  const res = await t.http
    .post('/api/v1/teams')
    .set('Authorization', auth)
    .send({ name: `Team ${seq} ${Date.now()}`, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

describe('POST /api/v1/teams', () => {
  test('creates a team with defaults and returns the contract Team', async () => {
    const res = await t.http.post('/api/v1/teams').set('Authorization', auth).send({ name: '  Billing  ' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    expectSchema(res.body.data, 'Team');
    expect(res.body.data).toMatchObject({
      name: 'Billing',
      emoji: '',
      conversation_assignment_type: 'Manual',
      timezone: '',
      business_hours_id: null,
      sla_policy_id: null,
      max_auto_assigned_conversations: 0,
    });
    expect(res.body.data.created_at).toBe(res.body.data.updated_at);
  });

  test('stores every field, with the time zone in its canonical case', async () => {
    const team = await createTeam({
      emoji: '🛠️',
      conversation_assignment_type: 'Round robin',
      timezone: 'america/toronto',
      max_auto_assigned_conversations: 5,
      business_hours_id: null,
      sla_policy_id: null,
    });
    expectSchema(team, 'Team');
    expect(team).toMatchObject({ emoji: '🛠️', conversation_assignment_type: 'Round robin', timezone: 'America/Toronto', max_auto_assigned_conversations: 5 });
    const again = await t.http.get(`/api/v1/teams/${team.id}`).set('Authorization', auth).expect(200);
    expect(again.body.data).toEqual(team);
  });

  test.each(['UTC', 'Europe/Berlin', 'US/Eastern', 'Etc/GMT+1'])('accepts the IANA zone %s', async (timezone) => {
    expect((await createTeam({ timezone })).timezone).toBe(timezone);
  });

  test.each([
    [{}, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'x'.repeat(141) }, 'name'],
    [{ name: 'T1', conversation_assignment_type: 'round_robin' }, 'conversation_assignment_type'],
    // null is not "not given" (issue 14): the contract has no null here.
    [{ name: 'T2', conversation_assignment_type: null }, 'conversation_assignment_type'],
    [{ name: 'T2b', emoji: null }, 'emoji'],
    [{ name: 'T3', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ name: 'T4', timezone: '+01:00' }, 'timezone'],
    [{ name: 'T5', timezone: 7 }, 'timezone'],
    [{ name: 'T6', emoji: 'x'.repeat(51) }, 'emoji'],
    [{ name: 'T7', max_auto_assigned_conversations: -1 }, 'max_auto_assigned_conversations'],
    [{ name: 'T8', max_auto_assigned_conversations: 1.5 }, 'max_auto_assigned_conversations'],
    [{ name: 'T9', max_auto_assigned_conversations: '3' }, 'max_auto_assigned_conversations'],
    [{ name: 'T10', max_auto_assigned_conversations: 2 ** 31 }, 'max_auto_assigned_conversations'],
    [{ name: 'T11', business_hours_id: 1 }, 'business_hours_id'],
    [{ name: 'T12', sla_policy_id: 3 }, 'sla_policy_id'],
    [{ name: 'T13', sla_policy_id: 'x' }, 'sla_policy_id'],
  ])('bad input %j is 400', async (body, field) => {
    const res = await t.http.post('/api/v1/teams').set('Authorization', auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(Object.keys(res.body.data.fields)).toContain(field);
  });

  test('malformed JSON and a non-object body are 400', async () => {
    const bad = await t.http.post('/api/v1/teams').set('Authorization', auth).set('Content-Type', 'application/json').send('{"name":');
    expect(bad.status).toBe(400);
    const arr = await t.http
      .post('/api/v1/teams')
      .set('Authorization', auth)
      .send([{ name: 'x' }]);
    expect(arr.status).toBe(400);
  });

  test('a duplicate name is 409, case-insensitively, and creates nothing', async () => {
    await createTeam({ name: 'Escalations' });
    for (const name of ['Escalations', ' escalations ']) {
      const res = await t.http.post('/api/v1/teams').set('Authorization', auth).send({ name });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'ConflictException', data: null });
    }
    const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM teams WHERE lower(name) = 'escalations'`);
    expect(rows[0].n).toBe(1);
  });
});

describe('GET /api/v1/teams', () => {
  test('lists teams, most recently updated first', async () => {
    const a = await createTeam();
    const b = await createTeam();
    await t.http.put(`/api/v1/teams/${a.id}`).set('Authorization', auth).send({ emoji: '🔥' }).expect(200);
    const res = await t.http.get('/api/v1/teams').set('Authorization', auth).expect(200);
    expect(Array.isArray(res.body.data)).toBe(true);
    for (const team of res.body.data) expectSchema(team, 'Team');
    const ids = res.body.data.map((x: { id: number }) => x.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
    const stamps = res.body.data.map((x: { updated_at: string }) => x.updated_at);
    expect([...stamps].sort().reverse()).toEqual(stamps);
  });

  test('a missing team is 404 (also an id beyond int4), and a bad id is 400', async () => {
    const missing = await t.http.get('/api/v1/teams/999999').set('Authorization', auth);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error', error_type: 'NotFoundException', message: 'Team not found' });
    expect((await t.http.get('/api/v1/teams/99999999999').set('Authorization', auth)).status).toBe(404);
    for (const id of ['abc', '0', '-1', '1.5']) {
      const res = await t.http.get(`/api/v1/teams/${id}`).set('Authorization', auth);
      expect(res.status).toBe(400);
      expect(res.body.error_type).toBe('InputException');
    }
  });
});

describe('PUT /api/v1/teams/{id}', () => {
  test('is a partial update: omitted fields keep their values', async () => {
    const team = await createTeam({ emoji: '📦', conversation_assignment_type: 'Round robin', timezone: 'Asia/Tokyo', max_auto_assigned_conversations: 3 });
    await new Promise((r) => setTimeout(r, 5));
    const res = await t.http
      .put(`/api/v1/teams/${team.id}`)
      .set('Authorization', auth)
      .send({ name: `${team.name} renamed` });
    expect(res.status).toBe(200);
    expectSchema(res.body.data, 'Team');
    expect(res.body.data).toMatchObject({ ...team, name: `${team.name} renamed`, updated_at: res.body.data.updated_at });
    expect(res.body.data.updated_at > team.updated_at).toBe(true);

    const cleared = await t.http
      .put(`/api/v1/teams/${team.id}`)
      .set('Authorization', auth)
      .send({ emoji: '', timezone: '', conversation_assignment_type: 'Manual', max_auto_assigned_conversations: 0, business_hours_id: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data).toMatchObject({ emoji: '', timezone: '', conversation_assignment_type: 'Manual', max_auto_assigned_conversations: 0 });
  });

  test("keeping its own name is fine; taking another team's name is 409", async () => {
    const a = await createTeam();
    const b = await createTeam();
    await t.http.put(`/api/v1/teams/${a.id}`).set('Authorization', auth).send({ name: a.name }).expect(200);
    const res = await t.http.put(`/api/v1/teams/${a.id}`).set('Authorization', auth).send({ name: b.name.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body.error_type).toBe('ConflictException');
  });

  test('bad input is 400 and changes nothing; a missing team is 404', async () => {
    const team = await createTeam();
    for (const body of [
      { name: '' },
      { conversation_assignment_type: 'Auto' },
      { timezone: 'Nowhere/Land' },
      { business_hours_id: 2 },
      { max_auto_assigned_conversations: -5 },
    ]) {
      const res = await t.http.put(`/api/v1/teams/${team.id}`).set('Authorization', auth).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const after = await t.http.get(`/api/v1/teams/${team.id}`).set('Authorization', auth).expect(200);
    expect(after.body.data).toEqual(team);
    const missing = await t.http.put('/api/v1/teams/999999').set('Authorization', auth).send({ name: 'Ghost' });
    expect(missing.status).toBe(404);
    expect(missing.body.error_type).toBe('NotFoundException');
  });

  test('a null name is a 400 naming the field, not a database error (found by the fuzzer)', async () => {
    const team = await createTeam();
    const res = await t.http.put(`/api/v1/teams/${team.id}`).set('Authorization', auth).send({ name: null });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.data.fields)).toEqual(['name']);
    const after = await t.http.get(`/api/v1/teams/${team.id}`).set('Authorization', auth).expect(200);
    expect(after.body.data).toEqual(team);
  });
});

describe('DELETE /api/v1/teams/{id}', () => {
  test('deletes the team, its memberships, and unassigns its conversations', async () => {
    const team = await createTeam();
    const agent = await createAgent(t, { roles: ['Agent'], teams: [team.id] });
    const [{ id: contactId }] = await t.dataSource.query(`INSERT INTO users (type, email, first_name) VALUES ('contact', $1, 'C') RETURNING id`, [
      `c-${Date.now()}@example.com`,
    ]);
    const [{ id: conversationId }] = await t.dataSource.query(
      `INSERT INTO conversations (contact_id, inbox_id, status_id, assigned_team_id)
       VALUES ($1, (SELECT min(id) FROM inboxes), (SELECT id FROM conversation_statuses WHERE name = 'Open'), $2) RETURNING id`,
      [contactId, team.id],
    );

    const res = await t.http.delete(`/api/v1/teams/${team.id}`).set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', data: true });

    await t.http.get(`/api/v1/teams/${team.id}`).set('Authorization', auth).expect(404);
    const a = await t.http.get(`/api/v1/agents/${agent.id}`).set('Authorization', auth).expect(200);
    expect(a.body.data.teams).toEqual([]);
    const [conv] = await t.dataSource.query(`SELECT assigned_team_id FROM conversations WHERE id = $1`, [conversationId]);
    expect(conv.assigned_team_id).toBeNull();

    const again = await t.http.delete(`/api/v1/teams/${team.id}`).set('Authorization', auth);
    expect(again.status).toBe(404);
    expect(again.body.error_type).toBe('NotFoundException');
  });

  test('a bad id is 400', async () => {
    const res = await t.http.delete('/api/v1/teams/nope').set('Authorization', auth);
    expect(res.status).toBe(400);
  });
});

describe('team membership of agents', () => {
  test('agents join teams by id and by name, and see them in `teams`', async () => {
    const ops = await createTeam({ name: `Ops ${Date.now()}`, emoji: '⚙️' });
    const sales = await createTeam({ name: `Sales ${Date.now()}` });
    const created = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'Tea', email: `tea-${Date.now()}@example.com`, roles: ['Agent'], teams: [ops.id, sales.name] });
    expect(created.status).toBe(200);
    const byId = new Map(created.body.data.teams.map((x: { id: number }) => [x.id, x]));
    expect(byId.get(ops.id)).toEqual({ id: ops.id, name: ops.name, emoji: '⚙️' });
    expect(byId.get(sales.id)).toEqual({ id: sales.id, name: sales.name, emoji: '' });

    const updated = await t.http
      .put(`/api/v1/agents/${created.body.data.id}`)
      .set('Authorization', auth)
      .send({ teams: [String(sales.id)] });
    expect(updated.status).toBe(200);
    expect(updated.body.data.teams.map((x: { id: number }) => x.id)).toEqual([sales.id]);

    // a renamed team is still the agent's team, under its new name
    await t.http
      .put(`/api/v1/teams/${sales.id}`)
      .set('Authorization', auth)
      .send({ name: `${sales.name} EMEA` })
      .expect(200);
    const after = await t.http.get(`/api/v1/agents/${created.body.data.id}`).set('Authorization', auth).expect(200);
    expect(after.body.data.teams[0].name).toBe(`${sales.name} EMEA`);

    const unknown = await t.http
      .put(`/api/v1/agents/${created.body.data.id}`)
      .set('Authorization', auth)
      .send({ teams: ['No Such Team'] });
    expect(unknown.status).toBe(400);
  });
});

describe('authorization', () => {
  const routes: Array<[string, string]> = [
    ['get', '/api/v1/teams'],
    ['post', '/api/v1/teams'],
    ['get', '/api/v1/teams/1'],
    ['put', '/api/v1/teams/1'],
    ['delete', '/api/v1/teams/1'],
  ];

  test.each(routes)('%s %s needs credentials (401)', async (method, path) => {
    const res = await (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method](path).send({ name: 'x' });
    expect(res.status).toBe(401);
    expect(res.body.error_type).toBe('UnauthorizedException');
  });

  test.each(routes)('%s %s needs teams:manage (403 for an Agent)', async (method, path) => {
    const http = t.http as unknown as Record<string, (p: string) => import('supertest').Test>;
    const res = await http[method](path).set('Authorization', agentAuth).send({ name: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.error_type).toBe('PermissionException');
  });
});
