import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ConversationEntity } from '../conversations/entities/conversation.entity.js';
import type { MessageEntity } from '../conversations/entities/message.entity.js';

/** A conversation of the contact, as the data export shows it. */
export interface ContactConversationRow {
  id: ConversationEntity['id'];
  uuid: ConversationEntity['uuid'];
  reference_number: ConversationEntity['referenceNumber'];
  created_at: ConversationEntity['createdAt'];
  subject: ConversationEntity['subject'];
  status: string;
  priority: string | null;
  custom_attributes: ConversationEntity['customAttributes'];
}

/** A customer-visible message (incoming or outgoing, not private). */
export interface ContactMessageRow {
  id: MessageEntity['id'];
  conversation_id: MessageEntity['conversationId'];
  uuid: MessageEntity['uuid'];
  created_at: MessageEntity['createdAt'];
  type: MessageEntity['type'];
  sender_type: MessageEntity['senderType'];
  content_type: MessageEntity['contentType'];
  content: MessageEntity['content'];
}

/**
 * What a contact's deletion and data export read beyond the contact row: their conversations and
 * messages. Writes are limited to deleting the contact; the foreign keys (ON DELETE CASCADE) remove
 * the conversations' messages, participants, tag links and last-seen marks, and the contact's notes.
 */
@Injectable()
export class ContactDataRepository {
  /** With `lock`, the conversations stay locked until the transaction ends, so no message can be added meanwhile. */
  conversationsOf(manager: EntityManager, contactId: number, lock = false): Promise<ContactConversationRow[]> {
    return manager.query(
      `SELECT c.id, c.uuid, c.reference_number, c.created_at, c.subject, s.name AS status, p.name AS priority, c.custom_attributes
         FROM conversations c
         JOIN conversation_statuses s ON s.id = c.status_id
         LEFT JOIN conversation_priorities p ON p.id = c.priority_id
        WHERE c.contact_id = $1
        ORDER BY c.created_at, c.id${lock ? ' FOR UPDATE OF c' : ''}`,
      [contactId],
    );
  }

  /** Non-private incoming and outgoing messages of these conversations, oldest first. */
  visibleMessagesOf(manager: EntityManager, conversationIds: number[]): Promise<ContactMessageRow[]> {
    if (conversationIds.length === 0) return Promise.resolve([]);
    return manager.query(
      `SELECT id, conversation_id, uuid, created_at, type, sender_type, content_type, content
         FROM conversation_messages
        WHERE conversation_id = ANY($1::int[]) AND NOT private AND type IN ('incoming', 'outgoing')
        ORDER BY conversation_id, created_at, id`,
      [conversationIds],
    );
  }

  /** Every message id of the contact's conversations (private notes and activity included). */
  async messageIdsOf(manager: EntityManager, contactId: number): Promise<number[]> {
    const rows: Array<{ id: number }> = await manager.query(
      `SELECT m.id FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.contact_id = $1`,
      [contactId],
    );
    return rows.map((r) => r.id);
  }

  /** Deletes the contact and, by cascade, everything hanging off it; false when no such contact. */
  async deleteContact(manager: EntityManager, contactId: number): Promise<boolean> {
    await manager.query(`DELETE FROM conversations WHERE contact_id = $1`, [contactId]);
    const [rows] = await manager.query<[{ id: number }[], number]>(`DELETE FROM users WHERE id = $1 AND type = 'contact' AND deleted_at IS NULL RETURNING id`, [
      contactId,
    ]);
    return rows.length > 0;
  }
}
