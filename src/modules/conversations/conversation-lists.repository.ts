import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { conversationAccessSql } from '../../shared/auth/conversation-access.js';
import type { Principal } from '../../shared/auth/principal.js';
import { afterSql, filterFields, filterSql, orderSql, type TagConditionSql } from '../../shared/database/list-filter-sql.js';
import { keysetAt, type ListRequest, type SortedListRequest, type SortKey } from '../../shared/http/keyset.js';
import type { FilterNode, ListSort } from '../../shared/http/list-filters.js';
import { CONVERSATION_LIST_COLUMNS } from './conversation-list-fields.js';
import { type ConversationListRow, conversationJoins, LIST_COLUMNS } from './conversation.rows.js';
import { ID_FILTERS, type ViewFilters } from './views/view-filters.js';
import { preparedSql } from '../../shared/database/prepared-statements.js';
import { queryReplica } from '../../shared/database/replica.js';

/** Which conversations a list shows; the repository turns it into SQL. */
export type ConversationListFilter =
  | { list: 'all' }
  | { list: 'assigned'; userId: number }
  | { list: 'unassigned' }
  | { list: 'team_unassigned'; teamId: number }
  /** A saved view's conditions, within what `principal` may read. */
  | { list: 'view'; principal: Principal; filters: ViewFilters };

type FixedList = Exclude<ConversationListFilter['list'], 'view'>;

/** A WHERE clause over the aliases `c` (conversations) and, with `contact`, `ct` (its contact). */
interface Where {
  sql: string;
  params: unknown[];
  contact: boolean;
}

export type ConversationListRowWithKey = ConversationListRow & { sort_at: string };
export type ConversationListRowWithSortKey = ConversationListRow & { sort_key: SortKey };

/** A list's `filters` (null: none) and order. */
export interface ConversationListQuery {
  filter: FilterNode | null;
  sort: ListSort;
}

const tagCondition: TagConditionSql = (leaf, params) => {
  if (leaf.op === 'set' || leaf.op === 'unset') {
    return `${leaf.op === 'unset' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM conversation_tags ft WHERE ft.conversation_id = c.id)`;
  }
  if (leaf.ids.length === 0) return 'TRUE';
  params.push(leaf.ids);
  return `${leaf.op === 'none' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM conversation_tags ft WHERE ft.conversation_id = c.id AND ft.tag_id = ANY($${params.length}::int[]))`;
};

/** The joins the page and count need for the fields a filter or sort reads (the list rows join them anyway). */
function joinsFor(fields: Set<string>, contact: boolean): string {
  const models = new Set([...fields].map((f) => f.split('.')[0]));
  const joins: string[] = [];
  if (contact || models.has('users')) joins.push('JOIN users ct ON ct.id = c.contact_id');
  if (models.has('conversation_statuses')) joins.push('JOIN conversation_statuses s ON s.id = c.status_id');
  if (models.has('inboxes')) joins.push('JOIN inboxes i ON i.id = c.inbox_id');
  return joins.join(' ');
}

const LARGE_TOTAL = 10_000;
const LARGE_TOTAL_TTL_MS = 10_000;

/**
 * The page query. After a cursor it is a keyset query, `(last_message_at, id) < (cursor)`, which the
 * `(… last_message_at DESC, id DESC)` indexes answer without reading the rows before it. The page's
 * ids are chosen first, over the index alone, so rows skipped by OFFSET never pay for the joins and
 * the per-viewer unread count. Parameters: the filter's, the viewer, the cursor (with `keyset`), limit, offset.
 */
function pageSql(where: Where, keyset: boolean): string {
  let n = where.params.length;
  const viewer = `$${++n}`;
  let condition = where.sql;
  if (keyset) {
    condition = `(${condition}) AND (c.last_message_at, c.id) < ($${++n}::timestamptz, $${++n}::int)`;
  }
  return `WITH page AS (
              SELECT c.id FROM conversations c ${contactJoin(where)}
               WHERE ${condition}
               ORDER BY c.last_message_at DESC, c.id DESC
               LIMIT $${n + 1} OFFSET $${n + 2}
            )
            SELECT ${LIST_COLUMNS}, ${keysetAt('c.last_message_at')} AS sort_at ${conversationJoins(viewer)}
             WHERE c.id = ANY (ARRAY(SELECT id FROM page))
             ORDER BY c.last_message_at DESC, c.id DESC`;
}

