import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, inboxId, startConversationsApp, unique } from './conversations.fixtures.js';

interface FeedEvent {
  id: number;
  type: string;
  payload: Record<string, any>;
}

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const defs = (as: string) => ({
  list: (q = '') => t.http.get(`/api/v1/custom-attributes${q}`).set('Authorization', as),
  get: (id: number | string) => t.http.get(`/api/v1/custom-attributes/${id}`).set('Authorization', as),
  create: (body: object) => t.http.post('/api/v1/custom-attributes').set('Authorization', as).send(body),
  update: (id: number | string, body: object) => t.http.put(`/api/v1/custom-attributes/${id}`).set('Authorization', as).send(body),
  remove: (id: number | string) => t.http.delete(`/api/v1/custom-attributes/${id}`).set('Authorization', as),
});
const setConversation = (uuid: string, body: unknown, as = admin) =>
  t.http
    .put(`/api/v1/conversations/${uuid}/custom-attributes`)
    .set('Authorization', as)
    .send(body as object);
const setContact = (uuid: string, body: unknown, as = admin) =>
  t.http
    .put(`/api/v1/conversations/${uuid}/contacts/custom-attributes`)
    .set('Authorization', as)
    .send(body as object);
const conversation = async (uuid: string) => (await t.http.get(`/api/v1/conversations/${uuid}`).set('Authorization', admin).expect(200)).body.data;

/** A definition with a fresh key; returns the key. */
async function define(body: Record<string, unknown>): Promise<string> {
  const key = (body.key as string | undefined) ?? unique('k').toLowerCase().replace(/-/g, '_');
  await defs(admin)
    .create({ name: `Attr ${key}`, applies_to: 'conversation', data_type: 'text', ...body, key })
    .expect(200);
  return key;
}

async function feed(after?: string) {
  const res = await t.http
    .get('/api/v1/events')
    .query({ limit: 500, ...(after ? { after } : {}) })
    .set('Authorization', admin)
    .expect(200);
  return res.body.data as { events: FeedEvent[]; next: string };
}
async function eventsOf(action: () => Promise<unknown>): Promise<FeedEvent[]> {
  let page = await feed();
  while (page.events.length) page = await feed(page.next);
  const start = page.next;
  await action();
  const out: FeedEvent[] = [];
  for (let p = await feed(start); p.events.length; p = await feed(p.next)) out.push(...p.events);
  return out;
}

