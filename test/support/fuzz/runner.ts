import type { OpenApiDocument } from '../../../src/shared/openapi/contract.js';
import { servedDocumentValidator, type ContractValidator } from '../contract-validator.js';
import { RequestGenerator, type FuzzRequest } from './generator.js';
import { RawHttpClient, type RawResponse } from './http-client.js';
import { fuzzOperations, type FuzzOperation } from './operations.js';
import { FuzzWorld, type KeyPair } from './world.js';

export interface FuzzOptions {
  baseUrl: string;
  admin: KeyPair;
  requests: number;
  seed: number;
  concurrency?: number;
  /** Replay only these request indexes (from a previous report). */
  only?: number[];
  /** Pools are topped up after every this many requests (the fuzzer deletes what it finds). */
  replenishEvery?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface FuzzFailure {
  request: FuzzRequest;
  status?: number;
  problem: string;
  responseBody?: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  operations: FuzzOperation[];
  byStatus: Record<string, number>;
  byOperation: Record<string, Record<string, number>>;
  byMutation: Record<string, number>;
  failures: FuzzFailure[];
  slow: Array<{ request: FuzzRequest; ms: number }>;
  healthy: boolean;
  durationMs: number;
}

const SLOW_MS = 5_000;

/**
 * 5xx, broken envelopes, hung or dropped connections: anything but a clean 2xx/3xx/4xx. Answers are
 * checked against the served document: the contract's operations as the contract has them, and
 * every extension operation as the server documents it.
 */
function judge(validator: ContractValidator, req: FuzzRequest, res: RawResponse): string | undefined {
  if (res.status >= 500) return `HTTP ${res.status}`;
  const problems = validator.problems(req.method, req.path, {
    status: res.status,
    body: res.json ?? res.body.toString('utf8'),
    headers: res.headers,
  });
  return problems.length ? `contract: ${problems.join('; ')}` : undefined;
}

/**
 * Seeds real resources, then sends `requests` generated requests as the admin and as an `Agent`,
 * `concurrency` at a time, and checks every answer: never a 5xx, every 4xx the error envelope,
 * every 200 the contract's shape, and the server healthy at the end.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const client = new RawHttpClient(options.baseUrl);
  try {
    const doc = await client.send({ method: 'GET', path: '/docs-json', headers: {} });
    if (doc.status !== 200) throw new Error(`GET /docs-json → ${doc.status}`);
    const operations = fuzzOperations(doc.json as OpenApiDocument);
    const validator = servedDocumentValidator(doc.json as OpenApiDocument);
    const generator = new RequestGenerator(operations, options.seed);
    const world = new FuzzWorld(client, options.admin);
    await world.replenish();

    const indexes = options.only ?? Array.from({ length: options.requests }, (_, i) => i);
    const report: FuzzReport = {
      seed: options.seed,
      requests: 0,
      operations,
      byStatus: {},
      byOperation: {},
      byMutation: {},
      failures: [],
      slow: [],
      healthy: false,
      durationMs: 0,
    };
    const chunk = options.replenishEvery ?? 1_000;
    for (let from = 0; from < indexes.length; from += chunk) {
      if (from > 0) await world.replenish();
      const batch = indexes.slice(from, from + chunk);
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const req = generator.generate(batch[next++], world);
          await sendOne(client, validator, req, report);
          report.requests += 1;
          options.onProgress?.(report.requests, indexes.length);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    }
    const health = await client.send({ method: 'GET', path: '/health', headers: {} }).catch(() => undefined);
    report.healthy = health?.status === 200;
    await world.ensureCallers();
    report.durationMs = Date.now() - started;
    return report;
  } finally {
    client.close();
  }
}

async function sendOne(client: RawHttpClient, validator: ContractValidator, req: FuzzRequest, report: FuzzReport): Promise<void> {
  const op = (report.byOperation[req.operationId] ??= {});
  for (const m of req.mutations) {
    const kind = m.slice(0, m.indexOf(':'));
    report.byMutation[kind] = (report.byMutation[kind] ?? 0) + 1;
  }
  let res: RawResponse;
  try {
    res = await client.send(req);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Even a body far over the limit must get its 413: the server drains before it closes (shared/http/oversize.ts).
    const key = 'transport-error';
    report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
    op[key] = (op[key] ?? 0) + 1;
    report.failures.push({ request: req, problem: `transport: ${message}` });
    return;
  }
  report.byStatus[res.status] = (report.byStatus[res.status] ?? 0) + 1;
  op[res.status] = (op[res.status] ?? 0) + 1;
  if (res.ms > SLOW_MS) report.slow.push({ request: req, ms: res.ms });
  const problem = judge(validator, req, res);
  if (problem) report.failures.push({ request: req, status: res.status, problem, responseBody: res.body.toString('utf8').slice(0, 600) });
}

const show = (s: string, max: number) => {
  const escaped = JSON.stringify(s).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max)}… (${s.length} chars)` : escaped;
};

/** One failing request, complete enough to replay by hand (or with `--seed S --only N`). */
export function describeRequest(req: FuzzRequest): string {
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `    ${k}: ${show(k.toLowerCase() === 'authorization' ? v.replace(/:[A-Za-z0-9]{20,}/, ':<secret>') : v, 120)}`)
    .join('\n');
  const body = req.body ? `    body (${req.body.length} bytes): ${show(req.body.toString('latin1'), 400)}` : '    (no body)';
  return [
    `  #${req.index} ${req.operationId} as ${req.caller} [${req.mutations.join(', ') || 'valid'}]`,
    `    ${req.method} ${show(req.path, 300)}`,
    headers,
    body,
  ].join('\n');
}

