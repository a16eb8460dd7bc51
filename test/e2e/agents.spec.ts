import { createAgent, createRole } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let auth: string;
beforeAll(async () => {
  t = await startTestApp();
  auth = t.token(t.admin);
});
afterAll(async () => t?.close());

const AGENT_KEYS = [
  'id',
  'created_at',
  'updated_at',
  'first_name',
  'last_name',
  'email',
  'type',
  'availability_status',
  'phone_number_country_code',
  'phone_number',
  'avatar_url',
  'enabled',
  'last_active_at',
  'last_login_at',
  'roles',
  'permissions',
  'custom_attributes',
  'teams',
  'api_key',
  'api_key_last_used_at',
].sort();

describe('POST /api/v1/agents', () => {
  test('creates an agent with roles and returns the full Agent', async () => {
    const res = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'Grace', last_name: 'Hopper', email: '  Grace@Example.COM ', roles: ['Agent'] });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    const a = res.body.data;
    expect(Object.keys(a).sort()).toEqual(AGENT_KEYS);
    expect(a).toMatchObject({
      first_name: 'Grace',
      last_name: 'Hopper',
      email: 'grace@example.com',
      type: 'agent',
      enabled: true,
      availability_status: 'offline',
      roles: ['Agent'],
      teams: [],
      api_key: null,
      api_key_last_used_at: null,
      avatar_url: null,
      custom_attributes: {},
    });
    expect(a.permissions).toContain('conversations:read_all');
    expect(a.permissions).not.toContain('users:manage');
    expect(new Date(a.created_at).toISOString()).toBe(a.created_at);
    expect(JSON.stringify(a)).not.toMatch(/password|api_secret/);
  });

  test('duplicate email is 409 and creates nothing', async () => {
    await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'D', email: 'dup@example.com', roles: ['Agent'] })
      .expect(200);
    const res = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'D2', email: 'DUP@example.com', roles: ['Agent'] });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'ConflictException', data: null });
  });

  test('unknown role is 400 and nothing is created', async () => {
    const res = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'X', email: 'norole@example.com', roles: ['Wizard'] });
    expect(res.status).toBe(400);
    expect(res.body.error_type).toBe('InputException');
    expect(res.body.message).toContain('Wizard');
    const rows = await t.dataSource.query(`SELECT 1 FROM users WHERE email = 'norole@example.com'`);
    expect(rows).toHaveLength(0);
  });

  test.each([
    [{ email: 'a@example.com', roles: ['Agent'] }, 'first_name'],
    [{ first_name: 'A', roles: ['Agent'] }, 'email'],
    [{ first_name: 'A', email: 'not-an-email', roles: ['Agent'] }, 'email'],
    [{ first_name: 'A', email: 'Bob <b@x.com>', roles: ['Agent'] }, 'email'],
    [{ first_name: 'A', email: 'a2@example.com' }, 'roles'],
    [{ first_name: 'A', email: 'a3@example.com', roles: 'Agent' }, 'roles'],
    [{ first_name: 123, email: 'a4@example.com', roles: ['Agent'] }, 'first_name'],
    [{ first_name: '   ', email: 'a5@example.com', roles: ['Agent'] }, 'first_name'],
    [{ first_name: 'A', email: 'a6@example.com', roles: ['Agent'], enabled: 'yes' }, 'enabled'],
    [{ first_name: 'A', email: 'a7@example.com', roles: ['Agent'], availability_status: 'sleeping' }, 'availability_status'],
    [{ first_name: 'A', email: 'a8@example.com', roles: ['Agent'], new_password: 'weak' }, 'new_password'],
    [{ first_name: 'x'.repeat(141), email: 'a9@example.com', roles: ['Agent'] }, 'first_name'],
  ])('bad input %j is 400 naming %s', async (body, field) => {
    const res = await t.http.post('/api/v1/agents').set('Authorization', auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(Object.keys(res.body.data.fields)).toContain(field);
  });

  test('accepts `a@b` as an email (no TLD needed)', async () => {
    await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'A', email: 'a@b', roles: ['Agent'] })
      .expect(200);
  });

  test('a non-object body is 400', async () => {
    for (const body of ['[]', '"x"', '42', 'null']) {
      const res = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('error');
    }
  });

  test('teams by id and by name', async () => {
    const [{ id: supportId }] = await t.dataSource.query(`INSERT INTO teams (name, conversation_assignment_type) VALUES ('Support', 'Manual') RETURNING id`);
    await t.dataSource.query(`INSERT INTO teams (name, emoji, conversation_assignment_type) VALUES ('Billing', '💸', 'Round robin')`);
    const res = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'T', email: 'teams@example.com', roles: ['Agent'], teams: [String(supportId), 'Billing'] });
    expect(res.status).toBe(200);
    expect(res.body.data.teams.map((x: { name: string }) => x.name).sort()).toEqual(['Billing', 'Support']);
    expect(res.body.data.teams.find((x: { name: string }) => x.name === 'Billing')).toMatchObject({ emoji: '💸' });
    const bad = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'T', email: 'teams2@example.com', roles: ['Agent'], teams: ['Nope', 999999] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('Nope');
  });
});

