import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { XID8 } from '../../../shared/database/column-types.js';
import type { EventType } from '../event-types.js';

/**
 * The append-only event log. A writer inserts a row with only its `seq`; `id`, the public, gapless
 * id in commit order, is given after commit by `events_number_committed()` (the EventSequencer), and
 * the trigger `events_append_only` refuses every other change (migrations EventsWebhooks1764700000000,
 * EventSequencer1765000000000, EventTransactionOrder1765300000000).
 */
@Entity('events')
@Unique('events_id_key', ['id'])
@Index('events_unnumbered_idx', ['seq'], { where: 'id IS NULL' })
export class EventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'events_pkey' })
  seq: string;

  /** Null until the sequencer numbers the row; int8, so read as a string. */
  @Column({ type: 'bigint', nullable: true })
  id: string | null;

  @Column({ type: 'text' })
  type: EventType;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The conversation's assignment when the event was written: who may read it in the feed. No FK: the log outlives rows. */
  @Column({ name: 'conversation_id', type: 'integer', nullable: true })
  conversationId: number | null;

  @Column({ name: 'assigned_user_id', type: 'integer', nullable: true })
  assignedUserId: number | null;

  @Column({ name: 'assigned_team_id', type: 'integer', nullable: true })
  assignedTeamId: number | null;

  /** The writing transaction, so a numbering run keeps one transaction's events consecutive (set by its default). */
  @Column({ type: XID8, nullable: true, default: () => 'pg_current_xact_id()', select: false, insert: false, update: false })
  txid: string | null;
}
