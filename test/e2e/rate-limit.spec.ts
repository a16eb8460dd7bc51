import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureApp } from '../../src/bootstrap.js';
import { AgentsService } from '../../src/modules/agents/agents.service.js';
import { validateEnvironment } from '../../src/shared/config/app-config.js';
import { createFastifyAdapter } from '../../src/shared/http/fastify.js';
import { RateLimitService } from '../../src/shared/http/rate-limit/rate-limit.service.js';
import { startTestApp, type Credentials, type TestApp } from '../support/test-app.js';

const LIMIT_HEADERS = [
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh admin made without HTTP, so setting up a test spends none of any key's budget. */
let seq = 0;
const newAdmin = (t: TestApp): Promise<Credentials> => t.app.get(AgentsService).createAdmin(`rl-${++seq}-${Date.now()}@example.com`, 'Rate', 'Limited');
const wrongSecret = (c: Credentials) => ({ ...c, api_secret: `${c.api_secret.slice(0, -1)}${c.api_secret.endsWith('x') ? 'y' : 'x'}` });

function expectLimitHeaders(res: supertest.Response, limit: number, remaining: number, windowSeconds = 60): void {
  for (const h of LIMIT_HEADERS) expect(res.headers[h], h).toBeDefined();
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
  expect(res.headers['ratelimit-remaining']).toBe(String(remaining));
  expect(res.headers['ratelimit-policy']).toBe(`${limit};w=${windowSeconds}`);
  const reset = Number(res.headers['x-ratelimit-reset']);
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(windowSeconds);
  expect(res.headers['ratelimit-reset']).toBe(res.headers['x-ratelimit-reset']);
}

describe('per API key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', AUTH_FAILURE_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(async () => t?.close());

  test('successes carry the limit headers; past the limit it is 429 with Retry-After', async () => {
    const me = await newAdmin(t);
    for (let i = 1; i <= 5; i++) {
      const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(200);
      expectLimitHeaders(res, 5, 5 - i);
    }
    const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(429);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'RateLimitException', data: null });
    expect(res.body.message).toMatch(/5 requests per 60 s/);
    expectLimitHeaders(res, 5, 0);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.headers['retry-after']).toBe(res.headers['x-ratelimit-reset']);
    expect(res.headers['x-request-id']).toBeDefined();

    // Basic auth is the same key; a write is refused before it happens.
    const post = await t.http
      .post('/api/v1/agents')
      .set('Authorization', t.basic(me))
      .send({ first_name: 'N', email: 'never@example.com', roles: ['Agent'] });
    expect(post.status).toBe(429);
    expect(await t.dataSource.query(`SELECT 1 FROM users WHERE email = 'never@example.com'`)).toHaveLength(0);
  });

  test('each key has its own budget; errors after authentication carry the headers too', async () => {
    const a = await newAdmin(t);
    const b = await newAdmin(t);
    for (let i = 0; i < 6; i++) await t.http.get('/api/v1/agents/me').set('Authorization', t.token(a));
    const res = await t.http.get('/api/v1/agents/999999').set('Authorization', t.token(b)).expect(404);
    expectLimitHeaders(res, 5, 4);
  });

  test('concurrent requests are counted exactly', async () => {
    const me = await newAdmin(t);
    const results = await Promise.all(Array.from({ length: 12 }, () => t.http.get('/api/v1/agents/me').set('Authorization', t.token(me))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    const remaining = results
      .filter((r) => r.status === 200)
      .map((r) => Number(r.headers['x-ratelimit-remaining']))
      .sort();
    expect(remaining).toEqual([0, 1, 2, 3, 4]);
  });

  test('public routes are not limited and carry no limit headers', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await t.http.get('/health').expect(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    await t.http.get('/docs-json').expect(200);
  });

  test('old counters are swept', async () => {
    await t.dataSource.query(`INSERT INTO rate_limit_counters (key, window_start, hits) VALUES ('key:stale', now() - interval '1 hour', 3)`);
    expect(await t.app.get(RateLimitService).sweep()).toBeGreaterThanOrEqual(1);
    expect(await t.dataSource.query(`SELECT 1 FROM rate_limit_counters WHERE key = 'key:stale'`)).toHaveLength(0);
  });
});

describe('the window', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_WINDOW_SECONDS: '2', AUTH_FAILURE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => t?.close());

  test('the key budget comes back when the window ends', async () => {
    const me = await newAdmin(t);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(200);
    const limited = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await sleep(retryAfter * 1000 + 100);
    const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(200);
    expectLimitHeaders(res, 2, 1, 2);
  });

  test('a blocked address is let in again when the window ends', async () => {
    const me = await newAdmin(t);
    await t.http
      .get('/api/v1/agents/me')
      .set('Authorization', t.token(wrongSecret(me)))
      .expect(401);
    await t.http
      .get('/api/v1/agents/me')
      .set('Authorization', t.token(wrongSecret(me)))
      .expect(401);
    const blocked = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(429);
    await sleep(Number(blocked.headers['retry-after']) * 1000 + 100);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(200);
  });

  test('without TRUST_PROXY, X-Forwarded-For does not change the client address', async () => {
    const me = await newAdmin(t);
    await t.http
      .get('/api/v1/agents/me')
      .set('Authorization', t.token(wrongSecret(me)))
      .set('X-Forwarded-For', '203.0.113.1')
      .expect(401);
    await t.http
      .get('/api/v1/agents/me')
      .set('Authorization', t.token(wrongSecret(me)))
      .set('X-Forwarded-For', '203.0.113.2')
      .expect(401);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).set('X-Forwarded-For', '203.0.113.3').expect(429);
  });
});

