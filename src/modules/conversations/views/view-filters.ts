import { InvalidFields } from '../../../shared/http/errors.js';
import { type FilterNode, parseFilterJson } from '../../../shared/http/list-filters.js';
import { CONVERSATION_LIST_FIELDS } from '../conversation-list-fields.js';

const MAX_INT = 2_147_483_647;
export const ID_FILTERS = ['status_id', 'priority_id', 'assigned_user_id', 'assigned_team_id', 'inbox_id'] as const;
type IdFilter = (typeof ID_FILTERS)[number];
const KNOWN = new Set<string>([...ID_FILTERS, 'tags', 'text']);
export const MAX_FILTER_TAGS = 20;
export const MAX_FILTER_TEXT = 200;

/** A view's conditions, all AND-ed: exact ids, any of the tags, and text in subject, reference or contact email. */
export type ViewFilters = Partial<Record<IdFilter, number>> & { tags?: string[]; text?: string };

/**
 * Validates stored-filter JSON strictly: unknown keys, wrong types and out-of-range values are a 400
 * naming the field. Null or absent conditions are left out.
 */
export function parseViewFilters(raw: unknown): ViewFilters {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidFields({ filters: 'must be an object' });
  const input = raw as Record<string, unknown>;
  const problems: Record<string, string> = {};
  const out: ViewFilters = {};
  for (const key of Object.keys(input)) if (!KNOWN.has(key)) problems[`filters.${key}`] = 'is not a known filter';
  for (const key of ID_FILTERS) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_INT) problems[`filters.${key}`] = 'must be a positive integer';
    else out[key] = value;
  }
  if (input.tags !== undefined && input.tags !== null) {
    const tags = input.tags;
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.trim() === '' || t.length > 140)) {
      problems['filters.tags'] = 'must be an array of tag names';
    } else if (tags.length > MAX_FILTER_TAGS) {
      problems['filters.tags'] = `must have at most ${MAX_FILTER_TAGS} tags`;
    } else if (tags.length > 0) {
      out.tags = [...new Set(tags.map((t: string) => t.trim()))];
    }
  }
  if (input.text !== undefined && input.text !== null) {
    if (typeof input.text !== 'string') problems['filters.text'] = 'must be a string';
    else if (input.text.length > MAX_FILTER_TEXT) problems['filters.text'] = `must be at most ${MAX_FILTER_TEXT} characters`;
    else if (input.text.trim()) out.text = input.text.trim();
  }
  if (Object.keys(problems).length) throw new InvalidFields(problems);
  return out;
}

/** A view's stored filters: the original object's conditions, or upstream's filter language (the lists' `filters`). */
export interface StoredViewFilters {
  conditions: ViewFilters;
  tree: FilterNode | null;
}

/** Whether stored filters are in the filter language: a flat array of conditions or a `{logic, rules}` tree. */
export const isFilterLanguage = (raw: unknown): raw is object =>
  Array.isArray(raw) || (typeof raw === 'object' && raw !== null && ('logic' in raw || 'rules' in raw));

/** Either form, validated as on the lists (a 400 naming the reason). */
export function parseStoredViewFilters(raw: unknown): StoredViewFilters {
  if (isFilterLanguage(raw)) return { conditions: {}, tree: parseFilterJson(raw, CONVERSATION_LIST_FIELDS) };
  return { conditions: parseViewFilters(raw), tree: null };
}
