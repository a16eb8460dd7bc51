import pg from 'pg';
import { PRINCIPAL_SQL } from '../../src/modules/agents/agents.repository.js';
import { prepared, preparedName, preparedSql, PreparingClient } from '../../src/shared/database/prepared-statements.js';
import type { TestApp } from '../support/test-app.js';
import { createConversation, startConversationsApp } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;
// One pooled connection, so the statements the requests ran are those this session sees.
beforeAll(async () => {
  t = await startConversationsApp({ DB_POOL_SIZE: '1' });
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

interface PreparedRow {
  name: string;
  statement: string;
  generic_plans: string | number;
  custom_plans: string | number;
}
const preparedHere = async () =>
  new Map(
    (await t.dataSource.query<PreparedRow[]>(`SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements`)).map((r) => [
      r.name,
      { statement: r.statement, runs: Number(r.generic_plans) + Number(r.custom_plans) },
    ]),
  );

describe('prepared statements', () => {
  test('the tag registers a text unchanged under a stable name derived from it', () => {
    const text = prepared`SELECT ${'id'} FROM users WHERE id = $1 /* ${42} */`;
    expect(text).toBe('SELECT id FROM users WHERE id = $1 /* 42 */');
    expect(preparedName(text)).toMatch(/^ld_[0-9a-f]{32}$/);
    expect(preparedSql(text)).toBe(text);
    expect(preparedName(`${text} `)).toBeUndefined();
    expect(t.dataSource.driver.options.extra).toMatchObject({ Client: PreparingClient });
  });

  test('marked statements run as named statements, each parsed once per connection; others run unnamed', async () => {
    await t.http.get('/api/v1/agents/me').set('Authorization', admin).expect(200);
    const c = await createConversation(t);
    for (let i = 0; i < 3; i += 1) await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', admin).expect(200);
    await t.http.get(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', admin).expect(200);
    await t.http.post(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', admin).send({ message: 'prepared' }).expect(200);
    await t.http.get('/api/v1/conversations/all').set('Authorization', admin).expect(200);
    const unnamed = `SELECT 2 AS not_marked`;
    await t.dataSource.query(unnamed);

    const statements = await preparedHere();
    const detail = [...statements.values()].find((s) => s.statement.includes('WHERE c.uuid = $2'));
    expect(detail?.runs).toBeGreaterThanOrEqual(3);
    expect(statements.get(preparedName(PRINCIPAL_SQL)!)?.statement).toBe(PRINCIPAL_SQL);
    for (const fragment of [
      'WHERE c.uuid = $2',
      'INSERT INTO conversation_messages',
      'FROM conversation_messages m WHERE m.conversation_id = $1',
      'WITH page AS',
    ]) {
      expect(
        [...statements.values()].some((s) => s.statement.includes(fragment)),
        fragment,
      ).toBe(true);
    }
    for (const [name, s] of statements) expect(preparedName(s.statement)).toBe(name);
    expect([...statements.values()].some((s) => s.statement === unnamed)).toBe(false);
  });

  // PGlite has a single session, which the test above already looks at.
  test.skipIf(!process.env.DATABASE_URL)('a registered text runs as a named statement on a plain pool too, with values and errors as before', async () => {
    const pool = new pg.Pool({ connectionString: t.config.DATABASE_URL, max: 1, Client: PreparingClient });
    const client = await pool.connect(); // one session throughout (pool.query drops a client after an error)
    try {
      const text = prepared`SELECT $1::int + 1 AS n`;
      expect((await client.query(text, [41])).rows).toEqual([{ n: 42 }]);
      expect((await client.query(text, [1])).rows).toEqual([{ n: 2 }]);
      const bad = prepared`SELECT $1::int AS n`;
      await expect(client.query(bad, ['not a number'])).rejects.toThrow(/invalid input syntax/);
      expect((await client.query(bad, [7])).rows).toEqual([{ n: 7 }]);
      const { rows } = await client.query<{ name: string }>(`SELECT name FROM pg_prepared_statements ORDER BY name`);
      expect(rows.map((r) => r.name)).toEqual([preparedName(text), preparedName(bad)].sort());
    } finally {
      client.release();
      await pool.end();
    }
  });
});