/** The contact is joined only when the filter looks at it; every conversation has exactly one. */
const contactJoin = (where: Where): string => (where.contact ? 'JOIN users ct ON ct.id = c.contact_id' : '');

const countSql = (where: Where) => `SELECT count(*)::int AS n FROM conversations c ${contactJoin(where)} WHERE ${where.sql}`;

const FIXED_WHERE: Record<FixedList, string> = {
  all: 'TRUE',
  assigned: 'c.assigned_user_id = $1',
  unassigned: 'c.assigned_user_id IS NULL AND c.assigned_team_id IS NULL',
  team_unassigned: 'c.assigned_team_id = $1 AND c.assigned_user_id IS NULL',
};

const fixedWhere = (list: FixedList, params: unknown[]): Where => ({ sql: FIXED_WHERE[list], params, contact: false });

/**
 * The statements of the fixed lists, by list: the first page (OFFSET), a page after a cursor, and the
 * count. Their plans do not depend on the values, so they run prepared. The page's ids are passed on as
 * an array (not `IN (…)`): planned as a handful of rows even with a parameter LIMIT, so the generic plan
 * is as good as a custom one (BENCHMARKS.md, "Independent baseline").
 */
export const CONVERSATION_LIST_SQL = Object.fromEntries(
  (Object.keys(FIXED_WHERE) as FixedList[]).map((list) => {
    const where = fixedWhere(list, list === 'all' || list === 'unassigned' ? [] : [0]);
    return [list, { page: preparedSql(pageSql(where, false)), pageAfter: preparedSql(pageSql(where, true)), count: preparedSql(countSql(where)) }];
  }),
) as Record<FixedList, { page: string; pageAfter: string; count: string }>;

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A view's conditions as SQL over `c` and `ct`, appending to `params`. */
function viewConditions(filters: ViewFilters, params: unknown[]): string {
  const clauses: string[] = [];
  for (const key of ID_FILTERS) {
    const value = filters[key];
    if (value === undefined) continue;
    params.push(value);
    clauses.push(`c.${key} = $${params.length}`);
  }
  if (filters.tags?.length) {
    params.push(filters.tags);
    clauses.push(
      `EXISTS (SELECT 1 FROM conversation_tags vct JOIN tags vt ON vt.id = vct.tag_id
                WHERE vct.conversation_id = c.id AND vt.name = ANY($${params.length}::text[]))`,
    );
  }
  if (filters.text) {
    params.push(likePattern(filters.text), filters.text);
    const n = params.length;
    clauses.push(`(c.subject ILIKE $${n - 1} OR ct.email ILIKE $${n - 1} OR c.reference_number = $${n})`);
  }
  return clauses.length ? clauses.join(' AND ') : 'TRUE';
}

function whereOf(filter: ConversationListFilter): Where {
  switch (filter.list) {
    case 'all':
    case 'unassigned':
      return fixedWhere(filter.list, []);
    case 'assigned':
      return fixedWhere(filter.list, [filter.userId]);
    case 'team_unassigned':
      return fixedWhere(filter.list, [filter.teamId]);
    case 'view': {
      const params: unknown[] = [];
      const scope = conversationAccessSql(filter.principal, 'c', params);
      return { sql: `${scope} AND ${viewConditions(filter.filters, params)}`, params, contact: filter.filters.text !== undefined };
    }
  }
}

/** The sort key as the cursor carries it: timestamps to the microsecond in UTC. */
const sortKeySql = (sort: ListSort) => {
  const column = CONVERSATION_LIST_COLUMNS[sort.field];
  return column.kind === 'date' ? keysetAt(column.sql) : column.sql;
};

/**
 * A filtered or custom-sorted list: its statements depend on the filter's shape and values, so they
 * run unprepared (each planned for its values). Parameters: the list's, the filter's, the cursor's,
 * then the viewer, limit and offset.
 */
