import { TagsRoles1765500000000 } from '../../src/shared/database/migrations/1765500000000-TagsRoles.js';
import { Permission as P } from '../../src/shared/auth/permissions.js';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, startConversationsApp, unique } from './conversations.fixtures.js';

interface FeedEvent {
  id: number;
  type: string;
  payload: Record<string, any>;
}

let t: TestApp;
let admin: string;
let agent: string;
let manager: string;

beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
  agent = t.token(await createAgent(t));
  manager = t.token(await createAgent(t, { roles: [await createRole(t, [P.TagsManage])] }));
});
afterAll(async () => t?.close());

const as = (auth: string) => ({
  get: (path: string) => t.http.get(`/api/v1${path}`).set('Authorization', auth),
  post: (path: string, body: object = {}) => t.http.post(`/api/v1${path}`).set('Authorization', auth).send(body),
  put: (path: string, body: object = {}) => t.http.put(`/api/v1${path}`).set('Authorization', auth).send(body),
  delete: (path: string) => t.http.delete(`/api/v1${path}`).set('Authorization', auth),
});

async function createTag(name = unique('tag')): Promise<{ id: number; name: string; created_at: string; updated_at: string }> {
  const res = await as(manager).post('/tags', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function tagsOf(uuid: string): Promise<string[]> {
  return (await as(admin).get(`/conversations/${uuid}`).expect(200)).body.data.tags;
}

async function feed(after?: string) {
  const res = await as(admin)
    .get('/events')
    .query({ limit: 500, ...(after ? { after } : {}) })
    .expect(200);
  return res.body.data as { events: FeedEvent[]; next: string };
}

/** Runs `action` and returns the events it recorded. */
async function eventsOf(action: () => Promise<unknown>): Promise<FeedEvent[]> {
  let page = await feed();
  while (page.events.length) page = await feed(page.next);
  await action();
  const out: FeedEvent[] = [];
  for (page = await feed(page.next); page.events.length; page = await feed(page.next)) out.push(...page.events);
  return out;
}

describe('tags CRUD', () => {
  test('any agent lists tags by name in upstream shape; creating needs tags:manage', async () => {
    const b = await createTag(unique('zz-b'));
    const a = await createTag(unique('zz-a'));
    expect(Object.keys(a).sort()).toEqual(['created_at', 'id', 'name', 'updated_at']);
    const list = (await as(agent).get('/tags').expect(200)).body.data as Array<{ id: number; name: string }>;
    const names = list.map((x) => x.name);
    expect(names).toEqual([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(names.indexOf(a.name)).toBeLessThan(names.indexOf(b.name));

    const denied = await as(agent).post('/tags', { name: unique('nope') });
    expect(denied.status).toBe(403);
    expect(denied.body.error_type).toBe('PermissionException');
    expect((await as(agent).put(`/tags/${a.id}`, { name: unique('x') })).status).toBe(403);
    expect((await as(agent).delete(`/tags/${a.id}`)).status).toBe(403);
    expect((await t.http.get('/api/v1/tags')).status).toBe(401);
  });

  test('names are trimmed, 1 to 140 characters; anything else is a 400 naming the field', async () => {
    expect((await createTag(`  ${'x'.repeat(139)}y  `)).name).toBe(`${'x'.repeat(139)}y`);
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'y'.repeat(141) }, { name: 5 }, { name: null }, { name: ['a'] }]) {
      const res = await as(manager).post('/tags', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_type).toBe('InputException');
      expect(res.body.message).toMatch(/name/);
    }
    const tag = await createTag();
    expect((await as(manager).put(`/tags/${tag.id}`, { name: '' })).status).toBe(400);
    expect((await as(manager).put('/tags/abc', { name: 'ok' })).status).toBe(400);
    expect((await as(manager).put('/tags/0', { name: 'ok' })).status).toBe(400);
  });

  test('names are unique regardless of case: a duplicate create or rename is 409', async () => {
    const name = unique('Billing');
    const tag = await createTag(name);
    for (const dup of [name, name.toLowerCase(), name.toUpperCase()]) {
      const res = await as(manager).post('/tags', { name: dup });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 'error', message: 'Tag already exists', error_type: 'ConflictException' });
    }
    const other = await createTag();
    const rename = await as(manager).put(`/tags/${other.id}`, { name: name.toUpperCase() });
    expect(rename.status).toBe(409);
    expect(rename.body.error_type).toBe('ConflictException');
    // A tag may change the case of its own name.
    const recased = await as(manager).put(`/tags/${tag.id}`, { name: name.toUpperCase() }).expect(200);
    expect(recased.body.data).toMatchObject({ id: tag.id, name: name.toUpperCase() });
  });

  test('concurrent creators of one name: exactly one wins, the others get 409', async () => {
    const name = unique('race');
    const results = await Promise.all([name, name.toUpperCase(), name, name.toLowerCase()].map((n) => as(manager).post('/tags', { name: n })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const rows: unknown[] = await t.dataSource.query(`SELECT id FROM tags WHERE lower(name) = lower($1)`, [name]);
    expect(rows).toHaveLength(1);
  });

  test('missing tags are 404', async () => {
    expect((await as(manager).put('/tags/2147483000', { name: unique('x') })).status).toBe(404);
    const res = await as(manager).delete('/tags/2147483000');
    expect(res.status).toBe(404);
    expect(res.body.error_type).toBe('NotFoundException');
  });
});

describe('renaming and deleting record conversation.tags_changed', () => {
  test('a rename shows everywhere and records one event per tagged conversation', async () => {
    const team = await createTeam(t);
    const [c1, c2, untouched] = [await createConversation(t), await createConversation(t, { team_id: team.id }), await createConversation(t)];
    const [old, keep] = [unique('old'), unique('keep')];
    await as(admin)
      .post(`/conversations/${c1.uuid}/tags`, { tags: [old, keep] })
      .expect(200);
    await as(admin)
      .post(`/conversations/${c2.uuid}/tags`, { tags: [old] })
      .expect(200);
    await as(admin)
      .post(`/conversations/${untouched.uuid}/tags`, { tags: [keep] })
      .expect(200);
    const tag = ((await as(agent).get('/tags').expect(200)).body.data as Array<{ id: number; name: string }>).find((x) => x.name === old)!;

    const renamed = unique('new');
    let res: any;
    const events = await eventsOf(async () => (res = await as(manager).put(`/tags/${tag.id}`, { name: renamed })));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: tag.id, name: renamed });
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      ['conversation.tags_changed', { conversation_uuid: c1.uuid, added: [renamed], removed: [old], tags: [keep, renamed].sort() }],
      ['conversation.tags_changed', { conversation_uuid: c2.uuid, added: [renamed], removed: [old], tags: [renamed] }],
    ]);
    expect(await tagsOf(c1.uuid)).toEqual([keep, renamed].sort());
    expect(await tagsOf(untouched.uuid)).toEqual([keep]);

    // The same name again changes nothing.
    expect(await eventsOf(() => as(manager).put(`/tags/${tag.id}`, { name: renamed }).expect(200))).toEqual([]);
  });

  test('a delete removes the tag from every conversation, one event each; a failed rename records nothing', async () => {
    const [c1, c2] = [await createConversation(t), await createConversation(t)];
    const [gone, other] = [unique('gone'), unique('other')];
    await as(admin)
      .post(`/conversations/${c1.uuid}/tags`, { tags: [gone, other] })
      .expect(200);
    await as(admin)
      .post(`/conversations/${c2.uuid}/tags`, { tags: [gone] })
      .expect(200);
    const all = (await as(agent).get('/tags').expect(200)).body.data as Array<{ id: number; name: string }>;
    const tag = all.find((x) => x.name === gone)!;

    const clash = await eventsOf(async () => expect((await as(manager).put(`/tags/${tag.id}`, { name: other.toUpperCase() })).status).toBe(409));
    expect(clash).toEqual([]);

    let res: any;
    const events = await eventsOf(async () => (res = await as(manager).delete(`/tags/${tag.id}`)));
    expect(res.status).toBe(200);
    expect(res.body.data).toBe(true);
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      ['conversation.tags_changed', { conversation_uuid: c1.uuid, added: [], removed: [gone], tags: [other] }],
      ['conversation.tags_changed', { conversation_uuid: c2.uuid, added: [], removed: [gone], tags: [] }],
    ]);
    expect(await tagsOf(c1.uuid)).toEqual([other]);
    expect(await tagsOf(c2.uuid)).toEqual([]);
    expect((await as(manager).delete(`/tags/${tag.id}`)).status).toBe(404);

    // An unused tag is deleted without events.
    const unused = await createTag();
    expect(await eventsOf(() => as(manager).delete(`/tags/${unused.id}`).expect(200))).toEqual([]);
  });
});

