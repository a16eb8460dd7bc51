import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SYSTEM_USER_EMAIL } from '../../shared/auth/permissions.js';
import {
  conversationJoins,
  type ConversationDetailRow,
  type ConversationRef,
  type ParticipantRow,
  type PreviousConversationRow,
  DETAIL_COLUMNS,
} from './conversation.rows.js';
import { prepared } from '../../shared/database/prepared-statements.js';

const REF_SELECT = `
  SELECT c.id, c.uuid, c.contact_id, c.inbox_id, c.status_id, s.name AS status, s.category AS status_category,
         c.priority_id, p.name AS priority, c.assigned_user_id, c.assigned_team_id
    FROM conversations c JOIN conversation_statuses s ON s.id = c.status_id
    LEFT JOIN conversation_priorities p ON p.id = c.priority_id`;

/** UPDATE … RETURNING answers `[rows, count]` through TypeORM's query(). */
const updatedRows = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : []) as T[];

/** A conversation a bulk change touched, with its assignment after the change. */
export interface ChangedConversation {
  id: number;
  uuid: string;
  assigned_user_id: number | null;
  assigned_team_id: number | null;
}
const CHANGED_COLUMNS = 'c.id, c.uuid, c.assigned_user_id, c.assigned_team_id';

export interface NewConversation {
  contactId: number;
  inboxId: number;
  statusId: number;
  subject: string;
}

