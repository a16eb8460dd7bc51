import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { keysetAt, type ListRequest } from '../../../shared/http/keyset.js';
import type { SenderType } from '../entities/conversation.entity.js';
import { type MessageContentType, MessageEntity, type MessageStatus, type MessageType } from '../entities/message.entity.js';
import { MESSAGE_COLUMNS, MESSAGE_SELECT, messageFrom, type MessageRow } from './message.rows.js';
import { prepared, preparedSql } from '../../../shared/database/prepared-statements.js';

export interface MessageFilter {
  private?: boolean;
  types?: MessageType[];
}

export interface NewMessage {
  conversationId: number;
  type: MessageType;
  status: MessageStatus;
  private: boolean;
  contentType: MessageContentType;
  content: string;
  textContent: string;
  senderId: number;
  senderType: SenderType;
  meta: Record<string, unknown>;
  /** Chosen by the caller when something written with the message depends on it (its email Message-ID). */
  uuid?: string;
  /** The email Message-ID, when it is known as the message is written. */
  sourceId?: string;
}

/** The message as written, and its conversation's assignment (who may read events about it). */
export type InsertedMessage = MessageRow & { assigned_user_id: number | null; assigned_team_id: number | null };

export type MessageRowWithKey = MessageRow & { sort_at: string };

const MESSAGE_SELECT_WITH_KEY = `SELECT ${MESSAGE_COLUMNS}, ${keysetAt('m.created_at')} AS sort_at ${messageFrom('conversation_messages')}`;

/**
 * The CTEs that follow a message's insert (a CTE named `inserted`): its sender joins the conversation's
 * participants, and the conversation's preview moves to it unless a newer message is there. `preview` and
 * `interaction` are SQL for the preview text and for whether the message counts as an interaction. The
 * one-statement reply (agent-replies.repository.ts) uses the same CTEs.
 */
export const participantAndPreviewSql = (preview: string, interaction: string): string => `participant AS (
         INSERT INTO conversation_participants (conversation_id, user_id) SELECT conversation_id, sender_id FROM inserted
         ON CONFLICT (conversation_id, user_id) DO NOTHING),
       preview AS (
         UPDATE conversations SET
                last_message = ${preview}, last_message_at = i.created_at, last_message_sender = i.sender_type, last_message_sender_id = i.sender_id,
                last_interaction = CASE WHEN ${interaction} THEN ${preview} ELSE last_interaction END,
                last_interaction_at = CASE WHEN ${interaction} THEN i.created_at ELSE last_interaction_at END,
                last_interaction_sender = CASE WHEN ${interaction} THEN i.sender_type ELSE last_interaction_sender END,
                last_interaction_sender_id = CASE WHEN ${interaction} THEN i.sender_id ELSE last_interaction_sender_id END,
                updated_at = now()
           FROM inserted i
          WHERE conversations.id = i.conversation_id AND conversations.last_message_at <= i.created_at)`;

/**
 * A message written in one statement: the row (its timestamps from the clock, not the transaction
 * start, so messages order as they were written), its sender joined to the conversation's
 * participants, and the conversation's last-message preview moved forward, never back (should an
 * older message commit later). Interactions are what the contact sees: not private notes, not
 * activity. The answer is the message with its conversation's assignment. $11 a uuid chosen by the
 * caller (else generated), $12 the email Message-ID, $13 the preview text, $14 whether it is an
 * interaction.
 */
export const MESSAGE_INSERT_SQL = prepared`WITH inserted AS (
         INSERT INTO conversation_messages
           (created_at, updated_at, uuid, type, status, private, conversation_id, content_type, content, text_content, sender_id, sender_type, meta, source_id)
         VALUES (clock_timestamp(), clock_timestamp(), COALESCE($11::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12)
         RETURNING *),
       ${participantAndPreviewSql('$13', '$14')}
       SELECT ${MESSAGE_COLUMNS}, c.assigned_user_id, c.assigned_team_id ${messageFrom('inserted')}`;

function filterClause(conversationId: number, filter: MessageFilter): { clause: string; params: unknown[] } {
  const params: unknown[] = [conversationId];
  const where = ['m.conversation_id = $1'];
  if (filter.private !== undefined) {
    params.push(filter.private);
    where.push(`m.private = $${params.length}`);
  }
  if (filter.types?.length) {
    params.push(filter.types);
    where.push(`m.type = ANY($${params.length}::text[])`);
  }
  return { clause: where.join(' AND '), params };
}

/** Named queries over conversation messages. */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One more row than the page holds (it tells whether a next page exists), and the total. */
  async page(conversationId: number, filter: MessageFilter, request: ListRequest): Promise<{ rows: MessageRowWithKey[]; total: number }> {
    const { clause, params } = filterClause(conversationId, filter);
    const page = this.pageQuery(conversationId, filter, request);
    const [rows, counted] = await Promise.all([
      this.dataSource.query<MessageRowWithKey[]>(preparedSql(page.sql), page.params),
      this.dataSource.query<Array<{ n: number }>>(prepared`SELECT count(*)::int AS n FROM conversation_messages m WHERE ${clause}`, params),
    ]);
    return { rows, total: counted[0].n };
  }

  /** Newest first; after a cursor, a keyset query the `(conversation_id, created_at DESC, id DESC)` index answers. */
  pageQuery(conversationId: number, filter: MessageFilter, request: ListRequest): { sql: string; params: unknown[] } {
    const { clause, params } = filterClause(conversationId, filter);
    let where = clause;
    if (request.after) {
      params.push(request.after.at, request.after.id);
      where += ` AND (m.created_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::int)`;
    }
    params.push(request.pageSize + 1, request.offset);
    return {
      sql: `${MESSAGE_SELECT_WITH_KEY} WHERE ${where} ORDER BY m.created_at DESC, m.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    };
  }

  async findInConversation(conversationId: number, uuid: string, manager: EntityManager = this.dataSource.manager): Promise<MessageRow | null> {
    const rows = await manager.query<MessageRow[]>(`${MESSAGE_SELECT} WHERE m.conversation_id = $1 AND m.uuid = $2`, [conversationId, uuid]);
    return rows[0] ?? null;
  }

  async findById(id: number, manager: EntityManager = this.dataSource.manager): Promise<MessageRow | null> {
    const rows = await manager.query<MessageRow[]>(`${MESSAGE_SELECT} WHERE m.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async lockStatus(id: number, manager: EntityManager): Promise<MessageStatus | null> {
    const row = await manager.getRepository(MessageEntity).findOne({ select: { id: true, status: true }, where: { id }, lock: { mode: 'pessimistic_write' } });
    return row?.status ?? null;
  }

  async setStatus(id: number, status: MessageStatus, manager: EntityManager): Promise<void> {
    await manager.getRepository(MessageEntity).update({ id }, { status });
  }

  /**
   * Timestamps come from the clock, not the transaction start, so messages order as they were written.
   * Answers the whole row as reads render it, so the writer need not read it back.
   */
  /** Writes a message, its sender as a participant and the conversation's preview (MESSAGE_INSERT_SQL). */
  async insert(manager: EntityManager, msg: NewMessage, preview: { text: string; interaction: boolean }): Promise<InsertedMessage> {
    const rows = await manager.query<InsertedMessage[]>(MESSAGE_INSERT_SQL, [
      msg.type,
      msg.status,
      msg.private,
      msg.conversationId,
      msg.contentType,
      msg.content,
      msg.textContent,
      msg.senderId,
      msg.senderType,
      msg.meta,
      msg.uuid ?? null,
      msg.sourceId ?? null,
      preview.text,
      preview.interaction,
    ]);
    return rows[0];
  }
}
