import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { createAgent, createConversation, createTeam, startConversationsApp } from './conversations.fixtures.js';
import type { TestApp } from '../support/test-app.js';
import { type Hit, Receiver } from '../support/webhook-receiver.js';

/** Libredesk-compatible webhook admin (issue 17 item 6): is_active, toggle, test, compact, payload_format libredesk. */

let t: TestApp;
let admin: string;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  t = await startConversationsApp({
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_RETRY_BASE_MS: '100',
    WEBHOOK_RETRY_MAX_MS: '400',
    WEBHOOK_MAX_ATTEMPTS: '10',
  });
  admin = t.token(t.admin);
});
afterAll(async () => {
  await t?.close();
  await receiver.close();
});

async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Webhook = { id: number; name: string; secret: string; enabled: boolean; is_active: boolean; payload_format: string; disabled_reason: string | null };

async function createWebhook(body: Record<string, unknown>): Promise<Webhook> {
  const res = await t.http.post('/api/v1/webhooks').set('Authorization', admin).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as Webhook;
}

const remove = (id: number) => t.http.delete(`/api/v1/webhooks/${id}`).set('Authorization', admin).expect(200);
const testHook = (id: number) => t.http.post(`/api/v1/webhooks/${id}/test`).set('Authorization', admin);

/** Upstream's recipe: `sha256=` + hex HMAC-SHA256 of the raw body, keyed with the secret string's UTF-8 bytes. */
function verifyLibredesk(hit: Hit, secret: string) {
  const expected = `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(hit.raw).digest('hex')}`;
  expect(hit.headers['x-libredesk-signature']).toBe(expected);
  expect(hit.headers['webhook-signature']).toBeUndefined();
  expect(hit.headers['content-type']).toBe('application/json');
  expect(hit.headers['user-agent']).toMatch(/^Libredesk-Webhook\//);
  expect(Object.keys(hit.body)).toEqual(['event', 'payload', 'timestamp']);
  expect(hit.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(Math.abs(Date.parse(hit.body.timestamp as string) - Date.now())).toBeLessThan(60_000);
}

describe('is_active and enabled', () => {
  test('either name is accepted on create and update, both are returned, and different values are a 400', async () => {
    const a = await createWebhook({ name: 'A', url: receiver.url('/a'), events: ['contact.created'], is_active: false });
    expect(a).toMatchObject({ enabled: false, is_active: false, payload_format: 'standard' });
    const b = await createWebhook({ name: 'B', url: receiver.url('/b'), events: ['contact.created'], enabled: false, is_active: false });
    expect(b).toMatchObject({ enabled: false, is_active: false });
    const c = await createWebhook({ name: 'C', url: receiver.url('/c'), events: ['contact.created'] });
    expect(c).toMatchObject({ enabled: true, is_active: true });

    const put = await t.http.put(`/api/v1/webhooks/${a.id}`).set('Authorization', admin).send({ is_active: true });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ enabled: true, is_active: true });
    const got = await t.http.get(`/api/v1/webhooks/${a.id}`).set('Authorization', admin).expect(200);
    expect(got.body.data).toMatchObject({ enabled: true, is_active: true });

    const conflict = await t.http
      .post('/api/v1/webhooks')
      .set('Authorization', admin)
      .send({ name: 'D', url: receiver.url('/d'), enabled: true, is_active: false });
    expect(conflict.status).toBe(400);
    expect(conflict.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(conflict.body.message).toContain('is_active');
    const before = (await t.http.get('/api/v1/webhooks').set('Authorization', admin)).body.data.length;
    expect(before).toBe(3); // nothing half-written
    const putConflict = await t.http.put(`/api/v1/webhooks/${a.id}`).set('Authorization', admin).send({ enabled: false, is_active: true, name: 'changed' });
    expect(putConflict.status).toBe(400);
    expect((await t.http.get(`/api/v1/webhooks/${a.id}`).set('Authorization', admin)).body.data).toMatchObject({ name: 'A', enabled: true });

    for (const body of [{ is_active: 'yes' }, { is_active: null }, { payload_format: 'slack' }, { payload_format: null }]) {
      const res = await t.http.put(`/api/v1/webhooks/${a.id}`).set('Authorization', admin).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const bad = await t.http
      .post('/api/v1/webhooks')
      .set('Authorization', admin)
      .send({ name: 'E', url: receiver.url('/e'), payload_format: 'LIBREDESK' });
    expect(bad.status).toBe(400);
    for (const hook of [a, b, c]) await remove(hook.id);
  });
});

describe('toggle and compact', () => {
  test('toggle flips enabled/is_active and returns the webhook; re-enabling clears disabled_reason', async () => {
    const hook = await createWebhook({ name: 'Toggle me', url: receiver.url('/toggle'), events: ['contact.created'] });
    const off = await t.http.put(`/api/v1/webhooks/${hook.id}/toggle`).set('Authorization', admin);
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('success');
    expect(off.body.data).toMatchObject({ id: hook.id, name: 'Toggle me', enabled: false, is_active: false, secret: `whsec_********${hook.secret.slice(-4)}` });

    // As if the worker had disabled it after failures: toggling it back on clears the reason and the streak.
    await t.dataSource.query(`UPDATE webhooks SET disabled_reason = 'failing', consecutive_failures = 5 WHERE id = $1`, [hook.id]);
    const on = await t.http.put(`/api/v1/webhooks/${hook.id}/toggle`).set('Authorization', admin).expect(200);
    expect(on.body.data).toMatchObject({ enabled: true, is_active: true, disabled_reason: null });
    const [row] = await t.dataSource.query(`SELECT consecutive_failures FROM webhooks WHERE id = $1`, [hook.id]);
    expect(row.consecutive_failures).toBe(0);

    // Two toggles at once are two flips.
    await Promise.all([1, 2].map(() => t.http.put(`/api/v1/webhooks/${hook.id}/toggle`).set('Authorization', admin).expect(200)));
    expect((await t.http.get(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin)).body.data.enabled).toBe(true);

    expect((await t.http.put('/api/v1/webhooks/999999/toggle').set('Authorization', admin)).status).toBe(404);
    expect((await t.http.put('/api/v1/webhooks/abc/toggle').set('Authorization', admin)).status).toBe(400);
    await remove(hook.id);
  });

  test('compact lists ids and names by name for any agent; it is not taken for an {id}', async () => {
    const z = await createWebhook({ name: 'Zeta', url: receiver.url('/z'), events: ['contact.created'], enabled: false });
    const a = await createWebhook({ name: 'alpha', url: receiver.url('/al'), events: ['contact.created'], enabled: false });
    const m = await createWebhook({ name: 'Mu', url: receiver.url('/mu'), events: ['contact.created'], enabled: false });
    const agent = await createAgent(t);
    for (const auth of [admin, t.token(agent)]) {
      const res = await t.http.get('/api/v1/webhooks/compact').set('Authorization', auth);
      expect(res.status).toBe(200);
      const names = (res.body.data as Array<{ id: number; name: string }>).map((w) => w.name);
      expect(names).toEqual([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      expect(res.body.data).toEqual(
        expect.arrayContaining([
          { id: z.id, name: 'Zeta' },
          { id: a.id, name: 'alpha' },
          { id: m.id, name: 'Mu' },
        ]),
      );
      for (const item of res.body.data) expect(Object.keys(item).sort()).toEqual(['id', 'name']);
    }
    expect((await t.http.get('/api/v1/webhooks/compact')).status).toBe(401);
    for (const hook of [z, a, m]) await remove(hook.id);
  });

  test('toggle and test need webhooks:manage', async () => {
    const hook = await createWebhook({ name: 'perm', url: receiver.url('/perm'), events: ['contact.created'], enabled: false });
    const agent = t.token(await createAgent(t));
    for (const res of [
      await t.http.put(`/api/v1/webhooks/${hook.id}/toggle`).set('Authorization', agent),
      await t.http.post(`/api/v1/webhooks/${hook.id}/test`).set('Authorization', agent),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error_type).toBe('PermissionException');
    }
    expect((await t.http.put(`/api/v1/webhooks/${hook.id}/toggle`)).status).toBe(401);
    expect(receiver.at('/perm')).toHaveLength(0);
    expect((await t.http.get(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin)).body.data.enabled).toBe(false);
    await remove(hook.id);
  });
});

describe('POST /webhooks/{id}/test', () => {
  test('sends a signed webhook.test event and reports the 2xx with its timing, also when the webhook is disabled', async () => {
    const hook = await createWebhook({ name: 'Test me', url: receiver.url('/test-ok'), events: ['contact.created'], enabled: false });
    const res = await testHook(hook.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      success: true,
      response_status: 200,
      duration_ms: expect.any(Number),
      error: null,
      webhook_id: expect.stringMatching(/^test_/),
    });
    const [hit] = receiver.at('/test-ok');
    expect(hit.body).toEqual({ id: res.body.data.webhook_id, type: 'webhook.test', created_at: expect.any(String), data: { id: hook.id, name: 'Test me' } });
    const key = Buffer.from(hook.secret.slice(6), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${String(hit.headers['webhook-id'])}.${String(hit.headers['webhook-timestamp'])}.${hit.raw}`)
      .digest('base64');
    expect(hit.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(hit.headers['webhook-id']).toBe(res.body.data.webhook_id);
    // Not a delivery of the log.
    const log = await t.http.get(`/api/v1/webhooks/${hook.id}/deliveries`).set('Authorization', admin).expect(200);
    expect(log.body.data.total).toBe(0);
    await remove(hook.id);
  });

  test('a receiver answering 500 is a failure with its status; the test is not retried', async () => {
    receiver.script('/test-500', () => ({ status: 500 }));
    const hook = await createWebhook({ name: 'Broken', url: receiver.url('/test-500'), events: ['contact.created'] });
    const res = await testHook(hook.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ success: false, response_status: 500, error: 'HTTP 500: nope 500' });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.at('/test-500')).toHaveLength(1);
    await remove(hook.id);
  });

  test('an unreachable receiver and one that never answers are failures without a status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await createWebhook({ name: 'Down', url: `http://127.0.0.1:${port}/gone`, events: ['contact.created'] });
    const refused = await testHook(down.id);
    expect(refused.status).toBe(200);
    expect(refused.body.data).toMatchObject({ success: false, response_status: null, error: expect.stringMatching(/^Network error: .*ECONNREFUSED/) });

    receiver.script('/test-hang', () => 'hang');
    const slow = await createWebhook({ name: 'Slow', url: receiver.url('/test-hang'), events: ['contact.created'] });
    const timedOut = await testHook(slow.id);
    expect(timedOut.status).toBe(200);
    expect(timedOut.body.data).toMatchObject({ success: false, response_status: null, error: 'Timed out after 2000 ms' });
    expect(timedOut.body.data.duration_ms).toBeGreaterThanOrEqual(1990);

    expect((await testHook(999999)).status).toBe(404);
    expect((await t.http.post('/api/v1/webhooks/0/test').set('Authorization', admin)).status).toBe(400);
    for (const hook of [down, slow]) await remove(hook.id);
  });

  test("a libredesk-format webhook gets upstream's test body and signature", async () => {
    const secret = 'my-libredesk-secret-123';
    const hook = await createWebhook({ name: 'LD test', url: receiver.url('/test-ld'), events: ['contact.created'], payload_format: 'libredesk', secret });
    expect(hook.payload_format).toBe('libredesk');
    const res = await testHook(hook.id);
    expect(res.body.data).toMatchObject({ success: true, response_status: 200 });
    const [hit] = receiver.at('/test-ld');
    verifyLibredesk(hit, secret);
    expect(hit.body).toMatchObject({ event: 'webhook.test', payload: { id: hook.id, name: 'LD test' } });
    await remove(hook.id);
  });
});

describe('documentation', () => {
  test('the new operations and fields are in /docs-json with request and response schemas', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    const ops = {
      compact: doc.paths['/api/v1/webhooks/compact'].get,
      toggle: doc.paths['/api/v1/webhooks/{id}/toggle'].put,
      test: doc.paths['/api/v1/webhooks/{id}/test'].post,
    };
    expect(ops.compact.operationId).toBe('handleGetWebhooksCompact');
    expect(ops.toggle.operationId).toBe('handleToggleWebhook');
    expect(ops.test.operationId).toBe('handleTestWebhook');
    const data = (op: { responses: Record<string, { content: Record<string, { schema: { allOf: Array<{ properties?: { data?: unknown } }> } }> }> }) =>
      JSON.stringify(op.responses['200'].content['application/json'].schema);
    expect(data(ops.compact)).toContain('WebhookCompactDto');
    expect(data(ops.toggle)).toContain('WebhookDto');
    expect(data(ops.test)).toContain('WebhookTestResultDto');
    expect(Object.keys(doc.components.schemas.WebhookTestResultDto.properties).sort()).toEqual([
      'duration_ms',
      'error',
      'response_status',
      'success',
      'webhook_id',
    ]);
    for (const name of ['CreateWebhookRequest', 'UpdateWebhookRequest']) {
      const props = doc.components.schemas[name].properties;
      expect(props.is_active.type).toBe('boolean');
      expect(props.payload_format.enum).toEqual(['standard', 'libredesk']);
    }
    expect(ops.test.responses['404']).toBeDefined();
  });
});

describe('saving what was read', () => {
  test('a webhook read and PUT back unchanged (masked secret, ours or upstream\'s "•") keeps its secret', async () => {
    const secret = 'keep-this-secret-0123';
    const hook = await createWebhook({ name: 'Round trip', url: receiver.url('/round'), events: ['contact.created'], payload_format: 'libredesk', secret });
    const read = (await t.http.get(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin).expect(200)).body.data;
    expect(read.secret).toBe('********0123');
    for (const masked of [read.secret, '\u2022'.repeat(10)]) {
      const res = await t.http
        .put(`/api/v1/webhooks/${hook.id}`)
        .set('Authorization', admin)
        .send({ name: read.name, url: read.url, events: read.events, secret: masked, is_active: read.is_active });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.secret).toBe('********0123');
      expect((await testHook(hook.id)).body.data.success).toBe(true);
      verifyLibredesk(receiver.at('/round').at(-1)!, secret);
    }
    const rotated = await t.http.put(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin).send({ secret: 'a-brand-new-secret-456' }).expect(200);
    expect(rotated.body.data.secret).toBe('********-456');
    await testHook(hook.id);
    verifyLibredesk(receiver.at('/round').at(-1)!, 'a-brand-new-secret-456');
    expect(
      (
        await t.http
          .post('/api/v1/webhooks')
          .set('Authorization', admin)
          .send({ name: 'm', url: receiver.url('/m'), secret: '********0123' })
      ).status,
    ).toBe(400);
    await remove(hook.id);
  });
});

describe('payload_format: libredesk', () => {
  test('real conversation events arrive with upstream names and shapes, signed as upstream, in order', async () => {
    const hook = await createWebhook({
      name: 'Libredesk receiver',
      url: receiver.url('/ld'),
      events: [
        'conversation.created',
        'conversation.status_changed',
        'conversation.tags_changed',
        'conversation.assigned',
        'conversation.unassigned',
        'message.created',
      ],
      payload_format: 'libredesk',
    });
    const agent = await createAgent(t, { roles: ['Admin'] });
    const team = await createTeam(t);
    const c = await createConversation(t, { subject: 'Libredesk format' });
    const put = (path: string, body?: object) => t.http.put(`/api/v1/conversations/${c.uuid}/${path}`).set('Authorization', admin).send(body).expect(200);
    await put('status', { status: 'Resolved' });
    await t.http
      .post(`/api/v1/conversations/${c.uuid}/tags`)
      .set('Authorization', admin)
      .send({ tags: ['billing', 'vip'] })
      .expect(200);
    await t.http
      .post(`/api/v1/conversations/${c.uuid}/tags`)
      .set('Authorization', admin)
      .send({ tags: ['vip', 'urgent'] })
      .expect(200);
    await put('assignee/user', { assignee_id: agent.id });
    await put('assignee/team', { assignee_id: team.id });
    await put('assignee/user/remove');

    const byEvent = (name: string) => receiver.at('/ld').filter((h) => h.body.event === name);
    await waitFor(() => byEvent('conversation.unassigned').length === 1, 'the unassignment');
    for (const hit of receiver.at('/ld')) verifyLibredesk(hit, hook.secret);
    expect(receiver.at('/ld')[0].body.event).toBe('conversation.created');

    const created = byEvent('conversation.created')[0].body.payload as Record<string, unknown>;
    expect(created).toMatchObject({ uuid: c.uuid, subject: 'Libredesk format' });
    expect(byEvent('conversation.status_changed')[0].body.payload).toEqual({
      conversation_uuid: c.uuid,
      previous_status: 'Open',
      new_status: 'Resolved',
      snooze_until: '',
      actor_id: null,
    });
    expect(byEvent('conversation.tags_changed').map((h) => h.body.payload)).toEqual([
      { conversation_uuid: c.uuid, previous_tags: [], new_tags: ['billing', 'vip'], actor_id: null },
      {
        conversation_uuid: c.uuid,
        previous_tags: expect.arrayContaining(['billing', 'vip']),
        new_tags: expect.arrayContaining(['vip', 'urgent']),
        actor_id: null,
      },
    ]);
    expect(byEvent('conversation.assigned').map((h) => h.body.payload)).toContainEqual({ conversation_uuid: c.uuid, assigned_to: agent.id, actor_id: null });
    expect(byEvent('conversation.team_assigned').map((h) => h.body.payload)).toContainEqual({
      conversation_uuid: c.uuid,
      team_id: team.id,
      previous_team_id: null,
      actor_id: null,
    });
    expect(byEvent('conversation.unassigned')[0].body.payload).toEqual({ conversation_uuid: c.uuid, actor_id: null });
    const message = byEvent('message.created')[0].body.payload as Record<string, unknown>;
    expect(message).toMatchObject({ uuid: expect.any(String), conversation_uuid: c.uuid });

    // The log records them like any delivery.
    const log = await t.http.get(`/api/v1/webhooks/${hook.id}/deliveries`).set('Authorization', admin).expect(200);
    expect(log.body.data.results.length).toBeGreaterThanOrEqual(6);
    await remove(hook.id);
  });

  test('failed libredesk deliveries are retried like standard ones, same body apart from the timestamp', async () => {
    let calls = 0;
    receiver.script('/ld-retry', () => (++calls <= 2 ? { status: 503 } : { status: 200 }));
    const secret = 'retry-secret-0123456789';
    const hook = await createWebhook({
      name: 'LD retry',
      url: receiver.url('/ld-retry'),
      events: ['conversation.status_changed'],
      payload_format: 'libredesk',
      secret,
    });
    const c = await createConversation(t);
    await t.http.put(`/api/v1/conversations/${c.uuid}/status`).set('Authorization', admin).send({ status: 'Closed' }).expect(200);

    const hits = await waitFor(() => receiver.at('/ld-retry').length >= 3 && receiver.at('/ld-retry'), 'three attempts');
    expect(hits).toHaveLength(3);
    for (const hit of hits) {
      verifyLibredesk(hit, secret);
      expect(hit.body.event).toBe('conversation.status_changed');
      expect(hit.body.payload).toEqual(hits[0].body.payload);
      expect(hit.headers['webhook-id']).toBe(hits[0].headers['webhook-id']);
    }
    const log = await waitFor(async () => {
      const res = await t.http.get(`/api/v1/webhooks/${hook.id}/deliveries`).set('Authorization', admin).expect(200);
      const [d] = res.body.data.results;
      return d?.status === 'succeeded' && d;
    }, 'the delivery to succeed');
    expect(log).toMatchObject({ attempts: 3, response_status: 200, event_type: 'conversation.status_changed' });
    await remove(hook.id);
  });

  test('switching a webhook between formats changes what the next delivery looks like', async () => {
    const hook = await createWebhook({ name: 'Switch', url: receiver.url('/switch'), events: ['conversation.status_changed'] });
    const c = await createConversation(t);
    await t.http.put(`/api/v1/conversations/${c.uuid}/status`).set('Authorization', admin).send({ status: 'Resolved' }).expect(200);
    await waitFor(() => receiver.at('/switch').length === 1, 'the standard delivery');
    expect(receiver.at('/switch')[0].body).toMatchObject({ type: 'conversation.status_changed', data: { conversation_uuid: c.uuid, status: 'Resolved' } });

    const res = await t.http.put(`/api/v1/webhooks/${hook.id}`).set('Authorization', admin).send({ payload_format: 'libredesk' }).expect(200);
    expect(res.body.data.payload_format).toBe('libredesk');
    await t.http.put(`/api/v1/conversations/${c.uuid}/status`).set('Authorization', admin).send({ status: 'Open' }).expect(200);
    await waitFor(() => receiver.at('/switch').length === 2, 'the libredesk delivery');
    expect(receiver.at('/switch')[1].body).toMatchObject({
      event: 'conversation.status_changed',
      payload: { previous_status: 'Resolved', new_status: 'Open' },
    });
    await remove(hook.id);
  });
});
