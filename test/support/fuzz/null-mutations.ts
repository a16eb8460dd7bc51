import type { Draft } from './encodings.js';
import type { Mutation } from './mutations.js';
import type { Schema } from './operations.js';

const bodyFields = (d: Draft) => (d.json && typeof d.json === 'object' && !Array.isArray(d.json) ? Object.keys(d.json) : []);
const schemaOf = (d: Draft, field: string): Schema | undefined => d.op.body?.schema.properties?.[field];
const typeOf = (s: Schema | undefined) => (Array.isArray(s?.type) ? s.type[0] : s?.type) ?? (s?.properties ? 'object' : undefined);
/** Fields whose schema or value is an object or an array: where a null can hide one level down. */
const nestedFields = (d: Draft) =>
  bodyFields(d).filter((f) => {
    const value = (d.json as Record<string, unknown>)[f];
    return (typeof value === 'object' && value !== null) || ['object', 'array'].includes(typeOf(schemaOf(d, f)) ?? '');
  });

/** Integers no column holds, as JSON number literals (JSON.stringify cannot write most of them). */
const HUGE_INTEGERS = [
  '2147483648',
  '9007199254740993',
  '99999999999999999999',
  '1' + '0'.repeat(40),
  '9'.repeat(400),
  '1e400',
  '-1e400',
  '-99999999999999999999',
];
/** Ids and page numbers beyond int4, int8 and a double, as path and query text. */
const HUGE_DIGITS = ['2147483648', '4294967296', '9223372036854775808', '99999999999999999999', '9'.repeat(60), '0'.repeat(30) + '1'];

/** Methods beyond the usual few: RFC 10008 QUERY (which demands a Content-Type) and WebDAV's. */
export const EXTRA_METHODS = ['QUERY', 'PROPFIND', 'SEARCH', 'MKCOL', 'LOCK', 'PURGE', 'REPORT', 'LINK'];

/** Issue 14's input classes: null one level down, a null body, huge integers anywhere, unusual methods. */
export const NULL_AND_NUMBER_MUTATIONS: Record<string, Mutation> = {
  'body.nested-null': {
    weight: 3,
    applies: (d) => nestedFields(d).length > 0,
    apply: (d, ctx) => {
      const body = d.json as Record<string, unknown>;
      const field = ctx.rng.pick(nestedFields(d));
      const schema = schemaOf(d, field);
      const inner = body[field];
      if (Array.isArray(inner) || (inner == null && typeOf(schema) === 'array')) {
        const list = Array.isArray(inner) ? [...(inner as unknown[])] : [];
        list.splice(ctx.rng.int(0, list.length), 0, null);
        body[field] = list;
        return `${field}[]`;
      }
      const object = typeof inner === 'object' && inner !== null ? { ...(inner as Record<string, unknown>) } : {};
      const keys = [...new Set([...Object.keys(object), ...Object.keys(schema?.properties ?? {})])];
      const key = keys.length ? ctx.rng.pick(keys) : 'x';
      object[key] = null;
      body[field] = object;
      return `${field}.${key}`;
    },
  },
  'body.null': {
    weight: 2,
    applies: (d) => d.op.body !== undefined && d.parts === undefined,
    apply: (d) => {
      d.json = undefined;
      d.rawJson = { field: '', text: 'null' };
      return 'null';
    },
  },
  'body.huge-integer': {
    weight: 3,
    applies: (d) => bodyFields(d).length > 0,
    apply: (d, ctx) => {
      const numeric = bodyFields(d).filter((f) => ['integer', 'number'].includes(typeOf(schemaOf(d, f)) ?? ''));
      const field = ctx.rng.pick(numeric.length && ctx.rng.chance(0.8) ? numeric : bodyFields(d));
      const literal = ctx.rng.pick(HUGE_INTEGERS);
      const asList = typeOf(schemaOf(d, field)) === 'array';
      d.rawJson = { field, text: asList ? `[${literal}]` : literal };
      return `${field}=${literal.slice(0, 24)}`;
    },
  },
  'path.huge-id': {
    weight: 2,
    applies: (d) => d.op.pathParams.some((p) => typeOf(p.schema) === 'integer' || p.name === 'id' || p.name.endsWith('_id') || p.name.endsWith('Id')),
    apply: (d, ctx) => {
      const p = ctx.rng.pick(
        d.op.pathParams.filter((q) => typeOf(q.schema) === 'integer' || q.name === 'id' || q.name.endsWith('_id') || q.name.endsWith('Id')),
      );
      d.pathParams[p.name] = ctx.rng.pick(HUGE_DIGITS);
      return `${p.name}=${d.pathParams[p.name].slice(0, 24)}`;
    },
  },
  'query.huge-number': {
    weight: 2,
    applies: (d) => d.op.queryParams.some((p) => ['integer', 'number'].includes(typeOf(p.schema) ?? '') || /page/.test(p.name)),
    apply: (d, ctx) => {
      const p = ctx.rng.pick(d.op.queryParams.filter((q) => ['integer', 'number'].includes(typeOf(q.schema) ?? '') || /page/.test(q.name)));
      const value = ctx.rng.pick(HUGE_DIGITS);
      d.query = d.query.filter(([k]) => k !== p.name);
      d.query.push([p.name, value]);
      return `${p.name}=${value.slice(0, 24)}`;
    },
  },
};
