import { EventsRepository } from '../../src/modules/events/events.repository.js';
import { EventsService } from '../../src/modules/events/events.service.js';
import type { EventScope, EventType } from '../../src/modules/events/event-types.js';
import { createAgent, createRole } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: string;
const onPostgres = Boolean(process.env.DATABASE_URL);

interface FeedEvent {
  id: number;
  type: string;
  created_at: string;
  payload: Record<string, unknown>;
}

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER_ENABLED: 'false' });
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

async function record(type: EventType, payload: object, scope?: EventScope): Promise<void> {
  await t.dataSource.transaction((m) => t.app.get(EventsService).record(m, type, payload, scope));
}

async function feed(auth: string, query: Record<string, string | number> = {}) {
  const res = await t.http.get('/api/v1/events').query(query).set('Authorization', auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as { events: FeedEvent[]; next: string };
}

/** The cursor at the end of the log as `auth` sees it. */
async function head(auth: string): Promise<string> {
  let page = await feed(auth, { limit: 500 });
  while (page.events.length > 0) page = await feed(auth, { limit: 500, after: page.next });
  return page.next;
}

describe('GET /api/v1/events', () => {
  test('returns events in order, pages with limit and resumes from the cursor', async () => {
    const start = await head(admin);
    const convo = { uuid: '0b7c6a4e-4f0f-4d55-9a53-0a1b2c3d4e5f', subject: 'Printer on fire' };
    await record('conversation.created', { conversation: convo }, { conversationId: 1 });
    await record('conversation.status_changed', { conversation_uuid: convo.uuid, previous_status: 'Open', status: 'Resolved' }, { conversationId: 1 });
    await record('message.created', { conversation_uuid: convo.uuid, message: { uuid: 'm1', content: 'hi' } }, { conversationId: 1 });
    await record('contact.created', { contact: { id: 7, email: 'c@example.com' } });
    await record('contact.updated', { contact: { id: 7, email: 'c2@example.com' } });

    const first = await feed(admin, { after: start, limit: 2 });
    expect(first.events.map((e) => e.type)).toEqual(['conversation.created', 'conversation.status_changed']);
    expect(first.events[0]).toEqual({ id: expect.any(Number), type: 'conversation.created', created_at: expect.any(String), payload: { conversation: convo } });
    expect(new Date(first.events[0].created_at).toISOString()).toBe(first.events[0].created_at);
    const second = await feed(admin, { after: first.next, limit: 2 });
    expect(second.events.map((e) => e.type)).toEqual(['message.created', 'contact.created']);
    const third = await feed(admin, { after: second.next, limit: 2 });
    expect(third.events.map((e) => e.type)).toEqual(['contact.updated']);
    const ids = [...first.events, ...second.events, ...third.events].map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(5);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1] + 1);

    const caughtUp = await feed(admin, { after: third.next });
    expect(caughtUp).toEqual({ events: [], next: third.next });
    // A cursor stays valid: reading again from an old one gives the same events.
    const again = await feed(admin, { after: first.next, limit: 500 });
    expect(again.events.map((e) => e.id)).toEqual(ids.slice(2));
    expect(typeof again.next).toBe('string');
    expect(again.next).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test('without a cursor starts at the beginning of the log; the default limit is 100', async () => {
    const start = await head(admin);
    for (let i = 0; i < 3; i++) await record('contact.updated', { contact: { id: i } });
    const all = await feed(admin);
    expect(all.events.length).toBeGreaterThanOrEqual(8);
    expect(all.events.length).toBeLessThanOrEqual(100);
    expect(all.events[0].id).toBe(1);
    const recent = await feed(admin, { after: start });
    expect(recent.events.map((e) => e.payload)).toEqual([{ contact: { id: 0 } }, { contact: { id: 1 } }, { contact: { id: 2 } }]);
  });

  test('a commit that lands after a later event is not skipped (ids follow commit order)', async () => {
    if (!onPostgres) return; // PGlite runs one transaction at a time, so commits cannot interleave.
    const start = await head(admin);
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await t.app.get(EventsService).record(runner.manager, 'contact.created', { contact: { id: 'slow' } });
      await record('contact.created', { contact: { id: 'fast' } });
      const before = await feed(admin, { after: start });
      expect(before.events.map((e) => e.payload)).toEqual([{ contact: { id: 'fast' } }]);
      await runner.commitTransaction();
      const after = await feed(admin, { after: before.next });
      expect(after.events.map((e) => e.payload)).toEqual([{ contact: { id: 'slow' } }]);
      expect(after.events[0].id).toBe(before.events[0].id + 1);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });

  test("one transaction's events stay consecutive when another transaction's insert falls between them", async () => {
    if (!onPostgres) return; // PGlite runs one transaction at a time, so inserts cannot interleave.
    const start = await head(admin);
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await t.app.get(EventsService).record(runner.manager, 'contact.created', { contact: { id: 'a1' } });
      await record('contact.created', { contact: { id: 'b' } });
      await t.app.get(EventsService).record(runner.manager, 'contact.created', { contact: { id: 'a2' } });
      await runner.commitTransaction();
      const page = await feed(admin, { after: start });
      const ids = page.events.map((e) => (e.payload as { contact: { id: string } }).contact.id);
      expect(ids).toHaveLength(3);
      expect(Math.abs(ids.indexOf('a2') - ids.indexOf('a1'))).toBe(1);
      expect(ids.indexOf('a2')).toBeGreaterThan(ids.indexOf('a1'));
      expect(page.events.map((e) => e.id)).toEqual([page.events[0].id, page.events[0].id + 1, page.events[0].id + 2]);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });

  test('an event recorded in a rolled-back transaction never appears', async () => {
    const start = await head(admin);
    await expect(
      t.dataSource.transaction(async (m) => {
        await t.app.get(EventsService).record(m, 'contact.created', { contact: { id: 'ghost' } });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await record('contact.created', { contact: { id: 'real' } });
    const page = await feed(admin, { after: start });
    expect(page.events.map((e) => e.payload)).toEqual([{ contact: { id: 'real' } }]);
  });

  test('wait= holds an empty answer until an event is recorded, then returns at once', async () => {
    const start = await head(admin);
    const began = Date.now();
    const pending = feed(admin, { after: start, wait: 20 });
    await new Promise((r) => setTimeout(r, 400));
    await record('conversation.priority_changed', { priority: 'High' });
    const page = await pending;
    const elapsed = Date.now() - began;
    expect(page.events.map((e) => e.type)).toEqual(['conversation.priority_changed']);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(8000);
  });

  test('a long poll sleeps until notified (no polling while idle) and answers promptly after a write', async () => {
    const start = await head(admin);
    const scans = vi.spyOn(t.app.get(EventsRepository), 'window');
    try {
      const idle = await feed(admin, { after: start, wait: 1 });
      expect(idle.events).toEqual([]);
      // One look when the request arrives, one when the wait ends: no 250 ms polling in between.
      expect(scans.mock.calls.length).toBeLessThanOrEqual(2);

      const pending = feed(admin, { after: start, wait: 20 });
      await new Promise((r) => setTimeout(r, 300));
      const wrote = Date.now();
      await record('conversation.priority_changed', { priority: 'Urgent' });
      const page = await pending;
      expect(page.events.map((e) => e.type)).toEqual(['conversation.priority_changed']);
      expect(Date.now() - wrote).toBeLessThan(1000);
    } finally {
      scans.mockRestore();
    }
  });

  test('wait= gives up with an empty page when nothing arrives', async () => {
    const start = await head(admin);
    const began = Date.now();
    const page = await feed(admin, { after: start, wait: 1 });
    expect(page).toEqual({ events: [], next: start });
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
  });

  test('filters by conversation access, messages:read and contacts:read', async () => {
    await createRole(t, 'EventsAssignedOnly', ['conversations:read', 'conversations:read_assigned', 'messages:read']);
    await createRole(t, 'EventsNoMessages', ['conversations:read', 'conversations:read_unassigned']);
    const mine = await createAgent(t, { roles: ['EventsAssignedOnly'] });
    const noMessages = await createAgent(t, { roles: ['EventsNoMessages'] });
    const agent = await createAgent(t, { roles: ['Agent'] });
    const [mineAuth, noMessagesAuth, agentAuth] = [mine, noMessages, agent].map((c) => t.token(c));
    const starts = await Promise.all([admin, mineAuth, noMessagesAuth, agentAuth].map(head));

    await record('conversation.created', { n: 'assigned to me' }, { conversationId: 10, assignedUserId: mine.id, assignedTeamId: null });
    await record('conversation.created', { n: 'assigned to admin' }, { conversationId: 11, assignedUserId: t.admin.id, assignedTeamId: null });
    await record('conversation.created', { n: 'unassigned' }, { conversationId: 12, assignedUserId: null, assignedTeamId: null });
    await record('message.created', { n: 'message in mine' }, { conversationId: 10, assignedUserId: mine.id });
    await record('message.created', { n: 'message in unassigned' }, { conversationId: 12 });
    await record('contact.created', { n: 'contact' });

    const seen = async (auth: string, after: string) => (await feed(auth, { after })).events.map((e) => e.payload.n);
    expect(await seen(admin, starts[0])).toEqual(['assigned to me', 'assigned to admin', 'unassigned', 'message in mine', 'message in unassigned', 'contact']);
    expect(await seen(mineAuth, starts[1])).toEqual(['assigned to me', 'message in mine']);
    expect(await seen(noMessagesAuth, starts[2])).toEqual(['unassigned']);
    // The seeded Agent role reads all conversations but holds no contacts permission.
    expect(await seen(agentAuth, starts[3])).toEqual(['assigned to me', 'assigned to admin', 'unassigned', 'message in mine', 'message in unassigned']);
  });

  test('the cursor moves past events the caller may not see, and wait= ignores them', async () => {
    await createRole(t, 'EventsNothing', ['conversations:read']);
    const blind = await createAgent(t, { roles: ['EventsNothing'] });
    const auth = t.token(blind);
    const start = await head(auth);
    await record('contact.created', { n: 'hidden' });
    const page = await feed(auth, { after: start });
    expect(page.events).toEqual([]);
    expect(page.next).not.toBe(start);
    expect(await feed(auth, { after: page.next })).toEqual({ events: [], next: page.next });

    const began = Date.now();
    const pending = feed(auth, { after: page.next, wait: 1 });
    await new Promise((r) => setTimeout(r, 200));
    await record('contact.updated', { n: 'hidden too' });
    const waited = await pending;
    expect(waited.events).toEqual([]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    expect(waited.next).not.toBe(page.next);
  });

  test('rejects bad cursors, limits and waits with 400', async () => {
    const bad: Array<Record<string, string>> = [
      { after: 'not a cursor!' },
      { after: 'Zm9vYmFy' }, // "foobar"
      { after: Buffer.from('ev1:abc').toString('base64url') },
      { after: Buffer.from('ev1:-1').toString('base64url') },
      { after: `${Buffer.from('ev1:5').toString('base64url')}=` },
      { limit: '0' },
      { limit: '501' },
      { limit: 'ten' },
      { limit: '1.5' },
      { wait: '31' },
      { wait: '-1' },
      { wait: 'soon' },
    ];
    for (const query of bad) {
      const res = await t.http.get('/api/v1/events').query(query).set('Authorization', admin);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error_type).toBe('InputException');
    }
    const repeated = await t.http.get('/api/v1/events?limit=1&limit=2').set('Authorization', admin);
    expect(repeated.status).toBe(400);
    const ok = await t.http
      .get('/api/v1/events')
      .query({ limit: '500', wait: '0', after: Buffer.from('ev1:0').toString('base64url') })
      .set('Authorization', admin);
    expect(ok.status).toBe(200);
  });

  test('needs credentials', async () => {
    const res = await t.http.get('/api/v1/events');
    expect(res.status).toBe(401);
    expect(res.body.error_type).toBe('UnauthorizedException');
  });

  test('the log is append-only', async () => {
    await record('contact.created', { n: 'immutable' });
    await t.app.get(EventsService).numberCommitted();
    await expect(t.dataSource.query(`UPDATE events SET payload = '{}' WHERE id = (SELECT max(id) FROM events)`)).rejects.toThrow(/append-only/);
  });

  test('is documented in the OpenAPI document', async () => {
    const res = await t.http.get('/docs-json');
    const op = res.body.paths['/api/v1/events'].get;
    expect(op.operationId).toBe('handleGetEvents');
    expect(op.tags).toEqual(['Events']);
    // If-None-Match: every JSON GET answers conditional requests (shared/http/conditional.ts).
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['If-None-Match', 'after', 'limit', 'wait']);
    expect(op.responses['200'].content['application/json'].schema.properties.data.$ref).toMatch(/EventPageDto$/);
    expect(res.body.components.schemas.EventDto.properties.type.enum).toContain('message.updated');
  });
});