describe('definitions', () => {
  test('create, get, list (filtered, newest change first), update, delete', async () => {
    const created = await defs(admin)
      .create({
        name: ' Plan ',
        description: 'Subscription plan',
        applies_to: 'contact',
        key: 'plan_tier',
        data_type: 'list',
        values: ['gold', 'silver', 'gold'],
      })
      .expect(200);
    const plan = created.body.data;
    expect(plan).toEqual({
      id: expect.any(Number),
      created_at: expect.any(String),
      updated_at: expect.any(String),
      name: 'Plan',
      description: 'Subscription plan',
      applies_to: 'contact',
      key: 'plan_tier',
      data_type: 'list',
      values: ['gold', 'silver'],
      regex: '',
      regex_hint: '',
    });
    expect((await defs(admin).get(plan.id).expect(200)).body.data).toEqual(plan);
    const sameKeyOtherModel = (await defs(admin).create({ name: 'Plan', applies_to: 'conversation', key: 'plan_tier', data_type: 'text' }).expect(200)).body
      .data;

    const contactOnly = (await defs(admin).list('?applies_to=contact').expect(200)).body.data as Array<{ id: number; applies_to: string }>;
    expect(contactOnly.map((d) => d.id)).toContain(plan.id);
    expect(contactOnly.every((d) => d.applies_to === 'contact')).toBe(true);
    const all = (await defs(admin).list().expect(200)).body.data as Array<{ id: number }>;
    expect(all.map((d) => d.id).slice(0, 2)).toEqual([sameKeyOtherModel.id, plan.id]);

    // Upstream's client sends the whole object back: unchanged immutable fields are accepted.
    const updated = await defs(admin)
      .update(plan.id, { name: 'Plan tier', applies_to: 'contact', key: 'plan_tier', data_type: 'list', values: ['gold', 'bronze'] })
      .expect(200);
    expect(updated.body.data).toMatchObject({ id: plan.id, name: 'Plan tier', description: 'Subscription plan', values: ['gold', 'bronze'] });
    expect(Date.parse(updated.body.data.updated_at)).toBeGreaterThanOrEqual(Date.parse(plan.updated_at));
    expect((await defs(admin).list().expect(200)).body.data[0].id).toBe(plan.id);

    expect((await defs(admin).remove(plan.id).expect(200)).body.data).toBe(true);
    await defs(admin).get(plan.id).expect(404);
    await defs(admin).remove(plan.id).expect(404);
    await defs(admin).update(plan.id, { name: 'x' }).expect(404);
    await defs(admin).get('abc').expect(400);
    await defs(admin).list('?applies_to=agent').expect(400);
  });

  test('a key is unique per applies_to (409)', async () => {
    const key = await define({ applies_to: 'contact' });
    const res = await defs(admin).create({ name: 'Again', applies_to: 'contact', key, data_type: 'number' }).expect(409);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'ConflictException', message: 'Custom attribute already exists' });
  });

  test.each([
    [{ name: '' }, 'name'],
    [{ applies_to: 'user' }, 'applies_to'],
    [{ data_type: 'color' }, 'data_type'],
    [{ key: 'ab' }, 'key'],
    [{ key: 'Has_Upper' }, 'key'],
    [{ key: 'with-dash' }, 'key'],
    [{ key: 'x'.repeat(141) }, 'key'],
    [{ key: 'subject' }, 'key'],
    [{ key: 'contact_email' }, 'key'],
    [{ data_type: 'list' }, 'values'],
    [{ data_type: 'list', values: [] }, 'values'],
    [{ data_type: 'list', values: ['ok', ''] }, 'values'],
    [{ data_type: 'number', values: ['1'] }, 'values'],
    [{ regex: '([a-z' }, 'regex'],
    [{ regex: '(?=lookahead)' }, 'regex'],
    [{ data_type: 'number', regex: '^\\d+$' }, 'regex'],
    [{ description: 'd'.repeat(301) }, 'description'],
    [{ values: 'gold' }, 'values'],
  ])('create %j is 400 naming %s', async (change, field) => {
    const body = { name: 'Attr', applies_to: 'conversation', key: unique('bad').toLowerCase().replace(/-/g, '_'), data_type: 'text', ...change };
    const res = await defs(admin).create(body).expect(400);
    expect(res.body.error_type).toBe('InputException');
    expect(Object.keys(res.body.data.fields)).toContain(field);
  });

  test('reserved keys get upstream message; key, applies_to and data_type are immutable', async () => {
    const reserved = await defs(admin).create({ name: 'S', applies_to: 'conversation', key: 'status', data_type: 'text' }).expect(400);
    expect(reserved.body.message).toMatch(/conflicts with default attributes/);

    const key = await define({ data_type: 'text', regex: '^[A-Z]{2}-\\d+$', regex_hint: 'AB-123' });
    const id = (await defs(admin).list().expect(200)).body.data.find((d: { key: string }) => d.key === key).id;
    for (const change of [{ key: `${key}_x` }, { applies_to: 'contact' }, { data_type: 'number' }]) {
      const res = await defs(admin).update(id, change).expect(400);
      expect(Object.keys(res.body.data.fields)).toEqual(Object.keys(change));
    }
    await defs(admin).update(id, { regex: '(' }).expect(400);
    await defs(admin)
      .update(id, { values: ['a'] })
      .expect(400);
    await defs(admin).update(id, { name: null }).expect(400);
    const after = (await defs(admin).get(id).expect(200)).body.data;
    expect(after).toMatchObject({ key, applies_to: 'conversation', data_type: 'text', regex: '^[A-Z]{2}-\\d+$' });
    expect((await defs(admin).update(id, { regex: '' }).expect(200)).body.data.regex).toBe('');
  });

  test('permissions: any agent lists; get, create, update and delete need custom_attributes:manage', async () => {
    const agent = t.token(await createAgent(t));
    await defs(agent).list().expect(200);
    const key = await define({});
    const id = (await defs(admin).list().expect(200)).body.data.find((d: { key: string }) => d.key === key).id;
    for (const res of [
      defs(agent).get(id),
      defs(agent).create({ name: 'x', applies_to: 'contact', key: 'nope_key', data_type: 'text' }),
      defs(agent).update(id, { name: 'x' }),
      defs(agent).remove(id),
    ]) {
      expect((await res.expect(403)).body.error_type).toBe('PermissionException');
    }
    const manager = t.token(await createAgent(t, { roles: [await createRole(t, ['custom_attributes:manage'])] }));
    await defs(manager).get(id).expect(200);
    await defs(manager).update(id, { name: 'Renamed' }).expect(200);
    await defs(manager).remove(id).expect(200);
    await t.http.get('/api/v1/custom-attributes').expect(401);
  });
});

