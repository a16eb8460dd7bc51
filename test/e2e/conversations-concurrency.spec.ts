import type supertest from 'supertest';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createTeam, inboxId, startConversationsApp, unique } from './conversations.fixtures.js';

const CREATES = 200;
const REPLIES = 500;

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

/**
 * Sends a write with an Idempotency-Key and, as a well-behaved client does, retries it after a 503
 * (Retry-After). On PostgreSQL, hundreds of replies queue behind one conversation's row lock while
 * holding pool connections; on a busy machine the last ones wait for a connection longer than the
 * pool's 5 s timeout and get a 503 before any work is done. The retry with the same key is safe.
 */
async function writeWithRetry(key: string, send: (key: string) => supertest.Test): Promise<{ res: supertest.Response; retries: number }> {
  for (let retries = 0; ; retries++) {
    const res = await send(key);
    if (res.status !== 503 || retries === 5) return { res, retries };
    await new Promise((r) => setTimeout(r, Number(res.headers['retry-after'] ?? 1) * 1000));
  }
}

test(`${CREATES} parallel creates get ${CREATES} unique reference numbers`, async () => {
  const inbox = await inboxId(t);
  const results = (
    await Promise.all(
      Array.from({ length: CREATES }, (_, i) =>
        writeWithRetry(unique('create'), (key) =>
          t.http
            .post('/api/v1/conversations')
            .set('Authorization', admin)
            .set('Idempotency-Key', key)
            .send({
              inbox_id: inbox,
              contact_email: `${unique('par')}@example.com`,
              first_name: 'P',
              last_name: `${i}`,
              subject: `s${i}`,
              content: `c${i}`,
              initiator: 'contact',
            }),
        ),
      ),
    )
  ).map((r) => r.res);
  expect(results.map((r) => r.status)).toEqual(Array(CREATES).fill(200));
  const refs = new Set(results.map((r) => r.body.data.reference_number as string));
  expect(refs.size).toBe(CREATES);
  for (const ref of refs) expect(Number(ref)).toBeGreaterThanOrEqual(100);
});

