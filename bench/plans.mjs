// DATABASE_URL=postgres://…/seeded node bench/plans.mjs   (after `npm run build`)
// The generic-plan check for the statements the app runs prepared. Boots the app in-process on a seeded
// database, sends the hot requests with common and rare values (page 1 and page 1000, the busiest agent
// and one with nothing assigned, every team's queue, short and long conversations), records every
// registered statement with the values it ran with, then for each value: EXPLAIN ANALYZE EXECUTE with
// plan_cache_mode force_custom_plan (planned for the value) and force_generic_plan (the one plan
// PostgreSQL may switch to after five runs), and which one `auto` picked after ten runs. All inside a
// transaction that is rolled back. Prints one JSON line per statement and value.
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils.js';
import { createApp } from '../dist/src/bootstrap.js';
import { validateEnvironment } from '../dist/src/shared/config/app-config.js';
import { PreparingClient, preparedName } from '../dist/src/shared/database/prepared-statements.js';
import { AgentsService } from '../dist/src/modules/agents/agents.service.js';

const seen = new Map(); // name -> { text, values: Map<json, values> }
const query = PreparingClient.prototype.query;
PreparingClient.prototype.query = function (config, values, callback) {
  const name = typeof config === 'string' ? preparedName(config) : undefined;
  if (name && Array.isArray(values)) {
    const entry = seen.get(name) ?? { text: config, values: new Map() };
    entry.values.set(JSON.stringify(values), values);
    seen.set(name, entry);
  }
  return query.call(this, config, values, callback);
};

const env = { ...process.env, LOG_LEVEL: 'error', MAIL_WORKER_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false' };
const app = await createApp(validateEnvironment(env), { logger: false });
const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
await db.connect();
const one = async (sql, params = []) => (await db.query(sql, params)).rows[0];
const busiest = await one(`SELECT u.email FROM users u JOIN conversations c ON c.assigned_user_id = u.id GROUP BY u.email ORDER BY count(*) DESC LIMIT 1`);
const admin = await app.get(AgentsService).createAdmin(`plans-${process.pid}@example.com`);
const agent = await app.get(AgentsService).createAdmin(busiest.email);
const auth = (c) => ({ authorization: `token ${c.api_key}:${c.api_secret}` });
const long = await one(
  `SELECT c.uuid FROM conversations c ORDER BY (SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = c.id) DESC LIMIT 1`,
);
const short = await one(`SELECT uuid FROM conversations ORDER BY id LIMIT 1`);
const teams = (await db.query(`SELECT id FROM teams ORDER BY id`)).rows.map((r) => r.id);
const get = async (url, who = admin) => {
  const res = await app.inject({ method: 'GET', url, headers: auth(who) });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
};
await get('/health');
for (const who of [admin, agent]) {
  await get('/api/v1/agents/me', who);
  await get('/api/v1/conversations/assigned', who);
}
await get('/api/v1/conversations/all?page=1');
await get('/api/v1/conversations/all?page=1000');
await get('/api/v1/conversations/unassigned');
for (const id of teams) await get(`/api/v1/teams/${id}/conversations/unassigned`);
for (const c of [long, short]) {
  await get(`/api/v1/conversations/${c.uuid}`);
  await get(`/api/v1/conversations/${c.uuid}/messages`);
}
const reply = await app.inject({
  method: 'POST',
  url: `/api/v1/conversations/${short.uuid}/messages`,
  headers: { ...auth(admin), 'content-type': 'application/json' },
  payload: { message: 'plan check' },
});
if (reply.statusCode !== 200) throw new Error(`reply: ${reply.body}`);
await db.query(`DELETE FROM conversation_messages WHERE uuid = $1`, [reply.json().data.uuid]);
await app.close();

const literal = (v) => (v === null || v === undefined ? 'NULL' : db.escapeLiteral(String(prepareValue(v))));
const timing = async (mode, params) => {
  await db.query(`SET LOCAL plan_cache_mode = ${mode}`);
  let best = null;
  for (let i = 0; i < 3; i += 1) {
    const [
      {
        'QUERY PLAN': [plan],
      },
    ] = (await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE s${params}`)).rows;
    const ms = plan['Planning Time'] + plan['Execution Time'];
    if (!best || ms < best.ms) best = { ms, plan_ms: plan['Planning Time'], top: plan.Plan['Node Type'] };
  }
  return best;
};
for (const [name, { text, values }] of seen) {
  for (const value of values.values()) {
    // A write runs several times below: a message insert gets a fresh uuid and Message-ID each time.
    const v = text.includes('INSERT INTO conversation_messages') ? value.map((x, i) => (i >= 10 ? null : x)) : value;
    const params = v.length ? `(${v.map(literal).join(', ')})` : '';
    await db.query('BEGIN');
    try {
      await db.query(`PREPARE s AS ${text}`);
      const custom = await timing('force_custom_plan', params);
      const generic = await timing('force_generic_plan', params);
      await db.query(`SET LOCAL plan_cache_mode = auto`);
      await db.query(`PREPARE a AS ${text}`);
      for (let i = 0; i < 10; i += 1) await db.query(`EXECUTE a${params}`);
      const auto = await one(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'a'`);
      const r2 = (x) => Math.round(x * 100) / 100;
      const line = {
        name,
        sql: text.replace(/\s+/g, ' ').trim().slice(0, 90),
        values: JSON.stringify(v).slice(0, 80),
        custom_ms: r2(custom.ms),
        custom_planning_ms: r2(custom.plan_ms),
        generic_ms: r2(generic.ms),
        auto_after_10: auto.generic_plans > 0 ? 'generic' : 'custom',
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } finally {
      await db.query('ROLLBACK');
      await db.query('DEALLOCATE ALL');
    }
  }
}
await db.end();
process.exit(0);
