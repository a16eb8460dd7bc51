import { ConversationListsRepository } from '../../src/modules/conversations/conversation-lists.repository.js';
import { CONVERSATION_LIST_FIELDS } from '../../src/modules/conversations/conversation-list-fields.js';
import { parseSort } from '../../src/shared/http/list-filters.js';
import type { TestApp } from '../support/test-app.js';
import { createAgent, createConversation, createRole, createTeam, inboxId, startConversationsApp } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
let team: { id: number; name: string };
let agent: Awaited<ReturnType<typeof createAgent>>;
/** Conversation ids by name: a..f. */
const c: Record<string, number> = {};
const tag: Record<string, number> = {};

interface Page {
  results: Array<{ id: number; uuid: string }>;
  total: number;
  total_pages: number;
  next_cursor: string | null;
}

const leaf = (field: string, operator: string, value?: string) => {
  const [model, name] = field.split('.');
  return { model, field: name, operator, ...(value === undefined ? {} : { value }) };
};

beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
  team = await createTeam(t);
  agent = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_assigned'])] });
  const emails = {
    a: 'under_score@example.com',
    b: 'underXscore@example.com',
    c: 'carol@example.com',
    d: 'dave@example.com',
    e: 'erin@example.com',
    f: 'frank@example.com',
  };
  for (const [name, email] of Object.entries(emails)) {
    const body = name === 'e' ? { team_id: team.id } : name === 'f' || name === 'c' ? { agent_id: agent.id } : {};
    const created = await createConversation(t, { contact_email: email, ...body });
    [{ id: c[name] }] = await t.dataSource.query(`SELECT id FROM conversations WHERE uuid = $1`, [created.uuid]);
  }
  // created_at a day apart from 2026-03-01 (a) to 2026-03-06 (f); waiting_since, SLA deadlines and priorities on some.
  const set = (name: string, columns: string) => t.dataSource.query(`UPDATE conversations SET ${columns} WHERE id = $1`, [c[name]]);
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (const [i, name] of names.entries()) {
    await set(
      name,
      `created_at = timestamptz '2026-03-01T12:00:00Z' + ${i} * interval '1 day', last_message_at = timestamptz '2026-04-01T00:00:00Z' + ${i} * interval '1 minute', waiting_since = NULL, next_sla_deadline_at = NULL, priority_id = NULL`,
    );
  }
  await set('a', `waiting_since = '2026-03-10T00:00:00Z', priority_id = 1, status_id = 2`);
  await set('b', `waiting_since = '2026-03-09T00:00:00Z', next_sla_deadline_at = '2026-05-01T00:00:00Z', priority_id = 3`);
  await set('c', `waiting_since = '2026-03-11T00:00:00Z', next_sla_deadline_at = '2026-04-01T00:00:00Z', priority_id = 2`);
  await set('d', `waiting_since = '2026-03-10T00:00:00Z', priority_id = 2`);
  for (const name of ['billing', 'urgent', 'unused']) {
    [{ id: tag[name] }] = await t.dataSource.query(`INSERT INTO tags (name) VALUES ($1) RETURNING id`, [`${name}-${process.pid}`]);
  }
  await t.dataSource.query(`INSERT INTO conversation_tags (conversation_id, tag_id) VALUES ($1, $3), ($2, $3), ($2, $4)`, [c.a, c.b, tag.billing, tag.urgent]);
});
afterAll(async () => t?.close());

