import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentsService } from '../../src/modules/agents/agents.service.js';
import { requestFingerprint } from '../../src/shared/http/idempotency/idempotency-key.js';
import { IdempotencyService } from '../../src/shared/http/idempotency/idempotency.service.js';
import { startTestApp, withoutContractCheck, type Credentials, type TestApp } from '../support/test-app.js';

let t: TestApp;
let auth: string;
let seq = 0;
beforeAll(async () => {
  t = await startTestApp();
  auth = t.token(t.admin);
});
afterAll(async () => t?.close());

const newKey = () => `key-${Date.now()}-${++seq}`;
const agentBody = (email: string) => ({ first_name: 'Idem', last_name: 'Potent', email, roles: ['Agent'] });
const usersWithEmail = async (email: string) => (await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]))[0].n as number;
const keyRow = async (key: string) =>
  (await t.dataSource.query(`SELECT state, response_status, response_body FROM idempotency_keys WHERE key = $1`, [key]))[0] as
    { state: string; response_status: number | null; response_body: string | null } | undefined;

/** Makes inserts of users with this email fail: with a 500 (`XX000`), or slowly (`sleep`). */
async function userInsertTrigger(email: string, action: 'fail' | 'sleep'): Promise<() => Promise<void>> {
  const name = `idem_${action}_${++seq}`;
  const body = action === 'fail' ? `RAISE EXCEPTION 'injected failure' USING ERRCODE = 'XX000'` : `PERFORM pg_sleep(1)`;
  await t.dataSource.query(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.email = '${email}' THEN ${body}; END IF; RETURN NEW; END $$;
    CREATE TRIGGER ${name} BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION ${name}();`);
  return async () => {
    await t.dataSource.query(`DROP TRIGGER ${name} ON users; DROP FUNCTION ${name}();`);
  };
}

describe('replay', () => {
  test('the same key and body replays the first response without doing the work again', async () => {
    const key = newKey();
    const body = agentBody('replay@example.com');
    const first = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(body).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.body.data.email).toBe('replay@example.com');

    // Same content, keys in another order: still the same request.
    const reordered = { roles: ['Agent'], email: body.email, last_name: body.last_name, first_name: body.first_name };
    const second = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(reordered).expect(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['content-type']).toMatch(/^application\/json/);
    expect(second.body).toEqual(first.body);
    expect(second.text).toBe(first.text);
    expect(second.headers['x-request-id']).toBeDefined();
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(await usersWithEmail('replay@example.com')).toBe(1);

    const row = await keyRow(key);
    expect(row).toMatchObject({ state: 'completed', response_status: 200 });
    expect(JSON.parse(row!.response_body!)).toMatchObject({ status: 'success', data: { email: 'replay@example.com' } });
  });

  test('without a key, or on another method, nothing is recorded', async () => {
    await t.http.post('/api/v1/agents').set('Authorization', auth).send(agentBody('nokey@example.com')).expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', auth).set('Idempotency-Key', 'get-is-ignored').expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', auth).set('Idempotency-Key', 'not valid but ignored on GET').expect(200);
    const rows = await t.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = 'get-is-ignored' OR path <> '/api/v1/agents'`);
    expect(rows).toHaveLength(0);
  });

  test('a 4xx answer is stored and replayed too', async () => {
    const key = newKey();
    const bad = { first_name: 'X', email: 'not-an-email', roles: ['Agent'] };
    const first = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(bad).expect(400);
    expect(first.body.error_type).toBe('InputException');
    const second = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(bad).expect(400);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);

    const dupKey = newKey();
    await t.http.post('/api/v1/agents').set('Authorization', auth).send(agentBody('taken@example.com')).expect(200);
    const conflict = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .set('Idempotency-Key', dupKey)
      .send(agentBody('taken@example.com'))
      .expect(409);
    const replayed = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .set('Idempotency-Key', dupKey)
      .send(agentBody('taken@example.com'))
      .expect(409);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(conflict.body);
    expect((await keyRow(dupKey))?.response_status).toBe(409);
  });

  test('keys are scoped per API key', async () => {
    const other: Credentials = await t.app.get(AgentsService).createAdmin('second-admin@example.com', 'Sec', 'Ond');
    const key = newKey();
    await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody('scope-a@example.com')).expect(200);
    const res = await t.http
      .post('/api/v1/agents')
      .set('Authorization', t.token(other))
      .set('Idempotency-Key', key)
      .send(agentBody('scope-b@example.com'))
      .expect(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.data.email).toBe('scope-b@example.com');
    expect(await usersWithEmail('scope-b@example.com')).toBe(1);
  });
});

