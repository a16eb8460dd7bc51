import type { DataSource } from 'typeorm';
import { createConversation, startConversationsApp } from '../e2e/conversations.fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * A write's answer is read inside its transaction. If it were read after the commit, that read could
 * fail (pool wait timeout, database restart) and answer 503 for work that was done; the 5xx releases
 * the Idempotency-Key, and the client's retry writes a second time. Found by the 500-parallel-replies
 * test on a busy machine (512 messages stored for 500 acknowledged replies).
 */
let t: TestApp;
let admin: string;
const afterCommit: string[] = [];
let committed = false;

/** Records the SQL of every message/conversation read or write that runs after the request's transaction committed. */
function watchCommits(ds: DataSource): void {
  const transaction = ds.transaction.bind(ds) as (...args: unknown[]) => Promise<unknown>;
  const query = ds.query.bind(ds) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(ds, {
    transaction: async (...args: unknown[]) => {
      const result = await transaction(...args);
      committed = true;
      return result;
    },
    query: async (...args: unknown[]) => {
      if (committed && /conversation|message|media/i.test(String(args[0]))) afterCommit.push(String(args[0]).replace(/\s+/g, ' ').slice(0, 120));
      const result = await query(...args);
      // A statement run outside a transaction commits as it ends: an agent's reply is one such statement
      // (it answers `written: false`, having written nothing, when it must first learn something).
      const wrote = (result as Array<{ written?: boolean }>)[0]?.written !== false;
      if (args[2] === undefined && wrote && /INSERT INTO conversation_messages/.test(String(args[0]))) committed = true;
      return result;
    },
  });
}

beforeAll(async () => {
  t = await startConversationsApp({ WEBHOOK_WORKER_ENABLED: 'false' });
  admin = t.token(t.admin);
  watchCommits(t.dataSource);
});
afterAll(async () => t?.close());
beforeEach(() => {
  committed = false;
  afterCommit.length = 0;
});

test.each([
  ['a reply', { message: 'On its way' }],
  ['a private note', { message: 'Internal', private: true }],
])('sending %s reads nothing after the commit', async (_what, body) => {
  const c = await createConversation(t);
  committed = false;
  const res = await t.http.post(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', admin).send(body).expect(200);
  expect(res.body.data.content).toContain(body.message);
  expect(committed).toBe(true);
  expect(afterCommit).toEqual([]);
});

test('retrying a failed reply reads nothing after the commit', async () => {
  const c = await createConversation(t);
  const reply = await t.http.post(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', admin).send({ message: 'Bounce' }).expect(200);
  await t.dataSource.query(`UPDATE conversation_messages SET status = 'failed' WHERE uuid = $1`, [reply.body.data.uuid]);
  committed = false;
  afterCommit.length = 0;
  const res = await t.http.put(`/api/v1/conversations/${c.uuid}/messages/${reply.body.data.uuid}/retry`).set('Authorization', admin).expect(200);
  expect(res.body.data.status).toBe('pending');
  expect(committed).toBe(true);
  expect(afterCommit).toEqual([]);
});

test('creating a conversation reads nothing after the commit', async () => {
  const c = await createConversation(t, { subject: 'Answered inside' });
  expect(c.subject).toBe('Answered inside');
  expect(committed).toBe(true);
  expect(afterCommit).toEqual([]);
});
