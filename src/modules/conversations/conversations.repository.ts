import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, type QueryDeepPartialEntity } from 'typeorm';
import { conversationAccessSql } from '../../shared/auth/conversation-access.js';
import { SYSTEM_USER_EMAIL } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Columns } from '../../shared/database/columns.js';
import { UserEntity } from '../../shared/database/entities/user.entity.js';
import type { StatusEntity } from '../statuses/entities/status.entity.js';
import {
  conversationJoins,
  type ConversationDetailRow,
  type ConversationRef,
  type ParticipantRow,
  type PreviousConversationRow,
  DETAIL_COLUMNS,
} from './conversation.rows.js';
import { ConversationLastSeenEntity } from './entities/conversation-last-seen.entity.js';
import { ConversationParticipantEntity } from './entities/conversation-participant.entity.js';
import { ConversationEntity } from './entities/conversation.entity.js';
import { prepared } from '../../shared/database/prepared-statements.js';

const REF_SELECT = `
  SELECT c.id, c.uuid, c.contact_id, c.inbox_id, c.status_id, s.name AS status, s.category AS status_category,
         c.priority_id, p.name AS priority, c.assigned_user_id, c.assigned_team_id
    FROM conversations c JOIN conversation_statuses s ON s.id = c.status_id
    LEFT JOIN conversation_priorities p ON p.id = c.priority_id`;

/** UPDATE … RETURNING answers `[rows, count]` through TypeORM's query(). */
const updatedRows = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : []) as T[];

/** A conversation a bulk change touched, with its assignment after the change. */
export type ChangedConversation = Columns<ConversationEntity, 'id' | 'uuid' | 'assignedUserId' | 'assignedTeamId'>;
const CHANGED_COLUMNS = 'c.id, c.uuid, c.assigned_user_id, c.assigned_team_id';

export type NewConversation = Pick<ConversationEntity, 'contactId' | 'inboxId' | 'statusId' | 'subject'> &
  Partial<Pick<ConversationEntity, 'customAttributes'>>;

/** GET /conversations/{uuid}: $1 the viewer (their unread count), $2 the uuid. */
export const CONVERSATION_DETAIL_SQL = prepared`SELECT ${DETAIL_COLUMNS} ${conversationJoins('$1')} WHERE c.uuid = $2`;

