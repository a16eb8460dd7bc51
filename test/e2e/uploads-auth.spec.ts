import { startTestApp, type Credentials, type TestApp } from '../support/test-app.js';

/** `/uploads/:uuid` takes a signed URL or API credentials; credentials go through the global guard and its failure limit. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const wrongSecret = (c: Credentials) => ({ ...c, api_secret: `${c.api_secret.slice(0, -1)}${c.api_secret.endsWith('x') ? 'y' : 'x'}` });

let t: TestApp;
let uuid: string;
let signedUrl: string;

beforeAll(async () => {
  t = await startTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: '2' });
  const res = await t.http
    .post('/api/v1/media')
    .set('Authorization', t.token(t.admin))
    .attach('files', PDF, { filename: 'doc.pdf', contentType: 'application/pdf' });
  expect(res.status).toBe(200);
  ({ uuid, url: signedUrl } = res.body.data as { uuid: string; url: string });
});
afterAll(async () => t?.close());

test('bad secrets on /uploads count like on the API: 401 401 429 429', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await t.http.get(`/uploads/${uuid}`).set('Authorization', t.token(wrongSecret(t.admin)))).status);
  expect(statuses).toEqual([401, 401, 429, 429]);
  // The address is blocked for credentials everywhere now, the API included.
  expect((await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin))).status).toBe(429);
  // A valid signed URL is not a credential check: it still works without credentials.
  const signed = await t.http.get(signedUrl);
  expect(signed.status).toBe(200);
  expect(signed.headers['content-type']).toBe('application/pdf');
  expect(signed.body).toEqual(PDF);
});

describe('a fresh address budget', () => {
  let fresh: TestApp;
  beforeAll(async () => {
    fresh = await startTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => fresh?.close());

  test('valid credentials download; no credentials and no signature is 401', async () => {
    const up = await fresh.http.post('/api/v1/media').set('Authorization', fresh.basic(fresh.admin)).attach('files', PDF, { filename: 'a.pdf' });
    const id = (up.body.data as { uuid: string }).uuid;
    const withToken = await fresh.http.get(`/uploads/${id}`).set('Authorization', fresh.token(fresh.admin));
    expect(withToken.status).toBe(200);
    expect(withToken.body).toEqual(PDF);
    expect((await fresh.http.get(`/uploads/${id}`).set('Authorization', fresh.basic(fresh.admin))).status).toBe(200);
    const anon = await fresh.http.get(`/uploads/${id}`);
    expect(anon.status).toBe(401);
    expect(anon.body).toMatchObject({ status: 'error', error_type: 'UnauthorizedException', message: 'Authentication required' });
  });
});
