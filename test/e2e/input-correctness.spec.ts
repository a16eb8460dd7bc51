import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { servedDocumentValidator } from '../support/contract-validator.js';
import { createConversation, createTeam, inboxId, startConversationsApp } from './conversations.fixtures.js';
import type { TestApp } from '../support/test-app.js';

/** Issue 14: every input answered right (nulls, messages, limits, methods, the served document, oversize bodies). */
let t: TestApp;
let auth: string;
let port: number;

beforeAll(async () => {
  t = await startConversationsApp({ BODY_LIMIT_BYTES: String(1024 * 1024) });
  auth = t.token(t.admin);
  await t.app.listen(0, '127.0.0.1');
  port = (t.app.getHttpServer().address() as AddressInfo).port;
});
afterAll(async () => t?.close());

const fieldError = (field: string, message: unknown = expect.any(String)) => ({
  status: 'error',
  error_type: 'InputException',
  data: { fields: { [field]: message } },
});

describe('null is refused where the field takes none, and documented where it has a meaning', () => {
  test('inbox SMTP settings: a null password (once a 500) and other null fields are 400s naming the field; nothing is written', async () => {
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM inboxes`);
    for (const field of ['password', 'username', 'host', 'port', 'tls']) {
      const res = await t.http
        .post('/api/v1/inboxes')
        .set('Authorization', auth)
        .send({ name: 'Nulls', from: 'nulls@example.com', smtp: { host: 'smtp.example.com', [field]: null } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject(fieldError(`smtp.${field}`, `smtp.${field} must not be null`));
    }
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM inboxes`)).toEqual(before);
    const id = await inboxId(t);
    const res = await t.http
      .put(`/api/v1/inboxes/${id}`)
      .set('Authorization', auth)
      .send({ smtp: { password: null } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(fieldError('smtp.password'));
  });

  test('tags, team, message and view fields: null is a 400 and changes nothing', async () => {
    const c = await createConversation(t);
    await t.http
      .post(`/api/v1/conversations/${c.uuid}/tags`)
      .set('Authorization', auth)
      .send({ tags: ['keep'] })
      .expect(200);
    await t.http.post(`/api/v1/conversations/${c.uuid}/tags`).set('Authorization', auth).send({ tags: null }).expect(400);
    const conv = await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', auth).expect(200);
    expect(conv.body.data.tags).toEqual(['keep']);

    const team = await createTeam(t);
    for (const field of ['emoji', 'timezone', 'conversation_assignment_type', 'max_auto_assigned_conversations']) {
      const res = await t.http
        .put(`/api/v1/teams/${team.id}`)
        .set('Authorization', auth)
        .send({ [field]: null });
      expect(res.status, field).toBe(400);
      expect(res.body).toMatchObject(fieldError(field, `${field} must not be null`));
    }
    for (const field of ['to', 'cc', 'bcc', 'attachments', 'private', 'sender_type']) {
      const res = await t.http
        .post(`/api/v1/conversations/${c.uuid}/messages`)
        .set('Authorization', auth)
        .send({ message: 'hi', [field]: null });
      expect(res.status, field).toBe(400);
      expect(res.body).toMatchObject(fieldError(field));
    }
    const view = await t.http
      .post('/api/v1/views')
      .set('Authorization', auth)
      .send({ name: 'Mine', filters: { text: 'refund' } })
      .expect(200);
    for (const field of ['visibility', 'filters', 'name']) {
      const res = await t.http
        .put(`/api/v1/views/${view.body.data.id}`)
        .set('Authorization', auth)
        .send({ [field]: null });
      expect(res.status, field).toBe(400);
      expect(res.body).toMatchObject(fieldError(field));
    }
    // team_id has a meaning when null (no team) and is documented nullable.
    await t.http.put(`/api/v1/views/${view.body.data.id}`).set('Authorization', auth).send({ team_id: null }).expect(200);
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(doc.components.schemas.UpdateViewDto.properties.team_id.nullable).toBe(true);
    expect(doc.components.schemas.UpdateViewDto.properties.visibility.nullable).toBeUndefined();
  });

  test('a JSON null body is a 400 like an array, and changes nothing', async () => {
    const team = await createTeam(t);
    const view = await t.http.post('/api/v1/views').set('Authorization', auth).send({ name: 'Null body' }).expect(200);
    for (const url of [`/api/v1/views/${view.body.data.id}`, `/api/v1/teams/${team.id}`, `/api/v1/agents/${t.admin.id}`]) {
      for (const body of ['null', '[]']) {
        const res = await t.http.put(url).set('Authorization', auth).set('Content-Type', 'application/json').send(body);
        expect(res.status, `${url} ${body}`).toBe(400);
        expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', message: 'Request body must be a JSON object' });
      }
    }
  });
});

