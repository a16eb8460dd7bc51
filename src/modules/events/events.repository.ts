import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { conversationAccessSql } from '../../shared/auth/conversation-access.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { EventEntity } from './entities/event.entity.js';
import type { EventScope, EventType } from './event-types.js';

/** A numbered event as the feed reads it; `id` is int8, so a string. */
export type FeedRow = Pick<EventEntity, 'type' | 'payload' | 'createdAt'> & { id: string };

export interface EventWindow {
  /** The newest committed event id when the page was read (0 for an empty log). */
  head: number;
  rows: FeedRow[];
}

/** Every recorded state change runs this in its writer's transaction; `id` is left to the sequencer. */
export const INSERT_EVENT_SQL = `INSERT INTO events (type, payload, conversation_id, assigned_user_id, assigned_team_id) VALUES ($1, $2::jsonb, $3, $4, $5)`;
/** One numbering run (migration EventTransactionOrder1765300000000); an index probe when nothing is pending. */
export const NUMBER_COMMITTED_SQL = `SELECT events_number_committed() AS n`;

/** Named queries over the append-only `events` log. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends an event in the caller's transaction. Its id is given after that transaction commits, by
   * `numberCommitted` (see migration EventSequencer1765000000000); until then it has none.
   */
  async insert(m: EntityManager, type: EventType, payload: object, scope: EventScope): Promise<void> {
    await m.query(INSERT_EVENT_SQL, [type, JSON.stringify(payload), scope.conversationId ?? null, scope.assignedUserId ?? null, scope.assignedTeamId ?? null]);
  }

  /**
   * Gives ids, in one short transaction of its own, to every event whose transaction has committed;
   * resolves to how many it numbered. Call it outside any transaction: once it returns, every event
   * committed before the call is visible with an id.
   */
  async numberCommitted(): Promise<number> {
    const rows = await this.dataSource.query<Array<{ n: string | number }>>(NUMBER_COMMITTED_SQL);
    return Number(rows[0]?.n ?? 0);
  }

  /** The newest numbered event id (0 for an empty log). */
  async head(): Promise<number> {
    const rows = await this.dataSource.query<Array<{ head: string | null }>>(`SELECT max(id) AS head FROM events`);
    return Number(rows[0]?.head ?? 0);
  }

  /**
   * Up to `limit` events with ids in (after, after + span] that `principal` may read, oldest first,
   * and the log's head, read in one snapshot.
   */
  async window(principal: Principal, after: number, span: number, limit: number): Promise<EventWindow> {
    const params: unknown[] = [];
    const visible = visibilitySql(principal, params);
    const n = params.length;
    const rows = await this.dataSource.query<Array<FeedRow & { head: string | null; has_row: boolean }>>(
      `WITH head AS (SELECT max(id) AS head FROM events),
            page AS (SELECT e.id, e.type, e.payload, e.created_at AS "createdAt" FROM events e
                      WHERE e.id > $${n + 1} AND e.id <= $${n + 2} AND ${visible}
                      ORDER BY e.id LIMIT $${n + 3})
       SELECT head.head, page.id IS NOT NULL AS has_row, page.* FROM head LEFT JOIN page ON true ORDER BY page.id`,
      [...params, after, after + span, limit],
    );
    return {
      head: Number(rows[0]?.head ?? 0),
      rows: rows.filter((r) => r.has_row).map(({ id, type, payload, createdAt }) => ({ id, type, payload, createdAt })),
    };
  }

  /** For metrics: committed events the sequencer has not numbered yet, and the age of the oldest. */
  async sequencerLag(): Promise<{ unnumbered: number; oldest_age_seconds: number }> {
    const rows: Array<{ unnumbered: number; oldest_age_seconds: number | null }> = await this.dataSource.query(
      `SELECT count(*)::int AS unnumbered, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest_age_seconds FROM events WHERE id IS NULL`,
    );
    return { unnumbered: rows[0]?.unnumbered ?? 0, oldest_age_seconds: rows[0]?.oldest_age_seconds ?? 0 };
  }

  /**
   * Deletes up to `batch` of the oldest numbered events created before `cutoff`, only ever a prefix of
   * the log: it stops at the first event that is newer, or that someone else holds a lock on (SKIP
   * LOCKED, so a writer is never waited for), so the ids that remain stay gapless. Events without an
   * id (not yet numbered) are never touched. Resolves to how many were deleted.
   */
  async prunePrefixBefore(cutoff: Date, batch: number): Promise<number> {
    const [rows]: [Array<{ id: string }>, number] = await this.dataSource.query(
      `WITH picked AS (
              SELECT seq, id, created_at FROM events WHERE id IS NOT NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED),
            ranked AS (
              SELECT seq, id, created_at < $1 AND id = (SELECT min(id) FROM events) + row_number() OVER (ORDER BY id) - 1 AS prunable FROM picked),
            stop AS (SELECT min(id) AS id FROM ranked WHERE NOT prunable)
       DELETE FROM events e USING ranked
        WHERE e.seq = ranked.seq AND ranked.prunable AND ranked.id < COALESCE((SELECT id FROM stop), ranked.id + 1)
       RETURNING e.id`,
      [cutoff, batch],
    );
    return rows.length;
  }

  /** The id up to which the log has been pruned (0 when nothing was): a cursor below it has lost events. */
  async prunedThrough(): Promise<number> {
    const rows: Array<{ through: string | number }> = await this.dataSource.query(
      `SELECT COALESCE((SELECT min(id) FROM events) - 1, (SELECT last_id FROM event_sequence)) AS through`,
    );
    return Number(rows[0]?.through ?? 0);
  }
}

/**
 * Conversation and message events follow conversation access (§3.3) against the assignment recorded
 * with the event; message events also need `messages:read`. Contact events need `contacts:read`.
 */
function visibilitySql(p: Principal, params: unknown[]): string {
  const ors: string[] = [];
  const access = conversationAccessSql(p, 'e', params);
  if (access !== 'FALSE') {
    ors.push(`(e.type LIKE 'conversation.%' AND ${access})`);
    if (p.permissions.has(Permission.MessagesRead)) ors.push(`(e.type LIKE 'message.%' AND ${access})`);
  }
  if (p.permissions.has(Permission.ContactsRead)) ors.push(`e.type LIKE 'contact.%'`);
  return ors.length ? `(${ors.join(' OR ')})` : 'FALSE';
}
