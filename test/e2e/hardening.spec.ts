import { parseCorsOrigins, redactUrl, trustProxySetting } from '../../src/shared/http/security.js';
import { validateEnvironment } from '../../src/shared/config/app-config.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ALLOWED = 'https://app.example.com';

function expectSecurityHeaders(res: { headers: Record<string, string | undefined> }, label: string): void {
  const h = res.headers;
  expect(h['content-security-policy'], label).toBeDefined();
  expect(h['x-content-type-options'], label).toBe('nosniff');
  expect(h['x-frame-options'], label).toBe('SAMEORIGIN');
  expect(h['strict-transport-security'], label).toMatch(/max-age=\d+/);
  expect(h['referrer-policy'], label).toBe('no-referrer');
  expect(h['cross-origin-opener-policy'], label).toBe('same-origin');
  expect(h['x-dns-prefetch-control'], label).toBe('off');
  expect(h['x-powered-by'], label).toBeUndefined();
}

describe('default deployment (no CORS origins)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  test('every kind of response carries the security headers', async () => {
    const auth = t.token(t.admin);
    expectSecurityHeaders(await t.http.get('/api/v1/agents/me').set('Authorization', auth).expect(200), 'API success');
    expectSecurityHeaders(await t.http.get('/api/v1/agents/me').expect(401), '401');
    expectSecurityHeaders(await t.http.get('/api/v1/nope').set('Authorization', auth).expect(404), 'unknown route');
    expectSecurityHeaders(await t.http.get('/health').expect(200), '/health');
    expectSecurityHeaders(await t.http.get('/docs').expect(200), '/docs');
    expectSecurityHeaders(await t.http.get('/docs-json').expect(200), '/docs-json');
    const res = await t.http.get('/api/v1/agents/me').set('Authorization', auth);
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  test('the CSP allows only local scripts and keeps plain-HTTP deployments working', async () => {
    const csp = (await t.http.get('/docs').expect(200)).headers['content-security-policy'];
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['img-src']).toEqual(["'self'", 'data:']);
    expect(directives['frame-ancestors']).toEqual(["'self'"]);
    expect(directives).not.toHaveProperty('upgrade-insecure-requests');
  });

  test('Swagger UI still loads under the CSP: no inline script, every asset served locally', async () => {
    const page = await t.http.get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs, 'a <script> without src is inline code the CSP blocks').toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
    expect(page.text).not.toMatch(/\son[a-z]+\s*=/i);
    const assets = [
      ...[...page.text.matchAll(/<script[^>]*\bsrc=["']([^"']+)["']/gi)].map((m) => m[1]),
      ...[...page.text.matchAll(/<link[^>]*\bhref=["']([^"']+)["']/gi)].map((m) => m[1]),
    ];
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset, 'Swagger UI assets are served by this server').not.toMatch(/^(https?:)?\/\//);
      const url = new URL(asset, 'http://localhost/docs').pathname;
      const res = await t.http.get(url);
      expect(res.status, url).toBe(200);
    }
    const init = await t.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('SwaggerUIBundle');
  });

  test('CORS is off: no preflight, no CORS headers for any origin', async () => {
    const preflight = await t.rawHttp.options('/api/v1/agents').set('Origin', ALLOWED).set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(404);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin)).set('Origin', ALLOWED).expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a 500 is logged with its request id, and without secrets, query credentials or query parameters', async () => {
    const email = 'logged-secret@example.com';
    await t.dataSource.query(`
      CREATE FUNCTION hardening_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.email = '${email}' THEN RAISE EXCEPTION 'injected failure' USING ERRCODE = 'XX000'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER hardening_fail BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION hardening_fail();`);
    const logged: string[] = [];
    const capture = (stream: NodeJS.WriteStream) => {
      const original = stream.write.bind(stream);
      stream.write = (chunk: unknown, ...rest: unknown[]) => {
        logged.push(String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      };
      return () => (stream.write = original);
    };
    const restore = [capture(process.stdout), capture(process.stderr)];
    const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' '))),
    );
    let res;
    try {
      res = await t.http
        .post('/api/v1/agents?sig=SIGVALUE123&api_secret=QUERYSECRET&page=2')
        .set('Authorization', t.token(t.admin))
        .send({ first_name: 'Log', email, roles: ['Agent'] });
    } finally {
      restore.forEach((r) => r());
      consoleSpies.forEach((s) => s.mockRestore());
      await t.dataSource.query(`DROP TRIGGER hardening_fail ON users; DROP FUNCTION hardening_fail();`);
    }
    expect(res.status).toBe(500);
    const requestId = res.headers['x-request-id'];
    expect(res.body).toMatchObject({ status: 'error', error_type: 'GeneralException', data: null });
    expect(res.body.message).toContain(requestId);
    expect(res.body.message).not.toMatch(/injected|users/);

    const text = logged.join('\n');
    expect(text).toContain(requestId);
    expect(text).toContain('sig=[REDACTED]');
    expect(text).toContain('api_secret=[REDACTED]');
    expect(text).toContain('page=2');
    expect(text).not.toContain('SIGVALUE123');
    expect(text).not.toContain('QUERYSECRET');
    expect(text).not.toContain(t.admin.api_secret);
    expect(text).not.toContain(email);
    expect(text).toMatch(/parameter\(s\) not logged/);
  });
});

