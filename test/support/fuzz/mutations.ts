import { BAD_IDS, BAD_UUIDS, EXTRA_KEYS, NASTY_STRINGS, type sampleCorpus } from './hostile.js';
import { BODY_MUTATIONS } from './body-mutations.js';
import { EXTRA_METHODS, NULL_AND_NUMBER_MUTATIONS } from './null-mutations.js';
import { encodingMutations, percent, type Draft } from './encodings.js';
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
      d.method = ctx.rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', ...EXTRA_METHODS].filter((m) => m !== d.method));
      // QUERY and the like often arrive without a Content-Type.
      if (EXTRA_METHODS.includes(d.method) && ctx.rng.chance(0.5)) d.encoded = { body: Buffer.from('{}'), contentType: undefined };
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
      if (kind === 'order')
        d.query.push(
          ['order_by', ctx.rng.pick(['conversations.id;--', 'x', 'created_at'])],
          ['order', ctx.rng.pick(['asc', 'sideways'])],
          ['filters', percent('[{"x":')],
        );
      if (kind === 'bytes') d.query.push(['\u00ff', '\u00c0\u00af'], ['a%00b', '%00']);
      return kind;
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
  ...BODY_MUTATIONS,
  ...NULL_AND_NUMBER_MUTATIONS,
  ...encodingMutations,
};
