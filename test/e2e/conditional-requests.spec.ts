import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import type { TestApp } from '../support/test-app.js';
import { activityTexts, createAgent, createConversation, createRole, createTeam, startConversationsApp } from './conversations.fixtures.js';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startConversationsApp();
  admin = t.token(t.admin);
});
afterAll(async () => t?.close());

const get = (path: string, headers: Record<string, string> = {}, auth = admin) => t.http.get(`/api/v1${path}`).set({ Authorization: auth, ...headers });
const etagOf = (res: Response) => res.headers.etag;
const hashOf = (text: string) => `"${createHash('sha256').update(text).digest('base64url')}"`;

function expectPreconditionFailed(res: Response) {
  expect(res.status, JSON.stringify(res.body)).toBe(412);
  expect(res.body).toEqual({ status: 'error', message: expect.stringContaining('If-Match'), data: null, error_type: 'PreconditionFailedException' });
}

describe('ETag and If-None-Match on GET', () => {
  test('single resources and lists carry a strong ETag of their body; a matching If-None-Match is 304 without a body', async () => {
    const c = await createConversation(t);
    const team = await createTeam(t);
    const message = (await get(`/conversations/${c.uuid}/messages`).expect(200)).body.data.results[0];
    const view = await t.http.post('/api/v1/views').set('Authorization', admin).send({ name: 'Mine', filters: {} }).expect(200);
    const paths = [
      `/agents/${t.admin.id}`,
      '/agents/me',
      `/contacts/${c.contact_id}`,
      `/conversations/${c.uuid}`,
      `/conversations/${c.uuid}/messages/${message.uuid}`,
      `/teams/${team.id}`,
      `/views/${view.body.data.id}`,
      '/conversations/all',
      `/conversations/${c.uuid}/messages`,
    ];
    for (const path of paths) {
      const first = await get(path).expect(200);
      const etag = etagOf(first);
      expect(etag, path).toBe(hashOf(first.text));
      for (const condition of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const again = await get(path, { 'If-None-Match': condition }).expect(304);
        expect(again.text, path).toBe('');
        expect(again.headers['content-type'], path).toBeUndefined();
        expect(etagOf(again), path).toBe(etag);
      }
      const stale = await get(path, { 'If-None-Match': '"not-it"' }).expect(200);
      expect(stale.body).toEqual(first.body);
    }
  });

  test('a change gives a new ETag, so the old one fetches the new body', async () => {
    const c = await createConversation(t);
    const before = await get(`/conversations/${c.uuid}`).expect(200);
    await t.http.put(`/api/v1/conversations/${c.uuid}/priority`).set('Authorization', admin).send({ priority: 'High' }).expect(200);
    const after = await get(`/conversations/${c.uuid}`, { 'If-None-Match': etagOf(before) }).expect(200);
    expect(after.body.data.priority).toBe('High');
    expect(etagOf(after)).not.toBe(etagOf(before));
  });

  test('errors and writes carry no ETag; a 404 stays a 404 whatever the condition', async () => {
    const missing = await get('/conversations/00000000-0000-4000-8000-000000000000', { 'If-None-Match': '*' }).expect(404);
    expect(missing.headers.etag).toBeUndefined();
    const team = await t.http
      .put(`/api/v1/teams/${(await createTeam(t)).id}`)
      .set('Authorization', admin)
      .send({ emoji: '🔥' })
      .expect(200);
    expect(team.headers.etag).toBeUndefined();
  });
});

