import type { RawRequest } from './http-client.js';
import { sampleCorpus } from './hostile.js';
import { defaultEncoding, percent, type Caller, type Draft } from './encodings.js';
import { MUTATIONS, type Corpus, type GenContext } from './mutations.js';
import type { FuzzOperation } from './operations.js';
import { Rng } from './rng.js';
import { validObject, validPathParams, validQueryValue, type Callers } from './values.js';
import { authHeader, type KeyPair, type Pools } from './world.js';

/** A multipart field's text: strings as they are, anything else as JSON (null is `null`). */
const formField = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

export type { Caller } from './encodings.js';

export interface FuzzRequest extends RawRequest {
  index: number;
  operationId: string;
  caller: Caller;
  /** What was broken, e.g. `body.wrong-type:inbox_id`, `path.bad-id:id=%00`, `encoding.malformed-json:bom`. */
  mutations: string[];
}

const OPAQUE = new Set(['cursor', 'after']);

const MUTATION_COUNT: ReadonlyArray<readonly [number, number]> = [
  [8, 0],
  [50, 1],
  [30, 2],
  [12, 3],
];

/**
 * Builds request `index` of a run: an operation (round-robin over a per-cycle shuffle, so each one
 * gets its share), a valid request for it against real resources, then 0–3 mutations that break
 * the schema, with at most one re-encoding of the body last. Same seed, index and pools, same request.
 */
export class RequestGenerator {
  private readonly corpus: Corpus;

  constructor(
    readonly operations: FuzzOperation[],
    private readonly seed: number,
  ) {
    this.corpus = sampleCorpus(seed);
  }

  operationFor(index: number): FuzzOperation {
    const cycle = Math.floor(index / this.operations.length);
    return new Rng(this.seed ^ Math.imul(cycle + 1, 0x27d4eb2d)).shuffle(this.operations)[index % this.operations.length];
  }

  generate(index: number, world: { admin: KeyPair; agent: KeyPair; pools: Pools }): FuzzRequest {
    const rng = Rng.forIndex(this.seed, index);
    const op = this.operationFor(index);
    const callers: Callers = { adminId: world.admin.id, agentId: world.agent.id };
    const ctx: GenContext = { rng, pools: world.pools, callers, op, corpus: this.corpus };
    const caller: Caller = rng.chance(0.7) ? 'admin' : 'agent';
    const draft: Draft = {
      op,
      method: op.method.toUpperCase(),
      pathParams: validPathParams(ctx),
      query: [],
      headers: { Authorization: authHeader(caller === 'admin' ? world.admin : world.agent) },
      caller,
    };
    for (const p of op.queryParams) {
      // Opaque cursors cannot be made up; a well-behaved client only echoes one (mutations still send junk).
      if (!p.required && (OPAQUE.has(p.name) || rng.chance(0.5))) continue;
      const v = validQueryValue(ctx, p);
      for (const item of Array.isArray(v) ? v : [v]) draft.query.push([p.name, percent(item)]);
    }
    if (op.body?.contentType === 'multipart/form-data') {
      const fields = Object.fromEntries(Object.entries(validObject(ctx, op.body.schema)).map(([k, v]) => [k, formField(v)]));
      const wantsFile = op.operationId === 'handleMediaUpload' || rng.chance(0.3);
      draft.parts = { fields, file: wantsFile ? { name: 'files', filename: `photo-${rng.hex(4)}.png`, contentType: 'image/png' } : undefined };
    } else if (op.body) {
      draft.json = validObject(ctx, op.body.schema);
    }
    const mutations: string[] = [];
    let encoding: string | undefined;
    const count = rng.weighted(MUTATION_COUNT);
    for (let i = 0; i < count; i++) {
      const usable = Object.entries(MUTATIONS).filter(([name, m]) => m.applies(draft) && !(name.startsWith('encoding.') && encoding));
      if (!usable.length) break;
      const [name, m] = rng.weighted(usable.map(([n, mm]) => [mm.weight, [n, mm] as const] as const));
      if (name.startsWith('encoding.')) encoding = name;
      else mutations.push(`${name}:${m.apply(draft, ctx)}`);
    }
    if (encoding) mutations.push(`${encoding}:${MUTATIONS[encoding].apply(draft, ctx)}`);
    return { index, operationId: op.operationId, caller: draft.caller, mutations, ...render(draft) };
  }
}

const PATH_SHAPES: Record<string, (path: string) => string> = {
  'trailing-slash': (p) => `${p}/`,
  'double-slash': (p) => p.replace('/v1/', '/v1//'),
  'upper-case': (p) => p.replace('/api/v1/', '/API/V1/'),
  'dot-segment': (p) => p.replace('/api/v1/', '/api/v1/./../v1/'),
  matrix: (p) => `${p};jsessionid=abc`,
  'encoded-slash': (p) => p.replace('/api/v1/', '/api%2Fv1/'),
};

export function render(d: Draft): RawRequest {
  let path = d.op.path.replace(/\{(\w+)\}/g, (_, name: string) => d.pathParams[name] ?? '');
  if (d.pathShape) path = PATH_SHAPES[d.pathShape](path);
  if (d.query.length) path += `?${d.query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  const headers = { ...d.headers };
  const encoded = d.encoded ?? defaultEncoding(d);
  if (encoded?.contentType !== undefined) headers['Content-Type'] = encoded.contentType;
  return { method: d.method, path, headers, body: encoded?.body };
}

export const PATH_SHAPE_NAMES = Object.keys(PATH_SHAPES);