describe('conversation values', () => {
  let keys: Record<string, string>;
  beforeAll(async () => {
    keys = {
      text: await define({ data_type: 'text', regex: '^[A-Z]{2}-\\d+$', regex_hint: 'two capitals, a dash, digits' }),
      free: await define({ data_type: 'text' }),
      number: await define({ data_type: 'number' }),
      checkbox: await define({ data_type: 'checkbox' }),
      date: await define({ data_type: 'date' }),
      link: await define({ data_type: 'link' }),
      list: await define({ data_type: 'list', values: ['low', 'high'] }),
    };
  });

  test('PUT replaces the whole object, shows in the conversation, and records conversation.updated once', async () => {
    const c = await createConversation(t);
    const first = {
      [keys.text]: 'AB-123',
      [keys.number]: 4.5,
      [keys.checkbox]: false,
      [keys.date]: '2025-09-14',
      [keys.link]: 'https://crm.example.com/a?b=1',
      [keys.list]: 'high',
    };
    const events = await eventsOf(async () => expect((await setConversation(c.uuid, first).expect(200)).body).toEqual({ status: 'success', data: true }));
    expect(events.map((e) => e.type)).toEqual(['conversation.updated']);
    expect(events[0].payload).toEqual({ conversation_uuid: c.uuid, changed: ['custom_attributes'], custom_attributes: first, previous_custom_attributes: {} });
    expect((await conversation(c.uuid)).custom_attributes).toEqual(first);

    const second = { [keys.free]: 'anything', [keys.date]: '2025-09-14T18:53:01.172Z', [keys.number]: null };
    const replaced = await eventsOf(() => setConversation(c.uuid, second).expect(200));
    expect(replaced.map((e) => e.type)).toEqual(['conversation.updated']);
    const stored = { [keys.free]: 'anything', [keys.date]: '2025-09-14T18:53:01.172Z' };
    expect(replaced[0].payload).toMatchObject({ custom_attributes: stored, previous_custom_attributes: first });
    expect((await conversation(c.uuid)).custom_attributes).toEqual(stored);

    // The same values again change nothing and record nothing.
    expect(await eventsOf(() => setConversation(c.uuid, { [keys.date]: '2025-09-14T18:53:01.172Z', [keys.free]: 'anything' }).expect(200))).toEqual([]);
    await setConversation(c.uuid, {}).expect(200);
    expect((await conversation(c.uuid)).custom_attributes).toEqual({});
  });

  test.each([
    ['unknown key', () => ({ not_defined_key: 'x' }), 'not_defined_key', /not a defined conversation attribute/],
    ['text not matching the pattern', () => ({ [keys.text]: 'ab-123' }), 'text', /two capitals/],
    ['text not a string', () => ({ [keys.free]: 12 }), 'free', /string/],
    ['number as a string', () => ({ [keys.number]: '12' }), 'number', /finite number/],
    ['number overflowing to Infinity', () => `{"${keys.number}": 1e400}`, 'number', /finite number/],
    ['checkbox as a string', () => ({ [keys.checkbox]: 'true' }), 'checkbox', /true or false/],
    ['date not ISO 8601', () => ({ [keys.date]: '14/09/2025' }), 'date', /ISO 8601/],
    ['impossible date', () => ({ [keys.date]: '2025-02-30' }), 'date', /ISO 8601/],
    ['link without http(s)', () => ({ [keys.link]: 'javascript:alert(1)' }), 'link', /http/],
    ['link not a URL', () => ({ [keys.link]: 'not a url' }), 'link', /http/],
    ['list value outside its values', () => ({ [keys.list]: 'medium' }), 'list', /low, high/],
    ['list value not a string', () => ({ [keys.list]: ['low'] }), 'list', /low, high/],
  ])('%s is 400 naming the key, and nothing is written', async (_name, body, which, message) => {
    const c = await createConversation(t);
    await setConversation(c.uuid, { [keys.free]: 'kept' }).expect(200);
    const payload = body();
    const req = t.http.put(`/api/v1/conversations/${c.uuid}/custom-attributes`).set('Authorization', admin);
    const res =
      typeof payload === 'string' ? await req.set('Content-Type', 'application/json').send(payload) : await req.send({ [keys.free]: 'new', ...payload });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const key = keys[which] ?? which;
    expect(res.body.error_type).toBe('InputException');
    expect(res.body.data.fields[key]).toMatch(message);
    expect(res.body.message).toContain(key);
    expect((await conversation(c.uuid)).custom_attributes).toEqual({ [keys.free]: 'kept' });
  });

  test('a body that is not an object is 400', async () => {
    const c = await createConversation(t);
    for (const body of ['[1]', '"x"', 'null', '{bad json']) {
      const res = await t.http
        .put(`/api/v1/conversations/${c.uuid}/custom-attributes`)
        .set('Authorization', admin)
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status, body).toBe(400);
    }
  });

  test('a contact attribute is not a conversation attribute', async () => {
    const contactKey = await define({ applies_to: 'contact', data_type: 'text' });
    const c = await createConversation(t);
    const res = await setConversation(c.uuid, { [contactKey]: 'x' }).expect(400);
    expect(res.body.data.fields[contactKey]).toMatch(/not a defined conversation attribute/);
  });
});

