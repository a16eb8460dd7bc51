import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../../client/libredesk.js';
import { contractValidator } from '../support/contract-validator.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Every response the typed client receives is also checked against the contract. */
const checkContract: Middleware = {
  async onResponse({ request, response }) {
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the validator reports it for a contract operation
    }
    contractValidator().assertResponse(request.method, request.url, { status: response.status, headers: Object.fromEntries(response.headers), body });
  },
};

let t: TestApp;
let baseUrl: string;
const clientFor = (authorization: string): Client<paths> => {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: authorization } });
  client.use(checkContract);
  return client;
};

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen(0, '127.0.0.1');
  baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
});
afterAll(async () => t?.close());

test('an integration drives a whole conversation through the typed client', async () => {
  const admin = clientFor(t.token(t.admin));

  const created = await admin.POST('/api/v1/agents', {
    body: { email: 'typed.client@example.com', first_name: 'Tyra', last_name: 'Client', roles: ['Agent'] },
  });
  expect(created.response.status).toBe(200);
  const agentId = created.data!.data!.id!;
  expect(created.data!.data).toMatchObject({ email: 'typed.client@example.com', roles: ['Agent'], api_key: null });

  const key = await admin.POST('/api/v1/agents/{id}/api-key', { params: { path: { id: String(agentId) } } });
  expect(key.response.status).toBe(200);
  const { api_key, api_secret } = key.data!.data!;
  const agent = clientFor(t.basic({ api_key: api_key!, api_secret: api_secret! }));

  const me = await agent.GET('/api/v1/agents/me');
  expect(me.data?.data).toMatchObject({ id: agentId, email: 'typed.client@example.com' });

  const conversation = await admin.POST('/api/v1/conversations', {
    body: {
      inbox_id: 1,
      subject: 'Marmalade order never arrived',
      content: '<p>Hello, my marmalade order #4411 never arrived.</p>',
      contact_email: 'paddington@example.com',
      first_name: 'Paddington',
      last_name: 'Brown',
      initiator: 'contact',
    },
  });
  expect(conversation.response.status, JSON.stringify(conversation.error)).toBe(200);
  const { uuid, reference_number } = conversation.data!.data!;
  expect(conversation.data!.data).toMatchObject({ subject: 'Marmalade order never arrived', inbox_id: 1, assigned_user_id: null });

  const reply = await agent.POST('/api/v1/conversations/{cuuid}/messages', {
    params: { path: { cuuid: uuid! } },
    body: { message: '<p>Sorry to hear that! A fresh jar of <b>marmalade</b> is on its way.</p>' },
  });
  expect(reply.response.status, JSON.stringify(reply.error)).toBe(200);
  expect(reply.data!.data).toMatchObject({
    conversation_uuid: uuid,
    type: 'outgoing',
    sender_type: 'agent',
    sender_id: agentId,
    private: false,
    text_content: 'Sorry to hear that! A fresh jar of marmalade is on its way.',
  });

  const assigned = await agent.PUT('/api/v1/conversations/{uuid}/assignee/user', {
    params: { path: { uuid: uuid! } },
    body: { assignee_id: agentId },
  });
  expect(assigned.response.status, JSON.stringify(assigned.error)).toBe(200);
  expect(assigned.data).toEqual({ status: 'success', data: true });

  const mine = await agent.GET('/api/v1/conversations/assigned', { params: { query: { page: 1, page_size: 10 } } });
  expect(mine.data!.data!.results!.map((c) => c.uuid)).toEqual([uuid]);
  const detail = await agent.GET('/api/v1/conversations/{uuid}', { params: { path: { uuid: uuid! } } });
  expect(detail.data!.data).toMatchObject({ uuid, assigned_user_id: agentId, reference_number });

  const found = await agent.GET('/api/v1/conversations/search', { params: { query: { query: 'marmalade order' } } });
  expect(found.data!.data!.map((c) => c.uuid)).toContain(uuid);
  const byMessage = await agent.GET('/api/v1/messages/search', { params: { query: { query: 'fresh jar' } } });
  expect(byMessage.data!.data!.map((m) => m.conversation_uuid)).toContain(uuid);

  const tooShort = await agent.GET('/api/v1/conversations/search', { params: { query: { query: 'ma' } } });
  expect(tooShort.response.status).toBe(400);
  expect(tooShort.error).toMatchObject({ status: 'error', error_type: 'InputException' });
});
