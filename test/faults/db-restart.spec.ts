import { PgCluster } from '../support/pg-cluster.js';
import { api, bannerToken, type Running, scratchDir, sleep, startServer } from '../support/process.js';

/**
 * PostgreSQL goes away in the middle of a write load and comes back. Runs the compiled server on a
 * private throwaway cluster (the shared CI server is never stopped). Figures are printed for the notes.
 */
const LOAD_WORKERS = 6;
const OUTAGE_MS = 3_000;

interface Outcome {
  kind: 'message' | 'note';
  status: number; // 0 = no HTTP answer (connection error or client timeout)
  startedAt: number;
  endedAt: number;
  body: { status?: string; error_type?: string; message?: string; data?: { uuid?: string; id?: number } } | string;
  error?: string;
}

describe.skipIf(!process.env.DATABASE_URL)('faults: PostgreSQL restarts during a write load (PostgreSQL runs only)', () => {
  let cluster: PgCluster;
  let server: Running;
  const data = scratchDir();

  beforeAll(async () => {
    cluster = await PgCluster.create();
    server = await startServer({ env: { DATABASE_URL: cluster.url, DATA_DIR: data.path, DB_POOL_SIZE: '10' }, expectBanner: true });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await cluster?.destroy();
    data.remove();
  });

  test('503 while the database is away, recovery on its own, no acknowledged write lost', async () => {
    const auth = bannerToken(server.output());
    const inboxes = await api(server.url, 'GET', '/api/v1/inboxes', { auth });
    const inboxId = (inboxes.body.data as Array<{ id: number }>)[0].id;
    const created = await api(server.url, 'POST', '/api/v1/conversations', {
      auth,
      body: { inbox_id: inboxId, contact_email: 'load@example.com', first_name: 'Load', subject: 'Under load', content: 'hello', initiator: 'contact' },
    });
    expect(created.status).toBe(200);
    const conversation = created.body.data as { uuid: string; contact_id: number };

    const outcomes: Outcome[] = [];
    let writing = true;
    let seq = 0;
    const write = async (kind: Outcome['kind']) => {
      const n = ++seq;
      const startedAt = Date.now();
      const [path, body] =
        kind === 'message'
          ? [`/api/v1/conversations/${conversation.uuid}/messages`, { message: `note ${n}`, private: true }]
          : [`/api/v1/contacts/${conversation.contact_id}/notes`, { note: `contact note ${n}` }];
      try {
        const res = await api<Outcome['body']>(server.url, 'POST', path, { auth, body, timeoutMs: 12_000 });
        outcomes.push({ kind, status: res.status, startedAt, endedAt: Date.now(), body: res.body });
      } catch (err) {
        outcomes.push({ kind, status: 0, startedAt, endedAt: Date.now(), body: '', error: (err as Error).message });
      }
    };
    const workers = Array.from({ length: LOAD_WORKERS }, async (_, w) => {
      for (let i = 0; writing; i++) {
        await write((w + i) % 2 ? 'note' : 'message');
        // A client backs off briefly after an error instead of spinning.
        if (outcomes.at(-1)!.status !== 200) await sleep(50);
      }
    });

    await sleep(2_500);
    const stoppedAt = Date.now();
    await cluster.stop('fast');
    const health = await api(server.url, 'GET', '/health');
    await sleep(OUTAGE_MS);
    await cluster.start();
    const backAt = Date.now();
    await sleep(5_000);
    writing = false;
    await Promise.all(workers);

    expect(server.alive(), server.output()).toBe(true);
    // A load balancer's health check takes the instance out while the database is away.
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'error', error_type: 'GeneralException' });

    const ok = outcomes.filter((o) => o.status === 200);
    const unavailable = outcomes.filter((o) => o.status === 503);
    const otherErrors = outcomes.filter((o) => o.status !== 200 && o.status !== 503);
    const firstOkAfterBack = ok.filter((o) => o.startedAt >= backAt).sort((a, b) => a.endedAt - b.endedAt)[0];
    const recoveryMs = firstOkAfterBack ? firstOkAfterBack.endedAt - backAt : Infinity;
    const during = outcomes.filter((o) => o.startedAt >= stoppedAt + 200 && o.endedAt <= backAt);
    const slowest = Math.max(...during.map((o) => o.endedAt - o.startedAt));

    // Every acknowledged write is in the database after the restart.
    const client = await cluster.client();
    const messageUuids = ok.filter((o) => o.kind === 'message').map((o) => (o.body as { data: { uuid: string } }).data.uuid);
    const noteIds = ok.filter((o) => o.kind === 'note').map((o) => (o.body as { data: { id: number } }).data.id);
    const storedMessages = await client.query(`SELECT count(*)::int AS n FROM conversation_messages WHERE uuid = ANY($1::uuid[])`, [messageUuids]);
    const storedNotes = await client.query(`SELECT count(*)::int AS n FROM contact_notes WHERE id = ANY($1::int[])`, [noteIds]);
    await client.end();
    const lost = messageUuids.length - storedMessages.rows[0].n + (noteIds.length - storedNotes.rows[0].n);

    console.log(
      `[faults/db-restart] requests=${outcomes.length} ok=${ok.length} 503=${unavailable.length} other-non-200=${otherErrors.length} ` +
        `5xx-other-than-503=${otherErrors.filter((o) => o.status >= 500).length} no-answer=${outcomes.filter((o) => o.status === 0).length} ` +
        `writes-lost=${lost} recovery-ms=${recoveryMs} slowest-during-outage-ms=${slowest}`,
    );

    expect(
      otherErrors.map((o) => `${o.kind} ${o.status} ${o.error ?? JSON.stringify(o.body)}`),
      server.output(),
    ).toEqual([]);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const o of unavailable) {
      expect(o.body).toMatchObject({ status: 'error', error_type: 'GeneralException', data: null });
      expect((o.body as { message: string }).message).toMatch(/unavailable/i);
    }
    // Failing fast, not hanging: nothing waited anywhere near the client timeout while the database was down.
    expect(slowest).toBeLessThan(6_000);
    expect(recoveryMs).toBeLessThan(5_000);
    expect(ok.filter((o) => o.startedAt >= backAt + recoveryMs).length).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect((await api(server.url, 'GET', '/health')).status).toBe(200);
  }, 90_000);
});
