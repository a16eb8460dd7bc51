import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { conversationAccessSql } from '../../../shared/auth/conversation-access.js';
import type { Principal } from '../../../shared/auth/principal.js';
import { preparedSql } from '../../../shared/database/prepared-statements.js';
import { isRetryableConflict } from '../../../shared/database/retrying-data-source.js';
import { recordEventSql } from '../../events/events.service.js';
import { enqueueNewEmailSql } from '../../mail/outbox.service.js';
import { MESSAGE_COLUMNS } from './message.rows.js';
import { participantAndPreviewSql } from './messages.repository.js';
import { messageJsonSql } from './messages.mapper.js';
import type { MessageRow } from './message.rows.js';

export interface AgentReply {
  conversationUuid: string;
  private: boolean;
  content: string;
  textContent: string;
  /** The conversation's `last_message` preview. */
  preview: string;
  /** Deduplicated; null: the contact's email. Ignored for a note. */
  to: string[] | null;
  /** `cc` and `bcc` when given. */
  moreRecipients: Record<string, string[]>;
  /** The message's uuid, chosen here because its email Message-ID is derived from it. */
  uuid: string;
  /** JSON object: inbox `from` → the domain of its Message-IDs. */
  domainsJson: string;
  maxAttempts: number;
}

/** Why nothing was written; the checks in the order the reply path answers them. */
export interface ReplyGate {
  found: boolean;
  allowed: boolean | null;
  inbox_found: boolean | null;
  inbox_enabled: boolean | null;
  channel: string | null;
  inbox_from: string | null;
  contact_email: string | null;
  /** The inbox's `from` has no Message-ID domain in `domainsJson` yet. */
  domain_known: boolean | null;
}

export type ReplyResult = ({ written: true } & MessageRow) | ({ written: false } & ReplyGate);

const ATTEMPTS = 4;

/**
 * An agent's reply or note, without attachments, as one statement: the conversation locked by uuid
 * and checked (access, inbox, recipients), the message, its sender as a participant, the
 * conversation's last-message fields, the `message.created` event and, for a reply, its outbox entry.
 * A single statement is atomic, so it runs without BEGIN/COMMIT: one round trip and one commit. When
 * a check fails nothing is written and the answer says which one (`ReplyGate`).
 *
 * $1 conversation uuid, $2 sender (agent) id, $3 private, $4 content, $5 text content, $6 preview,
 * $7 `to` (jsonb array, or null for the contact's email), $8 cc/bcc (jsonb object), $9 message uuid,
 * $10 inbox `from` → Message-ID domain (jsonb), $11 outbox max attempts; then the access predicate's.
 */
function replySql(access: string): string {
  return `WITH c AS (
         SELECT id, uuid, contact_id, inbox_id, assigned_user_id, assigned_team_id FROM conversations WHERE uuid = $1 FOR UPDATE),
       g AS (
         SELECT c.*, ${access} AS allowed, i.id IS NOT NULL AS inbox_found, i.enabled AS inbox_enabled, i.channel, i."from" AS inbox_from,
                ct.email AS contact_email, $10::jsonb ->> i."from" AS domain,
                CASE WHEN NOT $3 THEN COALESCE($7::jsonb, CASE WHEN ct.email IS NOT NULL THEN jsonb_build_array(ct.email) END) END AS to_list
           FROM c
           LEFT JOIN inboxes i ON i.id = c.inbox_id AND i.deleted_at IS NULL
           LEFT JOIN users ct ON ct.id = c.contact_id),
       ok AS (
         SELECT * FROM g
          WHERE allowed AND inbox_found AND inbox_enabled AND ($3 OR (channel = 'email' AND to_list IS NOT NULL AND domain IS NOT NULL))),
       inserted AS (
         INSERT INTO conversation_messages
           (created_at, updated_at, uuid, type, status, private, conversation_id, content_type, content, text_content, sender_id, sender_type, meta, source_id)
         SELECT clock_timestamp(), clock_timestamp(), $9::uuid, 'outgoing', CASE WHEN $3 THEN 'sent' ELSE 'pending' END, $3, ok.id, 'html', $4::text, $5::text, $2::int, 'agent',
                CASE WHEN $3 THEN '{}'::jsonb ELSE jsonb_build_object('to', ok.to_list) || $8::jsonb END,
                CASE WHEN NOT $3 THEN $9::uuid::text || '@' || ok.domain END
           FROM ok
         RETURNING *),
       ${participantAndPreviewSql('$6::text', 'NOT $3')},
       event AS (
         ${recordEventSql(`SELECT 'message.created', jsonb_build_object('message', ${messageJsonSql('m', 'ok.uuid', 'u')}, 'conversation_uuid', ok.uuid),
                 ok.id, ok.assigned_user_id, ok.assigned_team_id
            FROM inserted m JOIN ok ON ok.id = m.conversation_id LEFT JOIN users u ON u.id = m.sender_id`)}),
       outbox AS (
         ${enqueueNewEmailSql(`SELECT id, $11::int FROM inserted WHERE NOT private`)})
  SELECT m.id IS NOT NULL AS written, g.allowed, g.inbox_found, g.inbox_enabled, g.channel, g.inbox_from, g.contact_email,
         g.domain IS NOT NULL AS domain_known, g.id IS NOT NULL AS found, ${MESSAGE_COLUMNS}
    FROM (SELECT) one
    LEFT JOIN g ON true
    LEFT JOIN inserted m ON true
    LEFT JOIN c ON c.id = m.conversation_id
    LEFT JOIN users u ON u.id = m.sender_id`;
}

/** Agent replies and notes written in one statement (see `replySql`). */
@Injectable()
export class AgentRepliesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async write(principal: Principal, reply: AgentReply): Promise<ReplyResult> {
    const params: unknown[] = [
      reply.conversationUuid,
      principal.id,
      reply.private,
      reply.content,
      reply.textContent,
      reply.preview,
      reply.to ? JSON.stringify(reply.to) : null,
      JSON.stringify(reply.moreRecipients),
      reply.uuid,
      reply.domainsJson,
      reply.maxAttempts,
    ];
    // A few texts, one per shape of the access rules (which permissions, whether the agent has teams).
    const sql = preparedSql(replySql(conversationAccessSql(principal, 'c', params)));
    for (let attempt = 1; ; attempt += 1) {
      try {
        const rows = await this.dataSource.query<ReplyResult[]>(sql, params);
        return rows[0];
      } catch (err) {
        // A deadlock victim (a team deletion cascading into the conversation) wrote nothing: run it again.
        if (attempt >= ATTEMPTS || !isRetryableConflict(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 40));
      }
    }
  }
}
