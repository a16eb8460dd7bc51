import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, inboxId, startConversationsApp, unique } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let team: { id: number; name: string };
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
  team = await createTeam(t);
  agent = await createAgent(t, { teams: [team.id] });
});
afterAll(async () => t?.close());

const views = (as: string) => ({
  list: () => t.http.get('/api/v1/views').set('Authorization', as),
  create: (body: object) => t.http.post('/api/v1/views').set('Authorization', as).send(body),
  get: (id: number | string) => t.http.get(`/api/v1/views/${id}`).set('Authorization', as),
  update: (id: number | string, body: object) => t.http.put(`/api/v1/views/${id}`).set('Authorization', as).send(body),
  remove: (id: number | string) => t.http.delete(`/api/v1/views/${id}`).set('Authorization', as),
  conversations: (id: number | string, q = '') => t.http.get(`/api/v1/views/${id}/conversations${q}`).set('Authorization', as),
});

describe('views CRUD', () => {
  test('a private view: create, get, update, list, delete', async () => {
    const me = views(t.token(agent));
    const created = await me.create({ name: '  My open ones ', filters: { status_id: 1, tags: ['billing'] } }).expect(200);
    const view = created.body.data;
    expect(view).toEqual({
      id: expect.any(Number),
      created_at: expect.any(String),
      updated_at: expect.any(String),
      name: 'My open ones',
      visibility: 'user',
      user_id: agent.id,
      team_id: null,
      filters: { status_id: 1, tags: ['billing'] },
    });
    expect((await me.get(view.id).expect(200)).body.data).toEqual(view);
    const updated = await me.update(view.id, { name: 'Renamed', filters: { text: 'refund' } }).expect(200);
    expect(updated.body.data).toMatchObject({ id: view.id, name: 'Renamed', visibility: 'user', filters: { text: 'refund' } });
    expect((await me.list().expect(200)).body.data.map((v: { id: number }) => v.id)).toContain(view.id);
    expect((await me.remove(view.id).expect(200)).body.data).toBe(true);
    await me.get(view.id).expect(404);
    await me.remove(view.id).expect(404);
  });

  test("someone else's private view is 403; unknown 404; bad id 400", async () => {
    const mine = (await views(t.token(agent)).create({ name: 'secret' }).expect(200)).body.data;
    const res = await views(admin).get(mine.id).expect(403);
    expect(res.body.message).toBe('You do not have access to this view');
    await views(admin).update(mine.id, { name: 'x' }).expect(403);
    await views(admin).remove(mine.id).expect(403);
    await views(admin).conversations(mine.id).expect(403);
    expect((await views(admin).list().expect(200)).body.data.map((v: { id: number }) => v.id)).not.toContain(mine.id);
    await views(admin).get(999999).expect(404);
    await views(admin).conversations(999999).expect(404);
    await views(admin).get('abc').expect(400);
    await views(admin).conversations('0').expect(400);
  });

  test('shared views need shared_views:manage; team views need an existing team and are seen by its members', async () => {
    const denied = await views(t.token(agent)).create({ name: 'for all', visibility: 'all' }).expect(403);
    expect(denied.body.error_type).toBe('PermissionException');
    await views(t.token(agent)).create({ name: 'team', visibility: 'team', team_id: team.id }).expect(403);
    await views(admin).create({ name: 'team', visibility: 'team' }).expect(400);
    await views(admin).create({ name: 'team', visibility: 'team', team_id: 999999 }).expect(400);
    await views(admin).create({ name: 'mine', visibility: 'user', team_id: team.id }).expect(400);

    const forTeam = (await views(admin).create({ name: 'Team queue', visibility: 'team', team_id: team.id }).expect(200)).body.data;
    expect(forTeam).toMatchObject({ visibility: 'team', team_id: team.id, user_id: null });
    const forAll = (await views(admin).create({ name: 'Everyone', visibility: 'all' }).expect(200)).body.data;
    const otherTeam = await createTeam(t);
    const elsewhere = (await views(admin).create({ name: 'Elsewhere', visibility: 'team', team_id: otherTeam.id }).expect(200)).body.data;

    const seen = (await views(t.token(agent)).list().expect(200)).body.data.map((v: { id: number }) => v.id);
    expect(seen).toEqual(expect.arrayContaining([forTeam.id, forAll.id]));
    expect(seen).not.toContain(elsewhere.id);
    await views(t.token(agent)).get(forTeam.id).expect(200);
    await views(t.token(agent)).get(elsewhere.id).expect(403);
    // Members use shared views but cannot change them.
    await views(t.token(agent)).update(forAll.id, { name: 'mine now' }).expect(403);
    await views(t.token(agent)).remove(forTeam.id).expect(403);
    // A manager can turn a shared view into their own private one.
    const own = await views(admin).update(forAll.id, { visibility: 'user' }).expect(200);
    expect(own.body.data).toMatchObject({ visibility: 'user', user_id: t.admin.id, team_id: null });
  });

  test.each([
    ['unknown filter key', { name: 'v', filters: { colour: 'red' } }],
    ['string id', { name: 'v', filters: { status_id: '1' } }],
    ['negative id', { name: 'v', filters: { priority_id: -2 } }],
    ['tags not strings', { name: 'v', filters: { tags: [1] } }],
    ['too many tags', { name: 'v', filters: { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } }],
    ['long text', { name: 'v', filters: { text: 'x'.repeat(201) } }],
    ['filter language with an unknown field', { name: 'v', filters: [{ model: 'conversations', field: 'colour', operator: 'equals', value: 'red' }] }],
    ['filters as string', { name: 'v', filters: 'status=open' }],
    ['unknown status id', { name: 'v', filters: { status_id: 999999 } }],
    ['unknown agent id', { name: 'v', filters: { assigned_user_id: 999999 } }],
    ['unknown inbox id', { name: 'v', filters: { inbox_id: 999999 } }],
    ['missing name', { filters: {} }],
    ['empty name', { name: '  ' }],
    ['bad visibility', { name: 'v', visibility: 'public' }],
  ])('%s is a 400', async (_name, body) => {
    const res = await views(admin).create(body).expect(400);
    expect(res.body.error_type).toBe('InputException');
  });

  test('view:manage is required for CRUD', async () => {
    const reader = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_all'])] });
    await views(t.token(reader)).list().expect(403);
    await views(t.token(reader)).create({ name: 'x' }).expect(403);
    await t.http.get('/api/v1/views').expect(401);
  });
});

