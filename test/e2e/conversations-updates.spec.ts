import { randomUUID } from 'node:crypto';
import { SnoozeWaker } from '../../src/modules/conversations/snooze/snooze-waker.service.js';
import type { TestApp } from '../support/test-app.js';
import { activityTexts, createAgent, createConversation, createRole, createTeam, messagesOf, startConversationsApp } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const get = async (uuid: string) => (await t.http.get(`/api/v1/conversations/${uuid}`).set('Authorization', admin).expect(200)).body.data;
const put = (uuid: string, path: string, body?: object, as = admin) => t.http.put(`/api/v1/conversations/${uuid}/${path}`).set('Authorization', as).send(body);

describe('user assignee', () => {
  test('assign, re-assign (no-op), self-assign and remove; each change leaves one activity', async () => {
    const bob = await createAgent(t, { firstName: 'Bob', lastName: 'Agent' });
    const c = await createConversation(t);
    const res = await put(c.uuid, 'assignee/user', { assignee_id: bob.id }).expect(200);
    expect(res.body).toEqual({ status: 'success', data: true });
    expect((await get(c.uuid)).assigned_user_id).toBe(bob.id);
    await put(c.uuid, 'assignee/user', { assignee_id: bob.id }).expect(200);
    await put(c.uuid, 'assignee/user', { assignee_id: t.admin.id }).expect(200);
    await put(c.uuid, 'assignee/user/remove').expect(200);
    await put(c.uuid, 'assignee/user/remove').expect(200);
    expect((await get(c.uuid)).assigned_user_id).toBeNull();
    expect(await activityTexts(t, c.uuid)).toEqual(['Ada Admin assigned the conversation to Bob Agent', 'Ada Admin self-assigned this conversation']);
    const [latest] = await messagesOf(t, c.uuid, '?type=activity');
    expect(latest.meta).toEqual({ activity_type: 'self_assign' });
  });

  test('unknown, disabled or non-agent assignees are a 400 naming assignee_id', async () => {
    const c = await createConversation(t);
    const unknown = await put(c.uuid, 'assignee/user', { assignee_id: 999999 }).expect(400);
    expect(unknown.body.data).toEqual({ fields: { assignee_id: 'unknown agent 999999' } });
    await put(c.uuid, 'assignee/user', { assignee_id: c.contact_id }).expect(400);
    const off = await createAgent(t);
    await t.http.put(`/api/v1/agents/${off.id}`).set('Authorization', admin).send({ enabled: false }).expect(200);
    await put(c.uuid, 'assignee/user', { assignee_id: off.id }).expect(400);
    for (const body of [{}, { assignee_id: '5' }, { assignee_id: 0 }, { assignee_id: 1.5 }]) await put(c.uuid, 'assignee/user', body).expect(400);
    expect(await activityTexts(t, c.uuid)).toEqual([]);
  });

  test('parallel assignments end consistent, with one activity per actual change', async () => {
    const agents = await Promise.all([createAgent(t, { firstName: 'Pat' }), createAgent(t, { firstName: 'Sam' })]);
    const c = await createConversation(t);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => put(c.uuid, 'assignee/user', { assignee_id: agents[i % 2].id })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const activity = await messagesOf(t, c.uuid, '?type=activity&page_size=100');
    const final = (await get(c.uuid)).assigned_user_id;
    // The newest activity names the final assignee, and no two consecutive activities repeat an assignee.
    expect(activity[0].content).toContain(agents.find((a) => a.id === final)!.name);
    const names = activity.map((m) => m.content).reverse();
    for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);
    const same = await Promise.all(Array.from({ length: 5 }, () => put(c.uuid, 'assignee/user', { assignee_id: final })));
    expect(same.every((r) => r.status === 200)).toBe(true);
    expect(await messagesOf(t, c.uuid, '?type=activity&page_size=100')).toHaveLength(activity.length);
  });
});

