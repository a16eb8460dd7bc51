/**
 * Search at scale: seeds ≥ 50k messages, prints the plans the planner picks on its own (no
 * enable_* overrides) and fails if a search falls back to a sequential scan, then times each search.
 *
 *   npx vitest bench --run test/bench/search.bench.ts                      # embedded PGlite
 *   DATABASE_URL=postgres://... npx vitest bench --run test/bench/search.bench.ts
 *
 * SEARCH_BENCH_CONVERSATIONS (default 10000) scales the data set; each conversation gets 6 messages.
 */
import { bench } from 'vitest';
import { ALL_PERMISSIONS } from '../../src/shared/auth/permissions.js';
import type { Principal } from '../../src/shared/auth/principal.js';
import { parseSearchQuery } from '../../src/modules/search/search-query.js';
import { contactSearchSql, conversationSearchSql, messageSearchSql, type SqlQuery } from '../../src/modules/search/search.sql.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CONVERSATIONS = Number(process.env.SEARCH_BENCH_CONVERSATIONS ?? 10_000);
const MESSAGES_PER_CONVERSATION = 6;

const WORDS = `order refund shipping delivery invoice payment account password login error broken kettle
  toaster blender warranty replacement return label tracking package courier delayed damaged missing
  subscription cancel upgrade downgrade billing charge card declined coupon discount voucher price
  thanks please help urgent question issue problem update status received sent waiting customer
  support team manager escalate review feedback product size colour color exchange address phone`
  .split(/\s+/)
  .filter(Boolean);

const admin: Principal = { id: 1, email: 'bench@local', firstName: 'B', lastName: '', roles: ['Admin'], permissions: new Set(ALL_PERMISSIONS), teamIds: [] };
let t: TestApp;

async function seed(ds: TestApp['dataSource']) {
  // `g` keeps the subquery correlated (new words per row); `i` keeps the aggregate at the subquery's level.
  const sentence = (n: number, g: string) =>
    `(SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int + 0 * i], ' ') FROM generate_series(1, ${n} + 0 * ${g}) i)`;
  await ds.query(
    `INSERT INTO users (type, email, first_name, last_name, phone_number)
     SELECT 'contact', 'customer' || g || '.' || md5(g::text) || '@mail' || (g % 500) || '.example', 'First' || g, 'Last' || (g % 3000),
            '+1 ' || (200 + g % 700) || ' ' || lpad((g * 7919 % 10000000)::text, 7, '0')
       FROM generate_series(1, $1::int) g`,
    [CONVERSATIONS],
  );
  await ds.query(
    `WITH words AS (SELECT $1::text[] AS w)
     INSERT INTO conversations (contact_id, inbox_id, status_id, subject, assigned_user_id)
     SELECT u.id, (SELECT min(id) FROM inboxes), (SELECT id FROM conversation_statuses WHERE name = 'Open'),
            initcap(${sentence(6, 'u.id')}) || ' ORD-' || (u.id * 7717 % 1000000), CASE WHEN u.id % 5 = 0 THEN 1 END
       FROM users u, words WHERE u.email LIKE 'customer%'`,
    [WORDS],
  );
  await ds.query(
    `WITH words AS (SELECT $1::text[] AS w)
     INSERT INTO conversation_messages (conversation_id, type, status, private, text_content, content, sender_type, created_at)
     SELECT c.id, CASE WHEN g = 3 THEN 'activity' ELSE 'incoming' END, 'received', g = 5,
            ${sentence(40, 'c.id + g')} || ' ref ORD-' || (c.id * 7717 % 1000000), '', 'contact', now() - (g || ' hours')::interval
       FROM conversations c, words, generate_series(1, $2::int) g`,
    [WORDS, MESSAGES_PER_CONVERSATION],
  );
  // Steady state: autovacuum would have merged GIN pending lists and refreshed statistics by now.
  await ds.query('VACUUM ANALYZE');
}

async function explain(q: SqlQuery): Promise<string> {
  const rows: Array<{ 'QUERY PLAN': string }> = await t.dataSource.query(`EXPLAIN (ANALYZE, COSTS OFF) ${q.sql}`, q.params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

const CASES: Array<[string, () => SqlQuery, RegExp, string[]]> = [
  [
    'conversations: order number',
    () => conversationSearchSql(parseSearchQuery('ORD-54321'), admin),
    /Seq Scan on (conversations|users)/,
    ['conversations_subject_trgm', 'users_email_trgm'],
  ],
  [
    'conversations: subject words',
    () => conversationSearchSql(parseSearchQuery('warranty replacement'), admin),
    /Seq Scan on (conversations|users)/,
    ['conversations_subject_trgm'],
  ],
  [
    'messages: rare token',
    () => messageSearchSql(parseSearchQuery('ORD-12345'), admin),
    /Seq Scan on conversation_messages/,
    ['conversation_messages_text_trgm'],
  ],
  [
    'messages: two words',
    () => messageSearchSql(parseSearchQuery('kettle warranty'), admin),
    /Seq Scan on conversation_messages/,
    ['conversation_messages_text_trgm'],
  ],
  ['contacts: email', () => contactSearchSql(parseSearchQuery('customer4242.')), /Seq Scan on users/, ['users_email_trgm']],
  ['contacts: name', () => contactSearchSql(parseSearchQuery('First4242')), /Seq Scan on users/, ['users_full_name_trgm']],
  ['contacts: phone', () => contactSearchSql(parseSearchQuery('555 0123')), /Seq Scan on users/, ['users_phone_digits_trgm']],
];

describe('search at scale', async () => {
  t = await startTestApp();
  const started = Date.now();
  await seed(t.dataSource);
  const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM conversation_messages`);
  console.log(`seeded ${n} messages, ${CONVERSATIONS} conversations and contacts in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (n < 50_000) throw new Error(`the benchmark needs at least 50k messages, seeded ${n}`);

  for (const [name, build, seqScan, indexes] of CASES) {
    const plan = await explain(build());
    console.log(`\n== ${name}\n${plan}`);
    if (!process.env.SEARCH_BENCH_NO_CHECK && (seqScan.test(plan) || indexes.some((i) => !plan.includes(i))))
      throw new Error(`${name}: expected ${indexes.join(', ')} and no sequential scan`);
    bench(
      name,
      async () => {
        const q = build();
        await t.dataSource.query(q.sql, q.params);
      },
      { time: 2000, iterations: 10 },
    );
  }

  bench(
    'HTTP GET /api/v1/messages/search',
    async () => {
      const res = await t.http.get('/api/v1/messages/search').query({ query: 'broken kettle' }).set('Authorization', t.token(t.admin));
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    },
    { time: 2000, iterations: 10 },
  );

  afterAll(async () => t?.close());
});
