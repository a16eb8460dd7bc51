import { type FieldSpecs, parseFilterJson, parseFilterParam, parseSort } from '../../src/shared/http/list-filters.js';
import { InvalidFields } from '../../src/shared/http/errors.js';

const FIELDS: FieldSpecs = {
  'conversations.status_id': 'id',
  'conversations.created_at': 'date',
  'users.email': 'text',
  'conversations.tags': 'tags',
};
const leaf = (field: string, operator: string, value?: unknown) => {
  const [model, name] = field.split('.');
  return { model, field: name, operator, ...(value === undefined ? {} : { value }) };
};
const parse = (json: unknown) => parseFilterJson(json, FIELDS);
const reason = (json: unknown): string => {
  try {
    parse(json);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidFields);
    return ((err as InvalidFields).data as { fields: { filters: string } }).fields.filters;
  }
  throw new Error('expected a 400');
};

test('empty filters mean no condition', () => {
  expect(parseFilterParam(undefined, FIELDS)).toBeNull();
  expect(parseFilterParam('', FIELDS)).toBeNull();
  expect(parseFilterParam('[]', FIELDS)).toBeNull();
  expect(parseFilterParam('null', FIELDS)).toBeNull();
  expect(parse({ logic: 'or', rules: [] })).toBeNull();
});

test('a flat array is AND-ed; values are typed by their field', () => {
  expect(parse([leaf('conversations.status_id', 'equals', '2'), leaf('users.email', 'contains', 'a_b')])).toEqual({
    logic: 'AND',
    rules: [
      { field: 'conversations.status_id', type: 'compare', op: '=', value: 2 },
      { field: 'users.email', type: 'like', text: 'a_b', negate: false },
    ],
  });
  expect(parse([leaf('conversations.status_id', 'in', '["1","2","2"]')])).toEqual({ field: 'conversations.status_id', type: 'in', values: [1, 2] });
  expect(parse([leaf('users.email', 'not set')])).toEqual({ field: 'users.email', type: 'null', isNull: true });
  // The UI's unfinished row (no field) is skipped, as upstream does.
  expect(parse([{ model: 'conversations', operator: 'equals', value: '1' }])).toBeNull();
});

test('dates are UTC day ranges, or exact ISO 8601 times', () => {
  expect(parse([leaf('conversations.created_at', 'equals', '2026-03-01')])).toEqual({
    field: 'conversations.created_at',
    type: 'range',
    from: '2026-03-01T00:00:00.000Z',
    to: '2026-03-02T00:00:00.000Z',
    inclusive: false,
    negate: false,
  });
  expect(parse([leaf('conversations.created_at', 'greater than', '2026-03-01')])).toMatchObject({ op: '>=', value: '2026-03-02T00:00:00.000Z' });
  expect(parse([leaf('conversations.created_at', 'less than', '2026-03-01')])).toMatchObject({ op: '<', value: '2026-03-01T00:00:00.000Z' });
  expect(parse([leaf('conversations.created_at', 'between', '2026-02-27,2026-03-01')])).toMatchObject({
    from: '2026-02-27T00:00:00.000Z',
    to: '2026-03-02T00:00:00.000Z',
  });
  expect(parse([leaf('conversations.created_at', 'greater than', '2026-03-01T10:00:00+02:00')])).toMatchObject({ op: '>', value: '2026-03-01T08:00:00.000Z' });
});

test('tags: ids for contains / not contains, presence for set / not set', () => {
  expect(parse([leaf('conversations.tags', 'contains', '[3, 1]')])).toMatchObject({ type: 'tags', op: 'any', ids: [3, 1] });
  expect(parse([leaf('conversations.tags', 'not contains', '["4"]')])).toMatchObject({ type: 'tags', op: 'none', ids: [4] });
  expect(parse([leaf('conversations.tags', 'set')])).toMatchObject({ type: 'tags', op: 'set' });
  expect(reason([leaf('conversations.tags', 'equals', '1')])).toMatch(/tags take contains/);
  expect(reason([leaf('conversations.tags', 'contains', '["x"]')])).toMatch(/not a valid id/);
});

