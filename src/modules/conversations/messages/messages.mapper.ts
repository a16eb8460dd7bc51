import type { MediaService } from '../../media/media.service.js';
import type { MessageRow } from './message.rows.js';

type MessageAttachment = NonNullable<ReturnType<Awaited<ReturnType<MediaService['attachmentsForMessages']>>['get']>>[number];

/** The contract's `Message`, with `attachments` and its `author`. */
export function toMessage(row: MessageRow, attachments: MessageAttachment[]) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    uuid: row.uuid,
    type: row.type,
    status: row.status,
    conversation_id: row.conversation_id,
    conversation_uuid: row.conversation_uuid,
    content: row.content,
    text_content: row.text_content,
    content_type: row.content_type,
    private: row.private,
    sender_id: row.sender_id,
    sender_type: row.sender_type,
    meta: row.meta ?? {},
    attachments,
    author:
      row.author_id === null
        ? null
        : { id: row.author_id, first_name: row.author_first_name ?? '', last_name: row.author_last_name ?? '', avatar_url: row.author_avatar_url },
  };
}
export type Message = ReturnType<typeof toMessage>;