async function list(path: string, query: Record<string, string | number>, auth = admin): Promise<Page> {
  const res = await t.http.get(path).query(query).set('Authorization', auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as Page;
}

/** The names of the conversations a filter leaves on /conversations/all, in list order. */
async function names(filters: unknown, extra: Record<string, string> = {}, path = '/api/v1/conversations/all', auth = admin): Promise<string[]> {
  const page = await list(path, { filters: JSON.stringify(filters), page_size: 100, ...extra }, auth);
  const byId = new Map(Object.entries(c).map(([name, id]) => [id, name]));
  expect(page.total).toBe(page.results.length);
  return page.results.map((r) => byId.get(r.id) ?? `#${r.id}`);
}
const sorted = async (filters: unknown) => (await names(filters)).sort();

describe('filters', () => {
  test('each operator on ids', async () => {
    expect(await sorted([leaf('conversations.status_id', 'equals', '2')])).toEqual(['a']);
    expect(await sorted([leaf('conversations.status_id', 'not equals', '2')])).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(await sorted([leaf('conversations.priority_id', 'greater than', '1')])).toEqual(['b', 'c', 'd']);
    expect(await sorted([leaf('conversations.priority_id', 'less than', '3')])).toEqual(['a', 'c', 'd']);
    expect(await sorted([leaf('conversations.priority_id', 'between', '2,3')])).toEqual(['b', 'c', 'd']);
    expect(await sorted([leaf('conversations.priority_id', 'in', '["1","3"]')])).toEqual(['a', 'b']);
    expect(await sorted([leaf('conversations.priority_id', 'not set')])).toEqual(['e', 'f']);
    expect(await sorted([leaf('conversations.assigned_team_id', 'equals', String(team.id))])).toEqual(['e']);
    expect(await sorted([leaf('conversation_statuses.id', 'equals', '2')])).toEqual(['a']);
    expect(await sorted([leaf('inboxes.channel', 'equals', 'email')])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  test('text operators bind the value and escape % and _', async () => {
    expect(await sorted([leaf('users.email', 'contains', 'under_')])).toEqual(['a']);
    expect(await sorted([leaf('users.email', 'ilike', 'UNDER')])).toEqual(['a', 'b']);
    expect(await sorted([leaf('users.email', 'contains', '%')])).toEqual([]);
    expect(await sorted([leaf('users.email', 'not contains', 'under')])).toEqual(['c', 'd', 'e', 'f']);
    expect(await sorted([leaf('users.email', 'equals', "carol@example.com' OR '1'='1")])).toEqual([]);
    expect(await sorted([leaf('users.email', 'in', '["dave@example.com","erin@example.com"]')])).toEqual(['d', 'e']);
    expect(await sorted([leaf('users.external_user_id', 'set')])).toEqual([]);
  });

  test('dates are UTC day ranges; ISO times are exact', async () => {
    expect(await sorted([leaf('conversations.created_at', 'equals', '2026-03-02')])).toEqual(['b']);
    expect(await sorted([leaf('conversations.created_at', 'not equals', '2026-03-02')])).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect(await sorted([leaf('conversations.created_at', 'greater than', '2026-03-04')])).toEqual(['e', 'f']);
    expect(await sorted([leaf('conversations.created_at', 'less than', '2026-03-02')])).toEqual(['a']);
    expect(await sorted([leaf('conversations.created_at', 'between', '2026-03-02,2026-03-03')])).toEqual(['b', 'c']);
    expect(await sorted([leaf('conversations.created_at', 'greater than', '2026-03-05T11:59:59Z')])).toEqual(['e', 'f']);
    expect(await sorted([leaf('conversations.waiting_since', 'equals', '2026-03-10')])).toEqual(['a', 'd']);
    expect(await sorted([leaf('conversations.next_sla_deadline_at', 'set')])).toEqual(['b', 'c']);
  });

  test('tags by id: contains (any of), not contains, set, not set; an empty list is no condition', async () => {
    expect(await sorted([leaf('conversations.tags', 'contains', `[${tag.billing}]`)])).toEqual(['a', 'b']);
    expect(await sorted([leaf('conversations.tags', 'contains', `[${tag.urgent},${tag.unused}]`)])).toEqual(['b']);
    expect(await sorted([leaf('conversations.tags', 'not contains', `[${tag.urgent}]`)])).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect(await sorted([leaf('conversations.tags', 'set')])).toEqual(['a', 'b']);
    expect(await sorted([leaf('conversations.tags', 'not set')])).toEqual(['c', 'd', 'e', 'f']);
    expect(await sorted([leaf('conversations.tags', 'contains', '[]')])).toHaveLength(6);
  });

  test('groups: AND and OR, nested one level', async () => {
    const tree = {
      logic: 'OR',
      rules: [
        leaf('conversations.status_id', 'equals', '2'),
        { logic: 'AND', rules: [leaf('conversations.priority_id', 'equals', '2'), leaf('conversations.next_sla_deadline_at', 'not set')] },
        { logic: 'and', rules: [leaf('users.email', 'contains', 'frank')] },
      ],
    };
    expect(await sorted(tree)).toEqual(['a', 'd', 'f']);
    expect(await sorted([leaf('conversations.priority_id', 'set'), leaf('conversations.tags', 'not set')])).toEqual(['c', 'd']);
  });

  test('filters only narrow what the list and the caller may read', async () => {
    const mine = t.token(agent);
    expect(await names([leaf('users.email', 'contains', 'example.com')], {}, '/api/v1/conversations/assigned', mine)).toEqual(['f', 'c']);
    expect(await names([leaf('conversations.priority_id', 'set')], {}, '/api/v1/conversations/assigned', mine)).toEqual(['c']);
    expect(await names([leaf('conversations.priority_id', 'set')], {}, '/api/v1/conversations/unassigned')).toEqual(['d', 'b', 'a']);
    expect(await names([leaf('users.email', 'set')], {}, `/api/v1/teams/${team.id}/conversations/unassigned`)).toEqual(['e']);
    await t.http.get('/api/v1/conversations/all').query({ filters: '[]' }).set('Authorization', mine).expect(403);
  });
});

describe('every invalid filter or sort is a 400 naming the reason', () => {
  const ids = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => String(i + 1)));
  const group = () => ({ logic: 'AND', rules: [leaf('users.email', 'set')] });
  test.each([
    ['bad JSON', { filters: '[{' }, /not valid JSON/],
    ['a string', { filters: '"status"' }, /must be an object/],
    ['an unknown field', { filters: JSON.stringify([leaf('conversations.subject', 'equals', 'x')]) }, /not filterable/],
    ['an unknown model', { filters: JSON.stringify([leaf('teams.name', 'equals', 'x')]) }, /not filterable/],
    ['an unknown operator', { filters: JSON.stringify([leaf('users.email', 'starts with', 'x')]) }, /unknown operator/],
    ['a number value', { filters: JSON.stringify([{ model: 'conversations', field: 'status_id', operator: 'equals', value: 1 }]) }, /must be a string/],
    ['a non-numeric id', { filters: JSON.stringify([leaf('conversations.status_id', 'equals', 'abc')]) }, /not a valid id/],
    ['an id out of range', { filters: JSON.stringify([leaf('conversations.status_id', 'equals', '99999999999')]) }, /not a valid id/],
    ['a bad date', { filters: JSON.stringify([leaf('conversations.created_at', 'equals', '2026-13-01')]) }, /not a date/],
    ['contains on an id', { filters: JSON.stringify([leaf('conversations.inbox_id', 'contains', '1')]) }, /only to text fields/],
    ['between on a text', { filters: JSON.stringify([leaf('users.email', 'between', 'a,b')]) }, /only to id and date/],
    ['tags with equals', { filters: JSON.stringify([leaf('conversations.tags', 'equals', '1')]) }, /tags take/],
    ['too deep', { filters: JSON.stringify({ rules: [{ rules: [{ rules: [leaf('users.email', 'set')] }] }] }) }, /2 levels/],
    ['too many groups', { filters: JSON.stringify({ rules: Array.from({ length: 11 }, group) }) }, /10 groups/],
    ['too many conditions', { filters: JSON.stringify(Array.from({ length: 51 }, () => leaf('users.email', 'set'))) }, /50 conditions/],
    ['too many in values', { filters: JSON.stringify([leaf('conversations.status_id', 'in', ids(101))]) }, /100 values/],
    ['a bad logic', { filters: JSON.stringify({ logic: 'NOR', rules: [] }) }, /AND or OR/],
    ['an unknown order_by', { order_by: 'conversations.subject' }, /order_by/],
    ['order_by tags', { order_by: 'conversations.tags' }, /order_by/],
    ['a bad order', { order: 'sideways' }, /order/],
  ])('%s', async (_name, query, reason) => {
    for (const path of ['/api/v1/conversations/all', '/api/v1/conversations/unassigned', `/api/v1/teams/${team.id}/conversations/unassigned`]) {
      const res = await t.http.get(path).query(query).set('Authorization', admin).expect(400);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
      expect(res.body.message).toMatch(reason);
    }
  });

  test('filters given twice', async () => {
    const res = await t.http.get('/api/v1/conversations/all?filters=[]&filters=[]').set('Authorization', admin).expect(400);
    expect(res.body.message).toMatch(/once/);
  });
});

describe('sorting', () => {
  const order = (query: Record<string, string>) => names([], query);

  test('order_by and order, NULLs last, the id breaking ties; the default stays newest activity first', async () => {
    expect(await order({})).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
    expect(await order({ order: 'asc' })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await order({ order_by: 'conversations.created_at', order: 'asc' })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await order({ order_by: 'conversations.waiting_since', order: 'asc' })).toEqual(['b', 'a', 'd', 'c', 'e', 'f']);
    expect(await order({ order_by: 'conversations.waiting_since', order: 'DESC' })).toEqual(['c', 'd', 'a', 'b', 'f', 'e']);
    expect(await order({ order_by: 'conversations.next_sla_deadline_at', order: 'asc' })).toEqual(['c', 'b', 'a', 'd', 'e', 'f']);
    expect(await order({ order_by: 'conversations.priority_id' })).toEqual(['b', 'd', 'c', 'a', 'f', 'e']);
    // The two `under…` addresses differ only in `_` and `X`, which collations order differently.
    expect((await order({ order_by: 'users.email', order: 'asc' })).slice(0, 4)).toEqual(['c', 'd', 'e', 'f']);
    expect((await order({ order_by: 'users.email', order: 'desc' })).slice(2)).toEqual(['f', 'e', 'd', 'c']);
  });

  test('cursor pages across every sort give exactly the page-by-page rows', async () => {
    const sorts: Array<Record<string, string>> = [
      {},
      { order: 'asc' },
      { order_by: 'conversations.waiting_since', order: 'asc' },
      { order_by: 'conversations.waiting_since', order: 'desc' },
      { order_by: 'conversations.next_sla_deadline_at', order: 'asc' },
      { order_by: 'conversations.priority_id', order: 'desc' },
      { order_by: 'conversations.created_at', order: 'asc' },
      { order_by: 'users.email', order: 'desc' },
      { order_by: 'conversation_statuses.name', order: 'asc' },
    ];
    for (const sort of sorts) {
      const filters = JSON.stringify([leaf('users.email', 'contains', 'example')]);
      for (const size of [1, 2, 4]) {
        const byPage: number[] = [];
        for (let n = 1; ; n++) {
          const p = await list('/api/v1/conversations/all', { ...sort, filters, page: n, page_size: size });
          byPage.push(...p.results.map((r) => r.id));
          if (n >= p.total_pages) break;
        }
        const byCursor: number[] = [];
        let p = await list('/api/v1/conversations/all', { ...sort, filters, page_size: size });
        byCursor.push(...p.results.map((r) => r.id));
        while (p.next_cursor) {
          p = await list('/api/v1/conversations/all', { ...sort, filters, page_size: size, cursor: p.next_cursor });
          byCursor.push(...p.results.map((r) => r.id));
        }
        expect(byCursor, JSON.stringify({ sort, size })).toEqual(byPage);
        expect(byCursor).toHaveLength(6);
      }
    }
  });

  test('a cursor is refused under another order', async () => {
    const first = await list('/api/v1/conversations/all', { order_by: 'conversations.waiting_since', order: 'asc', page_size: 2 });
    const refused = async (query: Record<string, string>) => {
      const res = await t.http
        .get('/api/v1/conversations/all')
        .query({ ...query, cursor: first.next_cursor! })
        .set('Authorization', admin)
        .expect(400);
      expect(res.body.message).toMatch(/cursor/);
    };
    await refused({});
    await refused({ order_by: 'conversations.waiting_since', order: 'desc' });
    await refused({ order_by: 'conversations.created_at', order: 'asc' });
    const plain = await list('/api/v1/conversations/all', { page_size: 2 });
    const res = await t.http.get('/api/v1/conversations/all').query({ cursor: plain.next_cursor!, order_by: 'users.email' }).set('Authorization', admin);
    expect(res.status).toBe(400);
  });
});

describe('saved views', () => {
  const views = () => ({
    create: (body: object) => t.http.post('/api/v1/views').set('Authorization', admin).send(body),
    update: (id: number, body: object) => t.http.put(`/api/v1/views/${id}`).set('Authorization', admin).send(body),
  });

  test('a view stores the filter language and its conversations apply it, sorted by order_by', async () => {
    const filters = { logic: 'OR', rules: [leaf('conversations.tags', 'contains', `[${tag.billing}]`), leaf('users.email', 'contains', 'frank')] };
    const view = (await views().create({ name: 'billing or frank', filters }).expect(200)).body.data;
    expect(view.filters).toEqual(filters);
    const path = `/api/v1/views/${view.id}/conversations`;
    const byId = new Map(Object.entries(c).map(([name, id]) => [id, name]));
    const got = async (query: Record<string, string> = {}) => (await list(path, query)).results.map((r) => byId.get(r.id));
    expect(await got()).toEqual(['f', 'b', 'a']);
    expect(await got({ order_by: 'conversations.waiting_since', order: 'asc' })).toEqual(['b', 'a', 'f']);
    const flat = await views()
      .update(view.id, { filters: [leaf('conversations.created_at', 'less than', '2026-03-03')] })
      .expect(200);
    expect(flat.body.data.filters).toEqual([leaf('conversations.created_at', 'less than', '2026-03-03')]);
    expect(await got()).toEqual(['b', 'a']);
  });

  test.each([
    ['an unknown field', [leaf('conversations.colour', 'equals', 'red')], /not filterable/],
    ['a non-numeric id', [leaf('conversations.status_id', 'equals', 'x')], /not a valid id/],
    ['too many groups', { rules: Array.from({ length: 11 }, () => ({ rules: [leaf('users.email', 'set')] })) }, /10 groups/],
  ])('creating or updating a view with %s is a 400 naming it', async (_name, filters, reason) => {
    const created = await views().create({ name: 'bad', filters }).expect(400);
    expect(created.body.message).toMatch(reason);
    const ok = (await views().create({ name: 'ok', filters: [] }).expect(200)).body.data;
    const updated = await views().update(ok.id, { filters }).expect(400);
    expect(updated.body.message).toMatch(reason);
  });
});

describe('contacts', () => {
  const emails = async (query: Record<string, string>) => {
    const res = await t.http
      .get('/api/v1/contacts')
      .query({ page_size: 100, ...query })
      .set('Authorization', admin)
      .expect(200);
    return (res.body.data.results as Array<{ email: string }>).map((r) => r.email);
  };

  test('users.email, created_at and updated_at filter and sort the contact list', async () => {
    expect(await emails({ filters: JSON.stringify([leaf('users.email', 'contains', 'under_')]) })).toEqual(['under_score@example.com']);
    const two = JSON.stringify([leaf('users.email', 'in', '["dave@example.com","carol@example.com"]')]);
    expect(await emails({ filters: two, order_by: 'users.email', order: 'asc' })).toEqual(['carol@example.com', 'dave@example.com']);
    expect(await emails({ filters: two, order_by: 'users.email' })).toEqual(['dave@example.com', 'carol@example.com']);
    const all = await emails({ order_by: 'users.email', order: 'asc' });
    expect(await emails({ order_by: 'users.email', order: 'desc' })).toEqual([...all].reverse());
    expect(await emails({ order_by: 'users.created_at', order: 'asc' })).toEqual([...(await emails({}))].reverse());
    const today = new Date().toISOString().slice(0, 10);
    expect(await emails({ filters: JSON.stringify([leaf('users.created_at', 'equals', today)]) })).toHaveLength(all.length);
    expect(await emails({ filters: JSON.stringify([leaf('users.updated_at', 'less than', '2000-01-01')]) })).toEqual([]);
  });

  test.each([
    ['a conversation field', { filters: JSON.stringify([leaf('conversations.status_id', 'equals', '1')]) }, /not filterable/],
    ['a bad date', { filters: JSON.stringify([leaf('users.created_at', 'equals', 'yesterday')]) }, /not a date/],
    ['an unknown order_by', { order_by: 'users.first_name' }, /order_by/],
  ])('%s is a 400', async (_name, query, reason) => {
    const res = await t.http.get('/api/v1/contacts').query(query).set('Authorization', admin).expect(400);
    expect(res.body.message).toMatch(reason);
  });
});

describe('the common sorts are index-backed (a few thousand rows)', () => {
  beforeAll(async () => {
    const [{ contact }] = await t.dataSource.query(`SELECT contact_id AS contact FROM conversations ORDER BY id LIMIT 1`);
    await t.dataSource.query(
      `INSERT INTO conversations (contact_id, inbox_id, status_id, priority_id, subject, last_message, last_message_sender, last_message_at, created_at, waiting_since, next_sla_deadline_at)
       SELECT $1, $2, 1, CASE WHEN g % 5 = 0 THEN 1 + g % 3 END, 'bulk ' || g, 'hello', 'contact', timestamptz '2019-01-01' + g * interval '4 hours', timestamptz '2019-01-01' + g * interval '3 hours',
              CASE WHEN g % 4 <> 0 THEN timestamptz '2019-01-01' + g * interval '5 hours' END,
              CASE WHEN g % 2 = 0 THEN timestamptz '2019-01-01' + g * interval '7 hours' END
         FROM generate_series(1, 5000) g`,
      [contact, await inboxId(t)],
    );
    await t.dataSource.query(`ANALYZE conversations`);
  });

  interface PlanNode {
    'Node Type': string;
    'Index Name'?: string;
    'Relation Name'?: string;
    Plans?: PlanNode[];
  }
  const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

  test.each([
    ['conversations.created_at', 'desc', 'conversations_created_idx'],
    ['conversations.created_at', 'asc', 'conversations_created_idx'],
    ['conversations.waiting_since', 'asc', 'conversations_waiting_idx'],
    ['conversations.next_sla_deadline_at', 'asc', 'conversations_sla_deadline_idx'],
    ['conversations.last_message_at', 'asc', 'conversations_activity_idx'],
    ['conversations.priority_id', 'desc', 'conversations_priority_idx'],
  ])('order_by %s %s reads %s', async (field, dir, index) => {
    const repo = t.app.get(ConversationListsRepository, { strict: false });
    const sort = parseSort({ order_by: field, order: dir }, CONVERSATION_LIST_FIELDS, 'conversations.last_message_at');
    for (const after of [null, { key: field.endsWith('_id') ? 2 : '2019-06-01T00:00:00.000000Z', id: 2_000_000_000 }]) {
      const query = repo.customPageQuery({ list: 'all' }, { filter: null, sort }, t.admin.id, { page: 1, pageSize: 20, offset: 0, after });
      const [row] = await t.dataSource.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, query.params);
      const json = typeof row['QUERY PLAN'] === 'string' ? JSON.parse(row['QUERY PLAN']) : row['QUERY PLAN'];
      const plan = nodes(json[0].Plan);
      const scans = plan.filter((n) => n['Relation Name'] === 'conversations' && /Index/.test(n['Node Type'])).map((n) => n['Index Name']);
      expect(scans, JSON.stringify(plan.map((n) => [n['Node Type'], n['Index Name']]))).toContain(index);
      // Only the page is sorted, never the table: no Sort node over a full scan.
      expect(plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'conversations')).toBe(false);
    }
  });
});