describe('validation messages name the first failing rule: missing, then type, then length', () => {
  test.each([
    ['/api/v1/statuses', {}, 'name', 'name is required'],
    ['/api/v1/statuses', { name: 12 }, 'name', 'name must be a string'],
    ['/api/v1/statuses', { name: 'x'.repeat(26) }, 'name', 'Status is too long, should be at most 25 characters'],
    ['/api/v1/teams', {}, 'name', 'name is required'],
    ['/api/v1/teams', { name: [] }, 'name', 'name must be a string'],
    ['/api/v1/ai/completion', { prompt_key: 'x', content: {} }, 'content', 'content must be a string'],
  ])('POST %s %j', async (url, body, field, message) => {
    const res = await t.http.post(url).set('Authorization', auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(fieldError(field, message));
  });

  test('POST /conversations without subject is a 400 like the other required fields; an empty subject is fine', async () => {
    const body = { inbox_id: await inboxId(t), contact_email: 'subjectless@example.com', first_name: 'A', last_name: 'B', content: 'hi', initiator: 'contact' };
    const res = await t.http.post('/api/v1/conversations').set('Authorization', auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(fieldError('subject', 'subject is required'));
    await t.http
      .post('/api/v1/conversations')
      .set('Authorization', auth)
      .send({ ...body, subject: '' })
      .expect(200);
  });
});

describe('numbers of any size', () => {
  test('page and page_size of any number of digits are clamped', async () => {
    for (const query of ['page=1234567890', 'page=99999999999999999999999', 'page_size=1234567890', 'page=1&page_size=99999999999999999999']) {
      const res = await t.http.get(`/api/v1/conversations/all?${query}`).set('Authorization', auth);
      expect(res.status, query).toBe(200);
      expect(res.body.data.per_page).toBeLessThanOrEqual(100);
    }
    await t.http.get('/api/v1/conversations/all?page=0').set('Authorization', auth).expect(400);
  });

  test('a path id above 2147483647 names nothing: 404; a malformed one stays a 400', async () => {
    for (const id of ['2147483648', '99999999999999999999999999']) {
      for (const url of [`/api/v1/teams/${id}`, `/api/v1/views/${id}`, `/api/v1/inboxes/${id}`, `/api/v1/agents/${id}`]) {
        const res = await t.http.get(url).set('Authorization', auth);
        expect(res.status, url).toBe(404);
        expect(res.body.error_type).toBe('NotFoundException');
      }
    }
    await t.http.get('/api/v1/teams/0').set('Authorization', auth).expect(400);
    await t.http.get('/api/v1/teams/1x').set('Authorization', auth).expect(400);
  });
});

/** Writes bytes on a fresh socket and returns everything the server sends back before it closes. */
function exchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('methods no route serves', () => {
  test.each(['QUERY', 'PROPFIND', 'TRACE', 'MKCOL'])('%s without a Content-Type is a 404 in the envelope, on known and unknown paths', async (method) => {
    for (const path of ['/api/v1/statuses', '/api/v1/nowhere', '/']) {
      const out = await exchange(`${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      expect(out, `${method} ${path}`).toMatch(/^HTTP\/1\.1 404 /);
      expect(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'error', error_type: 'NotFoundException', data: null });
    }
  });

  test('a method a known path does not serve is 404 in the envelope, whatever the body', async () => {
    const res = await t.http.delete('/api/v1/statuses').set('Authorization', auth).set('Content-Type', 'text/weird').send('x');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'NotFoundException' });
  });

  test('CONNECT is a 404 in the envelope, not a dropped connection', async () => {
    const out = await exchange('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 404 /);
    expect(out).toContain('"error_type":"NotFoundException"');
  });
});

describe('the served document describes what the server enforces', () => {
  test('view filter text is a string; webhook events, secret and names, view names and id path params carry their limits', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const schemas = doc.components.schemas;
    expect(schemas.ViewFiltersDto.properties.text).toMatchObject({ type: 'string', nullable: true, maxLength: 200 });
    expect(schemas.CreateWebhookRequest.properties.events).toMatchObject({ type: 'array', minItems: 1 });
    expect(schemas.CreateWebhookRequest.properties.events.items.enum).toContain('*');
    expect(schemas.CreateWebhookRequest.properties.name).toMatchObject({ minLength: 1 });
    const secret = new RegExp(schemas.CreateWebhookRequest.properties.secret.pattern as string);
    expect(secret.test(`whsec_${Buffer.alloc(32, 7).toString('base64')}`)).toBe(true);
    expect(secret.test(`whsec_${Buffer.alloc(16, 7).toString('base64')}`)).toBe(false);
    expect(secret.test('short')).toBe(false);
    expect(schemas.CreateViewDto.properties.name).toMatchObject({ minLength: 1 });
    const idParam = doc.paths['/api/v1/views/{id}'].get.parameters.find((p: { name: string }) => p.name === 'id');
    expect(idParam).toMatchObject({ in: 'path', required: true, schema: { type: 'integer', minimum: 1 } });
  });

  test('responses of extension operations are checked against the served document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const validator = servedDocumentValidator(doc);
    expect(validator.match('get', '/api/v1/views/me')).toBeDefined();
    expect(validator.match('get', '/api/v1/inboxes')).toBeDefined();
    const view = await t.http
      .post('/api/v1/views')
      .set('Authorization', auth)
      .send({ name: 'Text', filters: { text: 'refund', tags: ['a'] } })
      .expect(200);
    expect(validator.problems('post', '/api/v1/views', view)).toEqual([]);
    const broken = { ...view, body: { status: 'success', data: { ...view.body.data, filters: { text: { not: 'a string' } } } } };
    expect(validator.problems('post', '/api/v1/views', broken).join('\n')).toMatch(/filters\/text/);
  });
});

/**
 * A client that sends an oversize JSON body as fast as it can and reads only once it has sent it all,
 * as curl and urllib do: it must still find the 413 waiting (a server that closes the socket under
 * it makes its TCP stack answer with a reset that throws the unread 413 away).
 */
function sendOversize(options: { expectContinue?: boolean; total: number }): Promise<{ response: string; sawContinue: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let sawContinue = false;
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const finish = () => resolve({ response, sawContinue });
    const startReading = () => {
      socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
      socket.resume();
    };
    const pump = () => {
      while (sent < options.total && socket.writable) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      startReading();
    };
    socket.on('connect', () => {
      const head = [
        'POST /api/v1/statuses HTTP/1.1',
        'Host: x',
        `Authorization: ${auth}`,
        'Content-Type: application/json',
        `Content-Length: ${options.total}`,
        ...(options.expectContinue ? ['Expect: 100-continue'] : []),
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      if (options.expectContinue) {
        // Wait for the interim (or final) answer before sending, as a client honouring Expect does.
        socket.once('data', (d: Buffer) => {
          response += d.toString('latin1');
          sawContinue = response.startsWith('HTTP/1.1 100');
          if (sawContinue) pump();
          else startReading();
        });
      } else {
        socket.pause();
        pump();
      }
    });
    socket.on('error', finish);
    socket.on('end', finish);
    socket.on('close', finish);
  });
}

describe('an oversize JSON body always gets its 413', () => {
  test('a client that keeps sending 12 MB reads the 413 every time', async () => {
    for (let i = 0; i < 5; i += 1) {
      const { response } = await sendOversize({ total: 12 * 1024 * 1024 });
      expect(response, `attempt ${i}`).toMatch(/^HTTP\/1\.1 413 /);
      expect(response).toContain('"error_type":"PayloadTooLargeException"');
    }
  });

  test('Content-Length over the limit with Expect: 100-continue is a 413 at once, never 100 Continue', async () => {
    const { response, sawContinue } = await sendOversize({ total: 12 * 1024 * 1024, expectContinue: true });
    expect(sawContinue).toBe(false);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"error_type":"PayloadTooLargeException"');
  });

  test('a small body with Expect: 100-continue still gets 100 Continue and is served', async () => {
    const body = JSON.stringify({ name: 'Continued' });
    const out = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(
          `POST /api/v1/statuses HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
        ),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.startsWith('HTTP/1.1 100') && !text.includes('\r\n\r\nHTTP')) socket.write(body);
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(out).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });
});
