import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SnoozeWaker } from '../../src/modules/conversations/snooze/snooze-waker.service.js';
import { OutboxRepository } from '../../src/modules/mail/outbox.repository.js';
import { OutboxService } from '../../src/modules/mail/outbox.service.js';
import { contractValidator } from '../support/contract-validator.js';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, inboxId, startConversationsApp, unique } from './conversations.fixtures.js';

interface FeedEvent {
  id: number;
  type: string;
  created_at: string;
  payload: Record<string, any>;
}

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startConversationsApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_INTERVAL_MS: '50' });
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

async function feed(auth: string, after?: string) {
  const res = await t.http
    .get('/api/v1/events')
    .query({ limit: 500, ...(after ? { after } : {}) })
    .set('Authorization', auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as { events: FeedEvent[]; next: string };
}

/** The end of the log as `auth` sees it. */
async function head(auth = admin): Promise<string> {
  let page = await feed(auth);
  while (page.events.length) page = await feed(auth, page.next);
  return page.next;
}

/** Everything `auth` may see after `cursor`, oldest first. */
async function since(cursor: string, auth = admin): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  for (let page = await feed(auth, cursor); page.events.length; page = await feed(auth, page.next)) out.push(...page.events);
  return out;
}

/** Runs `action` and returns the events it recorded. */
async function eventsOf(action: () => Promise<unknown>, auth = admin): Promise<FeedEvent[]> {
  const start = await head(auth);
  await action();
  return since(start, auth);
}

const types = (events: FeedEvent[]) => events.map((e) => e.type);
const put = (path: string, body: object = {}) => t.http.put(`/api/v1${path}`).set('Authorization', admin).send(body);
const post = (path: string, body: object = {}) => t.http.post(`/api/v1${path}`).set('Authorization', admin).send(body);

function expectContractShape(operationId: string, data: unknown) {
  expect(contractValidator().validateSuccess(operationId, { status: 'success', data })).toEqual([]);
}