describe('configured CORS origins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: `${ALLOWED}, https://admin.example.com/` });
  });
  afterAll(async () => t?.close());

  test('a preflight from a configured origin is allowed, with the API headers', async () => {
    const res = await t.rawHttp
      .options('/api/v1/agents')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toMatch(/\bPOST\b/);
    expect(res.headers['access-control-allow-methods']).toMatch(/\bDELETE\b/);
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase();
    for (const h of ['authorization', 'content-type', 'idempotency-key']) expect(allowed).toContain(h);
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Origin/i);

    const second = await t.rawHttp.options('/api/v1/agents').set('Origin', 'https://admin.example.com').set('Access-Control-Request-Method', 'GET');
    expect(second.headers['access-control-allow-origin']).toBe('https://admin.example.com');
  });

  test('a preflight from any other origin is refused', async () => {
    for (const origin of ['https://evil.example.com', 'http://app.example.com', 'https://app.example.com.evil.net', 'null']) {
      const res = await t.rawHttp.options('/api/v1/agents').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
      expect(res.status, origin).toBe(404);
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(res.headers['access-control-allow-methods'], origin).toBeUndefined();
    }
  });

  test('responses name the allowed origin and expose the headers a client needs', async () => {
    const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin)).set('Origin', ALLOWED).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    const exposed = String(res.headers['access-control-expose-headers']);
    for (const h of ['X-Request-Id', 'Retry-After', 'X-RateLimit-Remaining', 'RateLimit-Reset', 'Idempotent-Replayed']) expect(exposed).toContain(h);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expectSecurityHeaders(res, 'CORS response');

    const other = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin)).set('Origin', 'https://evil.example.com').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('settings', () => {
  test('CORS_ORIGINS accepts a list or *, and refuses anything else', () => {
    expect(parseCorsOrigins('')).toEqual(new Set());
    expect(parseCorsOrigins('*')).toBe('*');
    expect(parseCorsOrigins('https://a.example.com/, HTTP://B.example.com:8080')).toEqual(new Set(['https://a.example.com', 'http://b.example.com:8080']));
    expect(validateEnvironment({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
    expect(() => validateEnvironment({ CORS_ORIGINS: 'app.example.com' })).toThrow(/CORS_ORIGINS/);
    expect(() => validateEnvironment({ CORS_ORIGINS: 'https://a.example.com;https://b' })).toThrow(/CORS_ORIGINS/);
    expect(() => validateEnvironment({ CORS_ORIGINS: 'https://a.example.com/path' })).toThrow(/CORS_ORIGINS/);
    expect(validateEnvironment({ CORS_ORIGINS: 'http://localhost:5173, http://[::1]:3000' }).CORS_ORIGINS).toContain('localhost');
  });

  test('TRUST_PROXY maps to Fastify trustProxy', () => {
    expect(trustProxySetting('false')).toBe(false);
    expect(trustProxySetting('true')).toBe(true);
    expect(trustProxySetting('10.0.0.0/8, loopback')).toEqual(['10.0.0.0/8', 'loopback']);
    const hops = trustProxySetting('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => hops('10.0.0.1', hop))).toEqual([true, true, false]);
  });

  test('redactUrl hides signatures and credentials in query strings, and nothing else', () => {
    expect(redactUrl('/uploads/abc?exp=123&sig=deadbeef')).toBe('/uploads/abc?exp=123&sig=[REDACTED]');
    expect(redactUrl('/x?TOKEN=a&password=b&api_key=c&X-Amz-Signature=d&keep=e')).toBe(
      '/x?TOKEN=[REDACTED]&password=[REDACTED]&api_key=[REDACTED]&X-Amz-Signature=[REDACTED]&keep=e',
    );
    expect(redactUrl('/api/v1/agents?page=2&monkey=1')).toBe('/api/v1/agents?page=2&monkey=1');
    expect(redactUrl(undefined)).toBe('');
  });
});
