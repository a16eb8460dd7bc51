import { waitFor } from '../support/process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { SmtpSink } from './smtp-sink.js';

/**
 * The inbox's SMTP server goes away (connection refused) and comes back. Four attempts, 300 ms apart
 * and doubling, give a retry budget of about two seconds.
 */
describe.skipIf(!process.env.DATABASE_URL)('faults: an SMTP outage (PostgreSQL runs only)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let auth: string;
  let conversationUuid: string;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({ MAIL_POLL_INTERVAL_MS: '50', MAIL_RETRY_BASE_MS: '300', MAIL_MAX_ATTEMPTS: '4', MAIL_LEASE_SECONDS: '30' });
    auth = t.token(t.admin);
    const inbox = await t.http
      .post('/api/v1/inboxes')
      .set('Authorization', auth)
      .send({ name: 'Outage', from: 'Support <help@outage.test>', smtp: { host: '127.0.0.1', port: sink.port, tls: 'none' } })
      .expect(200);
    const conversation = await t.http
      .post('/api/v1/conversations')
      .set('Authorization', auth)
      .send({ inbox_id: inbox.body.data.id, contact_email: 'customer@outage.test', first_name: 'Cus', subject: 'Help', content: 'Hi', initiator: 'contact' })
      .expect(200);
    conversationUuid = conversation.body.data.uuid;
  });

  afterAll(async () => {
    await t?.close();
    await sink?.down();
  });

  const reply = async (text: string): Promise<string> =>
    (await t.http.post(`/api/v1/conversations/${conversationUuid}/messages`).set('Authorization', auth).send({ message: text }).expect(200)).body.data.uuid;
  const statusOf = async (uuid: string): Promise<string> =>
    (await t.http.get(`/api/v1/conversations/${conversationUuid}/messages/${uuid}`).set('Authorization', auth).expect(200)).body.data.status;
  const statuses = (uuids: string[]) => Promise.all(uuids.map(statusOf));
  const outbox = async (uuid: string) =>
    (
      await t.dataSource.query(
        `SELECT o.state, o.attempts, o.last_error FROM email_outbox o JOIN conversation_messages m ON m.id = o.message_id WHERE m.uuid = $1`,
        [uuid],
      )
    )[0] as { state: string; attempts: number; last_error: string | null };
  const messageId = (uuid: string) => `<${uuid}@outage.test>`;

  test('down past the retry budget: replies go failed; once it is back, retry sends each exactly once', async () => {
    await sink.down();
    const uuids = [await reply('first'), await reply('second'), await reply('third')];
    await waitFor(async () => (await statuses(uuids)).every((s) => s === 'failed'), 'the replies to fail');
    for (const uuid of uuids) {
      expect(await outbox(uuid)).toMatchObject({ state: 'failed', attempts: 4, last_error: expect.stringMatching(/ECONNREFUSED/) });
    }

    await sink.up();
    for (const uuid of uuids) {
      const retried = await t.http.put(`/api/v1/conversations/${conversationUuid}/messages/${uuid}/retry`).set('Authorization', auth).expect(200);
      expect(retried.body.data.status).toBe('pending');
    }
    await waitFor(async () => (await statuses(uuids)).every((s) => s === 'sent'), 'the retried replies to be sent');
    for (const uuid of uuids) {
      expect(sink.deliveriesOf(messageId(uuid))).toHaveLength(1);
      expect(await outbox(uuid)).toMatchObject({ state: 'sent', attempts: 1, last_error: null });
    }
  });

  test('down and back within the retry budget: replies go sent without a manual retry', async () => {
    await sink.down();
    const uuids = [await reply('fourth'), await reply('fifth'), await reply('sixth')];
    // Every reply has failed at least once against the closed port, and is still waiting to be retried.
    await waitFor(async () => (await Promise.all(uuids.map(outbox))).every((o) => o.attempts >= 1 && o.last_error !== null), 'a failed first attempt');
    expect(await statuses(uuids)).toEqual(['pending', 'pending', 'pending']);

    await sink.up();
    await waitFor(async () => (await statuses(uuids)).every((s) => s === 'sent'), 'the replies to be sent by the automatic retries', 10_000);
    for (const uuid of uuids) {
      expect(sink.deliveriesOf(messageId(uuid))).toHaveLength(1);
      const entry = await outbox(uuid);
      expect(entry.state).toBe('sent');
      expect(entry.attempts).toBeGreaterThanOrEqual(2);
      expect(entry.attempts).toBeLessThanOrEqual(4);
    }
  });
});
