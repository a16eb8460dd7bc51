import { InvalidFields } from './errors.js';

/**
 * Upstream Libredesk's list filter language (`filters`, `order_by`, `order`), parsed into a typed tree.
 * A list names its allow-listed `model.field`s and their kinds; anything else, and every value that
 * does not fit its field, is a 400 naming the reason (upstream answers 500).
 */
export type FieldKind = 'id' | 'date' | 'text' | 'tags';
export type FieldSpecs = Readonly<Record<string, FieldKind>>;

/** A value bound as a parameter: an integer id, a text, or a UTC instant (ISO 8601). */
export type FilterValue = number | string;

export type FilterLeaf =
  | { field: string; type: 'compare'; op: '=' | '<>' | '>' | '<' | '>='; value: FilterValue }
  /** from ≤ field < to (dates as day ranges), or from ≤ field ≤ to with `inclusive`; `negate` inverts it. */
  | { field: string; type: 'range'; from: FilterValue; to: FilterValue; inclusive: boolean; negate: boolean }
  | { field: string; type: 'in'; values: FilterValue[] }
  /** Case-insensitive substring (the text is bound literally: `%` and `_` are escaped). */
  | { field: string; type: 'like'; text: string; negate: boolean }
  | { field: string; type: 'null'; isNull: boolean }
  /** `any`/`none`: has one of `ids` / none of them; `set`/`unset`: has any tag / none. */
  | { field: string; type: 'tags'; op: 'any' | 'none' | 'set' | 'unset'; ids: number[] };

export interface FilterGroup {
  logic: 'AND' | 'OR';
  rules: FilterNode[];
}
export type FilterNode = FilterLeaf | FilterGroup;

export interface ListSort {
  field: string;
  kind: FieldKind;
  desc: boolean;
}

export const MAX_FILTER_GROUPS = 10;
export const MAX_FILTER_CONDITIONS = 50;
export const MAX_IN_VALUES = 100;
export const MAX_FILTER_TEXT = 500;
export const MAX_FILTER_JSON = 20_000;
const MAX_INT = 2_147_483_647;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

export const OPERATORS = ['equals', 'not equals', 'greater than', 'less than', 'between', 'in', 'contains', 'ilike', 'not contains', 'set', 'not set'] as const;
type Operator = (typeof OPERATORS)[number];
const TEXT_ONLY = new Set<Operator>(['contains', 'ilike', 'not contains']);
const ORDERED_KINDS = new Set<FieldKind>(['id', 'date']);

class FilterError extends Error {}
const fail = (reason: string): never => {
  throw new FilterError(reason);
};

const isGroup = (node: Record<string, unknown>) => 'logic' in node || 'rules' in node;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `YYYY-MM-DD` as the UTC instants of its start and of the next day's start; null if not a real day. */
function dayRange(text: string): [string, string] | null {
  const m = DAY.exec(text);
  if (!m) return null;
  const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (start.getUTCFullYear() !== Number(m[1]) || start.getUTCMonth() !== Number(m[2]) - 1 || start.getUTCDate() !== Number(m[3])) return null;
  const end = new Date(start.getTime() + 86_400_000);
  return inRange(start) && inRange(end) ? [start.toISOString(), end.toISOString()] : null;
}

/** Years PostgreSQL and ISO 8601's four digits both hold. */
const inRange = (date: Date) => date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999;

function scalar(kind: FieldKind, text: string, where: string): FilterValue {
  const value = text.trim();
  if (value === '') return fail(`${where}: value must not be empty`);
  if (kind === 'id') {
    if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > MAX_INT) return fail(`${where}: "${value}" is not a valid id`);
    return Number(value);
  }
  if (kind === 'date') {
    if (!INSTANT.test(value) || Number.isNaN(Date.parse(value)) || !inRange(new Date(value))) {
      return fail(`${where}: "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time`);
    }
    return new Date(value).toISOString();
  }
  if (value.includes('\u0000')) return fail(`${where}: value must not contain NUL characters`);
  if (value.length > MAX_FILTER_TEXT) return fail(`${where}: value is longer than ${MAX_FILTER_TEXT} characters`);
  return value;
}

/** A JSON array in a string, as `in` and the tag operators take it. */
function jsonArray(text: string, where: string, max: number): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(`${where}: value must be a JSON array`);
  }
  if (!Array.isArray(parsed)) return fail(`${where}: value must be a JSON array`);
  if (parsed.length > max) return fail(`${where}: at most ${max} values`);
  return parsed;
}