describe('If-Match on writes', () => {
  test('conversation sub-resources: the current ETag applies the change, a stale one is 412 and changes nothing', async () => {
    const agent = await createAgent(t);
    const team = await createTeam(t);
    const c = await createConversation(t);
    const writes: Array<[string, 'put' | 'post', object]> = [
      ['status', 'put', { status: 'Resolved' }],
      ['priority', 'put', { priority: 'Medium' }],
      ['assignee/user', 'put', { assignee_id: agent.id }],
      ['assignee/team', 'put', { assignee_id: team.id }],
      ['assignee/team/remove', 'put', {}],
      ['tags', 'post', { tags: ['vip'] }],
      ['last-seen', 'put', {}],
    ];
    for (const [path, method, body] of writes) {
      const stale = etagOf(await get(`/conversations/${c.uuid}`).expect(200));
      await t.http[method](`/api/v1/conversations/${c.uuid}/${path}`).set({ Authorization: admin, 'If-Match': stale }).send(body).expect(200);
      const now = await get(`/conversations/${c.uuid}`).expect(200);
      expect(etagOf(now), path).not.toBe(stale);
      const trail = await activityTexts(t, c.uuid);
      expectPreconditionFailed(await t.http[method](`/api/v1/conversations/${c.uuid}/${path}`).set({ Authorization: admin, 'If-Match': stale }).send(body));
      expect(await activityTexts(t, c.uuid)).toEqual(trail);
      expect((await get(`/conversations/${c.uuid}`).expect(200)).body).toEqual(now.body);
    }
    await t.http.put(`/api/v1/conversations/${c.uuid}/assignee/user`).set('Authorization', admin).send({ assignee_id: agent.id }).expect(200);
    await t.http.put(`/api/v1/conversations/${c.uuid}/assignee/user/remove`).set({ Authorization: admin, 'If-Match': '"stale"' }).expect(412);
    expect((await get(`/conversations/${c.uuid}`)).body.data.assigned_user_id).toBe(agent.id);
  });

  test('`*` matches any existing resource, a list matches any of its tags, weak tags never match, no header means no condition', async () => {
    const c = await createConversation(t);
    const status = (value: string, ifMatch?: string) => {
      const req = t.http.put(`/api/v1/conversations/${c.uuid}/status`).set('Authorization', admin);
      return (ifMatch === undefined ? req : req.set('If-Match', ifMatch)).send({ status: value });
    };
    await status('Resolved', '*').expect(200);
    const etag = etagOf(await get(`/conversations/${c.uuid}`).expect(200));
    expectPreconditionFailed(await status('Open', `W/${etag}`));
    await status('Open', `"a", ${etag}, "b"`).expect(200);
    await status('Closed').expect(200);
    await t.http
      .put('/api/v1/conversations/00000000-0000-4000-8000-000000000000/status')
      .set({ Authorization: admin, 'If-Match': '*' })
      .send({ status: 'Open' })
      .expect(404);
    await t.http.put(`/api/v1/conversations/${c.uuid}/status`).set({ Authorization: admin, 'If-Match': '*' }).send({ status: 'Nope' }).expect(400);
  });

  test('the ETag is the one this caller got: another agent sees its own last-seen, so its tag differs', async () => {
    const c = await createConversation(t);
    const other = await createAgent(t, { roles: ['Admin'] });
    await t.http.put(`/api/v1/conversations/${c.uuid}/last-seen`).set('Authorization', t.token(other)).expect(200);
    const mine = etagOf(await get(`/conversations/${c.uuid}`).expect(200));
    const theirs = etagOf(await get(`/conversations/${c.uuid}`, {}, t.token(other)).expect(200));
    expect(mine).not.toBe(theirs);
    const asOther = (tag: string) =>
      t.http
        .put(`/api/v1/conversations/${c.uuid}/priority`)
        .set({ Authorization: t.token(other), 'If-Match': tag })
        .send({ priority: 'Low' });
    expectPreconditionFailed(await asOther(mine));
    await asOther(theirs).expect(200);
  });

  test('contacts: update (multipart) and block', async () => {
    const c = await createConversation(t);
    const path = `/contacts/${c.contact_id}`;
    const etag = etagOf(await get(path).expect(200));
    const update = (tag: string, name: string) => t.http.put(`/api/v1${path}`).set({ Authorization: admin, 'If-Match': tag }).field({ first_name: name });
    expect((await update(etag, 'Ann').expect(200)).body.data.first_name).toBe('Ann');
    expectPreconditionFailed(await update(etag, 'Bea'));
    expect((await get(path)).body.data.first_name).toBe('Ann');
    const current = etagOf(await get(path).expect(200));
    const block = (tag: string) => t.http.put(`/api/v1${path}/block`).set({ Authorization: admin, 'If-Match': tag }).send({ enabled: false });
    expectPreconditionFailed(await block(etag));
    expect((await block(current).expect(200)).body.data.enabled).toBe(false);
    await t.http.put('/api/v1/contacts/999999').set({ Authorization: admin, 'If-Match': '*' }).field({ first_name: 'x' }).expect(404);
  });

  test('agents and teams', async () => {
    const agent = await createAgent(t);
    const team = await createTeam(t);
    for (const [path, body, other] of [
      [`/agents/${agent.id}`, { first_name: 'Renamed' }, { first_name: 'Again' }],
      [`/teams/${team.id}`, { emoji: '🚀' }, { emoji: '🐢' }],
    ] as const) {
      const etag = etagOf(await get(path).expect(200));
      await t.http.put(`/api/v1${path}`).set({ Authorization: admin, 'If-Match': etag }).send(body).expect(200);
      expectPreconditionFailed(await t.http.put(`/api/v1${path}`).set({ Authorization: admin, 'If-Match': etag }).send(other));
      expect((await get(path)).body.data).toMatchObject(body);
    }
  });

  test('permissions come first: a caller without access gets 403, not 412', async () => {
    const c = await createConversation(t);
    const reader = await createAgent(t, { roles: [await createRole(t, ['conversations:read', 'conversations:read_all'])] });
    await t.http
      .put(`/api/v1/conversations/${c.uuid}/status`)
      .set({ Authorization: t.token(reader), 'If-Match': '"stale"' })
      .send({ status: 'Open' })
      .expect(403);
  });
});

