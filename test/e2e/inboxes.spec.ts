import type supertest from 'supertest';
import { InboxesService } from '../../src/modules/inboxes/inboxes.service.js';
import { createAgent } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const INBOX_KEYS = ['id', 'created_at', 'updated_at', 'uuid', 'name', 'channel', 'enabled', 'csat_enabled', 'from', 'smtp', 'imap', 'imap_status'].sort();
const SMTP_KEYS = ['host', 'port', 'tls', 'username', 'password_set'].sort();
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function expectInbox(value: Record<string, unknown>): void {
  expect(Object.keys(value).sort()).toEqual(INBOX_KEYS);
  expect(Object.keys(value.smtp as object).sort()).toEqual(SMTP_KEYS);
  expect(value.created_at).toMatch(ISO);
  expect(value.updated_at).toMatch(ISO);
  expect(value.uuid).toMatch(/^[0-9a-f-]{36}$/);
  expect(JSON.stringify(value)).not.toMatch(/"password"/);
}

let t: TestApp;
let auth: string;
let agentAuth: string;
beforeAll(async () => {
  t = await startTestApp();
  auth = t.token(t.admin);
  agentAuth = t.token(await createAgent(t, { roles: ['Agent'] }));
});
afterAll(async () => t?.close());

let seq = 0;
async function createInbox(body: Record<string, unknown> = {}) {
  seq += 1;
  const res = await t.http
    .post('/api/v1/inboxes')
    .set('Authorization', auth)
    .send({ name: `Inbox ${seq}`, from: `inbox${seq}@example.com`, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

describe('GET /api/v1/inboxes', () => {
  test('lists the seeded Support inbox, without SMTP settings by default', async () => {
    const res = await t.http.get('/api/v1/inboxes').set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    const support = res.body.data[0];
    expectInbox(support);
    expect(support).toMatchObject({
      name: 'Support',
      channel: 'email',
      enabled: true,
      csat_enabled: false,
      from: 'Support <support@localhost>',
      smtp: { host: '', port: 587, tls: 'starttls', username: '', password_set: false },
    });
  });
});

describe('POST /api/v1/inboxes', () => {
  test('creates an email inbox; the SMTP password is stored sealed and never returned', async () => {
    const res = await t.http
      .post('/api/v1/inboxes')
      .set('Authorization', auth)
      .send({
        name: '  Sales  ',
        from: 'Sales Team <sales@example.com>',
        csat_enabled: true,
        smtp: { host: 'smtp.example.com', port: 465, tls: 'tls', username: 'sales@example.com', password: 'hunter2-secret' },
      });
    expect(res.status).toBe(200);
    const inbox = res.body.data;
    expectInbox(inbox);
    expect(inbox).toMatchObject({
      name: 'Sales',
      channel: 'email',
      enabled: true,
      csat_enabled: true,
      from: 'Sales Team <sales@example.com>',
      smtp: { host: 'smtp.example.com', port: 465, tls: 'tls', username: 'sales@example.com', password_set: true },
    });
    expect(JSON.stringify(res.body)).not.toContain('hunter2-secret');
    const [row] = await t.dataSource.query(`SELECT config::text AS config FROM inboxes WHERE id = $1`, [inbox.id]);
    expect(row.config).not.toContain('hunter2-secret');

    const got = await t.http.get(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth).expect(200);
    expect(got.body.data).toEqual(inbox);
    const smtp = await t.app.get(InboxesService).getSmtpSettings(inbox.id);
    expect(smtp).toEqual({
      host: 'smtp.example.com',
      port: 465,
      secure: 'tls',
      username: 'sales@example.com',
      password: 'hunter2-secret',
      from: 'Sales Team <sales@example.com>',
    });
  });

  test('SMTP settings default by TLS mode when partly given', async () => {
    const plain = await createInbox({ smtp: { host: '10.0.0.5', tls: 'none' } });
    expect(plain.smtp).toEqual({ host: '10.0.0.5', port: 25, tls: 'none', username: '', password_set: false });
    const none = await createInbox({ enabled: false });
    expect(none).toMatchObject({ enabled: false, smtp: { host: '', port: 587, tls: 'starttls', password_set: false } });
    expect(await t.app.get(InboxesService).getSmtpSettings(none.id)).toBeNull();
  });

  test.each([
    [{ from: 'a@example.com' }, 'name'],
    [{ name: '   ', from: 'a@example.com' }, 'name'],
    [{ name: 7, from: 'a@example.com' }, 'name'],
    [{ name: 'n'.repeat(141), from: 'a@example.com' }, 'name'],
    [{ name: 'X' }, 'from'],
    [{ name: 'X', from: 'not-an-email' }, 'from'],
    [{ name: 'X', from: 'Name <not-an-email>' }, 'from'],
    [{ name: 'X', from: 'a@example.com, b@example.com' }, 'from'],
    [{ name: 'X', from: 42 }, 'from'],
    [{ name: 'X', from: 'a@example.com', channel: 'livechat' }, 'channel'],
    [{ name: 'X', from: 'a@example.com', enabled: 'yes' }, 'enabled'],
    [{ name: 'X', from: 'a@example.com', smtp: 'smtp.example.com' }, 'smtp'],
    [{ name: 'X', from: 'a@example.com', smtp: [] }, 'smtp'],
    [{ name: 'X', from: 'a@example.com', smtp: { port: 0 } }, 'smtp.port'],
    [{ name: 'X', from: 'a@example.com', smtp: { port: 65536 } }, 'smtp.port'],
    [{ name: 'X', from: 'a@example.com', smtp: { port: '587' } }, 'smtp.port'],
    [{ name: 'X', from: 'a@example.com', smtp: { tls: 'ssl' } }, 'smtp.tls'],
    [{ name: 'X', from: 'a@example.com', smtp: { host: 'bad host!' } }, 'smtp.host'],
    [{ name: 'X', from: 'a@example.com', smtp: { password: 123 } }, 'smtp.password'],
  ])('bad input %j is 400', async (body, field) => {
    const res = await t.http.post('/api/v1/inboxes').set('Authorization', auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(Object.keys(res.body.data.fields)).toContain(field);
  });

  test('a bare address or a display name are both valid senders', async () => {
    expect((await createInbox({ from: 'help@example.com' })).from).toBe('help@example.com');
    expect((await createInbox({ from: '"Help, Desk" <help@example.com>' })).from).toBe('"Help, Desk" <help@example.com>');
  });
});

describe('PUT /api/v1/inboxes/{id}', () => {
  test('is a partial update; the password is kept unless given, and "" removes it', async () => {
    const inbox = await createInbox({ smtp: { host: 'mail.example.com', port: 2525, username: 'u', password: 'first-pass' } });
    const renamed = await t.http
      .put(`/api/v1/inboxes/${inbox.id}`)
      .set('Authorization', auth)
      .send({ name: 'Renamed', smtp: { port: 587 } });
    expect(renamed.status).toBe(200);
    expectInbox(renamed.body.data);
    expect(renamed.body.data).toMatchObject({
      name: 'Renamed',
      from: inbox.from,
      enabled: true,
      smtp: { host: 'mail.example.com', port: 587, tls: 'starttls', username: 'u', password_set: true },
    });
    const service = t.app.get(InboxesService);
    expect((await service.getSmtpSettings(inbox.id))?.password).toBe('first-pass');

    await t.http
      .put(`/api/v1/inboxes/${inbox.id}`)
      .set('Authorization', auth)
      .send({ smtp: { password: 'second-pass' } })
      .expect(200);
    expect((await service.getSmtpSettings(inbox.id))?.password).toBe('second-pass');

    const cleared = await t.http
      .put(`/api/v1/inboxes/${inbox.id}`)
      .set('Authorization', auth)
      .send({ smtp: { password: '' }, enabled: false, from: 'New <new@example.com>' });
    expect(cleared.body.data).toMatchObject({ enabled: false, from: 'New <new@example.com>', smtp: { password_set: false, host: 'mail.example.com' } });
    expect((await service.getSmtpSettings(inbox.id))?.password).toBe('');
  });

  test('bad input is 400 and changes nothing; unknown is 404', async () => {
    const inbox = await createInbox();
    for (const body of [{ name: '' }, { from: 'nope' }, { smtp: { port: -1 } }, { enabled: null }, { csat_enabled: 'true' }]) {
      const res = await t.http.put(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const after = await t.http.get(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth).expect(200);
    expect(after.body.data).toEqual(inbox);
    const missing = await t.http.put('/api/v1/inboxes/999999').set('Authorization', auth).send({ name: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error_type: 'NotFoundException', message: 'Inbox not found' });
  });

  test('null for a field that cannot be cleared is a 400 naming it, not a database error (found by the fuzzer)', async () => {
    const inbox = await createInbox();
    for (const field of ['name', 'from', 'enabled', 'csat_enabled', 'smtp']) {
      const res = await t.http
        .put(`/api/v1/inboxes/${inbox.id}`)
        .set('Authorization', auth)
        .send({ [field]: null });
      expect(res.status, field).toBe(400);
      expect(Object.keys(res.body.data.fields), field).toEqual([field]);
    }
    const after = await t.http.get(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth).expect(200);
    expect(after.body.data).toEqual(inbox);
  });
});

describe('DELETE /api/v1/inboxes/{id}', () => {
  test('is soft: the inbox 404s afterwards but its row stays for its conversations', async () => {
    const inbox = await createInbox();
    const res = await t.http.delete(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', data: true });
    expect((await t.http.get(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth)).status).toBe(404);
    expect((await t.http.put(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth).send({ name: 'x' })).status).toBe(404);
    expect((await t.http.delete(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth)).status).toBe(404);
    const list = await t.http.get('/api/v1/inboxes').set('Authorization', auth);
    expect(list.body.data.some((i: { id: number }) => i.id === inbox.id)).toBe(false);
    const [row] = await t.dataSource.query(`SELECT deleted_at FROM inboxes WHERE id = $1`, [inbox.id]);
    expect(row.deleted_at).toBeInstanceOf(Date);
    await expect(t.app.get(InboxesService).getForConversation(inbox.id)).rejects.toMatchObject({ status: 404, message: 'Inbox not found' });
  });

  test('bad ids are 400, unknown ids 404', async () => {
    expect((await t.http.get('/api/v1/inboxes/abc').set('Authorization', auth)).status).toBe(400);
    expect((await t.http.delete('/api/v1/inboxes/0').set('Authorization', auth)).status).toBe(400);
    expect((await t.http.get('/api/v1/inboxes/999999').set('Authorization', auth)).status).toBe(404);
  });
});

describe('InboxesService for conversations', () => {
  test('getForConversation returns the bare sender address; disabled is 400, missing 404', async () => {
    const service = t.app.get(InboxesService);
    const inbox = await createInbox({ from: 'Billing Dept <billing@example.com>' });
    expect(await service.getForConversation(inbox.id)).toEqual({
      id: inbox.id,
      name: inbox.name,
      channel: 'email',
      enabled: true,
      from: 'Billing Dept <billing@example.com>',
      mail: 'billing@example.com',
    });
    await t.http.put(`/api/v1/inboxes/${inbox.id}`).set('Authorization', auth).send({ enabled: false }).expect(200);
    await expect(service.getForConversation(inbox.id)).rejects.toMatchObject({ status: 400, message: 'Inbox is disabled' });
    await expect(service.getForConversation(999999)).rejects.toMatchObject({ status: 404, message: 'Inbox not found' });
    expect(await service.getSmtpSettings(999999)).toBeNull();
  });
});

describe('authorization', () => {
  type Method = 'get' | 'post' | 'put' | 'delete';
  const routes: Array<[Method, string]> = [
    ['get', '/api/v1/inboxes'],
    ['post', '/api/v1/inboxes'],
    ['get', '/api/v1/inboxes/1'],
    ['put', '/api/v1/inboxes/1'],
    ['delete', '/api/v1/inboxes/1'],
  ];
  const call = (method: Method, path: string): supertest.Test => t.http[method](path);

  test.each(routes)('%s %s needs credentials (401)', async (method, path) => {
    const res = await call(method, path).send({ name: 'x', from: 'x@example.com' });
    expect(res.status).toBe(401);
    expect(res.body.error_type).toBe('UnauthorizedException');
  });

  test.each(routes)('%s %s needs inboxes:manage (403 for an Agent)', async (method, path) => {
    const res = await call(method, path).set('Authorization', agentAuth).send({ name: 'x', from: 'x@example.com' });
    expect(res.status).toBe(403);
    expect(res.body.error_type).toBe('PermissionException');
  });
});

describe('OpenAPI document', () => {
  test('documents the inbox operations with the success envelope and without the password', async () => {
    const res = await t.http.get('/docs-json').expect(200);
    const doc = res.body;
    const list = doc.paths['/api/v1/inboxes'].get;
    expect(list.operationId).toBe('handleGetInboxes');
    expect(list.tags).toEqual(['Inboxes']);
    const ok = list.responses['200'].content['application/json'].schema;
    expect(ok.properties.status).toEqual({ type: 'string', enum: ['success'] });
    expect(ok.properties.data.items.$ref).toMatch(/InboxDto$/);
    expect(doc.paths['/api/v1/inboxes/{id}'].delete.responses['404']).toBeDefined();
    expect(doc.components.schemas.InboxSmtpDto.properties).not.toHaveProperty('password');
    expect(doc.components.schemas.InboxSmtpDto.properties).toHaveProperty('password_set');
    expect(doc.components.schemas.InboxSmtpRequest.properties.password.writeOnly).toBe(true);
    expect(doc.components.schemas.InboxCreateRequest.required).toEqual(expect.arrayContaining(['name', 'from']));
    expect(doc.tags.map((x: { name: string }) => x.name)).toContain('Inboxes');
  });
});

describe('the default inbox from the environment', () => {
  const ENV = {
    INBOX_EMAIL: 'Acme Help <help@acme.test>',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '2525',
    SMTP_TLS: 'none',
    SMTP_USERNAME: 'mailer',
    SMTP_PASSWORD: 'env-secret',
  };
  let e: TestApp;
  beforeAll(async () => {
    e = await startTestApp(ENV);
  });
  afterAll(async () => e?.close());

  test('INBOX_EMAIL and SMTP_* configure the seeded inbox at startup, idempotently', async () => {
    const [{ id }] = await e.dataSource.query(`SELECT min(id) AS id FROM inboxes`);
    const expected = {
      id,
      name: 'Support',
      from: 'Acme Help <help@acme.test>',
      smtp: { host: '127.0.0.1', port: 2525, tls: 'none', username: 'mailer', password_set: true },
    };
    const res = await e.http.get(`/api/v1/inboxes/${id}`).set('Authorization', e.token(e.admin)).expect(200);
    expect(res.body.data).toMatchObject(expected);
    expect(JSON.stringify(res.body)).not.toContain('env-secret');
    const service = e.app.get(InboxesService);
    const settings = { host: '127.0.0.1', port: 2525, secure: 'none', username: 'mailer', password: 'env-secret', from: 'Acme Help <help@acme.test>' };
    expect(await service.getSmtpSettings(id)).toEqual(settings);
    expect((await service.getForConversation(id)).mail).toBe('help@acme.test');

    // a restart re-applies the environment over API edits, and leaves the other inboxes alone
    const other = await e.http.post('/api/v1/inboxes').set('Authorization', e.token(e.admin)).send({ name: 'Other', from: 'o@example.com' }).expect(200);
    await e.http
      .put(`/api/v1/inboxes/${id}`)
      .set('Authorization', e.token(e.admin))
      .send({ name: 'Helpdesk', smtp: { host: 'elsewhere.example.com', password: 'x' } })
      .expect(200);
    await Promise.all([service.onApplicationBootstrap(), service.onApplicationBootstrap()]);
    expect(await service.getSmtpSettings(id)).toEqual(settings);
    const after = await e.http.get(`/api/v1/inboxes/${id}`).set('Authorization', e.token(e.admin)).expect(200);
    expect(after.body.data).toMatchObject({ ...expected, name: 'Helpdesk' });
    const untouched = await e.http.get(`/api/v1/inboxes/${other.body.data.id}`).set('Authorization', e.token(e.admin)).expect(200);
    expect(untouched.body.data).toEqual(other.body.data);
  });

  test('when the seeded inbox is deleted, the environment is not applied to another inbox', async () => {
    const [{ id }] = await e.dataSource.query(`SELECT min(id) AS id FROM inboxes`);
    const other = await e.http.post('/api/v1/inboxes').set('Authorization', e.token(e.admin)).send({ name: 'Kept', from: 'kept@example.com' }).expect(200);
    await e.http.delete(`/api/v1/inboxes/${id}`).set('Authorization', e.token(e.admin)).expect(200);
    await e.app.get(InboxesService).onApplicationBootstrap();
    const kept = await e.http.get(`/api/v1/inboxes/${other.body.data.id}`).set('Authorization', e.token(e.admin)).expect(200);
    expect(kept.body.data).toEqual(other.body.data);
  });
});

describe('IMAP settings of an inbox', () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp({ MAIL_RECEIVER_ENABLED: 'false' });
    auth = t.token(t.admin);
  });
  afterAll(() => t?.close());

  test('are null until configured; defaults apply; bad values are a 400 naming the field', async () => {
    const plain = await t.http.post('/api/v1/inboxes').set('Authorization', auth).send({ name: 'Plain', from: 'plain@example.com' });
    expect(plain.body.data.imap).toBeNull();
    expect(plain.body.data.imap_status).toBeNull();
    const created = await t.http
      .post('/api/v1/inboxes')
      .set('Authorization', auth)
      .send({ name: 'Mail', from: 'mail@example.com', imap: { host: 'imap.example.com', username: 'mail@example.com', password: 'pw' } });
    expect(created.status).toBe(200);
    expect(created.body.data.imap).toEqual({
      host: 'imap.example.com',
      port: 993,
      tls: 'tls',
      tls_skip_verify: false,
      username: 'mail@example.com',
      password: '••••••••••',
      password_set: true,
      mailbox: 'INBOX',
      poll_interval_seconds: 60,
      scan_since_hours: 48,
      mark_seen: false,
    });
    expect(created.body.data.imap_status).toMatchObject({ ok: null, last_error: null, imported: 0 });
    for (const [imap, field] of [
      [{ host: 'not a host!' }, 'host'],
      [{ port: 0 }, 'port'],
      [{ tls: 'ssl' }, 'tls'],
      [{ poll_interval_seconds: 1 }, 'poll_interval_seconds'],
      [{ scan_since_hours: -1 }, 'scan_since_hours'],
      [{ mark_seen: 'yes' }, 'mark_seen'],
      [{ mailbox: '' }, 'mailbox'],
    ] as const) {
      const res = await t.http.put(`/api/v1/inboxes/${created.body.data.id}`).set('Authorization', auth).send({ imap });
      expect(res.status, JSON.stringify(imap)).toBe(400);
      expect(JSON.stringify(res.body), JSON.stringify(imap)).toContain(field);
    }
    const removed = await t.http
      .put(`/api/v1/inboxes/${created.body.data.id}`)
      .set('Authorization', auth)
      .send({ imap: { password: '' } });
    expect(removed.body.data.imap).toMatchObject({ password: '', password_set: false });
  });

  test('IMAP_* configure the default inbox on start', async () => {
    const started = await startTestApp({
      MAIL_RECEIVER_ENABLED: 'false',
      IMAP_HOST: 'imap.env.test',
      IMAP_PORT: '143',
      IMAP_TLS: 'starttls',
      IMAP_USERNAME: 'u',
      IMAP_PASSWORD: 'p',
      IMAP_MAILBOX: 'Support',
    });
    try {
      const inboxes = await started.http.get('/api/v1/inboxes').set('Authorization', started.token(started.admin));
      expect(inboxes.body.data[0].imap).toMatchObject({
        host: 'imap.env.test',
        port: 143,
        tls: 'starttls',
        username: 'u',
        password_set: true,
        mailbox: 'Support',
        poll_interval_seconds: 60,
      });
    } finally {
      await started.close();
    }
  });
});