function customQueries(filter: ConversationListFilter, query: ConversationListQuery, viewerId: number, request: SortedListRequest) {
  const where = whereOf(filter);
  const params = [...where.params];
  const conditions = [`(${where.sql})`];
  if (query.filter) conditions.push(filterSql(query.filter, CONVERSATION_LIST_COLUMNS, params, tagCondition));
  const fields = filterFields(query.filter, new Set([query.sort.field]));
  const joins = joinsFor(fields, where.contact);
  const count = { sql: `SELECT count(*)::int AS n FROM conversations c ${joins} WHERE ${conditions.join(' AND ')}`, params: [...params] };
  const column = CONVERSATION_LIST_COLUMNS[query.sort.field];
  if (request.after) conditions.push(afterSql(query.sort, column, 'c.id', request.after.key, request.after.id, params));
  const order = orderSql(query.sort, column, 'c.id');
  params.push(viewerId, request.pageSize + 1, request.offset);
  const n = params.length;
  const page = `WITH page AS (
              SELECT c.id FROM conversations c ${joins}
               WHERE ${conditions.join(' AND ')}
               ORDER BY ${order}
               LIMIT $${n - 1} OFFSET $${n}
            )
            SELECT ${LIST_COLUMNS}, ${sortKeySql(query.sort)} AS sort_key ${conversationJoins(`$${n - 2}`)}
             WHERE c.id = ANY (ARRAY(SELECT id FROM page))
             ORDER BY ${order}`;
  return { page: { sql: page, params }, count };
}

/** The paginated conversation lists, newest activity first. */
@Injectable()
export class ConversationListsRepository {
  private readonly largeTotals = new LRUCache<string, number>({ max: 1000, ttl: LARGE_TOTAL_TTL_MS });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Whether the access rules leave the principal no conversation at all (a view list is then refused). */
  readsNothing(principal: Principal): boolean {
    return conversationAccessSql(principal, 'c', []) === 'FALSE';
  }

  /** One more row than the page holds (it tells whether a next page exists), and the total. */
  async list(filter: ConversationListFilter, viewerId: number, request: ListRequest): Promise<{ rows: ConversationListRowWithKey[]; total: number }> {
    const where = whereOf(filter);
    const page = this.pageQuery(filter, viewerId, request);
    const count = filter.list === 'view' ? countSql(where) : CONVERSATION_LIST_SQL[filter.list].count;
    const [rows, total] = await Promise.all([
      queryReplica<ConversationListRowWithKey[]>(this.dataSource, page.sql, page.params),
      this.count(count, where.params),
    ]);
    return { rows, total };
  }

  /** A list with `filters` or `order_by`, within the list's own conditions (and, for views, access). */
  async listCustom(
    filter: ConversationListFilter,
    query: ConversationListQuery,
    viewerId: number,
    request: SortedListRequest,
  ): Promise<{ rows: ConversationListRowWithSortKey[]; total: number }> {
    const { page, count } = customQueries(filter, query, viewerId, request);
    const [rows, total] = await Promise.all([
      this.dataSource.query<ConversationListRowWithSortKey[]>(page.sql, page.params),
      this.count(count.sql, count.params),
    ]);
    return { rows, total };
  }

  /** The page statement of `listCustom` (to EXPLAIN it in tests). */
  customPageQuery(filter: ConversationListFilter, query: ConversationListQuery, viewerId: number, request: SortedListRequest) {
    return customQueries(filter, query, viewerId, request).page;
  }

  /**
   * Counting a list costs a scan of every matching row. Small totals are always exact; a total of
   * LARGE_TOTAL or more is remembered for a few seconds per filter, so paging through a big queue does
   * not count a million rows on every request (such totals move all the time anyway).
   */
  private async count(sql: string, params: unknown[]): Promise<number> {
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    const cached = this.largeTotals.get(key);
    if (cached !== undefined) return cached;
    const [{ n }] = await queryReplica<Array<{ n: number }>>(this.dataSource, sql, params);
    if (n >= LARGE_TOTAL) this.largeTotals.set(key, n);
    return n;
  }

  /** The page statement and its parameters (the fixed lists' text is one of CONVERSATION_LIST_SQL). */
  pageQuery(filter: ConversationListFilter, viewerId: number, request: ListRequest): { sql: string; params: unknown[] } {
    const where = whereOf(filter);
    const params = [...where.params, viewerId];
    if (request.after) params.push(request.after.at, request.after.id);
    params.push(request.pageSize + 1, request.offset);
    const keyset = request.after !== null;
    const fixed = filter.list === 'view' ? null : CONVERSATION_LIST_SQL[filter.list];
    const sql = fixed ? (keyset ? fixed.pageAfter : fixed.page) : pageSql(where, keyset);
    return { sql, params };
  }
}
