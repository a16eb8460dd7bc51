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

const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * `toMessage(row, [])` as a jsonb expression, for a statement that records the message in an event
 * as it writes it. `m` is the message, `conversationUuid` an expression, `u` the LEFT JOINed author.
 * Timestamps as `toISOString` writes them: UTC, milliseconds cut (not rounded) from the microseconds,
 * as pg's Date does.
 */
export function messageJsonSql(m: string, conversationUuid: string, u: string): string {
  return `jsonb_build_object(
    'id', ${m}.id, 'created_at', ${isoSql(`${m}.created_at`)}, 'updated_at', ${isoSql(`${m}.updated_at`)},
    'uuid', ${m}.uuid, 'type', ${m}.type, 'status', ${m}.status, 'conversation_id', ${m}.conversation_id,
    'conversation_uuid', ${conversationUuid}, 'content', ${m}.content, 'text_content', ${m}.text_content,
    'content_type', ${m}.content_type, 'private', ${m}.private, 'sender_id', ${m}.sender_id, 'sender_type', ${m}.sender_type,
    'meta', COALESCE(${m}.meta, '{}'::jsonb), 'attachments', '[]'::jsonb,
    'author', CASE WHEN ${u}.id IS NULL THEN NULL ELSE jsonb_build_object(
      'id', ${u}.id, 'first_name', COALESCE(${u}.first_name, ''), 'last_name', COALESCE(${u}.last_name, ''), 'avatar_url', ${u}.avatar_url) END)`;
}
