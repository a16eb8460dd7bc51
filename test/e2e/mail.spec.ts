import type { AddressInfo } from 'node:net';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SMTPServer } from 'smtp-server';
import type { EntityManager } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureApp } from '../../src/bootstrap.js';
import { InboxesService } from '../../src/modules/inboxes/inboxes.service.js';
import { MailWorker } from '../../src/modules/mail/mail-worker.js';
import { OutboxService } from '../../src/modules/mail/outbox.service.js';
import { MediaService } from '../../src/modules/media/media.service.js';
import { createFastifyAdapter } from '../../src/shared/http/fastify.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  headers: Map<string, string>;
  auth: { username?: string; password?: string | null } | null;
}

/** A real SMTP server on an ephemeral port that records what it accepts; `reject` refuses recipients. */
async function startSmtp() {
  const received: Received[] = [];
  const state = { reject: false, rcptAttempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, session, cb) {
      cb(null, { user: { username: auth.username, password: auth.password } });
    },
    onRcptTo(address, session, cb) {
      state.rcptAttempts++;
      if (state.reject) cb(Object.assign(new Error(`Mailbox ${address.address} unavailable`), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          headers: parseHeaders(raw),
          auth: (session.user as Received['auth']) ?? null,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
type SmtpSink = Awaited<ReturnType<typeof startSmtp>>;

function parseHeaders(raw: string): Map<string, string> {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Rows straight into the schema, the way the conversations module will write them. */
function fixtures(t: TestApp) {
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => t.dataSource.query<T[]>(sql, params);
  return {
    q,
    async inbox(port: number | null, from = 'Acme Support <help@acme.test>'): Promise<number> {
      const inboxes = t.app.get(InboxesService);
      const smtp = port === null ? undefined : { host: '127.0.0.1', port, tls: 'none' as const, username: 'mailer', password: 's3cret' };
      return (await inboxes.create({ name: `Inbox ${Math.random()}`, from, smtp })).id;
    },
    async conversation(inboxId: number, subject = 'Printer on fire', email: string | null = `c${Math.random().toString(36).slice(2)}@customer.test`) {
      const [contact] = await q<{ id: number }>(`INSERT INTO users (type, email, first_name) VALUES ('contact', $1, 'Carla') RETURNING id`, [email]);
      const [conv] = await q<{ id: number; uuid: string }>(
        `INSERT INTO conversations (contact_id, inbox_id, status_id, subject)
         VALUES ($1, $2, (SELECT id FROM conversation_statuses WHERE name = 'Open'), $3) RETURNING id, uuid`,
        [contact.id, inboxId, subject],
      );
      return { ...conv, contactId: contact.id, email };
    },
    async message(
      conversationId: number,
      fields: {
        type?: string;
        status?: string;
        private?: boolean;
        sender?: 'agent' | 'contact';
        meta?: object;
        content?: string;
        text?: string;
        sourceId?: string;
      } = {},
    ) {
      const [row] = await q<{ id: number; uuid: string }>(
        `INSERT INTO conversation_messages (type, status, private, conversation_id, content, text_content, sender_id, sender_type, meta, source_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id, uuid`,
        [
          fields.type ?? 'outgoing',
          fields.status ?? 'pending',
          fields.private ?? false,
          conversationId,
          fields.content ?? '<p>Hello <b>there</b></p>',
          fields.text ?? 'Hello there',
          t.admin.id,
          fields.sender ?? 'agent',
          JSON.stringify(fields.meta ?? {}),
          fields.sourceId ?? null,
        ],
      );
      return row;
    },
    enqueue: (messageId: number) => t.dataSource.transaction((m) => t.app.get(OutboxService).enqueue(m, messageId)),
    requeue: (messageId: number) => t.dataSource.transaction((m) => t.app.get(OutboxService).requeue(m, messageId)),
    async status(messageId: number): Promise<string> {
      return (await q<{ status: string }>(`SELECT status FROM conversation_messages WHERE id = $1`, [messageId]))[0].status;
    },
    async outbox(messageId: number) {
      return (
        await q<{ state: string; attempts: number; last_error: string | null; sent_at: Date | null; locked_until: Date | null }>(
          `SELECT state, attempts, last_error, sent_at, locked_until FROM email_outbox WHERE message_id = $1`,
          [messageId],
        )
      )[0];
    },
    async waitStatus(messageId: number, status: string) {
      try {
        await waitFor(async () => (await this.status(messageId)) === status, `message ${messageId} to be ${status}`);
      } catch (err) {
        throw new Error(`${(err as Error).message}; outbox: ${JSON.stringify(await this.outbox(messageId))}`, { cause: err });
      }
    },
  };
}

describe('email delivery through the inbox SMTP server', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let f: ReturnType<typeof fixtures>;
  let inboxId: number;
  const delivered: Array<{ id: number; status: string }> = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ MAIL_POLL_INTERVAL_MS: '50', MAIL_RETRY_BASE_MS: '20', MAIL_MAX_ATTEMPTS: '3', MAIL_LEASE_SECONDS: '5' });
    f = fixtures(t);
    inboxId = await f.inbox(smtp.port);
    t.app.get(OutboxService).onDelivered(async (m: EntityManager, id: number) => {
      const [row] = await m.query(`SELECT status FROM conversation_messages WHERE id = $1`, [id]);
      delivered.push({ id, status: row.status });
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });
  beforeEach(() => {
    smtp.state.reject = false;
  });

  const mailFor = (messageUuid: string) => smtp.received.filter((r) => r.headers.get('message-id') === `<${messageUuid}@acme.test>`);

  test('a reply reaches the contact with subject, body, threading headers, cc/bcc and attachments', async () => {
    const conv = await f.conversation(inboxId);
    const incoming = await f.message(conv.id, { type: 'incoming', status: 'received', sender: 'contact', sourceId: 'original-123@customer.test' });
    await f.message(conv.id, { type: 'outgoing', status: 'sent', private: true, sourceId: 'note@acme.test' });
    const reply = await f.message(conv.id, { meta: { cc: ['boss@customer.test'], bcc: ['audit@acme.test'] } });
    const media = t.app.get(MediaService);
    await media.create({
      file: { filename: 'invoice.txt', contentType: 'text/plain', content: Buffer.from('Invoice #42, total 10 EUR') },
      disposition: 'attachment',
      modelType: 'messages',
      modelId: reply.id,
    });
    await f.enqueue(reply.id);
    const [{ source_id }] = await f.q<{ source_id: string }>(`SELECT source_id FROM conversation_messages WHERE id = $1`, [reply.id]);
    expect(source_id).toBe(`${reply.uuid}@acme.test`);

    await f.waitStatus(reply.id, 'sent');
    const [mail] = mailFor(reply.uuid);
    expect(mailFor(reply.uuid)).toHaveLength(1);
    expect(mail.mailFrom).toBe('help@acme.test');
    expect(mail.rcptTo.sort()).toEqual(['audit@acme.test', 'boss@customer.test', conv.email].sort());
    expect(mail.auth).toEqual({ username: 'mailer', password: 's3cret' });
    expect(mail.headers.get('from')).toBe('Acme Support <help@acme.test>');
    expect(mail.headers.get('to')).toBe(conv.email);
    expect(mail.headers.get('cc')).toBe('boss@customer.test');
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.get('subject')).toBe('Re: Printer on fire');
    expect(mail.headers.get('in-reply-to')).toBe('<original-123@customer.test>');
    expect(mail.headers.get('references')).toBe('<original-123@customer.test>');
    expect(mail.raw).toContain('Hello <b>there</b>');
    expect(mail.raw).toMatch(/Content-Type: text\/plain[\s\S]*Hello there/);
    expect(mail.raw).toMatch(/Content-Disposition: attachment; filename=invoice\.txt/);
    expect(mail.raw).toContain(Buffer.from('Invoice #42, total 10 EUR').toString('base64'));

    const entry = await f.outbox(reply.id);
    expect(entry).toMatchObject({ state: 'sent', attempts: 1, last_error: null, locked_until: null });
    expect(entry.sent_at).toBeInstanceOf(Date);
    expect(delivered).toContainEqual({ id: reply.id, status: 'sent' });
    expect(incoming.id).toBeLessThan(reply.id);
  });

  test('the first email of a conversation threads under the conversation; later ones reference the earlier ones', async () => {
    const conv = await f.conversation(inboxId, 'Re: Already a reply', null);
    const first = await f.message(conv.id, { meta: { to: ['someone@else.test'] }, content: 'plain body', text: 'plain body' });
    await f.enqueue(first.id);
    await f.waitStatus(first.id, 'sent');
    const [mail] = mailFor(first.uuid);
    expect(mail.rcptTo).toEqual(['someone@else.test']);
    expect(mail.headers.get('subject')).toBe('Re: Already a reply');
    expect(mail.headers.get('in-reply-to')).toBe(`<${conv.uuid}@acme.test>`);
    expect(mail.headers.get('references')).toBe(`<${conv.uuid}@acme.test>`);

    const second = await f.message(conv.id, { meta: { to: ['someone@else.test'] } });
    await f.enqueue(second.id);
    await f.waitStatus(second.id, 'sent');
    expect(mailFor(second.uuid)[0].headers.get('in-reply-to')).toBe(`<${first.uuid}@acme.test>`);
  });

  test('through the API: a reply is emailed and the conversation records the reply; a failed one is retried to success', async () => {
    const auth = t.token(t.admin);
    const created = await t.http.post('/api/v1/conversations').set('Authorization', auth).send({
      inbox_id: inboxId,
      contact_email: 'api-customer@customer.test',
      first_name: 'Api',
      subject: 'Refund please',
      content: 'Where is my refund?',
      initiator: 'contact',
    });
    expect(created.status).toBe(200);
    const cuuid: string = created.body.data.uuid;
    const messageStatus = async (uuid: string) =>
      (await t.http.get(`/api/v1/conversations/${cuuid}/messages/${uuid}`).set('Authorization', auth)).body.data.status as string;

    const reply = await t.http
      .post(`/api/v1/conversations/${cuuid}/messages`)
      .set('Authorization', auth)
      .send({ message: '<p>On its way</p>', sender_type: 'agent' });
    expect(reply.status).toBe(200);
    expect(reply.body.data.status).toBe('pending');
    await waitFor(async () => (await messageStatus(reply.body.data.uuid)) === 'sent', 'the API reply to be sent');
    const [mail] = mailFor(reply.body.data.uuid);
    expect(mail.rcptTo).toEqual(['api-customer@customer.test']);
    expect(mail.headers.get('subject')).toBe('Re: Refund please');
    expect(mail.raw).toContain('On its way');
    const conversation = await t.http.get(`/api/v1/conversations/${cuuid}`).set('Authorization', auth);
    expect(conversation.body.data.first_reply_at).not.toBeNull();

    smtp.state.reject = true;
    const failing = await t.http
      .post(`/api/v1/conversations/${cuuid}/messages`)
      .set('Authorization', auth)
      .send({ message: 'Second try', sender_type: 'agent' });
    await waitFor(async () => (await messageStatus(failing.body.data.uuid)) === 'failed', 'the API reply to fail');
    smtp.state.reject = false;
    const retried = await t.http.put(`/api/v1/conversations/${cuuid}/messages/${failing.body.data.uuid}/retry`).set('Authorization', auth);
    expect(retried.status).toBe(200);
    await waitFor(async () => (await messageStatus(failing.body.data.uuid)) === 'sent', 'the retried reply to be sent');
    expect(mailFor(failing.body.data.uuid)).toHaveLength(1);
    expect(mailFor(failing.body.data.uuid)[0].headers.get('in-reply-to')).toBe(`<${reply.body.data.uuid}@acme.test>`);
  });

  test('a message without any recipient fails at once', async () => {
    const conv = await f.conversation(inboxId, 'Nobody', null);
    const msg = await f.message(conv.id);
    await f.enqueue(msg.id);
    await f.waitStatus(msg.id, 'failed');
    expect(await f.outbox(msg.id)).toMatchObject({ state: 'failed', attempts: 1, last_error: expect.stringContaining('No recipient') });
  });

  test('a permanently rejected recipient (550) fails at once, without retries; requeue then delivers it', async () => {
    smtp.state.reject = true;
    const before = smtp.state.rcptAttempts;
    const conv = await f.conversation(inboxId);
    const msg = await f.message(conv.id);
    await f.enqueue(msg.id);
    await f.waitStatus(msg.id, 'failed');
    expect(smtp.state.rcptAttempts - before).toBe(1);
    expect(await f.outbox(msg.id)).toMatchObject({ state: 'failed', attempts: 1, last_error: expect.stringContaining('550') });
    expect(mailFor(msg.uuid)).toHaveLength(0);
    expect(delivered.some((d) => d.id === msg.id)).toBe(false);

    smtp.state.reject = false;
    await f.requeue(msg.id);
    await f.waitStatus(msg.id, 'sent');
    expect(mailFor(msg.uuid)).toHaveLength(1);
    expect(await f.outbox(msg.id)).toMatchObject({ state: 'sent', attempts: 1, last_error: null });
  });

  test('requeue re-arms a message that has no outbox entry', async () => {
    const conv = await f.conversation(inboxId);
    const msg = await f.message(conv.id, { status: 'failed' });
    await f.requeue(msg.id);
    await f.waitStatus(msg.id, 'sent');
    expect(mailFor(msg.uuid)).toHaveLength(1);
  });

  test('only outgoing, non-private agent messages can be queued', async () => {
    const conv = await f.conversation(inboxId);
    const note = await f.message(conv.id, { private: true, status: 'sent' });
    const incoming = await f.message(conv.id, { type: 'incoming', status: 'received', sender: 'contact' });
    const activity = await f.message(conv.id, { type: 'activity', status: 'sent', private: true });
    for (const id of [note.id, incoming.id, activity.id]) {
      await expect(f.enqueue(id)).rejects.toThrow(/only outgoing, non-private agent messages/);
      await expect(f.requeue(id)).rejects.toThrow(/only outgoing/);
    }
    await expect(f.enqueue(999_999)).rejects.toThrow(/does not exist/);
    expect(await f.q(`SELECT 1 FROM email_outbox WHERE message_id = ANY($1::int[])`, [[note.id, incoming.id, activity.id]])).toEqual([]);
  });

  test('the worker refuses an entry for a private note that got into the outbox anyway', async () => {
    const conv = await f.conversation(inboxId);
    const note = await f.message(conv.id, { private: true, status: 'pending' });
    await f.q(`INSERT INTO email_outbox (message_id, max_attempts) VALUES ($1, 3)`, [note.id]);
    await waitFor(async () => (await f.outbox(note.id)).state === 'failed', 'the entry to be dropped');
    expect((await f.outbox(note.id)).last_error).toMatch(/only outgoing/);
    expect(await f.status(note.id)).toBe('pending');
    expect(mailFor(note.uuid)).toHaveLength(0);
  });

  test('a claim left by a crashed worker is picked up once its lease expires', async () => {
    const conv = await f.conversation(inboxId);
    const msg = await f.message(conv.id);
    await t.dataSource.transaction(async (m) => {
      await t.app.get(OutboxService).enqueue(m, msg.id);
      await m.query(
        `UPDATE email_outbox SET attempts = 1, locked_until = now() + interval '1500 milliseconds', lease_token = gen_random_uuid() WHERE message_id = $1`,
        [msg.id],
      );
    });
    await new Promise((r) => setTimeout(r, 700));
    expect(await f.status(msg.id)).toBe('pending');
    expect(mailFor(msg.uuid)).toHaveLength(0);
    await f.waitStatus(msg.id, 'sent');
    expect(mailFor(msg.uuid)).toHaveLength(1);
    expect(await f.outbox(msg.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  test('a message whose attempts all ended in crashes is failed rather than retried forever', async () => {
    const conv = await f.conversation(inboxId);
    const msg = await f.message(conv.id);
    await t.dataSource.transaction(async (m) => {
      await t.app.get(OutboxService).enqueue(m, msg.id);
      await m.query(`UPDATE email_outbox SET attempts = 3, locked_until = now() - interval '1 second', lease_token = gen_random_uuid() WHERE message_id = $1`, [
        msg.id,
      ]);
    });
    await f.waitStatus(msg.id, 'failed');
    expect((await f.outbox(msg.id)).last_error).toMatch(/interrupted/);
    expect(mailFor(msg.uuid)).toHaveLength(0);
  });

  test('a reply in an inbox without SMTP settings stays pending; a livechat reply is sent at once', async () => {
    const noSmtp = await f.inbox(null, 'Quiet <quiet@acme.test>');
    const conv = await f.conversation(noSmtp);
    const msg = await f.message(conv.id);
    await f.enqueue(msg.id);
    await waitFor(async () => (await f.outbox(msg.id)).last_error, 'the worker to look at it');
    expect(await f.outbox(msg.id)).toMatchObject({ state: 'queued', attempts: 0, locked_until: null, last_error: expect.stringMatching(/No SMTP server/) });
    expect(await f.status(msg.id)).toBe('pending');

    const [chat] = await f.q<{ id: number }>(`INSERT INTO inboxes (name, channel) VALUES ('Chat', 'livechat') RETURNING id`);
    const chatConv = await f.conversation(chat.id);
    const chatMsg = await f.message(chatConv.id);
    await f.enqueue(chatMsg.id);
    expect(await f.status(chatMsg.id)).toBe('sent');
    expect(await f.outbox(chatMsg.id)).toBeUndefined();
    expect(delivered).toContainEqual({ id: chatMsg.id, status: 'sent' });
  });
});

describe('global SMTP settings and concurrent workers', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let f: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ MAIL_WORKER_ENABLED: 'false', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_TLS: 'none' });
    f = fixtures(t);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const countsByMessageId = () => {
    const counts = new Map<string, number>();
    for (const r of smtp.received) counts.set(r.headers.get('message-id')!, (counts.get(r.headers.get('message-id')!) ?? 0) + 1);
    return counts;
  };

  async function queueMany(n: number, inboxId: number) {
    const conv = await f.conversation(inboxId, 'Bulk');
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await f.message(conv.id)).id);
    await t.dataSource.transaction(async (m) => {
      for (const id of ids) await t.app.get(OutboxService).enqueue(m, id);
    });
    return ids;
  }

  test('an inbox without its own SMTP settings sends through SMTP_HOST', async () => {
    const [inbox] = await f.q<{ id: number }>(`INSERT INTO inboxes (name, channel, "from") VALUES ('Plain', 'email', 'plain@example.org') RETURNING id`);
    const conv = await f.conversation(inbox.id);
    const msg = await f.message(conv.id);
    await f.enqueue(msg.id);
    expect(await t.app.get(MailWorker).runOnce()).toBe(1);
    expect(await f.status(msg.id)).toBe('sent');
    const mail = smtp.received.find((r) => r.headers.get('message-id') === `<${msg.uuid}@example.org>`)!;
    expect(mail.headers.get('from')).toBe('plain@example.org');
    expect(mail.rcptTo).toEqual([conv.email]);
    expect(mail.auth).toBeNull();
  });

  test('with the worker disabled nothing is sent until a round runs', async () => {
    const [inbox] = await f.q<{ id: number }>(`INSERT INTO inboxes (name, channel, "from") VALUES ('Idle', 'email', 'idle@example.org') RETURNING id`);
    const [id] = await queueMany(1, inbox.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(await f.status(id)).toBe('pending');
    await t.app.get(MailWorker).runOnce();
    expect(await f.status(id)).toBe('sent');
  });

  test('concurrent claim loops deliver every message exactly once', async () => {
    const [inbox] = await f.q<{ id: number }>(`INSERT INTO inboxes (name, channel, "from") VALUES ('Busy', 'email', 'busy@example.org') RETURNING id`);
    const ids = await queueMany(40, inbox.id);
    const worker = t.app.get(MailWorker);
    const loop = async () => {
      while ((await worker.runOnce()) > 0);
    };
    await Promise.all([loop(), loop(), loop(), loop()]);
    const statuses = await f.q<{ status: string }>(`SELECT status FROM conversation_messages WHERE id = ANY($1::int[])`, [ids]);
    expect(statuses.every((s) => s.status === 'sent')).toBe(true);
    const counts = countsByMessageId();
    const sentHere = [...counts.entries()].filter(([k]) => k.endsWith('@example.org>'));
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(sentHere.length).toBeGreaterThanOrEqual(40);
  });

  test.skipIf(!process.env.DATABASE_URL)('two server instances on one database send each message once', async () => {
    const [inbox] = await f.q<{ id: number }>(`INSERT INTO inboxes (name, channel, "from") VALUES ('Twin', 'email', 'twin@example.org') RETURNING id`);
    const ids = await queueMany(40, inbox.id);
    const config = { ...t.config, MAIL_WORKER_ENABLED: true, MAIL_POLL_INTERVAL_MS: 20 };
    const apps: NestFastifyApplication[] = [];
    for (let i = 0; i < 2; i++) {
      const ref = await Test.createTestingModule({ imports: [AppModule.forRoot({ config })] }).compile();
      ref.useLogger(['error', 'fatal']);
      apps.push(await configureApp(ref.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), APP_OPTIONS)));
    }
    try {
      await waitFor(async () => {
        const rows = await f.q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE id = ANY($1::int[]) AND status = 'sent'`, [ids]);
        return rows[0].n === ids.length;
      }, 'both instances to drain the outbox');
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
    const counts = countsByMessageId();
    expect([...counts.entries()].filter(([k]) => k.endsWith('@example.org>')).every(([, c]) => c === 1)).toBe(true);
  });
});
