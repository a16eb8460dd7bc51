import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { ContactsService } from '../../src/modules/contacts/contacts.service.js';
import { loadContract } from '../../src/shared/openapi/contract.js';
import { createAgent, createRole, type CreatedAgent } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv) => Ajv;
const contract = loadContract();
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ components: contract.components }, 'contract');

/** Every property of the contract schema is present, and the value validates against it. */
function expectSchema(value: unknown, name: string): void {
  const validate = ajv.compile({ $ref: `contract#/components/schemas/${name}` });
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  const properties = Object.keys((contract.components.schemas![name] as { properties: object }).properties);
  expect(Object.keys(value as object).sort()).toEqual(properties.sort());
}

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let t: TestApp;
let admin: string;
let plainAgent: CreatedAgent;
let noteTaker: CreatedAgent;
let otherNoteTaker: CreatedAgent;
let counter = 0;

async function newContact(email = `contact${++counter}-${Date.now()}@example.com`, first = 'Carol', last = 'Contact'): Promise<number> {
  const { id } = await t.dataSource.transaction((m) => t.app.get(ContactsService).findOrCreateByEmail(m, { email, firstName: first, lastName: last }));
  return id;
}

beforeAll(async () => {
  t = await startTestApp();
  admin = t.token(t.admin);
  plainAgent = await createAgent(t);
  await createRole(t, 'Note takers', ['contact_notes:read', 'contact_notes:write', 'contact_notes:delete', 'contacts:read']);
  noteTaker = await createAgent(t, { roles: ['Note takers'], first_name: 'Nora', last_name: 'Notes' });
  otherNoteTaker = await createAgent(t, { roles: ['Note takers'] });
});
afterAll(async () => t?.close());

