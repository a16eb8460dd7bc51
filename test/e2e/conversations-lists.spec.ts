import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, startConversationsApp } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const uuids = (res: { body: { data: { results: Array<{ uuid: string }> } } }) => res.body.data.results.map((c) => c.uuid);

describe('GET /conversations/all', () => {
  test('newest activity first, paginated with total, per_page, total_pages and page', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createConversation(t, { subject: `order ${i}` }));
    // A reply moves the oldest conversation to the top.
    await t.http.post(`/api/v1/conversations/${created[0].uuid}/messages`).set('Authorization', admin).send({ message: 'bump' }).expect(200);
    const expected = [created[0], created[4], created[3], created[2], created[1]].map((c) => c.uuid);

    const first = await t.http.get('/api/v1/conversations/all?page=1&page_size=2').set('Authorization', admin).expect(200);
    expect(first.body.data).toMatchObject({ total: 5, per_page: 2, total_pages: 3, page: 1 });
    expect(uuids(first)).toEqual(expected.slice(0, 2));
    const last = await t.http.get('/api/v1/conversations/all?page=3&page_size=2').set('Authorization', admin).expect(200);
    expect(uuids(last)).toEqual(expected.slice(4));
    const beyond = await t.http.get('/api/v1/conversations/all?page=9&page_size=2').set('Authorization', admin).expect(200);
    expect(beyond.body.data).toMatchObject({ results: [], total: 5, page: 9, total_pages: 3 });
    const all = await t.http.get('/api/v1/conversations/all').set('Authorization', admin).expect(200);
    expect(all.body.data).toMatchObject({ per_page: 30, page: 1 });
    expect(uuids(all)).toEqual(expected);
    const clamped = await t.http.get('/api/v1/conversations/all?page_size=1000').set('Authorization', admin).expect(200);
    expect(clamped.body.data.per_page).toBe(100);
  });

  test.each(['page=0', 'page=-1', 'page=abc', 'page_size=0', 'page_size=x', 'page=1.5'])('%s is a 400', async (q) => {
    const res = await t.http.get(`/api/v1/conversations/all?${q}`).set('Authorization', admin).expect(400);
    expect(res.body.error_type).toBe('InputException');
  });

  test('list item shape, and the per-viewer unread count (capped at 10) that last-seen resets', async () => {
    const c = await createConversation(t, { subject: 'unread check' });
    const find = async (as: string) => {
      const res = await t.http.get('/api/v1/conversations/all?page_size=100').set('Authorization', as).expect(200);
      return res.body.data.results.find((r: { uuid: string }) => r.uuid === c.uuid);
    };
    const item = await find(admin);
    expect(item).toMatchObject({
      uuid: c.uuid,
      reference_number: c.reference_number,
      subject: 'unread check',
      status: 'Open',
      priority: null,
      inbox_name: 'Support',
      inbox_channel: 'email',
      last_message: 'My order has not arrived.',
      last_message_sender: 'contact',
      unread_message_count: 1,
      contact: { first_name: 'Carol', last_name: 'Contact', avatar_url: null },
      next_sla_deadline_at: null,
      sla_policy_id: null,
    });
    await t.http.put(`/api/v1/conversations/${c.uuid}/last-seen`).set('Authorization', admin).expect(200);
    expect((await find(admin)).unread_message_count).toBe(0);
    const other = await createAgent(t);
    for (let i = 0; i < 11; i++) {
      await t.http
        .post(`/api/v1/conversations/${c.uuid}/messages`)
        .set('Authorization', t.token(other))
        .send({ message: `n${i}`, private: true })
        .expect(200);
    }
    expect((await find(admin)).unread_message_count).toBe(10);
    expect((await find(t.token(other))).unread_message_count).toBe(10);
  });
});

describe('assigned, unassigned and team queues', () => {
  let team: { id: number; name: string };
  let otherTeam: { id: number; name: string };
  let member: Awaited<ReturnType<typeof createAgent>>;
  let outsider: Awaited<ReturnType<typeof createAgent>>;
  let convs: Record<string, { uuid: string }>;
  beforeAll(async () => {
    team = await createTeam(t);
    otherTeam = await createTeam(t);
    const queueRole = await createRole(t, [
      'conversations:read',
      'conversations:read_team_inbox',
      'conversations:read_assigned',
      'conversations:read_unassigned',
    ]);
    member = await createAgent(t, { roles: [queueRole], teams: [team.id] });
    outsider = await createAgent(t, { roles: [queueRole] });
    convs = {
      free: await createConversation(t),
      teamQueue: await createConversation(t, { team_id: team.id }),
      teamTaken: await createConversation(t, { team_id: team.id, agent_id: member.id }),
      mine: await createConversation(t, { agent_id: member.id }),
      otherQueue: await createConversation(t, { team_id: otherTeam.id }),
    };
  });

  test("/assigned lists the caller's conversations only", async () => {
    const res = await t.http.get('/api/v1/conversations/assigned').set('Authorization', t.token(member)).expect(200);
    expect(uuids(res)).toEqual([convs.mine.uuid, convs.teamTaken.uuid]);
    const none = await t.http.get('/api/v1/conversations/assigned').set('Authorization', t.token(outsider)).expect(200);
    expect(none.body.data).toMatchObject({ results: [], total: 0, total_pages: 0 });
  });

  test('/unassigned lists conversations with neither agent nor team', async () => {
    const res = await t.http.get('/api/v1/conversations/unassigned?page_size=100').set('Authorization', t.token(member)).expect(200);
    const listed = uuids(res);
    expect(listed).toContain(convs.free.uuid);
    for (const key of ['teamQueue', 'teamTaken', 'mine', 'otherQueue']) expect(listed).not.toContain(convs[key].uuid);
  });

  test("/teams/{id}/conversations/unassigned: the team's queue for members", async () => {
    const res = await t.http.get(`/api/v1/teams/${team.id}/conversations/unassigned`).set('Authorization', t.token(member)).expect(200);
    expect(uuids(res)).toEqual([convs.teamQueue.uuid]);
  });

  test('non-members get 403, unless they hold conversations:read_all', async () => {
    const denied = await t.http.get(`/api/v1/teams/${team.id}/conversations/unassigned`).set('Authorization', t.token(outsider)).expect(403);
    expect(denied.body.message).toMatch(/not a member of this team/);
    await t.http.get('/api/v1/teams/999999/conversations/unassigned').set('Authorization', t.token(outsider)).expect(403);
    const res = await t.http.get(`/api/v1/teams/${otherTeam.id}/conversations/unassigned`).set('Authorization', admin).expect(200);
    expect(uuids(res)).toEqual([convs.otherQueue.uuid]);
    await t.http.get('/api/v1/teams/999999/conversations/unassigned').set('Authorization', admin).expect(404);
  });

  test('bad team id is 400; missing list permission is 403', async () => {
    await t.http.get('/api/v1/teams/abc/conversations/unassigned').set('Authorization', admin).expect(400);
    await t.http.get('/api/v1/teams/0/conversations/unassigned').set('Authorization', admin).expect(400);
    const bare = await createAgent(t, { roles: [await createRole(t, ['conversations:read'])], teams: [team.id] });
    for (const path of [
      '/api/v1/conversations/all',
      '/api/v1/conversations/assigned',
      '/api/v1/conversations/unassigned',
      `/api/v1/teams/${team.id}/conversations/unassigned`,
    ]) {
      await t.http.get(path).set('Authorization', t.token(bare)).expect(403);
    }
    await t.http.get('/api/v1/conversations/all').expect(401);
  });
});
