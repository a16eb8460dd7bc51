import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadContract, type OpenApiDocument } from '../../src/shared/openapi/contract.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { compareDocuments } from './drift.js';

/**
 * Contract operations allowed to be absent from the served document, each with the reason. Keep it
 * empty: a new entry needs a stated reason and an owner, and the test fails once the operation is
 * served again so the entry cannot go stale.
 */
const EXPECTED_MISSING: Record<string, string> = {};

let t: TestApp;
let served: OpenApiDocument;
const contract = loadContract();

beforeAll(async () => {
  t = await startTestApp();
  const res = await t.http.get('/docs-json').expect(200);
  served = res.body as OpenApiDocument;
});
afterAll(async () => t?.close());

describe('served OpenAPI document versus the contract', () => {
  test('every contract operation is served', () => {
    const { missing } = compareDocuments(contract, served);
    const unexpected = missing.filter((m) => !(m.split(' ')[0] in EXPECTED_MISSING));
    const stale = Object.keys(EXPECTED_MISSING).filter((id) => !missing.some((m) => m.startsWith(`${id} `)));
    expect(unexpected, `Contract operations missing from /docs-json:\n  ${unexpected.join('\n  ')}`).toEqual([]);
    expect(stale, `EXPECTED_MISSING lists operations that are served now; remove them:\n  ${stale.join('\n  ')}`).toEqual([]);
  });

  test('served operations, schemas and security match the contract', () => {
    const { problems } = compareDocuments(contract, served);
    expect(problems, `The served document drifts from the contract:\n  ${problems.join('\n  ')}`).toEqual([]);
  });

  test('/health is public, every other contract operation needs basic or token auth', () => {
    expect(served.paths['/health']?.get?.security).toEqual([]);
    for (const [path, item] of Object.entries(served.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (path === '/health' || !op?.operationId || !String(path).startsWith('/api/v1/')) continue;
        expect(op.security, `${method.toUpperCase()} ${path}`).toEqual(expect.arrayContaining([{ basicAuth: [] }, { tokenAuth: [] }]));
      }
    }
  });

  test('optional additions to contract operations are allowed and documented (cursor, conditional requests)', () => {
    const list = served.paths['/api/v1/conversations/all'].get;
    const names = (list.parameters as Array<{ name: string; in: string; required?: boolean }>).map((p) => `${p.in}:${p.name}`);
    expect(names).toEqual(expect.arrayContaining(['query:page', 'query:page_size', 'query:cursor', 'header:If-None-Match']));
    const listSchema = served.components.schemas!.ConversationListResponse as { properties: { data: { properties: Record<string, unknown> } } };
    expect(listSchema.properties.data.properties.next_cursor).toMatchObject({ type: 'string', nullable: true });
    expect((list.responses as Record<string, { headers?: Record<string, unknown> }>)['200'].headers?.ETag).toBeDefined();
    expect((list.responses as Record<string, unknown>)['304']).toBeDefined();
    const status = served.paths['/api/v1/conversations/{uuid}/status'].put;
    expect((status.parameters as Array<{ name: string }>).map((p) => p.name)).toContain('If-Match');
    expect((status.responses as Record<string, unknown>)['412']).toBeDefined();
  });

  test('the comparison itself notices drift', () => {
    const broken = structuredClone(served);
    const me = broken.paths['/api/v1/agents/me'].get;
    me.tags = ['Agent'];
    me.security = [];
    delete broken.components.schemas!.TeamCompact;
    (broken.components.schemas!.Agent as { properties: Record<string, unknown> }).properties.email = { type: 'integer' };
    delete broken.paths['/api/v1/agents/{id}'];
    const list = broken.paths['/api/v1/conversations/all'].get;
    const params = list.parameters as Array<Record<string, unknown>>;
    params.push({ name: 'must_send', in: 'query', required: true, schema: { type: 'string' } });
    (params.find((p) => p.name === 'page_size')!.schema as Record<string, unknown>).maximum = 500;
    const { missing, problems } = compareDocuments(contract, broken);
    expect(missing).toEqual(expect.arrayContaining(['handleGetAgent (GET /api/v1/agents/{id})', 'handleDeleteAgent (DELETE /api/v1/agents/{id})']));
    expect(problems).toEqual(
      expect.arrayContaining([
        'handleGetCurrentAgent.tags: contract ["Agents"], served ["Agent"]',
        'handleGetCurrentAgent.security: contract [{"basicAuth":[]},{"tokenAuth":[]}], served []',
        'components.schemas.TeamCompact: missing',
        expect.stringMatching(/^handleGetAllConversations\.parameters\.query:must_send: contract \(absent\)/),
        'handleGetAllConversations.parameters.query:page_size.schema.maximum: contract 100, served 500',
        expect.stringMatching(/^components\.schemas\.Agent\.properties\.email\.type: contract "string", served "integer"/),
      ]),
    );
  });
});

describe('Swagger UI at /docs', () => {
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

  test('serves the UI page with every asset from the installed swagger-ui-dist, nothing from the network', async () => {
    const page = await t.http
      .get('/docs')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    const html = page.text;
    expect(html).toContain('id="swagger-ui"');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="(https?:)?\/\//i);
    const assets = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1], 'http://app/docs').pathname);
    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui-init.js']));
    for (const asset of assets) {
      const res = await t.http
        .get(asset)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status, asset).toBe(200);
      const file = asset.replace(/^\/docs\//, '');
      if (file !== 'swagger-ui-init.js') expect(Buffer.compare(res.body as Buffer, readFileSync(join(dist, file))), asset).toBe(0);
    }
  });

  test('the UI is initialised with the served document', async () => {
    const init = await t.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"title": "Libredesk API"');
    expect(init.text).toContain('handleGetCurrentAgent');
  });
});