describe('conversations', () => {
  test('a new conversation records its contact, itself and its first message, in that order and in contract shapes', async () => {
    let created: any;
    const events = await eventsOf(async () => (created = await createConversation(t, { contact_email: `${unique('new')}@example.com` })));
    expect(types(events)).toEqual(['contact.created', 'conversation.created', 'message.created']);
    const [contact, conversation, message] = events;

    const contactRes = await t.http.get(`/api/v1/contacts/${created.contact_id}`).set('Authorization', admin).expect(200);
    expect(contact.payload).toEqual({ contact: contactRes.body.data });

    // The conversation as it was committed (with its first message), just as GET shows it.
    expectContractShape('handleGetConversation', conversation.payload.conversation);
    const got = await t.http.get(`/api/v1/conversations/${created.uuid}`).set('Authorization', admin).expect(200);
    expect(conversation.payload.conversation).toEqual(got.body.data);
    expect(conversation.payload.conversation).toMatchObject({ status: 'Open', last_message_sender: 'contact', previous_conversations: [] });

    const messages = await t.http.get(`/api/v1/conversations/${created.uuid}/messages`).set('Authorization', admin).expect(200);
    expectContractShape('handleGetMessage', message.payload.message);
    expect(message.payload).toEqual({ conversation_uuid: created.uuid, message: messages.body.data.results[0] });
    expect(message.payload.message).toMatchObject({ type: 'incoming', status: 'received', sender_type: 'contact' });

    // The contact exists now: a second conversation records no contact.created.
    const again = await eventsOf(() => createConversation(t, { contact_email: contactRes.body.data.email }));
    expect(types(again)).toEqual(['conversation.created', 'message.created']);
  });

  test('creating with a team and an agent records the assignments and their activity after conversation.created', async () => {
    const team = await createTeam(t);
    const assignedOnly = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_assigned', 'messages:read'])] });
    const events = await eventsOf(() => createConversation(t, { team_id: team.id, agent_id: assignedOnly.id, initiator: 'agent' }));
    expect(types(events)).toEqual([
      'contact.created',
      'conversation.created',
      'conversation.assigned',
      'message.created',
      'conversation.assigned',
      'message.created',
      'message.created',
    ]);
    expect(events[1].payload.conversation).toMatchObject({ assigned_team_id: team.id, assigned_user_id: assignedOnly.id, last_message_sender: 'agent' });
    expect(events[2].payload).toMatchObject({ assignee_type: 'team', assignee_id: team.id, previous_assignee_id: null });
    expect(events[3].payload.message).toMatchObject({ type: 'activity', private: true });
    expect(events[4].payload).toMatchObject({ assignee_type: 'user', assignee_id: assignedOnly.id, previous_assignee_id: null });
    expect(events[6].payload.message).toMatchObject({ type: 'outgoing', status: 'pending', private: false });

    // Scope is the assignment after the change: the assignee sees the whole creation, contacts aside.
    const forAssignee = await eventsOf(() => createConversation(t, { agent_id: assignedOnly.id }), t.token(assignedOnly));
    expect(types(forAssignee)).toEqual(['conversation.created', 'conversation.assigned', 'message.created', 'message.created']);
  });

  test('status, snooze and wake-up; the same status again records nothing', async () => {
    const c = await createConversation(t);
    const resolved = await eventsOf(() => put(`/conversations/${c.uuid}/status`, { status: 'Resolved' }).expect(200));
    expect(types(resolved)).toEqual(['conversation.status_changed', 'message.created']);
    expect(resolved[0].payload).toEqual({ conversation_uuid: c.uuid, previous_status: 'Open', status: 'Resolved', snoozed_until: null });
    expect(resolved[1].payload.message.content).toContain('marked the conversation as Resolved');
    expect(await eventsOf(() => put(`/conversations/${c.uuid}/status`, { status: 'Resolved' }).expect(200))).toEqual([]);

    const snoozed = await eventsOf(() => put(`/conversations/${c.uuid}/status`, { status: 'Snoozed', snoozed_until: '2h' }).expect(200));
    expect(snoozed[0].payload).toMatchObject({ previous_status: 'Resolved', status: 'Snoozed', snoozed_until: expect.stringMatching(/Z$/) });
    await t.dataSource.query(`UPDATE conversations SET snoozed_until = now() - interval '1 minute' WHERE uuid = $1`, [c.uuid]);
    const woken = await eventsOf(() => t.app.get(SnoozeWaker).wakeDue());
    expect(woken.map((e) => [e.type, e.payload])).toEqual([
      ['conversation.status_changed', { conversation_uuid: c.uuid, previous_status: 'Snoozed', status: 'Open', snoozed_until: null }],
    ]);
  });

  test('priority and tags', async () => {
    const c = await createConversation(t);
    const priority = await eventsOf(() => put(`/conversations/${c.uuid}/priority`, { priority: 'High' }).expect(200));
    expect(types(priority)).toEqual(['conversation.priority_changed', 'message.created']);
    expect(priority[0].payload).toEqual({ conversation_uuid: c.uuid, previous_priority: null, priority: 'High' });
    const lower = await eventsOf(() => put(`/conversations/${c.uuid}/priority`, { priority: 'Low' }).expect(200));
    expect(lower[0].payload).toEqual({ conversation_uuid: c.uuid, previous_priority: 'High', priority: 'Low' });
    expect(await eventsOf(() => put(`/conversations/${c.uuid}/priority`, { priority: 'Low' }).expect(200))).toEqual([]);

    const [a, b] = [unique('tag-a'), unique('tag-b')];
    const set = await eventsOf(() => post(`/conversations/${c.uuid}/tags`, { tags: [b, a] }).expect(200));
    expect(types(set)).toEqual(['conversation.tags_changed', 'message.created', 'message.created']);
    expect(set[0].payload).toEqual({ conversation_uuid: c.uuid, added: [a, b], removed: [], tags: [a, b] });
    expect(await eventsOf(() => post(`/conversations/${c.uuid}/tags`, { tags: [a], action: 'add_tags' }).expect(200))).toEqual([]);
    const removed = await eventsOf(() => post(`/conversations/${c.uuid}/tags`, { tags: [a], action: 'remove_tags' }).expect(200));
    expect(removed[0].payload).toEqual({ conversation_uuid: c.uuid, added: [], removed: [a], tags: [b] });
  });

  test('assignment to agents and teams, with no-ops recording nothing', async () => {
    const c = await createConversation(t);
    const agent = await createAgent(t);
    const team = await createTeam(t);
    const assigned = await eventsOf(() => put(`/conversations/${c.uuid}/assignee/user`, { assignee_id: agent.id }).expect(200));
    expect(types(assigned)).toEqual(['conversation.assigned', 'message.created']);
    expect(assigned[0].payload).toEqual({ conversation_uuid: c.uuid, assignee_type: 'user', assignee_id: agent.id, previous_assignee_id: null });
    expect(await eventsOf(() => put(`/conversations/${c.uuid}/assignee/user`, { assignee_id: agent.id }).expect(200))).toEqual([]);

    // A new team drops the agent: the team assignment, the agent's unassignment, then the activity.
    const toTeam = await eventsOf(() => put(`/conversations/${c.uuid}/assignee/team`, { assignee_id: team.id }).expect(200));
    expect(types(toTeam)).toEqual(['conversation.assigned', 'conversation.unassigned', 'message.created']);
    expect(toTeam[1].payload).toEqual({ conversation_uuid: c.uuid, assignee_type: 'user', assignee_id: null, previous_assignee_id: agent.id });

    const noTeam = await eventsOf(() => put(`/conversations/${c.uuid}/assignee/team/remove`).expect(200));
    expect(noTeam.map((e) => [e.type, e.payload])).toEqual([
      ['conversation.unassigned', { conversation_uuid: c.uuid, assignee_type: 'team', assignee_id: null, previous_assignee_id: team.id }],
    ]);
    expect(await eventsOf(() => put(`/conversations/${c.uuid}/assignee/user/remove`).expect(200))).toEqual([]);
  });

  test('deleting an agent records the unassignment of its open conversations', async () => {
    const agent = await createAgent(t);
    const c = await createConversation(t, { agent_id: agent.id });
    const events = await eventsOf(() => t.http.delete(`/api/v1/agents/${agent.id}`).set('Authorization', admin).expect(200));
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      ['conversation.unassigned', { conversation_uuid: c.uuid, assignee_type: 'user', assignee_id: null, previous_assignee_id: agent.id }],
    ]);
  });

  test('deleting a team records the unassignment of its conversations', async () => {
    const team = await createTeam(t);
    const c = await createConversation(t, { team_id: team.id });
    const events = await eventsOf(() => t.http.delete(`/api/v1/teams/${team.id}`).set('Authorization', admin).expect(200));
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      ['conversation.unassigned', { conversation_uuid: c.uuid, assignee_type: 'team', assignee_id: null, previous_assignee_id: team.id }],
    ]);
    const after = await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', admin).expect(200);
    expect(after.body.data.assigned_team_id).toBeNull();
  });
});

