import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/test-app.js';
import { activityTexts, createAgent, createConversation, createRole, messagesOf, startConversationsApp } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const send = (uuid: string, body: object, as = admin) => t.http.post(`/api/v1/conversations/${uuid}/messages`).set('Authorization', as).send(body);
const get = async (uuid: string) => (await t.http.get(`/api/v1/conversations/${uuid}`).set('Authorization', admin).expect(200)).body.data;
const outbox = async (messageId: number) =>
  t.dataSource.query<Array<{ state: string; attempts: number }>>(`SELECT state, attempts FROM email_outbox WHERE message_id = $1`, [messageId]);

describe('POST /conversations/{cuuid}/messages', () => {
  test('an agent reply is outgoing, pending, queued for email to the contact, and moves the conversation', async () => {
    const c = await createConversation(t, { contact_email: 'reply.target@example.com' });
    const res = await send(c.uuid, { message: '<p>Hello <b>there</b></p><script>alert(1)</script>' }).expect(200);
    const m = res.body.data;
    expect(m).toMatchObject({
      type: 'outgoing',
      status: 'pending',
      private: false,
      sender_type: 'agent',
      sender_id: t.admin.id,
      conversation_id: c.id,
      conversation_uuid: c.uuid,
      content: '<p>Hello <b>there</b></p>',
      text_content: 'Hello there',
      content_type: 'html',
      meta: { to: ['reply.target@example.com'] },
      attachments: [],
      author: { id: t.admin.id, first_name: 'Ada', last_name: 'Admin', avatar_url: null },
    });
    expect(await outbox(m.id)).toEqual([{ state: 'queued', attempts: 0 }]);
    const conversation = await get(c.uuid);
    expect(conversation).toMatchObject({
      last_message: 'Hello there',
      last_message_sender: 'agent',
      last_interaction_sender: 'agent',
      last_message_at: m.created_at,
    });
    // Not delivered yet: no reply timestamps, still waiting.
    expect(conversation).toMatchObject({ first_reply_at: null, last_reply_at: null, waiting_since: c.waiting_since });
  });

  test('to, cc and bcc are validated, normalised and kept in meta', async () => {
    const c = await createConversation(t);
    const res = await send(c.uuid, { message: 'hi', to: [' Boss@Example.com ', 'boss@example.com'], cc: ['cc@example.com'], bcc: ['bcc@example.com'] }).expect(
      200,
    );
    expect(res.body.data.meta).toEqual({ to: ['boss@example.com'], cc: ['cc@example.com'], bcc: ['bcc@example.com'] });
    const noCc = await send(c.uuid, { message: 'hi', cc: [] }).expect(200);
    expect(noCc.body.data.meta).toEqual({ to: [c.contact.email] });
    for (const body of [{ to: ['nope'] }, { cc: ['a@b.com', 'x'] }, { bcc: 'a@b.com' }, { to: [1] }]) {
      const bad = await send(c.uuid, { message: 'hi', ...body }).expect(400);
      expect(bad.body.error_type).toBe('InputException');
    }
  });

  test('a private note is sent at once, never emailed, and changes last_message but not the interaction', async () => {
    const c = await createConversation(t);
    const res = await send(c.uuid, { message: 'internal: check the warehouse', private: true }).expect(200);
    expect(res.body.data).toMatchObject({ type: 'outgoing', status: 'sent', private: true, meta: {} });
    expect(await outbox(res.body.data.id)).toEqual([]);
    const conversation = await get(c.uuid);
    expect(conversation.last_message).toBe('internal: check the warehouse');
    expect(conversation.last_interaction).toBe('My order has not arrived.');
  });

  test('a contact message (messages:write_as_contact) is incoming, received, not emailed, and reopens the conversation', async () => {
    const c = await createConversation(t);
    await t.http.put(`/api/v1/conversations/${c.uuid}/status`).set('Authorization', admin).send({ status: 'Resolved' }).expect(200);
    await send(c.uuid, { message: 'thanks!', private: true }).expect(200);
    const res = await send(c.uuid, { message: 'Actually, one more thing', sender_type: 'contact' }).expect(200);
    expect(res.body.data).toMatchObject({ type: 'incoming', status: 'received', private: false, sender_type: 'contact', sender_id: c.contact_id });
    expect(res.body.data.author).toMatchObject({ id: c.contact_id, first_name: 'Carol' });
    expect(await outbox(res.body.data.id)).toEqual([]);
    const conversation = await get(c.uuid);
    expect(conversation).toMatchObject({ status: 'Open', last_message_sender: 'contact', last_interaction: 'Actually, one more thing' });
    expect(conversation.waiting_since).not.toBeNull();
    expect(await activityTexts(t, c.uuid)).toEqual(['Ada Admin marked the conversation as Resolved', 'System marked the conversation as Open']);
    const [latest, reopened] = await messagesOf(t, c.uuid);
    expect([latest.uuid, reopened.meta]).toEqual([res.body.data.uuid, { activity_type: 'status_change' }]);
  });

  test('contact messages need messages:write_as_contact and cannot be private', async () => {
    const c = await createConversation(t);
    const agent = await createAgent(t);
    const denied = await send(c.uuid, { message: 'x', sender_type: 'contact' }, t.token(agent)).expect(403);
    expect(denied.body.error_type).toBe('PermissionException');
    await send(c.uuid, { message: 'x', sender_type: 'contact', private: true }).expect(400);
    await send(c.uuid, { message: 'x', sender_type: 'robot' }).expect(400);
  });

  test('attachments by media id are linked and listed; unknown ids are 400 and nothing is stored', async () => {
    const c = await createConversation(t);
    const up = await t.http.post('/api/v1/media').set('Authorization', admin).attach('files', Buffer.from('%PDF-1.4 fake'), 'receipt.pdf').expect(200);
    const res = await send(c.uuid, { message: 'see attached', attachments: [up.body.data.id] }).expect(200);
    expect(res.body.data.attachments).toEqual([expect.objectContaining({ name: 'receipt.pdf', uuid: up.body.data.uuid, content: null })]);
    const before = (await messagesOf(t, c.uuid)).length;
    const bad = await send(c.uuid, { message: 'x', attachments: [999999] }).expect(400);
    expect(bad.body.message).toContain('999999');
    expect(await messagesOf(t, c.uuid)).toHaveLength(before);
    // Attachments alone are a message.
    const up2 = await t.http.post('/api/v1/media').set('Authorization', admin).attach('files', Buffer.from('x'), 'only.txt').expect(200);
    await send(c.uuid, { message: '', attachments: [up2.body.data.id] }).expect(200);
  });

  test('bad bodies are 400, unknown or malformed conversation 404/400', async () => {
    const c = await createConversation(t);
    for (const body of [
      {},
      { message: 5 },
      { message: '' },
      { message: '<script>x</script>' },
      { message: 'x', private: 'yes' },
      { message: 'x', attachments: ['1'] },
      { message: 'x'.repeat(256 * 1024 + 1) },
    ]) {
      await send(c.uuid, body).expect(400);
    }
    await send(randomUUID(), { message: 'x' }).expect(404);
    await send('nope', { message: 'x' }).expect(400);
    await t.http.post(`/api/v1/conversations/${c.uuid}/messages`).send({ message: 'x' }).expect(401);
    const reader = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_all', 'messages:read'])] });
    await send(c.uuid, { message: 'x' }, t.token(reader)).expect(403);
  });

  test('a body over the server limit is a 413 in the error envelope', async () => {
    const c = await createConversation(t);
    const res = await send(c.uuid, { message: 'x'.repeat(t.config.BODY_LIMIT_BYTES + 10) }).expect(413);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'PayloadTooLargeException' });
  });

  test('in a non-email inbox a reply counts as delivered at once: reply timestamps set, waiting cleared', async () => {
    const [{ id: chat }] = await t.dataSource.query(`INSERT INTO inboxes (name, channel, "from") VALUES ('Chat', 'livechat', 'chat@example.com') RETURNING id`);
    const c = await createConversation(t, { inbox_id: chat });
    expect(c.waiting_since).not.toBeNull();
    const res = await send(c.uuid, { message: 'hello from chat' }).expect(200);
    expect(res.body.data.status).toBe('sent');
    const conversation = await get(c.uuid);
    expect(conversation.waiting_since).toBeNull();
    expect(conversation.first_reply_at).not.toBeNull();
    expect(conversation.last_reply_at).toBe(conversation.first_reply_at);
    await send(c.uuid, { message: 'second' }).expect(200);
    const later = await get(c.uuid);
    expect(later.first_reply_at).toBe(conversation.first_reply_at);
    expect(new Date(later.last_reply_at).getTime()).toBeGreaterThan(new Date(conversation.last_reply_at).getTime());
  });

  test('a disabled inbox refuses new messages', async () => {
    const [{ id }] = await t.dataSource.query(`INSERT INTO inboxes (name, channel, "from") VALUES ('Old', 'email', 'old@example.com') RETURNING id`);
    const c = await createConversation(t, { inbox_id: id });
    await t.dataSource.query(`UPDATE inboxes SET enabled = false WHERE id = $1`, [id]);
    const res = await send(c.uuid, { message: 'x' }).expect(400);
    expect(res.body.message).toBe('Inbox is disabled');
  });
});

