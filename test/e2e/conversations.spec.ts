import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/test-app.js';
import {
  activityTexts,
  createAgent,
  createConversation,
  createRole,
  createTeam,
  inboxId,
  messagesOf,
  startConversationsApp,
  unique,
} from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const outboxEntries = async (messageId: number) =>
  t.dataSource.query<Array<{ state: string }>>(`SELECT state FROM email_outbox WHERE message_id = $1`, [messageId]);

describe('POST /conversations', () => {
  test('contact-initiated: full Conversation, incoming received message, contact created, waiting', async () => {
    const email = `${unique('Ana')}@Example.com`;
    const c = await createConversation(t, { contact_email: `  ${email} `, first_name: 'Ana', last_name: 'Lima', subject: 'Where is it?' });
    expect(c).toMatchObject({
      subject: 'Where is it?',
      status: 'Open',
      status_id: expect.any(Number),
      priority: null,
      priority_id: null,
      assigned_user_id: null,
      assigned_team_id: null,
      inbox_name: 'Support',
      inbox_mail: 'support@example.com',
      inbox_channel: 'email',
      tags: [],
      meta: [],
      custom_attributes: {},
      last_message: 'My order has not arrived.',
      last_message_sender: 'contact',
      resolved_at: null,
      closed_at: null,
      first_reply_at: null,
      sla_policy_id: null,
      sla_policy_name: null,
      previous_conversations: [],
      contact: { first_name: 'Ana', last_name: 'Lima', email: email.toLowerCase(), type: 'contact', teams: [], roles: null, permissions: null },
    });
    expect(c.reference_number).toMatch(/^\d+$/);
    expect(Number(c.reference_number)).toBeGreaterThanOrEqual(100);
    expect(c.waiting_since).not.toBeNull();
    expect(c.assignee_last_seen_at).toBe(c.created_at);
    const [first] = await messagesOf(t, c.uuid);
    expect(first).toMatchObject({ type: 'incoming', status: 'received', sender_type: 'contact', sender_id: c.contact_id, private: false });
    expect(await outboxEntries(first.id)).toEqual([]);
  });

  test('agent-initiated: the first message is an outgoing pending reply queued for email to the contact', async () => {
    const email = `${unique('dan')}@example.com`;
    const c = await createConversation(t, { initiator: 'agent', contact_email: email, content: 'Hello <b>Dan</b>' });
    expect(c.waiting_since).toBeNull();
    expect(c.last_message_sender).toBe('agent');
    const [first] = await messagesOf(t, c.uuid);
    expect(first).toMatchObject({
      type: 'outgoing',
      status: 'pending',
      sender_type: 'agent',
      sender_id: t.admin.id,
      content: 'Hello <b>Dan</b>',
      text_content: 'Hello Dan',
      meta: { to: [email] },
      author: { id: t.admin.id, first_name: 'Ada', last_name: 'Admin', avatar_url: null },
    });
    expect(await outboxEntries(first.id)).toEqual([{ state: 'queued' }]);
  });

  test('an existing contact is reused unchanged, and its other conversations show as previous', async () => {
    const email = `${unique('repeat')}@example.com`;
    const a = await createConversation(t, { contact_email: email, first_name: 'First' });
    const b = await createConversation(t, { contact_email: email.toUpperCase(), first_name: 'Renamed', last_name: 'Ignored' });
    expect(b.contact_id).toBe(a.contact_id);
    expect(b.contact.first_name).toBe('First');
    expect(b.previous_conversations).toEqual([]);
    const got = await t.http.get(`/api/v1/conversations/${b.uuid}`).set('Authorization', admin).expect(200);
    expect(got.body.data.previous_conversations).toEqual([
      {
        id: a.id,
        uuid: a.uuid,
        created_at: a.created_at,
        updated_at: expect.any(String),
        subject: a.subject,
        contact: { first_name: 'First', last_name: 'Contact', avatar_url: null },
        last_message: a.last_message,
        last_message_at: a.last_message_at,
      },
    ]);
  });

  test('team and agent are applied with activity messages, and the content is sanitised', async () => {
    const team = await createTeam(t, unique('Billing'));
    const bob = await createAgent(t, { firstName: 'Bob', lastName: 'Agent' });
    const c = await createConversation(t, { team_id: team.id, agent_id: bob.id, content: '<p onclick="x()">Hi<script>alert(1)</script></p>' });
    expect(c.assigned_team_id).toBe(team.id);
    expect(c.assigned_user_id).toBe(bob.id);
    expect(c.last_message).toBe('Hi');
    expect(await activityTexts(t, c.uuid)).toEqual([
      `Ada Admin assigned the conversation to the ${team.name} team`,
      'Ada Admin assigned the conversation to Bob Agent',
    ]);
    const [first] = await messagesOf(t, c.uuid, '?type=incoming');
    expect(first.content).toBe('<p>Hi</p>');
    const activity = await messagesOf(t, c.uuid, '?type=activity');
    expect(activity[0]).toMatchObject({
      private: true,
      status: 'sent',
      content_type: 'text',
      sender_id: t.admin.id,
      meta: { activity_type: 'assigned_user_change' },
    });
  });

  test('team_id / agent_id of 0 or null mean none', async () => {
    const c = await createConversation(t, { team_id: 0, agent_id: null });
    expect(c.assigned_team_id).toBeNull();
    expect(c.assigned_user_id).toBeNull();
  });

  test('attachments by media id are linked to the first message', async () => {
    const up = await t.http.post('/api/v1/media').set('Authorization', admin).attach('files', Buffer.from('invoice body'), 'invoice.txt').expect(200);
    const c = await createConversation(t, { attachments: [up.body.data.id] });
    const [first] = await messagesOf(t, c.uuid);
    expect(first.attachments).toHaveLength(1);
    expect(first.attachments[0]).toMatchObject({ name: 'invoice.txt', size: 12, uuid: up.body.data.uuid });
  });

  test('unknown team, agent, inbox or attachment is a 400/404 naming it, and nothing is written', async () => {
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM conversations`))[0].n as number;
    const before = await count();
    const email = `${unique('nobody')}@example.com`;
    const base = { inbox_id: await inboxId(t), contact_email: email, first_name: 'N', last_name: 'B', subject: 's', content: 'c', initiator: 'contact' };
    const team = await t.http
      .post('/api/v1/conversations')
      .set('Authorization', admin)
      .send({ ...base, team_id: 999999 })
      .expect(400);
    expect(team.body.message).toContain('Team not found');
    expect(team.body.data).toEqual({ fields: { team_id: 'unknown team 999999' } });
    const agent = await t.http
      .post('/api/v1/conversations')
      .set('Authorization', admin)
      .send({ ...base, agent_id: 999999 })
      .expect(400);
    expect(agent.body.data.fields).toHaveProperty('agent_id');
    const inbox = await t.http
      .post('/api/v1/conversations')
      .set('Authorization', admin)
      .send({ ...base, inbox_id: 999999 })
      .expect(404);
    expect(inbox.body.message).toBe('Inbox not found');
    const media = await t.http
      .post('/api/v1/conversations')
      .set('Authorization', admin)
      .send({ ...base, attachments: [999999] })
      .expect(400);
    expect(media.body.message).toContain('999999');
    expect(await count()).toBe(before);
    const contact = await t.dataSource.query(`SELECT 1 FROM users WHERE email = $1`, [email]);
    expect(contact).toEqual([]);
  });

  test.each([
    ['missing content', { content: undefined }],
    ['empty content', { content: '' }],
    ['content that sanitises to nothing', { content: '<script>x</script>' }],
    ['bad email', { contact_email: 'not-an-email' }],
    ['missing first_name', { first_name: undefined }],
    ['bad initiator', { initiator: 'robot' }],
    ['string inbox_id', { inbox_id: '1' }],
    ['negative team_id', { team_id: -1 }],
    ['attachments not ints', { attachments: ['a'] }],
    ['subject not a string', { subject: 42 }],
    ['huge content', { content: 'x'.repeat(256 * 1024 + 1) }],
  ])('%s is a 400', async (_name, override) => {
    const body = {
      inbox_id: await inboxId(t),
      contact_email: `${unique('v')}@example.com`,
      first_name: 'V',
      last_name: 'V',
      subject: 's',
      content: 'c',
      initiator: 'contact',
      ...override,
    };
    const res = await t.http.post('/api/v1/conversations').set('Authorization', admin).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error_type).toBe('InputException');
  });

  test('a disabled inbox is a 400', async () => {
    const id = await inboxId(t);
    await t.dataSource.query(`UPDATE inboxes SET enabled = false WHERE id = $1`, [id]);
    try {
      const res = await t.http
        .post('/api/v1/conversations')
        .set('Authorization', admin)
        .send({ inbox_id: id, contact_email: 'x@example.com', first_name: 'X', last_name: '', subject: 's', content: 'c', initiator: 'contact' })
        .expect(400);
      expect(res.body.message).toBe('Inbox is disabled');
    } finally {
      await t.dataSource.query(`UPDATE inboxes SET enabled = true WHERE id = $1`, [id]);
    }
  });

  test('needs conversations:write and credentials', async () => {
    const agent = await createAgent(t);
    const res = await t.http.post('/api/v1/conversations').set('Authorization', t.token(agent)).send({}).expect(403);
    expect(res.body.error_type).toBe('PermissionException');
    await t.http.post('/api/v1/conversations').send({}).expect(401);
  });
});

describe('GET /conversations/{uuid} and participants', () => {
  test('404 unknown, 400 malformed uuid', async () => {
    const missing = await t.http.get(`/api/v1/conversations/${randomUUID()}`).set('Authorization', admin).expect(404);
    expect(missing.body).toMatchObject({ message: 'Conversation not found', error_type: 'NotFoundException' });
    await t.http.get('/api/v1/conversations/not-a-uuid').set('Authorization', admin).expect(400);
    await t.http.get('/api/v1/conversations/not-a-uuid/participants').set('Authorization', admin).expect(400);
    await t.http.get(`/api/v1/conversations/${randomUUID()}/participants`).set('Authorization', admin).expect(404);
  });

  test('participants: the contact, repliers and whoever caused activity', async () => {
    const bob = await createAgent(t, { firstName: 'Bob', lastName: 'Agent' });
    const c = await createConversation(t, { agent_id: bob.id });
    await t.http.post(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', t.token(bob)).send({ message: 'On it' }).expect(200);
    const res = await t.http.get(`/api/v1/conversations/${c.uuid}/participants`).set('Authorization', admin).expect(200);
    expect(res.body.data).toEqual(
      expect.arrayContaining([
        { id: c.contact_id, first_name: 'Carol', last_name: 'Contact', avatar_url: null },
        { id: t.admin.id, first_name: 'Ada', last_name: 'Admin', avatar_url: null },
        { id: bob.id, first_name: 'Bob', last_name: 'Agent', avatar_url: null },
      ]),
    );
    expect(res.body.data).toHaveLength(3);
  });

  test("assignee_last_seen_at is the caller's own last visit", async () => {
    const c = await createConversation(t);
    await t.http.put(`/api/v1/conversations/${c.uuid}/last-seen`).set('Authorization', admin).expect(200);
    const res = await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', admin).expect(200);
    expect(new Date(res.body.data.assignee_last_seen_at).getTime()).toBeGreaterThan(new Date(c.created_at).getTime());
  });
});

describe('conversation access (reference §3.3) for an agent who may read only assigned conversations', () => {
  let limited: Awaited<ReturnType<typeof createAgent>>;
  let mine: { uuid: string; id: number };
  let other: { uuid: string };
  beforeAll(async () => {
    const role = await createRole(t, ['conversations:read', 'conversations:read_assigned', 'messages:read', 'messages:write', 'conversations:update_priority']);
    limited = await createAgent(t, { firstName: 'Lim', lastName: 'Ited', roles: [role] });
    mine = await createConversation(t, { agent_id: limited.id });
    other = await createConversation(t);
  });

  test('reads, lists and changes its own conversation', async () => {
    await t.http.get(`/api/v1/conversations/${mine.uuid}`).set('Authorization', t.token(limited)).expect(200);
    await t.http.get(`/api/v1/conversations/${mine.uuid}/messages`).set('Authorization', t.token(limited)).expect(200);
    await t.http.put(`/api/v1/conversations/${mine.uuid}/priority`).set('Authorization', t.token(limited)).send({ priority: 'Low' }).expect(200);
    const list = await t.http.get('/api/v1/conversations/assigned').set('Authorization', t.token(limited)).expect(200);
    expect(list.body.data.results.map((c: { uuid: string }) => c.uuid)).toEqual([mine.uuid]);
  });

  test('everything else is 403', async () => {
    const as = t.token(limited);
    for (const path of ['', '/participants', '/messages']) {
      const res = await t.http.get(`/api/v1/conversations/${other.uuid}${path}`).set('Authorization', as).expect(403);
      expect(res.body).toMatchObject({ message: 'Permission denied', error_type: 'PermissionException' });
    }
    await t.http.put(`/api/v1/conversations/${other.uuid}/priority`).set('Authorization', as).send({ priority: 'Low' }).expect(403);
    await t.http.post(`/api/v1/conversations/${other.uuid}/messages`).set('Authorization', as).send({ message: 'x' }).expect(403);
    await t.http.put(`/api/v1/conversations/${other.uuid}/last-seen`).set('Authorization', as).expect(403);
    // Guards: list and mutation permissions the role lacks.
    await t.http.get('/api/v1/conversations/all').set('Authorization', as).expect(403);
    await t.http.get('/api/v1/conversations/unassigned').set('Authorization', as).expect(403);
    await t.http.put(`/api/v1/conversations/${mine.uuid}/status`).set('Authorization', as).send({ status: 'Resolved' }).expect(403);
    await t.http
      .post(`/api/v1/conversations/${mine.uuid}/tags`)
      .set('Authorization', as)
      .send({ tags: ['x'] })
      .expect(403);
    await t.http.put(`/api/v1/conversations/${mine.uuid}/assignee/user/remove`).set('Authorization', as).expect(403);
  });

  test('a missing conversation is still 404 for it', async () => {
    await t.http.get(`/api/v1/conversations/${randomUUID()}`).set('Authorization', t.token(limited)).expect(404);
  });

  test("team rules: read_team_inbox sees its team's unassigned conversations, read_team_all all of the team's", async () => {
    const team = await createTeam(t);
    const inboxRole = await createRole(t, ['conversations:read', 'conversations:read_team_inbox']);
    const allRole = await createRole(t, ['conversations:read', 'conversations:read_team_all']);
    const inboxAgent = await createAgent(t, { roles: [inboxRole], teams: [team.id] });
    const allAgent = await createAgent(t, { roles: [allRole], teams: [team.id] });
    const queued = await createConversation(t, { team_id: team.id });
    const taken = await createConversation(t, { team_id: team.id, agent_id: limited.id });
    await t.http.get(`/api/v1/conversations/${queued.uuid}`).set('Authorization', t.token(inboxAgent)).expect(200);
    await t.http.get(`/api/v1/conversations/${taken.uuid}`).set('Authorization', t.token(inboxAgent)).expect(403);
    await t.http.get(`/api/v1/conversations/${taken.uuid}`).set('Authorization', t.token(allAgent)).expect(200);
    await t.http.get(`/api/v1/conversations/${other.uuid}`).set('Authorization', t.token(allAgent)).expect(403);
  });

  test('previous conversations only include what the caller may read', async () => {
    const email = `${unique('prev')}@example.com`;
    await createConversation(t, { contact_email: email });
    const assigned = await createConversation(t, { contact_email: email, agent_id: limited.id });
    const res = await t.http.get(`/api/v1/conversations/${assigned.uuid}`).set('Authorization', t.token(limited)).expect(200);
    expect(res.body.data.previous_conversations).toEqual([]);
    const asAdmin = await t.http.get(`/api/v1/conversations/${assigned.uuid}`).set('Authorization', admin).expect(200);
    expect(asAdmin.body.data.previous_conversations).toHaveLength(1);
  });
});