describe('racing writers with the same If-Match', () => {
  async function race(send: (value: string) => Promise<Response>, values: string[]) {
    const results = await Promise.all(values.map((v) => send(v)));
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status !== 200);
    expect(won, JSON.stringify(results.map((r) => [r.status, r.body]))).toHaveLength(1);
    for (const res of lost) expectPreconditionFailed(res);
    return values[results.indexOf(won[0])];
  }

  test('only one of several concurrent conversation changes wins', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await createConversation(t);
      const etag = etagOf(await get(`/conversations/${c.uuid}`).expect(200));
      const winner = await race(
        (status) => t.http.put(`/api/v1/conversations/${c.uuid}/status`).set({ Authorization: admin, 'If-Match': etag }).send({ status }),
        ['Resolved', 'Closed'],
      );
      expect((await get(`/conversations/${c.uuid}`)).body.data.status).toBe(winner);
      expect((await activityTexts(t, c.uuid)).filter((a) => a.includes('marked the conversation'))).toHaveLength(1);
    }
  });

  test('only one of several concurrent contact and team updates wins', async () => {
    const c = await createConversation(t);
    const contactTag = etagOf(await get(`/contacts/${c.contact_id}`).expect(200));
    const contactWinner = await race(
      (name) => t.http.put(`/api/v1/contacts/${c.contact_id}`).set({ Authorization: admin, 'If-Match': contactTag }).field({ first_name: name }),
      ['One', 'Two', 'Three'],
    );
    expect((await get(`/contacts/${c.contact_id}`)).body.data.first_name).toBe(contactWinner);

    const team = await createTeam(t);
    const teamTag = etagOf(await get(`/teams/${team.id}`).expect(200));
    const teamWinner = await race(
      (emoji) => t.http.put(`/api/v1/teams/${team.id}`).set({ Authorization: admin, 'If-Match': teamTag }).send({ emoji }),
      ['🍎', '🍐', '🍊'],
    );
    expect((await get(`/teams/${team.id}`)).body.data.emoji).toBe(teamWinner);
  });
});

describe('browsers', () => {
  test('CORS lets allowed origins send If-Match and If-None-Match and read ETag', async () => {
    const origin = 'https://app.example.com';
    const cors = await startConversationsApp({ CORS_ORIGINS: origin });
    try {
      const preflight = await cors.rawHttp
        .options('/api/v1/conversations/all')
        .set({ Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization, if-match, if-none-match' })
        .expect(204);
      const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase();
      for (const h of ['if-match', 'if-none-match']) expect(allowed).toContain(h);
      const res = await cors.http
        .get('/api/v1/agents/me')
        .set({ Authorization: cors.token(cors.admin), Origin: origin })
        .expect(200);
      expect(String(res.headers['access-control-expose-headers'])).toContain('ETag');
    } finally {
      await cors.close();
    }
  });
});

describe('documentation', () => {
  test('Swagger documents ETag, If-None-Match and 304 on GETs, If-Match and 412 on conditional writes', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const names = (op: { parameters?: Array<{ name: string; in: string }> }) => (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    for (const path of ['/api/v1/conversations/{uuid}', '/api/v1/contacts/{id}', '/api/v1/agents/me', '/api/v1/events']) {
      const op = doc.paths[path].get;
      expect(names(op), path).toContain('header:If-None-Match');
      expect(op.responses['200'].headers.ETag, path).toBeDefined();
      expect(op.responses['304'], path).toBeDefined();
    }
    for (const [path, method] of [
      ['/api/v1/conversations/{uuid}/status', 'put'],
      ['/api/v1/conversations/{uuid}/tags', 'post'],
      ['/api/v1/contacts/{id}', 'put'],
      ['/api/v1/contacts/{id}/block', 'put'],
      ['/api/v1/agents/{id}', 'put'],
      ['/api/v1/teams/{id}', 'put'],
    ]) {
      const op = doc.paths[path][method];
      expect(names(op), path).toContain('header:If-Match');
      expect(op.responses['412'].content['application/json'].schema.properties.error_type.enum, path).toEqual(['PreconditionFailedException']);
    }
    expect(names(doc.paths['/api/v1/conversations'].post)).not.toContain('header:If-Match');
  });
});
