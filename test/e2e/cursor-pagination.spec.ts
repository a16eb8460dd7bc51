import { ConversationListsRepository } from '../../src/modules/conversations/conversation-lists.repository.js';
import { MessagesRepository } from '../../src/modules/conversations/messages/messages.repository.js';
import { encodeKeysetCursor, type ListRequest } from '../../src/shared/http/keyset.js';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, inboxId, startConversationsApp } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
let team: { id: number; name: string };
let agent: Awaited<ReturnType<typeof createAgent>>;
let viewId: number;
let threadUuid: string;

interface Page {
  results: Array<{ id: number; uuid: string }>;
  total: number;
  per_page: number;
  total_pages: number;
  page: number;
  next_cursor: string | null;
}

/** Lists under test; each is filled with conversations whose activity times tie and differ by microseconds. */
const LISTS = () => [
  '/api/v1/conversations/all',
  '/api/v1/conversations/assigned',
  '/api/v1/conversations/unassigned',
  `/api/v1/teams/${team.id}/conversations/unassigned`,
  `/api/v1/views/${viewId}/conversations`,
  `/api/v1/conversations/${threadUuid}/messages`,
];

beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
  team = await createTeam(t);
  agent = await createAgent(t, { roles: ['Admin'] });
  const created: string[] = [];
  for (let i = 0; i < 7; i++) created.push((await createConversation(t)).uuid);
  for (let i = 0; i < 5; i++) created.push((await createConversation(t, { team_id: team.id })).uuid);
  for (let i = 0; i < 6; i++) created.push((await createConversation(t, { agent_id: agent.id })).uuid);
  // Ties (same instant) and neighbours a microsecond apart, which a millisecond cursor would get wrong.
  await t.dataSource.query(
    `UPDATE conversations c SET last_message_at = '2030-01-01T00:00:00.000001Z'::timestamptz + (s.n % 3) * interval '1 microsecond'
       FROM (SELECT uuid, row_number() OVER (ORDER BY id) AS n FROM conversations WHERE uuid = ANY($1::uuid[])) s
      WHERE c.uuid = s.uuid`,
    [created],
  );
  threadUuid = created[0];
  for (let i = 0; i < 9; i++) {
    await t.http
      .post(`/api/v1/conversations/${threadUuid}/messages`)
      .set('Authorization', admin)
      .send({ message: `note ${i}`, private: true })
      .expect(200);
  }
  await t.dataSource.query(
    `UPDATE conversation_messages SET created_at = '2030-01-01T00:00:00.000001Z'::timestamptz + (id % 2) * interval '1 microsecond'
      WHERE conversation_id = (SELECT id FROM conversations WHERE uuid = $1)`,
    [threadUuid],
  );
  const view = await t.http
    .post('/api/v1/views')
    .set('Authorization', admin)
    .send({ name: 'Open ones', filters: { status_id: 1 } })
    .expect(200);
  viewId = view.body.data.id;
});
afterAll(async () => t?.close());