/** Named queries over conversations and their per-agent state. */
@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findRefByUuid(uuid: string, manager: EntityManager = this.dataSource.manager): Promise<ConversationRef | null> {
    const rows: ConversationRef[] = await manager.query(prepared`${REF_SELECT} WHERE c.uuid = $1`, [uuid]);
    return rows[0] ?? null;
  }

  /**
   * Locks the conversation row until the transaction ends and returns its current state. The lock is
   * taken in a sub-select: a `FOR UPDATE` over the join would, after waiting for a concurrent status
   * change, recheck the new status_id against the old status row and return nothing; the sub-select
   * yields the row as it is once locked, and the join reads its status and priority from that.
   */
  async lockRef(id: number, manager: EntityManager): Promise<ConversationRef | null> {
    const rows: ConversationRef[] = await manager.query(
      prepared`SELECT c.id, c.uuid, c.contact_id, c.inbox_id, c.status_id, s.name AS status, s.category AS status_category,
              c.priority_id, p.name AS priority, c.assigned_user_id, c.assigned_team_id
         FROM (SELECT id, uuid, contact_id, inbox_id, status_id, priority_id, assigned_user_id, assigned_team_id
                 FROM conversations WHERE id = $1 FOR UPDATE) c
         JOIN conversation_statuses s ON s.id = c.status_id
         LEFT JOIN conversation_priorities p ON p.id = c.priority_id`,
      [id],
    );
    return rows[0] ?? null;
  }

  async insert(manager: EntityManager, c: NewConversation): Promise<{ id: number; uuid: string }> {
    const rows: Array<{ id: number; uuid: string }> = await manager.query(
      `INSERT INTO conversations (contact_id, inbox_id, status_id, subject) VALUES ($1, $2, $3, $4) RETURNING id, uuid`,
      [c.contactId, c.inboxId, c.statusId, c.subject],
    );
    return rows[0];
  }

  async findDetail(uuid: string, viewerId: number, manager: EntityManager = this.dataSource.manager): Promise<ConversationDetailRow | null> {
    const rows: ConversationDetailRow[] = await manager.query(prepared`SELECT ${DETAIL_COLUMNS} ${conversationJoins('$1')} WHERE c.uuid = $2`, [
      viewerId,
      uuid,
    ]);
    return rows[0] ?? null;
  }

  /** The contact's other recent conversations the viewer may read, newest first. */
  previousConversations(
    contactId: number,
    excludeId: number,
    accessSql: (params: unknown[]) => string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PreviousConversationRow[]> {
    const params: unknown[] = [contactId, excludeId];
    const access = accessSql(params);
    return manager.query(
      prepared`SELECT c.id, c.created_at, c.updated_at, c.uuid, c.subject, c.last_message, c.last_message_at,
              ct.first_name AS contact_first_name, ct.last_name AS contact_last_name, ct.avatar_url AS contact_avatar_url
         FROM conversations c JOIN users ct ON ct.id = c.contact_id
        WHERE c.contact_id = $1 AND c.id <> $2 AND ${access}
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT 10`,
      params,
    );
  }

  participants(conversationId: number): Promise<ParticipantRow[]> {
    return this.dataSource.query(
      `SELECT u.id, u.first_name, u.last_name, u.avatar_url
         FROM conversation_participants cp JOIN users u ON u.id = cp.user_id
        WHERE cp.conversation_id = $1
        ORDER BY cp.created_at, u.id`,
      [conversationId],
    );
  }

  async upsertLastSeen(conversationId: number, userId: number, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO conversation_last_seen (conversation_id, user_id, last_seen_at) VALUES ($1, $2, clock_timestamp())
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at`,
      [conversationId, userId],
    );
  }

  async setAssignedUser(manager: EntityManager, id: number, userId: number | null): Promise<void> {
    await manager.query(`UPDATE conversations SET assigned_user_id = $2, updated_at = now() WHERE id = $1`, [id, userId]);
  }

  /** A new team drops the user assignee (reference §5.5); removing the team keeps it. */
  async setAssignedTeam(manager: EntityManager, id: number, teamId: number | null, clearUser: boolean): Promise<void> {
    await manager.query(
      `UPDATE conversations SET assigned_team_id = $2, assigned_user_id = CASE WHEN $3 THEN NULL ELSE assigned_user_id END,
              updated_at = now() WHERE id = $1`,
      [id, teamId, clearUser],
    );
  }

  async setPriority(manager: EntityManager, id: number, priorityId: number | null): Promise<void> {
    await manager.query(`UPDATE conversations SET priority_id = $2, updated_at = now() WHERE id = $1`, [id, priorityId]);
  }

  /**
   * Moves the conversation to a status. `resolved_at` and `closed_at` are set once and never cleared;
   * `snoozed_until` is set for a snooze and cleared otherwise.
   */
  async setStatus(manager: EntityManager, id: number, status: { id: number; name: string; category: string }, snoozedUntil: Date | null): Promise<void> {
    await manager.query(
      `UPDATE conversations SET status_id = $2, snoozed_until = $3,
              resolved_at = CASE WHEN $4 = 'resolved' THEN COALESCE(resolved_at, now()) ELSE resolved_at END,
              closed_at = CASE WHEN $5 = 'Closed' THEN COALESCE(closed_at, now()) ELSE closed_at END,
              updated_at = now()
        WHERE id = $1`,
      [id, status.id, snoozedUntil, status.category, status.name],
    );
  }

  /** A contact wrote: the conversation waits for an answer since its first unanswered message. */
  async markWaiting(manager: EntityManager, id: number): Promise<void> {
    await manager.query(`UPDATE conversations SET waiting_since = COALESCE(waiting_since, now()), updated_at = now() WHERE id = $1`, [id]);
  }

  /** The System user, author of automatic changes. */
  async systemUser(manager: EntityManager): Promise<{ id: number; first_name: string; last_name: string } | null> {
    const rows = await manager.query(
      `SELECT id, first_name, last_name FROM users WHERE type = 'agent' AND email = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1`,
      [SYSTEM_USER_EMAIL],
    );
    return rows[0] ?? null;
  }

  async contactEmail(contactId: number): Promise<string | null> {
    const rows: Array<{ email: string | null }> = await this.dataSource.query(`SELECT email FROM users WHERE id = $1`, [contactId]);
    return rows[0]?.email ?? null;
  }

  /** Whether the agent asked to have their conversations reassigned while away. */
  async assigneeIsReassigning(manager: EntityManager, userId: number): Promise<boolean> {
    const rows = await manager.query(`SELECT 1 FROM users WHERE id = $1 AND availability_status = 'away_and_reassigning'`, [userId]);
    return rows.length > 0;
  }

  /** A reply reached the contact. */
  async markReplyDelivered(manager: EntityManager, messageId: number): Promise<void> {
    await manager.query(
      `UPDATE conversations c SET first_reply_at = COALESCE(c.first_reply_at, now()), last_reply_at = now(),
              waiting_since = NULL, updated_at = now()
         FROM conversation_messages msg
        WHERE msg.id = $1 AND c.id = msg.conversation_id`,
      [messageId],
    );
  }

  /** Releases a deleted agent's conversations that are still being worked on; those changed. */
  async unassignAgentFromUnresolved(manager: EntityManager, agentId: number): Promise<ChangedConversation[]> {
    const result = await manager.query(
      `UPDATE conversations c SET assigned_user_id = NULL, updated_at = now()
         FROM conversation_statuses s
        WHERE s.id = c.status_id AND c.assigned_user_id = $1 AND s.category <> 'resolved'
        RETURNING ${CHANGED_COLUMNS}`,
      [agentId],
    );
    return updatedRows<ChangedConversation>(result);
  }

  /** Takes a team that is being deleted off its conversations (locked in id order, like the deletion); those changed. */
  async unassignTeam(manager: EntityManager, teamId: number): Promise<ChangedConversation[]> {
    const result = await manager.query(
      `UPDATE conversations c SET assigned_team_id = NULL, updated_at = now()
        WHERE c.id IN (SELECT id FROM conversations WHERE assigned_team_id = $1 ORDER BY id FOR NO KEY UPDATE)
        RETURNING ${CHANGED_COLUMNS}`,
      [teamId],
    );
    return updatedRows<ChangedConversation>(result);
  }

  /** Returns every due snoozed conversation to `openStatusId`; those woken. */
  async wakeDueSnoozes(manager: EntityManager, openStatusId: number, snoozedStatusId: number): Promise<ChangedConversation[]> {
    const result = await manager.query(
      `UPDATE conversations c SET status_id = $1, snoozed_until = NULL, updated_at = now()
        WHERE c.snoozed_until IS NOT NULL AND c.snoozed_until <= now() AND c.status_id = $2
        RETURNING ${CHANGED_COLUMNS}`,
      [openStatusId, snoozedStatusId],
    );
    return updatedRows<ChangedConversation>(result);
  }
}
