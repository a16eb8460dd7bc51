import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { keysetAt, type ListRequest } from '../../shared/http/keyset.js';
import { type ConversationListRow, conversationJoins, LIST_COLUMNS } from './conversation.rows.js';
import { preparedSql } from '../../shared/database/prepared-statements.js';

/** A WHERE clause over the aliases `c` (conversations) and `ct` (contact), with its parameters. */
export interface ConversationFilter {
  sql: string;
  params: unknown[];
  /** The SQL is one of a few fixed texts whose plans do not depend on the parameters: run it prepared. */
  fixed?: boolean;
}

const LARGE_TOTAL = 10_000;
const LARGE_TOTAL_TTL_MS = 10_000;

/** The contact is joined only when the filter looks at it; every conversation has exactly one. */
const contactJoin = (filter: ConversationFilter): string => (/\bct\./.test(filter.sql) ? 'JOIN users ct ON ct.id = c.contact_id' : '');

export type ConversationListRowWithKey = ConversationListRow & { sort_at: string };

/** The paginated conversation lists, newest activity first. */
@Injectable()
export class ConversationListsRepository {
  private readonly largeTotals = new LRUCache<string, number>({ max: 1000, ttl: LARGE_TOTAL_TTL_MS });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One more row than the page holds (it tells whether a next page exists), and the total. */
  async list(filter: ConversationFilter, viewerId: number, request: ListRequest): Promise<{ rows: ConversationListRowWithKey[]; total: number }> {
    const page = this.pageQuery(filter, viewerId, request);
    const [rows, total] = await Promise.all([
      this.dataSource.query(filter.fixed ? preparedSql(page.sql) : page.sql, page.params) as Promise<ConversationListRowWithKey[]>,
      this.count(filter),
    ]);
    return { rows, total };
  }

  /**
   * Counting a list costs a scan of every matching row. Small totals are always exact; a total of
   * LARGE_TOTAL or more is remembered for a few seconds per filter, so paging through a big queue does
   * not count a million rows on every request (such totals move all the time anyway).
   */
  private async count(filter: ConversationFilter): Promise<number> {
    const key = `${filter.sql}\u0000${JSON.stringify(filter.params)}`;
    const cached = this.largeTotals.get(key);
    if (cached !== undefined) return cached;
    const sql = `SELECT count(*)::int AS n FROM conversations c ${contactJoin(filter)} WHERE ${filter.sql}`;
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(filter.fixed ? preparedSql(sql) : sql, filter.params);
    if (n >= LARGE_TOTAL) this.largeTotals.set(key, n);
    return n;
  }

  /**
   * The page query. After a cursor it is a keyset query, `(last_message_at, id) < (cursor)`, which the
   * `(… last_message_at DESC, id DESC)` indexes answer without reading the rows before it. The page's
   * ids are chosen first, over the index alone, so rows skipped by OFFSET never pay for the joins and
   * the per-viewer unread count. As an array (not `IN (…)`) they are planned as a handful of rows even
   * when the LIMIT is a parameter, so the statement's generic plan is as good as a custom one.
   */
  pageQuery(filter: ConversationFilter, viewerId: number, request: ListRequest): { sql: string; params: unknown[] } {
    const params = [...filter.params, viewerId];
    const viewer = `$${params.length}`;
    let where = filter.sql;
    if (request.after) {
      params.push(request.after.at, request.after.id);
      where = `(${where}) AND (c.last_message_at, c.id) < ($${params.length - 1}::timestamptz, $${params.length}::int)`;
    }
    params.push(request.pageSize + 1, request.offset);
    return {
      sql: `WITH page AS (
              SELECT c.id FROM conversations c ${contactJoin(filter)}
               WHERE ${where}
               ORDER BY c.last_message_at DESC, c.id DESC
               LIMIT $${params.length - 1} OFFSET $${params.length}
            )
            SELECT ${LIST_COLUMNS}, ${keysetAt('c.last_message_at')} AS sort_at ${conversationJoins(viewer)}
             WHERE c.id = ANY (ARRAY(SELECT id FROM page))
             ORDER BY c.last_message_at DESC, c.id DESC`,
      params,
    };
  }
}