describe('team assignee', () => {
  test('a new team clears the agent; removing the team keeps it; unknown team is 400', async () => {
    const [support, billing] = [await createTeam(t, `Support-${randomUUID().slice(0, 6)}`), await createTeam(t, `Billing-${randomUUID().slice(0, 6)}`)];
    const bob = await createAgent(t, { firstName: 'Bob', lastName: 'Agent' });
    const c = await createConversation(t, { team_id: support.id, agent_id: bob.id });
    await put(c.uuid, 'assignee/team', { assignee_id: support.id }).expect(200);
    expect((await get(c.uuid)).assigned_user_id).toBe(bob.id);
    await put(c.uuid, 'assignee/team', { assignee_id: billing.id }).expect(200);
    expect(await get(c.uuid)).toMatchObject({ assigned_team_id: billing.id, assigned_user_id: null });
    await put(c.uuid, 'assignee/user', { assignee_id: bob.id }).expect(200);
    await put(c.uuid, 'assignee/team/remove').expect(200);
    expect(await get(c.uuid)).toMatchObject({ assigned_team_id: null, assigned_user_id: bob.id });
    const bad = await put(c.uuid, 'assignee/team', { assignee_id: 999999 }).expect(400);
    expect(bad.body.message).toContain('Team not found');
    expect(await activityTexts(t, c.uuid)).toEqual([
      `Ada Admin assigned the conversation to the ${support.name} team`,
      'Ada Admin assigned the conversation to Bob Agent',
      `Ada Admin assigned the conversation to the ${billing.name} team`,
      'Ada Admin assigned the conversation to Bob Agent',
    ]);
  });
});

describe('priority', () => {
  test('Low|Medium|High set the priority once; unknown names are 400', async () => {
    const c = await createConversation(t);
    await put(c.uuid, 'priority', { priority: 'High' }).expect(200);
    await put(c.uuid, 'priority', { priority: 'High' }).expect(200);
    expect(await get(c.uuid)).toMatchObject({ priority: 'High', priority_id: expect.any(Number) });
    for (const priority of ['Urgent', 'high', '', 3]) await put(c.uuid, 'priority', { priority }).expect(400);
    await put(c.uuid, 'priority', {}).expect(400);
    expect(await activityTexts(t, c.uuid)).toEqual(['Ada Admin set priority to High']);
    const list = await t.http.get('/api/v1/conversations/all?page_size=100').set('Authorization', admin).expect(200);
    expect(list.body.data.results.find((r: { uuid: string }) => r.uuid === c.uuid).priority).toBe('High');
  });
});

