import type { AddressInfo } from 'node:net';
import { contractOperations, loadContract } from '../../src/shared/openapi/contract.js';
import { startOpenAiStub } from '../support/fuzz/openai-stub.js';
import { formatReport, runFuzz, type FuzzReport } from '../support/fuzz/runner.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The quick fuzz pass of `npm test`: a few hundred requests generated from the served OpenAPI
 * document (the contract's operations and the extension endpoints), each breaking the schema in
 * one to three ways, sent as the admin and as an `Agent`. `npm run fuzz` runs the long version.
 */
const REQUESTS = Number(process.env.FUZZ_QUICK_REQUESTS ?? 450);
const SEED = Number(process.env.FUZZ_SEED ?? 20_250_914);

let t: TestApp;
let stub: Awaited<ReturnType<typeof startOpenAiStub>>;
let baseUrl: string;
let report: FuzzReport;

beforeAll(async () => {
  stub = await startOpenAiStub();
  t = await startTestApp({
    RATE_LIMIT_ENABLED: 'false',
    MAIL_WORKER_ENABLED: 'false',
    WEBHOOK_WORKER_ENABLED: 'false',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    INBOX_EMAIL: 'Support <support@example.com>',
    OPENAI_BASE_URL: stub.url,
    MEDIA_MAX_FILE_SIZE_MB: '2',
  });
  await t.app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  report = await runFuzz({ baseUrl, admin: t.admin, requests: REQUESTS, seed: SEED, concurrency: 4, replenishEvery: 150 });
}, 300_000);

afterAll(async () => {
  await t?.close();
  await stub?.close();
});

describe('fuzzing every operation (quick pass)', () => {
  it('never answers with a 5xx, and every answer keeps to the contract', () => {
    if (report.failures.length) throw new Error(formatReport(report));
    expect(report.requests).toBe(REQUESTS);
    expect(report.failures).toEqual([]);
  });

  it('covers every contract operation and the extension endpoints', () => {
    const fuzzed = new Set(Object.keys(report.byOperation));
    for (const operationId of contractOperations(loadContract()).keys()) expect(fuzzed, operationId).toContain(operationId);
    for (const extension of ['handleGetInboxes', 'handleCreateView', 'handleCreateWebhook', 'handleGetEvents', 'serveUpload'])
      expect(fuzzed).toContain(extension);
  });

  it('sends the input classes of issue 14: null one level down, null bodies, huge integers, unusual methods', () => {
    for (const kind of ['body.nested-null', 'body.null', 'body.huge-integer', 'path.huge-id', 'method'])
      expect(report.byMutation[kind] ?? 0, kind).toBeGreaterThan(0);
  });

  it('reaches the handlers: the bad input is mostly refused as input, and some requests succeed', () => {
    const count = (s: string) => report.byStatus[s] ?? 0;
    expect(count('400')).toBeGreaterThan(REQUESTS * 0.3);
    expect(count('200')).toBeGreaterThan(REQUESTS * 0.05);
    expect(count('401')).toBeLessThan(REQUESTS * 0.1);
  });

  it('stays up', async () => {
    expect(report.healthy).toBe(true);
    await t.http.get('/health').expect(200);
    await t.http.get('/api/v1/agents/me').set('Authorization', t.token(t.admin)).expect(200);
  });
});