describe('ContactsService.findOrCreateByEmail', () => {
  test('creates once, then reuses the contact unchanged, whatever the case of the email', async () => {
    const service = t.app.get(ContactsService);
    const first = await t.dataSource.transaction((m) =>
      service.findOrCreateByEmail(m, { email: '  Mixed.Case@Example.COM ', firstName: 'Mia', lastName: 'Case' }),
    );
    expect(first.created).toBe(true);
    const again = await t.dataSource.transaction((m) =>
      service.findOrCreateByEmail(m, { email: 'mixed.case@example.com', firstName: 'Other', lastName: 'Name' }),
    );
    expect(again).toEqual({ id: first.id, created: false });
    const [row] = await t.dataSource.query(`SELECT type, email, first_name, last_name FROM users WHERE id = $1`, [first.id]);
    expect(row).toEqual({ type: 'contact', email: 'mixed.case@example.com', first_name: 'Mia', last_name: 'Case' });
  });

  test('parallel calls for one new email give one contact', async () => {
    const service = t.app.get(ContactsService);
    const email = `race-${Date.now()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.dataSource.transaction((m) => service.findOrCreateByEmail(m, { email, firstName: 'R', lastName: '' }))),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = $1`, [email]);
    expect(n).toBe(1);
  });

  test('reuses a visitor, skips deleted contacts and agents, names a nameless contact after the email', async () => {
    const service = t.app.get(ContactsService);
    const [{ id: visitor }] = await t.dataSource.query(
      `INSERT INTO users (type, email, first_name) VALUES ('visitor', 'visitor@example.com', 'V') RETURNING id`,
    );
    expect(await service.findOrCreateByEmail(t.dataSource.manager, { email: 'visitor@example.com', firstName: 'X', lastName: '' })).toEqual({
      id: visitor,
      created: false,
    });

    const [{ id: gone }] = await t.dataSource.query(
      `INSERT INTO users (type, email, first_name, deleted_at) VALUES ('contact', 'gone@example.com', 'G', now()) RETURNING id`,
    );
    const fresh = await service.findOrCreateByEmail(t.dataSource.manager, { email: 'gone@example.com', firstName: '', lastName: '' });
    expect(fresh.created).toBe(true);
    expect(fresh.id).not.toBe(gone);
    const [row] = await t.dataSource.query(`SELECT first_name FROM users WHERE id = $1`, [fresh.id]);
    expect(row.first_name).toBe('gone');

    const agentEmail = plainAgent.email;
    const asContact = await service.findOrCreateByEmail(t.dataSource.manager, { email: agentEmail, firstName: 'A', lastName: '' });
    expect(asContact.created).toBe(true);
    expect(asContact.id).not.toBe(plainAgent.id);

    await expect(service.findOrCreateByEmail(t.dataSource.manager, { email: '  ', firstName: 'A', lastName: '' })).rejects.toMatchObject({ status: 400 });
  });

  test('joins the caller transaction: a rollback leaves no contact', async () => {
    const service = t.app.get(ContactsService);
    const email = `rollback-${Date.now()}@example.com`;
    await expect(
      t.dataSource.transaction(async (m) => {
        await service.findOrCreateByEmail(m, { email, firstName: 'R', lastName: '' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await t.dataSource.query(`SELECT id FROM users WHERE email = $1`, [email]);
    expect(rows).toEqual([]);
  });
});

describe('GET /api/v1/contacts', () => {
  test('pages newest first, contacts only, with the contract shapes', async () => {
    const ids = [await newContact(), await newContact(), await newContact()];
    await t.dataSource.query(`UPDATE users SET created_at = now() + interval '1 hour' WHERE id = ANY($1::int[])`, [ids]);
    const res = await t.http.get('/api/v1/contacts?page=1&page_size=2').set('Authorization', admin);
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(Object.keys(data).sort()).toEqual(['page', 'per_page', 'results', 'total', 'total_pages']);
    expect(data.per_page).toBe(2);
    expect(data.page).toBe(1);
    expect(data.total_pages).toBe(Math.ceil(data.total / 2));
    expect(data.results).toHaveLength(2);
    for (const item of data.results) expectSchema(item, 'ContactList');
    expect(data.results.map((r: { id: number }) => r.id)).toEqual([ids[2], ids[1]]);
    const second = await t.http.get('/api/v1/contacts?page=2&page_size=2').set('Authorization', admin);
    expect(second.body.data.results[0].id).toBe(ids[0]);

    const all = await t.http.get('/api/v1/contacts?page_size=1000').set('Authorization', admin);
    expect(all.body.data.per_page).toBe(100);
    const types = new Set(all.body.data.results.map((r: { type: string }) => r.type));
    expect([...types]).toEqual(['contact']);
    expect(all.body.data.results.some((r: { id: number }) => r.id === t.admin.id)).toBe(false);
    const deleted: Array<{ id: number }> = await t.dataSource.query(`SELECT id FROM users WHERE deleted_at IS NOT NULL OR type <> 'contact'`);
    const listed = new Set(all.body.data.results.map((r: { id: number }) => r.id));
    expect(deleted.filter((d) => listed.has(d.id))).toEqual([]);
    expect(all.body.data.total).toBe(all.body.data.results.length);
  });

  test('bad paging is 400; permission is contacts:read_all', async () => {
    expect((await t.http.get('/api/v1/contacts?page=0').set('Authorization', admin)).status).toBe(400);
    expect((await t.http.get('/api/v1/contacts?page_size=abc').set('Authorization', admin)).status).toBe(400);
    expect((await t.http.get('/api/v1/contacts')).status).toBe(401);
    const denied = await t.http.get('/api/v1/contacts').set('Authorization', t.token(plainAgent));
    expect(denied.status).toBe(403);
    expect(denied.body.error_type).toBe('PermissionException');
  });
});

describe('GET /api/v1/contacts/{id}', () => {
  test('a contact in the Contact shape; agents and unknown ids are 404', async () => {
    const id = await newContact('shape@example.com', 'Sha', 'Pe');
    const res = await t.http.get(`/api/v1/contacts/${id}`).set('Authorization', admin);
    expect(res.status).toBe(200);
    expectSchema(res.body.data, 'Contact');
    expect(res.body.data).toMatchObject({
      id,
      type: 'contact',
      email: 'shape@example.com',
      first_name: 'Sha',
      last_name: 'Pe',
      enabled: true,
      roles: null,
      permissions: null,
      teams: [],
      api_key: null,
      avatar_url: null,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|api_secret/);

    expect((await t.http.get(`/api/v1/contacts/${t.admin.id}`).set('Authorization', admin)).status).toBe(404);
    const missing = await t.http.get('/api/v1/contacts/999999').set('Authorization', admin);
    expect(missing.status).toBe(404);
    expect(missing.body.error_type).toBe('NotFoundException');
    expect((await t.http.get('/api/v1/contacts/abc').set('Authorization', admin)).status).toBe(400);
    expect((await t.http.get(`/api/v1/contacts/${id}`).set('Authorization', t.token(plainAgent))).status).toBe(403);
  });
});

describe('PUT /api/v1/contacts/{id}', () => {
  const put = (id: number) => t.http.put(`/api/v1/contacts/${id}`).set('Authorization', admin);

  test('multipart fields update only what is sent', async () => {
    const id = await newContact('before@example.com', 'Before', 'Name');
    const res = await put(id)
      .field('first_name', ' After ')
      .field('email', 'After@Example.com')
      .field('phone_number', '+1 555 0100')
      .field('phone_number_country_code', 'US');
    expect(res.status).toBe(200);
    expectSchema(res.body.data, 'Contact');
    expect(res.body.data).toMatchObject({
      first_name: 'After',
      last_name: 'Name',
      email: 'after@example.com',
      phone_number: '+1 555 0100',
      phone_number_country_code: 'US',
      enabled: true,
    });

    const partial = await put(id).field('last_name', 'Only');
    expect(partial.body.data).toMatchObject({ first_name: 'After', last_name: 'Only', email: 'after@example.com', phone_number: '+1 555 0100' });

    const cleared = await put(id).field('phone_number', 'null').field('phone_number_country_code', '').field('enabled', 'false');
    expect(cleared.body.data).toMatchObject({ phone_number: null, phone_number_country_code: null, enabled: false });

    const json = await put(id).send({ first_name: 'Jason', enabled: true });
    expect(json.status).toBe(200);
    expect(json.body.data).toMatchObject({ first_name: 'Jason', last_name: 'Only', enabled: true });
  });

  test('bad input is 400, a taken email 409, and nothing changes', async () => {
    const id = await newContact('valid@example.com', 'Val', 'Id');
    await newContact('taken@example.com');
    const cases: Array<[Record<string, string>, string]> = [
      [{ email: 'not-an-email' }, 'email'],
      [{ email: '' }, 'email'],
      [{ first_name: '   ' }, 'first_name'],
      [{ first_name: 'x'.repeat(141) }, 'first_name'],
      [{ enabled: 'maybe' }, 'enabled'],
      [{ phone_number: 'call me' }, 'phone_number'],
      [{ avatar_url: 'javascript:alert(1)' }, 'avatar_url'],
    ];
    for (const [fields, field] of cases) {
      let req = put(id);
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      const res = await req;
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body.data.fields).toHaveProperty(field);
    }
    expect((await put(id).send({ first_name: null })).status).toBe(400);
    expect((await put(id).send({ enabled: 'yes' })).status).toBe(400);

    const dup = await put(id).field('email', 'TAKEN@example.com').field('first_name', 'Changed');
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ status: 'error', error_type: 'ConflictException', message: 'Another contact with same email already exists' });
    const after = await t.http.get(`/api/v1/contacts/${id}`).set('Authorization', admin);
    expect(after.body.data).toMatchObject({ email: 'valid@example.com', first_name: 'Val' });

    expect((await put(id).field('email', 'valid@example.com')).status).toBe(200);
    expect((await put(t.admin.id).field('first_name', 'X')).status).toBe(404);
    expect((await put(999999).field('first_name', 'X')).status).toBe(404);
    expect((await t.http.put(`/api/v1/contacts/${id}`).set('Authorization', t.token(plainAgent)).field('first_name', 'X')).status).toBe(403);
    expect((await t.http.put(`/api/v1/contacts/${id}`).field('first_name', 'X')).status).toBe(401);
  });

  test('an avatar file is stored as media and replaced or removed cleanly', async () => {
    const id = await newContact('avatar@example.com');
    const first = await put(id).attach('files', PNG_1x1, { filename: 'me.png', contentType: 'image/png' });
    expect(first.status).toBe(200);
    const url1: string = first.body.data.avatar_url;
    expect(url1).toMatch(/^\/uploads\/[0-9a-f-]{36}$/);
    const uuid1 = url1.split('/').pop();
    const [media1] = await t.dataSource.query(`SELECT model_type, model_id, disposition FROM media WHERE uuid = $1`, [uuid1]);
    expect(media1).toEqual({ model_type: 'users', model_id: id, disposition: null });
    const served = await t.http.get(url1).set('Authorization', admin).responseType('blob');
    expect(served.status).toBe(200);
    expect(Buffer.compare(served.body as Buffer, PNG_1x1)).toBe(0);

    const second = await put(id).field('first_name', 'Pic').attach('files', PNG_1x1, { filename: 'new.jpg' });
    expect(second.status).toBe(200);
    expect(second.body.data.avatar_url).not.toBe(url1);
    expect(await t.dataSource.query(`SELECT id FROM media WHERE uuid = $1`, [uuid1])).toEqual([]);
    expect((await t.http.get(url1).set('Authorization', admin)).status).toBe(404);

    const kept = await put(id).field('avatar_url', second.body.data.avatar_url);
    expect(kept.body.data.avatar_url).toBe(second.body.data.avatar_url);

    const removed = await put(id).field('avatar_url', 'null');
    expect(removed.status).toBe(200);
    expect(removed.body.data.avatar_url).toBeNull();
    const uuid2 = second.body.data.avatar_url.split('/').pop();
    expect(await t.dataSource.query(`SELECT id FROM media WHERE uuid = $1`, [uuid2])).toEqual([]);

    const external = await put(id).send({ avatar_url: 'https://cdn.example.com/a.png' });
    expect(external.body.data.avatar_url).toBe('https://cdn.example.com/a.png');

    // Pointing at another contact's avatar and clearing it again leaves that avatar alone.
    const owner = await newContact('avatar-owner@example.com');
    const ownerUrl = (await put(owner).attach('files', PNG_1x1, { filename: 'o.png' })).body.data.avatar_url as string;
    expect((await put(id).field('avatar_url', ownerUrl)).body.data.avatar_url).toBe(ownerUrl);
    expect((await put(id).field('avatar_url', '')).body.data.avatar_url).toBeNull();
    expect(await t.dataSource.query(`SELECT model_id FROM media WHERE uuid = $1`, [ownerUrl.split('/').pop()])).toEqual([{ model_id: owner }]);
  });

  test('avatar files must be small gif/png/jpeg images; a failed update stores nothing', async () => {
    const id = await newContact('badavatar@example.com');
    const [{ n: before }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM media`);
    const txt = await put(id).attach('files', Buffer.from('hello'), { filename: 'a.txt' });
    expect(txt.status).toBe(400);
    expect(txt.body.message).toBe('File type is not an image');
    const fake = await put(id).attach('files', Buffer.from('<html>not an image</html>'), { filename: 'a.png', contentType: 'image/png' });
    expect(fake.status).toBe(400);
    const big = await put(id).attach('files', Buffer.concat([PNG_1x1, Buffer.alloc(2 * 1024 * 1024)]), { filename: 'big.png' });
    expect(big.status).toBe(400);
    expect(big.body.message).toBe('File size too large, please upload a file less than 2MB');
    await newContact('avatar-taken@example.com');
    const dup = await put(id).field('email', 'avatar-taken@example.com').attach('files', PNG_1x1, { filename: 'ok.png' });
    expect(dup.status).toBe(409);
    const [{ n: after }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM media`);
    expect(after).toBe(before);
  });
});

describe('PUT /api/v1/contacts/{id}/block', () => {
  test('blocks and unblocks', async () => {
    const id = await newContact();
    const blocked = await t.http.put(`/api/v1/contacts/${id}/block`).set('Authorization', admin).send({ enabled: false });
    expect(blocked.status).toBe(200);
    expectSchema(blocked.body.data, 'Contact');
    expect(blocked.body.data.enabled).toBe(false);
    const unblocked = await t.http.put(`/api/v1/contacts/${id}/block`).set('Authorization', admin).send({ enabled: true });
    expect(unblocked.body.data.enabled).toBe(true);
  });

  test('bad bodies are 400, unknown contacts 404, and it needs contacts:block', async () => {
    const id = await newContact();
    const block = () => t.http.put(`/api/v1/contacts/${id}/block`).set('Authorization', admin);
    expect((await block().send({})).status).toBe(400);
    expect((await block().send({ enabled: 'false' })).status).toBe(400);
    expect((await block().set('Content-Type', 'application/json').send('{"enabled":')).status).toBe(400);
    expect((await t.http.put(`/api/v1/contacts/999999/block`).set('Authorization', admin).send({ enabled: false })).status).toBe(404);
    expect((await t.http.put(`/api/v1/contacts/${t.admin.id}/block`).set('Authorization', admin).send({ enabled: false })).status).toBe(404);
    expect((await t.http.put(`/api/v1/contacts/${id}/block`).set('Authorization', t.token(plainAgent)).send({ enabled: false })).status).toBe(403);
  });
});

describe('contact notes', () => {
  const notesOf = (id: number, as: string) => t.http.get(`/api/v1/contacts/${id}/notes`).set('Authorization', as);
  const addNote = (id: number, as: string, note: unknown) => t.http.post(`/api/v1/contacts/${id}/notes`).set('Authorization', as).send({ note });

  test('create and list, newest first, with the author names', async () => {
    const id = await newContact();
    expect((await notesOf(id, admin)).body.data).toEqual([]);
    const first = await addNote(id, t.token(noteTaker), '  Prefers email  ');
    expect(first.status).toBe(200);
    expectSchema(first.body.data, 'ContactNote');
    expect(first.body.data).toMatchObject({
      contact_id: id,
      note: 'Prefers email',
      user_id: noteTaker.id,
      first_name: 'Nora',
      last_name: 'Notes',
      avatar_url: null,
    });
    const second = await addNote(id, admin, 'Second');
    expect(second.body.data).toMatchObject({ user_id: t.admin.id, first_name: 'Ada', last_name: 'Admin' });
    const list = await notesOf(id, t.token(noteTaker));
    expect(list.status).toBe(200);
    expect(list.body.data.map((n: { id: number }) => n.id)).toEqual([second.body.data.id, first.body.data.id]);
    for (const n of list.body.data) expectSchema(n, 'ContactNote');
  });

  test('bad notes and unknown contacts', async () => {
    const id = await newContact();
    expect((await addNote(id, admin, '   ')).status).toBe(400);
    expect((await addNote(id, admin, 42)).status).toBe(400);
    expect((await t.http.post(`/api/v1/contacts/${id}/notes`).set('Authorization', admin).send({})).status).toBe(400);
    expect((await addNote(999999, admin, 'x')).status).toBe(404);
    expect((await addNote(t.admin.id, admin, 'x')).status).toBe(404);
    expect((await notesOf(999999, admin)).status).toBe(404);
    expect((await notesOf(id, t.token(plainAgent))).status).toBe(403);
    expect((await addNote(id, t.token(plainAgent), 'x')).status).toBe(403);
  });

  test('non-admins delete only their own notes; admins delete any', async () => {
    const id = await newContact();
    const mine = (await addNote(id, t.token(noteTaker), 'mine')).body.data.id;
    const theirs = (await addNote(id, t.token(otherNoteTaker), 'theirs')).body.data.id;
    const extra = (await addNote(id, t.token(otherNoteTaker), 'extra')).body.data.id;
    const del = (noteId: number, as: string, contactId = id) => t.http.delete(`/api/v1/contacts/${contactId}/notes/${noteId}`).set('Authorization', as);

    const forbidden = await del(theirs, t.token(noteTaker));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ status: 'error', message: 'You can only delete your own note' });

    const own = await del(mine, t.token(noteTaker));
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ status: 'success', data: true });
    expect((await del(mine, t.token(noteTaker))).status).toBe(404);

    const other = await newContact();
    expect((await del(extra, admin, other)).status).toBe(404);
    expect((await del(theirs, admin)).status).toBe(200);
    expect((await del(999999, admin)).status).toBe(404);
    expect((await del(extra, t.token(plainAgent))).status).toBe(403);
    expect((await t.http.delete(`/api/v1/contacts/${id}/notes/abc`).set('Authorization', admin)).status).toBe(400);
    expect((await notesOf(id, admin)).body.data.map((n: { id: number }) => n.id)).toEqual([extra]);
  });
});
