import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { MessageEntity } from '../../conversations/entities/message.entity.js';

export const OUTBOX_STATES = ['queued', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * One outgoing email per message, written in the message's transaction and claimed by mail workers
 * under a lease (`locked_until`, `lease_token`), so a crashed worker's claim comes back.
 */
@Entity('email_outbox')
@Unique('email_outbox_message_id_key', ['messageId'])
@Index('email_outbox_due_idx', ['nextAttemptAt', 'id'], { where: `state = 'queued'` })
@Check('email_outbox_state_check', `state IN ('queued', 'sent', 'failed')`)
@Check('email_outbox_max_attempts_check', `max_attempts > 0`)
export class EmailOutboxEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'email_outbox_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'message_id', type: 'integer' })
  messageId: number;

  @ManyToOne('MessageEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'email_outbox_message_id_fkey' })
  message?: Relation<MessageEntity>;

  @Column({ type: 'text', default: 'queued' })
  state: OutboxState;

  /** Counts the attempt in progress too: a claim increments it. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
