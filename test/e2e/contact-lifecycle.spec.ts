import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, startConversationsApp, unique } from './conversations.fixtures.js';

// s3rver ships no types.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const create = (body: object, as = admin) => t.http.post('/api/v1/contacts').set('Authorization', as).send(body);
const uploadsPath = (uuid: string) => join(t.config.DATA_DIR, 'uploads', uuid);
const count = async (sql: string, params: unknown[]) => Number((await t.dataSource.query<Array<{ n: number }>>(sql, params))[0].n);

async function upload(name: string, content: Buffer = PNG_1x1): Promise<{ id: number; uuid: string }> {
  const res = await t.http.post('/api/v1/media').set('Authorization', admin).attach('files', content, { filename: name }).expect(200);
  return { id: res.body.data.id, uuid: res.body.data.uuid };
}

async function eventsOfType(type: string): Promise<Array<{ payload: Record<string, unknown> }>> {
  return t.dataSource.query(`SELECT payload FROM events WHERE type = $1 ORDER BY seq`, [type]);
}

/** A contact with two conversations, a reply with an attachment, a private note with one, tags, a participant and a note. */
async function populatedContact() {
  const email = `${unique('gdpr')}@example.com`;
  const first = await createConversation(t, { contact_email: email, subject: 'Order 1', content: '<p>Where is order 1?</p>' });
  const second = await createConversation(t, { contact_email: email, subject: 'Order 2', content: '<p>And order 2?</p>' });
  const contactId = first.contact_id as number;
  const publicFile = await upload('receipt.png');
  const privateFile = await upload('internal.png');
  await t.http
    .post(`/api/v1/conversations/${first.uuid}/messages`)
    .set('Authorization', admin)
    .send({ message: '<p>Here is your receipt</p>', private: false, attachments: [publicFile.id] })
    .expect(200);
  await t.http
    .post(`/api/v1/conversations/${first.uuid}/messages`)
    .set('Authorization', admin)
    .send({ message: '<p>Internal: customer is grumpy</p>', private: true, attachments: [privateFile.id] })
    .expect(200);
  await t.http
    .post(`/api/v1/conversations/${second.uuid}/tags`)
    .set('Authorization', admin)
    .send({ tags: ['gdpr-tag'] })
    .expect(200);
  await t.http.post(`/api/v1/contacts/${contactId}/notes`).set('Authorization', admin).send({ note: 'Prefers email' }).expect(200);
  return { email, contactId, conversations: [first, second], files: [publicFile, privateFile] };
}