describe('messages', () => {
  test('replies, notes, and a contact message that reopens its conversation', async () => {
    const c = await createConversation(t);
    const reply = await eventsOf(() => post(`/conversations/${c.uuid}/messages`, { message: '<p>On its way</p>' }).expect(200));
    expect(types(reply)).toEqual(['message.created']);
    expect(reply[0].payload.message).toMatchObject({ type: 'outgoing', status: 'pending', text_content: 'On its way' });
    const note = await eventsOf(() => post(`/conversations/${c.uuid}/messages`, { message: 'internal', private: true }).expect(200));
    expect(note[0].payload.message).toMatchObject({ private: true, status: 'sent' });

    const up = await t.http.post('/api/v1/media').set('Authorization', admin).attach('files', Buffer.from('invoice body'), 'invoice.txt').expect(200);
    const withFile = await eventsOf(() => post(`/conversations/${c.uuid}/messages`, { message: 'see attached', attachments: [up.body.data.id] }).expect(200));
    const [newest] = (await t.http.get(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', admin).expect(200)).body.data.results;
    // Signed URLs carry their own expiry; queueing the reply for email touches updated_at after it was written.
    const strip = (m: any) => ({ ...m, updated_at: null, attachments: m.attachments.map(({ url: _url, ...a }: any) => a) });
    expect(strip(withFile[0].payload.message)).toEqual(strip(newest));
    expect(withFile[0].payload.message.attachments).toEqual([expect.objectContaining({ name: 'invoice.txt', uuid: up.body.data.uuid })]);

    await put(`/conversations/${c.uuid}/status`, { status: 'Resolved' }).expect(200);
    const fromContact = await eventsOf(() => post(`/conversations/${c.uuid}/messages`, { message: 'still broken', sender_type: 'contact' }).expect(200));
    expect(types(fromContact)).toEqual(['conversation.status_changed', 'message.created', 'message.created']);
    expect(fromContact[0].payload).toMatchObject({ previous_status: 'Resolved', status: 'Open' });
    expect(fromContact[1].payload.message).toMatchObject({ type: 'activity', content: expect.stringContaining('System') });
    expect(fromContact[2].payload.message).toMatchObject({ type: 'incoming', status: 'received' });
  });

  test('delivery status changes: failed, re-queued by retry, sent; in a non-email inbox at once', async () => {
    const c = await createConversation(t);
    const sent = await post(`/conversations/${c.uuid}/messages`, { message: 'hello' }).expect(200);
    const uuid = sent.body.data.uuid as string;
    const outbox = t.app.get(OutboxService, { strict: false });
    const claim = async () =>
      (await t.app.get(OutboxRepository, { strict: false }).claim(50, 60, crypto.randomUUID())).find((e) => e.messageId === sent.body.data.id)!;

    const failed = await eventsOf(async () => outbox.recordFailure(await claim(), 'mailbox full', true));
    expect(failed.map((e) => [e.type, e.payload])).toEqual([
      ['message.updated', { message_uuid: uuid, conversation_uuid: c.uuid, status: 'failed', previous_status: 'pending' }],
    ]);
    const retried = await eventsOf(() => put(`/conversations/${c.uuid}/messages/${uuid}/retry`).expect(200));
    expect(retried.map((e) => e.payload)).toEqual([{ message_uuid: uuid, conversation_uuid: c.uuid, status: 'pending', previous_status: 'failed' }]);
    const delivered = await eventsOf(async () => outbox.recordSent(await claim()));
    expect(delivered.map((e) => e.payload)).toEqual([{ message_uuid: uuid, conversation_uuid: c.uuid, status: 'sent', previous_status: 'pending' }]);
    // Settling an entry twice changes nothing and records nothing.
    expect(
      await eventsOf(() => outbox.recordSent({ id: 0, messageId: sent.body.data.id, attempts: 1, maxAttempts: 1, leaseToken: crypto.randomUUID() })),
    ).toEqual([]);

    const [{ id: chat }] = await t.dataSource.query(`INSERT INTO inboxes (name, channel, "from") VALUES ('Chat', 'livechat', 'chat@example.com') RETURNING id`);
    const live = await createConversation(t, { inbox_id: chat });
    const instant = await eventsOf(() => post(`/conversations/${live.uuid}/messages`, { message: 'hi' }).expect(200));
    expect(types(instant)).toEqual(['message.created', 'message.updated']);
    expect(instant[0].payload.message.status).toBe('pending');
    expect(instant[1].payload).toMatchObject({ status: 'sent', previous_status: 'pending' });
  });
});

describe('contacts', () => {
  test('updates and blocks record contact.updated with the contact as GET shows it; unchanged values record nothing', async () => {
    const c = await createConversation(t);
    const id = c.contact_id as number;
    const update = (body: Record<string, string>) => t.http.put(`/api/v1/contacts/${id}`).set('Authorization', admin).field(body);
    const renamed = await eventsOf(() => update({ first_name: 'Renamed' }).expect(200));
    const current = (await t.http.get(`/api/v1/contacts/${id}`).set('Authorization', admin).expect(200)).body.data;
    expect(renamed.map((e) => [e.type, e.payload])).toEqual([['contact.updated', { contact: current }]]);
    expect(await eventsOf(() => update({ first_name: 'Renamed' }).expect(200))).toEqual([]);

    const blocked = await eventsOf(() => put(`/contacts/${id}/block`, { enabled: false }).expect(200));
    expect(blocked.map((e) => [e.type, e.payload.contact.enabled])).toEqual([['contact.updated', false]]);
    expect(await eventsOf(() => put(`/contacts/${id}/block`, { enabled: false }).expect(200))).toEqual([]);
  });
});

describe('a failed operation records nothing', () => {
  test('an unknown attachment rolls back the contact, the conversation and their events', async () => {
    const email = `${unique('rollback')}@example.com`;
    const events = await eventsOf(async () => {
      const res = await post('/conversations', {
        inbox_id: await inboxId(t),
        contact_email: email,
        first_name: 'R',
        content: 'x',
        initiator: 'contact',
        attachments: [999999],
      });
      expect(res.status).toBe(400);
    });
    expect(events).toEqual([]);
    expect(await t.dataSource.query(`SELECT id FROM users WHERE email = $1`, [email])).toEqual([]);
  });

  test('a conflicting contact update and a failed precondition record nothing', async () => {
    const [first, second] = [await createConversation(t), await createConversation(t)];
    const other = (await t.http.get(`/api/v1/contacts/${second.contact_id}`).set('Authorization', admin)).body.data.email;
    const events = await eventsOf(async () => {
      await t.http.put(`/api/v1/contacts/${first.contact_id}`).set('Authorization', admin).field({ email: other }).expect(409);
      await put(`/conversations/${first.uuid}/status`, { status: 'Closed' }).set('If-Match', '"stale"').expect(412);
    });
    expect(events).toEqual([]);
  });
});

describe('webhooks end to end', () => {
  test('a receiver gets conversation.created and message.created for a new conversation, signed, in order', async () => {
    const hits: Array<{ headers: IncomingHttpHeaders; raw: string }> = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        hits.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const hook = await post('/webhooks', { name: 'E2E', url, events: ['conversation.created', 'message.created'] }).expect(200);
      const secret = hook.body.data.secret as string;
      const c = await createConversation(t, { contact_email: `${unique('hooked')}@example.com` });

      const deadline = Date.now() + 20_000;
      while (hits.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const bodies = hits.map((h) => JSON.parse(h.raw));
      expect(bodies.map((b) => b.type)).toEqual(['conversation.created', 'message.created']);
      expect(bodies[0].data.conversation.uuid).toBe(c.uuid);
      expect(bodies[1].data).toMatchObject({ conversation_uuid: c.uuid, message: { type: 'incoming' } });
      expect(bodies[1].id).toBeGreaterThan(bodies[0].id);
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      for (const hit of hits) {
        const signed = `${String(hit.headers['webhook-id'])}.${String(hit.headers['webhook-timestamp'])}.${hit.raw}`;
        expect(hit.headers['webhook-signature']).toBe(`v1,${createHmac('sha256', key).update(signed).digest('base64')}`);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
