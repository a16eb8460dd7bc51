import type { Columns, Nullable, Prefixed } from '../../../shared/database/columns.js';
import type { UserEntity } from '../../../shared/database/entities/user.entity.js';
import type { ConversationEntity } from '../entities/conversation.entity.js';
import type { MessageEntity } from '../entities/message.entity.js';

/** A message as reads render it: its columns, its conversation's uuid, and its author (null once deleted). */
export type MessageRow = Columns<
  MessageEntity,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'uuid'
  | 'type'
  | 'status'
  | 'conversationId'
  | 'content'
  | 'textContent'
  | 'contentType'
  | 'private'
  | 'senderId'
  | 'senderType'
  | 'meta'
> & { conversation_uuid: ConversationEntity['uuid'] } & Prefixed<'author_', Nullable<Columns<UserEntity, 'id' | 'firstName' | 'lastName' | 'avatarUrl'>>>;

export const MESSAGE_COLUMNS = `
  m.id, m.created_at, m.updated_at, m.uuid, m.type, m.status, m.conversation_id, c.uuid AS conversation_uuid,
  m.content, m.text_content, m.content_type, m.private, m.sender_id, m.sender_type, m.meta,
  u.id AS author_id, u.first_name AS author_first_name, u.last_name AS author_last_name, u.avatar_url AS author_avatar_url`;

/** `source` is the messages table, or a CTE of rows just written to it. */
export const messageFrom = (source: string) => `
    FROM ${source} m
    JOIN conversations c ON c.id = m.conversation_id
    LEFT JOIN users u ON u.id = m.sender_id`;

export const MESSAGE_SELECT = `SELECT ${MESSAGE_COLUMNS} ${messageFrom('conversation_messages')}`;