function tagLeaf(field: string, operator: Operator, value: string, where: string): FilterLeaf {
  if (operator === 'set' || operator === 'not set') return { field, type: 'tags', op: operator === 'set' ? 'set' : 'unset', ids: [] };
  if (operator !== 'contains' && operator !== 'not contains') return fail(`${where}: tags take contains, not contains, set or not set`);
  // Upstream's UI sends numbers (`"[1,2]"`); strings of digits are taken too.
  const ids = jsonArray(value, where, MAX_IN_VALUES).map((id) => {
    if (typeof id !== 'number' && typeof id !== 'string') return fail(`${where}: tag ids must be numbers`);
    return scalar('id', String(id), where) as number;
  });
  return { field, type: 'tags', op: operator === 'contains' ? 'any' : 'none', ids: [...new Set(ids)] };
}

function leaf(raw: Record<string, unknown>, fields: FieldSpecs, where: string): FilterLeaf | null {
  for (const key of Object.keys(raw)) if (!['model', 'field', 'operator', 'value'].includes(key)) fail(`${where}: unknown key "${key}"`);
  // Upstream skips a condition without a field (the UI's unfinished row).
  if (raw.field === undefined || raw.field === null || raw.field === '') return null;
  if (typeof raw.model !== 'string' || typeof raw.field !== 'string') return fail(`${where}: model and field must be strings`);
  const field = `${raw.model}.${raw.field}`;
  const kind = fields[field];
  if (!kind) return fail(`${where}: "${field}" is not filterable here (allowed: ${Object.keys(fields).join(', ')})`);
  if (typeof raw.operator !== 'string' || !(OPERATORS as readonly string[]).includes(raw.operator)) {
    return fail(`${where}: unknown operator ${JSON.stringify(raw.operator)} (allowed: ${OPERATORS.join(', ')})`);
  }
  const operator = raw.operator as Operator;
  const unary = operator === 'set' || operator === 'not set';
  if (!unary && typeof raw.value !== 'string') return fail(`${where}: value must be a string`);
  const value = typeof raw.value === 'string' ? raw.value : '';
  if (kind === 'tags') return tagLeaf(field, operator, value, where);
  if (unary) return { field, type: 'null', isNull: operator === 'not set' };
  if (TEXT_ONLY.has(operator)) {
    if (kind !== 'text') return fail(`${where}: ${operator} applies only to text fields, not ${field}`);
    return { field, type: 'like', text: scalar(kind, value, where) as string, negate: operator === 'not contains' };
  }
  if ((operator === 'greater than' || operator === 'less than' || operator === 'between') && !ORDERED_KINDS.has(kind)) {
    return fail(`${where}: ${operator} applies only to id and date fields, not ${field}`);
  }
  if (operator === 'in') {
    const values = jsonArray(value, where, MAX_IN_VALUES);
    if (values.length === 0) return fail(`${where}: in needs at least one value`);
    if (values.some((v) => typeof v !== 'string')) return fail(`${where}: in takes a JSON array of strings`);
    return { field, type: 'in', values: [...new Set((values as string[]).map((v) => scalar(kind, v, where)))] };
  }
  if (operator === 'between') {
    const parts = value.split(',');
    if (parts.length !== 2) return fail(`${where}: between takes two values, "a,b"`);
    const [a, b] = [parts[0].trim(), parts[1].trim()];
    const days = kind === 'date' ? [dayRange(a), dayRange(b)] : [null, null];
    if (days[0] && days[1]) return { field, type: 'range', from: days[0][0], to: days[1][1], inclusive: false, negate: false };
    return { field, type: 'range', from: scalar(kind, a, where), to: scalar(kind, b, where), inclusive: true, negate: false };
  }
  const day = kind === 'date' ? dayRange(value.trim()) : null;
  if (day) {
    if (operator === 'equals' || operator === 'not equals') {
      return { field, type: 'range', from: day[0], to: day[1], inclusive: false, negate: operator === 'not equals' };
    }
    return operator === 'greater than' ? { field, type: 'compare', op: '>=', value: day[1] } : { field, type: 'compare', op: '<', value: day[0] };
  }
  const ops = { equals: '=', 'not equals': '<>', 'greater than': '>', 'less than': '<' } as const;
  return { field, type: 'compare', op: ops[operator as keyof typeof ops], value: scalar(kind, value, where) };
}

