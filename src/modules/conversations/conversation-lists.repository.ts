import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetAt, type ListRequest } from '../../shared/http/keyset.js';
import { type ConversationListRow, conversationJoins, LIST_COLUMNS } from './conversation.rows.js';

/** A WHERE clause over the aliases `c` (conversations) and `ct` (contact), with its parameters. */
export interface ConversationFilter {
  sql: string;
  params: unknown[];
}

export type ConversationListRowWithKey = ConversationListRow & { sort_at: string };

/** The paginated conversation lists, newest activity first. */
@Injectable()
export class ConversationListsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One more row than the page holds (it tells whether a next page exists), and the total. */
  async list(filter: ConversationFilter, viewerId: number, request: ListRequest): Promise<{ rows: ConversationListRowWithKey[]; total: number }> {
    const page = this.pageQuery(filter, viewerId, request);
    const [rows, counted] = await Promise.all([
      this.dataSource.query(page.sql, page.params) as Promise<ConversationListRowWithKey[]>,
      this.dataSource.query(
        `SELECT count(*)::int AS n FROM conversations c JOIN users ct ON ct.id = c.contact_id WHERE ${filter.sql}`,
        filter.params,
      ) as Promise<Array<{ n: number }>>,
    ]);
    return { rows, total: counted[0].n };
  }

  /**
   * The page query. After a cursor it is a keyset query, `(last_message_at, id) < (cursor)`, which the
   * `(… last_message_at DESC, id DESC)` indexes answer without reading the rows before it.
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
      sql: `SELECT ${LIST_COLUMNS}, ${keysetAt('c.last_message_at')} AS sort_at ${conversationJoins(viewer)}
             WHERE ${where}
             ORDER BY c.last_message_at DESC, c.id DESC
             LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    };
  }
}
