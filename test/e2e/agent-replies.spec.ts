import { PreparingClient } from '../../src/shared/database/prepared-statements.js';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, startConversationsApp } from './conversations.fixtures.js';

/**
 * An agent's reply or note without attachments is one statement (issue 18: a reply cost 7 round
 * trips and had 0.3x the bare baseline's throughput). What it writes, and what it refuses, is
 * covered by messages.spec.ts and events-wiring.spec.ts; here: the statement count, the event that
 * is the answer, and that a refusal writes nothing.
 */
let t: TestApp;
let admin: string;
beforeAll(async () => {
  // The rate limiter counts each request in a statement of its own; the bench runs without it too.
  t = await startConversationsApp({ WEBHOOK_WORKER_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false' });
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const send = (uuid: string, body: object, as = admin) => t.http.post(`/api/v1/conversations/${uuid}/messages`).set('Authorization', as).send(body);

/**
 * The statements pooled connections ran while `work` ran that begin or end a transaction or touch what a reply
 * reads or writes; background loops (event numbering and retention, snooze waker, sweeps) are left out.
 */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const hook = vi.spyOn(PreparingClient.prototype, 'query');
  try {
    await work();
    return hook.mock.calls
      .map(([config]) => (typeof config === 'string' ? config : String((config as { text?: string }).text)).replace(/\s+/g, ' ').trim())
      .filter((s) => /^(BEGIN|START|COMMIT|ROLLBACK)|conversation|events|email_outbox|inboxes/i.test(s))
      .filter((s) => !/events_number_committed|snoozed_until <=|email_outbox o SET locked_until|DELETE FROM events e USING ranked/.test(s));
  } finally {
    hook.mockRestore();
  }
}

const eventsAfter = async (seq: number) =>
  t.dataSource.query<Array<{ type: string; payload: any; conversation_id: number; assigned_user_id: number | null; assigned_team_id: number | null }>>(
    `SELECT type, payload, conversation_id, assigned_user_id, assigned_team_id FROM events WHERE seq > $1 ORDER BY seq`,
    [seq],
  );
const lastSeq = async () => Number((await t.dataSource.query<Array<{ s: string | null }>>(`SELECT max(seq) AS s FROM events`))[0].s ?? 0);

describe('an agent reply in one statement', () => {
  test('a reply and a note each run one statement, with no BEGIN or COMMIT', async () => {
    const c = await createConversation(t);
    await send(c.uuid, { message: 'warm-up (principal cache)' }).expect(200);
    for (const body of [{ message: 'One round trip' }, { message: 'A note', private: true }]) {
      const statements = await statementsOf(() => send(c.uuid, body).expect(200));
      expect(statements, statements.join('\n')).toHaveLength(1);
      expect(statements[0]).toContain('INSERT INTO conversation_messages');
    }
  });

  test('the message.created event carries exactly the answer, with the conversation assignment as its scope', async () => {
    const agent = await createAgent(t);
    const team = await createTeam(t);
    const c = await createConversation(t, { agent_id: agent.id, team_id: team.id });
    for (const body of [
      { message: '<p>Hello <b>there</b></p>', to: ['x@example.com'], cc: ['y@example.com'] },
      { message: 'Internal', private: true },
    ]) {
      const seq = await lastSeq();
      const res = await send(c.uuid, body).expect(200);
      const events = await eventsAfter(seq);
      expect(events.map((e) => e.type)).toEqual(['message.created']);
      expect(events[0].payload).toEqual({ message: res.body.data, conversation_uuid: c.uuid });
      const detail = (await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', admin).expect(200)).body.data;
      expect(events[0]).toMatchObject({ conversation_id: c.id, assigned_user_id: detail.assigned_user_id, assigned_team_id: detail.assigned_team_id });
      const [stored] = (await t.http.get(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', admin).expect(200)).body.data.results;
      expect(stored).toEqual(res.body.data);
    }
  });

  test('a reply gets its Message-ID from the inbox address and one outbox entry; a note neither', async () => {
    const c = await createConversation(t);
    const reply = (await send(c.uuid, { message: 'Threaded' }).expect(200)).body.data;
    const note = (await send(c.uuid, { message: 'Not emailed', private: true }).expect(200)).body.data;
    const rows = await t.dataSource.query<Array<{ uuid: string; source_id: string | null; queued: number }>>(
      `SELECT m.uuid, m.source_id, (SELECT count(*)::int FROM email_outbox o WHERE o.message_id = m.id) AS queued
         FROM conversation_messages m WHERE m.uuid = ANY($1::uuid[]) ORDER BY m.id`,
      [[reply.uuid, note.uuid]],
    );
    expect(rows).toEqual([
      { uuid: reply.uuid, source_id: `${reply.uuid}@example.com`, queued: 1 },
      { uuid: note.uuid, source_id: null, queued: 0 },
    ]);
  });

  test('a refusal writes nothing: no message, event, outbox entry or preview change', async () => {
    const role = await createRole(t, ['messages:write', 'conversations:read', 'conversations:read_assigned']);
    const outsider = await createAgent(t, { roles: [role] });
    const c = await createConversation(t);
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM conversation_messages`);
    const beforeOutbox = await t.dataSource.query(`SELECT count(*)::int AS n FROM email_outbox`);
    const seq = await lastSeq();
    const preview = (await t.dataSource.query(`SELECT last_message, last_message_at FROM conversations WHERE id = $1`, [c.id]))[0];

    await send(c.uuid, { message: 'not mine' }, t.token(outsider)).expect(403);
    await send('00000000-0000-4000-8000-000000000000', { message: 'nobody' }).expect(404);
    await t.dataSource.query(`UPDATE users SET email = NULL WHERE id = (SELECT contact_id FROM conversations WHERE id = $1)`, [c.id]);
    const noAddress = await send(c.uuid, { message: 'to nobody' }).expect(400);
    expect(noAddress.body.message).toContain('no email address');

    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM conversation_messages`)).toEqual(before);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM email_outbox`)).toEqual(beforeOutbox);
    expect(await eventsAfter(seq)).toEqual([]);
    expect((await t.dataSource.query(`SELECT last_message, last_message_at FROM conversations WHERE id = $1`, [c.id]))[0]).toEqual(preview);
    // With `to`, the contact's address is not needed.
    await send(c.uuid, { message: 'to someone', to: ['someone@example.com'] }).expect(200);
  });
});
