import { ANY_JSON, EXTRA_KEYS, HUGE_STRINGS, NASTY_STRINGS } from './hostile.js';
import type { Draft } from './encodings.js';
import type { GenContext, Mutation } from './mutations.js';
import type { Schema } from './operations.js';

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

/** A value of another JSON type than the schema's, from the fixed list or fast-check's corpus. */
function wrongType(ctx: GenContext, s: Schema | undefined): unknown {
  const expected = schemaType(s);
  const candidates = [...ANY_JSON, ...ctx.corpus.json.slice(0, 40), ...ctx.corpus.numbers.slice(0, 20)].filter((v) => {
    const t = jsonType(v);
    return t !== expected && !(expected === 'number' && t === 'integer') && !(s?.nullable && t === 'null');
  });
  // A copy: the corpus values are shared, and a later mutation may change this one in place.
  return structuredClone(ctx.rng.pick(candidates));
}

const bodyFields = (d: Draft) => (d.json && typeof d.json === 'object' && !Array.isArray(d.json) ? Object.keys(d.json) : []);
const schemaOf = (d: Draft, field: string) => d.op.body?.schema.properties?.[field];

/** Mutations of the body's content: missing, mistyped, oversized, nested, null and unknown fields. */
export const BODY_MUTATIONS: Record<string, Mutation> = {
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
      const inner = structuredClone(body[field]);
      body[field] = inner;
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
      const field = ctx.rng.pick(
        bodyFields(d).filter((f) => schemaOf(d, f)?.enum || ['status', 'priority', 'roles', 'events', 'sender_type', 'visibility'].includes(f)),
      );
      const body = d.json as Record<string, unknown>;
      const current = String(Array.isArray(body[field]) ? (body[field] as unknown[])[0] : body[field]);
      const bad = ctx.rng.pick([
        current.toUpperCase(),
        current.toLowerCase(),
        ` ${current} `,
        `${current}x`,
        'unknown',
        '',
        '\u0000',
        'Оpen',
        current.repeat(50),
      ]);
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
      const value = ctx.rng.pick<unknown>([
        0,
        -1,
        -2147483648,
        2147483647,
        2147483648,
        9007199254740991,
        1e21,
        1.5,
        -0.5,
        1e-7,
        ...ctx.corpus.numbers.slice(0, 10),
      ]);
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
      (d.json as Record<string, unknown>)[field] = Array.from({ length: ctx.rng.pick([1_000, 20_000]) }, (_, i) =>
        typeof item === 'number' ? i + 1 : `a${i}@example.com`,
      );
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
};
