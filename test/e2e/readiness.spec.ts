import { MailWorker } from '../../src/modules/mail/mail-worker.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** GET /health/ready: 200 with each check's details when ready, 503 in the error envelope naming what is not. */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

test('ready: database, migrations and every enabled worker are up', async () => {
  const res = await t.http.get('/health/ready').expect(200);
  expect(res.body.status).toBe('success');
  expect(res.body.data).toMatchObject({
    status: 'ok',
    details: {
      database: { status: 'up' },
      migrations: { status: 'up', applied: expect.any(Number) },
      workers: { status: 'up', MailWorker: { enabled: true, running: true }, WebhookWorker: { running: true }, EventSequencer: { running: true } },
    },
  });
  // Liveness keeps the contract's shape.
  expect((await t.http.get('/health').expect(200)).body).toEqual({ status: 'success', data: true });
});

test('a migration that is not applied makes the instance not ready', async () => {
  const [last] = await t.dataSource.query<Array<{ id: number; timestamp: string; name: string }>>(
    `SELECT id, timestamp, name FROM migrations ORDER BY timestamp DESC LIMIT 1`,
  );
  await t.dataSource.query(`DELETE FROM migrations WHERE id = $1`, [last.id]);
  try {
    const res = await t.http.get('/health/ready').expect(503);
    expect(res.body).toMatchObject({
      status: 'error',
      error_type: 'GeneralException',
      message: 'Not ready: migrations',
      data: { status: 'error', error: { migrations: { status: 'down', message: 'migrations are pending' } }, details: { database: { status: 'up' } } },
    });
  } finally {
    await t.dataSource.query(`INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [last.id, last.timestamp, last.name]);
  }
  await t.http.get('/health/ready').expect(200);
});

test('a stopped background worker makes the instance not ready; liveness stays up', async () => {
  await t.app.get(MailWorker).beforeApplicationShutdown();
  const res = await t.http.get('/health/ready').expect(503);
  expect(res.body.message).toBe('Not ready: workers');
  expect(res.body.data.error.workers).toMatchObject({ status: 'down', MailWorker: { running: false }, message: expect.stringContaining('MailWorker') });
  await t.http.get('/health').expect(200);
});