describe('GET /api/v1/agents', () => {
  test('flat array of compact agents, without the System user, disabled included, deleted excluded', async () => {
    const disabled = await createAgent(t, { first_name: 'Dis' });
    await t.http.put(`/api/v1/agents/${disabled.id}`).set('Authorization', auth).send({ enabled: false }).expect(200);
    const deleted = await createAgent(t, { first_name: 'Gone' });
    await t.http.delete(`/api/v1/agents/${deleted.id}`).set('Authorization', auth).expect(200);
    const res = await t.http.get('/api/v1/agents').set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.data)).toBe(true);
    const emails = res.body.data.map((a: { email: string }) => a.email);
    expect(emails).not.toContain('System');
    expect(emails).toContain(disabled.email);
    expect(emails).not.toContain(deleted.email);
    expect(Object.keys(res.body.data[0]).sort()).toEqual(
      ['id', 'type', 'first_name', 'last_name', 'email', 'enabled', 'avatar_url', 'availability_status', 'created_at', 'updated_at'].sort(),
    );
    const times = res.body.data.map((a: { updated_at: string }) => a.updated_at);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe('GET/PUT /api/v1/agents/{id}', () => {
  test('get by id; 404 for unknown, contact or deleted; 400 for a bad id', async () => {
    const a = await createAgent(t);
    const res = await t.http.get(`/api/v1/agents/${a.id}`).set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body.data.api_key).toBe(a.api_key);
    expect((await t.http.get('/api/v1/agents/999999').set('Authorization', auth)).status).toBe(404);
    const [{ id: contactId }] = await t.dataSource.query(`INSERT INTO users (type, email, first_name) VALUES ('contact', 'c@example.com', 'C') RETURNING id`);
    const asContact = await t.http.get(`/api/v1/agents/${contactId}`).set('Authorization', auth);
    expect(asContact.status).toBe(404);
    expect(asContact.body.error_type).toBe('NotFoundException');
    expect((await t.http.get('/api/v1/agents/99999999999').set('Authorization', auth)).status).toBe(404);
    for (const bad of ['abc', '0', '-1', '1.5', '1e3']) {
      const r = await t.http.get(`/api/v1/agents/${bad}`).set('Authorization', auth);
      expect(r.status).toBe(400);
      expect(r.body.error_type).toBe('InputException');
    }
  });

  test('partial update keeps omitted fields, replaces roles and teams when given', async () => {
    const a = await createAgent(t, { first_name: 'Pat', last_name: 'Partial' });
    const res = await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ last_name: 'Updated' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ first_name: 'Pat', last_name: 'Updated', enabled: true, roles: ['Agent'], email: a.email });
    const admin = await t.http
      .put(`/api/v1/agents/${a.id}`)
      .set('Authorization', auth)
      .send({ roles: ['Admin', 'Agent'], availability_status: 'away_manual' });
    expect(admin.body.data.roles).toEqual(['Admin', 'Agent']);
    expect(admin.body.data.availability_status).toBe('away_manual');
    expect(admin.body.data.permissions).toContain('users:manage');
    const none = await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ roles: [] });
    expect(none.body.data.roles).toEqual([]);
    expect(none.body.data.permissions).toEqual([]);
  });

  test('update: duplicate email 409, unknown agent 404, bad values 400', async () => {
    const a = await createAgent(t);
    const b = await createAgent(t);
    expect((await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ email: b.email.toUpperCase() })).status).toBe(409);
    expect((await t.http.put('/api/v1/agents/999999').set('Authorization', auth).send({ first_name: 'X' })).status).toBe(404);
    expect((await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ first_name: '' })).status).toBe(400);
    expect(
      (
        await t.http
          .put(`/api/v1/agents/${a.id}`)
          .set('Authorization', auth)
          .send({ roles: ['Nope'] })
      ).status,
    ).toBe(400);
    expect((await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ new_password: 'Str0ng!Passw0rd' })).status).toBe(200);
    const same = await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ email: a.email });
    expect(same.status).toBe(200);
  });

  test('null for any field is a 400 naming it and changes nothing (found by the fuzzer: `email: null` blanked the address)', async () => {
    const a = await createAgent(t);
    const before = await t.http.get(`/api/v1/agents/${a.id}`).set('Authorization', auth).expect(200);
    for (const field of ['first_name', 'last_name', 'email', 'roles', 'teams', 'send_welcome_email', 'enabled', 'availability_status', 'new_password']) {
      const res = await t.http
        .put(`/api/v1/agents/${a.id}`)
        .set('Authorization', auth)
        .send({ [field]: null });
      expect(res.status, field).toBe(400);
      expect(Object.keys(res.body.data.fields), field).toEqual([field]);
    }
    const after = await t.http.get(`/api/v1/agents/${a.id}`).set('Authorization', auth).expect(200);
    expect(after.body.data).toEqual(before.body.data);
  });

  test('disabling an agent stops its key at once', async () => {
    const a = await createAgent(t);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
    await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ enabled: false }).expect(200);
    expect((await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a))).status).toBe(401);
    await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ enabled: true }).expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
  });
});

