import { createHmac } from 'node:crypto';
import { EventsService } from '../../src/modules/events/events.service.js';
import type { EventScope, EventType } from '../../src/modules/events/event-types.js';
import { WebhookWorker } from '../../src/modules/webhooks/webhook-worker.js';
import { createAgent } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type Hit, Receiver } from '../support/webhook-receiver.js';

let t: TestApp;
let admin: string;
const receiver = new Receiver<{ id: number; type: string; created_at: string; data: Record<string, unknown> }>();

beforeAll(async () => {
  await receiver.start();
  t = await startTestApp({
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_TIMEOUT_MS: '600',
    WEBHOOK_RETRY_BASE_MS: '100',
    WEBHOOK_RETRY_MAX_MS: '1500',
    WEBHOOK_MAX_ATTEMPTS: '30',
    WEBHOOK_DISABLE_AFTER_FAILURES: '2',
  });
  admin = t.token(t.admin);
});
afterAll(async () => {
  await t?.close();
  await receiver.close();
});

async function record(type: EventType, payload: object, scope?: EventScope): Promise<void> {
  await t.dataSource.transaction((m) => t.app.get(EventsService).record(m, type, payload, scope));
}

async function lastEventId(): Promise<number> {
  await t.app.get(EventsService).numberCommitted();
  const [row] = await t.dataSource.query(`SELECT COALESCE(max(id), 0)::int AS id FROM events`);
  return row.id;
}

async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createWebhook(body: Record<string, unknown>) {
  const res = await t.http.post('/api/v1/webhooks').set('Authorization', admin).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as { id: number; secret: string; url: string; events: string[]; enabled: boolean; disabled_reason: string | null };
}

async function deliveries(webhookId: number, query: Record<string, string | number> = {}) {
  const res = await t.http.get(`/api/v1/webhooks/${webhookId}/deliveries`).query(query).set('Authorization', admin);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as {
    results: Array<{
      id: number;
      event_id: number;
      event_type: string;
      status: string;
      attempts: number;
      response_status: number | null;
      last_error: string | null;
    }>;
    total: number;
    page: number;
    per_page: number;
    total_pages: number;
  };
}