describe('POST /api/v1/contacts', () => {
  test('creates a contact in the Contact shape and records contact.created', async () => {
    for (const [key, data_type] of [
      ['crm_id', 'text'],
      ['vip', 'checkbox'],
      ['score', 'number'],
    ])
      await t.http.post('/api/v1/custom-attributes').set('Authorization', admin).send({ name: key, applies_to: 'contact', key, data_type });
    const email = `${unique('new')}@Example.com`;
    const res = await create({
      first_name: ' Ada ',
      last_name: 'Lovelace',
      email,
      phone_number: '20 7946 0958',
      phone_number_country_code: '+44',
      country: 'United Kingdom',
      custom_attributes: { crm_id: 'C-1', vip: true, score: 4.5 },
    }).expect(200);
    const contact = res.body.data;
    expect(contact).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: email.toLowerCase(),
      type: 'contact',
      phone_number: '20 7946 0958',
      phone_number_country_code: '+44',
      custom_attributes: { crm_id: 'C-1', vip: true, score: 4.5 },
      enabled: true,
    });
    expect((await t.http.get(`/api/v1/contacts/${contact.id}`).set('Authorization', admin).expect(200)).body.data).toEqual(contact);
    const [row] = await t.dataSource.query(`SELECT country FROM users WHERE id = $1`, [contact.id]);
    expect(row.country).toBe('United Kingdom');
    const created = await eventsOfType('contact.created');
    expect(created.at(-1)!.payload).toEqual({ contact });
  });

  test('custom attribute values are checked against the contact definitions: an unknown key or a wrong type is a 400 naming it', async () => {
    await t.http
      .post('/api/v1/custom-attributes')
      .set('Authorization', admin)
      .send({ name: 'Tier', applies_to: 'contact', key: 'tier_level', data_type: 'number' });
    const before = await count(`SELECT count(*)::int AS n FROM users`, []);
    const unknown = await create({ first_name: 'A', email: `${unique('ca')}@example.com`, custom_attributes: { not_defined_here: 'x' } }).expect(400);
    expect(unknown.body.data.fields).toHaveProperty('not_defined_here');
    const wrong = await create({ first_name: 'A', email: `${unique('ca')}@example.com`, custom_attributes: { tier_level: 'gold' } }).expect(400);
    expect(wrong.body.data.fields.tier_level).toBe('must be a finite number');
    expect(await count(`SELECT count(*)::int AS n FROM users`, [])).toBe(before);
    const ok = await create({ first_name: 'A', email: `${unique('ca')}@example.com`, custom_attributes: { tier_level: 3 } }).expect(200);
    expect(ok.body.data.custom_attributes).toEqual({ tier_level: 3 });
  });

  test('first_name and email are enough', async () => {
    const email = `${unique('minimal')}@example.com`;
    const res = await create({ first_name: 'Minimal', email }).expect(200);
    expect(res.body.data).toMatchObject({ first_name: 'Minimal', last_name: '', email, phone_number: null, custom_attributes: {} });
  });

  test('an email held by another contact (any case) is a 409, also when two creates race; an agent email is free', async () => {
    const email = `${unique('dup')}@example.com`;
    await create({ first_name: 'One', email }).expect(200);
    const dup = await create({ first_name: 'Two', email: email.toUpperCase() }).expect(409);
    expect(dup.body).toMatchObject({ status: 'error', error_type: 'ConflictException', message: 'Another contact with same email already exists' });

    const raced = `${unique('race')}@example.com`;
    const statuses = (await Promise.all([1, 2, 3, 4].map((i) => create({ first_name: `R${i}`, email: raced })))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE lower(email) = $1`, [raced])).toBe(1);

    const agent = await createAgent(t);
    await create({ first_name: 'Same as agent', email: agent.email }).expect(200);
  });

  test.each([
    [{ email: 'a@example.com' }, 'first_name'],
    [{ first_name: '   ', email: 'a@example.com' }, 'first_name'],
    [{ first_name: 'x'.repeat(141), email: 'a@example.com' }, 'first_name'],
    [{ first_name: 'A' }, 'email'],
    [{ first_name: 'A', email: null }, 'email'],
    [{ first_name: 'A', email: 'not-an-email' }, 'email'],
    [{ first_name: 'A', email: 'a@example.com', phone_number: 'call me' }, 'phone_number'],
    [{ first_name: 'A', email: 'a@example.com', custom_attributes: ['x'] }, 'custom_attributes'],
    [{ first_name: 'A', email: 'a@example.com', custom_attributes: { nested: { a: 1 } } }, 'custom_attributes.nested'],
    [{ first_name: 'A', email: 'a@example.com', custom_attributes: { list: [1] } }, 'custom_attributes.list'],
    [{ first_name: 'A', email: 'a@example.com', custom_attributes: { 'bad key!': 1 } }, 'custom_attributes'],
    [{ first_name: 'A', email: 'a@example.com', last_name: null }, 'last_name'],
  ])('%j is a 400 naming %s, and nothing is written', async (body, field) => {
    const before = await count(`SELECT count(*)::int AS n FROM users`, []);
    const res = await create(body).expect(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(JSON.stringify(res.body)).toContain(field);
    expect(await count(`SELECT count(*)::int AS n FROM users`, [])).toBe(before);
  });
});

describe('GET /api/v1/contacts/{id}/export', () => {
  test('a JSON download of the profile, notes and conversations with only non-private messages and signed attachment URLs', async () => {
    const { contactId, email, conversations, files } = await populatedContact();
    const res = await t.http.get(`/api/v1/contacts/${contactId}/export`).set('Authorization', admin).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="contact-${contactId}-data.json"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.status).toBe('success');
    const doc = res.body.data;
    expect(doc.contact).toMatchObject({ id: contactId, email, first_name: 'Carol', last_name: 'Contact', country: null, external_user_id: null });
    expect(doc.notes).toEqual([{ id: expect.any(Number), created_at: expect.any(String), note: 'Prefers email' }]);
    expect(doc.conversations.map((c: { uuid: string }) => c.uuid)).toEqual(conversations.map((c: { uuid: string }) => c.uuid));
    expect(doc.conversations[0]).toMatchObject({ subject: 'Order 1', status: 'Open', reference_number: conversations[0].reference_number });
    const messages = doc.conversations[0].messages as Array<{ type: string; content: string; attachments: Array<{ name: string; url: string }> }>;
    expect(messages.map((m) => [m.type, m.content])).toEqual([
      ['incoming', '<p>Where is order 1?</p>'],
      ['outgoing', '<p>Here is your receipt</p>'],
    ]);
    expect(JSON.stringify(doc)).not.toContain('grumpy');
    expect(JSON.stringify(doc)).not.toContain('internal.png');
    expect(messages[1].attachments).toEqual([
      { name: 'receipt.png', content_type: 'image/png', size: PNG_1x1.length, url: expect.stringContaining(`/uploads/${files[0].uuid}?exp=`) },
    ]);
    // The signed URL works without credentials.
    const url = new URL(messages[1].attachments[0].url, 'http://x');
    await t.http.get(url.pathname + url.search).expect(200);
  });

  test('a missing contact or an agent id is a 404 in the error envelope', async () => {
    const missing = await t.http.get('/api/v1/contacts/2147483000/export').set('Authorization', admin).expect(404);
    expect(missing.body).toMatchObject({ status: 'error', error_type: 'NotFoundException' });
    await t.http.get(`/api/v1/contacts/${t.admin.id}/export`).set('Authorization', admin).expect(404);
    await t.http.get('/api/v1/contacts/abc/export').set('Authorization', admin).expect(400);
  });
});

describe('DELETE /api/v1/contacts/{id}', () => {
  test('removes the contact, conversations, messages, notes, participants, tag links, media rows and files, and records contact.deleted', async () => {
    const { contactId, email, conversations, files } = await populatedContact();
    const conversationIds = conversations.map((c: { id: number }) => c.id);
    for (const f of files) expect(existsSync(uploadsPath(f.uuid))).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM conversation_participants WHERE conversation_id = ANY($1::int[])`, [conversationIds])).toBeGreaterThan(
      0,
    );
    const eventsBefore = await count(`SELECT count(*)::int AS n FROM events WHERE conversation_id = ANY($1::int[])`, [conversationIds]);
    expect(eventsBefore).toBeGreaterThan(0);

    const res = await t.http.delete(`/api/v1/contacts/${contactId}`).set('Authorization', admin).expect(200);
    expect(res.body).toEqual({ status: 'success', data: true });

    expect(await count(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [contactId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM conversations WHERE id = ANY($1::int[])`, [conversationIds])).toBe(0);
    for (const table of ['conversation_messages', 'conversation_participants', 'conversation_tags', 'conversation_last_seen']) {
      expect(await count(`SELECT count(*)::int AS n FROM ${table} WHERE conversation_id = ANY($1::int[])`, [conversationIds]), table).toBe(0);
    }
    expect(await count(`SELECT count(*)::int AS n FROM contact_notes WHERE contact_id = $1`, [contactId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM media WHERE uuid = ANY($1::uuid[])`, [files.map((f) => f.uuid)])).toBe(0);
    for (const f of files) expect(existsSync(uploadsPath(f.uuid))).toBe(false);
    // The tag itself stays; the agents are untouched.
    expect(await count(`SELECT count(*)::int AS n FROM tags WHERE name = 'gdpr-tag'`, [])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [t.admin.id])).toBe(1);

    const deleted = await eventsOfType('contact.deleted');
    expect(deleted.at(-1)!.payload).toEqual({
      contact: { id: contactId },
      conversations: conversations.map((c: { uuid: string; reference_number: string }) => ({ uuid: c.uuid, reference_number: c.reference_number })),
      deleted_by: { id: t.admin.id },
    });
    expect(JSON.stringify(deleted.at(-1)!.payload)).not.toContain(email);

    // Events of the deleted conversations stay, and the feed still reads past them.
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE conversation_id = ANY($1::int[])`, [conversationIds])).toBe(eventsBefore);
    const feed = await t.http.get('/api/v1/events').query({ limit: 500 }).set('Authorization', admin).expect(200);
    expect(feed.body.data.events.length).toBeGreaterThan(0);

    await t.http.get(`/api/v1/contacts/${contactId}`).set('Authorization', admin).expect(404);
    await t.http.get(`/api/v1/conversations/${conversations[0].uuid}`).set('Authorization', admin).expect(404);
    // The email is free again.
    await create({ first_name: 'Back', email }).expect(200);
  });

  test('the avatar file goes too', async () => {
    const contact = (await create({ first_name: 'Avatar', email: `${unique('avatar')}@example.com` }).expect(200)).body.data;
    const updated = await t.http.put(`/api/v1/contacts/${contact.id}`).set('Authorization', admin).attach('files', PNG_1x1, { filename: 'me.png' }).expect(200);
    const uuid = (updated.body.data.avatar_url as string).split('/').pop()!;
    expect(existsSync(uploadsPath(uuid))).toBe(true);
    await t.http.delete(`/api/v1/contacts/${contact.id}`).set('Authorization', admin).expect(200);
    expect(existsSync(uploadsPath(uuid))).toBe(false);
    expect(await count(`SELECT count(*)::int AS n FROM media WHERE uuid = $1`, [uuid])).toBe(0);
  });

  test('a missing id or an agent id is a 404, and nothing is deleted', async () => {
    await t.http.delete('/api/v1/contacts/2147483000').set('Authorization', admin).expect(404);
    const agent = await createAgent(t);
    const res = await t.http.delete(`/api/v1/contacts/${agent.id}`).set('Authorization', admin).expect(404);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'NotFoundException' });
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [agent.id])).toBe(1);
  });
});

describe('permissions', () => {
  test('the Admin role holds contacts:delete and contacts:export; the Agent role does not', async () => {
    const rows: Array<{ name: string; permissions: string[] }> = await t.dataSource.query(
      `SELECT name, permissions FROM roles WHERE name IN ('Admin', 'Agent')`,
    );
    const admin = rows.find((r) => r.name === 'Admin')!;
    const agentRole = rows.find((r) => r.name === 'Agent')!;
    expect(admin.permissions).toEqual(expect.arrayContaining(['contacts:delete', 'contacts:export']));
    expect(agentRole.permissions).not.toContain('contacts:delete');
    expect(agentRole.permissions).not.toContain('contacts:export');
  });

  test('each route needs its own permission', async () => {
    const contact = (await create({ first_name: 'Guarded', email: `${unique('guard')}@example.com` }).expect(200)).body.data;
    const writer = await createAgent(t, { roles: [await createRole(t, ['contacts:write', 'contacts:read', 'contacts:export'])] });
    const deleter = await createAgent(t, { roles: [await createRole(t, ['contacts:delete'])] });
    const plain = t.token(await createAgent(t));

    await create({ first_name: 'No', email: `${unique('no')}@example.com` }, plain).expect(403);
    await create({ first_name: 'Yes', email: `${unique('yes')}@example.com` }, t.token(writer)).expect(200);
    await t.http.get(`/api/v1/contacts/${contact.id}/export`).set('Authorization', plain).expect(403);
    await t.http.get(`/api/v1/contacts/${contact.id}/export`).set('Authorization', t.token(deleter)).expect(403);
    await t.http.get(`/api/v1/contacts/${contact.id}/export`).set('Authorization', t.token(writer)).expect(200);
    await t.http.delete(`/api/v1/contacts/${contact.id}`).set('Authorization', plain).expect(403);
    await t.http.delete(`/api/v1/contacts/${contact.id}`).set('Authorization', t.token(writer)).expect(403);
    await t.http.delete(`/api/v1/contacts/${contact.id}`).set('Authorization', t.token(deleter)).expect(200);
    await t.http.post('/api/v1/contacts').send({ first_name: 'Anon', email: 'anon@example.com' }).expect(401);
  });
});

describe('DELETE /api/v1/contacts/{id} on the S3 store', () => {
  let s3t: TestApp;
  let s3: InstanceType<typeof S3rver>;
  let dir: string;
  let client: S3Client;
  const keys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: 'contacts-test' }))).Contents ?? []).map((o) => o.Key);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3rver-'));
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'contacts-test', configs: [] }] });
    const { port } = await s3.run();
    const endpoint = `http://127.0.0.1:${port}`;
    client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    s3t = await startConversationsApp({
      MEDIA_STORE: 's3',
      S3_BUCKET: 'contacts-test',
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    });
  });
  afterAll(async () => {
    await s3t?.close();
    client?.destroy();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the attachment objects are removed after commit', async () => {
    const auth = s3t.token(s3t.admin);
    const up = await s3t.http.post('/api/v1/media').set('Authorization', auth).attach('files', PNG_1x1, { filename: 's3.png' }).expect(200);
    const c = await createConversation(s3t, { contact_email: `${unique('s3')}@example.com`, attachments: [up.body.data.id] });
    expect(await keys()).toContain(up.body.data.uuid);
    await s3t.http.delete(`/api/v1/contacts/${c.contact_id}`).set('Authorization', auth).expect(200);
    expect(await keys()).not.toContain(up.body.data.uuid);
    expect(await s3t.dataSource.query(`SELECT id FROM media WHERE uuid = $1`, [up.body.data.uuid])).toEqual([]);
  });
});