describe('DELETE /api/v1/agents/{id}', () => {
  test('soft delete: key stops working, roles and teams dropped, row kept', async () => {
    const a = await createAgent(t);
    const res = await t.http.delete(`/api/v1/agents/${a.id}`).set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', data: true });
    expect((await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a))).status).toBe(401);
    expect((await t.http.get(`/api/v1/agents/${a.id}`).set('Authorization', auth)).status).toBe(404);
    const [row] = await t.dataSource.query(`SELECT deleted_at, api_key FROM users WHERE id = $1`, [a.id]);
    expect(row.deleted_at).not.toBeNull();
    expect(row.api_key).toBeNull();
    expect(await t.dataSource.query(`SELECT 1 FROM user_roles WHERE user_id = $1`, [a.id])).toHaveLength(0);
    expect((await t.http.delete(`/api/v1/agents/${a.id}`).set('Authorization', auth)).status).toBe(404);
  });

  test('the email of a deleted agent can be reused', async () => {
    const a = await createAgent(t);
    await t.http.delete(`/api/v1/agents/${a.id}`).set('Authorization', auth).expect(200);
    await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'Again', email: a.email, roles: ['Agent'] })
      .expect(200);
  });

  test('cannot delete yourself or the System user', async () => {
    const self = await t.http.delete(`/api/v1/agents/${t.admin.id}`).set('Authorization', auth);
    expect(self.status).toBe(400);
    expect(self.body.message).toMatch(/yourself/);
    const [{ id: systemId }] = await t.dataSource.query(`SELECT id FROM users WHERE email = 'System'`);
    const sys = await t.http.delete(`/api/v1/agents/${systemId}`).set('Authorization', auth);
    expect(sys.status).toBe(400);
  });

  test('the System user is hidden like in the list: it cannot be read, edited, keyed or assigned (found by the fuzzer: its email broke the Agent schema)', async () => {
    const [{ id: systemId }] = await t.dataSource.query(`SELECT id FROM users WHERE email = 'System'`);
    const calls = [
      t.http.get(`/api/v1/agents/${systemId}`),
      t.http.put(`/api/v1/agents/${systemId}`).send({ email: 'renamed@example.com' }),
      t.http.post(`/api/v1/agents/${systemId}/api-key`),
      t.http.delete(`/api/v1/agents/${systemId}/api-key`),
    ];
    for (const call of calls) {
      const res = await call.set('Authorization', auth);
      expect(res.status).toBe(404);
      expect(res.body.error_type).toBe('NotFoundException');
    }
    const [row] = await t.dataSource.query(`SELECT email, api_key FROM users WHERE id = $1`, [systemId]);
    expect(row).toEqual({ email: 'System', api_key: null });
  });
});

