import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

test('health', async () => {
  const res = await t.http.get('/health');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'success', data: true });
});

test('me', async () => {
  const res = await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin));
  expect(res.status).toBe(200);
  console.log(JSON.stringify(res.body));
});