describe('contact values', () => {
  test('PUT merges; null removes a key; records contact.updated; shown on the contact and the conversation', async () => {
    const vip = await define({ applies_to: 'contact', data_type: 'checkbox' });
    const tier = await define({ applies_to: 'contact', data_type: 'list', values: ['gold', 'silver'] });
    const c = await createConversation(t);
    const contactId = c.contact.id ?? c.contact_id;

    const events = await eventsOf(() => setContact(c.uuid, { [vip]: true, [tier]: 'gold' }).expect(200));
    expect(events.map((e) => e.type)).toEqual(['contact.updated']);
    expect(events[0].payload.contact).toMatchObject({ id: contactId, custom_attributes: { [vip]: true, [tier]: 'gold' } });

    await setContact(c.uuid, { [tier]: 'silver' }).expect(200);
    const contact = await t.http.get(`/api/v1/contacts/${contactId}`).set('Authorization', admin).expect(200);
    expect(contact.body.data.custom_attributes).toEqual({ [vip]: true, [tier]: 'silver' });

    // A stored value whose definition is gone can still be removed; null needs no definition.
    await t.dataSource.query(`UPDATE users SET custom_attributes = custom_attributes || '{"legacy_key": 1}' WHERE id = $1`, [contactId]);
    const removed = await eventsOf(() => setContact(c.uuid, { [vip]: null, legacy_key: null }).expect(200));
    expect(removed.map((e) => e.type)).toEqual(['contact.updated']);
    expect((await conversation(c.uuid)).contact.custom_attributes).toEqual({ [tier]: 'silver' });

    // Nothing changes: nothing recorded.
    expect(await eventsOf(() => setContact(c.uuid, { [tier]: 'silver', [vip]: null }).expect(200))).toEqual([]);

    const bad = await setContact(c.uuid, { [tier]: 'bronze', [vip]: 'yes' }).expect(400);
    expect(Object.keys(bad.body.data.fields).sort()).toEqual([tier, vip].sort());
    const unknown = await setContact(c.uuid, { nope_key: 1 }).expect(400);
    expect(unknown.body.data.fields.nope_key).toMatch(/not a defined contact attribute/);
    expect((await conversation(c.uuid)).contact.custom_attributes).toEqual({ [tier]: 'silver' });
  });
});