describe('API keys', () => {
  test('generate: 32-char key, 64-char secret, only a hash stored; regenerating retires the old pair', async () => {
    const a = await createAgent(t);
    expect(a.api_key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(a.api_secret).toMatch(/^[A-Za-z0-9]{64}$/);
    const [row] = await t.dataSource.query(`SELECT api_secret FROM users WHERE id = $1`, [a.id]);
    expect(row.api_secret).not.toContain(a.api_secret);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
    const again = await t.http.post(`/api/v1/agents/${a.id}/api-key`).set('Authorization', auth);
    expect(again.status).toBe(200);
    expect((await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a))).status).toBe(401);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(again.body.data)).expect(200);
  });

  test('revoke takes effect immediately and records nothing secret', async () => {
    const a = await createAgent(t);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.basic(a)).expect(200);
    const res = await t.http.delete(`/api/v1/agents/${a.id}/api-key`).set('Authorization', auth);
    expect(res.body).toEqual({ status: 'success', data: true });
    expect((await t.http.get('/api/v1/agents/me').set('Authorization', t.basic(a))).status).toBe(401);
    expect((await t.http.get(`/api/v1/agents/${a.id}`).set('Authorization', auth)).body.data.api_key).toBeNull();
    await t.http.delete(`/api/v1/agents/${a.id}/api-key`).set('Authorization', auth).expect(200);
    expect((await t.http.post('/api/v1/agents/999999/api-key').set('Authorization', auth)).status).toBe(404);
    expect((await t.http.delete('/api/v1/agents/999999/api-key').set('Authorization', auth)).status).toBe(404);
  });

  test('api_key_last_used_at is recorded', async () => {
    const a = await createAgent(t);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200);
    await expect
      .poll(async () => (await t.dataSource.query(`SELECT api_key_last_used_at FROM users WHERE id = $1`, [a.id]))[0].api_key_last_used_at)
      .not.toBeNull();
  });
});