/** Named queries over conversations and their per-agent state. */
@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findRefByUuid(uuid: string, manager: EntityManager = this.dataSource.manager): Promise<ConversationRef | null> {
    const rows = await manager.query<ConversationRef[]>(prepared`${REF_SELECT} WHERE c.uuid = $1`, [uuid]);
    return rows[0] ?? null;
  }

  /**
   * Locks the conversation row until the transaction ends and returns its current state. The lock is
   * taken in a sub-select: a `FOR UPDATE` over the join would, after waiting for a concurrent status
   * change, recheck the new status_id against the old status row and return nothing; the sub-select
   * yields the row as it is once locked, and the join reads its status and priority from that.
   */
  async lockRef(id: number, manager: EntityManager): Promise<ConversationRef | null> {
    const rows = await manager.query<ConversationRef[]>(
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

  /**
   * lockRef by uuid, with the contact's email: what a reply needs, in the one statement that locks
   * the row (a reply runs no read before its transaction).
   */
  async lockRefByUuid(uuid: string, manager: EntityManager): Promise<(ConversationRef & { contact_email: string | null }) | null> {
    const rows = await manager.query<(ConversationRef & { contact_email: string | null })[]>(
      prepared`SELECT c.id, c.uuid, c.contact_id, c.inbox_id, c.status_id, s.name AS status, s.category AS status_category,
              c.priority_id, p.name AS priority, c.assigned_user_id, c.assigned_team_id, ct.email AS contact_email
         FROM (SELECT id, uuid, contact_id, inbox_id, status_id, priority_id, assigned_user_id, assigned_team_id
                 FROM conversations WHERE uuid = $1 FOR UPDATE) c
         JOIN conversation_statuses s ON s.id = c.status_id
         LEFT JOIN conversation_priorities p ON p.id = c.priority_id
         LEFT JOIN users ct ON ct.id = c.contact_id`,
      [uuid],
    );
    return rows[0] ?? null;
  }

  async insert(manager: EntityManager, c: NewConversation): Promise<Pick<ConversationEntity, 'id' | 'uuid'>> {
    const { generatedMaps } = await manager.getRepository(ConversationEntity).insert(c as QueryDeepPartialEntity<ConversationEntity>);
    const created = generatedMaps[0] as Pick<ConversationEntity, 'id' | 'uuid'>;
    return { id: created.id, uuid: created.uuid };
  }

  async findDetail(uuid: string, viewerId: number, manager: EntityManager = this.dataSource.manager): Promise<ConversationDetailRow | null> {
    const rows = await manager.query<ConversationDetailRow[]>(CONVERSATION_DETAIL_SQL, [viewerId, uuid]);
    return rows[0] ?? null;
  }

  /** The contact's other recent conversations the viewer may read, newest first. */
  previousConversations(
    contactId: number,
    excludeId: number,
    viewer: Principal,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PreviousConversationRow[]> {
    const params: unknown[] = [contactId, excludeId];
    const access = conversationAccessSql(viewer, 'c', params);
    return manager.query<PreviousConversationRow[]>(
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
    return this.dataSource
      .getRepository(ConversationParticipantEntity)
      .createQueryBuilder('cp')
      .innerJoin('cp.user', 'u')
      .select(['u.id AS id', 'u.first_name AS first_name', 'u.last_name AS last_name', 'u.avatar_url AS avatar_url'])
      .where('cp.conversationId = :conversationId', { conversationId })
      .orderBy('cp.createdAt')
      .addOrderBy('u.id')
      .getRawMany<ParticipantRow>();
  }

  async upsertLastSeen(conversationId: number, userId: number, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(ConversationLastSeenEntity)
      .values({ conversationId, userId, lastSeenAt: () => 'clock_timestamp()' })
      .orUpdate(['last_seen_at'], ['conversation_id', 'user_id'])
      .execute();
  }

  /** The conversation's `custom_attributes` (read in the caller's transaction, after its lock). */
  async customAttributes(manager: EntityManager, id: number): Promise<Record<string, unknown>> {
    const row = await manager.findOne(ConversationEntity, { select: { id: true, customAttributes: true }, where: { id } });
    return row?.customAttributes ?? {};
  }

  async setCustomAttributes(manager: EntityManager, id: number, values: Record<string, unknown>): Promise<void> {
    await this.update(manager, id, { customAttributes: values as QueryDeepPartialEntity<Record<string, unknown>> });
  }

  async setAssignedUser(manager: EntityManager, id: number, userId: number | null): Promise<void> {
    await this.update(manager, id, { assignedUserId: userId });
  }

  /** A new team drops the user assignee (reference §5.5); removing the team keeps it. */
  async setAssignedTeam(manager: EntityManager, id: number, teamId: number | null, clearUser: boolean): Promise<void> {
    await this.update(manager, id, clearUser ? { assignedTeamId: teamId, assignedUserId: null } : { assignedTeamId: teamId });
  }

  async setPriority(manager: EntityManager, id: number, priorityId: number | null): Promise<void> {
    await this.update(manager, id, { priorityId });
  }

  /**
   * Moves the conversation to a status. `resolved_at` and `closed_at` are set once and never cleared;
   * `snoozed_until` is set for a snooze and cleared otherwise.
   */
  async setStatus(manager: EntityManager, id: number, status: Pick<StatusEntity, 'id' | 'name' | 'category'>, snoozedUntil: Date | null): Promise<void> {
    await this.update(manager, id, {
      statusId: status.id,
      snoozedUntil,
      ...(status.category === 'resolved' ? { resolvedAt: () => 'COALESCE(resolved_at, now())' } : {}),
      ...(status.name === 'Closed' ? { closedAt: () => 'COALESCE(closed_at, now())' } : {}),
    });
  }

  /** A contact wrote: the conversation waits for an answer since its first unanswered message. */
  async markWaiting(manager: EntityManager, id: number): Promise<void> {
    await this.update(manager, id, { waitingSince: () => 'COALESCE(waiting_since, now())' });
  }

  /** The System user, author of automatic changes. */
  systemUser(manager: EntityManager): Promise<Pick<UserEntity, 'id' | 'firstName' | 'lastName'> | null> {
    return manager.getRepository(UserEntity).findOne({
      select: { id: true, firstName: true, lastName: true },
      where: { type: 'agent', email: SYSTEM_USER_EMAIL, deletedAt: IsNull() },
      order: { id: 'ASC' },
    });
  }

  /** Whether the agent asked to have their conversations reassigned while away. */
  assigneeIsReassigning(manager: EntityManager, userId: number): Promise<boolean> {
    return manager.getRepository(UserEntity).exists({ where: { id: userId, availabilityStatus: 'away_and_reassigning' } });
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
    const result = await manager.query<unknown>(
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
    const result = await manager.query<unknown>(
      `UPDATE conversations c SET assigned_team_id = NULL, updated_at = now()
        WHERE c.id IN (SELECT id FROM conversations WHERE assigned_team_id = $1 ORDER BY id FOR NO KEY UPDATE)
        RETURNING ${CHANGED_COLUMNS}`,
      [teamId],
    );
    return updatedRows<ChangedConversation>(result);
  }

  /** Returns every due snoozed conversation to `openStatusId`; those woken. */
  async wakeDueSnoozes(manager: EntityManager, openStatusId: number, snoozedStatusId: number): Promise<ChangedConversation[]> {
    const result = await manager.query<unknown>(
      `UPDATE conversations c SET status_id = $1, snoozed_until = NULL, updated_at = now()
        WHERE c.snoozed_until IS NOT NULL AND c.snoozed_until <= now() AND c.status_id = $2
        RETURNING ${CHANGED_COLUMNS}`,
      [openStatusId, snoozedStatusId],
    );
    return updatedRows<ChangedConversation>(result);
  }

  /** Changes some columns of one conversation; `updated_at` moves with them (the entity's update date). */
  private async update(manager: EntityManager, id: number, values: QueryDeepPartialEntity<ConversationEntity>): Promise<void> {
    await manager.createQueryBuilder().update(ConversationEntity).set(values).where('id = :id', { id }).execute();
  }
}