test('the views extension is documented with envelopes and DTO schemas', async () => {
  const doc = (await t.http.get('/docs-json').expect(200)).body;
  expect(Object.keys(doc.paths['/api/v1/views'])).toEqual(expect.arrayContaining(['get', 'post']));
  expect(Object.keys(doc.paths['/api/v1/views/{id}'])).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
  const created = doc.paths['/api/v1/views'].post;
  expect(created.operationId).toBe('handleCreateView');
  expect(created.responses['200'].content['application/json'].schema.properties.data.$ref).toBe('#/components/schemas/ViewDto');
  expect(Object.keys(doc.components.schemas.ViewDto.properties)).toEqual(
    expect.arrayContaining(['id', 'name', 'visibility', 'user_id', 'team_id', 'filters', 'created_at', 'updated_at']),
  );
  expect(Object.keys(doc.components.schemas.ViewFiltersDto.properties)).toEqual(
    expect.arrayContaining(['status_id', 'priority_id', 'assigned_user_id', 'assigned_team_id', 'inbox_id', 'tags', 'text']),
  );
  expect(doc.paths['/api/v1/views/{id}/conversations'].get.operationId).toBe('handleGetViewConversations');
});

describe('GET /views/{id}/conversations', () => {
  test("applies the filters within the caller's access, newest activity first", async () => {
    const marker = unique('refund');
    const billing = await createTeam(t);
    const a = await createConversation(t, { subject: `${marker} one`, team_id: billing.id });
    const b = await createConversation(t, { subject: `${marker} two` });
    const c = await createConversation(t, { subject: 'unrelated' });
    await t.http
      .post(`/api/v1/conversations/${a.uuid}/tags`)
      .set('Authorization', admin)
      .send({ tags: [marker] })
      .expect(200);
    await t.http.put(`/api/v1/conversations/${b.uuid}/priority`).set('Authorization', admin).send({ priority: 'High' }).expect(200);
    const high = (await t.http.get('/api/v1/priorities').set('Authorization', admin).expect(200)).body.data.find((p: { name: string }) => p.name === 'High');

    const uuidsOf = (res: { body: { data: { results: Array<{ uuid: string }> } } }) => res.body.data.results.map((r) => r.uuid);
    const make = async (filters: object) => (await views(admin).create({ name: 'v', filters }).expect(200)).body.data.id as number;

    expect(
      uuidsOf(
        await views(admin)
          .conversations(await make({ text: marker }))
          .expect(200),
      ),
    ).toEqual([b.uuid, a.uuid]);
    expect(
      uuidsOf(
        await views(admin)
          .conversations(await make({ tags: [marker, 'other'] }))
          .expect(200),
      ),
    ).toEqual([a.uuid]);
    expect(
      uuidsOf(
        await views(admin)
          .conversations(await make({ text: marker, priority_id: high.id }))
          .expect(200),
      ),
    ).toEqual([b.uuid]);
    expect(
      uuidsOf(
        await views(admin)
          .conversations(await make({ assigned_team_id: billing.id }))
          .expect(200),
      ),
    ).toEqual([a.uuid]);
    expect(
      uuidsOf(
        await views(admin)
          .conversations(await make({ text: c.reference_number }))
          .expect(200),
      ),
    ).toEqual([c.uuid]);
    expect(
      uuidsOf(
        await views(admin)
          .conversations(await make({ text: '%' }))
          .expect(200),
      ),
    ).toEqual([]);
    const byInbox = await views(admin)
      .conversations(await make({ inbox_id: await inboxId(t), text: marker }), '?page_size=1&page=2')
      .expect(200);
    expect(byInbox.body.data).toMatchObject({ total: 2, per_page: 1, page: 2, total_pages: 2 });
    expect(uuidsOf(byInbox)).toEqual([a.uuid]);

    // An agent who may read only assigned conversations sees only those, even through a shared view.
    const limited = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_assigned', 'view:manage'])] });
    await t.http.put(`/api/v1/conversations/${b.uuid}/assignee/user`).set('Authorization', admin).send({ assignee_id: limited.id }).expect(200);
    const shared = (
      await views(admin)
        .create({ name: 'refunds', visibility: 'all', filters: { text: marker } })
        .expect(200)
    ).body.data.id;
    expect(uuidsOf(await views(t.token(limited)).conversations(shared).expect(200))).toEqual([b.uuid]);
    // No list scope at all is 403.
    const none = await createAgent(t, { roles: [await createRole(t, ['conversations:read'])] });
    await views(t.token(none)).conversations(shared).expect(403);
  });
});
