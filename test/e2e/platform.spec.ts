import { startTestApp, type TestApp } from '../support/test-app.js';
import { validateEnvironment } from '../../src/shared/config/app-config.js';

let t: TestApp;
let auth: string;
beforeAll(async () => {
  t = await startTestApp({ BODY_LIMIT_BYTES: '65536' });
  auth = t.token(t.admin);
});
afterAll(async () => t?.close());

describe('error envelope', () => {
  test('unknown route is a 404 envelope', async () => {
    const res = await t.http.get('/api/v1/nope').set('Authorization', auth);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ status: 'error', message: 'Route not found', data: null, error_type: 'NotFoundException' });
    expect((await t.http.get('/definitely/not/here')).status).toBe(404);
  });

  test('wrong method on a known path is a 404 envelope', async () => {
    const res = await t.http.patch('/api/v1/agents/me').set('Authorization', auth).send({});
    expect([404, 405]).toContain(res.status);
    expect(res.body.status).toBe('error');
  });

  test('malformed JSON is 400', async () => {
    const res = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Content-Type', 'application/json').send('{"first_name": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', data: null });
    expect(res.body.message).toMatch(/JSON/);
  });

  test('prototype pollution keys are rejected', async () => {
    const res = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send('{"__proto__": {"admin": true}, "first_name": "P", "email": "p@example.com", "roles": ["Agent"]}');
    expect(res.status).toBe(400);
  });

  test('an oversize body is 413', async () => {
    const res = await t.http
      .post('/api/v1/agents')
      .set('Authorization', auth)
      .send({ first_name: 'x'.repeat(70_000), email: 'big@example.com', roles: [] });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'PayloadTooLargeException' });
  });

  test('an unsupported content type is a 4xx envelope', async () => {
    const res = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.status).toBe('error');
  });

  test('an empty JSON body reads as no body', async () => {
    const res = await t.http.post('/api/v1/agents').set('Authorization', auth).set('Content-Type', 'application/json').send('');
    expect(res.status).toBe(400);
    expect(res.body.error_type).toBe('InputException');
    expect(res.body.data.fields).toHaveProperty('email');
  });

  test('every response carries a request id', async () => {
    const res = await t.http.get('/health').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
    const generated = await t.http.get('/health').set('X-Request-Id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('health', () => {
  test('answers with the success envelope after checking the database', async () => {
    expect((await t.http.get('/health')).body).toEqual({ status: 'success', data: true });
  });
});

describe('swagger', () => {
  test('the document carries the contract security schemes and operations', async () => {
    const res = await t.http.get('/docs-json');
    const doc = res.body;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['basicAuth', 'tokenAuth']);
    expect(doc.paths['/api/v1/agents'].get.operationId).toBe('handleGetAgents');
    expect(doc.paths['/api/v1/agents/{id}'].put.operationId).toBe('handleUpdateAgent');
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.components.schemas.AgentResponse).toBeDefined();
  });

  test('the UI is served offline', async () => {
    const html = await t.http.get('/docs');
    expect(html.status).toBe(200);
    expect(html.text).toContain('swagger-ui');
    const bundle = await t.http.get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
  });
});

describe('configuration', () => {
  test('bad values stop the boot with a message naming the variable', () => {
    expect(() => validateEnvironment({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => validateEnvironment({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => validateEnvironment({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => validateEnvironment({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  test('defaults', () => {
    const c = validateEnvironment({});
    expect(c.PORT).toBe(8080);
    expect(c.DATA_DIR).toBe('./data');
    expect(c.DATABASE_URL).toBeUndefined();
    expect(validateEnvironment({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});
