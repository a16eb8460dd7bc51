import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../shared/auth/principal.js';
import type { Columns, Prefixed } from '../../shared/database/columns.js';
import type { ContactEntity } from '../contacts/entities/contact.entity.js';
import type { ConversationEntity } from '../conversations/entities/conversation.entity.js';
import type { MessageEntity } from '../conversations/entities/message.entity.js';
import type { StatusEntity } from '../statuses/entities/status.entity.js';
import type { SearchTerm } from './search-query.js';
import { queryReplica } from '../../shared/database/replica.js';
import { contactSearchSql, conversationSearchSql, messageSearchSql, type SqlQuery } from './search.sql.js';

export type ConversationHitRow = Columns<ConversationEntity, 'createdAt' | 'uuid' | 'referenceNumber' | 'subject'> & { status: StatusEntity['name'] };

/** `text_content` is the snippet (its first SNIPPET_CHARS characters). */
export type MessageHitRow = Columns<MessageEntity, 'createdAt' | 'textContent'> &
  Prefixed<'conversation_', Columns<ConversationEntity, 'createdAt' | 'uuid' | 'referenceNumber'>> & { conversation_status: StatusEntity['name'] };

/** Only contacts with an email are found. */
export type ContactHitRow = Columns<ContactEntity, 'id' | 'createdAt' | 'firstName' | 'lastName'> & { email: NonNullable<ContactEntity['email']> };

/** Indexed search queries (on a read replica when there is one); see search.sql.ts for the SQL and the indexes it relies on. */
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
    return queryReplica<T[]>(this.dataSource, sql, params);
  }
}