describe('GET messages', () => {
  let c: { uuid: string; id: number };
  beforeAll(async () => {
    c = await createConversation(t);
    await send(c.uuid, { message: 'reply 1' }).expect(200);
    await send(c.uuid, { message: 'note 1', private: true }).expect(200);
    await t.http.put(`/api/v1/conversations/${c.uuid}/priority`).set('Authorization', admin).send({ priority: 'Medium' }).expect(200);
    await send(c.uuid, { message: 'reply 2' }).expect(200);
  });

  test('newest first, paginated', async () => {
    const all = await messagesOf(t, c.uuid);
    expect(all.map((m) => m.text_content)).toEqual(['reply 2', 'Ada Admin set priority to Medium', 'note 1', 'reply 1', 'My order has not arrived.']);
    const page = await t.http.get(`/api/v1/conversations/${c.uuid}/messages?page=2&page_size=2`).set('Authorization', admin).expect(200);
    expect(page.body.data).toMatchObject({ total: 5, per_page: 2, total_pages: 3, page: 2 });
    expect(page.body.data.results.map((m: { text_content: string }) => m.text_content)).toEqual(['note 1', 'reply 1']);
    await t.http.get(`/api/v1/conversations/${c.uuid}/messages?page=0`).set('Authorization', admin).expect(400);
  });

  test('filters: private and repeated type', async () => {
    expect((await messagesOf(t, c.uuid, '?private=true')).map((m) => m.text_content)).toEqual(['Ada Admin set priority to Medium', 'note 1']);
    expect((await messagesOf(t, c.uuid, '?private=false')).map((m) => m.type)).toEqual(['outgoing', 'outgoing', 'incoming']);
    expect((await messagesOf(t, c.uuid, '?type=incoming&type=activity')).map((m) => m.type)).toEqual(['activity', 'incoming']);
    expect((await messagesOf(t, c.uuid, '?type=outgoing&private=false')).map((m) => m.text_content)).toEqual(['reply 2', 'reply 1']);
    for (const q of ['?type=note', '?type=incoming&type=bogus', '?private=maybe', '?private=1']) {
      const res = await t.http.get(`/api/v1/conversations/${c.uuid}/messages${q}`).set('Authorization', admin).expect(400);
      expect(res.body.error_type).toBe('InputException');
    }
  });

  test('one message; a message of another conversation or an unknown one is 404', async () => {
    const [latest] = await messagesOf(t, c.uuid);
    const res = await t.http.get(`/api/v1/conversations/${c.uuid}/messages/${latest.uuid}`).set('Authorization', admin).expect(200);
    expect(res.body.data).toEqual(latest);
    const other = await createConversation(t);
    const missing = await t.http.get(`/api/v1/conversations/${other.uuid}/messages/${latest.uuid}`).set('Authorization', admin).expect(404);
    expect(missing.body.message).toBe('Message not found');
    await t.http.get(`/api/v1/conversations/${c.uuid}/messages/${randomUUID()}`).set('Authorization', admin).expect(404);
    await t.http.get(`/api/v1/conversations/${c.uuid}/messages/xyz`).set('Authorization', admin).expect(400);
    await t.http.get(`/api/v1/conversations/${randomUUID()}/messages/${latest.uuid}`).set('Authorization', admin).expect(404);
  });

  test('messages:read is required', async () => {
    const noMessages = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_all'])] });
    await t.http.get(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', t.token(noMessages)).expect(403);
  });
});

describe('PUT .../messages/{uuid}/retry', () => {
  test('only a failed reply is re-queued; the message comes back pending', async () => {
    const c = await createConversation(t);
    const reply = (await send(c.uuid, { message: 'will fail' }).expect(200)).body.data;
    const retry = (uuid: string) => t.http.put(`/api/v1/conversations/${c.uuid}/messages/${uuid}/retry`).set('Authorization', admin);
    const pending = await retry(reply.uuid).expect(400);
    expect(pending.body.message).toContain('pending');
    await t.dataSource.query(`UPDATE conversation_messages SET status = 'failed' WHERE id = $1`, [reply.id]);
    await t.dataSource.query(`UPDATE email_outbox SET state = 'failed', attempts = 5, last_error = 'rejected' WHERE message_id = $1`, [reply.id]);
    const res = await retry(reply.uuid).expect(200);
    expect(res.body.data).toMatchObject({ uuid: reply.uuid, status: 'pending', type: 'outgoing' });
    expect(await outbox(reply.id)).toEqual([{ state: 'queued', attempts: 0 }]);
    await retry(reply.uuid).expect(400);

    const note = (await send(c.uuid, { message: 'n', private: true }).expect(200)).body.data;
    await t.dataSource.query(`UPDATE conversation_messages SET status = 'failed' WHERE id = $1`, [note.id]);
    expect((await retry(note.uuid).expect(400)).body.message).toBe('Only replies can be retried');
    await retry(randomUUID()).expect(404);
    await retry('bad').expect(400);
    const other = await createConversation(t);
    await t.http.put(`/api/v1/conversations/${other.uuid}/messages/${reply.uuid}/retry`).set('Authorization', admin).expect(404);
  });
});
