import type pg from 'pg';
import { PgCluster } from '../support/pg-cluster.js';
import { api, bannerToken, type Running, scratchDir, startServer } from '../support/process.js';

/**
 * DATABASE_REPLICA_URLS with a real streaming replica: a private primary cluster and a hot standby cloned
 * from it with `pg_basebackup -R` on another loopback port. Replay on the standby is paused, so a row
 * written afterwards exists on the primary only: whatever answers show it were read from the primary,
 * whatever answers miss it were read from the replica.
 */
const unavailable = !process.env.DATABASE_URL
  ? 'runs on the PostgreSQL suite only (DATABASE_URL unset: the embedded run has no second server)'
  : PgCluster.replicationUnavailable();
if (unavailable) console.warn(`read replicas: skipped, ${unavailable}`);

describe.skipIf(unavailable)('read replicas: lists and search read from a streaming replica, writes and their answers from the primary', () => {
  let primary: PgCluster;
  let replica: PgCluster;
  let server: Running;
  let auth: string;
  const data = scratchDir();

  const uuidsOf = (body: { data: { results: Array<{ uuid: string }> } }) => body.data.results.map((c) => c.uuid);
  const onReplica = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = await replica.client();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    primary = await PgCluster.create();
    replica = await primary.replica();
    server = await startServer({
      env: { DATABASE_URL: primary.url, DATABASE_REPLICA_URLS: replica.url, DATA_DIR: data.path, DB_POOL_SIZE: '4' },
      expectBanner: true,
    });
    auth = bannerToken(server.output());
    await primary.waitForReplay(replica);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await replica?.destroy();
    await primary?.destroy();
    data.remove();
  });

  test('the replica is a hot standby streaming from the primary, and the server holds connections to it', async () => {
    expect(await onReplica(async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r)).toBe(true);
    const p = await primary.client();
    const senders = await p.query<{ state: string }>('SELECT state FROM pg_stat_replication');
    await p.end();
    expect(senders.rows.map((r) => r.state)).toEqual(['streaming']);
    const res = await api(server.url, 'GET', '/api/v1/conversations/all', { auth });
    expect(res.status).toBe(200);
    const sessions = await onReplica(
      async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [primary.database])).rows[0].n,
    );
    expect(sessions).toBeGreaterThan(0);
  });

  test('with replay paused: the POST answer and the detail come from the primary, lists and search from the replica; they catch up after replay', async () => {
    const inboxes = await api(server.url, 'GET', '/api/v1/inboxes', { auth });
    const inboxId = (inboxes.body.data as Array<{ id: number }>)[0].id;
    await onReplica((c) => c.query('SELECT pg_wal_replay_pause()'));
    try {
      const created = await api(server.url, 'POST', '/api/v1/conversations', {
        auth,
        body: {
          inbox_id: inboxId,
          contact_email: 'replica@example.com',
          first_name: 'Rep',
          subject: 'Zebracorn shipment',
          content: 'hello',
          initiator: 'contact',
        },
      });
      expect(created.status).toBe(200);
      const uuid = (created.body.data as { uuid: string }).uuid;
      // Read-after-write: the answer to a write, and a reply inside its own transaction, run on the primary.
      const reply = await api(server.url, 'POST', `/api/v1/conversations/${uuid}/messages`, { auth, body: { message: 'a reply', private: true } });
      expect(reply.status).toBe(200);
      const detail = await api(server.url, 'GET', `/api/v1/conversations/${uuid}`, { auth });
      expect(detail.status).toBe(200);
      expect((detail.body.data as { uuid: string }).uuid).toBe(uuid);

      // The replica has not replayed the insert: lists and search (read there) do not show it yet.
      expect(await onReplica(async (c) => (await c.query('SELECT 1 FROM conversations WHERE uuid = $1', [uuid])).rowCount)).toBe(0);
      const list = await api(server.url, 'GET', '/api/v1/conversations/all', { auth });
      expect(list.status).toBe(200);
      expect(uuidsOf(list.body as never)).not.toContain(uuid);
      const search = await api(server.url, 'GET', '/api/v1/conversations/search?query=Zebracorn', { auth });
      expect(search.status).toBe(200);
      expect(JSON.stringify(search.body.data)).not.toContain(uuid);

      await onReplica((c) => c.query('SELECT pg_wal_replay_resume()'));
      await primary.waitForReplay(replica);
      const after = await api(server.url, 'GET', '/api/v1/conversations/all', { auth });
      expect(uuidsOf(after.body as never)).toContain(uuid);
      const found = await api(server.url, 'GET', '/api/v1/conversations/search?query=Zebracorn', { auth });
      expect(JSON.stringify(found.body.data)).toContain(uuid);
    } finally {
      await onReplica((c) => c.query('SELECT pg_wal_replay_resume()')).catch(() => undefined);
    }
  }, 60_000);

  test('a replica that is down: lists fall back to the primary and readiness stays 200', async () => {
    await replica.stop('fast');
    try {
      const list = await api(server.url, 'GET', '/api/v1/conversations/all', { auth });
      expect(list.status).toBe(200);
      expect((list.body.data as { total: number }).total).toBeGreaterThan(0);
      const ready = await api(server.url, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
    } finally {
      await replica.start();
    }
  }, 60_000);
});
