import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PageRequest } from '../../shared/http/pagination.js';
import { type ConversationListRow, conversationJoins, LIST_COLUMNS } from './conversation.rows.js';

/** A WHERE clause over the aliases `c` (conversations) and `ct` (contact), with its parameters. */
export interface ConversationFilter {
  sql: string;
  params: unknown[];
}

/** The paginated conversation lists, newest activity first. */
@Injectable()
export class ConversationListsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(filter: ConversationFilter, viewerId: number, page: PageRequest): Promise<{ rows: ConversationListRow[]; total: number }> {
    const n = filter.params.length;
    const [rows, counted] = await Promise.all([
      this.dataSource.query(
        `SELECT ${LIST_COLUMNS} ${conversationJoins(`$${n + 1}`)}
          WHERE ${filter.sql}
          ORDER BY c.last_message_at DESC, c.id DESC
          LIMIT $${n + 2} OFFSET $${n + 3}`,
        [...filter.params, viewerId, page.pageSize, page.offset],
      ) as Promise<ConversationListRow[]>,
      this.dataSource.query(
        `SELECT count(*)::int AS n FROM conversations c JOIN users ct ON ct.id = c.contact_id WHERE ${filter.sql}`,
        filter.params,
      ) as Promise<Array<{ n: number }>>,
    ]);
    return { rows, total: counted[0].n };
  }
}
