import { ANY_JSON, BAD_IDS, BAD_UUIDS, EXTRA_KEYS, HUGE_STRINGS, NASTY_STRINGS, type sampleCorpus } from './hostile.js';
import { encodingMutations, percent, type Draft } from './encodings.js';
import type { Schema } from './operations.js';
import type { ValueContext } from './values.js';

export type Corpus = ReturnType<typeof sampleCorpus>;

export interface Mutation {
  /** How often it is chosen, relative to the others that apply. */
  weight: number;
  applies: (d: Draft) => boolean;
  apply: (d: Draft, ctx: GenContext) => string;
}

export interface GenContext extends ValueContext {
  corpus: Corpus;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}

function schemaType(s: Schema | undefined): string {
  const t = Array.isArray(s?.type) ? s.type[0] : s?.type;
  return t ?? (s?.properties ? 'object' : 'string');
}

/** A value of some other JSON type than the schema's, or from fast-check's corpus. */
function wrongType(ctx: GenContext, s: Schema | undefined): unknown {
  const expected = schemaType(s);
  const candidates = [...ANY_JSON, ...ctx.corpus.json.slice(0, 40), ...ctx.corpus.numbers.slice(0, 20)].filter((v) => {
    const t = jsonType(v);
    return t !== expected && !(expected === 'number' && t === 'integer') && !(s?.nullable && t === 'null');
  });
  return ctx.rng.pick(candidates);
}

const bodyFields = (d: Draft) => (d.json && typeof d.json === 'object' && !Array.isArray(d.json) ? Object.keys(d.json) : []);
const schemaOf = (d: Draft, field: string) => d.op.body?.schema.properties?.[field];