function verify(hit: Hit<{ id: number }>, secret: string) {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const id = String(hit.headers['webhook-id']);
  const timestamp = String(hit.headers['webhook-timestamp']);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${hit.raw}`).digest('base64');
  expect(hit.headers['webhook-signature']).toBe(`v1,${expected}`);
  expect(hit.headers['x-libredesk-signature']).toBe(`sha256=${createHmac('sha256', key).update(hit.raw).digest('hex')}`);
  expect(id).toBe(String(hit.body.id));
  expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
  expect(hit.headers['content-type']).toBe('application/json');
}

describe('webhook management', () => {
  test('create shows the secret once; get, list and update mask it; delete removes it', async () => {
    const created = await createWebhook({ name: '  CRM  ', url: receiver.url('/crud'), events: ['conversation.created', 'message.created'] });
    expect(created).toEqual({
      id: expect.any(Number),
      name: 'CRM',
      url: receiver.url('/crud'),
      events: ['conversation.created', 'message.created'],
      enabled: true,
      is_active: true,
      payload_format: 'standard',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
      disabled_reason: null,
    });
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const masked = `whsec_********${created.secret.slice(-4)}`;

    const got = await t.http.get(`/api/v1/webhooks/${created.id}`).set('Authorization', admin);
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual({ ...created, secret: masked });
    const list = await t.http.get('/api/v1/webhooks').set('Authorization', admin);
    expect(list.body.data).toContainEqual({ ...created, secret: masked });

    const updated = await t.http
      .put(`/api/v1/webhooks/${created.id}`)
      .set('Authorization', admin)
      .send({ events: ['*', 'contact.created'], enabled: false, secret: 'a-plain-libredesk-secret' });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({
      name: 'CRM',
      url: created.url,
      events: ['*'],
      enabled: false,
      is_active: false,
      secret: '********cret',
      disabled_reason: null,
    });

    const given = await createWebhook({ name: 'Given secret', url: receiver.url('/crud2'), secret: 'my-own-secret-0123456789' });
    expect(given.secret).toBe('my-own-secret-0123456789');
    expect(given.events).toEqual(['*']);

    for (const id of [created.id, given.id]) {
      expect((await t.http.delete(`/api/v1/webhooks/${id}`).set('Authorization', admin)).body).toEqual({ status: 'success', data: true });
      expect((await t.http.get(`/api/v1/webhooks/${id}`).set('Authorization', admin)).status).toBe(404);
    }
  });

  test('rejects bad input with 400 and unknown webhooks with 404', async () => {
    const bad: Array<Record<string, unknown>> = [
      {},
      { name: '', url: receiver.url('/x') },
      { name: 'x' },
      { name: 'x', url: 'not a url' },
      { name: 'x', url: 'ftp://example.com/hook' },
      { name: 'x', url: 'file:///etc/passwd' },
      { name: 'x', url: receiver.url('/x'), events: [] },
      { name: 'x', url: receiver.url('/x'), events: ['conversation.deleted'] },
      { name: 'x', url: receiver.url('/x'), events: 'conversation.created' },
      { name: 'x', url: receiver.url('/x'), enabled: 'yes' },
      { name: 'x', url: receiver.url('/x'), secret: 'short' },
      { name: 'x', url: receiver.url('/x'), secret: 'whsec_dG9vc2hvcnQ=' },
      { name: 42, url: receiver.url('/x') },
    ];
    for (const body of bad) {
      const res = await t.http.post('/api/v1/webhooks').set('Authorization', admin).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_type).toBe('InputException');
    }
    const put = await t.http.put('/api/v1/webhooks/999999').set('Authorization', admin).send({ name: 'x' });
    expect(put.status).toBe(404);
    expect((await t.http.delete('/api/v1/webhooks/999999').set('Authorization', admin)).status).toBe(404);
    expect((await t.http.get('/api/v1/webhooks/abc').set('Authorization', admin)).status).toBe(400);
    expect((await t.http.get('/api/v1/webhooks/999999/deliveries').set('Authorization', admin)).status).toBe(404);
    const hook = await createWebhook({ name: 'v', url: receiver.url('/validate'), enabled: false });
    const badPut = await t.http.put(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin).send({ url: 'gopher://x' });
    expect(badPut.status).toBe(400);
    expect((await t.http.get(`/api/v1/webhooks/${hook.id}/deliveries?status=lost`).set('Authorization', admin)).status).toBe(400);
    expect((await t.http.get(`/api/v1/webhooks/${hook.id}/deliveries?page=0`).set('Authorization', admin)).status).toBe(400);
    await t.http.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
  });

  test('needs webhooks:manage', async () => {
    const agent = await createAgent(t, { roles: ['Agent'] });
    const auth = t.token(agent);
    for (const [method, path] of [
      ['get', '/api/v1/webhooks'],
      ['post', '/api/v1/webhooks'],
      ['get', '/api/v1/webhooks/1'],
      ['put', '/api/v1/webhooks/1'],
      ['delete', '/api/v1/webhooks/1'],
      ['get', '/api/v1/webhooks/1/deliveries'],
      ['post', '/api/v1/webhooks/1/deliveries/1/redeliver'],
    ] as const) {
      const res = await t.http[method](path).set('Authorization', auth).send({});
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error_type).toBe('PermissionException');
      expect((await t.http[method](path)).status).toBe(401);
    }
  });

  test('refuses loopback, private, link-local and metadata targets unless allowed', async () => {
    t.config.WEBHOOK_ALLOW_PRIVATE_TARGETS = false;
    try {
      for (const url of [
        receiver.url('/ssrf'),
        'http://localhost/hook',
        'http://[::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://[::ffff:a9fe:a9fe]/hook',
        'http://0.0.0.0/hook',
        'http://0/hook',
        'http://2130706433/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://10.1.2.3/hook',
        'http://172.20.0.1/hook',
        'https://192.168.1.10/hook',
        'http://100.100.100.200/hook',
        'http://[fd00:ec2::254]/hook',
        'http://[fe80::1]/hook',
        'http://no-such-host.invalid/hook',
      ]) {
        const res = await t.http.post('/api/v1/webhooks').set('Authorization', admin).send({ name: 'ssrf', url });
        expect(res.status, url).toBe(400);
        expect(res.body.data.fields.url, url).toMatch(/refused/);
      }
      const publicTarget = await createWebhook({ name: 'public', url: 'https://93.184.215.14/hook', enabled: false });
      const moved = await t.http.put(`/api/v1/webhooks/${publicTarget.id}`).set('Authorization', admin).send({ url: 'http://127.0.0.1/hook' });
      expect(moved.status).toBe(400);
      await t.http.delete(`/api/v1/webhooks/${publicTarget.id}`).set('Authorization', admin);
    } finally {
      t.config.WEBHOOK_ALLOW_PRIVATE_TARGETS = true;
    }
  });

  test('is documented in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    expect(doc.paths['/api/v1/webhooks'].post.operationId).toBe('handleCreateWebhook');
    expect(doc.paths['/api/v1/webhooks'].post.tags).toEqual(['Webhooks']);
    expect(doc.paths['/api/v1/webhooks/{id}/deliveries'].get.operationId).toBe('handleGetWebhookDeliveries');
    expect(doc.paths['/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver'].post.operationId).toBe('handleRedeliverWebhook');
    expect(Object.keys(doc.components.schemas.WebhookDto.properties).sort()).toEqual(
      ['created_at', 'disabled_reason', 'enabled', 'events', 'id', 'is_active', 'name', 'payload_format', 'secret', 'updated_at', 'url'].sort(),
    );
    expect(doc.components.schemas.CreateWebhookRequest.required).toEqual(['name', 'url']);
  });
});

describe('webhook delivery', () => {
  test('delivers matching events in order, signed, with a delivery log', async () => {
    const hook = await createWebhook({ name: 'signed', url: receiver.url('/signed'), events: ['conversation.created', 'message.created'] });
    const payload = { conversation: { uuid: '2c1f8f1e-5a8e-4d0b-9c51-1f4e0c2d9a11', subject: 'Hello' } };
    await record('conversation.created', payload, { conversationId: 1 });
    await record('contact.created', { contact: { id: 1 } });
    await record('message.created', { message: { uuid: 'm-1', content: 'Hi' } }, { conversationId: 1 });
    const last = await lastEventId();

    const hits = await waitFor(() => receiver.at('/signed').length >= 2 && receiver.at('/signed'), 'two deliveries');
    expect(hits.map((h) => h.body.type)).toEqual(['conversation.created', 'message.created']);
    expect(hits[0].body).toEqual({ id: last - 2, type: 'conversation.created', created_at: expect.any(String), data: payload });
    expect(hits[1].body.id).toBe(last);
    for (const hit of hits) verify(hit, hook.secret);

    const log = await waitFor(async () => {
      const page = await deliveries(hook.id);
      return page.results.every((d) => d.status === 'succeeded') && page.total === 2 && page;
    }, 'the log to settle');
    expect(log).toMatchObject({ total: 2, page: 1, per_page: 30, total_pages: 1 });
    expect(log.results.map((d) => d.event_id)).toEqual([last, last - 2]);
    expect(log.results[0]).toEqual({
      id: expect.any(Number),
      event_id: last,
      event_type: 'message.created',
      status: 'succeeded',
      attempts: 1,
      response_status: 200,
      last_error: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      last_attempt_at: expect.any(String),
      next_attempt_at: null,
      completed_at: expect.any(String),
    });
    const paged = await deliveries(hook.id, { page: 2, page_size: 1, status: 'succeeded' });
    expect(paged).toMatchObject({ total: 2, per_page: 1, total_pages: 2, page: 2 });
    expect(paged.results.map((d) => d.event_id)).toEqual([last - 2]);
    await t.http.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
  });

  test('a receiver that fails, throttles and hangs gets every event afterwards, in order, once each', async () => {
    let calls = 0;
    receiver.script('/outage', () => {
      calls++;
      if (calls <= 3) return { status: 500 };
      if (calls === 4) return { status: 429, headers: { 'retry-after': '1' } };
      if (calls === 5) return 'hang';
      if (calls === 6) return { status: 503 };
      return { status: 200 };
    });
    const hook = await createWebhook({ name: 'outage', url: receiver.url('/outage') });
    const first = (await lastEventId()) + 1;
    for (let i = 0; i < 6; i++) await record('contact.updated', { contact: { id: i } });
    const expected = Array.from({ length: 6 }, (_, i) => first + i);

    // Extra claimers race the background worker, as other server instances would.
    const worker = t.app.get(WebhookWorker);
    let racing = true;
    const racers = Promise.all(
      [0, 1].map(async () => {
        while (racing) {
          await worker.runOnce();
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    const acked = () => receiver.at('/outage').filter((h) => h.answered === 200);
    try {
      await waitFor(() => acked().length >= 6, 'all six events to be acknowledged', 40_000);
    } finally {
      racing = false;
      await racers;
    }
    await new Promise((r) => setTimeout(r, 300));

    const hits = receiver.at('/outage');
    expect(acked().map((h) => h.body.id)).toEqual(expected);
    // Never event N+1 before N was acknowledged: the ids of all attempts never go down.
    const ids = hits.map((h) => h.body.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.filter((id) => id === first)).toHaveLength(7);
    const throttled = hits.findIndex((h) => h.answered === 429);
    expect(hits[throttled + 1].at - hits[throttled].at).toBeGreaterThanOrEqual(950);
    expect(hits[throttled + 2].at - hits[throttled + 1].at).toBeGreaterThanOrEqual(1800); // 600 ms timeout, then a 1.5 s backoff
    for (const hit of hits) verify(hit, hook.secret);
    expect(new Set(hits.filter((h) => h.body.id === first).map((h) => h.headers['webhook-id']))).toEqual(new Set([String(first)]));

    const log = await deliveries(hook.id);
    expect(log.results.map((d) => [d.event_id, d.status])).toEqual(expected.map((id) => [id, 'succeeded']).reverse());
    expect(log.results.at(-1)).toMatchObject({ attempts: 7, response_status: 200, last_error: null });
    await t.http.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
  });

  test('4xx fails without retry; repeated failure disables the webhook; enabling resumes; redelivery resends', async () => {
    let accept = false;
    receiver.script('/gone', () => (accept ? { status: 200 } : { status: 410 }));
    const hook = await createWebhook({ name: 'flaky', url: receiver.url('/gone'), events: ['contact.created'] });
    const first = (await lastEventId()) + 1;
    await record('contact.created', { contact: { id: 'a' } });
    await record('contact.created', { contact: { id: 'b' } });

    const disabled = await waitFor(async () => {
      const res = await t.http.get(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
      return !res.body.data.enabled && res.body.data;
    }, 'the webhook to be disabled');
    expect(disabled.disabled_reason).toMatch(/2 deliveries in a row failed.*HTTP 410/);
    const failed = await deliveries(hook.id);
    expect(failed.results.map((d) => [d.event_id, d.status, d.attempts, d.response_status])).toEqual([
      [first + 1, 'failed', 1, 410],
      [first, 'failed', 1, 410],
    ]);
    expect(receiver.at('/gone')).toHaveLength(2);

    // While disabled, nothing is sent and redelivery is refused.
    await record('contact.created', { contact: { id: 'c' } });
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.at('/gone')).toHaveLength(2);
    const refused = await t.http.post(`/api/v1/webhooks/${hook.id}/deliveries/${failed.results[1].id}/redeliver`).set('Authorization', admin);
    expect(refused.status).toBe(409);

    accept = true;
    const enabled = await t.http.put(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin).send({ enabled: true });
    expect(enabled.body.data).toMatchObject({ enabled: true, disabled_reason: null });
    await waitFor(
      () => receiver.at('/gone').some((h) => h.body.data.contact && (h.body.data.contact as { id: string }).id === 'c'),
      'the event recorded while disabled',
    );

    const again = await t.http.post(`/api/v1/webhooks/${hook.id}/deliveries/${failed.results[1].id}/redeliver`).set('Authorization', admin);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: failed.results[1].id, event_id: first, status: 'pending', attempts: 0 });
    await waitFor(async () => (await deliveries(hook.id, { status: 'succeeded' })).total === 2, 'the redelivery to succeed');
    const resent = receiver.at('/gone').filter((h) => h.body.id === first);
    expect(resent.map((h) => h.answered)).toEqual([410, 200]);
    expect(resent[1].headers['webhook-id']).toBe(String(first));

    expect((await t.http.post(`/api/v1/webhooks/${hook.id}/deliveries/999999/redeliver`).set('Authorization', admin)).status).toBe(404);
    expect((await t.http.post(`/api/v1/webhooks/${hook.id}/deliveries/abc/redeliver`).set('Authorization', admin)).status).toBe(400);
    expect((await t.http.post(`/api/v1/webhooks/999999/deliveries/1/redeliver`).set('Authorization', admin)).status).toBe(404);
    await t.http.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
  });

  test('a target that resolves to a private address at delivery time is refused (DNS rebinding)', async () => {
    const hook = await createWebhook({ name: 'rebound', url: `http://localhost:${receiver.port}/rebound` });
    t.config.WEBHOOK_ALLOW_PRIVATE_TARGETS = false;
    try {
      await record('contact.updated', { contact: { id: 'x' } });
      const log = await waitFor(async () => {
        const page = await deliveries(hook.id);
        return page.results[0]?.status === 'failed' && page;
      }, 'the delivery to be refused');
      expect(log.results[0]).toMatchObject({ attempts: 1, response_status: null, last_error: expect.stringMatching(/^Refused/) });
      expect(receiver.at('/rebound')).toHaveLength(0);
    } finally {
      t.config.WEBHOOK_ALLOW_PRIVATE_TARGETS = true;
      await t.http.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
    }
  });

  test('a delivery claimed by a worker that crashed is sent once its lease expires', async () => {
    const hook = await createWebhook({ name: 'crash', url: receiver.url('/crash'), enabled: false });
    await record('contact.created', { contact: { id: 'orphan' } });
    const eventId = await lastEventId();
    // What a worker leaves behind when it dies mid-delivery: a leased, pending delivery.
    await t.dataSource.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, attempts, locked_until, lease_token, last_attempt_at)
       VALUES ($1, $2, 'contact.created', 1, now() + interval '1 second', gen_random_uuid(), now())`,
      [hook.id, eventId],
    );
    await t.dataSource.query(`UPDATE webhooks SET fanout_cursor = $2 WHERE id = $1`, [hook.id, eventId]);
    const enabledAt = Date.now();
    await t.http.put(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin).send({ enabled: true });
    const [hit] = await waitFor(() => receiver.at('/crash').length > 0 && receiver.at('/crash'), 'the orphaned delivery');
    expect(hit.body.id).toBe(eventId);
    expect(hit.at - enabledAt).toBeGreaterThanOrEqual(500);
    const log = await waitFor(async () => {
      const page = await deliveries(hook.id);
      return page.results[0]?.status === 'succeeded' && page;
    }, 'the delivery to settle');
    expect(log.results).toHaveLength(1);
    expect(log.results[0]).toMatchObject({ event_id: eventId, attempts: 2 });
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.at('/crash')).toHaveLength(1);
    await t.http.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
  });

  test('a new webhook gets only events recorded after it was created', async () => {
    await record('contact.created', { contact: { id: 'before' } });
    const hook = await createWebhook({ name: 'fresh', url: receiver.url('/fresh') });
    await record('contact.created', { contact: { id: 'after' } });
    await waitFor(() => receiver.at('/fresh').length >= 1, 'the delivery');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/fresh').map((h) => h.body.data)).toEqual([{ contact: { id: 'after' } }]);
    await t.http.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin);
  });
});
