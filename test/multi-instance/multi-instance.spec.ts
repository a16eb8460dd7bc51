import pg from 'pg';
import { SmtpSink } from '../faults/smtp-sink.js';
import { api, bannerToken, createDatabase, type Running, scratchDir, sleep, startServer, waitFor } from '../support/process.js';

/**
 * Three compiled server processes on one fresh PostgreSQL database, started at the same moment as a
 * rolling deploy or `--scale 3` would: they share credentials, the email outbox, rate limits and
 * idempotency keys through the database alone.
 */
const INSTANCES = 3;
const RATE_LIMIT = 100;
const AUTH_FAILURE_LIMIT = 30;
const REVOCATION_BUDGET_MS = 1_000;

describe.skipIf(!process.env.DATABASE_URL)('several instances on one database (PostgreSQL runs only)', () => {
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let sink: SmtpSink;
  let servers: Running[] = [];
  let sql: pg.Client;
  let admin: string;
  const dirs = Array.from({ length: INSTANCES }, () => scratchDir());
  /** Every 401 this file provoked: the failed-authentication budget of 127.0.0.1 is shared by all instances. */
  let unauthorized = 0;

  const call = async (i: number, method: string, path: string, options: Parameters<typeof api>[3] = {}) => {
    const res = await api(servers[i % INSTANCES].url, method, path, options);
    if (res.status === 401) unauthorized++;
    return res;
  };
  const newAgent = async (role: string, name: string) => {
    const email = `${name.toLowerCase()}-${Date.now()}@multi.test`;
    const created = await call(0, 'POST', '/api/v1/agents', { auth: admin, body: { email, first_name: name, last_name: 'Multi', roles: [role] } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const key = await call(1, 'POST', `/api/v1/agents/${created.body.data.id}/api-key`, { auth: admin });
    return { id: created.body.data.id as number, auth: `token ${key.body.data.api_key}:${key.body.data.api_secret}` };
  };

  beforeAll(async () => {
    db = await createDatabase(process.env.DATABASE_URL!, 'libredesk_multi');
    sink = await SmtpSink.start();
    const env = (i: number) => ({
      DATABASE_URL: db.url,
      DATA_DIR: dirs[i].path,
      APP_SECRET: 'shared-secret-of-the-deployment-0123456789',
      MAIL_POLL_INTERVAL_MS: '50',
      MAIL_LEASE_SECONDS: '30',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      AUTH_FAILURE_LIMIT_PER_MINUTE: String(AUTH_FAILURE_LIMIT),
    });
    servers = await Promise.all(dirs.map((_, i) => startServer({ env: env(i) })));
    // A first-start admin is created once, by whichever instance got there first.
    await sleep(500);
    const banners = servers.filter((s) => /api_secret:/.test(s.output()));
    expect(banners).toHaveLength(1);
    admin = bannerToken(banners[0].output());
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  }, 180_000);

  afterAll(async () => {
    const codes = await Promise.all(servers.map((s) => s.stop()));
    await sql?.end();
    await sink?.down();
    await db?.drop();
    for (const d of dirs) d.remove();
    expect(codes).toEqual(Array(servers.length).fill(0));
  }, 60_000);

  test(`a key revoked or replaced through one instance is refused by the others within ${REVOCATION_BUDGET_MS} ms`, async () => {
    for (const change of ['revoke', 'regenerate'] as const) {
      const agent = await newAgent('Agent', change === 'revoke' ? 'Revoked' : 'Rotated');
      // Every instance has recently accepted the key (so any cache it keeps is warm).
      for (let i = 0; i < INSTANCES; i++) expect((await call(i, 'GET', '/api/v1/agents/me', { auth: agent.auth })).status).toBe(200);

      const res = await call(0, change === 'revoke' ? 'DELETE' : 'POST', `/api/v1/agents/${agent.id}/api-key`, { auth: admin });
      expect(res.status).toBe(200);
      const changedAt = Date.now();
      const refusedAfter = await Promise.all(
        servers.map(async (_, i) => {
          for (;;) {
            const me = await call(i, 'GET', '/api/v1/agents/me', { auth: agent.auth });
            if (me.status === 401) return Date.now() - changedAt;
            expect(me.status).toBe(200);
            if (Date.now() - changedAt > 5_000) return Infinity;
            await sleep(20);
          }
        }),
      );
      console.log(`[multi-instance] key ${change}d: refused after ${refusedAfter.map((ms) => `${ms} ms`).join(', ')} (instances 0..${INSTANCES - 1})`);
      for (const ms of refusedAfter) expect(ms).toBeLessThanOrEqual(REVOCATION_BUDGET_MS);
    }
  });

  test(`a role edited through one instance changes its holders' permissions on the others within ${REVOCATION_BUDGET_MS} ms`, async () => {
    const role = await call(0, 'POST', '/api/v1/roles', { auth: admin, body: { name: `Multi-${Date.now()}`, permissions: ['roles:manage'] } });
    expect(role.status, JSON.stringify(role.body)).toBe(200);
    const holder = await newAgent(role.body.data.name, 'Holder');
    const probe = (i: number) => call(i, 'GET', `/api/v1/roles/${role.body.data.id}`, { auth: holder.auth });
    // Every instance has recently accepted the holder (so any cache it keeps is warm).
    for (let i = 0; i < INSTANCES; i++) expect((await probe(i)).status).toBe(200);

    expect((await call(0, 'PUT', `/api/v1/roles/${role.body.data.id}`, { auth: admin, body: { permissions: ['tags:manage'] } })).status).toBe(200);
    const changedAt = Date.now();
    const deniedAfter = await Promise.all(
      servers.map(async (_, i) => {
        for (;;) {
          const res = await probe(i);
          if (res.status === 403) return Date.now() - changedAt;
          expect(res.status).toBe(200);
          if (Date.now() - changedAt > 5_000) return Infinity;
          await sleep(20);
        }
      }),
    );
    console.log(`[multi-instance] role edited: denied after ${deniedAfter.map((ms) => `${ms} ms`).join(', ')} (instances 0..${INSTANCES - 1})`);
    expect(deniedAfter[0]).toBeLessThan(Infinity);
    for (const ms of deniedAfter) expect(ms).toBeLessThanOrEqual(REVOCATION_BUDGET_MS);
  });

  test('the outbox workers of all instances never send a message twice', async () => {
    const sender = await newAgent('Admin', 'Sender');
    const inbox = await call(0, 'POST', '/api/v1/inboxes', {
      auth: sender.auth,
      body: { name: 'Multi', from: 'Support <help@multi.test>', smtp: { host: '127.0.0.1', port: sink.port, tls: 'none' } },
    });
    expect(inbox.status).toBe(200);
    const conversation = await call(1, 'POST', '/api/v1/conversations', {
      auth: sender.auth,
      body: { inbox_id: inbox.body.data.id, contact_email: 'c@multi.test', first_name: 'C', subject: 'Many', content: 'Hi', initiator: 'contact' },
    });
    const cuuid: string = conversation.body.data.uuid;
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(i, 'POST', `/api/v1/conversations/${cuuid}/messages`, { auth: sender.auth, body: { message: `reply ${i}` } })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(30).fill(200));
    const uuids: string[] = replies.map((r) => r.body.data.uuid);

    await waitFor(
      async () =>
        (await sql.query(`SELECT count(*)::int AS n FROM conversation_messages WHERE uuid = ANY($1::uuid[]) AND status = 'sent'`, [uuids])).rows[0].n === 30,
      'all 30 replies to be sent',
      30_000,
      100,
    );
    await sleep(500);
    const counts = sink.counts();
    expect([...counts.keys()].sort()).toEqual(uuids.map((u) => `<${u}@multi.test>`).sort());
    expect([...counts.values()]).toEqual(Array(30).fill(1));
    const attempts = await sql.query(
      `SELECT o.attempts FROM email_outbox o JOIN conversation_messages m ON m.id = o.message_id WHERE m.uuid = ANY($1::uuid[])`,
      [uuids],
    );
    expect(attempts.rows.map((r) => r.attempts)).toEqual(Array(30).fill(1));
  });

  test('one API key spends one rate-limit budget across all instances', async () => {
    const agent = await newAgent('Agent', 'Limited');
    const results = [];
    // In waves, spread over the instances, so no single process sees more than a third of the traffic.
    for (let wave = 0; wave < 5; wave++) {
      results.push(...(await Promise.all(Array.from({ length: 30 }, (_, i) => call(i, 'GET', '/api/v1/agents/me', { auth: agent.auth })))));
    }
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    console.log(
      `[multi-instance] rate limit ${RATE_LIMIT}/min: ${results.length} requests over ${INSTANCES} instances -> ${ok.length} allowed, ${limited.length} limited`,
    );
    expect(ok).toHaveLength(RATE_LIMIT);
    expect(limited).toHaveLength(results.length - RATE_LIMIT);
    for (const r of limited) {
      expect(r.body).toMatchObject({ status: 'error', error_type: 'RateLimitException' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
    }
    const remaining = ok.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: RATE_LIMIT }, (_, i) => i));
  });

  test('an Idempotency-Key holds across instances: one resource, the rest replay or wait (409), a different body is 422', async () => {
    const agent = await newAgent('Admin', 'Idem');
    const inboxes = await call(0, 'GET', '/api/v1/inboxes', { auth: agent.auth });
    const inboxId = inboxes.body.data[0].id;
    const body = (subject: string) => ({
      inbox_id: inboxId,
      contact_email: 'idem@multi.test',
      first_name: 'I',
      subject,
      content: 'Once',
      initiator: 'contact',
    });
    const post = (i: number, key: string, subject: string) =>
      call(i, 'POST', '/api/v1/conversations', { auth: agent.auth, body: body(subject), headers: { 'Idempotency-Key': key } });

    // One after another on different instances: the second and third replay the first.
    const first = await post(0, 'seq-key', 'sequential');
    const replays = [await post(1, 'seq-key', 'sequential'), await post(2, 'seq-key', 'sequential')];
    expect(first.status).toBe(200);
    for (const r of replays) {
      expect(r.status).toBe(200);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      expect(r.body.data.uuid).toBe(first.body.data.uuid);
    }
    expect((await post(1, 'seq-key', 'something else')).status).toBe(422);

    // At the same moment on every instance, for several keys.
    const keys = Array.from({ length: 8 }, (_, k) => `race-key-${k}`);
    const raced = await Promise.all(keys.map((key) => Promise.all(servers.map((_, i) => post(i, key, key)))));
    for (const [k, answers] of raced.entries()) {
      const created = answers.filter((r) => r.status === 200 && r.headers.get('idempotent-replayed') !== 'true');
      const replayed = answers.filter((r) => r.status === 200 && r.headers.get('idempotent-replayed') === 'true');
      const inFlight = answers.filter((r) => r.status === 409);
      expect(created, keys[k]).toHaveLength(1);
      expect(replayed.length + inFlight.length, JSON.stringify(answers.map((a) => a.status))).toBe(INSTANCES - 1);
      for (const r of replayed) expect(r.body.data.uuid).toBe(created[0].body.data.uuid);
      for (const r of inFlight) expect(r.body).toMatchObject({ status: 'error', error_type: 'ConflictException' });
    }
    const stored = await sql.query(`SELECT subject, count(*)::int AS n FROM conversations WHERE subject = ANY($1) GROUP BY subject`, [['sequential', ...keys]]);
    expect(Object.fromEntries(stored.rows.map((r) => [r.subject, r.n]))).toEqual(Object.fromEntries(['sequential', ...keys].map((s) => [s, 1])));
  });

  // Last: once the address is over its budget, an instance refuses it outright.
  test('failed authentications from one address are counted by all instances together', async () => {
    const bad = 'token nosuchkeynosuchkeynosuchkey00:wrongsecret';
    const statuses: number[] = [];
    for (let i = 0; statuses.at(-1) !== 429 && i < AUTH_FAILURE_LIMIT * 2; i++)
      statuses.push((await call(i, 'GET', '/api/v1/agents/me', { auth: bad })).status);
    expect(statuses.at(-1)).toBe(429);
    expect(unauthorized).toBe(AUTH_FAILURE_LIMIT);
    for (let i = 0; i < INSTANCES; i++) {
      const res = await call(i, 'GET', '/api/v1/agents/me', { auth: bad });
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'RateLimitException' });
    }
  });
});
