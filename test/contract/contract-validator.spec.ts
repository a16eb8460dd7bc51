import { createServer, type Server } from 'node:http';
import supertest from 'supertest';
import { contractValidator } from '../support/contract-validator.js';
import { withContractCheck, withoutContractCheck } from '../support/test-app.js';

const v = contractValidator();
const json = { 'content-type': 'application/json; charset=utf-8' };
const ok = (data: unknown) => ({ status: 200, headers: json, body: { status: 'success', data } });
const at = '2025-09-14T18:53:01.172Z';

const agent = {
  id: 7,
  created_at: at,
  updated_at: at,
  first_name: 'Ada',
  last_name: 'Admin',
  email: 'ada@example.com',
  type: 'agent',
  availability_status: 'online',
  phone_number_country_code: null,
  phone_number: null,
  avatar_url: null,
  enabled: true,
  last_active_at: null,
  last_login_at: null,
  roles: ['Admin'],
  permissions: ['users:manage'],
  custom_attributes: {},
  teams: [{ id: 1, name: 'Support', emoji: null }],
  api_key: null,
  api_key_last_used_at: null,
};
const compact = {
  id: 7,
  type: 'agent',
  first_name: 'Ada',
  last_name: 'Admin',
  email: 'ada@example.com',
  enabled: true,
  avatar_url: null,
  created_at: at,
  updated_at: at,
};

describe('matching a request to a contract operation', () => {
  test.each([
    ['GET', '/api/v1/agents/me', 'handleGetCurrentAgent'],
    ['GET', '/api/v1/agents/12', 'handleGetAgent'],
    ['GET', '/api/v1/agents?page=2', 'handleGetAgents'],
    ['PUT', '/api/v1/agents/me/availability', 'handleUpdateAgentAvailability'],
    ['GET', '/api/v1/conversations/all', 'handleGetAllConversations'],
    ['GET', '/api/v1/conversations/5f0c2f55-9d7e-4f5c-8f43-1f0f0f0f0f0f', 'handleGetConversation'],
    ['GET', '/api/v1/contacts/search?query=abc', 'handleSearchContacts'],
    ['PUT', '/api/v1/conversations/u/messages/m/retry', 'handleRetryMessage'],
    ['get', '/health', 'handleHealthCheck'],
  ])('%s %s → %s', (method, url, id) => {
    expect(v.match(method, url)?.operationId).toBe(id);
  });

  test('no operation for extensions and unknown routes', () => {
    expect(v.match('GET', '/api/v1/inboxes')).toBeUndefined();
    expect(v.match('POST', '/api/v1/agents/me')).toBeUndefined();
  });
});