describe('status', () => {
  test('Resolved sets resolved_at, Closed sets closed_at, same status is a no-op', async () => {
    const c = await createConversation(t);
    await put(c.uuid, 'status', { status: 'Open' }).expect(200);
    await put(c.uuid, 'status', { status: 'Resolved' }).expect(200);
    const resolved = await get(c.uuid);
    expect(resolved).toMatchObject({ status: 'Resolved', closed_at: null });
    expect(resolved.resolved_at).not.toBeNull();
    await put(c.uuid, 'status', { status: 'Closed' }).expect(200);
    const closed = await get(c.uuid);
    expect(closed).toMatchObject({ status: 'Closed', resolved_at: resolved.resolved_at });
    expect(closed.closed_at).not.toBeNull();
    expect(await activityTexts(t, c.uuid)).toEqual(['Ada Admin marked the conversation as Resolved', 'Ada Admin marked the conversation as Closed']);
    const [latest] = await messagesOf(t, c.uuid, '?type=activity');
    expect(latest.meta).toEqual({ activity_type: 'status_change' });
  });

  test('Snoozed needs a valid positive duration and sets snoozed_until', async () => {
    const c = await createConversation(t);
    const missing = await put(c.uuid, 'status', { status: 'Snoozed' }).expect(400);
    expect(missing.body.data.fields).toHaveProperty('snoozed_until');
    for (const snoozed_until of ['0m', 'soon', '-1h', '1w', '2025-01-01T00:00:00Z', '9999d']) {
      await put(c.uuid, 'status', { status: 'Snoozed', snoozed_until }).expect(400);
    }
    await put(c.uuid, 'status', { status: 'Snoozed', snoozed_until: 12 }).expect(400);
    const before = Date.now();
    await put(c.uuid, 'status', { status: 'Snoozed', snoozed_until: '1h30m' }).expect(200);
    const snoozed = await get(c.uuid);
    expect(snoozed.status).toBe('Snoozed');
    const until = new Date(snoozed.snoozed_until).getTime();
    expect(until - before).toBeGreaterThanOrEqual(90 * 60_000 - 1000);
    expect(until - before).toBeLessThan(90 * 60_000 + 60_000);
    await put(c.uuid, 'status', { status: 'Snoozed', snoozed_until: '3d' }).expect(200);
    expect(new Date((await get(c.uuid)).snoozed_until).getTime() - before).toBeGreaterThan(2.9 * 86_400_000);
    await put(c.uuid, 'status', { status: 'Open' }).expect(200);
    expect((await get(c.uuid)).snoozed_until).toBeNull();
  });

  test('a snooze wakes up by itself once it has passed', async () => {
    const c = await createConversation(t);
    const keep = await createConversation(t);
    await put(c.uuid, 'status', { status: 'Snoozed', snoozed_until: '1h' }).expect(200);
    await put(keep.uuid, 'status', { status: 'Snoozed', snoozed_until: '1h' }).expect(200);
    await t.dataSource.query(`UPDATE conversations SET snoozed_until = now() - interval '1 second' WHERE uuid = $1`, [c.uuid]);
    expect(await t.app.get(SnoozeWaker).wakeDue()).toBe(1);
    expect(await get(c.uuid)).toMatchObject({ status: 'Open', snoozed_until: null });
    expect((await get(keep.uuid)).status).toBe('Snoozed');
  });

  test('unknown or empty status is 400', async () => {
    const c = await createConversation(t);
    await put(c.uuid, 'status', { status: 'Pending' }).expect(400);
    await put(c.uuid, 'status', { status: '' }).expect(400);
    await put(c.uuid, 'status', { status: 'open' }).expect(400);
    await put(c.uuid, 'status', {}).expect(400);
  });

  test('custom statuses work; a resolved-category one sets resolved_at', async () => {
    const created = await t.http
      .post('/api/v1/statuses')
      .set('Authorization', admin)
      .send({ name: `Done-${randomUUID().slice(0, 6)}`, category: 'resolved' });
    expect(created.status).toBe(200);
    const c = await createConversation(t);
    await put(c.uuid, 'status', { status: created.body.data.name }).expect(200);
    expect((await get(c.uuid)).resolved_at).not.toBeNull();
  });
});

