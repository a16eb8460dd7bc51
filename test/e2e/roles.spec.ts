import { CredentialsService } from '../../src/shared/auth/credentials.service.js';
import { ALL_PERMISSIONS, AGENT_ROLE_PERMISSIONS, Permission as P } from '../../src/shared/auth/permissions.js';
import { sleep } from '../support/process.js';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createRole, startConversationsApp, unique } from './conversations.fixtures.js';

interface Role {
  id: number;
  created_at: string;
  updated_at: string;
  name: string;
  description: string;
  permissions: string[];
}

let t: TestApp;
let admin: string;
let agent: string;
let manager: string;
let adminRole: Role;
let agentRole: Role;

const as = (auth: string) => ({
  get: (path: string) => t.http.get(`/api/v1${path}`).set('Authorization', auth),
  post: (path: string, body: object = {}) => t.http.post(`/api/v1${path}`).set('Authorization', auth).send(body),
  put: (path: string, body: object = {}) => t.http.put(`/api/v1${path}`).set('Authorization', auth).send(body),
  delete: (path: string) => t.http.delete(`/api/v1${path}`).set('Authorization', auth),
});

beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
  agent = t.token(await createAgent(t));
  manager = t.token(await createAgent(t, { roles: [await createRole(t, [P.RolesManage])] }));
  const roles = (await as(agent).get('/roles').expect(200)).body.data as Role[];
  adminRole = roles.find((r) => r.name === 'Admin')!;
  agentRole = roles.find((r) => r.name === 'Agent')!;
});
afterAll(async () => t?.close());