test('groups: logic is case-insensitive, nesting stops at depth 2', () => {
  const tree = {
    logic: 'or',
    rules: [
      leaf('conversations.status_id', 'equals', '1'),
      { logic: 'AND', rules: [leaf('users.email', 'set'), leaf('conversations.status_id', 'equals', '3')] },
    ],
  };
  expect(parse(tree)).toMatchObject({ logic: 'OR', rules: [{ type: 'compare' }, { logic: 'AND', rules: [{ type: 'null' }, { type: 'compare' }] }] });
  expect(reason({ rules: [{ rules: [{ rules: [leaf('users.email', 'set')] }] }] })).toMatch(/2 levels/);
  expect(reason({ logic: 'XOR', rules: [] })).toMatch(/logic must be AND or OR/);
});

test('caps: 10 groups, 50 conditions, 100 in values', () => {
  const group = () => ({ logic: 'AND', rules: [leaf('users.email', 'set')] });
  expect(parse({ rules: Array.from({ length: 10 }, group) })).not.toBeNull();
  expect(reason({ rules: Array.from({ length: 11 }, group) })).toMatch(/at most 10 groups/);
  expect(parse(Array.from({ length: 50 }, () => leaf('users.email', 'set')))).not.toBeNull();
  expect(reason(Array.from({ length: 51 }, () => leaf('users.email', 'set')))).toMatch(/at most 50 conditions/);
  const ids = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => String(i + 1)));
  expect(parse([leaf('conversations.status_id', 'in', ids(100))])).not.toBeNull();
  expect(reason([leaf('conversations.status_id', 'in', ids(101))])).toMatch(/at most 100 values/);
});

test.each([
  ['an unknown field', [leaf('conversations.subject', 'equals', 'x')], /not filterable/],
  ['an unknown operator', [leaf('users.email', 'like', 'x')], /unknown operator/],
  ['a number value', [leaf('conversations.status_id', 'equals', 1)], /value must be a string/],
  ['a blank value', [leaf('users.email', 'equals', '  ')], /must not be empty/],
  ['a non-numeric id', [leaf('conversations.status_id', 'equals', 'abc')], /not a valid id/],
  ['an impossible day', [leaf('conversations.created_at', 'equals', '2026-02-30')], /not a date/],
  ['contains on an id', [leaf('conversations.status_id', 'contains', '1')], /only to text fields/],
  ['greater than on a text', [leaf('users.email', 'greater than', 'a')], /only to id and date fields/],
  ['between with three parts', [leaf('conversations.status_id', 'between', '1,2,3')], /two values/],
  ['in with no values', [leaf('conversations.status_id', 'in', '[]')], /at least one value/],
  ['in that is not JSON', [leaf('conversations.status_id', 'in', '1,2')], /JSON array/],
  ['an unknown key', [{ ...leaf('users.email', 'set'), extra: 1 }], /unknown key "extra"/],
  ['a string root', 'status', /must be an object/],
  ['a NUL character', [leaf('users.email', 'contains', 'a\u0000b')], /NUL/],
  ['year 0', [leaf('conversations.created_at', 'greater than', '0000-01-01T00:00:00Z')], /not a date/],
  ['a day past year 9999', [leaf('conversations.created_at', 'equals', '9999-12-31')], /not a date/],
])('%s is a 400 naming the reason', (_name, json, message) => {
  expect(reason(json)).toMatch(message);
});

test('filters as a query parameter must be one JSON string', () => {
  expect(() => parseFilterParam('{oops', FIELDS)).toThrow(/not valid JSON/);
  expect(() => parseFilterParam(['[]', '[]'], FIELDS)).toThrow(/once/);
});

test('order_by from the allow-list (not tags), order asc|desc in any case, desc by default', () => {
  expect(parseSort({}, FIELDS, 'conversations.created_at')).toEqual({ field: 'conversations.created_at', kind: 'date', desc: true, custom: false });
  expect(parseSort({ order_by: 'users.email', order: 'ASC' }, FIELDS, 'conversations.created_at')).toMatchObject({
    field: 'users.email',
    desc: false,
    custom: true,
  });
  expect(parseSort({ order: 'asc' }, FIELDS, 'conversations.created_at')).toMatchObject({ field: 'conversations.created_at', desc: false, custom: true });
  expect(() => parseSort({ order_by: 'conversations.tags' }, FIELDS, 'conversations.created_at')).toThrow(/order_by/);
  expect(() => parseSort({ order_by: 'subject' }, FIELDS, 'conversations.created_at')).toThrow(/order_by/);
  expect(() => parseSort({ order: 'up' }, FIELDS, 'conversations.created_at')).toThrow(/order/);
});
