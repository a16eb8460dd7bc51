import pg from 'pg';
import { api, bannerToken, createDatabase, type Running, scratchDir, sleep, startServer, waitFor } from '../support/process.js';
import { SmtpSink } from './smtp-sink.js';

/**
 * The compiled server is killed with SIGKILL while it is sending email, then started again.
 *
 * Delivery is exactly once except in one window no outbox can close: the SMTP server has accepted a
 * message (it answered 250) but the process dies before the database records `sent`. After the
 * restart that entry's lease expires and it is sent again. Two-phase commit with an SMTP server is
 * not possible, so the guarantee is at-least-once with a stable Message-ID (derived from the
 * message's uuid): the second copy carries the same Message-ID, and receivers drop it (RFC 5322
 * §3.6.4, which is what MTAs and mail clients dedupe on). Everything else, including messages the
 * SMTP server had received but not yet acknowledged, is delivered exactly once.
 *
 * The test forces that window for one message, deterministically: it holds a row lock on the
 * message's outbox entry so the worker's `sent` update waits, lets the SMTP server acknowledge, and
 * kills the server while the update is blocked.
 */
const REPLIES = 6;

describe.skipIf(!process.env.DATABASE_URL)('faults: SIGKILL in the middle of sending (PostgreSQL runs only)', () => {
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let sink: SmtpSink;
  let server: Running | undefined;
  let client: pg.Client;
  const data = scratchDir();
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createDatabase(process.env.DATABASE_URL!, 'libredesk_kill');
    sink = await SmtpSink.start();
    env = {
      DATABASE_URL: db.url,
      DATA_DIR: data.path,
      MAIL_LEASE_SECONDS: '5',
      MAIL_POLL_INTERVAL_MS: '1000',
      MAIL_RETRY_BASE_MS: '200',
      WEBHOOK_WORKER_ENABLED: 'false',
    };
    client = new pg.Client({ connectionString: db.url });
  }, 60_000);

  afterAll(async () => {
    await server?.kill();
    await client?.end().catch(() => undefined);
    await sink?.down();
    await db?.drop();
    data.remove();
  });

  test('after a restart every pending reply is delivered; a duplicate only in the acknowledged-but-unrecorded window, with the same Message-ID', async () => {
    sink.mode = 'stall';
    server = await startServer({ env, expectBanner: true });
    const auth = bannerToken(server.output());
    await client.connect();
    const inbox = await api(server.url, 'POST', '/api/v1/inboxes', {
      auth,
      body: { name: 'Kill', from: 'Support <help@kill.test>', smtp: { host: '127.0.0.1', port: sink.port, tls: 'none' } },
    });
    expect(inbox.status).toBe(200);
    const conversation = await api(server.url, 'POST', '/api/v1/conversations', {
      auth,
      body: { inbox_id: inbox.body.data.id, contact_email: 'c@kill.test', first_name: 'C', subject: 'Kill', content: 'Hi', initiator: 'contact' },
    });
    const cuuid: string = conversation.body.data.uuid;

    const replies = await Promise.all(
      Array.from({ length: REPLIES }, (_, i) => api(server!.url, 'POST', `/api/v1/conversations/${cuuid}/messages`, { auth, body: { message: `reply ${i}` } })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(REPLIES).fill(200));
    const uuids: string[] = replies.map((r) => r.body.data.uuid);
    const messageId = (uuid: string) => `<${uuid}@kill.test>`;

    // The worker has messages on the wire: their DATA arrived, the SMTP server has not answered yet.
    await waitFor(() => sink.held.size >= 1, 'a send in flight');
    await sleep(300);
    const inFlight = [...sink.held.values()].map((h) => h.delivery.messageId);
    const windowMessage = inFlight[0];
    const windowUuid = uuids.find((u) => messageId(u) === windowMessage)!;

    // Block the worker's `sent` update for that message, then let the SMTP server accept it.
    await client.query('BEGIN');
    await client.query(`SELECT o.id FROM email_outbox o JOIN conversation_messages m ON m.id = o.message_id WHERE m.uuid = $1 FOR UPDATE OF o`, [windowUuid]);
    expect(sink.acceptOne(windowMessage)).toBe(true);
    const workerBlocked = async () => {
      // Inside a transaction pg_stat_activity keeps answering from its first read unless the snapshot is cleared.
      await client.query(`SELECT pg_stat_clear_snapshot()`);
      const waiting = await client.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%email_outbox%'`,
      );
      return waiting.rowCount! > 0;
    };
    await waitFor(workerBlocked, 'the worker to wait on the outbox row');

    await server.kill();
    await client.query('ROLLBACK');
    // The killed process's SMTP connections close; whatever they had on the wire was never acknowledged.
    await waitFor(() => sink.held.size === 0, 'the killed connections to close');
    const droppedAtKill = sink.dropped.length;
    expect(sink.deliveriesOf(windowMessage)).toHaveLength(1);

    sink.mode = 'accept';
    server = await startServer({ env });
    const statusOf = async (uuid: string) => (await api(server!.url, 'GET', `/api/v1/conversations/${cuuid}/messages/${uuid}`, { auth })).body.data.status;
    await waitFor(async () => (await Promise.all(uuids.map(statusOf))).every((s) => s === 'sent'), 'every reply to be sent after the restart', 40_000, 200);
    await sleep(500);

    const counts = sink.counts();
    console.log(
      `[faults/sigkill] replies=${REPLIES} in-flight-at-kill=${inFlight.length} unacknowledged-dropped=${droppedAtKill} ` +
        `deliveries=${sink.delivered.length} duplicates=${sink.delivered.length - counts.size}`,
    );
    expect(droppedAtKill).toBeGreaterThanOrEqual(inFlight.length - 1);
    expect([...counts.keys()].sort()).toEqual(uuids.map(messageId).sort());
    for (const uuid of uuids) expect(counts.get(messageId(uuid)), uuid).toBe(uuid === windowUuid ? 2 : 1);
    // The duplicate is the same email: same Message-ID, so the receiver keeps one.
    const [first, second] = sink.deliveriesOf(windowMessage);
    expect(second.messageId).toBe(first.messageId);
    expect(second.rcptTo).toEqual(first.rcptTo);
    // Messages that were on the wire but never acknowledged were not lost: each arrived once after the restart.
    for (const dropped of sink.dropped) expect(counts.get(dropped.messageId)).toBe(1);
  }, 120_000);
});