describe('POST /conversations/{uuid}/tags', () => {
  test('add_tags, remove_tags and set_tags (the default) match existing tags regardless of case', async () => {
    const c = await createConversation(t);
    const [a, b] = [unique('Alpha'), unique('Beta')];
    await createTag(a);
    const post = (body: object) => as(admin).post(`/conversations/${c.uuid}/tags`, body).expect(200);
    await post({ tags: [a.toLowerCase(), b] });
    expect(await tagsOf(c.uuid)).toEqual([a, b].sort());
    // Same names in another case: nothing changes, nothing is recorded, no tag id is used up.
    const lastId = async () => String((await t.dataSource.query(`SELECT last_value FROM tags_id_seq`))[0].last_value);
    const before = await lastId();
    expect(await eventsOf(() => post({ tags: [a.toUpperCase(), b.toLowerCase()] }))).toEqual([]);
    expect(await lastId()).toBe(before);
    await post({ tags: [b.toUpperCase()], action: 'remove_tags' });
    expect(await tagsOf(c.uuid)).toEqual([a]);
    await post({ tags: [b.toLowerCase(), a], action: 'add_tags' });
    expect(await tagsOf(c.uuid)).toEqual([a, b].sort());
    const rows: unknown[] = await t.dataSource.query(`SELECT id FROM tags WHERE lower(name) = lower($1)`, [b]);
    expect(rows).toHaveLength(1);
  });

  test('an unknown action is a 400 and changes nothing', async () => {
    const c = await createConversation(t);
    const res = await as(admin).post(`/conversations/${c.uuid}/tags`, { tags: ['x'], action: 'replace_tags' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/action must be one of set_tags, add_tags, remove_tags/);
    expect(await tagsOf(c.uuid)).toEqual([]);
  });
});

describe('migration 1765500000000-TagsRoles', () => {
  test('merges tags that differ only in case into the oldest, keeping every conversation tagged', async () => {
    const migration = new TagsRoles1765500000000();
    const base = unique('Merge');
    const [c1, c2] = [await createConversation(t), await createConversation(t)];
    const ids: number[] = [];
    // One connection for the whole of it (the embedded database has only one): no HTTP until released.
    const runner = t.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      for (const name of [base, base.toLowerCase(), base.toUpperCase()]) {
        ids.push((await runner.query(`INSERT INTO tags (name) VALUES ($1) RETURNING id`, [name]))[0].id);
      }
      const link = `INSERT INTO conversation_tags (conversation_id, tag_id) SELECT id, $1 FROM conversations WHERE uuid = $2`;
      await runner.query(link, [ids[1], c1.uuid]);
      await runner.query(link, [ids[2], c1.uuid]);
      await runner.query(link, [ids[2], c2.uuid]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await t.dataSource.query(`SELECT id, name FROM tags WHERE lower(name) = lower($1)`, [base])).toEqual([{ id: ids[0], name: base }]);
    expect(await tagsOf(c1.uuid)).toEqual([base]);
    expect(await tagsOf(c2.uuid)).toEqual([base]);
    expect(await t.dataSource.query(`SELECT name, built_in FROM roles WHERE built_in IS NOT NULL ORDER BY built_in`)).toEqual([
      { name: 'Admin', built_in: 'admin' },
      { name: 'Agent', built_in: 'agent' },
    ]);
    expect((await as(manager).post('/tags', { name: base.toLowerCase() })).status).toBe(409);
  });
});