async function newRole(body: Partial<Role> = {}): Promise<Role> {
  const res = await as(manager).post('/roles', { name: unique('Role'), description: 'A role', permissions: [P.ConversationsRead], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

describe('reading roles', () => {
  test('any agent lists every role in upstream shape, by id; GET /roles/{id} needs roles:manage', async () => {
    const roles = (await as(agent).get('/roles').expect(200)).body.data as Role[];
    expect(roles.map((r) => r.id)).toEqual([...roles.map((r) => r.id)].sort((a, b) => a - b));
    expect(Object.keys(adminRole).sort()).toEqual(['created_at', 'description', 'id', 'name', 'permissions', 'updated_at']);
    expect(adminRole.permissions).toContain(P.RolesManage);
    expect(ALL_PERMISSIONS).toEqual(expect.arrayContaining(adminRole.permissions));
    expect(agentRole.permissions).toEqual([...AGENT_ROLE_PERMISSIONS]);

    expect((await as(manager).get(`/roles/${agentRole.id}`).expect(200)).body.data).toEqual(agentRole);
    expect((await as(agent).get(`/roles/${agentRole.id}`)).status).toBe(403);
    expect((await as(manager).get('/roles/2147483000')).status).toBe(404);
    expect((await as(manager).get('/roles/x')).status).toBe(400);
    expect((await t.http.get('/api/v1/roles')).status).toBe(401);
  });
});

describe('creating and updating roles', () => {
  test('create: trimmed name, description, permissions without repeats; needs roles:manage', async () => {
    const name = unique('Billing');
    const role = await newRole({ name: `  ${name} `, description: ' Invoices ', permissions: [P.MessagesRead, P.ConversationsRead, P.MessagesRead] });
    expect(role).toMatchObject({ name, description: 'Invoices', permissions: [P.MessagesRead, P.ConversationsRead] });
    expect((await newRole({ description: undefined })).description).toBe('');
    expect((await as(agent).post('/roles', { name: unique('x'), permissions: [P.ConversationsRead] })).status).toBe(403);
    expect((await as(agent).put(`/roles/${role.id}`, { name: unique('x') })).status).toBe(403);
    expect((await as(agent).delete(`/roles/${role.id}`)).status).toBe(403);
  });

  test('an unknown permission is a 400 naming it, and nothing is written', async () => {
    const name = unique('Bad');
    const res = await as(manager).post('/roles', { name, permissions: [P.ConversationsRead, 'conversations:fly', 'teams:rule'] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(res.body.message).toContain('conversations:fly');
    expect(res.body.message).toContain('teams:rule');
    expect(res.body.data.fields.permissions).toContain('conversations:fly');
    expect(await t.dataSource.query(`SELECT id FROM roles WHERE name = $1`, [name])).toEqual([]);

    const role = await newRole();
    const update = await as(manager).put(`/roles/${role.id}`, { permissions: ['contacts:fly'] });
    expect(update.status).toBe(400);
    expect(update.body.message).toContain('contacts:fly');
    expect((await as(manager).get(`/roles/${role.id}`).expect(200)).body.data.permissions).toEqual(role.permissions);
  });

  test('other invalid input is a 400', async () => {
    const bodies = [
      {},
      { name: unique('r') },
      { name: unique('r'), permissions: [] },
      { name: unique('r'), permissions: 'conversations:read' },
      { name: unique('r'), permissions: [5] },
      { name: '', permissions: [P.ConversationsRead] },
      { name: '   ', permissions: [P.ConversationsRead] },
      { name: 'x'.repeat(51), permissions: [P.ConversationsRead] },
      { name: unique('r'), description: 'd'.repeat(301), permissions: [P.ConversationsRead] },
      { name: unique('r'), description: null, permissions: [P.ConversationsRead] },
    ];
    for (const body of bodies) {
      const res = await as(manager).post('/roles', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_type).toBe('InputException');
    }
    const role = await newRole();
    for (const body of [{ name: '' }, { permissions: [] }, { name: null }, { description: 'd'.repeat(301) }]) {
      expect((await as(manager).put(`/roles/${role.id}`, body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  test('names are unique: a duplicate create or rename is 409, "Admin" included', async () => {
    const role = await newRole();
    for (const name of [role.name, 'Admin', 'Agent']) {
      const res = await as(manager).post('/roles', { name, permissions: [P.ConversationsRead] });
      expect(res.status, name).toBe(409);
      expect(res.body).toMatchObject({ message: 'Role already exists', error_type: 'ConflictException' });
    }
    const other = await newRole();
    expect((await as(manager).put(`/roles/${other.id}`, { name: role.name })).status).toBe(409);
    expect((await as(manager).put(`/roles/${other.id}`, { name: 'Admin' })).status).toBe(409);
    const results = await Promise.all([1, 2, 3].map(() => as(manager).post('/roles', { name: `${role.name}-race`, permissions: [P.ConversationsRead] })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  test('update: omitted fields keep their values', async () => {
    const role = await newRole({ description: 'keep me' });
    const renamed = unique('Renamed');
    const res = await as(manager).put(`/roles/${role.id}`, { name: renamed }).expect(200);
    expect(res.body.data).toMatchObject({ id: role.id, name: renamed, description: 'keep me', permissions: role.permissions });
    const perms = await as(manager)
      .put(`/roles/${role.id}`, { permissions: [P.TagsManage] })
      .expect(200);
    expect(perms.body.data).toMatchObject({ name: renamed, description: 'keep me', permissions: [P.TagsManage] });
    expect((await as(manager).put('/roles/2147483000', { name: unique('x') })).status).toBe(404);
  });
});

describe('the seeded roles', () => {
  test('Admin cannot be changed or deleted; Agent can be changed but not deleted, even renamed', async () => {
    const edit = await as(admin).put(`/roles/${adminRole.id}`, { description: 'mine now' });
    expect(edit.status).toBe(400);
    expect(edit.body.message).toBe('Cannot modify admin role, Please create a new role.');
    expect((await as(admin).delete(`/roles/${adminRole.id}`)).status).toBe(400);

    const renamed = unique('Support');
    await as(admin).put(`/roles/${agentRole.id}`, { name: renamed }).expect(200);
    try {
      const del = await as(admin).delete(`/roles/${agentRole.id}`);
      expect(del.status).toBe(400);
      expect(del.body.message).toBe('Cannot delete the built-in Agent role');
      // A new role taking the old name is an ordinary, deletable role.
      const impostor = await newRole({ name: 'Agent' });
      await as(admin).delete(`/roles/${impostor.id}`).expect(200);
    } finally {
      await as(admin).put(`/roles/${agentRole.id}`, { name: 'Agent' }).expect(200);
    }
    const roles = (await as(agent).get('/roles').expect(200)).body.data as Role[];
    expect(roles.find((r) => r.id === adminRole.id)).toEqual(adminRole);
    expect(roles.find((r) => r.id === agentRole.id)?.name).toBe('Agent');
  });
});

describe('a change reaches the holders’ next request', () => {
  test('editing a role: permissions are gained and lost on the very next request', async () => {
    const role = await newRole({ permissions: [P.RolesManage] });
    const holder = t.token(await createAgent(t, { roles: [role.name] }));
    // Warm whatever this instance caches for the holder.
    for (let i = 0; i < 3; i++) await as(holder).get(`/roles/${role.id}`).expect(200);
    await as(holder).get('/agents/me').expect(200);

    await as(manager)
      .put(`/roles/${role.id}`, { permissions: [P.TagsManage] })
      .expect(200);
    expect((await as(holder).get(`/roles/${role.id}`)).status).toBe(403);
    expect((await as(holder).get('/agents/me').expect(200)).body.data.permissions).toEqual([P.TagsManage]);
    expect((await as(holder).post('/tags', { name: unique('granted') })).status).toBe(200);

    await as(manager)
      .put(`/roles/${role.id}`, { permissions: [P.RolesManage] })
      .expect(200);
    expect((await as(holder).get(`/roles/${role.id}`)).status).toBe(200);
    expect((await as(holder).post('/tags', { name: unique('refused') })).status).toBe(403);
  });

  test('a change made elsewhere (here: in SQL, as another instance would) arrives by notification', async () => {
    const role = await newRole({ permissions: [P.RolesManage] });
    const holder = t.token(await createAgent(t, { roles: [role.name] }));
    // Principals are cached (so only the notification can make the change visible).
    expect(t.app.get(CredentialsService).cachingAllowed).toBe(true);
    for (let i = 0; i < 3; i++) await as(holder).get(`/roles/${role.id}`).expect(200);
    await t.dataSource.query(`UPDATE roles SET permissions = $1 WHERE id = $2`, [[P.TagsManage], role.id]);
    const changedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - changedAt < 2_000) {
      status = (await as(holder).get(`/roles/${role.id}`)).status;
      if (status === 200) await sleep(20);
    }
    expect(status).toBe(403);
  });

  test('deleting a role: its holders lose it (as in Libredesk) at once', async () => {
    const role = await newRole({ permissions: [P.RolesManage] });
    const created = await createAgent(t, { roles: [role.name, 'Agent'] });
    const holder = t.token(created);
    for (let i = 0; i < 3; i++) await as(holder).get(`/roles/${role.id}`).expect(200);

    await as(manager).delete(`/roles/${role.id}`).expect(200);
    expect((await as(holder).get(`/roles/${agentRole.id}`)).status).toBe(403);
    expect((await as(holder).get('/agents/me').expect(200)).body.data.roles).toEqual(['Agent']);
    expect((await as(manager).get(`/roles/${role.id}`)).status).toBe(404);
    expect((await as(manager).delete(`/roles/${role.id}`)).status).toBe(404);
  });
});
