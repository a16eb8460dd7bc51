import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { prepared } from '../../shared/database/prepared-statements.js';

/** A claimed outbox entry; `attempts` already counts this attempt. */
export interface ClaimedEntry {
  id: number;
  message_id: number;
  attempts: number;
  max_attempts: number;
  lease_token: string;
}

/** What the worker needs to know about a message to build and address its email. */
export interface OutgoingMessageRow {
  id: number;
  uuid: string;
  type: string;
  status: string;
  private: boolean;
  sender_type: string;
  content_type: 'text' | 'html';
  content: string;
  text_content: string;
  source_id: string | null;
  meta: Record<string, unknown>;
  created_at: Date;
  conversation_id: number;
  conversation_uuid: string;
  subject: string;
  reference_number: string;
  inbox_id: number;
  inbox_channel: string;
  inbox_from: string;
  contact_email: string | null;
}

/** A message's status change, with its conversation's assignment (who may read the event). */
export interface MessageStatusChange {
  message_uuid: string;
  previous_status: string;
  conversation_id: number;
  conversation_uuid: string;
  assigned_user_id: number | null;
  assigned_team_id: number | null;
}

const MESSAGE_SELECT = `
  SELECT m.id, m.uuid, m.type, m.status, m.private, m.sender_type, m.content_type, m.content, m.text_content,
         m.source_id, m.meta, m.created_at, c.id AS conversation_id, c.uuid AS conversation_uuid, c.subject,
         c.reference_number, c.inbox_id, i.channel AS inbox_channel, i."from" AS inbox_from, u.email AS contact_email
    FROM conversation_messages m
    JOIN conversations c ON c.id = m.conversation_id
    JOIN inboxes i ON i.id = c.inbox_id
    JOIN users u ON u.id = c.contact_id`;

/** Named queries over `email_outbox` and the messages it delivers. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findMessage(messageId: number, manager: EntityManager = this.dataSource.manager): Promise<OutgoingMessageRow | null> {
    const rows: OutgoingMessageRow[] = await manager.query(`${MESSAGE_SELECT} WHERE m.id = $1`, [messageId]);
    return rows[0] ?? null;
  }

  /** Message-IDs of the conversation's earlier emails that really went out or came in, newest first. */
  async previousSourceIds(message: Pick<OutgoingMessageRow, 'id' | 'conversation_id' | 'created_at'>, limit: number): Promise<string[]> {
    const rows: Array<{ source_id: string }> = await this.dataSource.query(
      `SELECT source_id FROM conversation_messages
        WHERE conversation_id = $1 AND id <> $2 AND source_id IS NOT NULL AND source_id <> '' AND NOT private
          AND type IN ('incoming', 'outgoing') AND status IN ('received', 'sent') AND (created_at, id) < ($3, $2)
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [message.conversation_id, message.id, message.created_at, limit],
    );
    return rows.map((r) => r.source_id);
  }

  async setSourceId(messageId: number, sourceId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`UPDATE conversation_messages SET source_id = $2, updated_at = now() WHERE id = $1`, [messageId, sourceId]);
  }

  /** Adds the entry, or with `reset` re-arms an existing one as new (attempts back to 0). */
  async arm(manager: EntityManager, messageId: number, maxAttempts: number, reset: boolean): Promise<void> {
    await manager.query(
      `INSERT INTO email_outbox (message_id, max_attempts) VALUES ($1, $2)
       ON CONFLICT (message_id) DO ${
         reset
           ? `UPDATE SET state = 'queued', attempts = 0, max_attempts = EXCLUDED.max_attempts, next_attempt_at = now(),
                         locked_until = NULL, lease_token = NULL, last_error = NULL, sent_at = NULL, updated_at = now()`
           : 'NOTHING'
       }`,
      [messageId, maxAttempts],
    );
  }

  /**
   * Moves the message from status `from` (any status but `to` when null) to `to`; what an event about
   * the change needs, or null when the message was not in `from`.
   */
  async setMessageStatus(manager: EntityManager, messageId: number, from: string | null, to: string): Promise<MessageStatusChange | null> {
    const result: unknown = await manager.query(
      `WITH before AS (SELECT id, status FROM conversation_messages WHERE id = $1 FOR UPDATE)
       UPDATE conversation_messages m SET status = $3, updated_at = now()
         FROM before, conversations c
        WHERE m.id = before.id AND c.id = m.conversation_id AND ($2::text IS NULL OR before.status = $2) AND before.status <> $3
        RETURNING m.uuid AS message_uuid, before.status AS previous_status, c.id AS conversation_id, c.uuid AS conversation_uuid,
                  c.assigned_user_id, c.assigned_team_id`,
      [messageId, from, to],
    );
    // UPDATE … RETURNING answers `[rows, count]` through TypeORM's query().
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : []) as MessageStatusChange[];
    return rows[0] ?? null;
  }

  /**
   * Takes up to `limit` due entries and leases them to `token` in one committed statement. SKIP LOCKED
   * lets concurrent workers pass over rows another one is claiming; the lease keeps a claimed row
   * away from them after that commit, until it expires (the claimer crashed).
   */
  async claim(limit: number, leaseSeconds: number, token: string): Promise<ClaimedEntry[]> {
    return this.dataSource.query(
      prepared`WITH claimed AS (
         UPDATE email_outbox o
            SET locked_until = now() + make_interval(secs => $2), lease_token = $3, attempts = o.attempts + 1, updated_at = now()
           FROM (SELECT id FROM email_outbox
                  WHERE state = 'queued' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
                  ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due
          WHERE o.id = due.id
          RETURNING o.id, o.message_id, o.attempts, o.max_attempts, o.lease_token)
       SELECT * FROM claimed ORDER BY id`,
      [limit, leaseSeconds, token],
    );
  }

  /** Marks the entry sent unless it is settled already (another worker got there after our lease ran out). */
  async markSent(manager: EntityManager, entryId: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `WITH changed AS (
         UPDATE email_outbox SET state = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL, updated_at = now()
          WHERE id = $1 AND state = 'queued' RETURNING id)
       SELECT id FROM changed`,
      [entryId],
    );
    return rows.length > 0;
  }

  /** Records a failed attempt while we still hold the lease: retry after `retryInMs`, or give up (`final`). */
  async markAttemptFailed(manager: EntityManager, entry: ClaimedEntry, error: string, final: boolean, retryInMs: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `WITH changed AS (
         UPDATE email_outbox
            SET state = CASE WHEN $4 THEN 'failed' ELSE 'queued' END, last_error = $3, locked_until = NULL, lease_token = NULL,
                next_attempt_at = now() + make_interval(secs => $5), updated_at = now()
          WHERE id = $1 AND lease_token = $2 AND state = 'queued' RETURNING id)
       SELECT id FROM changed`,
      [entry.id, entry.lease_token, error.slice(0, 2000), final, retryInMs / 1000],
    );
    return rows.length > 0;
  }

  /** Gives the claim back without counting it, to be tried again later (nothing to send with yet). */
  async defer(entry: ClaimedEntry, reason: string, retryInMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE email_outbox
          SET attempts = GREATEST(attempts - 1, 0), last_error = $3, locked_until = NULL, lease_token = NULL,
              next_attempt_at = now() + make_interval(secs => $4), updated_at = now()
        WHERE id = $1 AND lease_token = $2 AND state = 'queued'`,
      [entry.id, entry.lease_token, reason, retryInMs / 1000],
    );
  }
}