async function page(path: string, query: Record<string, string | number>, auth = admin): Promise<Page> {
  const res = await t.http.get(path).query(query).set('Authorization', auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as Page;
}

async function walkByPage(path: string, size: number, auth = admin) {
  const ids: number[] = [];
  for (let n = 1; ; n++) {
    const p = await page(path, { page: n, page_size: size }, auth);
    ids.push(...p.results.map((r) => r.id));
    if (n >= p.total_pages) {
      expect(p.next_cursor).toBeNull();
      return { ids, total: p.total };
    }
    expect(p.next_cursor).toEqual(expect.any(String));
  }
}

async function walkByCursor(path: string, size: number, auth = admin) {
  const ids: number[] = [];
  let p = await page(path, { page_size: size }, auth);
  ids.push(...p.results.map((r) => r.id));
  while (p.next_cursor) {
    p = await page(path, { cursor: p.next_cursor, page_size: size }, auth);
    expect(p).toMatchObject({ page: 0, per_page: size, total_pages: Math.ceil(p.total / size) });
    ids.push(...p.results.map((r) => r.id));
  }
  return { ids, total: p.total };
}

describe('cursor pagination', () => {
  test('walking every list by cursor gives exactly the rows of walking it by page', async () => {
    for (const path of LISTS()) {
      for (const size of [1, 4, 100]) {
        const auth = path.endsWith('/assigned') ? t.token(agent) : admin;
        const byPage = await walkByPage(path, size, auth);
        const byCursor = await walkByCursor(path, size, auth);
        expect(byCursor, `${path} page_size=${size}`).toEqual(byPage);
        expect(new Set(byCursor.ids).size, path).toBe(byCursor.ids.length);
        expect(byCursor.ids.length, path).toBe(byCursor.total);
        expect(byCursor.total, path).toBeGreaterThan(4);
      }
    }
  });

  test('a page answer carries next_cursor, so a client can switch from pages to cursors', async () => {
    const first = await page('/api/v1/conversations/all', { page: 1, page_size: 5 });
    const second = await page('/api/v1/conversations/all', { page: 2, page_size: 5 });
    const viaCursor = await page('/api/v1/conversations/all', { cursor: first.next_cursor!, page_size: 5 });
    expect(viaCursor.results.map((r) => r.id)).toEqual(second.results.map((r) => r.id));
    expect(viaCursor.next_cursor).toBe(second.next_cursor);
    const last = await page('/api/v1/conversations/all', { page: first.total_pages, page_size: 5 });
    expect(last.next_cursor).toBeNull();
    const beyond = await page('/api/v1/conversations/all', { page: first.total_pages + 1, page_size: 5 });
    expect(beyond).toMatchObject({ results: [], next_cursor: null });
  });

  test('new conversations do not shift a cursor walk (they would shift pages)', async () => {
    const first = await page('/api/v1/conversations/all', { page_size: 3 });
    const expected = await page('/api/v1/conversations/all', { cursor: first.next_cursor!, page_size: 3 });
    const fresh = [(await createConversation(t)).uuid, (await createConversation(t)).uuid];
    await t.dataSource.query(`UPDATE conversations SET last_message_at = '2031-01-01' WHERE uuid = ANY($1::uuid[])`, [fresh]);
    const after = await page('/api/v1/conversations/all', { cursor: first.next_cursor!, page_size: 3 });
    expect(after.results.map((r) => r.id)).toEqual(expected.results.map((r) => r.id));
    const shifted = await page('/api/v1/conversations/all', { page: 2, page_size: 3 });
    expect(shifted.results.map((r) => r.id)).not.toEqual(expected.results.map((r) => r.id));
  });

  test('cursor and page together, or a cursor the list did not issue, is a 400', async () => {
    const first = await page('/api/v1/conversations/all', { page_size: 2 });
    const messages = await page(`/api/v1/conversations/${threadUuid}/messages`, { page_size: 2 });
    const bad = async (path: string, query: Record<string, string | number>) => {
      const res = await t.http.get(path).query(query).set('Authorization', admin).expect(400);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', data: { fields: { cursor: expect.any(String) } } });
    };
    await bad('/api/v1/conversations/all', { cursor: first.next_cursor!, page: 2 });
    await bad('/api/v1/conversations/all', { cursor: first.next_cursor!, page: 1 });
    for (const cursor of [
      '',
      'nope!',
      'AAAA',
      messages.next_cursor!,
      first.next_cursor!.slice(0, -2),
      encodeKeysetCursor('c', { at: '2030-13-45T00:00:00.000000Z', id: 1 }),
    ]) {
      await bad('/api/v1/conversations/all', { cursor });
    }
    await bad(`/api/v1/conversations/${threadUuid}/messages`, { cursor: first.next_cursor! });
    await bad(`/api/v1/teams/${team.id}/conversations/unassigned`, { cursor: 'x'.repeat(300) });
    await bad(`/api/v1/views/${viewId}/conversations`, { cursor: Buffer.from('c1|2030-01-01T00:00:00.000001Z|0').toString('base64url') });
    const twice = await t.http.get(`/api/v1/conversations/all?cursor=${first.next_cursor}&cursor=${first.next_cursor}`).set('Authorization', admin);
    expect(twice.status).toBe(400);
  });

  test('the other list rules still apply with a cursor: page_size clamp, filters, permissions', async () => {
    const first = await page('/api/v1/conversations/all', { page_size: 1 });
    expect((await page('/api/v1/conversations/all', { cursor: first.next_cursor!, page_size: 1000 })).per_page).toBe(100);
    const notes = `/api/v1/conversations/${threadUuid}/messages?private=true`;
    const byCursor = await walkByCursor(notes, 2);
    expect(byCursor).toEqual(await walkByPage(notes, 2));
    expect(byCursor.total).toBe(9);
    const plain = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_unassigned'])] });
    await t.http.get('/api/v1/conversations/unassigned').query({ cursor: first.next_cursor! }).set('Authorization', t.token(plain)).expect(200);
    await t.http.get('/api/v1/conversations/all').query({ cursor: first.next_cursor! }).set('Authorization', t.token(plain)).expect(403);
    await t.http.get('/api/v1/conversations/all').query({ cursor: first.next_cursor! }).expect(401);
  });
});

describe('a cursor page costs the same at any depth', () => {
  const deep: ListRequest = { page: 0, pageSize: 20, offset: 0, after: { at: '2020-01-01T00:00:00.500000Z', id: 2_000_000_000 } };
  const shallow: ListRequest = { ...deep, after: { at: '2030-06-01T00:00:00.000000Z', id: 2_000_000_000 } };

  beforeAll(async () => {
    const [{ contact, inbox }] = await t.dataSource.query(`SELECT (SELECT contact_id FROM conversations ORDER BY id LIMIT 1) AS contact, $1::int AS inbox`, [
      await inboxId(t),
    ]);
    // 6000 conversations over three years, a third assigned to the agent and a third to the team; 3000 messages in one.
    await t.dataSource.query(
      `INSERT INTO conversations (contact_id, inbox_id, status_id, subject, last_message, last_message_sender, last_message_at, assigned_user_id, assigned_team_id)
       SELECT $1, $2, 1, 'bulk ' || g, 'hello', 'contact', timestamptz '2019-01-01' + g * interval '4 hours',
              CASE WHEN g % 3 = 0 THEN $3::int END, CASE WHEN g % 3 = 1 THEN $4::int END
         FROM generate_series(1, 6000) g`,
      [contact, inbox, agent.id, team.id],
    );
    await t.dataSource.query(
      `INSERT INTO conversation_messages (created_at, type, status, private, conversation_id, content, text_content, sender_type)
       SELECT timestamptz '2019-01-01' + g * interval '1 hour', 'incoming', 'received', false,
              (SELECT id FROM conversations WHERE uuid = $1), 'm' || g, 'm' || g, 'contact'
         FROM generate_series(1, 3000) g`,
      [threadUuid],
    );
    await t.dataSource.query(`ANALYZE conversations`);
    await t.dataSource.query(`ANALYZE conversation_messages`);
  });

  interface PlanNode {
    'Node Type': string;
    'Index Name'?: string;
    'Actual Rows'?: number;
    'Actual Loops'?: number;
    'Rows Removed by Filter'?: number;
    'Relation Name'?: string;
    Plans?: PlanNode[];
  }
  const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

  async function plan(query: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
    const [row] = await t.dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`, query.params);
    const json = typeof row['QUERY PLAN'] === 'string' ? JSON.parse(row['QUERY PLAN']) : row['QUERY PLAN'];
    return nodes(json[0].Plan);
  }

  /** The scan of the listed table reads about a page of index entries, whatever the depth, and only the page is sorted. */
  async function expectKeyset(query: (r: ListRequest) => { sql: string; params: unknown[] }, table: string, index: RegExp) {
    for (const request of [deep, shallow]) {
      const all = await plan(query(request));
      // At most the page itself is sorted (after its ids were read off the index), never the table.
      const sorts = all.filter((n) => /Sort/.test(n['Node Type']));
      expect(
        sorts.map((n) => n['Actual Rows'] ?? 0).every((rows) => rows <= request.pageSize + 1),
        'only the page is sorted',
      ).toBe(true);
      const scan = all.find((n) => n['Relation Name'] === table && /Index/.test(n['Node Type']) && (n['Actual Loops'] ?? 1) === 1);
      expect(scan, JSON.stringify(all.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']]))).toBeDefined();
      expect(scan!['Index Name']).toMatch(index);
      expect(scan!['Actual Rows']).toBeLessThanOrEqual(request.pageSize + 1);
      // The cursor is an index condition: rows before it are never read (then filtered away).
      expect(scan!['Rows Removed by Filter'] ?? 0).toBeLessThanOrEqual(5 * request.pageSize);
    }
  }

  test('conversation lists walk their (… last_message_at DESC, id DESC) index from the cursor', async () => {
    const repo = t.app.get(ConversationListsRepository, { strict: false });
    await expectKeyset((r) => repo.pageQuery({ list: 'all' }, t.admin.id, r), 'conversations', /^conversations_activity_idx$/);
    await expectKeyset((r) => repo.pageQuery({ list: 'assigned', userId: agent.id }, agent.id, r), 'conversations', /^conversations_assigned_user_idx$/);
    await expectKeyset(
      (r) => repo.pageQuery({ list: 'unassigned' }, t.admin.id, r),
      'conversations',
      /^conversations_(activity|assigned_user|assigned_team)_idx$/,
    );
    await expectKeyset(
      (r) => repo.pageQuery({ list: 'team_unassigned', teamId: team.id }, t.admin.id, r),
      'conversations',
      /^conversations_assigned_(team|user)_idx$/,
    );
  });

  test('messages walk the (conversation_id, created_at DESC, id DESC) index from the cursor', async () => {
    const repo = t.app.get(MessagesRepository, { strict: false });
    const [{ id }] = await t.dataSource.query(`SELECT id FROM conversations WHERE uuid = $1`, [threadUuid]);
    await expectKeyset((r) => repo.pageQuery(id, {}, r), 'conversation_messages', /^conversation_messages_conversation_idx$/);
  });

  test('the same answers over HTTP, deep in the list', async () => {
    const p = await page('/api/v1/conversations/all', { page_size: 20, cursor: encodeKeysetCursor('c', deep.after!) });
    expect(p.results).toHaveLength(20);
    expect(p.next_cursor).toEqual(expect.any(String));
  });
});
