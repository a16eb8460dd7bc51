import { readFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import type { paths } from '../../client/served.js';
import { generateServedTypes, SERVED_DOCUMENT_PATH, SERVED_TYPES_PATH, servedDocumentText } from '../../scripts/gen-client.mjs';
import { HTTP_METHODS, type OpenApiDocument } from '../../src/shared/openapi/contract.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const STALE = 'run `npm run gen:client` and commit the result';

/** What differs between two documents, one line per operation or component (readable where a full diff is not). */
function differences(committed: OpenApiDocument, served: OpenApiDocument): string[] {
  const out: string[] = [];
  const ops = (doc: OpenApiDocument) => {
    const map = new Map<string, string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const m of HTTP_METHODS) if (item[m]) map.set(`${m.toUpperCase()} ${path}`, JSON.stringify(item[m]));
    }
    return map;
  };
  const [before, after] = [ops(committed), ops(served)];
  for (const [key, op] of after) {
    if (!before.has(key)) out.push(`served but not in the committed document: ${key}`);
    else if (before.get(key) !== op) out.push(`documented differently: ${key}`);
  }
  for (const key of before.keys()) if (!after.has(key)) out.push(`in the committed document but no longer served: ${key}`);
  for (const part of new Set([...Object.keys(committed.components), ...Object.keys(served.components)])) {
    const [a, b] = [committed.components[part] ?? {}, served.components[part] ?? {}] as Array<Record<string, unknown>>;
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (JSON.stringify(a[name]) !== JSON.stringify(b[name])) out.push(`components.${part}.${name} differs`);
    }
  }
  return out;
}

let t: TestApp;
let served: OpenApiDocument;

beforeAll(async () => {
  t = await startTestApp();
  served = (await t.http.get('/docs-json').expect(200)).body as OpenApiDocument;
});
afterAll(async () => t?.close());

test('openapi/served.openapi.json is the document the application serves at /docs-json', () => {
  const committedText = readFileSync(SERVED_DOCUMENT_PATH, 'utf8');
  const found = differences(JSON.parse(committedText) as OpenApiDocument, served);
  expect(found, `openapi/served.openapi.json is stale against /docs-json: ${STALE}.\n  ${found.join('\n  ')}`).toEqual([]);
  // Nothing else either (info, tags, key order): the file is exactly what the generator writes.
  expect(committedText === servedDocumentText(served), `openapi/served.openapi.json is stale against /docs-json: ${STALE}`).toBe(true);
});

test('client/served.d.ts is what `npm run gen:client` generates from the served document', async () => {
  const committed = readFileSync(SERVED_TYPES_PATH, 'utf8');
  const fresh = await generateServedTypes(served);
  expect(committed === fresh, `client/served.d.ts is stale: ${STALE}`).toBe(true);
});

test('the served client types drive operations beyond the contract', async () => {
  await t.app.listen(0, '127.0.0.1');
  const baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  const api = createClient<paths>({ baseUrl, headers: { Authorization: t.token(t.admin) } });

  const created = await api.POST('/api/v1/custom-attributes', {
    body: { name: 'CRM id', applies_to: 'contact', key: 'crm_id', data_type: 'text' },
  });
  expect(created.response.status, JSON.stringify(created.error)).toBe(200);
  const attribute = created.data!.data;
  expect(attribute).toMatchObject({ name: 'CRM id', applies_to: 'contact', key: 'crm_id', data_type: 'text' });

  const listed = await api.GET('/api/v1/custom-attributes', { params: { query: { applies_to: 'contact' } } });
  expect(listed.data!.data.map((a) => a.key)).toEqual(['crm_id']);

  const refused = await api.POST('/api/v1/custom-attributes', {
    body: { name: 'CRM id', applies_to: 'contact', key: 'crm_id', data_type: 'text' },
  });
  expect(refused.response.status).toBe(409);
  expect(refused.error).toMatchObject({ status: 'error', error_type: 'ConflictException', message: 'Custom attribute already exists' });

  // A contract operation through the same client, with the server's conditional GET.
  const views = await api.GET('/api/v1/views');
  const etag = views.response.headers.get('etag');
  expect(etag).toBeTruthy();
  const again = await api.GET('/api/v1/views', { params: { header: { 'If-None-Match': etag! } } });
  expect(again.response.status).toBe(304);
  const deleted = await api.DELETE('/api/v1/custom-attributes/{id}', { params: { path: { id: attribute.id } } });
  expect(deleted.response.status).toBe(200);
});
