export const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type MessageStatus = 'received' | 'sent' | 'failed' | 'pending';
export type SenderType = 'agent' | 'contact';

export interface MessageRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  uuid: string;
  type: MessageType;
  status: MessageStatus;
  conversation_id: number;
  conversation_uuid: string;
  content: string;
  text_content: string;
  content_type: 'html' | 'text';
  private: boolean;
  sender_id: number | null;
  sender_type: SenderType;
  meta: Record<string, unknown> | null;
  author_id: number | null;
  author_first_name: string | null;
  author_last_name: string | null;
  author_avatar_url: string | null;
}

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