export const MUTATIONS: Record<string, Mutation> = {
  'path.bad-id': {
    weight: 6,
    applies: (d) => d.op.pathParams.length > 0,
    apply: (d, ctx) => {
      const p = ctx.rng.pick(d.op.pathParams);
      const isUuid = p.name.includes('uuid');
      const bad = ctx.rng.chance(0.75) ? ctx.rng.pick(isUuid ? BAD_UUIDS : BAD_IDS) : ctx.rng.pick(isUuid ? BAD_IDS : BAD_UUIDS);
      d.pathParams[p.name] = bad;
      return `${p.name}=${bad.slice(0, 40)}`;
    },
  },
  'path.shape': {
    weight: 1,
    applies: () => true,
    apply: (d, ctx) => {
      const shape = ctx.rng.pick(['trailing-slash', 'double-slash', 'upper-case', 'dot-segment', 'matrix', 'encoded-slash']);
      d.pathShape = shape;
      return shape;
    },
  },
  method: {
    weight: 1,
    applies: () => true,
    apply: (d, ctx) => {
      d.method = ctx.rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'].filter((m) => m !== d.method));
      return d.method;
    },
  },
  'query.bad-value': {
    weight: 5,
    applies: (d) => d.op.queryParams.length > 0,
    apply: (d, ctx) => {
      const p = ctx.rng.pick(d.op.queryParams);
      const raw = ctx.rng.weighted<string>([
        [4, ctx.rng.pick(BAD_IDS)],
        [3, percent(ctx.rng.pick(NASTY_STRINGS))],
        [1, percent(ctx.rng.pick(ctx.corpus.strings))],
        [1, percent('x'.repeat(ctx.rng.pick([3_000, 12_000])))],
        [1, ctx.rng.pick(['%', '%zz', '%ff%fe', '\u00ff\u00fe', '%C0%AF', '%ED%A0%80', '%00', ''])],
      ]);
      d.query = d.query.filter(([k]) => k !== p.name);
      d.query.push([p.name, raw]);
      return `${p.name}=${raw.slice(0, 40)}`;
    },
  },
  'query.missing-required': {
    weight: 2,
    applies: (d) => d.op.queryParams.some((p) => p.required),
    apply: (d) => {
      const names = d.op.queryParams.filter((p) => p.required).map((p) => p.name);
      d.query = d.query.filter(([k]) => !names.includes(k));
      return names.join(',');
    },
  },
  'query.duplicate': {
    weight: 2,
    applies: (d) => d.query.length > 0,
    apply: (d, ctx) => {
      const [k, v] = ctx.rng.pick(d.query);
      d.query.push([k, ctx.rng.pick([v, 'abc', '2', '', '-1'])]);
      return k;
    },
  },
  'query.brackets': {
    weight: 1,
    applies: (d) => d.op.queryParams.length > 0,
    apply: (d, ctx) => {
      const p = ctx.rng.pick(d.op.queryParams);
      d.query = d.query.filter(([k]) => k !== p.name);
      d.query.push([`${p.name}${ctx.rng.pick(['[]', '[0]', '[a]', '.x', '%5B%5D'])}`, '1']);
      return p.name;
    },
  },
  'query.extra': {
    weight: 2,
    applies: () => true,
    apply: (d, ctx) => {
      const kind = ctx.rng.pick(['unknown', 'many', 'long', 'order', 'bytes']);
      if (kind === 'unknown') d.query.push([percent(ctx.rng.pick(EXTRA_KEYS)), percent(ctx.rng.pick(NASTY_STRINGS))]);
      if (kind === 'many') for (let i = 0; i < 500; i++) d.query.push([`k${i}`, String(i)]);
      if (kind === 'long') d.query.push(['q', 'y'.repeat(ctx.rng.pick([8_000, 14_000]))]);
      if (kind === 'order') d.query.push(['order_by', ctx.rng.pick(['conversations.id;--', 'x', 'created_at'])], ['order', ctx.rng.pick(['asc', 'sideways'])], ['filters', percent('[{"x":')]);
      if (kind === 'bytes') d.query.push(['\u00ff', '\u00c0\u00af'], ['a%00b', '%00']);
      return kind;
    },
  },
  'body.missing-required': {
    weight: 5,
    applies: (d) => bodyFields(d).some((f) => d.op.body?.required.includes(f)),
    apply: (d, ctx) => {
      const field = ctx.rng.pick(bodyFields(d).filter((f) => d.op.body!.required.includes(f)));
      delete (d.json as Record<string, unknown>)[field];
      return field;
    },
  },
  'body.empty-object': {
    weight: 1,
    applies: (d) => d.json !== undefined,
    apply: (d) => {
      d.json = {};
      return '{}';
    },
  },
  'body.wrong-type': {
    weight: 8,
    applies: (d) => bodyFields(d).length > 0,
    apply: (d, ctx) => {
      const field = ctx.rng.pick(bodyFields(d));
      (d.json as Record<string, unknown>)[field] = wrongType(ctx, schemaOf(d, field));
      return field;
    },
  },
  'body.nested-wrong-type': {
    weight: 2,
    applies: (d) => bodyFields(d).some((f) => typeof (d.json as Record<string, unknown>)[f] === 'object' && (d.json as Record<string, unknown>)[f] !== null),
    apply: (d, ctx) => {
      const body = d.json as Record<string, unknown>;
      const field = ctx.rng.pick(bodyFields(d).filter((f) => typeof body[f] === 'object' && body[f] !== null));
      const inner = body[field];
      if (Array.isArray(inner)) inner.push(wrongType(ctx, schemaOf(d, field)?.items));
      else {
        const keys = Object.keys(inner as object);
        const key = keys.length ? ctx.rng.pick(keys) : 'x';
        (inner as Record<string, unknown>)[key] = wrongType(ctx, schemaOf(d, field)?.properties?.[key]);
      }
      return field;
    },
  },
  'body.bad-enum': {
    weight: 3,
    applies: (d) => bodyFields(d).some((f) => schemaOf(d, f)?.enum || ['status', 'priority', 'roles', 'events', 'sender_type', 'visibility'].includes(f)),
    apply: (d, ctx) => {
      const field = ctx.rng.pick(bodyFields(d).filter((f) => schemaOf(d, f)?.enum || ['status', 'priority', 'roles', 'events', 'sender_type', 'visibility'].includes(f)));
      const body = d.json as Record<string, unknown>;
      const current = String(Array.isArray(body[field]) ? (body[field] as unknown[])[0] : body[field]);
      const bad = ctx.rng.pick([current.toUpperCase(), current.toLowerCase(), ` ${current} `, `${current}x`, 'unknown', '', '\u0000', 'Оpen', current.repeat(50)]);
      body[field] = Array.isArray(body[field]) ? [bad] : bad;
      return `${field}=${bad.slice(0, 30)}`;
    },
  },
  'body.nasty-string': {
    weight: 6,
    applies: (d) => bodyFields(d).length > 0 || d.parts !== undefined,
    apply: (d, ctx) => {
      const value = ctx.rng.chance(0.75) ? ctx.rng.pick(NASTY_STRINGS) : ctx.rng.pick(ctx.corpus.strings);
      const field = d.parts ? ctx.rng.pick([...Object.keys(d.parts.fields), 'first_name']) : ctx.rng.pick(bodyFields(d));
      if (d.parts) d.parts.fields[field] = value;
      else {
        const body = d.json as Record<string, unknown>;
        body[field] = Array.isArray(body[field]) ? [value] : value;
      }
      return field;
    },
  },
  'body.numeric-edge': {
    weight: 3,
    applies: (d) => bodyFields(d).some((f) => ['integer', 'number'].includes(schemaType(schemaOf(d, f)))),
    apply: (d, ctx) => {
      const field = ctx.rng.pick(bodyFields(d).filter((f) => ['integer', 'number'].includes(schemaType(schemaOf(d, f)))));
      const value = ctx.rng.pick<unknown>([0, -1, -2147483648, 2147483647, 2147483648, 9007199254740991, 1e21, 1.5, -0.5, 1e-7, ...ctx.corpus.numbers.slice(0, 10)]);
      (d.json as Record<string, unknown>)[field] = value;
      return `${field}=${String(value)}`;
    },
  },
  'body.huge-string': {
    weight: 3,
    applies: (d) => bodyFields(d).length > 0 || d.parts !== undefined,
    apply: (d, ctx) => {
      const value = ctx.rng.pick(HUGE_STRINGS);
      const field = d.parts ? ctx.rng.pick([...Object.keys(d.parts.fields), 'first_name', 'email']) : ctx.rng.pick(bodyFields(d));
      if (d.parts) d.parts.fields[field] = value;
      else {
        const body = d.json as Record<string, unknown>;
        body[field] = Array.isArray(body[field]) ? [value] : value;
      }
      return field;
    },
  },
  'body.huge-array': {
    weight: 1,
    applies: (d) => bodyFields(d).some((f) => schemaType(schemaOf(d, f)) === 'array'),
    apply: (d, ctx) => {
      const field = ctx.rng.pick(bodyFields(d).filter((f) => schemaType(schemaOf(d, f)) === 'array'));
      const item = schemaType(schemaOf(d, field)?.items) === 'integer' ? 1 : 'x@example.com';
      (d.json as Record<string, unknown>)[field] = Array.from({ length: ctx.rng.pick([1_000, 20_000]) }, (_, i) => (typeof item === 'number' ? i + 1 : `a${i}@example.com`));
      return field;
    },
  },
  'body.null-field': {
    weight: 3,
    applies: (d) => bodyFields(d).length > 0,
    apply: (d, ctx) => {
      const field = ctx.rng.pick(bodyFields(d));
      (d.json as Record<string, unknown>)[field] = null;
      return field;
    },
  },
  'body.extra-fields': {
    weight: 4,
    applies: (d) => d.op.body !== undefined,
    apply: (d, ctx) => {
      const key = ctx.rng.pick(EXTRA_KEYS);
      const value = ctx.rng.chance(0.5) ? ctx.rng.pick(ANY_JSON) : ctx.rng.pick(ctx.corpus.json);
      if (d.parts) d.parts.fields[key || 'blank'] = typeof value === 'string' ? value : JSON.stringify(value);
      else if (d.json && typeof d.json === 'object' && !Array.isArray(d.json)) (d.json as Record<string, unknown>)[key] = value;
      return key.slice(0, 30);
    },
  },
  'body.deep-nesting': {
    weight: 2,
    applies: (d) => d.op.body !== undefined && d.parts === undefined,
    apply: (d, ctx) => {
      const depth = ctx.rng.pick([64, 1_000, 10_000, 100_000]);
      const asArray = ctx.rng.chance(0.5);
      const field = bodyFields(d).length && ctx.rng.chance(0.7) ? ctx.rng.pick(bodyFields(d)) : 'nested';
      d.rawJson = { field, text: asArray ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` };
      return `${field}@${depth}${asArray ? '[]' : '{}'}`;
    },
  },
  'body.not-an-object': {
    weight: 2,
    applies: (d) => d.op.body !== undefined && d.parts === undefined,
    apply: (d, ctx) => {
      d.json = ctx.rng.pick<unknown>([[], [d.json], 'text', 1, null, true, [{}]]);
      return jsonType(d.json);
    },
  },
  'body.on-bodiless-route': {
    weight: 1,
    applies: (d) => d.op.body === undefined,
    apply: (d, ctx) => {
      d.json = ctx.rng.pick<unknown>([{ a: 1 }, { id: 1, status: 'Closed' }, [], 'x']);
      return jsonType(d.json);
    },
  },
  'header.auth': {
    weight: 1,
    applies: () => true,
    apply: (d, ctx) => {
      const key = ctx.rng.hex(32);
      const value = ctx.rng.pick([
        '',
        'token',
        `token ${key}`,
        `token ${key}:`,
        `token :${key}`,
        `token ${key}:${'s'.repeat(64)}`,
        `Basic ${Buffer.from(`${key}:x`).toString('base64')}`,
        'Basic !!!notbase64',
        'Basic ',
        `Bearer ${key}`,
        `token ${'k'.repeat(8000)}:${'s'.repeat(64)}`,
        'token \u00ff\u00fe:\u00e9',
        `${d.headers.Authorization ?? ''}x`,
        `${d.headers.Authorization ?? ''}, token a:b`,
      ]);
      if (value === '') delete d.headers.Authorization;
      else d.headers.Authorization = value;
      d.caller = 'bad-auth';
      return value.slice(0, 30);
    },
  },
  'header.idempotency-key': {
    weight: 2,
    applies: (d) => d.method === 'POST',
    apply: (d, ctx) => {
      const value = ctx.rng.pick(['', ' ', 'fuzz-shared-key', 'fuzz-shared-key', `k-${ctx.rng.hex(8)}`, 'x'.repeat(5000), '\u00ff\u00fe', 'a\tb']);
      d.headers['Idempotency-Key'] = value;
      return value.slice(0, 30);
    },
  },
  'header.misc': {
    weight: 1,
    applies: () => true,
    apply: (d, ctx) => {
      const [name, value] = ctx.rng.pick<[string, string]>([
        ['Accept', 'application/xml'],
        ['Accept', '*/*;q=abc'],
        ['Accept-Encoding', 'gzip;q=2, br, zstd, identity;q=0'],
        ['X-Request-Id', '\u00ff'.repeat(100)],
        ['X-Request-Id', 'x'.repeat(5000)],
        ['X-Forwarded-For', '1.2.3.4, <script>'],
        ['Origin', 'https://evil.example'],
        ['Expect', '100-continue'],
      ]);
      d.headers[name] = value;
      return name;
    },
  },
  ...encodingMutations,
};

