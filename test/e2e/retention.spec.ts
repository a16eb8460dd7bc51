import pg from 'pg';
import { EventRetention } from '../../src/modules/events/event-retention.js';
import { DeliveryRetention } from '../../src/modules/webhooks/delivery-retention.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

/** Appends a committed, numbered contact event created `daysAgo` days ago; resolves to its id. */
async function oldEvent(t: TestApp, daysAgo: number, label: string): Promise<number> {
  await t.dataSource.query(`INSERT INTO events (type, payload, created_at) VALUES ('contact.updated', $1::jsonb, now() - make_interval(days => $2))`, [
    JSON.stringify({ contact: { label } }),
    daysAgo,
  ]);
  await t.dataSource.query(`SELECT events_number_committed()`);
  const [{ id }] = await t.dataSource.query<Array<{ id: string }>>(`SELECT id FROM events WHERE payload->'contact'->>'label' = $1`, [label]);
  return Number(id);
}

const cursor = (id: number) => Buffer.from(`ev1:${id}`, 'utf8').toString('base64url');
const labels = (rows: Array<{ payload: { contact: { label: string } } }>) => rows.map((e) => e.payload.contact.label);

describe('event retention', () => {
  let t: TestApp;
  let admin: string;
  // The sequencer and the retention loop stay out of the way: the test numbers and prunes itself.
  beforeAll(async () => {
    t = await startTestApp({
      WEBHOOK_WORKER_ENABLED: 'false',
      EVENT_SEQUENCER_INTERVAL_MS: '60000',
      RETENTION_INTERVAL_MS: '240000',
      EVENT_RETENTION_DAYS: '30',
    });
    admin = t.token(t.admin);
  });
  afterAll(async () => t?.close());

  const feed = (query: Record<string, string>) => t.http.get('/api/v1/events').query(query).set('Authorization', admin);

  test('old events go as a prefix of the log; a cursor behind them is 410, the others read on', async () => {
    await t.dataSource.query(`SELECT events_number_committed()`);
    const [{ head }] = await t.dataSource.query<Array<{ head: string }>>(`SELECT last_id AS head FROM event_sequence`);
    const before = Number(head);
    const a = await oldEvent(t, 40, 'a');
    const b = await oldEvent(t, 35, 'b');
    const c = await oldEvent(t, 1, 'c');
    const d = await oldEvent(t, 45, 'd'); // old, but after a recent one: kept until c expires too
    // Anything older than 30 days that was numbered before `a` goes as well (the template's history).
    while ((await t.app.get(EventRetention).pruneBatch()) > 0);
    const left = await t.dataSource.query<Array<{ id: string }>>(`SELECT id FROM events WHERE id IS NOT NULL ORDER BY id`);
    expect(left.map((r) => Number(r.id))).toEqual([c, d]);
    expect(b).toBe(a + 1);

    const gone = await feed({ after: cursor(before) });
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ status: 'error', error_type: 'InputException', data: null });
    expect(gone.body.message).toMatch(/pruned.*resynchronise/);
    expect((await feed({ after: cursor(a) })).status).toBe(410);

    const edge = await feed({ after: cursor(b) });
    expect(edge.status).toBe(200);
    expect(labels(edge.body.data.events)).toEqual(['c', 'd']);
    const fromStart = await feed({});
    expect(fromStart.status).toBe(200);
    expect(labels(fromStart.body.data.events)).toEqual(['c', 'd']);
    // A long poll at the head is still fine.
    expect((await feed({ after: edge.body.data.next, wait: '1' })).body.data.events).toEqual([]);
  });

  test('events not yet numbered are never pruned, however old', async () => {
    await t.dataSource.query(
      `INSERT INTO events (type, payload, created_at) VALUES ('contact.updated', '{"contact":{"label":"unnumbered"}}', now() - interval '90 days')`,
    );
    while ((await t.app.get(EventRetention).pruneBatch()) > 0);
    const [row] = await t.dataSource.query<Array<{ id: string | null }>>(`SELECT id FROM events WHERE payload->'contact'->>'label' = 'unnumbered'`);
    expect(row).toEqual({ id: null });
    await t.dataSource.query(`SELECT events_number_committed()`);
    const page = await feed({ after: cursor(Number((await t.dataSource.query<Array<{ m: string }>>(`SELECT min(id) - 1 AS m FROM events`))[0].m)) });
    expect(labels(page.body.data.events)).toContain('unnumbered');
  });

  test.runIf(onPostgres)('a batch skips an event another transaction holds, and stops there (never waits, never leaves a gap)', async () => {
    const first = await oldEvent(t, 60, 'held');
    const second = await oldEvent(t, 60, 'after-held');
    // Everything before `first` is pruned already or recent, so `first` is the oldest event.
    await t.dataSource.query(`DELETE FROM events WHERE id < $1`, [first]);
    const other = new pg.Client({ connectionString: (t.dataSource.options as { url: string }).url });
    await other.connect();
    try {
      await other.query('BEGIN');
      // What a webhook fan-out inserting a delivery for this event takes (the foreign key's lock).
      await other.query('SELECT 1 FROM events WHERE id = $1 FOR KEY SHARE', [first]);
      const began = Date.now();
      expect(await t.app.get(EventRetention).pruneBatch()).toBe(0);
      expect(Date.now() - began).toBeLessThan(2000);
      await other.query('ROLLBACK');
      expect(await t.app.get(EventRetention).pruneBatch()).toBeGreaterThanOrEqual(2);
      const rows = await t.dataSource.query<unknown[]>(`SELECT 1 FROM events WHERE id IN ($1, $2)`, [first, second]);
      expect(rows).toEqual([]);
    } finally {
      await other.end();
    }
  });
});

describe('webhook delivery retention', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The loop runs for real here, every 200 ms.
    t = await startTestApp({ WEBHOOK_WORKER_ENABLED: 'false', RETENTION_INTERVAL_MS: '200', WEBHOOK_DELIVERY_RETENTION_DAYS: '7', EVENT_RETENTION_DAYS: '0' });
  });
  afterAll(async () => t?.close());

  test('finished deliveries older than the retention go; pending and recent ones stay', async () => {
    const [{ id: hook }] = await t.dataSource.query<Array<{ id: number }>>(
      `INSERT INTO webhooks (name, url, events, secret) VALUES ('r', 'https://hooks.example.com/r', '{*}', 'whsec_x') RETURNING id`,
    );
    const rows: Array<[string, string | null, string]> = [
      ['succeeded', '10 days', 'old-ok'],
      ['failed', '8 days', 'old-failed'],
      ['pending', null, 'pending'],
      ['succeeded', '1 day', 'recent'],
    ];
    const events: number[] = [];
    for (const [status, age, label] of rows) {
      const event = await oldEvent(t, 20, `for-${label}`);
      events.push(event);
      await t.dataSource.query(
        `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, completed_at, last_error)
         VALUES ($1, $2, 'contact.updated', $3, now() - $4::interval, $5)`,
        [hook, event, status, age, label],
      );
    }
    await expect
      .poll(
        async () => (await t.dataSource.query<Array<{ last_error: string }>>(`SELECT last_error FROM webhook_deliveries ORDER BY id`)).map((r) => r.last_error),
        {
          timeout: 5000,
        },
      )
      .toEqual(['pending', 'recent']);
    expect(await t.app.get(DeliveryRetention).pruneBatch()).toBe(0);
    // With EVENT_RETENTION_DAYS=0 the 20-day-old events stay.
    expect((await t.dataSource.query<unknown[]>(`SELECT 1 FROM events WHERE id = ANY($1::bigint[])`, [events])).length).toBe(4);
  });
});