describe('/api/v1/agents/me and availability', () => {
  test('me returns the caller', async () => {
    const a = await createAgent(t, { first_name: 'Me' });
    const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: a.id, first_name: 'Me', email: a.email });
  });

  test('me is kept in memory but follows every change: its own writes at once, SQL and team renames by notification', async () => {
    const a = await createAgent(t, { first_name: 'Cached' });
    const me = async () => (await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a)).expect(200)).body.data;
    // The first use of the key is recorded in the background; once it lands, every instance shows it.
    await expect.poll(async () => (await me()).api_key_last_used_at, { timeout: 5000, interval: 20 }).not.toBeNull();
    const first = await me();
    expect(await me()).toEqual(first);

    await t.http.put('/api/v1/agents/me/availability').set('Authorization', t.token(a)).send({ status: 'busy' }).expect(200);
    expect((await me()).availability_status).toBe('away_manual');
    await t.http.put(`/api/v1/agents/${a.id}`).set('Authorization', auth).send({ last_name: 'Renamed' }).expect(200);
    expect((await me()).last_name).toBe('Renamed');

    await t.dataSource.query(`UPDATE users SET avatar_url = '/uploads/face.png', updated_at = now() WHERE id = $1`, [a.id]);
    await expect.poll(async () => (await me()).avatar_url, { timeout: 5000, interval: 20 }).toBe('/uploads/face.png');

    const team = (
      await t.http
        .post('/api/v1/teams')
        .set('Authorization', auth)
        .send({ name: 'Cache Team', emoji: '🧊', conversation_assignment_type: 'Round robin', timezone: 'UTC' })
        .expect(200)
    ).body.data;
    await t.http
      .put(`/api/v1/agents/${a.id}`)
      .set('Authorization', auth)
      .send({ teams: [team.id] })
      .expect(200);
    expect((await me()).teams).toEqual([{ id: team.id, name: 'Cache Team', emoji: '🧊' }]);
    await t.http.put(`/api/v1/teams/${team.id}`).set('Authorization', auth).send({ name: 'Renamed Team' }).expect(200);
    expect((await me()).teams).toEqual([{ id: team.id, name: 'Renamed Team', emoji: '🧊' }]);
    await t.dataSource.query(`UPDATE teams SET emoji = '🔥' WHERE id = $1`, [team.id]);
    await expect.poll(async () => (await me()).teams[0]?.emoji, { timeout: 5000, interval: 20 }).toBe('🔥');
    await t.dataSource.query(`DELETE FROM team_members WHERE user_id = $1`, [a.id]);
    await expect.poll(async () => (await me()).teams, { timeout: 5000, interval: 20 }).toEqual([]);
  });

  test.each([
    ['available', 'online'],
    ['busy', 'away_manual'],
    ['away', 'away'],
    ['offline', 'offline'],
    ['online', 'online'],
    ['away_and_reassigning', 'away_and_reassigning'],
  ])('status %s is stored as %s', async (input, stored) => {
    const a = await createAgent(t);
    const res = await t.http.put('/api/v1/agents/me/availability').set('Authorization', t.token(a)).send({ status: input });
    expect(res.status).toBe(200);
    expect(res.body.data.availability_status).toBe(stored);
  });

  test('idle source does not override a manual away', async () => {
    const a = await createAgent(t);
    await t.http.put('/api/v1/agents/me/availability').set('Authorization', t.token(a)).send({ status: 'busy' }).expect(200);
    const res = await t.http.put('/api/v1/agents/me/availability').set('Authorization', t.token(a)).send({ status: 'away', source: 'idle' });
    expect(res.body.data.availability_status).toBe('away_manual');
  });

  test.each([[{ status: 'sleeping' }], [{}], [{ status: 3 }]])('bad availability %j is 400', async (body) => {
    const a = await createAgent(t);
    const res = await t.http.put('/api/v1/agents/me/availability').set('Authorization', t.token(a)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error_type).toBe('InputException');
  });
});

describe('permissions', () => {
  test('an Agent cannot manage agents (403) but can read itself', async () => {
    const a = await createAgent(t);
    const h = t.token(a);
    for (const [method, path] of [
      ['get', '/api/v1/agents'],
      ['post', '/api/v1/agents'],
      ['get', `/api/v1/agents/${t.admin.id}`],
      ['put', `/api/v1/agents/${t.admin.id}`],
      ['delete', `/api/v1/agents/${t.admin.id}`],
      ['post', `/api/v1/agents/${t.admin.id}/api-key`],
      ['delete', `/api/v1/agents/${t.admin.id}/api-key`],
    ] as const) {
      const res = await t.http[method](path).set('Authorization', h).send({});
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({ status: 'error', message: 'Permission denied', data: null, error_type: 'PermissionException' });
    }
    await t.http.get('/api/v1/agents/me').set('Authorization', h).expect(200);
  });

  test('a custom role with only users:manage can list agents; role changes apply at once', async () => {
    await createRole(t, 'UserManager', ['users:manage']);
    const a = await createAgent(t, { roles: ['UserManager'] });
    await t.http.get('/api/v1/agents').set('Authorization', t.token(a)).expect(200);
    await t.http
      .put(`/api/v1/agents/${a.id}`)
      .set('Authorization', auth)
      .send({ roles: ['Agent'] })
      .expect(200);
    expect((await t.http.get('/api/v1/agents').set('Authorization', t.token(a))).status).toBe(403);
  });
});