describe('multipart uploads', () => {
  test('an upload retried with its key is stored once; another file under the key is 422', async () => {
    const key = newKey();
    const file = Buffer.from('idempotent upload\n');
    const upload = (bytes: Buffer) =>
      t.http
        .post('/api/v1/media')
        .set('Authorization', auth)
        .set('Idempotency-Key', key)
        .attach('files', bytes, { filename: 'note.txt', contentType: 'text/plain' });
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM media`))[0].n;
    const first = await upload(file).expect(200);
    const second = await upload(file).expect(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM media`))[0].n).toBe(before + 1);

    const different = await withoutContractCheck(upload(Buffer.from('a much longer, different upload body\n')));
    expect(different.status).toBe(422);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM media`))[0].n).toBe(before + 1);
  });
});

describe('misuse', () => {
  test('the same key with a different body is 422 and does nothing', async () => {
    const key = newKey();
    await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody('first-body@example.com')).expect(200);
    // rawHttp: 422 is this feature's status, beyond the contract's status table.
    const res = await t.rawHttp.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody('second-body@example.com'));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', data: null });
    expect(res.body.message).toMatch(/different request/);
    expect(await usersWithEmail('second-body@example.com')).toBe(0);

    // Another path with the same key is a different request too.
    const other = await t.rawHttp.post('/api/v1/agents/1/api-key').set('Authorization', auth).set('Idempotency-Key', key);
    expect(other.status).toBe(422);
  });

  test.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['non-ASCII', 'clé'],
    ['a control character', 'a\tb'],
  ])('an Idempotency-Key that is %s is 400', async (_label, value) => {
    const res = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', value).send(agentBody('badkey@example.com'));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
    expect(res.body.message).toMatch(/Idempotency-Key/);
    expect(await usersWithEmail('badkey@example.com')).toBe(0);
  });

  test('255 visible ASCII characters are a valid key', async () => {
    const key = `${'~'.repeat(200)}!#$%&'*+-.^_\`|${'Z'.repeat(41)}`;
    expect(key).toHaveLength(255);
    await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody('longkey@example.com')).expect(200);
    const again = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody('longkey@example.com')).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  test('a request whose key is still in flight is 409', async () => {
    const key = newKey();
    const body = agentBody('inflight@example.com');
    const fingerprint = requestFingerprint({ method: 'POST', url: '/api/v1/agents', body, headers: {} });
    await t.dataSource.query(
      `INSERT INTO idempotency_keys (user_id, key, fingerprint, method, path, lock_token, expires_at)
       VALUES ($1, $2, $3, 'POST', '/api/v1/agents', gen_random_uuid(), now() + interval '1 day')`,
      [t.admin.id, key, fingerprint],
    );
    const res = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(body).expect(409);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'ConflictException', data: null });
    expect(res.body.message).toMatch(/in progress/);
    expect(await usersWithEmail('inflight@example.com')).toBe(0);

    // A lock that outlived the lock timeout belongs to a dead process: the retry takes it over.
    await t.dataSource.query(`UPDATE idempotency_keys SET locked_at = now() - interval '10 minutes' WHERE key = $1`, [key]);
    await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(body).expect(200);
    expect(await usersWithEmail('inflight@example.com')).toBe(1);
  });

  test('concurrent duplicates create one agent; the others get 409 or the replay', async () => {
    const key = newKey();
    const body = agentBody('race@example.com');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(body)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const successes = results.filter((r) => r.status === 200);
    expect(successes.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(new Set(successes.map((r) => r.body.data.id)).size).toBe(1);
    expect(await usersWithEmail('race@example.com')).toBe(1);
  });

  test.skipIf(!process.env.DATABASE_URL)('a duplicate sent while the first is running is 409 (PostgreSQL only: PGlite runs one query at a time)', async () => {
    const email = 'slow@example.com';
    const drop = await userInsertTrigger(email, 'sleep');
    try {
      const key = newKey();
      const first = t.http
        .post('/api/v1/agents')
        .set('Authorization', auth)
        .set('Idempotency-Key', key)
        .send(agentBody(email))
        .then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      const second = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody(email));
      expect(second.status).toBe(409);
      expect((await first).status).toBe(200);
      const third = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody(email)).expect(200);
      expect(third.headers['idempotent-replayed']).toBe('true');
    } finally {
      await drop();
    }
  });
});

describe('failures and expiry', () => {
  test('a 5xx releases the key, so a retry does the work', async () => {
    const email = 'boom@example.com';
    const key = newKey();
    const drop = await userInsertTrigger(email, 'fail');
    const failed = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody(email));
    await drop();
    expect(failed.status).toBe(500);
    expect(await keyRow(key)).toBeUndefined();
    const retry = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody(email)).expect(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await usersWithEmail(email)).toBe(1);
  });

  test('a client that hangs up mid-request still gets the stored result on retry', async () => {
    const email = 'hangup@example.com';
    const key = newKey();
    const drop = await userInsertTrigger(email, 'sleep');
    try {
      const server = t.app.getHttpServer();
      if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const { port } = server.address() as AddressInfo;
      const payload = JSON.stringify(agentBody(email));
      await new Promise<void>((resolve) => {
        const req = http.request({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/agents',
          headers: { Authorization: auth, 'Idempotency-Key': key, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        });
        req.on('error', () => resolve());
        req.on('response', (res) => {
          res.resume();
          resolve();
        });
        req.end(payload);
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
      await expect.poll(async () => (await keyRow(key))?.state, { timeout: 10_000, interval: 100 }).toBe('completed');
    } finally {
      await drop();
    }
    const retry = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody(email)).expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.data.email).toBe(email);
    expect(await usersWithEmail(email)).toBe(1);
  });

  test('after 24 hours a key is forgotten: reused freely, and swept', async () => {
    const key = newKey();
    await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody('old-1@example.com')).expect(200);
    await t.dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    const reused = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Idempotency-Key', key).send(agentBody('old-2@example.com')).expect(200);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    expect(await usersWithEmail('old-2@example.com')).toBe(1);

    const expiry = await t.dataSource.query(`SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM idempotency_keys WHERE key = $1`, [key]);
    expect(expiry[0].ttl).toBe(24 * 3600);
    await t.dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    expect(await t.app.get(IdempotencyService).sweep()).toBeGreaterThanOrEqual(1);
    expect(await keyRow(key)).toBeUndefined();
  });
});
