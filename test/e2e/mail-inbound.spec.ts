import { HttpAdapterHost } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureApp } from '../../src/bootstrap.js';
import { createFastifyAdapter } from '../../src/shared/http/fastify.js';
import { AppConfig } from '../../src/shared/config/app-config.js';
import { InboxesService } from '../../src/modules/inboxes/inboxes.service.js';
import { ImapReceiver } from '../../src/modules/mail-inbound/imap-receiver.service.js';
import { InboundImporter } from '../../src/modules/mail-inbound/inbound-importer.service.js';
import { InboundRepository } from '../../src/modules/mail-inbound/inbound.repository.js';
import { dovecotUnavailable, TestImapServer } from '../support/dovecot.js';
import { email, startSmtpSink, waitFor } from '../support/mail-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`Skipping inbound email tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('inbound email over IMAP (Dovecot)', () => {
  let t: TestApp;
  let imap: TestImapServer;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let auth: string;
  let inboxId: number;
  const q = <T>(sql: string, params: unknown[] = []): Promise<T[]> => t.dataSource.query(sql, params);

  const conversationsFrom = (address: string) =>
    q<{ id: number; uuid: string; subject: string; status: string; inbox_id: number; waiting_since: Date | null }>(
      `SELECT c.id, c.uuid, c.subject, s.name AS status, c.inbox_id, c.waiting_since FROM conversations c
         JOIN users u ON u.id = c.contact_id JOIN conversation_statuses s ON s.id = c.status_id
        WHERE lower(u.email) = $1 ORDER BY c.id`,
      [address],
    );
  const messageBySource = async (id: string) =>
    (
      await q<{
        id: number;
        uuid: string;
        conversation_id: number;
        type: string;
        status: string;
        content: string;
        text_content: string;
        meta: Record<string, unknown>;
        sender_id: number;
      }>(`SELECT id, uuid, conversation_id, type, status, content, text_content, meta, sender_id FROM conversation_messages WHERE source_id = $1`, [id])
    )[0];
  const receipt = async (id: string) =>
    (await q<{ outcome: string; detail: string | null }>(`SELECT outcome, detail FROM mail_inbound_receipts WHERE message_id = $1`, [id]))[0];

  beforeAll(async () => {
    imap = await TestImapServer.start();
    smtp = await startSmtpSink();
    t = await startTestApp({
      MAIL_POLL_INTERVAL_MS: '50',
      MAIL_RETRY_BASE_MS: '300',
      MAIL_MAX_ATTEMPTS: '5',
      MAIL_RECEIVER_SCAN_INTERVAL_MS: '200',
      MAIL_RECEIVER_LEASE_SECONDS: '6',
      MEDIA_MAX_FILE_SIZE_MB: '1',
      MAIL_RECEIVER_MAX_MESSAGE_MB: '2',
    });
    auth = t.token(t.admin);
    const created = await t.http
      .post('/api/v1/inboxes')
      .set('Authorization', auth)
      .send({
        name: 'Support',
        from: 'Support <support@imap.test>',
        smtp: { host: '127.0.0.1', port: smtp.port, tls: 'none' },
        imap: { host: '127.0.0.1', port: imap.port, tls: 'none', username: 'support@imap.test', password: 'secret', poll_interval_seconds: 5 },
      });
    expect(created.status).toBe(200);
    inboxId = created.body.data.id;
    await waitFor(
      async () => (await t.http.get(`/api/v1/inboxes/${inboxId}`).set('Authorization', auth)).body.data.imap_status.ok === true,
      'the receiver to connect',
    );
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await imap?.stop();
  });

  test('IMAP settings: validated, password masked and kept, status visible', async () => {
    const bad = await t.http
      .put(`/api/v1/inboxes/${inboxId}`)
      .set('Authorization', auth)
      .send({ imap: { port: 70000, tls: 'ssl' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/port/);
    expect(bad.body.message).toMatch(/tls/);
    const shown = await t.http.get(`/api/v1/inboxes/${inboxId}`).set('Authorization', auth);
    expect(shown.body.data.imap).toMatchObject({
      host: '127.0.0.1',
      port: imap.port,
      tls: 'none',
      mailbox: 'INBOX',
      password_set: true,
      scan_since_hours: 48,
      mark_seen: false,
    });
    expect(shown.body.data.imap.password).toBe('••••••••••');
    expect(JSON.stringify(shown.body.data)).not.toContain('secret');
    const [stored] = await q<{ password: string }>(`SELECT config->'imap'->>'password' AS password FROM inboxes WHERE id = $1`, [inboxId]);
    expect(stored.password).toMatch(/^enc:/);
    const kept = await t.http
      .put(`/api/v1/inboxes/${inboxId}`)
      .set('Authorization', auth)
      .send({ imap: { password: '••••••••••', poll_interval_seconds: 5 } });
    expect(kept.status).toBe(200);
    const [after] = await q<{ password: string }>(`SELECT config->'imap'->>'password' AS password FROM inboxes WHERE id = $1`, [inboxId]);
    expect(after.password).toBe(stored.password);
    expect(shown.body.data.imap_status).toMatchObject({ ok: true, last_error: null });
    expect(shown.body.data.imap_status.last_success_at).not.toBeNull();
  });

  test('a new email creates a contact and an Open conversation, with its events', async () => {
    const id = 'first-contact@customer.test';
    await imap.append(email({ messageId: id, from: 'Jane Q Customer <Jane@Customer.test>', subject: 'Où est ma commande?' }));
    const message = await waitFor(() => messageBySource(id), 'the email to be imported');
    expect(message).toMatchObject({ type: 'incoming', status: 'received' });
    expect(message.content).toContain('my order has not arrived.<br />');
    expect(message.text_content).toBe('Hello,\nmy order has not arrived.\nJane');
    expect(message.meta).toMatchObject({
      from: ['jane@customer.test'],
      to: ['support@imap.test'],
      subject: 'Où est ma commande?',
      message_id: id,
      in_reply_to: null,
    });
    const [conversation] = await conversationsFrom('jane@customer.test');
    expect(conversation).toMatchObject({ subject: 'Où est ma commande?', status: 'Open', inbox_id: inboxId });
    expect(conversation.waiting_since).not.toBeNull();
    const [contact] = await q<{ first_name: string; last_name: string }>(`SELECT first_name, last_name FROM users WHERE lower(email) = 'jane@customer.test'`);
    expect(contact).toEqual({ first_name: 'Jane', last_name: 'Q Customer' });
    const events = await q<{ type: string }>(`SELECT type FROM events WHERE payload::text LIKE $1 OR payload::text LIKE '%jane@customer.test%' ORDER BY seq`, [
      `%${conversation.uuid}%`,
    ]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['contact.created', 'conversation.created', 'message.created']));
  });

  test('full loop: API reply is emailed, the customer answer threads back and reopens the conversation', async () => {
    await imap.append(email({ messageId: 'loop-start@customer.test', from: 'Loop Customer <loop@customer.test>', subject: 'Broken widget' }));
    const first = await waitFor(() => messageBySource('loop-start@customer.test'), 'the first email');
    const [conversation] = await conversationsFrom('loop@customer.test');
    const reply = await t.http
      .post(`/api/v1/conversations/${conversation.uuid}/messages`)
      .set('Authorization', auth)
      .send({ message: '<p>Try turning it off and on.</p>' });
    expect(reply.status).toBe(200);
    const sent = await waitFor(() => Promise.resolve(smtp.received.find((r) => r.raw.includes('Try turning it off'))), 'the reply to reach the SMTP sink');
    const replyMessageId = sent.headers.get('message-id')!;
    expect(sent.headers.get('in-reply-to')).toBe('<loop-start@customer.test>');
    expect(sent.headers.get('references')).toContain('<loop-start@customer.test>');
    expect(sent.headers.get('x-libredesk-loop-prevention')).toBe('support@imap.test');
    expect(first.conversation_id).toBe(conversation.id);
    const resolved = await t.http.put(`/api/v1/conversations/${conversation.uuid}/status`).set('Authorization', auth).send({ status: 'Resolved' });
    expect(resolved.status).toBe(200);

    await imap.append(
      email({
        messageId: 'loop-answer@customer.test',
        from: 'Loop Customer <loop@customer.test>',
        subject: 'Re: Broken widget',
        inReplyTo: replyMessageId,
        references: `<loop-start@customer.test> ${replyMessageId}`,
        body: 'It works now, thanks!',
      }),
    );
    const answer = await waitFor(() => messageBySource('loop-answer@customer.test'), 'the answer to be imported', 15_000);
    expect(answer).toMatchObject({ conversation_id: conversation.id, type: 'incoming' });
    const [after] = await conversationsFrom('loop@customer.test');
    expect(after.status).toBe('Open');
    expect(await conversationsFrom('loop@customer.test')).toHaveLength(1);
    const changed = await q<{ payload: { status: string; previous_status: string } }>(
      `SELECT payload FROM events WHERE type = 'conversation.status_changed' AND payload->>'conversation_uuid' = $1 ORDER BY seq`,
      [conversation.uuid],
    );
    expect(changed.at(-1)!.payload).toMatchObject({ previous_status: 'Resolved', status: 'Open' });
  });

  test('attachments and inline images become media; an oversize attachment is skipped and named', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const big = Buffer.alloc(1_200_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const body = [
      '--outer',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See the photo: <img src="cid:photo1@customer.test"></p><script>alert(1)</script>',
      '--rel',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <photo1@customer.test>',
      'Content-Disposition: inline; filename="photo.png"',
      '',
      png.toString('base64'),
      '--rel--',
      '--outer',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'some notes',
      '--outer',
      'Content-Type: application/octet-stream; name="huge.bin"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="huge.bin"',
      '',
      big,
      '--outer--',
    ].join('\r\n');
    await imap.append(email({ messageId: 'with-files@customer.test', contentType: 'multipart/mixed; boundary="outer"', body }));
    const message = await waitFor(() => messageBySource('with-files@customer.test'), 'the email with attachments');
    const media = await q<{ uuid: string; filename: string; disposition: string; content_type: string }>(
      `SELECT uuid, filename, disposition, content_type FROM media WHERE model_type = 'messages' AND model_id = $1 ORDER BY filename`,
      [message.id],
    );
    expect(media.map((m) => [m.filename, m.disposition])).toEqual([
      ['notes.txt', 'attachment'],
      ['photo.png', 'inline'],
    ]);
    const photo = media.find((m) => m.filename === 'photo.png')!;
    expect(message.content).toContain(`/uploads/${photo.uuid}`);
    expect(message.content).not.toContain('cid:');
    expect(message.content).not.toContain('<script');
    expect(message.meta.skipped_attachments).toEqual([expect.objectContaining({ filename: 'huge.bin' })]);
    const conversation = await q<{ uuid: string }>(`SELECT uuid FROM conversations WHERE id = $1`, [message.conversation_id]);
    const listed = await t.http.get(`/api/v1/conversations/${conversation[0].uuid}/messages`).set('Authorization', auth);
    const shown = listed.body.data.results.find((m: { uuid: string }) => m.uuid === message.uuid);
    expect(shown.attachments).toHaveLength(2);
    const file = await t.rawHttp.get(`/uploads/${photo.uuid}`).set('Authorization', auth);
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body as Buffer, png)).toBe(0);
  });

  test('a delivery-status notification marks the original reply failed and creates no conversation', async () => {
    await imap.append(email({ messageId: 'bounce-start@customer.test', from: 'gone@customer.test', subject: 'Account question' }));
    await waitFor(() => messageBySource('bounce-start@customer.test'), 'the first email');
    const [conversation] = await conversationsFrom('gone@customer.test');
    const reply = await t.http.post(`/api/v1/conversations/${conversation.uuid}/messages`).set('Authorization', auth).send({ message: 'Here is the answer' });
    const sent = await waitFor(() => Promise.resolve(smtp.received.find((r) => r.raw.includes('Here is the answer'))), 'the reply to be sent');
    const original = sent.headers.get('message-id')!;
    await waitFor(async () => (await messageBySource(original.slice(1, -1)))?.status === 'sent', 'the reply to be sent');
    const eventsBefore = await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversations`);
    const dsn = [
      '--dsn',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--dsn',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.test',
      '',
      'Final-Recipient: rfc822; gone@customer.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <gone@customer.test>: Recipient address rejected: User unknown',
      '--dsn',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${original}`,
      'From: Support <support@imap.test>',
      'Subject: Re: Account question',
      '--dsn--',
    ].join('\r\n');
    await imap.append(
      email({
        messageId: 'dsn-1@mx.customer.test',
        from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
        subject: 'Undelivered Mail Returned to Sender',
        headers: { 'Auto-Submitted': 'auto-replied' },
        contentType: 'multipart/report; report-type=delivery-status; boundary="dsn"',
        body: dsn,
      }),
    );
    await waitFor(async () => (await messageBySource(original.slice(1, -1)))?.status === 'failed', 'the reply to be marked failed');
    const failed = await messageBySource(original.slice(1, -1));
    expect(failed.uuid).toBe(reply.body.data.uuid);
    expect(String(failed.meta.delivery_error)).toContain('550 5.1.1');
    expect(await receipt('dsn-1@mx.customer.test')).toMatchObject({ outcome: 'bounce' });
    expect(await q(`SELECT count(*)::int AS n FROM conversations`)).toEqual(eventsBefore);
    expect(await conversationsFrom('mailer-daemon@mx.customer.test')).toHaveLength(0);
    const updated = await q<{ payload: { status: string } }>(
      `SELECT payload FROM events WHERE type = 'message.updated' AND payload->>'message_uuid' = $1 ORDER BY seq`,
      [failed.uuid],
    );
    expect(updated.at(-1)!.payload.status).toBe('failed');
  });

  test('auto-replies and our own looping mail are dropped and counted', async () => {
    await imap.append(
      email({ messageId: 'ooo@customer.test', from: 'away@customer.test', headers: { 'Auto-Submitted': 'auto-replied' }, subject: 'Out of office' }),
    );
    await imap.append(email({ messageId: 'ooo2@customer.test', from: 'away@customer.test', headers: { 'X-Auto-Response-Suppress': 'OOF, AutoReply' } }));
    await imap.append(
      email({ messageId: 'echo@imap.test', from: 'Support <support@imap.test>', headers: { 'X-Libredesk-Loop-Prevention': 'support@imap.test' } }),
    );
    await imap.append(email({ messageId: 'after-drops@customer.test', from: 'away@customer.test', subject: 'Real question' }));
    await waitFor(() => messageBySource('after-drops@customer.test'), 'the real email after the dropped ones');
    expect(await receipt('ooo@customer.test')).toMatchObject({ outcome: 'auto_reply' });
    expect(await receipt('ooo2@customer.test')).toMatchObject({ outcome: 'auto_reply' });
    expect(await receipt('echo@imap.test')).toMatchObject({ outcome: 'loop' });
    expect(await messageBySource('ooo@customer.test')).toBeUndefined();
    expect(await messageBySource('echo@imap.test')).toBeUndefined();
    const status = (await t.http.get(`/api/v1/inboxes/${inboxId}`).set('Authorization', auth)).body.data.imap_status;
    expect(status.dropped).toBeGreaterThanOrEqual(3);
  });

  test('mail from a blocked contact is not imported', async () => {
    const created = await t.http
      .post('/api/v1/conversations')
      .set('Authorization', auth)
      .send({ inbox_id: inboxId, contact_email: 'spammer@customer.test', first_name: 'Spam', subject: 'hi', content: 'hi', initiator: 'contact' });
    expect(created.status).toBe(200);
    const [contact] = await q<{ id: number }>(`SELECT id FROM users WHERE email = 'spammer@customer.test'`);
    expect((await t.http.put(`/api/v1/contacts/${contact.id}/block`).set('Authorization', auth).send({ enabled: false })).status).toBeLessThan(300);
    await imap.append(email({ messageId: 'spam@customer.test', from: 'spammer@customer.test' }));
    await imap.append(email({ messageId: 'after-spam@customer.test', from: 'fine@customer.test' }));
    await waitFor(() => messageBySource('after-spam@customer.test'), 'the next email');
    expect(await receipt('spam@customer.test')).toMatchObject({ outcome: 'blocked' });
    expect(await messageBySource('spam@customer.test')).toBeUndefined();
  });

  test('a duplicate append is imported once; a broken message does not stop the next one', async () => {
    const raw = email({ messageId: 'twice@customer.test', from: 'twice@customer.test' });
    await imap.append(raw);
    await imap.append(raw);
    await imap.append('this is not\r\nan email at all \u0000\u0001 <<<>>>\r\n');
    await imap.append(email({ messageId: null, from: 'noid@customer.test', body: 'no message id here' }));
    await imap.append(
      email({
        messageId: 'charset@customer.test',
        from: 'charset@customer.test',
        contentType: 'text/plain; charset=x-unknown-charset',
        body: 'caf\u00e9 body',
      }),
    );
    await imap.append(
      Buffer.from(
        email({ messageId: 'latin1@customer.test', from: 'latin1@customer.test', contentType: 'text/plain; charset=iso-8859-1', body: 'Caf\u00e9 cr\u00e8me' }),
        'latin1',
      ),
    );
    await imap.append(email({ messageId: 'deleted@customer.test', from: 'deleted@customer.test' }), { flags: ['\\Deleted'] });
    await imap.append(
      email({ messageId: 'huge@customer.test', from: 'huge@customer.test', subject: 'Huge', body: 'x'.repeat(76).concat('\r\n').repeat(30_000) }),
    );
    await imap.append(email({ messageId: 'after-broken@customer.test', from: 'next@customer.test' }));
    await waitFor(() => messageBySource('after-broken@customer.test'), 'the email after the broken one');
    const twice = await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE source_id = 'twice@customer.test'`);
    expect(twice[0].n).toBe(1);
    expect(await conversationsFrom('twice@customer.test')).toHaveLength(1);
    expect(await conversationsFrom('noid@customer.test')).toHaveLength(1);
    expect((await messageBySource('charset@customer.test')).text_content).toContain('body');
    expect((await messageBySource('latin1@customer.test')).text_content).toBe('Café crème');
    expect(await messageBySource('deleted@customer.test')).toBeUndefined();
    expect(await receipt('deleted@customer.test')).toBeUndefined();
    const huge = await messageBySource('huge@customer.test');
    expect(huge.meta.truncated).toMatchObject({ size: expect.any(Number) });
    expect(huge.meta.subject).toBe('Huge');
  });

  test('the same email imported concurrently is written once (the unique Message-ID decides)', async () => {
    const importer = t.app.get(InboundImporter, { strict: false });
    const raw = Buffer.from(email({ messageId: 'race@customer.test', from: 'race@customer.test' }));
    const at = { inboxId, uid: 0, uidValidity: '0', ownAddresses: new Set<string>() };
    const outcomes = await Promise.all([importer.import(raw, at), importer.import(raw, at), importer.import(raw, at)]);
    expect(outcomes.filter((o) => o === 'imported')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(2);
    const rows = await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE source_id = 'race@customer.test'`);
    expect(rows[0].n).toBe(1);
    expect(await conversationsFrom('race@customer.test')).toHaveLength(1);
  });

  test('a 550 fails the reply at once; a 451 keeps it pending and retrying', async () => {
    await imap.append(email({ messageId: 'smtp-codes@customer.test', from: 'codes@customer.test' }));
    await waitFor(() => messageBySource('smtp-codes@customer.test'), 'the email');
    const [conversation] = await conversationsFrom('codes@customer.test');
    smtp.state.reply = { code: 550, text: '550 5.1.1 mailbox unavailable' };
    const before = smtp.state.rcptAttempts;
    const rejected = await t.http.post(`/api/v1/conversations/${conversation.uuid}/messages`).set('Authorization', auth).send({ message: 'Permanent' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const status = async (uuid: string) => (await q<{ status: string }>(`SELECT status FROM conversation_messages WHERE uuid = $1`, [uuid]))[0].status;
    await waitFor(async () => (await status(rejected.body.data.uuid)) === 'failed', 'the 550 to fail the reply', 5_000);
    expect(smtp.state.rcptAttempts - before).toBe(1);
    const [entry] = await q<{ attempts: number; last_error: string }>(
      `SELECT attempts, last_error FROM email_outbox o JOIN conversation_messages m ON m.id = o.message_id WHERE m.uuid = $1`,
      [rejected.body.data.uuid],
    );
    expect(entry.attempts).toBe(1);
    expect(entry.last_error).toContain('mailbox unavailable');

    smtp.state.reply = { code: 451, text: '451 4.3.0 try again later' };
    const deferred = await t.http.post(`/api/v1/conversations/${conversation.uuid}/messages`).set('Authorization', auth).send({ message: 'Temporary' });
    await waitFor(async () => {
      const rows = await q<{ attempts: number }>(`SELECT attempts FROM email_outbox o JOIN conversation_messages m ON m.id = o.message_id WHERE m.uuid = $1`, [
        deferred.body.data.uuid,
      ]);
      return rows[0]?.attempts >= 2;
    }, 'the 451 to be retried');
    expect(await status(deferred.body.data.uuid)).toBe('pending');
    smtp.state.reply = null;
    await waitFor(async () => (await status(deferred.body.data.uuid)) === 'sent', 'the retry to succeed');
  });

  test('a wrong password is visible in imap_status and retried', async () => {
    const created = await t.http
      .post('/api/v1/inboxes')
      .set('Authorization', auth)
      .send({
        name: 'Broken',
        from: 'broken@imap.test',
        imap: { host: '127.0.0.1', port: imap.port, tls: 'none', username: 'support@imap.test', password: 'wrong' },
      });
    const id = created.body.data.id;
    const status = await waitFor(async () => {
      const s = (await t.http.get(`/api/v1/inboxes/${id}`).set('Authorization', auth)).body.data.imap_status;
      return s.ok === false ? s : null;
    }, 'the login failure to show');
    expect(status.last_error).toMatch(/auth|login|credentials/i);
    await t.http.put(`/api/v1/inboxes/${id}`).set('Authorization', auth).send({ enabled: false });
  });

  test('a restart imports nothing twice, even after a conversation was deleted', async () => {
    await imap.append(email({ messageId: 'before-restart@customer.test', from: 'restart@customer.test' }));
    await waitFor(() => messageBySource('before-restart@customer.test'), 'the email before the restart');
    const receiver = t.app.get(ImapReceiver);
    await receiver.beforeApplicationShutdown();
    const [conversation] = await conversationsFrom('restart@customer.test');
    await q(`DELETE FROM conversations WHERE id = $1`, [conversation.id]);
    const before = await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE type = 'incoming'`);
    const restarted = secondReceiver(t);
    try {
      restarted.onApplicationBootstrap();
      await imap.append(email({ messageId: 'after-restart@customer.test', from: 'restart2@customer.test' }));
      await waitFor(() => messageBySource('after-restart@customer.test'), 'the email after the restart');
      const after = await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE type = 'incoming'`);
      expect(after[0].n).toBe(before[0].n + 1);
      expect(await conversationsFrom('restart@customer.test')).toHaveLength(0);
    } finally {
      await restarted.beforeApplicationShutdown();
      receiver.onApplicationBootstrap();
    }
  });

  test('two receivers sharing the database take each message once', async () => {
    const other = secondReceiver(t);
    try {
      other.onApplicationBootstrap();
      for (let i = 0; i < 6; i++) await imap.append(email({ messageId: `pair-${i}@customer.test`, from: `pair${i}@customer.test` }));
      await waitFor(
        async () => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE source_id LIKE 'pair-%'`))[0].n === 6,
        'all six',
      );
      await new Promise((r) => setTimeout(r, 1000));
      const rows = await q<{ source_id: string; n: number }>(
        `SELECT source_id, count(*)::int AS n FROM conversation_messages WHERE source_id LIKE 'pair-%' GROUP BY source_id`,
      );
      expect(rows.every((r) => r.n === 1)).toBe(true);
      const leases = await q<{ lease_owner: string | null }>(`SELECT lease_owner FROM mail_inbound_mailboxes WHERE inbox_id = $1`, [inboxId]);
      expect(leases).toHaveLength(1);
    } finally {
      await other.beforeApplicationShutdown();
    }
  });

  // Last: closing extra application instances in this process ends the shared database connection.
  test.skipIf(!process.env.DATABASE_URL)('two more server instances on the same database: each email is imported once', async () => {
    const config = { ...t.config, MAIL_WORKER_ENABLED: false };
    const apps: NestFastifyApplication[] = [];
    for (let i = 0; i < 2; i++) {
      const ref = await Test.createTestingModule({ imports: [AppModule.forRoot({ config })] }).compile();
      ref.useLogger(['error', 'fatal']);
      apps.push(await configureApp(ref.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), APP_OPTIONS)));
    }
    try {
      await new Promise((r) => setTimeout(r, 500));
      for (let i = 0; i < 8; i++) await imap.append(email({ messageId: `trio-${i}@customer.test`, from: `trio${i}@customer.test` }));
      await waitFor(
        async () => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE source_id LIKE 'trio-%'`))[0].n === 8,
        'all eight',
      );
      await new Promise((r) => setTimeout(r, 1000));
      const rows = await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversation_messages WHERE source_id LIKE 'trio-%' GROUP BY source_id`);
      expect(rows.map((r) => r.n)).toEqual(Array(8).fill(1));
      expect(await q(`SELECT count(*)::int AS n FROM conversations c JOIN users u ON u.id = c.contact_id WHERE u.email LIKE 'trio%'`)).toEqual([{ n: 8 }]);
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  });
});

function secondReceiver(t: TestApp): ImapReceiver {
  return new ImapReceiver(
    t.app.get(InboundRepository, { strict: false }),
    t.app.get(InboundImporter, { strict: false }),
    t.app.get(InboxesService, { strict: false }),
    t.app.get(AppConfig, { strict: false }),
    t.app.get(HttpAdapterHost),
  );
}
