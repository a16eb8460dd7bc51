import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { MessageStatusChange, OutgoingMessage, OutgoingMessages } from '../../mail/outgoing-messages.js';
import type { MessageStatus } from '../entities/message.entity.js';

const OUTGOING_MESSAGE_SQL = `
  SELECT m.id, m.uuid, m.type, m.status, m.private, m.sender_type AS "senderType", m.content_type AS "contentType", m.content,
         m.text_content AS "textContent", m.source_id AS "sourceId", m.meta, m.created_at AS "createdAt", m.conversation_id AS "conversationId",
         c.uuid AS "conversationUuid", c.subject, c.reference_number AS "referenceNumber", c.inbox_id AS "inboxId",
         i.channel AS "inboxChannel", i."from" AS "inboxFrom", u.email AS "contactEmail"
    FROM conversation_messages m
    JOIN conversations c ON c.id = m.conversation_id
    JOIN inboxes i ON i.id = c.inbox_id
    JOIN users u ON u.id = c.contact_id
   WHERE m.id = $1`;

/**
 * The conversations side of email delivery: what the mail outbox reads and changes on the messages it
 * sends (OutgoingMessages, registered by OutgoingMessagesLink).
 */
@Injectable()
export class OutgoingMessagesRepository implements OutgoingMessages {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(messageId: number, manager: EntityManager = this.dataSource.manager): Promise<OutgoingMessage | null> {
    const rows = await manager.query<OutgoingMessage[]>(OUTGOING_MESSAGE_SQL, [messageId]);
    return rows[0] ?? null;
  }

  async previousSourceIds(message: Pick<OutgoingMessage, 'id' | 'conversationId' | 'createdAt'>, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ source_id: string }>>(
      `SELECT source_id FROM conversation_messages
        WHERE conversation_id = $1 AND id <> $2 AND source_id IS NOT NULL AND source_id <> '' AND NOT private
          AND type IN ('incoming', 'outgoing') AND status IN ('received', 'sent') AND (created_at, id) < ($3, $2)
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [message.conversationId, message.id, message.createdAt, limit],
    );
    return rows.map((r) => r.source_id);
  }

  async setSourceId(messageId: number, sourceId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`UPDATE conversation_messages SET source_id = $2, updated_at = now() WHERE id = $1`, [messageId, sourceId]);
  }

  async setStatus(manager: EntityManager, messageId: number, from: MessageStatus | null, to: MessageStatus): Promise<MessageStatusChange | null> {
    // UPDATE … RETURNING answers `[rows, count]` through TypeORM's query().
    const [rows] = await manager.query<[MessageStatusChange[], number]>(
      `WITH before AS (SELECT id, status FROM conversation_messages WHERE id = $1 FOR UPDATE)
       UPDATE conversation_messages m SET status = $3, updated_at = now()
         FROM before, conversations c
        WHERE m.id = before.id AND c.id = m.conversation_id AND ($2::text IS NULL OR before.status = $2) AND before.status <> $3
        RETURNING m.uuid AS "messageUuid", before.status AS "previousStatus", c.id AS "conversationId", c.uuid AS "conversationUuid",
                  c.assigned_user_id AS "assignedUserId", c.assigned_team_id AS "assignedTeamId"`,
      [messageId, from, to],
    );
    return rows[0] ?? null;
  }
}
