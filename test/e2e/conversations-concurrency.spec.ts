import type { TestApp } from '../support/test-app.js';
import { createConversation, inboxId, startConversationsApp, unique } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

test('100 parallel creates get 100 unique reference numbers', async () => {
  const inbox = await inboxId(t);
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      t.http
        .post('/api/v1/conversations')
        .set('Authorization', admin)
        .send({ inbox_id: inbox, contact_email: `${unique('par')}@example.com`, first_name: 'P', last_name: `${i}`, subject: `s${i}`, content: `c${i}`, initiator: 'contact' }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
  const refs = new Set(results.map((r) => r.body.data.reference_number as string));
  expect(refs.size).toBe(100);
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
        .send({ inbox_id: inbox, contact_email: email, first_name: 'Same', last_name: 'One', subject: `s${i}`, content: 'hello', initiator: i % 2 ? 'agent' : 'contact' }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
  expect(new Set(results.map((r) => r.body.data.contact_id)).size).toBe(1);
  const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = $1 AND deleted_at IS NULL`, [email]);
  expect(rows[0].n).toBe(1);
});

test('200 parallel replies to one conversation store 200 messages, each queued once', async () => {
  const c = await createConversation(t);
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => t.http.post(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', admin).send({ message: `reply ${i}` })),
  );
  expect(results.map((r) => r.status)).toEqual(Array(200).fill(200));
  const page = await t.http.get(`/api/v1/conversations/${c.uuid}/messages?type=outgoing&page_size=100`).set('Authorization', admin).expect(200);
  expect(page.body.data.total).toBe(200);
  const queued = await t.dataSource.query(
    `SELECT count(*)::int AS n FROM email_outbox o JOIN conversation_messages m ON m.id = o.message_id WHERE m.conversation_id = $1`,
    [c.id],
  );
  expect(queued[0].n).toBe(200);
  // The conversation's preview is the newest message.
  const [newest] = page.body.data.results;
  const conversation = await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', admin).expect(200);
  expect(conversation.body.data.last_message).toBe(newest.text_content);
  expect(conversation.body.data.last_message_at).toBe(newest.created_at);
});