export function formatReport(report: FuzzReport): string {
  const lines: string[] = [];
  const statuses = Object.entries(report.byStatus).sort(([a], [b]) => a.localeCompare(b));
  lines.push(
    `Fuzzed ${report.requests} requests over ${report.operations.length} operations in ${(report.durationMs / 1000).toFixed(1)} s (seed ${report.seed})`,
  );
  lines.push('', 'By status:');
  for (const [status, n] of statuses) lines.push(`  ${status.padEnd(24)} ${String(n).padStart(7)}`);
  lines.push('', 'By operation:');
  const width = Math.max(...report.operations.map((o) => o.operationId.length));
  for (const o of report.operations) {
    const counts = report.byOperation[o.operationId] ?? {};
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const detail = Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    lines.push(`  ${o.operationId.padEnd(width)} ${String(total).padStart(6)}  ${detail}`);
  }
  lines.push('', 'By mutation:');
  for (const [m, n] of Object.entries(report.byMutation).sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${m.padEnd(28)} ${String(n).padStart(7)}`);
  const neverOk = report.operations.filter((o) => report.byOperation[o.operationId] !== undefined && !report.byOperation[o.operationId]['200']);
  if (neverOk.length) {
    lines.push('', `Never answered 200 (worth a look: every request broken, or a route that cannot succeed): ${neverOk.map((o) => o.operationId).join(', ')}`);
  }
  const fiveXX = report.failures.filter((f) => (f.status ?? 0) >= 500).length;
  lines.push(
    '',
    `5xx: ${fiveXX}   other failures: ${report.failures.length - fiveXX}   slow (> ${SLOW_MS / 1000} s): ${report.slow.length}   healthy at the end: ${report.healthy}`,
  );
  for (const f of report.failures) {
    lines.push('', `FAIL ${f.problem}`, describeRequest(f.request));
    if (f.responseBody !== undefined) lines.push(`    → ${show(f.responseBody, 400)}`);
  }
  for (const s of report.slow) lines.push('', `SLOW ${s.ms} ms`, describeRequest(s.request));
  return lines.join('\n');
}