test('parallel creates for one new contact email share one contact', async () => {
  const email = `${unique('same')}@example.com`;
  const inbox = await inboxId(t);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      t.http
        .post('/api/v1/conversations')
        .set('Authorization', admin)
        .send({
          inbox_id: inbox,
          contact_email: email,
          first_name: 'Same',
          last_name: 'One',
          subject: `s${i}`,
          content: 'hello',
          initiator: i % 2 ? 'agent' : 'contact',
        }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
  expect(new Set(results.map((r) => r.body.data.contact_id)).size).toBe(1);
  const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = $1 AND deleted_at IS NULL`, [email]);
  expect(rows[0].n).toBe(1);
});

test(`${REPLIES} parallel replies to one conversation store ${REPLIES} messages, each queued once`, async () => {
  const c = await createConversation(t);
  const attempts = await Promise.all(
    Array.from({ length: REPLIES }, (_, i) =>
      writeWithRetry(unique('reply'), (key) =>
        t.http
          .post(`/api/v1/conversations/${c.uuid}/messages`)
          .set('Authorization', admin)
          .set('Idempotency-Key', key)
          .send({ message: `reply ${i}` }),
      ),
    ),
  );
  const results = attempts.map((a) => a.res);
  const retried = attempts.filter((a) => a.retries > 0).length;
  if (retried) console.log(`[concurrency] ${retried} of ${REPLIES} replies got a 503 (pool wait over 5 s) and succeeded on retry`);
  expect(results.map((r) => r.status)).toEqual(Array(REPLIES).fill(200));
  const page = await t.http.get(`/api/v1/conversations/${c.uuid}/messages?type=outgoing&page_size=100`).set('Authorization', admin).expect(200);
  expect(page.body.data.total).toBe(REPLIES);
  const stored = await t.dataSource.query(`SELECT count(DISTINCT uuid)::int AS n FROM conversation_messages WHERE conversation_id = $1 AND type = 'outgoing'`, [
    c.id,
  ]);
  expect(stored[0].n).toBe(REPLIES);
  expect(new Set(results.map((r) => r.body.data.uuid)).size).toBe(REPLIES);
  const queued = await t.dataSource.query(
    `SELECT count(*)::int AS n FROM email_outbox o JOIN conversation_messages m ON m.id = o.message_id WHERE m.conversation_id = $1`,
    [c.id],
  );
  expect(queued[0].n).toBe(REPLIES);
  // The conversation's preview is the newest message.
  const [newest] = page.body.data.results;
  const conversation = await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', admin).expect(200);
  expect(conversation.body.data.last_message).toBe(newest.text_content);
  expect(conversation.body.data.last_message_at).toBe(newest.created_at);
});

test('parallel assignment changes end in one consistent state, with one activity message each', async () => {
  const c = await createConversation(t);
  const agents = await Promise.all(Array.from({ length: 8 }, (_, i) => createAgent(t, { firstName: unique(`Par${i}`), lastName: 'Assignee' })));
  const teams = await Promise.all(Array.from({ length: 4 }, () => createTeam(t)));
  // Interleaved so team changes (which also clear the agent) race the agent changes.
  const changes = agents.flatMap((a, i) => [
    { kind: 'user' as const, id: a.id, name: a.name },
    ...(i % 2 ? [{ kind: 'team' as const, id: teams[(i - 1) / 2].id, name: teams[(i - 1) / 2].name }] : []),
  ]);
  const results = await Promise.all(
    changes.map((ch) => t.http.put(`/api/v1/conversations/${c.uuid}/assignee/${ch.kind}`).set('Authorization', admin).send({ assignee_id: ch.id })),
  );
  expect(results.map((r) => r.status)).toEqual(Array(changes.length).fill(200));

  // The row lock serialises the changes; message ids follow that order.
  const activities: Array<{ content: string; kind: string }> = await t.dataSource.query(
    `SELECT content, meta->>'activity_type' AS kind FROM conversation_messages
      WHERE conversation_id = $1 AND type = 'activity' AND meta->>'activity_type' IN ('assigned_user_change', 'assigned_team_change')
      ORDER BY id`,
    [c.id],
  );
  expect(activities).toHaveLength(changes.length);
  let user: number | null = null;
  let team: number | null = null;
  const seen = new Set<string>();
  for (const a of activities) {
    const change = changes.find((ch) => (ch.kind === 'user' ? a.content.endsWith(`to ${ch.name}`) : a.content.endsWith(`to the ${ch.name} team`)));
    expect(change, a.content).toBeDefined();
    expect(a.kind).toBe(change!.kind === 'user' ? 'assigned_user_change' : 'assigned_team_change');
    seen.add(`${change!.kind}:${change!.id}`);
    if (change!.kind === 'team') [team, user] = [change!.id, null];
    else user = change!.id;
  }
  expect(seen.size).toBe(changes.length);
  const now = (await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', admin).expect(200)).body.data;
  expect({ user: now.assigned_user_id, team: now.assigned_team_id }).toEqual({ user, team });

  // The event log tells the same serial story: every change names the assignee the previous one left.
  const events: Array<{ type: string; payload: { assignee_type: string; assignee_id: number | null; previous_assignee_id: number | null } }> =
    await t.dataSource.query(
      `SELECT type, payload FROM events WHERE conversation_id = $1 AND type IN ('conversation.assigned', 'conversation.unassigned') ORDER BY seq`,
      [c.id],
    );
  const current: Record<string, number | null> = { user: null, team: null };
  for (const e of events) {
    expect(e.payload.previous_assignee_id).toBe(current[e.payload.assignee_type]);
    current[e.payload.assignee_type] = e.payload.assignee_id;
  }
  expect(current).toEqual({ user, team });
});