describe('failed authentication per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Behind a trusted (loopback) proxy, X-Forwarded-For names the client, so each test is its own client.
    t = await startTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => t?.close());
  const failures = async (client: string) =>
    (await t.dataSource.query(`SELECT hits FROM rate_limit_counters WHERE key = $1`, [`auth-failures:${client}`]))[0]?.hits as number | undefined;

  test('missing credentials are 401 but are not counted as guesses', async () => {
    const client = '198.51.100.1';
    for (let i = 0; i < 6; i++) await t.http.get('/api/v1/agents/me').set('X-Forwarded-For', client).expect(401);
    await t.http.get('/api/v1/agents/me').set('X-Forwarded-For', client).set('Authorization', 'Bearer nope').expect(401);
    await t.http.get('/api/v1/agents/me').set('X-Forwarded-For', client).set('Authorization', t.token(t.admin)).expect(200);
    expect(await failures(client)).toBeUndefined();
  });

  test('past the budget the address gets 429, even with valid credentials, before they are checked', async () => {
    const client = '198.51.100.2';
    const me = await newAdmin(t);
    for (let i = 0; i < 2; i++)
      await t.http
        .get('/api/v1/agents/me')
        .set('X-Forwarded-For', client)
        .set('Authorization', t.token(wrongSecret(me)))
        .expect(401);
    await t.http
      .get('/api/v1/agents/me')
      .set('X-Forwarded-For', client)
      .set('Authorization', t.basic({ api_key: 'unknown-key', api_secret: 'x' }))
      .expect(401);

    const res = await t.http.get('/api/v1/agents/me').set('X-Forwarded-For', client).set('Authorization', t.token(me)).expect(429);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'RateLimitException' });
    expect(res.body.message).toMatch(/failed authentication/);
    expectLimitHeaders(res, 3, 0);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // Refused before the credentials are read: nothing more is counted, whatever is sent.
    expect(await failures(client)).toBe(3);
    await t.http
      .get('/api/v1/agents/me')
      .set('X-Forwarded-For', client)
      .set('Authorization', t.token(wrongSecret(me)))
      .expect(429);
    await t.http.get('/api/v1/agents/me').set('X-Forwarded-For', client).expect(429);
    expect(await failures(client)).toBe(3);

    // Other clients, and public routes, are unaffected.
    await t.http.get('/api/v1/agents/me').set('X-Forwarded-For', '198.51.100.9').set('Authorization', t.token(me)).expect(200);
    await t.http.get('/health').set('X-Forwarded-For', client).expect(200);
  });
});

describe('configuration', () => {
  test('RATE_LIMIT_ENABLED=false turns both limits off', async () => {
    const t = await startTestApp({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '1', AUTH_FAILURE_LIMIT_PER_MINUTE: '1' });
    try {
      for (let i = 0; i < 3; i++)
        await t.http
          .get('/api/v1/agents/me')
          .set('Authorization', t.token(wrongSecret(t.admin)))
          .expect(401);
      for (let i = 0; i < 3; i++) {
        const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin)).expect(200);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });

  test('defaults, and bad values stop the server', () => {
    const config = validateEnvironment({});
    expect(config).toMatchObject({
      RATE_LIMIT_ENABLED: true,
      RATE_LIMIT_PER_MINUTE: 3000,
      AUTH_FAILURE_LIMIT_PER_MINUTE: 60,
      RATE_LIMIT_WINDOW_SECONDS: 60,
      TRUST_PROXY: 'false',
    });
    expect(() => validateEnvironment({ RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => validateEnvironment({ AUTH_FAILURE_LIMIT_PER_MINUTE: 'many' })).toThrow(/AUTH_FAILURE_LIMIT_PER_MINUTE/);
    expect(() => validateEnvironment({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
  });
});

describe('several instances on one database', () => {
  const onPostgres = Boolean(process.env.DATABASE_URL);
  if (!onPostgres) {
    test.skip('share the key and address limits (PostgreSQL only: an embedded PGlite cannot be opened by two instances)', () => {});
    return;
  }

  let t: TestApp;
  let second: NestFastifyApplication;
  let http2: ReturnType<typeof supertest>;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '4', AUTH_FAILURE_LIMIT_PER_MINUTE: '3' });
    const config = validateEnvironment({
      ...process.env,
      DATA_DIR: t.config.DATA_DIR,
      DATABASE_URL: t.config.DATABASE_URL,
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_MINUTE: '4',
      AUTH_FAILURE_LIMIT_PER_MINUTE: '3',
    });
    const ref = await Test.createTestingModule({ imports: [AppModule.forRoot({ config })] }).compile();
    ref.useLogger(['error', 'fatal']);
    second = await configureApp(ref.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), APP_OPTIONS));
    http2 = supertest(second.getHttpServer());
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  test('a key spends one budget across instances', async () => {
    const me = await newAdmin(t);
    const remaining: string[] = [];
    for (const client of [t.http, http2, t.http, http2]) {
      const res = await client.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(200);
      remaining.push(res.headers['x-ratelimit-remaining']);
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(429);
    await http2.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(429);
  });

  test('failures counted by one instance block the address on the other', async () => {
    const me = await newAdmin(t);
    await t.http
      .get('/api/v1/agents/me')
      .set('Authorization', t.token(wrongSecret(me)))
      .expect(401);
    await http2
      .get('/api/v1/agents/me')
      .set('Authorization', t.token(wrongSecret(me)))
      .expect(401);
    await t.http
      .get('/api/v1/agents/me')
      .set('Authorization', t.token(wrongSecret(me)))
      .expect(401);
    const res = await http2.get('/api/v1/agents/me').set('Authorization', t.token(me)).expect(429);
    expect(res.body.error_type).toBe('RateLimitException');
    await http2.get('/api/v1/agents/me').expect(429);
  });
});