describe('success bodies', () => {
  test('a compliant agent passes', () => {
    expect(v.problems('GET', '/api/v1/agents/me', ok(agent))).toEqual([]);
  });

  test.each([
    ['a wrong type', { id: '7' }, '/data/id: must be integer (got "7")'],
    ['a date that is not RFC 3339', { created_at: '2025-09-14 18:53:01' }, '/data/created_at: must match format "date-time"'],
    ['a date with an impossible day', { created_at: '2025-02-30T10:00:00Z' }, '/data/created_at: must match format "date-time"'],
    ['a date outside UTC', { created_at: '2025-09-14T18:53:01+02:00' }, '/data/created_at: must match format "date-time"'],
    ['a null where the contract has none', { first_name: null }, '/data/first_name: must be string (got null)'],
    ['a bad email', { email: 'not-an-email' }, '/data/email: must match format "email"'],
    ['a missing property', { phone_number: undefined }, "/data: must have required property 'phone_number'"],
    ['null for a list', { teams: null }, '/data/teams: must be array (got null)'],
  ])('%s fails', (_, change, problem) => {
    const body = JSON.parse(JSON.stringify({ ...agent, ...change }));
    expect(v.problems('GET', '/api/v1/agents/me', ok(body)).join('\n')).toContain(problem);
  });

  test("addresses follow the server's own email rule: a TLD is optional", () => {
    expect(v.problems('GET', '/api/v1/agents/me', ok({ ...agent, email: 'support@localhost' }))).toEqual([]);
    expect(v.problems('GET', '/api/v1/agents/me', ok({ ...agent, email: 'Ada <ada@example.com>' }))).toEqual([
      '/data/email: must match format "email" (got "Ada <ada@example.com>")',
    ]);
  });

  test('nullable fields take null', () => {
    expect(v.problems('GET', '/api/v1/agents/me', ok({ ...agent, email: null, last_login_at: null }))).toEqual([]);
  });

  test('a format uuid field must be a uuid', () => {
    const problems = v.validateSuccess('handleGetConversation', { status: 'success', data: { uuid: 'nope' } });
    expect(problems).toContain('/data/uuid: must match format "uuid" (got "nope")');
  });

  test('the envelope: status "success" and HTTP 200 only', () => {
    expect(v.problems('GET', '/health', ok(true))).toEqual([]);
    expect(v.problems('GET', '/health', { status: 200, headers: json, body: { status: 'ok', data: true } })).toEqual([
      '/status: must be equal to constant (got "ok")',
    ]);
    expect(v.problems('GET', '/health', { ...ok(true), status: 201 })).toEqual(['every success is HTTP 200 (DECISIONS.md), got 201']);
    expect(v.problems('GET', '/health', ok('yes'))).toEqual(['/data: must be boolean (got "yes")']);
  });

  test('ruling: GET /agents is a flat array of compact agents', () => {
    expect(v.problems('GET', '/api/v1/agents', ok([compact]))).toEqual([]);
    expect(v.problems('GET', '/api/v1/agents', ok([{ status: 'success', data: [compact] }])).length).toBeGreaterThan(0);
  });

  test('ruling: participants are enveloped', () => {
    const url = '/api/v1/conversations/5f0c2f55-9d7e-4f5c-8f43-1f0f0f0f0f0f/participants';
    expect(v.problems('GET', url, ok([{ id: 1, first_name: 'A', last_name: 'B', avatar_url: null }]))).toEqual([]);
    expect(v.problems('GET', url, { status: 200, headers: json, body: [{ id: 1 }] })).not.toEqual([]);
  });

  test('extension routes only need the success envelope', () => {
    expect(v.problems('GET', '/api/v1/inboxes', ok([{ anything: 1 }]))).toEqual([]);
    expect(v.problems('GET', '/api/v1/inboxes', { status: 200, headers: json, body: [{ id: 1 }] })).not.toEqual([]);
  });
});

describe('error bodies', () => {
  const err = (status: number, body: unknown) => ({ status, headers: json, body });

  test('the envelope passes, with null or object data', () => {
    expect(
      v.problems('GET', '/api/v1/agents/9', err(404, { status: 'error', message: 'User not found', data: null, error_type: 'NotFoundException' })),
    ).toEqual([]);
    expect(
      v.problems('POST', '/api/v1/agents', err(400, { status: 'error', message: 'bad', data: { fields: { email: 'x' } }, error_type: 'InputException' })),
    ).toEqual([]);
  });

  test('anything else fails', () => {
    expect(v.problems('GET', '/x', err(404, { statusCode: 404, message: 'Not Found' })).join('\n')).toContain("must have required property 'error_type'");
    expect(v.problems('GET', '/x', err(404, { status: 'error', message: 'x', data: null, error_type: 'InputException' }))).toEqual([
      'HTTP 404 must carry error_type NotFoundException, got InputException',
    ]);
    expect(v.problems('GET', '/x', { status: 500, headers: { 'content-type': 'text/plain' }, body: {} })[0]).toMatch(/not the JSON error envelope/);
  });
});

describe('t.http checks every response', () => {
  let server: Server;
  let body: unknown;
  beforeAll(async () => {
    server = createServer((_, res) => res.writeHead(200, json).end(JSON.stringify(body)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('a violating response fails the request with a readable error', async () => {
    body = { status: 'success', data: { ...agent, created_at: 'yesterday' } };
    const http = withContractCheck(supertest(server));
    await expect(http.get('/api/v1/agents/me')).rejects.toThrow(
      /GET \/api\/v1\/agents\/me \(HTTP 200\) violates the contract \(handleGetCurrentAgent → AgentResponse\):\n {2}- \/data\/created_at: must match format "date-time" \(got "yesterday"\)/,
    );
    await expect(http.get('/api/v1/agents/me').expect(200)).rejects.toThrow(/violates the contract/);
  });

  test("the test's own expectations report first, and the opt-out skips the check", async () => {
    body = { status: 'success', data: { id: 'x' } };
    const http = withContractCheck(supertest(server));
    await expect(http.get('/api/v1/agents/me').expect(201)).rejects.toThrow(/expected 201 "Created", got 200 "OK"/);
    const res = await withoutContractCheck(http.get('/api/v1/agents/me'));
    expect(res.body).toEqual(body);
    body = { status: 'success', data: agent };
    expect((await http.get('/api/v1/agents/me')).status).toBe(200);
  });
});