describe('access to the conversation', () => {
  test('an agent without access gets 403, an unknown uuid 404, a bad uuid 400; an agent with access may write', async () => {
    const key = await define({ data_type: 'number' });
    const contactKey = await define({ applies_to: 'contact', data_type: 'number' });
    const team = await createTeam(t);
    const otherTeam = await createTeam(t);
    // The seeded Agent role reads everything; this one reads only its teams' unassigned conversations.
    const role = await createRole(t, ['conversations:read', 'conversations:read_assigned', 'conversations:read_team_inbox']);
    const member = await createAgent(t, { roles: [role], teams: [team.id] });
    const outsider = await createAgent(t, { roles: [role], teams: [otherTeam.id] });
    const c = await createConversation(t, { team_id: team.id });

    for (const put of [setConversation, setContact]) {
      const body = put === setConversation ? { [key]: 1 } : { [contactKey]: 1 };
      const denied = await put(c.uuid, body, t.token(outsider)).expect(403);
      expect(denied.body).toMatchObject({ error_type: 'PermissionException', message: 'Permission denied' });
      expect((await put(randomUUID(), body, t.token(member)).expect(404)).body.message).toBe('Conversation not found');
      await put('not-a-uuid', body).expect(400);
      await put(c.uuid, body, t.token(member)).expect(200);
    }
    const after = await conversation(c.uuid);
    expect(after.custom_attributes).toEqual({ [key]: 1 });
    expect(after.contact.custom_attributes).toEqual({ [contactKey]: 1 });
  });
});

describe('POST /conversations', () => {
  const create = async (customAttributes: unknown) =>
    t.http
      .post('/api/v1/conversations')
      .set('Authorization', admin)
      .send({
        inbox_id: await inboxId(t),
        contact_email: `${unique('ca')}@example.com`,
        first_name: 'Cy',
        last_name: 'Attr',
        subject: 'With attributes',
        content: 'Hello',
        initiator: 'contact',
        custom_attributes: customAttributes,
      });

  test('keeps defined keys, drops undefined ones silently (as upstream), and refuses a wrong value', async () => {
    const score = await define({ data_type: 'number' });
    const contactKey = await define({ applies_to: 'contact', data_type: 'number' });
    const events = await eventsOf(async () => {
      const res = await create({ [score]: 3, undefined_key: 'dropped', [contactKey]: 1 });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.custom_attributes).toEqual({ [score]: 3 });
    });
    expect(events.find((e) => e.type === 'conversation.created')!.payload.conversation.custom_attributes).toEqual({ [score]: 3 });

    const bad = await create({ [score]: 'three' });
    expect(bad.status).toBe(400);
    expect(bad.body.data.fields[score]).toMatch(/finite number/);
    expect((await create(['x'])).status).toBe(400);
    expect((await create(null)).status).toBe(400);
  });
});
