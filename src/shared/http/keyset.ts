import { InvalidInput } from './errors.js';
import { type PageRequest, type PageResults, parsePage } from './pagination.js';

/**
 * Keyset ("cursor") pagination beside `page`: a cursor names the last row a client has seen by its sort
 * key (a timestamp, to the microsecond, and the row id), and the next page is the rows after that key
 * in the list's order. Reading through an index on (timestamp DESC, id DESC), a page costs the same at
 * any depth, and rows inserted meanwhile never shift it.
 */
export interface KeysetPosition {
  /** The sort timestamp as PostgreSQL renders it in UTC with microseconds: `2025-09-14T18:53:01.172243Z`. */
  at: string;
  id: number;
}

export interface ListRequest extends PageRequest {
  /** Continue after this row instead of skipping `offset` rows. */
  after: KeysetPosition | null;
}

/** A page as the contract shapes it, plus the cursor of the next one (null after the last page). */
export interface CursorPageResults<T> extends PageResults<T> {
  next_cursor: string | null;
}

/** The SQL that renders a timestamptz column as a `KeysetPosition.at`. */
export const keysetAt = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The opaque cursor for a row; `kind` tells lists apart, so one list's cursor is refused by another. */
export function encodeKeysetCursor(kind: string, position: KeysetPosition): string {
  return Buffer.from(`${kind}1|${position.at}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeKeysetCursor(kind: string, cursor: unknown): KeysetPosition {
  const fail = () => new InvalidInput('`cursor` is not a cursor this list issued', { fields: { cursor: 'invalid cursor' } });
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw fail();
  const [tag, at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (tag !== `${kind}1` || rest.length || !AT.test(at ?? '') || Number.isNaN(Date.parse(at)) || !/^[1-9]\d{0,9}$/.test(id ?? '')) throw fail();
  const position = { at, id: Number(id) };
  if (position.id > 2_147_483_647 || encodeKeysetCursor(kind, position) !== cursor) throw fail();
  return position;
}

/**
 * `page`/`page_size` as before, or `cursor` (from a previous `next_cursor`) with `page_size`. Both
 * `page` and `cursor` is a 400, as is a cursor this list did not issue.
 */
export function parseListRequest(query: Record<string, unknown> | undefined, kind: string): ListRequest {
  const hasCursor = query?.cursor !== undefined;
  if (hasCursor && query?.page !== undefined) {
    throw new InvalidInput('Give either `page` or `cursor`, not both', { fields: { cursor: 'cannot be combined with page' } });
  }
  const page = parsePage(query);
  if (!hasCursor) return { ...page, after: null };
  return { page: 0, pageSize: page.pageSize, offset: 0, after: decodeKeysetCursor(kind, query.cursor) };
}

/**
 * The page from rows read with `LIMIT pageSize + 1`: the extra row only tells that there is a next
 * page. With a cursor, `page` is 0, since cursor pages have no number.
 */
export function cursorPageResults<T, R extends { id: number; sort_at: string }>(
  kind: string,
  rows: R[],
  total: number,
  request: ListRequest,
  map: (row: R) => T,
): CursorPageResults<T> {
  return pageWithCursor(rows, total, request, map, (last) => encodeKeysetCursor(kind, { at: last.sort_at, id: last.id }));
}

/** The page of rows read with `LIMIT pageSize + 1`, and the cursor after its last row when there is more. */
function pageWithCursor<T, R>(
  rows: R[],
  total: number,
  request: PageRequest & { page: number },
  map: (row: R) => T,
  cursorAfter: (last: R) => string,
): CursorPageResults<T> {
  const more = rows.length > request.pageSize;
  const shown = more ? rows.slice(0, request.pageSize) : rows;
  const last = shown[shown.length - 1];
  return {
    results: shown.map(map),
    total,
    per_page: request.pageSize,
    total_pages: Math.ceil(total / request.pageSize),
    page: request.page,
    next_cursor: more && last ? cursorAfter(last) : null,
  };
}

/** A custom sort's key in a cursor: a timestamp (as `KeysetPosition.at`), an integer, a text, or null (sorted last). */
export type SortKey = string | number | null;
export type SortKeyType = 'timestamp' | 'integer' | 'text';
export interface SortedPosition {
  key: SortKey;
  id: number;
}
export interface SortedListRequest extends PageRequest {
  after: SortedPosition | null;
}
/** A list order other than the default: `tag` names it in the cursor (`conversations.waiting_since:asc`). */
export interface CursorSort {
  tag: string;
  type: SortKeyType;
}

const MAX_TEXT_KEY = 1000;

function validKey(type: SortKeyType, key: unknown): key is SortKey {
  if (key === null) return true;
  if (type === 'timestamp') return typeof key === 'string' && AT.test(key) && !Number.isNaN(Date.parse(key));
  if (type === 'integer') return typeof key === 'number' && Number.isSafeInteger(key);
  return typeof key === 'string' && key.length <= MAX_TEXT_KEY;
}

export function encodeSortedCursor(kind: string, sort: CursorSort | null, position: SortedPosition): string {
  if (!sort) return encodeKeysetCursor(kind, { at: String(position.key), id: position.id });
  return Buffer.from(`${kind}2|${sort.tag}|${position.id}|${JSON.stringify(position.key)}`, 'utf8').toString('base64url');
}

/** A cursor of a custom sort; one issued under another sort (or the default) is refused. */
function decodeSortedCursor(kind: string, sort: CursorSort, cursor: unknown): SortedPosition {
  const fail = () => new InvalidInput('`cursor` is not a cursor this list issued with this order_by and order', { fields: { cursor: 'invalid cursor' } });
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) throw fail();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${kind}2|${sort.tag}|`;
  if (!text.startsWith(prefix)) throw fail();
  const rest = text.slice(prefix.length);
  const bar = rest.indexOf('|');
  const id = rest.slice(0, bar);
  if (bar < 0 || !/^[1-9]\d{0,9}$/.test(id) || Number(id) > 2_147_483_647) throw fail();
  let key: unknown;
  try {
    key = JSON.parse(rest.slice(bar + 1));
  } catch {
    throw fail();
  }
  if (!validKey(sort.type, key)) throw fail();
  const position = { key, id: Number(id) };
  if (encodeSortedCursor(kind, sort, position) !== cursor) throw fail();
  return position;
}

/** `parseListRequest` for a list that may be sorted otherwise than by default (`sort` null: the default). */
export function parseSortedListRequest(query: Record<string, unknown> | undefined, kind: string, sort: CursorSort | null): SortedListRequest {
  if (!sort || query?.cursor === undefined || query?.page !== undefined) {
    const request = parseListRequest(query, kind);
    return { ...request, after: request.after && { key: request.after.at, id: request.after.id } };
  }
  const page = parsePage(query);
  return { page: 0, pageSize: page.pageSize, offset: 0, after: decodeSortedCursor(kind, sort, query.cursor) };
}

/** `cursorPageResults` for rows carrying their sort key as `sort_key`. */
export function sortedCursorPageResults<T, R extends { id: number; sort_key: SortKey }>(
  kind: string,
  sort: CursorSort | null,
  rows: R[],
  total: number,
  request: SortedListRequest,
  map: (row: R) => T,
): CursorPageResults<T> {
  return pageWithCursor(rows, total, request, map, (last) => encodeSortedCursor(kind, sort, { key: last.sort_key, id: last.id }));
}
