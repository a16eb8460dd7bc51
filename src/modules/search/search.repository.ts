import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../shared/auth/principal.js';
import type { SearchTerm } from './search-query.js';
import type { ContactHitRow, ConversationHitRow, MessageHitRow } from './search.mapper.js';
import { contactSearchSql, conversationSearchSql, messageSearchSql, type SqlQuery } from './search.sql.js';

/** Indexed search queries; see search.sql.ts for the SQL and the indexes it relies on. */
@Injectable()
export class SearchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findConversations(term: SearchTerm, principal: Principal): Promise<ConversationHitRow[]> {
    return this.run(conversationSearchSql(term, principal));
  }

  findMessages(term: SearchTerm, principal: Principal): Promise<MessageHitRow[]> {
    return this.run(messageSearchSql(term, principal));
  }

  findContacts(term: SearchTerm): Promise<ContactHitRow[]> {
    return this.run(contactSearchSql(term));
  }

  private run<T>({ sql, params }: SqlQuery): Promise<T[]> {
    return this.dataSource.query(sql, params);
  }
}