interface Counts {
  groups: number;
  conditions: number;
}

function node(raw: unknown, fields: FieldSpecs, where: string, depth: number, counts: Counts): FilterNode | null {
  if (!isObject(raw)) return fail(`${where}: must be an object`);
  if (!isGroup(raw)) {
    const parsed = leaf(raw, fields, where);
    if (parsed && ++counts.conditions > MAX_FILTER_CONDITIONS) fail(`at most ${MAX_FILTER_CONDITIONS} conditions`);
    return parsed;
  }
  if (depth >= 2) return fail(`${where}: groups nest at most 2 levels deep`);
  if (depth > 0 && ++counts.groups > MAX_FILTER_GROUPS) fail(`at most ${MAX_FILTER_GROUPS} groups`);
  for (const key of Object.keys(raw)) if (key !== 'logic' && key !== 'rules') fail(`${where}: unknown key "${key}" in a group`);
  const logic = raw.logic === undefined || raw.logic === null || raw.logic === '' ? 'AND' : raw.logic;
  if (typeof logic !== 'string' || !['AND', 'OR'].includes(logic.toUpperCase())) return fail(`${where}: logic must be AND or OR`);
  if (raw.rules !== undefined && raw.rules !== null && !Array.isArray(raw.rules)) return fail(`${where}: rules must be an array`);
  const rules = ((raw.rules as unknown[] | null | undefined) ?? [])
    .map((r, i) => node(r, fields, `${where}.rules[${i}]`, depth + 1, counts))
    .filter((r): r is FilterNode => r !== null);
  if (rules.length === 0) return null;
  return rules.length === 1 ? rules[0] : { logic: logic.toUpperCase() as 'AND' | 'OR', rules };
}

/** Parsed JSON filters (a flat array of conditions, AND-ed, or a `{logic, rules}` tree); null when empty. */
export function parseFilterJson(json: unknown, fields: FieldSpecs, label = 'filters'): FilterNode | null {
  try {
    if (json === null || json === undefined) return null;
    const root = Array.isArray(json) ? { logic: 'AND', rules: json } : json;
    return node(root, fields, label, 0, { groups: 0, conditions: 0 });
  } catch (err) {
    if (err instanceof FilterError) throw new InvalidFields({ [label]: err.message }, `Invalid ${label}: ${err.message}`);
    throw err;
  }
}

/** The `filters` query parameter: URL-encoded JSON; absent, empty, `[]` or `null` mean no filter. */
export function parseFilterParam(raw: unknown, fields: FieldSpecs): FilterNode | null {
  if (raw === undefined || raw === '') return null;
  const invalid = (reason: string) => new InvalidFields({ filters: reason }, `Invalid filters: ${reason}`);
  if (typeof raw !== 'string') throw invalid('give filters once, as a JSON string');
  if (raw.length > MAX_FILTER_JSON) throw invalid(`longer than ${MAX_FILTER_JSON} characters`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw invalid('not valid JSON');
  }
  return parseFilterJson(json, fields);
}

/**
 * `order_by` (a `model.field` of the allow-list, not tags) and `order` (asc|desc, any case, default
 * desc); `custom` is false when neither is given, so the list keeps its default order.
 */
export function parseSort(query: Record<string, unknown> | undefined, fields: FieldSpecs, defaultField: string): ListSort & { custom: boolean } {
  const orderBy = query?.order_by;
  const order = query?.order;
  const custom = (orderBy !== undefined && orderBy !== '') || (order !== undefined && order !== '');
  const field = orderBy === undefined || orderBy === '' ? defaultField : orderBy;
  const kind = typeof field === 'string' ? fields[field] : undefined;
  if (!kind || kind === 'tags') {
    const allowed = Object.keys(fields).filter((f) => fields[f] !== 'tags');
    throw new InvalidFields({ order_by: `must be one of ${allowed.join(', ')}` }, `Invalid order_by: ${JSON.stringify(field)} is not sortable`);
  }
  if (order !== undefined && order !== '' && (typeof order !== 'string' || !['asc', 'desc'].includes(order.toLowerCase()))) {
    throw new InvalidFields({ order: 'must be asc or desc' });
  }
  const desc = typeof order !== 'string' || order === '' || order.toLowerCase() === 'desc';
  return { field: field as string, kind, desc, custom };
}