describe('tags', () => {
  test('set replaces the tag set, creating new tags; each change leaves activity', async () => {
    const c = await createConversation(t);
    const res = await t.http
      .post(`/api/v1/conversations/${c.uuid}/tags`)
      .set('Authorization', admin)
      .send({ tags: ['billing', 'vip', 'billing'] })
      .expect(200);
    expect(res.body.data).toBe(true);
    expect((await get(c.uuid)).tags).toEqual(['billing', 'vip']);
    await t.http
      .post(`/api/v1/conversations/${c.uuid}/tags`)
      .set('Authorization', admin)
      .send({ tags: ['vip', 'urgent'] })
      .expect(200);
    expect((await get(c.uuid)).tags).toEqual(['urgent', 'vip']);
    await t.http
      .post(`/api/v1/conversations/${c.uuid}/tags`)
      .set('Authorization', admin)
      .send({ tags: ['urgent', 'vip'] })
      .expect(200);
    await t.http.post(`/api/v1/conversations/${c.uuid}/tags`).set('Authorization', admin).send({ tags: [] }).expect(200);
    expect((await get(c.uuid)).tags).toEqual([]);
    expect(await activityTexts(t, c.uuid)).toEqual([
      'Ada Admin added tag billing',
      'Ada Admin added tag vip',
      'Ada Admin added tag urgent',
      'Ada Admin removed tag billing',
      'Ada Admin removed tag urgent',
      'Ada Admin removed tag vip',
    ]);
    const kinds = (await messagesOf(t, c.uuid, '?type=activity&page_size=100')).map((m) => m.meta.activity_type);
    expect(new Set(kinds)).toEqual(new Set(['tag_added', 'tag_removed']));
  });

  test('add_tags and remove_tags actions', async () => {
    const c = await createConversation(t);
    const post = (body: object) => t.http.post(`/api/v1/conversations/${c.uuid}/tags`).set('Authorization', admin).send(body);
    await post({ tags: ['a1'] }).expect(200);
    await post({ tags: ['a2'], action: 'add_tags' }).expect(200);
    expect((await get(c.uuid)).tags).toEqual(['a1', 'a2']);
    await post({ tags: ['a1', 'nope'], action: 'remove_tags' }).expect(200);
    expect((await get(c.uuid)).tags).toEqual(['a2']);
    await post({ tags: ['x'], action: 'toggle' }).expect(400);
  });

  test('bad tag bodies are 400', async () => {
    const c = await createConversation(t);
    for (const body of [
      { tags: 'billing' },
      { tags: [1] },
      { tags: [''] },
      { tags: ['x'.repeat(141)] },
      { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) },
    ]) {
      await t.http.post(`/api/v1/conversations/${c.uuid}/tags`).set('Authorization', admin).send(body).expect(400);
    }
  });

  test('parallel tag updates with overlapping new tags create each tag once', async () => {
    const conversations = await Promise.all(Array.from({ length: 4 }, () => createConversation(t)));
    const name = `shared-${randomUUID().slice(0, 8)}`;
    const results = await Promise.all(
      conversations.map((c) =>
        t.http
          .post(`/api/v1/conversations/${c.uuid}/tags`)
          .set('Authorization', admin)
          .send({ tags: [name] }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM tags WHERE name = $1`, [name]);
    expect(rows[0].n).toBe(1);
  });
});

describe('404, 400 and permissions on every mutation', () => {
  const mutations: Array<[string, string, object | undefined]> = [
    ['put', 'assignee/user', { assignee_id: 1 }],
    ['put', 'assignee/user/remove', undefined],
    ['put', 'assignee/team', { assignee_id: 1 }],
    ['put', 'assignee/team/remove', undefined],
    ['put', 'priority', { priority: 'Low' }],
    ['put', 'status', { status: 'Open' }],
    ['post', 'tags', { tags: [] }],
    ['put', 'last-seen', undefined],
  ];

  test.each(mutations)('%s %s: unknown conversation 404, malformed uuid 400, no credentials 401', async (method, path, body) => {
    const call = (uuid: string) =>
      method === 'put' ? t.http.put(`/api/v1/conversations/${uuid}/${path}`) : t.http.post(`/api/v1/conversations/${uuid}/${path}`);
    const missing = await call(randomUUID()).set('Authorization', admin).send(body).expect(404);
    expect(missing.body.message).toBe('Conversation not found');
    await call('123').set('Authorization', admin).send(body).expect(400);
    await call(randomUUID()).send(body).expect(401);
  });

  test('an agent without the update permissions gets 403 even on a readable conversation', async () => {
    const reader = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_all'])] });
    const c = await createConversation(t);
    for (const [method, path, body] of mutations) {
      if (path === 'last-seen') continue;
      const req = method === 'put' ? t.http.put(`/api/v1/conversations/${c.uuid}/${path}`) : t.http.post(`/api/v1/conversations/${c.uuid}/${path}`);
      await req.set('Authorization', t.token(reader)).send(body).expect(403);
    }
    await t.http.put(`/api/v1/conversations/${c.uuid}/last-seen`).set('Authorization', t.token(reader)).expect(200);
  });
});

describe('agent deletion', () => {
  test('unassigns the deleted agent from unresolved conversations only', async () => {
    const bob = await createAgent(t);
    const open = await createConversation(t, { agent_id: bob.id });
    const done = await createConversation(t, { agent_id: bob.id });
    await put(done.uuid, 'status', { status: 'Resolved' }).expect(200);
    await t.http.delete(`/api/v1/agents/${bob.id}`).set('Authorization', admin).expect(200);
    expect((await get(open.uuid)).assigned_user_id).toBeNull();
    expect((await get(done.uuid)).assigned_user_id).toBe(bob.id);
  });
});
